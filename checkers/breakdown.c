/* The breakdown's sums by latency bucket and their split into bands (breakdown.h). */
#include "breakdown.h"

#include "hist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Fine histogram buckets per breakdown bucket (breakdown.h: ~3% resolution). */
#define MERGE 4

const char *const breakdown_band_names[BREAKDOWN_BANDS] = {"p0_50", "p50_90", "p90_99", "p99_100"};
/* The bands' edges as fractions of the requests. */
static const double band_edge[BREAKDOWN_BANDS + 1] = {0, 0.5, 0.9, 0.99, 1};

typedef struct bucket {
    uint64_t count;
    double latency; /* ns, summed */
    double *spent;  /* ns summed per column; NULL while count is 0 */
} bucket;

/* Column 0 is the network; then group g's category c is 1 + g * SIM_LEDGER_CATEGORIES + c. */
struct breakdown {
    const sim_topology *topo;
    uint32_t *group_of; /* per node index: its group */
    size_t ncols;
    bucket *buckets;
    size_t nbuckets;
    uint64_t count;
};

breakdown *breakdown_new(const sim_topology *topo) {
    breakdown *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->topo = topo;
    b->ncols = 1 + topo->ngroups * SIM_LEDGER_CATEGORIES;
    b->group_of = calloc(topo->nnodes ? topo->nnodes : 1, sizeof *b->group_of);
    if (!b->group_of) {
        free(b);
        return NULL;
    }
    for (size_t g = 0; g < topo->ngroups; g++)
        for (uint32_t i = 0; i < topo->groups[g].count; i++)
            b->group_of[topo->groups[g].first + i] = (uint32_t)g;
    return b;
}

void breakdown_free(breakdown *b) {
    if (!b)
        return;
    for (size_t i = 0; i < b->nbuckets; i++)
        free(b->buckets[i].spent);
    free(b->buckets);
    free(b->group_of);
    free(b);
}

static size_t column_of(const breakdown *b, const sim_ledger_part *p) {
    if (p->place == SIM_NO_NODE || p->place >= b->topo->nnodes)
        return 0;
    return 1 + (size_t)b->group_of[p->place] * SIM_LEDGER_CATEGORIES + p->category;
}

int breakdown_add(breakdown *b, sim_time latency, const sim_ledger_part *parts, size_t nparts) {
    size_t i = sim_hist_bucket_index(latency) / MERGE;
    if (i >= b->nbuckets) {
        size_t n = i + 1 > 2 * b->nbuckets ? i + 1 : 2 * b->nbuckets;
        bucket *nb = realloc(b->buckets, n * sizeof *nb);
        if (!nb)
            return -1;
        for (size_t k = b->nbuckets; k < n; k++)
            nb[k] = (bucket){0};
        b->buckets = nb;
        b->nbuckets = n;
    }
    bucket *k = &b->buckets[i];
    if (!k->spent && !(k->spent = calloc(b->ncols, sizeof *k->spent)))
        return -1;
    k->count++;
    k->latency += (double)latency;
    for (size_t j = 0; j < nparts; j++)
        k->spent[column_of(b, &parts[j])] += (double)parts[j].spent;
    b->count++;
    return 0;
}

bool breakdown_any(const breakdown *b) { return b->count > 0; }

/* One band's sums. */
typedef struct band {
    double count, latency;
    double *spent;
} band;

/* Splits the buckets into the bands: a bucket's share of a band is the part of its count
 * that falls between the band's edges (in rank order), and its sums follow that share. */
static void split(const breakdown *b, band *bands) {
    double total = (double)b->count, below = 0;
    for (size_t i = 0; i < b->nbuckets; i++) {
        const bucket *k = &b->buckets[i];
        if (!k->count)
            continue;
        double lo = below, hi = below + (double)k->count;
        below = hi;
        for (int j = 0; j < BREAKDOWN_BANDS; j++) {
            double a = band_edge[j] * total, z = band_edge[j + 1] * total;
            double in = fmin(hi, z) - fmax(lo, a);
            if (in <= 0)
                continue;
            double share = in / (double)k->count;
            bands[j].count += in;
            bands[j].latency += share * k->latency;
            for (size_t c = 0; c < b->ncols; c++)
                bands[j].spent[c] += share * k->spent[c];
        }
    }
}

static double mean_ms(double sum_ns, double count) { return count > 0 ? sum_ns / count / 1e6 : 0; }

void breakdown_report(const breakdown *b, sim_report *w) {
    band bands[BREAKDOWN_BANDS] = {{0}};
    double *cols = calloc(BREAKDOWN_BANDS * b->ncols, sizeof *cols);
    if (!cols)
        return; /* the key stays empty: nothing to show without memory */
    for (int j = 0; j < BREAKDOWN_BANDS; j++)
        bands[j].spent = cols + (size_t)j * b->ncols;
    split(b, bands);
    /* A column is written when it is non-zero in some band; a group when one of its is. */
    bool *used = calloc(b->ncols, sizeof *used);
    if (!used) {
        free(cols);
        return;
    }
    for (size_t c = 0; c < b->ncols; c++)
        for (int j = 0; j < BREAKDOWN_BANDS; j++)
            used[c] |= bands[j].spent[c] != 0;
    for (int j = 0; j < BREAKDOWN_BANDS; j++) {
        const band *bd = &bands[j];
        sim_report_open(w, breakdown_band_names[j]);
        sim_report_int(w, "requests", (int64_t)llround(bd->count));
        sim_report_number(w, "latency_ms", mean_ms(bd->latency, bd->count));
        sim_report_number(w, "network_ms", mean_ms(bd->spent[0], bd->count));
        sim_report_open(w, "nodes");
        for (size_t g = 0; g < b->topo->ngroups; g++) {
            size_t first = 1 + g * SIM_LEDGER_CATEGORIES;
            bool any = false;
            for (size_t c = 0; c < SIM_LEDGER_CATEGORIES; c++)
                any |= used[first + c];
            if (!any)
                continue;
            sim_report_open(w, b->topo->groups[g].name);
            for (size_t c = 0; c < SIM_LEDGER_CATEGORIES; c++) {
                if (!used[first + c])
                    continue;
                char key[64];
                snprintf(key, sizeof key, "%s_ms", sim_ledger_category_names[c]);
                sim_report_number(w, key, mean_ms(bd->spent[first + c], bd->count));
            }
            sim_report_close(w);
        }
        sim_report_close(w);
        sim_report_close(w);
    }
    free(used);
    free(cols);
}
