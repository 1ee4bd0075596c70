// OpenMP's thread count for one scope, for the tests that compare thread counts.
#pragma once

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ref {

// Sets the count passes use (omp_set_num_threads) and restores the previous one at
// the end of the scope. Without OpenMP every pass runs on one thread: this does nothing.
class thread_count {
public:
    explicit thread_count(int threads) {
#if defined(_OPENMP)
        previous_ = omp_get_max_threads();
        omp_set_num_threads(threads);
#else
        (void)threads;
#endif
    }
    ~thread_count() {
#if defined(_OPENMP)
        omp_set_num_threads(previous_);
#endif
    }
    thread_count(const thread_count&) = delete;
    thread_count& operator=(const thread_count&) = delete;

private:
    int previous_ = 1;
};

}  // namespace ref
