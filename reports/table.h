/* A text table for the terminal: a label column, then columns with a name and an optional
 * group name spanning consecutive columns (e.g. "wait" over mean, p50, p99). Columns may be
 * added while rows are filled, at any position, so tables can take the union of the figures
 * of several objects. Printing aligns every column, and splits the columns into blocks that
 * each fit the width (the label column repeated), as wide data frames are printed. */
#ifndef DSIM_TABLE_H
#define DSIM_TABLE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct dsim_table dsim_table;

/* A new empty table whose label column is headed corner (copied). NULL when out of memory. */
dsim_table *dsim_table_new(const char *corner);
/* Makes the label column at least width characters wide (to align several tables). */
void dsim_table_min_label(dsim_table *t, size_t width);
/* Frees t. NULL is a no-op. */
void dsim_table_free(dsim_table *t);

/* Display position of the column (group, name) (group "" for none), or -1 when absent. */
int dsim_table_find(const dsim_table *t, const char *group, const char *name);
/* Adds the column (group, name) at display position pos (clamped to the end), left-aligned
 * or right-aligned; the strings are copied. Returns its display position, or -1 when out of
 * memory. */
int dsim_table_add_column(dsim_table *t, int pos, const char *group, const char *name, bool left);
/* Starts a row labelled label (copied). Returns 0, or -1 when out of memory. */
int dsim_table_add_row(dsim_table *t, const char *label);
/* Adds a line of free text (copied) between rows, e.g. "... 9 more". Returns 0 or -1. */
int dsim_table_add_note(dsim_table *t, const char *text);
/* Sets the cell of the last row in the column at display position pos (text copied); cells
 * never set print as "-". Returns 0, or -1 when out of memory or there is no row. */
int dsim_table_set(dsim_table *t, int pos, const char *text);

/* Prints t to out, every line indented by indent spaces and at most width columns long
 * (unless one column beside the labels is wider than that, or the labels take more than two
 * thirds of it: then the columns stay in one block). Trailing blanks are trimmed.
 * Returns 0, or -1 when t ran out of memory while being filled (then it prints a line that
 * says so) or a write failed. */
int dsim_table_print(const dsim_table *t, FILE *out, int indent, int width);

#endif
