/* Optimal string alignment distance by the dynamic programme of Damerau (1964) restricted as
 * in Boytsov, "Indexing methods for approximate dictionary searching" (ACM JEA 16, 2011,
 * §2.2): d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (a_i != b_j), and
 * d[i-2][j-2] + 1 when a_i a_{i-1} = b_{j-1} b_j). Three rows of b's length are kept; the
 * programme stops as soon as a whole row exceeds the bound, since later rows never go
 * below the minimum of the row before. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

static size_t min2(size_t a, size_t b) { return a < b ? a : b; }

/* The distance as sim_suggest_distance, adding the cells computed to *cells. */
static size_t distance(const char *a, const char *b, size_t max, size_t *cells) {
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1; /* at least that many insertions or deletions */
    size_t small[3][33];
    size_t *rows = lb < 33 ? &small[0][0] : malloc(3 * (lb + 1) * sizeof *rows);
    if (!rows)
        return max + 1;
    size_t stride = lb < 33 ? 33 : lb + 1;
    size_t *two = rows, *one = rows + stride, *cur = rows + 2 * stride;
    for (size_t j = 0; j <= lb; j++)
        one[j] = j;
    size_t result = la == 0 ? lb : max + 1;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t d = min2(one[j] + 1, cur[j - 1] + 1);
            d = min2(d, one[j - 1] + (a[i - 1] != b[j - 1]));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d = min2(d, two[j - 2] + 1);
            cur[j] = d;
            row_min = min2(row_min, d);
        }
        *cells += lb;
        if (row_min > max) {
            result = max + 1;
            break;
        }
        if (i == la)
            result = cur[lb];
        size_t *t = two;
        two = one;
        one = cur;
        cur = t;
    }
    if (rows != &small[0][0])
        free(rows);
    return result > max ? max + 1 : result;
}

size_t sim_suggest_distance(const char *a, const char *b, size_t max) {
    size_t cells = 0;
    return distance(a, b, max, &cells);
}

void sim_suggest_init(sim_suggest *s, const char *word) {
    s->word = word;
    s->len = strlen(word);
    s->limit = (s->len + 2) / 3;
    s->best = NULL;
    s->best_dist = s->limit + 1;
    s->work = 0;
}

void sim_suggest_add(sim_suggest *s, const char *candidate) {
    if (!candidate || !*candidate || s->best_dist == 0)
        return;
    /* Only a strictly nearer candidate replaces the best, so the first of equals stays. */
    size_t d = distance(s->word, candidate, s->best_dist - 1, &s->work);
    if (d < s->best_dist) {
        s->best = candidate;
        s->best_dist = d;
    }
}

const char *sim_suggest_best(const sim_suggest *s) { return s->best; }

const char *sim_suggest_among(const char *word, const char *const *words) {
    sim_suggest s;
    sim_suggest_init(&s, word);
    for (size_t i = 0; words && words[i]; i++)
        sim_suggest_add(&s, words[i]);
    return sim_suggest_best(&s);
}
