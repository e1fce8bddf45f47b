/* The node kinds' reference, printed from their parameter tables (`dsim kinds`): as text for
 * the terminal, or as Markdown tables (`dsim kinds --markdown`), which docs/kinds.md is and a
 * test checks, so that the reference cannot drift from the code. */
#ifndef DSIM_KINDS_DOC_H
#define DSIM_KINDS_DOC_H

#include "kind.h"

#include <stdio.h>

/* One line per kind: its name and summary. */
void dsim_kinds_list(FILE *out, const sim_kind *const *kinds);
/* Every key of kind k with its type, default and help. Returns 0, or -1 when out of memory. */
int dsim_kinds_text(FILE *out, const sim_kind *k, const sim_kind *const *kinds);
/* The Markdown reference of every kind (or of k alone, when not NULL). Returns 0, or -1 when
 * out of memory. */
int dsim_kinds_markdown(FILE *out, const sim_kind *k, const sim_kind *const *kinds);

#endif
