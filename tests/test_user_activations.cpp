// Activations written as their papers print them, plain numbers included, against
// mpmath at 50 digits (tests/data/user_activations.json, written by
// scripts/user_reference.py): the calculus layer's rules must find the stable forms
// the catalog writes by hand. Float, every 2^21-th float of both signs (each binade
// about four times) and a grid of step 1/8 in [-20, 20].
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <actdsl/actdsl.hpp>
#include <actdsl/kernels/accuracy.hpp>
#include <xtensor/xtensor.hpp>

#include "reference.hpp"

using namespace actdsl;
using namespace actdsl::literals;

namespace {

constexpr parameter<"beta"> beta{};

const nlohmann::json& user_data() {
    static const nlohmann::json data = [] {
        std::ifstream in(ACTDSL_TEST_DATA "/user_activations.json");
        if (!in) throw std::runtime_error("cannot read " ACTDSL_TEST_DATA "/user_activations.json");
        return nlohmann::json::parse(in);
    }();
    return data;
}

// |got - want| in ULPs of the conditioned magnitude max(|want|, |x want'|): the error that
// rounding x alone causes is one such ULP. NaN or inf where the truth is finite: infinite.
// As bench/accuracy.cpp (docs/accuracy.md), results that round to inf or lie below the
// smallest normal float only need to be finite: a product whose factor is subnormal
// (x sigmoid(x) at x = -96) carries that factor's absolute rounding error.
ref::real conditioned_error(float got, double want, double x, double slope) {
    if (std::isnan(want)) return std::isnan(got) ? 0 : std::numeric_limits<ref::real>::infinity();
    if (!std::isfinite(got)) return std::isinf(static_cast<float>(want)) && got == static_cast<float>(want) ? 0 : std::numeric_limits<ref::real>::infinity();
    if (std::isinf(static_cast<float>(want)) || std::fabs(want) < std::numeric_limits<float>::min()) return 0;
    const ref::real scale = std::max(std::fabs(ref::real(want)), std::fabs(ref::real(x) * ref::real(slope)));
    return ref::ulp_error<float>(got, want, scale);
}

struct worst {
    ref::real error = 0;
    float at = 0;
    void add(ref::real e, float x) {
        if (e > error) error = e, at = x;
    }
};

// Forward within 4 and the derivative within 8 conditioned ULPs at every point up to
// |x| = up_to.
struct up_to {
    float limit;
};
template <class F, class... B>
void check_against_mpmath(const std::string& name, const F& f, const B&... params) {
    check_against_mpmath(name, up_to{std::numeric_limits<float>::infinity()}, f, params...);
}
template <class F, class... B>
void check_against_mpmath(const std::string& name, up_to range, const F& f, const B&... params) {
    const auto& data = user_data();
    const auto& rows = data.at("activations").at(name);
    const auto& bits = data.at("points");
    const std::size_t n = bits.size();
    xt::xtensor<float, 1> xs = xt::zeros<float>({n});
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = bits[i].get<std::uint32_t>();
        std::memcpy(&xs(i), &b, sizeof(float));
    }
    xt::xtensor<float, 1> dy = xt::ones<float>({n}), y = xt::zeros<float>({n}), dx = y;
    forward_backward(f, xs, dy, y, dx, params...);
    worst fwd, bwd;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::fabs(xs(i)) > range.limit) continue;
        const double v = rows[i][0].get<double>(), d1 = rows[i][1].get<double>(), d2 = rows[i][2].get<double>();
        fwd.add(conditioned_error(y(i), v, xs(i), d1), xs(i));
        bwd.add(conditioned_error(dx(i), d1, xs(i), d2), xs(i));
    }
    INFO(name << ": " << to_string(simplify(f)));
    INFO("forward: " << fwd.error << " conditioned ULPs at x = " << fwd.at);
    INFO("derivative: " << bwd.error << " conditioned ULPs at x = " << bwd.at);
    CHECK(fwd.error <= 4);
    CHECK(bwd.error <= 8);
}

}  // namespace

TEST_CASE("activations written as papers print them get the catalog's accuracy", "[user]") {
    check_against_mpmath("softplus", log(1 + exp(x)));
    check_against_mpmath("mish", x * tanh(log(1 + exp(x))));
    check_against_mpmath("gelu_erf", 0.5 * x * (1 + erf(x / 1.4142135623730951)));
    check_against_mpmath("gelu_tanh", 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
    check_against_mpmath("silu", x / (1 + exp(-x)));
    check_against_mpmath("sigmoid", 1 / (1 + exp(-x)));
    check_against_mpmath("swish_beta", x / (1 + exp(-beta * x)), beta = 1.5);
    check_against_mpmath("logsigmoid", -log(1 + exp(-x)));
    check_against_mpmath("elu", where(x > 0, x, exp(x) - 1));
    check_against_mpmath("celu_half", where(x > 0, x, 0.5 * (exp(x / 0.5) - 1)));
    check_against_mpmath("tanhexp", x * tanh(exp(x)));
    check_against_mpmath("serf", x * erf(log(1 + exp(x))));
    check_against_mpmath("smish", x * tanh(log(1 + sigmoid(x))));
    check_against_mpmath("logish", x * log(1 + sigmoid(x)));
    check_against_mpmath("isru_half", x / sqrt(1 + 0.5 * x * x));
    check_against_mpmath("softsign", x / (1 + abs(x)));
    check_against_mpmath("scaled_isru", 2 * x / sqrt(x * x + 4));
    // (x + sqrt(x^2 + b)) / 2: the conjugate b / (sqrt(x^2 + b) - x) where the sum cancels,
    // the root rescaled past |x| = 1. The written sum itself overflows past x = 1.7e38.
    check_against_mpmath("squareplus4", up_to{1e38f}, (x + sqrt(x * x + 4)) / 2);
}

TEST_CASE("quotients are differentiated over their common denominator", "[user]") {
    constexpr parameter<"a"> a{};
    // x / sqrt(w) with w = 1 + a x^2: the derivative's two terms cancel to 1 / w^(3/2);
    // the terms of w of degree 2 in x never enter it.
    CHECK(to_string(derivative(x / sqrt(1 + a * x * x), x)) == "1 / (1 + a * x * x) / sqrt(1 + a * x * x)");
    CHECK(to_string(derivative(x / (1_c + abs(x)), x)) == "(1 / (1 + abs(x)))^2");
    CHECK(to_string(derivative(2 * x / (1 + x * x), x)) == "2 * (1 - x^2) * 1 / (1 + x^2) * 1 / (1 + x^2)");
    // Through an atom: the chain rule's factor beta follows the common-denominator slope.
    CHECK(to_string(derivative(beta * x / (1_c + abs(beta * x)), x)) == "(1 / (1 + abs(beta * x)))^2 * beta");
    // A divisor the variable does not hold cancels against the numerator's factor:
    // snake's x + sin(a x)^2 / a has the slope 1 + sin(2 a x), finite at a = 0.
    const auto snake = x + pow<2>(sin(a * x)) / a;
    CHECK(to_string(derivative(snake, x)) == "1 + 2 * sin(a * x) * cos(a * x)");
    CHECK(evaluate(derivative(snake, x), 0.7, a = 0.0) == 1.0);
    // Not homogeneous in x (x + 1 under the root): the quotient rule as before, still right.
    const double at = 1.5;
    const double h = 1e-6;
    const auto g = x / sqrt(1 + pow<2>(x + 1));
    CHECK(evaluate(derivative(g, x), at) ==
          Approx((evaluate(g, at + h) - evaluate(g, at - h)) / (2 * h)).epsilon(1e-8));
    // Float at x = -27, where the difference of terms lost 2.8e3 ULPs: 1 / (1 + 0.5 x^2)^(3/2).
    const float slope = evaluate(derivative(x / sqrt(1 + 0.5 * x * x), x), -27.0f);
    const long double w = 1 + 0.5L * 27 * 27;
    CHECK(ref::ulp_error<float>(slope, 1 / (w * std::sqrt(w))) <= 2);
}

TEST_CASE("a plain 1 acts as the constant 1; other numbers keep the formula as written", "[user]") {
    xt::xtensor<float, 1> xs = {-20.f, -1.f, 0.f, 3.f, 100.f, 1e30f};
    xt::xtensor<float, 1> dy = xt::ones<float>({xs.size()});
    const auto same = [&](const auto& f, const auto& g) {
        xt::xtensor<float, 1> y1 = xt::zeros<float>({xs.size()}), y2 = y1, d1 = y1, d2 = y1;
        forward_backward(f, xs, dy, y1, d1);
        forward_backward(g, xs, dy, y2, d2);
        for (std::size_t i = 0; i < xs.size(); ++i) {
            CHECK(ref::same_bits(y1(i), y2(i)));
            CHECK(ref::same_bits(d1(i), d2(i)));
        }
    };
    same(log(1 + exp(x)), softplus(x));
    same(log(1.0 + exp(x)), log(1_c + exp(x)));
    same(exp(x) - 1, expm1(x));
    same(1 - erf(x), erfc(x));
    same(x * (1 + tanh(x)), x * (1_c + tanh(x)));
    same(x * (1 - sigmoid(x)), x * sigmoid(-x));
    same(exp(x) / (1 + exp(x)), sigmoid(x));
    // sigmoid(u) (1 - sigmoid(u)) at u = 30 and exp(u) / (1 + exp(u)) at u = 90 in float:
    // 1 - sigmoid(30) would cancel to 0 (true 9.4e-14), exp(90) / (1 + exp(90)) be inf / inf.
    xt::xtensor<float, 1> tail = {30.0f, 90.0f}, ty = xt::zeros<float>({2}), td = ty, tdy = xt::ones<float>({2});
    forward_backward(sigmoid(x) * (1 - sigmoid(x)), tail, tdy, ty, td);
    CHECK(ref::ulp_error<float>(ty(0), std::exp(-30.0L) / ((1 + std::exp(-30.0L)) * (1 + std::exp(-30.0L)))) <= 4);
    forward_backward(exp(x) / (1 + exp(x)), tail, tdy, ty, td);
    CHECK(ty(1) == 1.0f);
    CHECK(td(1) == std::exp(-90.0f));  // e^-90 / (1 + e^-90)^2, a subnormal float: its rounding
    CHECK(to_string(simplify(1 - sigmoid(x))) == "sigmoid(-x)");
    CHECK(to_string(simplify(exp(x) / (1 + exp(x)))) == "sigmoid(x)");
    CHECK(to_string(simplify(log(1 + exp(x)))) == "softplus(x)");
    CHECK(to_string(derivative(log(1 + exp(x)), x)) == "sigmoid(x)");
    // 2 is not 1: log(2 + exp(x)) is evaluated as written.
    CHECK(to_string(simplify(log(2 + exp(x)))) == "log(2 + exp(x))");
    CHECK(evaluate(log(2 + exp(x)), 0.0) == Approx(std::log(3.0)));
    CHECK(evaluate(derivative(log(2 + exp(x)), x), 0.0) == Approx(1.0 / 3.0));
    // The unfused passes and evaluate pick the same form.
    xt::xtensor<float, 1> y1 = xt::zeros<float>({xs.size()}), y2 = y1;
    unfused::forward(log(1 + exp(x)), xs, y1);
    forward(softplus(x), xs, y2);
    CHECK((y1 == y2));
    CHECK(evaluate(log(1 + exp(x)), -20.0f) == Approx(2.0611536e-9f).epsilon(1e-6));
}

TEST_CASE("square roots of quadratics: no x^2 overflow, no cancellation beside them", "[user]") {
    constexpr parameter<"b"> b{};
    CHECK(to_string(derivative(sqrt(x * x + b), x)) == "x / sqrt(x^2 + b)");
    CHECK(to_string(simplify(x + sqrt(x * x + b))) == "where(x < 0, b / (sqrt(x^2 + b) - x), x + sqrt(x^2 + b))");
    CHECK(to_string(simplify(sqrt(b + x * x) - x)) == "where(x > 0, b / (sqrt(b + x^2) + x), sqrt(b + x^2) - x)");
    // Float: sqrt(x^2 + 3) is |x| past 1.8e19 (x^2 is inf there), its slope sign(x) at +-inf;
    // x - sqrt(x^2 + 3) keeps every digit where it is about -3 / (2x).
    const float inf = std::numeric_limits<float>::infinity();
    xt::xtensor<float, 1> xs = {-inf, -1e30f, -2e19f, 1e4f, 2e19f, 3e38f, inf};
    xt::xtensor<float, 1> dy = xt::ones<float>({xs.size()}), y = xt::zeros<float>({xs.size()}), dx = y;
    forward_backward(sqrt(x * x + b), xs, dy, y, dx, b = 3.0);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        CHECK(y(i) == std::fabs(xs(i)));
        CHECK(dx(i) == Approx(xs(i) > 0 ? 1 : -1));
    }
    forward_backward(x - sqrt(x * x + b), xs, dy, y, dx, b = 3.0);
    for (std::size_t i = 3; i < xs.size(); ++i) {
        // Past x = 1.7e38, sqrt(x^2 + 3) + x overflows: -0 where the value is subnormal.
        if (xs(i) > 1e38f && std::isfinite(xs(i))) continue;
        const long double xi = xs(i), want = -3 / (xi + std::sqrt(xi * xi + 3));  // the exact conjugate
        INFO("x = " << xs(i));
        CHECK(ref::ulp_error<float>(y(i), want) <= 2);
    }
}

TEST_CASE("a gate the fast plan's guard does not keep from 0 keeps its limit there", "[user]") {
    // x erfc(x) + sigmoid(x): the guard x >= -80 admits every element below, so they take
    // the fast plan, where erfc(x) is 0 from x = 10.05 on and x erfc(x) must still be 0
    // at x = inf (the limit), not inf * 0.
    const float inf = std::numeric_limits<float>::infinity();
    xt::xtensor<float, 1> xs = {inf, 3e38f, 1e30f, 27.0f, 10.5f, 3.0f, 0.5f, -3.0f, -70.0f, inf, inf, inf, inf, inf, inf, inf};
    xt::xtensor<float, 1> y = xt::zeros<float>({xs.size()});
    forward(x * erfc(x) + sigmoid(x), xs, y);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const long double xi = xs(i);
        const long double want = std::isinf(xi) ? 1.0L : xi * std::erfc(xi) + 1 / (1 + std::exp(-xi));
        INFO("x = " << xs(i) << ": " << y(i));
        CHECK(ref::ulp_error<float>(y(i), want) <= 4);
    }
}

TEST_CASE("accuracy(): a report over the whole float range that names what fails", "[user]") {
    const auto mish_paper = accuracy<float>(x * tanh(log(1 + exp(x))));
    INFO(mish_paper.to_string());
    REQUIRE(mish_paper.passes.size() == 2);
    CHECK(mish_paper.passes[0].name == "f");
    CHECK(mish_paper.passes[1].name == "df/dx");
    CHECK(mish_paper.within(4, 8));
    // exp(x) / (2 exp(x)) is 1/2 everywhere. Past exp(x) = 1 the kernels divide both by
    // exp(x) (a bounded quotient), but below x = -103.3 both are 0 in float: NaN there,
    // which the report lists.
    const auto ratio = accuracy<float>(exp(x) / (2 * exp(x)));
    INFO(ratio.to_string());
    CHECK_FALSE(ratio.within(4, 8));
    REQUIRE_FALSE(ratio.passes[0].non_finite.empty());
    for (const double v : ratio.passes[0].non_finite) CHECK(v < -103);
    CHECK(ratio.to_string().find("f is NaN or inf where the exact value is finite") != std::string::npos);
    // A parameter's derivative is a pass of its own.
    const auto swish = accuracy<double>(x * sigmoid(beta * x), beta = 1.5);
    REQUIRE(swish.passes.size() == 3);
    CHECK(swish.passes[2].name == "df/dbeta");
    CHECK(swish.passes[0].max_conditioned_ulps <= 4);
}
