/* Every example in topologies/ loads and runs (shortened with a duration override), and its
 * client figures add up: each request issued after the warm-up is completed, rejected, timed
 * out, failed or still in flight at the end. */
#include "support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    cr_assert(text);
    cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void check_accounting(const cJSON *doc, const char *file) {
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc, "nodes"), *n;
    cJSON_ArrayForEach(n, nodes) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(n, "kind");
        if (strcmp(kind->valuestring, "client") != 0)
            continue;
        double sum = 0;
        static const char *const parts[] = {"completed", "rejected", "timed_out", "failed",
                                            "in_flight"};
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
            sum += cJSON_GetObjectItemCaseSensitive(n, parts[i])->valuedouble;
        double issued = cJSON_GetObjectItemCaseSensitive(n, "issued")->valuedouble;
        /* in_flight also holds requests issued during the warm-up: at most the excess. */
        cr_expect_geq(sum, issued, "%s: client %s loses requests", file, n->string);
        cr_expect_gt(issued, 0, "%s: client %s issued nothing", file, n->string);
    }
}

Test(topologies, every_example_runs) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src, "DSIM_SOURCE is not set (run through meson test)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/topologies", src);
    struct dirent **list;
    int count = scandir(dir, &list, NULL, alphasort);
    cr_assert_gt(count, 0, "no topologies in %s", dir);
    int ran = 0;
    for (int i = 0; i < count; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".yaml") == 0) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            char *yaml = slurp(path);
            /* Long enough to pass the warm-ups and the first faults, short enough for CI. */
            const char *sets[2] = {"duration=70s", "warmup=5s"};
            if (strcmp(name, "phold.yaml") == 0)
                sets[0] = "duration=20ms", sets[1] = "warmup=0s";
            cJSON *doc = t_run_with(yaml, 1, sets, 2);
            cr_expect_gt(t_num(doc, "events"), 0, "%s processed no event", name);
            check_accounting(doc, name);
            cJSON_Delete(doc);
            free(yaml);
            ran++;
        }
        free(list[i]);
    }
    free(list);
    cr_expect_geq(ran, 5, "only %d topologies found", ran);
}
