/* A sweep folder's record of what made it, DIR/sweep.json (contract §8.3: a folder made from a
 * different topology or other options is refused): the topology's content (its size and a
 * 64-bit FNV-1a hash of its bytes, so a renamed or moved copy of the same file is the same
 * topology and an edited one is not), the --set overrides, the --vary axes, the seeds, the
 * --precision rule when there is one, and the dsim version that wrote the run documents. --jobs is
 * not recorded: it changes no result. */
#ifndef DSIM_EXP_SWEEP_FOLDER_H
#define DSIM_EXP_SWEEP_FOLDER_H

#include "sweep.h"

/* Makes o->dir and o->dir/runs when missing and writes sweep.json, or checks that the one
 * there matches. text (len bytes) is the topology file's content. Returns 0, or -1 with the
 * reason on o->err: a difference ("DIR was made with other --set options: ..."), a folder that
 * is not a sweep's (not empty and no sweep.json), or an error of the file system. */
int exp_sweep_folder_open(const exp_sweep_options *o, const char *text, size_t len);

#endif
