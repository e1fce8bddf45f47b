/* --seed and --set (run_options.h). */
#include "run_options.h"

#include "arg_error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A whole number >= 0 with nothing around it (strtoull alone takes "-1" and " 7"). */
static int parse_seed(const char *s, uint64_t *out) {
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int dsim_run_option(int argc, char **argv, int *i, dsim_run_options *r) {
    const char *a = argv[*i];
    bool has_value = *i + 1 < argc;
    if (strcmp(a, "--seed") == 0) {
        if (!has_value)
            return dsim_bad_arg(a, NULL, "expected a whole number >= 0 after it");
        r->seed_text = argv[++*i];
        if (parse_seed(r->seed_text, &r->seed))
            return dsim_bad_option_value(a, r->seed_text, "expected a whole number >= 0");
        r->has_seed = true;
        return 0;
    }
    if (strcmp(a, "--set") == 0) {
        if (!has_value)
            return dsim_bad_arg(a, NULL, "expected PATH=VALUE after it");
        char *spec = argv[++*i], *eq = strchr(spec, '=');
        if (!eq || eq == spec)
            return dsim_bad_option_value(a, spec, "expected PATH=VALUE, e.g. nodes.web.workers=4");
        *eq = '\0';
        r->sets[r->nsets++] = (sim_override){.path = spec, .value = eq + 1};
        return 0;
    }
    return -1;
}
