// Runtime instruction-set dispatch.
//
// Every fused kernel is a function template of its xsimd architecture,
// range_kernel<Arch, ...>. The translation unit that calls actdsl::forward(...)
// instantiates it for the architecture it is compiled for (SSE2 on baseline
// x86-64, AVX-512 with -march=native on Zen 4/5). Translation units compiled once
// per instruction set (CMake: actdsl_add_dispatch) instantiate the same kernels
// for AVX-512, AVX2+FMA and SSE4.2 and record them here, keyed by the kernel's
// plan. A call then runs the best recorded kernel the CPU supports, or the
// caller's own when nothing better was recorded. Nothing changes for code that
// records nothing.
//
// Why not xsimd::dispatch: it needs every kernel instantiated for every listed
// architecture, or the program does not link, and a user's activation is only
// known where it is written. Here recording is optional per kernel. The CPU is
// asked through __builtin_cpu_supports, which also checks that the OS saves the
// AVX and AVX-512 registers (xsimd 8.1's cpuid test does not).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace actdsl {

// The instruction sets kernels are dispatched over, worst to best.
enum class instruction_set : int { baseline = 0, sse4_2 = 1, avx2 = 2, avx512 = 3 };

namespace kernels {

inline constexpr std::array<std::string_view, 4> instruction_set_names{"baseline", "sse4.2", "avx2", "avx512"};

// The instruction set an xsimd architecture needs: AVX-512 means F, CD, DQ, BW
// (and VL, which the dispatch objects are compiled with); AVX2 comes with FMA.
template <class Arch>
constexpr instruction_set instruction_set_of() {
    if constexpr (std::is_base_of_v<xsimd::avx512bw, Arch>) return instruction_set::avx512;
    else if constexpr (std::is_base_of_v<xsimd::fma3<xsimd::avx2>, Arch>) return instruction_set::avx2;
    else if constexpr (std::is_base_of_v<xsimd::sse4_2, Arch>) return instruction_set::sse4_2;
    else return instruction_set::baseline;
}

// The architecture a dispatch object records its kernels for.
template <instruction_set S>
struct arch_of {
    using type = void;  // baseline: the caller's own kernel, never recorded
};
template <>
struct arch_of<instruction_set::avx512> {
    using type = xsimd::avx512bw;
};
template <>
struct arch_of<instruction_set::avx2> {
    using type = xsimd::fma3<xsimd::avx2>;
};
template <>
struct arch_of<instruction_set::sse4_2> {
    using type = xsimd::sse4_2;
};

// The table slot a dispatch object records A's kernels into. A is a template
// parameter of the recording function, so the check is made only where one is called.
template <class A>
constexpr std::size_t recording_slot() {
    constexpr instruction_set s = instruction_set_of<A>();
    static_assert(s != instruction_set::baseline && std::is_same_v<A, typename arch_of<s>::type>,
                  "actdsl::dispatch::record (and record_inputs, record_from_output, record_softmax, record_catalog) "
                  "belongs in a file compiled once per instruction set: add it with actdsl_add_dispatch(<target> <file>) in CMake");
    return static_cast<std::size_t>(s);
}

inline bool cpu_supports(instruction_set s) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    switch (s) {
        case instruction_set::avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
        case instruction_set::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case instruction_set::sse4_2: return __builtin_cpu_supports("sse4.2");
        case instruction_set::baseline: return true;
    }
    return false;
#else
    return s == instruction_set::baseline;
#endif
}

inline instruction_set parse_instruction_set(std::string_view name) {
    for (std::size_t k = 0; k < instruction_set_names.size(); ++k)
        if (instruction_set_names[k] == name) return static_cast<instruction_set>(k);
    throw std::invalid_argument("actdsl: unknown instruction set \"" + std::string(name) +
                                "\"; write one of baseline, sse4.2, avx2, avx512");
}

// The best instruction set kernels may use: ACTDSL_ISA from the environment when
// the program starts (e.g. ACTDSL_ISA=avx2), else avx512; set_instruction_set_limit changes it.
inline std::atomic<int>& limit_cell() {
    static std::atomic<int> limit{[] {
        const char* env = std::getenv("ACTDSL_ISA");
        return static_cast<int>(env && *env ? parse_instruction_set(env) : instruction_set::avx512);
    }()};
    return limit;
}

inline instruction_set& last_cell() {
    thread_local instruction_set last = instruction_set::baseline;
    return last;
}

// One fused kernel over elements [begin, end) of contiguous arrays; see engine.hpp.
template <class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R>
using range_kernel_fn = void (*)(const std::array<const T*, NIn>&, const std::array<T*, NOut>&, std::size_t, std::size_t,
                                 const std::array<double, NU>&, std::array<double, R>*);

// The recorded kernels of one plan, one per instruction set (null where none is).
// Constant-initialised, filled while dispatch objects are initialised (before main).
template <class Plan, class Fallback, class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R>
struct kernel_table {
    static inline std::array<range_kernel_fn<T, NIn, NOut, NU, R>, 4> entries{};
};

// The kernel to run: the best recorded one that the CPU supports and the limit
// allows, else `own` (the caller's, for instruction set own_set), which is also
// preferred over a recorded kernel of the same set.
template <class Table, class Fn>
Fn select_kernel(Fn own, instruction_set own_set) {
    const int limit = limit_cell().load(std::memory_order_relaxed);
    for (int s = limit; s >= 0; --s) {
        if (s == static_cast<int>(own_set)) break;
        const auto k = Table::entries[static_cast<std::size_t>(s)];
        if (k != nullptr && cpu_supports(static_cast<instruction_set>(s))) {
            last_cell() = static_cast<instruction_set>(s);
            return k;
        }
    }
    last_cell() = own_set;
    return own;
}

}  // namespace kernels

namespace dispatch {

// The best instruction set of this CPU among those kernels are dispatched over.
inline instruction_set best_supported() {
    for (int s = 3; s > 0; --s)
        if (kernels::cpu_supports(static_cast<instruction_set>(s))) return static_cast<instruction_set>(s);
    return instruction_set::baseline;
}

inline bool supported(instruction_set s) { return kernels::cpu_supports(s); }

// Kernels use at most this instruction set from now on (benchmarks and tests
// compare them this way). A caller compiled for a better set still runs its own
// kernel when no recorded kernel is within the limit.
// A value that is not one of instruction_set's enumerators throws std::invalid_argument
// and leaves the limit as it was.
inline void set_instruction_set_limit(instruction_set s) {
    const int v = static_cast<int>(s);
    if (v < 0 || v >= static_cast<int>(kernels::instruction_set_names.size()))
        throw std::invalid_argument("actdsl::dispatch::set_instruction_set_limit: " + std::to_string(v) +
                                    " is not an instruction set; write one of instruction_set::baseline, sse4_2, "
                                    "avx2, avx512");
    kernels::limit_cell().store(v);
}
inline instruction_set instruction_set_limit() { return static_cast<instruction_set>(kernels::limit_cell().load()); }

// The instruction set of the last kernel this thread ran.
inline instruction_set last_instruction_set() { return kernels::last_cell(); }

inline std::string_view name(instruction_set s) { return kernels::instruction_set_names[static_cast<std::size_t>(s)]; }
inline instruction_set parse(std::string_view name) { return kernels::parse_instruction_set(name); }

}  // namespace dispatch
}  // namespace actdsl
