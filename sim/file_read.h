/* Reading a whole file into memory: the one reader of the commands' input files (result
 * documents, sweep folders, topologies), bounded so that a stray huge file or an endless
 * device (/dev/zero) cannot make dsim allocate without end. */
#ifndef SIM_FILE_READ_H
#define SIM_FILE_READ_H

#include <stddef.h>

/* A result document is at most this large: far above any run's (100,000 instances make some
 * tens of MB), and a bound on what a stray file can make the reader allocate. */
#define SIM_MAX_DOC_BYTES ((size_t)1 << 30)

/* The whole content of the file at path, NUL-terminated (caller frees), its length in *len
 * when len is not NULL. NULL with errno on failure: fopen's errno, fread's (or EIO) for a read
 * error, ENOMEM when out of memory, EFBIG when the file holds more than max_bytes bytes (at most
 * max_bytes + 1 are read to tell). */
char *sim_read_file(const char *path, size_t max_bytes, size_t *len);

#endif
