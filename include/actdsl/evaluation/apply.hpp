// apply(op, args...): one operation of the expression language on one value type. The
// value type T is float, double, long double or an xsimd batch of float or double, so
// the same code serves the scalar reference, the SIMD body and its tail. Arithmetic and
// comparisons are written here; transcendental functions come from the math layer.
#pragma once

#include <cmath>
#include <type_traits>

#include "../expression/nodes.hpp"
#include "../math/math.hpp"

namespace actdsl::evaluation {

using math::select;

template <class T> ACTDSL_INLINE T apply(ops::add, const T& a, const T& b) { return a + b; }
template <class T> ACTDSL_INLINE T apply(ops::sub, const T& a, const T& b) { return a - b; }
template <class T> ACTDSL_INLINE T apply(ops::mul, const T& a, const T& b) { return a * b; }
template <class T> ACTDSL_INLINE T apply(ops::div, const T& a, const T& b) { return a / b; }
template <class T> ACTDSL_INLINE T apply(ops::neg, const T& a) { return -a; }

template <int N, class T>
ACTDSL_INLINE T apply(ops::pow<N>, const T& a) {
    if constexpr (N < 0) return T(1) / apply(ops::pow<-N>{}, a);
    else if constexpr (N == 0) return T(1);
    else if constexpr (N == 1) return a;
    else {  // square and multiply: pow<3> is a*a*a, pow<4> is (a*a)*(a*a)
        const T h = apply(ops::pow<N / 2>{}, a);
        if constexpr (N % 2 == 0) return h * h;
        else return h * h * a;
    }
}

// Scalars take <cmath>; batches find xsimd's overloads by argument-dependent lookup.
#define ACTDSL_MATH_FUNCTION(fname)                 \
    template <class T>                              \
    ACTDSL_INLINE T apply(ops::fname, const T& a) { \
        using std::fname;                           \
        return fname(a);                            \
    }
ACTDSL_MATH_FUNCTION(log)
ACTDSL_MATH_FUNCTION(sqrt)
ACTDSL_MATH_FUNCTION(sin)
ACTDSL_MATH_FUNCTION(cos)
ACTDSL_MATH_FUNCTION(abs)
#undef ACTDSL_MATH_FUNCTION

template <class T> ACTDSL_INLINE T apply(ops::exp, const T& a) { return math::exp(a); }
template <class T> ACTDSL_INLINE T apply(ops::exp_flushing, const T& a) { return math::exp_flushing(a); }
template <class T> ACTDSL_INLINE T apply(ops::expm1, const T& a) { return math::expm1(a); }
template <class T> ACTDSL_INLINE T apply(ops::log1p, const T& a) { return math::log1p(a); }
template <class T> ACTDSL_INLINE T apply(ops::log1p_unit, const T& a) { return math::log1p_unit(a); }
template <class T> ACTDSL_INLINE T apply(ops::tanh, const T& a) { return math::tanh(a); }
template <class T> ACTDSL_INLINE T apply(ops::erf, const T& a) { return math::erf(a); }
template <class T> ACTDSL_INLINE T apply(ops::erfc, const T& a) { return math::erfc(a); }
template <class T> ACTDSL_INLINE T apply(ops::tanhshrink, const T& a) { return math::tanhshrink(a); }

// sign(a): -1, 0 or 1; NaN stays NaN.
template <class T>
ACTDSL_INLINE T apply(ops::sign, const T& a) {
    const T one(1), zero(0);
    return select(a > zero, one, select(a < zero, -one, a));
}

template <class M, class T>
ACTDSL_INLINE T apply(ops::where, const M& cond, const T& a, const T& b) { return select(cond, a, b); }

template <class T> ACTDSL_INLINE auto apply(ops::equal, const T& a, const T& b) { return a == b; }
template <class T> ACTDSL_INLINE auto apply(ops::less, const T& a, const T& b) { return a < b; }
template <class T> ACTDSL_INLINE auto apply(ops::less_equal, const T& a, const T& b) { return a <= b; }
template <class T> ACTDSL_INLINE auto apply(ops::greater, const T& a, const T& b) { return a > b; }
template <class T> ACTDSL_INLINE auto apply(ops::greater_equal, const T& a, const T& b) { return a >= b; }
template <class M> ACTDSL_INLINE M apply(ops::logical_and, const M& a, const M& b) {
    if constexpr (std::is_same_v<M, bool>) return a && b;
    else return a & b;
}
template <class M> ACTDSL_INLINE M apply(ops::logical_or, const M& a, const M& b) {
    if constexpr (std::is_same_v<M, bool>) return a || b;
    else return a | b;
}

// max and min propagate a NaN from either operand, as torch.maximum does.
template <class T>
ACTDSL_INLINE T apply(ops::max, const T& a, const T& b) {
    return select(apply(ops::logical_or{}, a < b, math::is_nan(b)), b, a);
}
template <class T>
ACTDSL_INLINE T apply(ops::min, const T& a, const T& b) {
    return select(apply(ops::logical_or{}, b < a, math::is_nan(b)), b, a);
}

}  // namespace actdsl::evaluation
