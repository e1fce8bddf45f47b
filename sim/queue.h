/* The pending-event set: events ordered by time, then by scheduling sequence number, so runs
 * are deterministic. Two implementations share this header, chosen by the meson option
 * `queue`: a calendar queue (queue_calendar.c, default) and a 4-ary heap (queue_heap.c).
 * The queue links events but never allocates or frees them: the engine owns every event. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include "event.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sim_queue sim_queue;

/* Returns a new empty queue, or NULL when out of memory. */
sim_queue *sim_queue_new(void);
/* Frees the queue's own memory; events still queued are not touched. NULL is a no-op. */
void sim_queue_free(sim_queue *q);
/* Adds e (time and seq set; e->time not before the last event popped). Returns 0, or -1
 * when out of memory (e is then not queued). */
int sim_queue_push(sim_queue *q, sim_event *e);
/* Removes and returns the first event if its time is <= limit; NULL otherwise or if empty. */
sim_event *sim_queue_pop_until(sim_queue *q, sim_time limit);
/* The event that the (k+1)-th pop from now returns, when the queue already knows it without
 * work (the calendar's sorted current bucket; the heap's top for k = 0), else NULL. Nothing
 * changes: the engine reads it to prefetch what that event will touch. */
sim_event *sim_queue_peek(const sim_queue *q, size_t k);
/* Returns the number of queued events. */
size_t sim_queue_size(const sim_queue *q);
/* Removes every queued event for which drop(e, ud) returns true (drop may free it), keeping
 * the others in their order, in O(n) and without allocating. */
void sim_queue_remove_if(sim_queue *q, bool (*drop)(sim_event *e, void *ud), void *ud);
/* Returns the bytes the queue itself holds (not counting the events). */
size_t sim_queue_bytes(const sim_queue *q);
/* Returns the implementation's name ("calendar" or "heap"). */
const char *sim_queue_impl(void);

#endif
