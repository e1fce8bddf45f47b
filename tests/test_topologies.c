/* Every example in topologies/ loads and runs (shortened with a duration override), and its
 * client figures add up: each request issued after the warm-up is completed, rejected, timed
 * out, failed or still in flight at the end, for each client and in the "requests" block. */
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every client issued something, and the accounting identity holds exactly: no request issued
 * during the warm-up is still in flight at the end of these runs. An example without clients
 * (phold) has no requests to account for. */
static void check_clients(const cJSON *doc, const char *file) {
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc, "nodes"), *n;
    int clients = 0;
    cJSON_ArrayForEach(n, nodes) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(n, "kind");
        if (strcmp(kind->valuestring, "client") != 0)
            continue;
        clients++;
        double issued = cJSON_GetObjectItemCaseSensitive(n, "issued")->valuedouble;
        cr_expect_gt(issued, 0, "%s: client %s issued nothing", file, n->string);
    }
    if (clients > 0) {
        cr_log_info("%s: accounting of %d clients", file, clients);
        t_expect_accounting(doc);
    }
}

Test(topologies, every_example_runs) {
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        cJSON *doc = t_run_with(yaml, 1, sets, t_shortened(*name, sets));
        cr_expect_gt(t_num(doc, "events"), 0, "%s processed no event", *name);
        check_clients(doc, *name);
        cJSON_Delete(doc);
        free(yaml);
    }
    t_names_free(names);
}
