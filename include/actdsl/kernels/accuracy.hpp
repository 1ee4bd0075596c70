// accuracy(f, params...): how exact the kernels of a user's activation are, measured
// over the whole range of the element type, for the forward pass and for the derivative
// with respect to x and to each bound parameter.
//
//   const auto report = actdsl::accuracy<float>(x * tanh(log(1 + exp(x))));
//   std::puts(report.to_string().c_str());
//
// Points: every 2^16-th float (every 2^48-th double) by bit pattern, of both signs, from
// the smallest subnormal to the largest finite number; a grid of step 1/64 in [-20, 20];
// +-0, +-inf and NaN. The kernels run on them (forward, backward with dy = 1, and the
// parameter derivative's forward pass) and are compared with the same expression
// evaluated in long double (evaluate).
//
// For each pass the report gives the largest error in ULPs of the exact value and where
// it is, and the largest error divided by the condition number |x g'(x) / g(x)| there
// (at least 1, g' by a central difference in long double): an error the rounding of x
// alone would cause counts one conditioned ULP.
// As in docs/accuracy.md, exact values that round to +-inf or lie below the smallest
// normal number only need a finite result; every point where the result is NaN or inf
// and the exact value is finite is reported.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "fused.hpp"

namespace actdsl {

struct accuracy_report {
    struct pass {
        std::string name;                 // "f", "df/dx", "df/dbeta"
        double max_ulps = 0;              // largest error, in ULPs of the exact value
        double max_ulps_at = 0;
        double max_conditioned_ulps = 0;  // largest error / max(1, condition number)
        double max_conditioned_ulps_at = 0;
        double condition_there = 1;       // the condition number at max_conditioned_ulps_at
        std::vector<double> non_finite;   // inputs where the result is NaN or inf, the exact value finite
    };
    std::string type;  // "float" or "double"
    std::size_t points = 0;
    std::vector<pass> passes;

    // Whether every pass holds the bounds (in conditioned ULPs) with no NaN or inf
    // where the exact value is finite. The catalog meets forward 4, derivatives 8.
    bool within(double forward_ulps, double derivative_ulps) const {
        return std::all_of(passes.begin(), passes.end(), [&](const pass& p) {
            return p.non_finite.empty() && p.max_conditioned_ulps <= (&p == &passes.front() ? forward_ulps : derivative_ulps);
        });
    }

    std::string to_string() const {
        std::string out = type + ", " + std::to_string(points) + " points\n";
        char line[256];
        std::snprintf(line, sizeof line, "%-12s %12s %14s %14s %14s %11s\n", "pass", "max ULPs", "at x", "conditioned", "at x",
                      "non-finite");
        out += line;
        for (const auto& p : passes) {
            std::snprintf(line, sizeof line, "%-12s %12.3g %14.7g %14.3g %14.7g %11zu\n", p.name.c_str(), p.max_ulps, p.max_ulps_at,
                          p.max_conditioned_ulps, p.max_conditioned_ulps_at, p.non_finite.size());
            out += line;
        }
        for (const auto& p : passes)
            if (!p.non_finite.empty()) {
                out += p.name + " is NaN or inf where the exact value is finite, e.g. at x =";
                for (std::size_t k = 0; k < std::min<std::size_t>(p.non_finite.size(), 8); ++k) {
                    std::snprintf(line, sizeof line, " %.9g", p.non_finite[k]);
                    out += line;
                }
                out += '\n';
            }
        return out;
    }
};

namespace accuracy_detail {

using real = long double;

// The bit patterns of the sweep, then the grid and the special values.
template <class T>
std::vector<T> points() {
    using bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    constexpr int shift = sizeof(T) == 4 ? 16 : 48;
    const T largest = std::numeric_limits<T>::max();
    bits_t last;
    std::memcpy(&last, &largest, sizeof last);
    std::vector<T> v;
    for (bits_t b = 1; b <= last && b != 0; b = static_cast<bits_t>(b + (bits_t{1} << shift))) {
        T t;
        std::memcpy(&t, &b, sizeof t);
        v.push_back(t);
        v.push_back(-t);
    }
    for (int k = -20 * 64; k <= 20 * 64; ++k) v.push_back(static_cast<T>(k) / 64);
    const T inf = std::numeric_limits<T>::infinity();
    for (const T s : {T(0), -T(0), largest, -largest, inf, -inf, std::numeric_limits<T>::quiet_NaN()}) v.push_back(s);
    return v;
}

// The spacing of T at r.
template <class T>
real ulp(real r) {
    const real a = std::fabs(r);
    if (a < std::numeric_limits<T>::min()) return std::numeric_limits<T>::denorm_min();
    return std::ldexp(real(1), std::ilogb(a) - std::numeric_limits<T>::digits + 1);
}

// |x g'(x) / g(x)|, at least 1, with g' a central difference of g in long double.
inline real condition(const std::function<real(real)>& g, real x, real v) {
    if (x == 0 || v == 0 || !std::isfinite(x)) return 1;
    const real h = std::fabs(x) * 1e-9L;
    const real k = std::fabs(x * (g(x + h) - g(x - h)) / (2 * h) / v);
    return std::isfinite(k) ? std::max<real>(k, 1) : 1;
}

// The pass named `name`: got(i) the kernel's result at xs[i], exact its long double value.
template <class T, class Got>
accuracy_report::pass measure(std::string name, const std::vector<T>& xs, const Got& got, const std::function<real(real)>& exact) {
    accuracy_report::pass p;
    p.name = std::move(name);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const real x = xs[i], e = exact(x);
        if (std::isnan(e)) continue;  // outside the domain: any result
        const T rounded = static_cast<T>(e);
        if (!std::isfinite(got(i))) {
            if (std::isinf(rounded) && got(i) == rounded) continue;
            p.non_finite.push_back(static_cast<double>(xs[i]));
            continue;
        }
        if (std::isinf(rounded) || std::fabs(e) < std::numeric_limits<T>::min()) continue;
        const real err = std::fabs(static_cast<real>(got(i)) - e) / ulp<T>(e);
        if (err > p.max_ulps) p.max_ulps = static_cast<double>(err), p.max_ulps_at = static_cast<double>(x);
        if (err <= p.max_conditioned_ulps) continue;  // the condition number only lowers it
        const real k = condition(exact, x, e);
        const real c = err / k;
        if (c > p.max_conditioned_ulps) {
            p.max_conditioned_ulps = static_cast<double>(c);
            p.max_conditioned_ulps_at = static_cast<double>(x);
            p.condition_there = static_cast<double>(k);
        }
    }
    return p;
}

template <class T, class F, class P, class... B>
accuracy_report::pass parameter_pass(const F& f, P p, const std::vector<T>& xs, const xt::xtensor<T, 1>& in, const B&... params) {
    const auto d = derivative(f, p);
    xt::xtensor<T, 1> got = xt::zeros<T>({xs.size()});
    forward(d, in, got, params...);
    return measure<T>("df/d" + std::string(P::name), xs, got, [&](real t) { return evaluate(d, t, params...); });
}

}  // namespace accuracy_detail

// The report for f with its parameters bound, in T (float or double), against the long
// double evaluation of f and its derivatives.
template <std::floating_point T = float, expression F, parameter_value... B>
accuracy_report accuracy(const F& f, const B&... params) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "actdsl::accuracy<T>: T is float or double, the kernels' types");
    using namespace accuracy_detail;
    const std::vector<T> xs = points<T>();
    const xt::xtensor<T, 1> in = xt::adapt(xs, {xs.size()});
    xt::xtensor<T, 1> y = xt::zeros<T>({xs.size()}), dx = y;
    const xt::xtensor<T, 1> ones = xt::ones<T>({xs.size()});
    forward(f, in, y, params...);
    backward(f, in, ones, dx, params...);
    const auto v = evaluation::sole_variable<F>{};
    const auto df = derivative(f, v);
    accuracy_report r;
    r.type = std::is_same_v<T, float> ? "float" : "double";
    r.points = xs.size();
    r.passes.push_back(measure<T>("f", xs, y, [&](real t) { return evaluate(f, t, params...); }));
    r.passes.push_back(measure<T>("df/d" + std::string(decltype(v)::name), xs, dx, [&](real t) { return evaluate(df, t, params...); }));
    (r.passes.push_back(parameter_pass<T>(f, kernels::parameter_of(params), xs, in, params...)), ...);
    return r;
}

}  // namespace actdsl
