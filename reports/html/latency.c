/* The latency CDF (latency.h). */
#include "latency.h"

#include <math.h>
#include <stdlib.h>

int rh_plot_latency_cdf(rh_plot *pl, const char *name, const cJSON *latency_hist) {
    const cJSON *bounds = cJSON_GetObjectItemCaseSensitive(latency_hist, "bounds_ms");
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(latency_hist, "counts");
    if (!pl || !cJSON_IsArray(bounds) || !cJSON_IsArray(counts))
        return -1;
    int nc = cJSON_GetArraySize(counts);
    if (nc < 1 || cJSON_GetArraySize(bounds) != nc + 1)
        return -1;
    double total = 0, prev = -INFINITY;
    const cJSON *it;
    cJSON_ArrayForEach(it, counts) {
        if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0) || !isfinite(it->valuedouble))
            return -1;
        total += it->valuedouble;
    }
    cJSON_ArrayForEach(it, bounds) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || !(it->valuedouble > prev))
            return -1;
        prev = it->valuedouble;
    }
    if (!(total > 0))
        return -1;
    size_t n = (size_t)nc + 1;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return -1;
    }
    size_t i = 0;
    cJSON_ArrayForEach(it, bounds) x[i++] = it->valuedouble;
    double cum = 0;
    y[0] = 0;
    i = 1;
    cJSON_ArrayForEach(it, counts) {
        cum += it->valuedouble;
        y[i++] = cum / total;
    }
    rh_plot_series(pl, name, RH_STEP, x, y, n);
    free(x);
    free(y);
    return 0;
}

void rh_plot_cdf_axes(rh_plot *pl) {
    rh_plot_log_x(pl);
    rh_plot_y_range(pl, 0, 1);
}
