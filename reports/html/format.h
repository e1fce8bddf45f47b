/* How the report prints numbers and reads the numbers of a document: one fixed format so that
 * the same documents give byte-identical pages (dsim report, contract §8.5). */
#ifndef DSIM_RH_FORMAT_H
#define DSIM_RH_FORMAT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Writes v into buf: a whole number with thousands commas ("19,103"); a real one with 4
 * significant digits ("459.4", "0.01537"), with commas and no decimals from 10,000 up; "–"
 * for a value that is not finite. */
void rh_fmt_num(char *buf, size_t len, double v);
/* The number at the dotted path of doc (each dot one level: no key of its own holding
 * dots), or NaN when there is none. */
double rh_num_at(const cJSON *doc, const char *path);
/* obj when it is an object, else NULL: iterating over the result (cJSON_ArrayForEach) visits
 * nothing for anything but an object. */
const cJSON *rh_object(const cJSON *obj);
/* The same for a list. */
const cJSON *rh_list(const cJSON *list);
/* The object member key of obj, or NULL (a shorthand for cJSON_GetObjectItemCaseSensitive). */
const cJSON *rh_get(const cJSON *obj, const char *key);
/* The seeds of a list in buf: "1..10 (10)" for a run of more than two consecutive seeds, else
 * the seeds listed ("1, 5, 9"), cut at size. */
void rh_seeds_text(const cJSON *seeds, char *buf, size_t size);

#endif
