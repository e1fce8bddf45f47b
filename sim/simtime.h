/* Simulated time: one signed 64-bit count of nanoseconds everywhere in dsim.
 * Conversions to milliseconds and seconds happen only at the edges (loader, reports). */
#ifndef SIM_SIMTIME_H
#define SIM_SIMTIME_H

#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
/* "No time given" for optional durations. */
#define SIM_TIME_NONE ((sim_time)-1)
/* Later than any event a run can reach (about 146 years). */
#define SIM_TIME_MAX ((sim_time)INT64_MAX / 2)

static inline double sim_time_ms(sim_time t) { return (double)t / 1e6; }
static inline double sim_time_s(sim_time t) { return (double)t / 1e9; }

#endif
