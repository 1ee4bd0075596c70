// Long double references for every elementwise activation of the catalog and its
// derivative, written from the textbook definitions (with PyTorch's kink
// conventions), independently of the library's expressions. Infinite inputs are
// evaluated at +-LDBL_MAX, which gives each function's limit.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "reference.hpp"

namespace ref {

struct activation_reference {
    std::function<real(real)> f, df;
};

inline real softplus(real x) { return std::fmax(x, real(0)) + std::log1p(std::exp(-std::fabs(x))); }

// u - tanh(u): its series near 0 (the difference would cancel even in long double).
inline real tanhshrink(real x) {
    if (std::fabs(x) >= real(0.1)) return x - std::tanh(x);
    static const real a[] = {1.0L / 3, -2.0L / 15, 17.0L / 315, -62.0L / 2835, 1382.0L / 155925, -21844.0L / 6081075,
                             929569.0L / 638512875, -6404582.0L / 10854718875};
    const real z = x * x;
    real p = 0;
    for (int k = 7; k >= 0; --k) p = p * z + a[k];
    return x * z * p;
}

inline real number(const nlohmann::json& c, const char* name, real fallback) {
    return c.contains(name) ? static_cast<real>(c.at(name).get<double>()) : fallback;
}

// The reference of the activation a registry config describes.
inline activation_reference reference_for(const nlohmann::json& c) {
    const std::string type = c.at("type").get<std::string>();
    const real pi = 3.141592653589793238462643383279502884L;
    activation_reference r;
    if (type == "Threshold") {
        const real t = number(c, "threshold", 0), v = number(c, "value", 0);
        r.f = [=](real x) { return x <= t ? v : x; };
        r.df = [=](real x) { return x <= t ? real(0) : real(1); };
    } else if (type == "ReLU") {
        r.f = [](real x) { return x > 0 ? x : real(0); };
        r.df = [](real x) { return x > 0 ? real(1) : real(0); };
    } else if (type == "ReLU6" || type == "Hardtanh") {
        const real lo = type == "ReLU6" ? 0 : number(c, "min_val", -1), hi = type == "ReLU6" ? 6 : number(c, "max_val", 1);
        r.f = [=](real x) { return x < lo ? lo : (x > hi ? hi : x); };
        r.df = [=](real x) { return (x <= lo || x >= hi) ? real(0) : real(1); };
    } else if (type == "LeakyReLU" || type == "RReLU" || type == "PReLU") {
        const real s = type == "LeakyReLU" ? number(c, "negative_slope", 0.01L)
                       : type == "PReLU"   ? number(c, "init", 0.25L)
                                           : (number(c, "lower", 1.0L / 8) + number(c, "upper", 1.0L / 3)) / 2;
        r.f = [=](real x) { return x > 0 ? x : s * x; };
        r.df = [=](real x) { return x > 0 ? real(1) : s; };
    } else if (type == "ELU" || type == "SELU") {
        const bool selu = type == "SELU";
        const real a = selu ? 1.6732632423543772848170429916717L : number(c, "alpha", 1);
        const real k = selu ? 1.0507009873554804934193349852946L : 1;
        r.f = [=](real x) { return k * (x > 0 ? x : a * std::expm1(x)); };
        r.df = [=](real x) { return k * (x > 0 ? real(1) : a * std::exp(x)); };
    } else if (type == "CELU") {
        const real a = number(c, "alpha", 1);
        r.f = [=](real x) { return x > 0 ? x : a * std::expm1(x / a); };
        r.df = [=](real x) { return x > 0 ? real(1) : std::exp(x / a); };
    } else if (type == "GELU" && c.value("approximate", std::string("none")) == "tanh") {
        // Past 1e100 the cube would overflow: the limits.
        r.f = [](real x) { return std::fabs(x) > real(1e100L) ? (x > 0 ? x : real(0)) : gelu_tanh(x); };
        r.df = [](real x) { return std::fabs(x) > real(1e100L) ? (x > 0 ? real(1) : real(0)) : dgelu_tanh(x); };
    } else if (type == "GELU") {
        r.f = [](real x) { return x * std::erfc(-x / std::sqrt(real(2))) / 2; };
        r.df = [=](real x) { return std::erfc(-x / std::sqrt(real(2))) / 2 + x * std::exp(-x * x / 2) / std::sqrt(2 * pi); };
    } else if (type == "Sigmoid") {
        r.f = [](real x) { return sigmoid(x); };
        r.df = [](real x) { return sigmoid(x) * sigmoid(-x); };
    } else if (type == "Tanh") {
        r.f = [](real x) { return std::tanh(x); };
        r.df = [](real x) { const real ch = std::cosh(x); return 1 / (ch * ch); };
    } else if (type == "Hardsigmoid") {
        r.f = [](real x) { return x <= -3 ? real(0) : (x >= 3 ? real(1) : (x + 3) / 6); };
        r.df = [](real x) { return (x > -3 && x < 3) ? real(1) / 6 : real(0); };
    } else if (type == "Hardswish") {
        r.f = [](real x) { return x <= -3 ? real(0) : (x >= 3 ? x : x * (x + 3) / 6); };
        r.df = [](real x) { return x < -3 ? real(0) : (x < 3 ? (x == -3 ? real(0) : x / 3 + real(0.5)) : real(1)); };
    } else if (type == "SiLU") {
        r.f = [](real x) { return silu(x); };
        r.df = [](real x) { return dsilu(x); };
    } else if (type == "Mish") {
        r.f = [](real x) { return x * std::tanh(softplus(x)); };
        r.df = [](real x) {
            const real t = std::tanh(softplus(x));
            return t + x * sigmoid(x) * (1 - t * t);
        };
    } else if (type == "Softplus") {
        const real beta = number(c, "beta", 1), t = number(c, "threshold", 20);
        r.f = [=](real x) { return beta * x > t ? x : softplus(beta * x) / beta; };
        r.df = [=](real x) { return beta * x > t ? real(1) : sigmoid(beta * x); };
    } else if (type == "LogSigmoid") {
        r.f = [](real x) { return -softplus(-x); };
        r.df = [](real x) { return sigmoid(-x); };
    } else if (type == "Softsign") {
        r.f = [](real x) { return x / (1 + std::fabs(x)); };
        r.df = [](real x) { const real d = 1 + std::fabs(x); return 1 / (d * d); };
    } else if (type == "Tanhshrink") {
        r.f = [](real x) { return tanhshrink(x); };
        r.df = [](real x) { const real t = std::tanh(x); return t * t; };
    } else if (type == "Softshrink") {
        const real l = number(c, "lambd", 0.5L);
        r.f = [=](real x) { return x > l ? x - l : (x < -l ? x + l : real(0)); };
        r.df = [=](real x) { return std::fabs(x) <= l ? real(0) : real(1); };
    } else if (type == "Hardshrink") {
        const real l = number(c, "lambd", 0.5L);
        r.f = [=](real x) { return std::fabs(x) <= l ? real(0) : x; };
        r.df = [=](real x) { return std::fabs(x) <= l ? real(0) : real(1); };
    } else if (type == "Squareplus") {
        const real b = number(c, "b", 4);
        r.f = [=](real x) {
            if (std::fabs(x) > real(1e2000L)) return x > 0 ? x : real(0);
            const real s = std::sqrt(x * x + b);
            return x < 0 ? b / (2 * (s - x)) : (x + s) / 2;
        };
        r.df = [=](real x) {
            if (std::fabs(x) > real(1e2000L)) return x > 0 ? real(1) : real(0);
            const real s = std::sqrt(x * x + b);
            return x < 0 ? b / (2 * s * (s - x)) : (1 + x / s) / 2;
        };
    } else if (type == "SparsePlus") {
        r.f = [](real x) { return x <= -1 ? real(0) : (x >= 1 ? x : (x + 1) * (x + 1) / 4); };
        r.df = [](real x) { return x <= -1 ? real(0) : (x >= 1 ? real(1) : (x + 1) / 2); };
    } else {
        throw std::invalid_argument("no reference for " + type);
    }
    // Limits at +-inf: the functions at +-LDBL_MAX (an overflowing result becomes inf in T). NaN gives NaN.
    const auto at_limit = [](std::function<real(real)> g) {
        return [g](real x) {
            if (std::isnan(x)) return x;
            if (std::isinf(x)) return g(x > 0 ? std::numeric_limits<real>::max() : -std::numeric_limits<real>::max());
            return g(x);
        };
    };
    r.f = at_limit(r.f);
    r.df = at_limit(r.df);
    return r;
}

}  // namespace ref
