/* The topology loader: YAML (libyaml) -> checked sim_topology. Every problem goes to the
 * diagnostics context as FILE:LINE:COL: error: ...; on any problem nothing is returned. */
#ifndef SIM_LOADER_H
#define SIM_LOADER_H

#include "diag.h"
#include "kind.h"
#include "topology.h"

#include <stddef.h>

/* Limits on the YAML text, applied before any of it is built (loader_yaml.c says why). */
#define SIM_LOADER_MAX_BYTES (4 << 20)
#define SIM_LOADER_MAX_ALIAS_NODES 100000
/* Errors reported at most; past it, one last error says so and the others are dropped (the
 * load still fails): a file of a million bad lines would take minutes to report, and no one
 * reads that far. */
#define SIM_LOADER_MAX_ERRORS 1000
/* `expect:` entries at most: each is checked against every instance's name before the run
 * (about a million of them at most), so a file of a hundred thousand would take minutes;
 * a design's promises are a handful. */
#define SIM_LOADER_MAX_EXPECTS 1000

/* A --set PATH=VALUE override: a dotted path of mapping keys (or list indices) and a scalar. */
typedef struct sim_override {
    const char *path;
    const char *value;
} sim_override;

/* The kind called name in the NULL-terminated kinds table, or NULL. */
const sim_kind *sim_find_kind(const sim_kind *const *kinds, const char *name);

/* Loads the file at path with the overrides applied, against the NULL-terminated kinds table.
 * Returns the topology (caller frees with sim_topology_free), or NULL with errors in diag. */
sim_topology *sim_load_file(const char *path, const sim_override *sets, size_t nsets,
                            const sim_kind *const *kinds, sim_diag *diag);
/* Same for text in memory; name is the file name used in messages and as the default name. */
sim_topology *sim_load_string(const char *name, const char *text, size_t len,
                              const sim_override *sets, size_t nsets,
                              const sim_kind *const *kinds, sim_diag *diag);

#endif
