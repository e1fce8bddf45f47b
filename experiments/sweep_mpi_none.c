/* A build without MPI (sweep_mpi.h): every sweep is local, and a launch by mpirun with several
 * ranks is refused rather than run once per rank into the same folder. */
#include "sweep_mpi.h"

int exp_mpi_join(exp_mpi **out, FILE *err) {
    *out = NULL;
    long n = exp_mpi_launched();
    if (n <= 1)
        return 0;
    fprintf(err,
            "dsim: sweep: error: started by mpirun with %ld ranks, but this dsim is built without "
            "MPI: each rank would run the whole sweep; run dsim sweep alone, or build dsim with "
            "Open MPI (libopenmpi-dev, meson option -Dmpi=enabled)\n",
            n);
    return 2;
}

void exp_mpi_leave(exp_mpi *m) { (void)m; }
int exp_mpi_rank(const exp_mpi *m) { return (void)m, 0; }
int exp_mpi_size(const exp_mpi *m) { return (void)m, 1; }
void exp_mpi_share_int(exp_mpi *m, int *v) { (void)m, (void)v; }
int exp_mpi_worst(exp_mpi *m, int v) { return (void)m, v; }
int exp_mpi_share_text(exp_mpi *m, char **text, size_t *len) {
    return (void)m, (void)text, (void)len, 0;
}
void exp_mpi_serve(exp_mpi *m, const exp_mpi_hub *h) { (void)m, (void)h; }
void exp_mpi_work(exp_mpi *m, const exp_mpi_spoke *s) { (void)m, (void)s; }
const char *exp_mpi_about(void) { return "MPI: not built in (meson option -Dmpi)"; }
