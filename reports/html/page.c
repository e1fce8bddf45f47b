/* The HTML page (page.h). */
#include "page.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rh_page {
    char *buf;  /* the page so far, NUL-terminated */
    size_t len; /* bytes in buf before the NUL */
    size_t cap;
    bool failed;
};

/* The styles, inline so that the page needs no other file. */
static const char STYLE[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222;background:#fff}"
    "h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;"
    "padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.1em;margin:1.2em 0 .4em}"
    "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}"
    "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.fail td{background:#fde2e2;color:#900;font-weight:600}"
    "tr.pass td{background:#e6f4ea}"
    ".verdict-fail{color:#b00;font-weight:700}.verdict-pass{color:#186a2e;font-weight:700}"
    "svg.plot,svg.topology,svg.bars{display:block;margin:.5em 0 1em;max-width:100%;height:auto}"
    "p.note{color:#555;font-size:.9em;margin:.3em 0}"
    "dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:.5em 0}"
    "dl.meta dt{font-weight:600}dl.meta dd{margin:0}"
    ".marker-label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}";

/* Runs when the page is opened and changes nothing a reader sees: it records, on each picture
 * (svg.plot, and the topology's svg.topology and the breakdown's svg.bars), its rendered size
 * and how many of its .data marks have a non-empty box (data-rendered="WxH K/N"), and on
 * <body> the number of pictures (data-plots). The browser test reads these from the DOM;
 * offline it touches nothing beyond the page itself. */
static const char SELF_CHECK[] =
    "<script>(function(){var s=document.querySelectorAll('svg.plot,svg.topology,svg.bars');"
    "for(var i=0;i<s.length;i++){var b=s[i].getBoundingClientRect();"
    "var d=s[i].querySelectorAll('.data'),k=0;for(var j=0;j<d.length;j++){"
    "var g=d[j].getBBox();if(g.width>0||g.height>0)k++;}"
    "s[i].setAttribute('data-rendered',Math.round(b.width)+'x'+Math.round(b.height)+' '+k+'/'"
    "+d.length);}document.body.setAttribute('data-plots',String(s.length));})();</script>\n";

static const char TAIL[] = "</body>\n</html>\n";

/* Makes room for extra more bytes and the NUL. Returns false (and marks p failed) when out of
 * memory. */
static bool reserve(rh_page *p, size_t extra) {
    if (p->failed)
        return false;
    if (p->len + extra + 1 <= p->cap)
        return true;
    size_t cap = p->cap ? p->cap : 4096;
    while (cap < p->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            p->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *buf = realloc(p->buf, cap);
    if (!buf) {
        p->failed = true;
        return false;
    }
    p->buf = buf;
    p->cap = cap;
    return true;
}

static void append(rh_page *p, const char *s, size_t n) {
    if (!reserve(p, n))
        return;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

static void vraw(rh_page *p, const char *fmt, va_list ap) {
    if (p->failed)
        return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(p->buf + p->len, p->cap - p->len, fmt, copy);
    va_end(copy);
    if (n < 0) {
        p->failed = true;
        return;
    }
    if ((size_t)n >= p->cap - p->len) {
        if (!reserve(p, (size_t)n))
            return;
        vsnprintf(p->buf + p->len, p->cap - p->len, fmt, ap);
    }
    p->len += (size_t)n;
}

void rh_raw(rh_page *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vraw(p, fmt, ap);
    va_end(ap);
}

void rh_escape(rh_page *p, const char *s) {
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        append(p, run, (size_t)(s - run));
        append(p, rep, strlen(rep));
        run = s + 1;
    }
    append(p, run, (size_t)(s - run));
}

void rh_text(rh_page *p, const char *s) { rh_escape(p, s); }

rh_page *rh_page_new(const char *title) {
    rh_page *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    /* Starting with a buffer makes every later vsnprintf have somewhere to write. */
    if (!reserve(p, 0)) {
        free(p);
        return NULL;
    }
    p->buf[0] = '\0';
    rh_raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    rh_text(p, title);
    rh_raw(p, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", STYLE);
    rh_text(p, title);
    rh_raw(p, "</h1>\n");
    if (p->failed) {
        rh_page_free(p);
        return NULL;
    }
    return p;
}

void rh_section_begin(rh_page *p, const char *id, const char *title) {
    rh_raw(p, "<section");
    if (id) {
        rh_raw(p, " id=\"");
        rh_escape(p, id);
        rh_raw(p, "\"");
    }
    rh_raw(p, ">\n<h2>");
    rh_text(p, title);
    rh_raw(p, "</h2>\n");
}

void rh_section_end(rh_page *p) { rh_raw(p, "</section>\n"); }

void rh_table_begin(rh_page *p, const char *const *headers, size_t n) {
    rh_raw(p, "<table>\n<tr>");
    for (size_t i = 0; i < n; i++) {
        rh_raw(p, "<th>");
        rh_text(p, headers[i]);
        rh_raw(p, "</th>");
    }
    rh_raw(p, "</tr>\n");
}

/* Whether s reads as a number (digits, sign, point, exponent, thousands commas, a unit
 * suffix such as "%" or " ms" after it): such cells are right-aligned. */
static bool is_numeric(const char *s) {
    if (!s || !*s)
        return false;
    const char *c = s;
    if (*c == '-' || *c == '+')
        c++;
    if (!(*c >= '0' && *c <= '9'))
        return false;
    while ((*c >= '0' && *c <= '9') || *c == '.' || *c == ',' || *c == 'e' || *c == 'E' ||
           ((*c == '-' || *c == '+') && (c[-1] == 'e' || c[-1] == 'E')))
        c++;
    return *c == '\0' || *c == '%' || *c == ' ';
}

void rh_table_row(rh_page *p, const char *const *cells, size_t n) {
    rh_raw(p, "<tr>");
    for (size_t i = 0; i < n; i++) {
        rh_raw(p, is_numeric(cells[i]) ? "<td class=\"num\">" : "<td>");
        rh_text(p, cells[i]);
        rh_raw(p, "</td>");
    }
    rh_raw(p, "</tr>\n");
}

void rh_table_end(rh_page *p) { rh_raw(p, "</table>\n"); }

bool rh_page_failed(const rh_page *p) { return p->failed; }

void rh_page_fail(rh_page *p) { p->failed = true; }

const char *rh_page_html(rh_page *p) {
    /* The closing script and tags go after the end of the buffer without becoming part of
     * it, so the page can grow further after this call. */
    size_t n = sizeof SELF_CHECK - 1 + sizeof TAIL - 1;
    if (!reserve(p, n))
        return NULL;
    memcpy(p->buf + p->len, SELF_CHECK, sizeof SELF_CHECK - 1);
    memcpy(p->buf + p->len + sizeof SELF_CHECK - 1, TAIL, sizeof TAIL);
    return p->buf;
}

void rh_page_free(rh_page *p) {
    if (!p)
        return;
    free(p->buf);
    free(p);
}
