// libFuzzer target: the catalog's elementwise kernels against the long double evaluation
// of the same expressions (evaluate), on inputs the fuzzer chooses.
//
// Input bytes: the first picks the catalog example (catalog/list.hpp), the second the
// element type (bit 0: double) and how the rest reads (bit 1: kink mode). Raw mode: the
// rest is the inputs' bit patterns, 4 or 8 bytes each. Kink mode: two bytes an input,
// a point where activations change form (0, +-1, +-3, 6, 20, the exp and sigmoid
// thresholds, the largest finite value, ...) and a distance of -128 .. 127 ULPs from it.
// At most 64 inputs.
//
// For each input the kernels must
//   - hold the catalog's bounds against the long double reference (tests/catalog_bounds.hpp:
//     forward 4 and the derivative, backward with dy = 1, 8 conditioned ULPs, GELU
//     tanh's 9; kernels/accuracy.hpp's measure), and no NaN or inf where the exact
//     value is finite;
//   - give forward_backward's y and dx the same bits as forward and backward;
//   - give the same bits for the same input alone in an array of one (no dependence on
//     SIMD neighbours), and through strided views (input stride 3, outputs stride 2,
//     reversed);
//   - give backward_from_output, where the example has one, within 4 conditioned ULPs of
//     its derivative in terms of y evaluated at the kernel's y.
// A failure prints the example, the input and what differs, and aborts: libFuzzer keeps
// the input as a crash-* file to replay (run the binary with the file as argument).
//
//   scripts/test.sh --sanitize runs it for 60 s; longer, from build/sanitize:
//   tests/actdsl_fuzz_elementwise -max_total_time=1800 -dict=../../tests/fuzz/elementwise.dict \
//       corpus ../../tests/fuzz/elementwise_corpus
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/list.hpp>
#include <actdsl/kernels/accuracy.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "../catalog_bounds.hpp"

namespace {

using real = long double;
constexpr std::size_t max_inputs = 64;

template <class T>
using bits_of = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
bits_of<T> bits(T v) {
    bits_of<T> b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

template <class T>
[[noreturn]] void fail(std::string_view function, const char* what, T x, T got, T want) {
    std::fprintf(stderr, "%.*s(%s): %s at x = %.17g (0x%llx): %.17g, expected %.17g\n", static_cast<int>(function.size()),
                 function.data(), sizeof(T) == 4 ? "float" : "double", what, static_cast<double>(x),
                 static_cast<unsigned long long>(bits(x)), static_cast<double>(got), static_cast<double>(want));
    std::abort();
}

// Where the catalog's activations change form, in either type.
constexpr double kinks[] = {0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 6.0, 20.0, -20.0, 15.9423847, -15.9423847,
                            80.0, -80.0, 88.7228394, -87.3365479, -103.972076, 700.0, -700.0, 709.782712893384,
                            -708.396418532264, -745.133219101941, 1e-20, -1e-20, 3.4028234663852886e38,
                            -3.4028234663852886e38, 1.7976931348623157e308, -1.7976931348623157e308};

template <class T>
std::vector<T> inputs(const std::uint8_t* data, std::size_t size, bool kink_mode) {
    std::vector<T> xs;
    if (kink_mode) {
        for (std::size_t i = 0; i + 2 <= size && xs.size() < max_inputs; i += 2) {
            T v = static_cast<T>(kinks[data[i] % std::size(kinks)]);
            const int steps = static_cast<int>(static_cast<std::int8_t>(data[i + 1]));
            const T toward = steps < 0 ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
            for (int k = 0; k < std::abs(steps); ++k) v = std::nextafter(v, toward);
            xs.push_back(v);
        }
    } else {
        for (std::size_t i = 0; i + sizeof(T) <= size && xs.size() < max_inputs; i += sizeof(T)) {
            T v;
            std::memcpy(&v, data + i, sizeof v);
            xs.push_back(v);
        }
    }
    return xs;
}

// Same bits, or both NaN (a NaN's payload is not part of the contract).
template <class T>
bool same(T a, T b) {
    return bits(a) == bits(b) || (std::isnan(a) && std::isnan(b));
}

template <class T>
void check_bound(std::string_view function, const char* pass, const std::vector<T>& xs, const xt::xtensor<T, 1>& got,
                 const std::function<real(real)>& exact, double bound) {
    const auto p = actdsl::accuracy_detail::measure<T>(pass, xs, got, exact);
    if (!p.non_finite.empty()) {
        const T x = static_cast<T>(p.non_finite.front());
        std::size_t i = 0;
        while (!same(xs[i], x)) ++i;
        fail<T>(function, (std::string(pass) + ": NaN or inf where the exact value is finite").c_str(), x, got(i),
                static_cast<T>(exact(x)));
    }
    if (p.max_conditioned_ulps > bound) {
        const T x = static_cast<T>(p.max_conditioned_ulps_at);
        std::fprintf(stderr, "%s: %.3g conditioned ULPs (condition number %.3g), over the bound %g\n", pass, p.max_conditioned_ulps,
                     p.condition_there, bound);
        std::size_t i = 0;
        while (i + 1 < xs.size() && !same(xs[i], x)) ++i;
        fail<T>(function, pass, x, got(i), static_cast<T>(exact(x)));
    }
}

template <class T, class Example>
void run(const Example& ex, const std::vector<T>& xs) {
    const auto f = ex.make();
    const auto df = actdsl::derivative(f, actdsl::x);
    const std::size_t n = xs.size();
    xt::xtensor<T, 1> x = xt::zeros<T>({n});
    for (std::size_t i = 0; i < n; ++i) x(i) = xs[i];
    const xt::xtensor<T, 1> ones = xt::ones<T>({n});
    xt::xtensor<T, 1> y = xt::zeros<T>({n}), dx = y, y2 = y, dx2 = y;
    actdsl::forward(f, x, y);
    actdsl::backward(f, x, ones, dx);
    actdsl::forward_backward(f, x, ones, y2, dx2);

    check_bound<T>(ex.function, "f", xs, y, [&](real t) { return actdsl::evaluate(f, t); }, ref::forward_bound(ex.function));
    check_bound<T>(ex.function, "df/dx", xs, dx, [&](real t) { return actdsl::evaluate(df, t); }, ref::derivative_bound(ex.function));
    for (std::size_t i = 0; i < n; ++i) {
        if (!same(y2(i), y(i))) fail<T>(ex.function, "forward_backward's y differs from forward's", xs[i], y2(i), y(i));
        if (!same(dx2(i), dx(i))) fail<T>(ex.function, "forward_backward's dx differs from backward's", xs[i], dx2(i), dx(i));
    }

    // Each input alone: its SIMD neighbours (zeros of the padding) must not matter.
    for (std::size_t i = 0; i < n; ++i) {
        xt::xtensor<T, 1> a = {xs[i]}, ya = xt::zeros<T>({1}), da = ya;
        const xt::xtensor<T, 1> one = {T(1)};
        actdsl::forward(f, a, ya);
        actdsl::backward(f, a, one, da);
        if (!same(ya(0), y(i))) fail<T>(ex.function, "forward of the input alone differs", xs[i], ya(0), y(i));
        if (!same(da(0), dx(i))) fail<T>(ex.function, "backward of the input alone differs", xs[i], da(0), dx(i));
    }

    // Strided views: input every third element, outputs every second; then reversed.
    {
        using xt::placeholders::_;
        xt::xtensor<T, 1> xb = xt::zeros<T>({3 * n}), yb = xt::zeros<T>({2 * n}), db = yb, ob = xt::ones<T>({2 * n});
        auto xv = xt::view(xb, xt::range(_, _, 3));
        auto yv = xt::view(yb, xt::range(_, _, 2));
        auto dv = xt::view(db, xt::range(_, _, 2));
        const auto ov = xt::view(ob, xt::range(_, _, 2));
        xv = x;
        actdsl::forward_backward(f, xv, ov, yv, dv);
        for (std::size_t i = 0; i < n; ++i) {
            if (!same(yv(i), y(i))) fail<T>(ex.function, "forward through strided views differs", xs[i], yv(i), y(i));
            if (!same(dv(i), dx(i))) fail<T>(ex.function, "backward through strided views differs", xs[i], dv(i), dx(i));
        }
        xt::xtensor<T, 1> yr = xt::zeros<T>({n});
        auto xr = xt::view(x, xt::range(_, _, -1));
        actdsl::forward(f, xr, yr);
        for (std::size_t i = 0; i < n; ++i)
            if (!same(yr(n - 1 - i), y(i))) fail<T>(ex.function, "forward of the reversed input differs", xs[i], yr(n - 1 - i), y(i));
    }

    if constexpr (Example::has_from_output) {
        // dy * g(y): against g evaluated in long double at the kernel's own y, whose
        // rounding the form cannot undo (1 - y near y = 1, as PyTorch's).
        const auto g = ex.from_output();
        xt::xtensor<T, 1> dxo = xt::zeros<T>({n});
        actdsl::backward_from_output(g, y, ones, dxo);
        check_bound<T>(ex.function, "g(y)", std::vector<T>(y.begin(), y.end()), dxo, [&](real t) { return actdsl::evaluate(g, t); }, 4);
    }
}

std::size_t example_count() {
    std::size_t n = 0;
    actdsl::catalog::for_each_example([&](const auto&, const auto&) { ++n; });
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::size_t examples = example_count();
    if (size < 3) return 0;
    const std::size_t chosen = data[0] % examples;
    const bool is_double = data[1] & 1, kink_mode = data[1] & 2;
    std::size_t k = 0;
    actdsl::catalog::for_each_example([&](const auto&, const auto& ex) {
        if (k++ != chosen) return;
        if (is_double) {
            const auto xs = inputs<double>(data + 2, size - 2, kink_mode);
            if (!xs.empty()) run<double>(ex, xs);
        } else {
            const auto xs = inputs<float>(data + 2, size - 2, kink_mode);
            if (!xs.empty()) run<float>(ex, xs);
        }
    });
    return 0;
}
