/* PHOLD (Fujimoto 1990), the classic engine benchmark: each replica of the group starts with
 * `population` messages in flight to uniformly random replicas of the group (itself
 * included); every message received sends one more the same way. The hop delay is the
 * network's latency, so every hop exercises the real send, network and dispatch path. */
#include "metrics.h"
#include "node.h"

#include <stddef.h>

/* The one message PHOLD sends: a header and no body. */
static const sim_msg_type phold_msg = {.name = "phold", .wire_bytes = 64};

typedef struct phold_config {
    int64_t population;
} phold_config;

typedef struct phold_state {
    sim_ref group;
    uint64_t received;
} phold_state;

static const sim_param phold_params[] = {
    {.name = "population", .type = SIM_P_INT, .offset = offsetof(phold_config, population),
     .def = "16", .min = 0, .max = 1e6,
     .help = "messages each replica starts with in flight"},
    {0},
};

static void phold_create(sim_node *n) {
    phold_state *s = sim_state(n);
    const phold_config *c = sim_config(n);
    s->group = sim_node_group(n);
    for (int64_t i = 0; i < c->population; i++)
        sim_send(n, sim_pick(n, &s->group), sim_msg_new(n, &phold_msg));
}

/* The message received goes on: one block circulates, nothing is allocated. */
static void phold_receive(sim_node *n, sim_msg *m) {
    phold_state *s = sim_state(n);
    s->received++;
    sim_send(n, sim_pick(n, &s->group), m);
}

static const sim_metric phold_metrics[] = {
    {"received", SIM_METRIC_COUNTER, SIM_FIELD(phold_state, received)},
    SIM_METRICS_END,
};

static sim_memory_need phold_memory_need(const void *config, uint32_t group_count) {
    const phold_config *c = config;
    (void)group_count;
    return (sim_memory_need){.events = (double)c->population,
                             .report_bytes = 400, /* measured */
                             .key = "population",
                             .value = (double)c->population};
}

const sim_kind dsim_phold_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = phold_memory_need,
    .name = "phold",
    .summary = "PHOLD engine benchmark: every message received sends one to a random replica",
    .config_size = sizeof(phold_config),
    .state_size = sizeof(phold_state),
    .params = phold_params,
    .serves = 0, /* its messages go to its own group only */
    .group_edge = "message",
    .create = phold_create,
    .receive = phold_receive,
    .metrics = phold_metrics,

};
