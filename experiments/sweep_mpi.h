/* A sweep spread over the ranks of an MPI job (`mpirun -np N dsim sweep ...`): the one module
 * that calls MPI. Two implementations share this header: sweep_mpi.c (Open MPI, built with the
 * meson feature `mpi`) and sweep_mpi_none.c (a build without MPI: every sweep is local), so
 * that sweep.c has no #ifdef. The launcher check (sweep_launch.c) is common to both.
 *
 * The roles: rank 0 owns the folder and hands out runs (exp_mpi_serve); every other rank asks
 * for a run whenever one of its job slots is free and sends back the run's document text
 * (exp_mpi_work), so a slow config never leaves a rank idle while another has a backlog. Only
 * the main thread of a rank talks to MPI, the runs go on its other threads: the thread level
 * is MPI_THREAD_FUNNELED, the least that allows threads at all, so the library needs no locks
 * of its own (MPI_THREAD_MULTIPLE would buy nothing here). */
#ifndef DSIM_EXP_SWEEP_MPI_H
#define DSIM_EXP_SWEEP_MPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* This process's place in an MPI job; NULL stands for a local sweep (one rank) everywhere. */
typedef struct exp_mpi exp_mpi;

/* The number of ranks of the MPI job whose launcher (mpirun, mpiexec) started this process, as
 * its environment says (OMPI_COMM_WORLD_SIZE, PMI_SIZE); 0 when none did. Reads only the
 * environment: MPI itself is not started. */
long exp_mpi_launched(void);

/* Joins the job when the process was launched with more than one rank (MPI_Init_thread with
 * MPI_THREAD_FUNNELED; a plain run or `mpirun -np 1` never starts MPI: it is slow to start
 * and warns in containers) into *out, else sets *out to NULL. Returns 0, or an exit status
 * with the reason on err: 1 when MPI fails to start, 2 when launched by mpirun with several
 * ranks but built without MPI (each rank would run the whole sweep into the same folder). */
int exp_mpi_join(exp_mpi **out, FILE *err);
/* Leaves the job (MPI_Finalize) and frees m; nothing for NULL. */
void exp_mpi_leave(exp_mpi *m);

/* This rank (0 for NULL) and the number of ranks (1 for NULL). */
int exp_mpi_rank(const exp_mpi *m);
int exp_mpi_size(const exp_mpi *m);

/* Rank 0's *v, on every rank. */
void exp_mpi_share_int(exp_mpi *m, int *v);
/* The largest v of all ranks, on every rank. */
int exp_mpi_worst(exp_mpi *m, int v);
/* Rank 0's bytes (*text, *len; *text NULL: none) on every rank: the others get a copy
 * (NUL-terminated, caller frees) or NULL. Returns 0, or -1 on every rank when one is out of
 * memory. */
int exp_mpi_share_text(exp_mpi *m, char **text, size_t *len);

/* Rank 0's side: what it hands out and what it receives, called on the calling thread. */
typedef struct exp_mpi_hub {
    void *ctx;
    /* The next run to do into *run; false when none is left. */
    bool (*next)(void *ctx, uint64_t *run);
    /* A run done on rank `rank`: ok with its document's text, else the reason it failed. */
    void (*landed)(void *ctx, int rank, uint64_t run, bool ok, const char *text);
} exp_mpi_hub;

/* On rank 0: serves every other rank until each has been told that no run is left and has
 * sent back every run it was given. Nothing for NULL. */
void exp_mpi_serve(exp_mpi *m, const exp_mpi_hub *h);

/* Another rank's side: its job slots, fed by the calling thread. */
typedef struct exp_mpi_spoke {
    void *ctx;
    unsigned slots; /* runs this rank does at a time, >= 1 */
    /* A run for this rank's job threads. */
    void (*assign)(void *ctx, uint64_t run);
    /* A run the job threads finished, waiting up to wait_ms for one (forever when
     * wait_ms < 0): its document's text (*ok) or the reason it failed, which the caller frees;
     * NULL when none came. */
    char *(*collect)(void *ctx, int wait_ms, uint64_t *run, bool *ok);
} exp_mpi_spoke;

/* On a rank other than 0: asks rank 0 for runs while a slot is free, gives them to
 * s->assign and sends back what s->collect returns, until rank 0 has no run left and every
 * run given is sent back. Nothing for NULL. */
void exp_mpi_work(exp_mpi *m, const exp_mpi_spoke *s);

/* What this build does with mpirun, for --version: "MPI: Open MPI 4.1.4 (...)" or "MPI: not
 * built in (meson option -Dmpi)". */
const char *exp_mpi_about(void);

#endif
