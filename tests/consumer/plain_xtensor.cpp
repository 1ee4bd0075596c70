// Compiled without actdsl: an ordinary xtensor function in another translation unit.
#include <xtensor/xarray.hpp>

float sum_of(const xt::xarray<float>& a) {
    float s = 0.0f;
    for (float v : a) s += v;
    return s;
}
