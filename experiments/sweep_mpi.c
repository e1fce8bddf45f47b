/* A sweep over the ranks of an MPI job, with Open MPI (sweep_mpi.h). Every call to MPI is in
 * this file. The messages, all on MPI_COMM_WORLD:
 *   TAG_ASK   rank r -> 0, empty: r has a free job slot;
 *   TAG_RUN   0 -> r, one uint64: the run to do, or NO_RUN when none is left (then r asks no
 *             more);
 *   TAG_DONE  r -> 0, bytes: the run (8 bytes, little or big endian as the machine's, all
 *             ranks being one binary on one architecture), 1 byte ok, then the document's
 *             text or the reason it failed.
 * Waiting polls (MPI_Iprobe, MPI_Test) with a 1 ms nap between tries instead of blocking in
 * MPI: Open MPI's blocking calls spin on a core, which would take it from the rank's own runs. */
#include "sweep_mpi.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct exp_mpi {
    int rank, size;
};

enum { TAG_ASK = 1, TAG_RUN = 2, TAG_DONE = 3 };
#define NO_RUN UINT64_MAX
#define HEAD 9 /* the run and ok in front of a TAG_DONE message */

static void nap(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

int exp_mpi_join(exp_mpi **out, FILE *err) {
    *out = NULL;
    if (exp_mpi_launched() <= 1)
        return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(err, "dsim: sweep: MPI could not be started\n");
        return 1;
    }
    exp_mpi *m = malloc(sizeof *m);
    if (provided < MPI_THREAD_FUNNELED || !m) {
        fprintf(err, "dsim: sweep: %s\n",
                m ? "this MPI library does not allow threads (MPI_THREAD_FUNNELED)"
                  : "out of memory");
        free(m);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    *out = m;
    return 0;
}

void exp_mpi_leave(exp_mpi *m) {
    if (!m)
        return;
    MPI_Finalize();
    free(m);
}

int exp_mpi_rank(const exp_mpi *m) { return m ? m->rank : 0; }
int exp_mpi_size(const exp_mpi *m) { return m ? m->size : 1; }

void exp_mpi_share_int(exp_mpi *m, int *v) {
    if (m)
        MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

int exp_mpi_worst(exp_mpi *m, int v) {
    int w = v;
    if (m)
        MPI_Allreduce(&v, &w, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return w;
}

int exp_mpi_share_text(exp_mpi *m, char **text, size_t *len) {
    if (!m)
        return 0;
    /* The length first (UINT64_MAX: none), then the bytes in pieces MPI's int counts hold. */
    uint64_t n = m->rank == 0 ? (*text ? (uint64_t)*len : UINT64_MAX) : 0;
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (m->rank != 0) {
        *text = NULL;
        *len = 0;
    }
    if (n == UINT64_MAX)
        return 0;
    char *buf = m->rank == 0 ? *text : malloc((size_t)n + 1);
    int have = buf != NULL, all = 0;
    MPI_Allreduce(&have, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all) {
        if (m->rank != 0)
            free(buf);
        return -1;
    }
    for (uint64_t at = 0; at < n;) {
        int piece = n - at > (1u << 30) ? 1 << 30 : (int)(n - at);
        MPI_Bcast(buf + at, piece, MPI_BYTE, 0, MPI_COMM_WORLD);
        at += (uint64_t)piece;
    }
    if (m->rank != 0) {
        buf[n] = '\0';
        *text = buf;
        *len = (size_t)n;
    }
    return 0;
}

void exp_mpi_serve(exp_mpi *m, const exp_mpi_hub *h) {
    if (!m)
        return;
    int asking = m->size - 1; /* ranks not yet told that no run is left */
    size_t away = 0;          /* runs given out and not yet back */
    char *buf = NULL;
    size_t cap = 0;
    while (asking > 0 || away > 0) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nap();
            continue;
        }
        int n = 0;
        MPI_Get_count(&st, MPI_BYTE, &n);
        if ((size_t)n + 1 > cap) {
            char *p = realloc(buf, (size_t)n + 1);
            if (!p) {
                fprintf(stderr, "dsim: sweep: out of memory for a run's document\n");
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            buf = p;
            cap = (size_t)n + 1;
        }
        MPI_Recv(buf, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == TAG_ASK) {
            uint64_t run;
            if (h->next(h->ctx, &run)) {
                away++;
            } else {
                run = NO_RUN;
                asking--;
            }
            MPI_Send(&run, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_RUN, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == TAG_DONE && n >= HEAD) {
            uint64_t run;
            memcpy(&run, buf, sizeof run);
            buf[n] = '\0';
            h->landed(h->ctx, st.MPI_SOURCE, run, buf[8] != 0, buf + HEAD);
            away--;
        }
    }
    free(buf);
}

/* Sends a finished run back to rank 0. */
static void send_done(uint64_t run, bool ok, const char *text) {
    size_t len = strlen(text);
    char *msg = malloc(HEAD + len);
    if (!msg || len > (size_t)(1u << 31) - HEAD - 1) {
        fprintf(stderr, "dsim: sweep: out of memory, or a document too large for a message\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
        return;
    }
    memcpy(msg, &run, sizeof run);
    msg[8] = ok;
    memcpy(msg + HEAD, text, len);
    MPI_Send(msg, (int)(HEAD + len), MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
    free(msg);
}

void exp_mpi_work(exp_mpi *m, const exp_mpi_spoke *s) {
    if (!m)
        return;
    if (s->slots == 0) { /* no job thread: nothing could ever be sent back */
        fprintf(stderr, "dsim: sweep: rank %d could start no job\n", m->rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    unsigned held = 0; /* runs given to this rank and not yet sent back */
    bool asked = false, over = false;
    uint64_t got = 0;
    MPI_Request req = MPI_REQUEST_NULL;
    for (;;) {
        if (!over && !asked && held < s->slots) {
            MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_ASK, MPI_COMM_WORLD);
            MPI_Irecv(&got, 1, MPI_UINT64_T, 0, TAG_RUN, MPI_COMM_WORLD, &req);
            asked = true;
        }
        bool moved = false;
        if (asked) {
            int flag = 0;
            MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
            if (flag) {
                asked = false;
                moved = true;
                if (got == NO_RUN) {
                    over = true;
                } else {
                    s->assign(s->ctx, got);
                    held++;
                }
            }
        }
        if (over && held == 0)
            break;
        /* Waiting for an answer from rank 0 polls; waiting only for the job threads blocks
         * (one of them is bound to finish: held > 0). */
        int wait = moved ? 0 : asked ? 1 : -1;
        uint64_t run;
        bool ok;
        char *text;
        while ((text = s->collect(s->ctx, wait, &run, &ok))) {
            send_done(run, ok, text);
            free(text);
            held--;
            wait = 0;
        }
    }
}

#define STR_(x) #x
#define STR(x) STR_(x)

const char *exp_mpi_about(void) {
#if defined(OMPI_MAJOR_VERSION)
    return "MPI: Open MPI " STR(OMPI_MAJOR_VERSION) "." STR(OMPI_MINOR_VERSION) "." STR(
        OMPI_RELEASE_VERSION) " (mpirun -np N dsim sweep ... spreads the runs over N ranks)";
#else
    return "MPI: MPI " STR(MPI_VERSION) " (mpirun -np N dsim sweep ... spreads the runs over N "
                                        "ranks)";
#endif
}
