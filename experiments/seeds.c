/* --seeds N | A..B (seeds.h). */
#include "seeds.h"

#include <string.h>

/* A whole number >= 0 spelt by the characters [s, end), digits only. */
static int parse_u64(const char *s, const char *end, uint64_t *out) {
    if (s == end)
        return -1;
    uint64_t v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int exp_parse_seeds(const char *s, uint64_t *first, uint64_t *last) {
    const char *dots = strstr(s, "..");
    uint64_t a = 1, b;
    if (!dots) {
        if (parse_u64(s, s + strlen(s), &b) || b == 0)
            return -1;
    } else if (parse_u64(s, dots, &a) || parse_u64(dots + 2, s + strlen(s), &b) || b < a) {
        return -1;
    }
    *first = a;
    *last = b;
    return 0;
}

int exp_parse_count(const char *s, uint64_t *out) { return parse_u64(s, s + strlen(s), out); }
