/* Where dsim's output goes: the result document to a file (written whole or not at all), and
 * the checks that nothing written to stdout was lost (a full disk, a closed pipe, /dev/full),
 * so that dsim never exits 0 having lost its output. Messages go to stderr as "dsim: ...". */
#ifndef DSIM_OUTPUT_H
#define DSIM_OUTPUT_H

/* Checks before a run that a result can be written to path, so that a long run is not lost
 * to a typo in the output path. Returns 0, or -1 with a message printed. */
int dsim_output_check(const char *path);
/* Writes text to path. A regular file (or a new name) is written through a temporary file in
 * the same directory and a rename, so a reader never sees half a document and a failed write
 * leaves nothing behind (a symbolic link is followed: its target is replaced and the link
 * stays a link); anything else (a device such as /dev/null, a FIFO, a socket) is
 * written to directly, never replaced. Returns 0, or -1 with a message printed. */
int dsim_output_write(const char *path, const char *text);
/* Writes text to stdout and flushes it. Returns 0, or -1 with a message printed. */
int dsim_output_stdout(const char *text);
/* Flushes stdout and reports whether anything written to it since the start was lost.
 * Returns 0, or -1 with a message printed. */
int dsim_output_flush_stdout(void);

#endif
