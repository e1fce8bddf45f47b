/* MSER-5's truncation point (mser.h). One backward pass: going from the last batch to the
 * first, each step adds one batch to the kept set, so the kept mean and sum of squared
 * deviations come from Welford's running update (Welford 1962) rather than from sums of
 * squares, which lose every digit to cancellation when the batch means are large and close. */
#include "mser.h"

exp_mser exp_mser_truncation(const double *x, size_t n) {
    exp_mser best = {0, 0};
    if (n < 2)
        return best;
    double mean = 0, m2 = 0;
    size_t k = 0; /* batches kept: x[d..n-1] */
    for (size_t d = n; d-- > 0;) {
        k++;
        double delta = x[d] - mean;
        mean += delta / (double)k;
        m2 += delta * (x[d] - mean);
        if (k < 2)
            continue; /* d = n - 1 is not a candidate: one batch has no spread */
        double stat = m2 / ((double)k * (double)k);
        /* d decreases, so <= keeps the smallest d among equal values */
        if (k == 2 || stat <= best.statistic)
            best = (exp_mser){d, stat};
    }
    return best;
}

int exp_mser_is_settled(exp_mser m, size_t n) { return 2 * m.d < n; }
