/* Whether an MPI launcher started this process (sweep_mpi.h), from the environment alone. */
#include "sweep_mpi.h"

#include <stdlib.h>

long exp_mpi_launched(void) {
    /* Open MPI's mpirun, then the PMI launchers (MPICH's hydra, Slurm's srun --mpi=pmi2). */
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        char *end;
        long n = v ? strtol(v, &end, 10) : 0;
        if (v && *v && !*end && n > 0)
            return n;
    }
    return 0;
}
