/* The `dsim report` subcommand (contract §8.5): its arguments, checked as errors of the
 * argument (`ARG: error: MESSAGE`, exit 2); reports/html/report.h builds the page; the page is
 * written to -o OUT atomically (as `dsim run --json`), or not at all on any error. */
#ifndef DSIM_REPORT_CMD_H
#define DSIM_REPORT_CMD_H

#include "html/page.h"

/* Runs `dsim report INPUT... -o OUT`: argv[0] is "report". Returns the exit status. */
int dsim_report_command(int argc, char **argv);

/* Writes page to out (- : stdout) atomically, as every report is written. Returns 0, or 1
 * with the reason printed (out of memory, the file could not be written). */
int dsim_report_write(const char *out, rh_page *page);

#endif
