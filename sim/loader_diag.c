/* How the loader reports: at a node's file position, or, for a value a --set override wrote,
 * at that argument ("--set nodes.web.workers=two: error: ...", contract §1) with a note on the
 * file's value it replaced; and "unknown word" errors with the nearest known word as a
 * "did you mean" note and the known words in the message or, when many, in a note. Messages
 * have no length limit. */
#include "loader_int.h"

#include "strfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The message of fmt and ap (caller frees), or NULL with the loader marked out of memory;
 * TEXT gives what to print either way. */
static char *vmessage(sim_loader *ld, const char *fmt, va_list ap) {
    char *msg = sim_vstrfmt(fmt, ap);
    if (!msg)
        ld->oom = true;
    return msg;
}
#define TEXT(msg) ((msg) ? (msg) : "(message lost: out of memory)")

char *sim__ld_format(sim_loader *ld, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vmessage(ld, fmt, ap);
    va_end(ap);
    return s;
}

char *sim__ld_arena_format(sim_loader *ld, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vmessage(ld, fmt, ap);
    va_end(ap);
    char *c = s ? sim__ld_strdup(ld, s) : NULL;
    free(s);
    return c;
}

bool sim__ld_may_report(sim_loader *ld) {
    if (ld->suppressed)
        return false;
    if (sim_diag_count(ld->diag) - ld->errors_before < SIM_LOADER_MAX_ERRORS)
        return true;
    ld->suppressed = true;
    sim_diag_final_error(ld->diag, "more than %d errors: the others are not reported",
                         SIM_LOADER_MAX_ERRORS);
    return false;
}

char *sim__ld_set_arg(const sim_override *o) {
    return sim_strfmt("--set %s=%s", o->path, o->value);
}

/* Records msg as an error of override set (the caller adds notes). Returns false when the
 * error limit dropped it (its notes must then be dropped too). */
static bool set_error(sim_loader *ld, size_t set, const char *msg) {
    if (!sim__ld_may_report(ld))
        return false;
    char *arg = sim__ld_set_arg(&ld->sets[set]);
    if (!arg) {
        ld->oom = true;
        sim_diag_error(ld->diag, 0, 0, "--set: %s", msg);
        return true;
    }
    sim_diag_arg_error(ld->diag, arg, "%s", msg);
    free(arg);
    return true;
}

bool sim__ld_set_error(sim_loader *ld, size_t set, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vmessage(ld, fmt, ap);
    va_end(ap);
    bool recorded = set_error(ld, set, TEXT(msg));
    free(msg);
    return recorded;
}

int sim__ld_set_node(const sim_loader *ld, const yaml_node_t *y) {
    if (!y || ld->nset_nodes == 0 || ld->doc != ld->set_doc || y < ld->doc->nodes.start ||
        y >= ld->doc->nodes.top)
        return -1;
    int id = (int)(y - ld->doc->nodes.start) + 1;
    size_t lo = 0, hi = ld->nset_nodes; /* entries are in increasing id order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ld->set_nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ld->nset_nodes && ld->set_nodes[lo].id == id ? (int)lo : -1;
}

/* Records msg at line:col or as an error of the override that wrote the value. Returns
 * false when the error limit dropped it. */
static bool error_at(sim_loader *ld, int line, int col, int set_node, const char *msg) {
    if (set_node < 0) {
        if (!sim__ld_may_report(ld))
            return false;
        sim_diag_error(ld->diag, line, col, "%s", msg);
        return true;
    }
    const sim_set_node *e = &ld->set_nodes[set_node];
    if (!set_error(ld, e->set, msg))
        return false;
    if (e->line > 0)
        sim_diag_note(ld->diag, "the file sets it to '%s' at %s:%d:%d", e->old ? e->old : "",
                      sim_diag_file(ld->diag), e->line, e->col);
    return true;
}

bool sim__ld_error_at(sim_loader *ld, int line, int col, int set_node, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vmessage(ld, fmt, ap);
    va_end(ap);
    bool recorded = error_at(ld, line, col, set_node, TEXT(msg));
    free(msg);
    return recorded;
}

static bool error_node(sim_loader *ld, const yaml_node_t *y, const char *msg) {
    if (y)
        return error_at(ld, (int)y->start_mark.line + 1, (int)y->start_mark.column + 1,
                        sim__ld_set_node(ld, y), msg);
    return error_at(ld, 0, 0, -1, msg);
}

bool sim__ld_error(sim_loader *ld, const yaml_node_t *y, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vmessage(ld, fmt, ap);
    va_end(ap);
    bool recorded = error_node(ld, y, TEXT(msg));
    free(msg);
    return recorded;
}

void sim_check_error(sim_check *ck, const char *key, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vmessage(ck->ld, fmt, ap);
    va_end(ap);
    yaml_node_t *kn = NULL, *v = key ? sim__ld_get(ck->ld, ck->map, key, &kn) : NULL;
    int set_node = sim__ld_set_node(ck->ld, v);
    /* A value a --set wrote is the argument's fault: name the argument, not the file. */
    if (set_node >= 0)
        sim__ld_error_at(ck->ld, 0, 0, set_node, "%s: %s", ck->where, TEXT(msg));
    else
        sim__ld_error(ck->ld, kn ? kn : ck->map, "%s: %s", ck->where, TEXT(msg));
    free(msg);
}

/* ---- unknown words ---- */

/* Letter comparisons all "did you mean" notes among the file's names may take together (about
 * a tenth of a second); past it they are left out. */
#define SUGGEST_WORK_MAX ((size_t)1 << 26)

void sim__ld_suggest_add(sim_loader *ld, sim_suggest *s, const char *candidate) {
    if (!candidate || ld->suggest_work >= SUGGEST_WORK_MAX)
        return;
    /* A comparison is charged what it took (it stops early, and at once when the lengths
     * alone are too far apart), plus the candidate's length for looking at it at all; one
     * comparison costs at most len * n, so the budget is overshot by one at most. */
    size_t before = s->work;
    ld->suggest_work += strlen(candidate) + 1;
    sim_suggest_add(s, candidate);
    ld->suggest_work += s->work - before;
}

/* Lists of more words than this go in a note of their own, so the error line stays short. */
#define KNOWN_INLINE 8

void sim__ld_known_init(sim_ld_known *k, const char *word) {
    *k = (sim_ld_known){0};
    sim_suggest_init(&k->near, word ? word : "");
}

void sim__ld_known_add(sim_ld_known *k, const char *known) {
    if (!known)
        return;
    sim_suggest_add(&k->near, known);
    size_t n = strlen(known), need = k->len + (k->n ? 2 : 0) + n + 1;
    if (k->oom)
        return;
    char *l = realloc(k->list, need);
    if (!l) {
        k->oom = true;
        return;
    }
    if (k->n) {
        memcpy(l + k->len, ", ", 2);
        k->len += 2;
    }
    memcpy(l + k->len, known, n + 1);
    k->len += n;
    k->list = l;
    k->n++;
}

void sim__ld_unknown(sim_loader *ld, const yaml_node_t *y, sim_ld_known *k, const char *label,
                     const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vmessage(ld, fmt, ap);
    va_end(ap);
    if (k->oom)
        ld->oom = true;
    const char *list = k->list && !k->oom ? k->list : "";
    bool inline_list = label && k->n > 0 && k->n <= KNOWN_INLINE;
    char *line = inline_list && msg ? sim_strfmt("%s (%s: %s)", msg, label, list) : NULL;
    bool recorded = error_node(ld, y, line ? line : TEXT(msg));
    const char *near = sim_suggest_best(&k->near);
    if (recorded && near)
        sim_diag_note(ld->diag, "did you mean '%s'?", near);
    if (recorded && label && k->n > KNOWN_INLINE)
        sim_diag_note(ld->diag, "%s: %s", label, list);
    free(line);
    free(msg);
    free(k->list);
    k->list = NULL;
}

void sim__ld_unknown_key(sim_loader *ld, const yaml_node_t *y, const char *word,
                         const char *const *known, const char *what) {
    sim_ld_known kn;
    sim__ld_known_init(&kn, word);
    for (size_t i = 0; known[i]; i++)
        sim__ld_known_add(&kn, known[i]);
    sim__ld_unknown(ld, y, &kn, "known keys", "%s '%s'", what, word);
}
