/* One self-contained HTML page being written (dsim report, contract §8.5): a growing buffer of
 * markup with the page's styles inline and nothing fetched from anywhere, written to its file
 * atomically at the end. Markup goes in raw (rh_raw), text escaped (rh_text, the table cells);
 * an allocation failure is remembered (rh_page_failed) and later calls do nothing, so callers
 * check once at the end. The page knows nothing of documents or plots (plot.h draws into it). */
#ifndef DSIM_RH_PAGE_H
#define DSIM_RH_PAGE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rh_page rh_page;

/* A new page titled title (escaped into <title> and the top <h1>). NULL when out of memory.
 * The caller frees it with rh_page_free. */
rh_page *rh_page_new(const char *title);
/* Appends printf-formatted markup, not escaped: the caller escapes what it interpolates. */
void rh_raw(rh_page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as text, HTML-escaped (& < > " '); NULL appends nothing. */
void rh_text(rh_page *p, const char *s);
/* Opens <section id="ID"><h2>TITLE</h2> (both escaped); id may be NULL (no id). */
void rh_section_begin(rh_page *p, const char *id, const char *title);
void rh_section_end(rh_page *p);
/* A table: its header row of n headers (escaped), rows of n cells (escaped; a NULL cell is
 * empty), then the end. A cell that reads as a number is right-aligned. */
void rh_table_begin(rh_page *p, const char *const *headers, size_t n);
void rh_table_row(rh_page *p, const char *const *cells, size_t n);
void rh_table_end(rh_page *p);
/* Whether an allocation failed somewhere (the page is then incomplete and must not be
 * written). */
bool rh_page_failed(const rh_page *p);
/* The whole page so far, closing tags included (valid until the next call on p), or NULL when
 * an allocation failed. */
const char *rh_page_html(rh_page *p);
void rh_page_free(rh_page *p);

/* Marks the page failed (a caller's own allocation failed: the page would be incomplete). */
void rh_page_fail(rh_page *p);
/* Appends s to p escaped for an attribute value or text (the same escaping as rh_text). */
void rh_escape(rh_page *p, const char *s);

#endif
