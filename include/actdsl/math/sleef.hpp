// SLEEF's vector erf and erfc (Debian: libsleef-dev), one entry point per instruction
// set: erf within 1.0 ULP, erfc within 1.5 (SLEEF's documented bounds, u10 and u15).
// Architectures SLEEF has no entry for go lane by lane through <cmath>.
#pragma once

#include <sleef.h>

#include "common.hpp"

namespace actdsl::math::detail {

#define ACTDSL_SLEEF_DISPATCH(fn, ulp)                                                   \
    template <class T>                                                                   \
    ACTDSL_INLINE T sleef_##fn(const T& a) {                                             \
        using A = typename T::arch_type;                                                 \
        constexpr bool is_float = std::is_same_v<element_t<T>, float>;                   \
        if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {                            \
            if constexpr (is_float) return T(Sleef_##fn##f16_##ulp##avx512f(a));         \
            else return T(Sleef_##fn##d8_##ulp##avx512f(a));                             \
        } else if constexpr (std::is_base_of_v<xsimd::avx2, A>) {                        \
            if constexpr (is_float) return T(Sleef_##fn##f8_##ulp##avx2(a));             \
            else return T(Sleef_##fn##d4_##ulp##avx2(a));                                \
        } else if constexpr (std::is_base_of_v<xsimd::avx, A>) {                         \
            if constexpr (is_float) return T(Sleef_##fn##f8_##ulp##avx(a));              \
            else return T(Sleef_##fn##d4_##ulp##avx(a));                                 \
        } else if constexpr (std::is_base_of_v<xsimd::sse4_1, A>) {                      \
            if constexpr (is_float) return T(Sleef_##fn##f4_##ulp##sse4(a));             \
            else return T(Sleef_##fn##d2_##ulp##sse4(a));                                \
        } else if constexpr (std::is_base_of_v<xsimd::sse2, A>) {                        \
            if constexpr (is_float) return T(Sleef_##fn##f4_##ulp##sse2(a));             \
            else return T(Sleef_##fn##d2_##ulp##sse2(a));                                \
        } else {                                                                         \
            alignas(64) std::array<element_t<T>, T::size> lanes;                         \
            a.store_aligned(lanes.data());                                               \
            for (auto& v : lanes) v = std::fn(v);                                        \
            return T::load_aligned(lanes.data());                                        \
        }                                                                                \
    }
ACTDSL_SLEEF_DISPATCH(erf, u10)
ACTDSL_SLEEF_DISPATCH(erfc, u15)
#undef ACTDSL_SLEEF_DISPATCH

}  // namespace actdsl::math::detail
