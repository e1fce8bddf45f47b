/* A delay line: requests held each for its own time, side by side (no queueing, no limit),
 * then handed back to the kind by its timer: a broker's publish_time, the time it takes to
 * accept a message before it acknowledges the publish. A hold of no time costs no event, so
 * the default publish_time of 0 s leaves a publish on its fast path. */
#ifndef DSIM_DELAY_LINE_H
#define DSIM_DELAY_LINE_H

#include "request.h"
#include "slot_table.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct delay_line {
    slot_table held; /* an rr_req * each; a slot is given back when its timer fires */
} delay_line;

void delay_line_init(delay_line *d);
void delay_line_free(delay_line *d);

/* Holds r at node n for `wait` ns: sets a timer of tag `tag` whose argument
 * delay_line_take turns back into r. Returns true when there is nothing to wait for (wait
 * 0): the caller goes on with r at once. Out of memory: the run is stopped, r freed, and
 * false returned. */
bool delay_line_hold(delay_line *d, sim_node *n, rr_req *r, sim_time wait, uint16_t tag);

/* The request whose timer fired with argument `arg`; its slot is free again. A slot is
 * given back only there or at a crash, which drops every pending timer, so a timer never
 * finds its slot reused. */
rr_req *delay_line_take(delay_line *d, uint64_t arg);

/* A crash: frees every request held (their callers see a time-out). */
void delay_line_drop(delay_line *d, sim_node *n);

#endif
