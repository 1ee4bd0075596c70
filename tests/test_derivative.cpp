// Derivatives of every operation and of composites, evaluated in long double,
// against central finite differences of the forward expression and against
// derivatives worked out by hand. Kinks follow PyTorch's conventions.
#include <catch2/catch.hpp>

#include <actdsl/actdsl.hpp>

#include "reference.hpp"

using namespace actdsl;
using namespace actdsl::literals;

namespace {

constexpr parameter<"beta"> beta{};

// f'(t) from the symbolic derivative against a central difference of f, at each point.
template <class F>
void check_against_finite_differences(const F& f, std::initializer_list<long double> points) {
    const auto df = derivative(f, x);
    for (const long double t : points) {
        const long double fd = ref::central_difference([&](long double s) { return evaluate(f, s); }, t);
        const long double sym = evaluate(df, t);
        INFO(to_string(f) << "  at x = " << static_cast<double>(t) << ": derivative " << to_string(df));
        CHECK(std::fabs(sym - fd) <= 1e-9L * std::max<long double>(1, std::fabs(fd)));
    }
}

// Points inside the domain of every function below, away from kinks.
const auto general = {-2.3L, -0.7L, 0.4L, 1.9L};
const auto positive = {0.3L, 0.9L, 1.7L, 2.5L};

}  // namespace

TEST_CASE("derivatives of the arithmetic operations") {
    const auto u = 0.7 * x + 0.3;  // an inner function, to exercise the chain rule
    check_against_finite_differences(x + sigmoid(x), general);
    check_against_finite_differences(x - sigmoid(x), general);
    check_against_finite_differences(u * sin(x), general);
    check_against_finite_differences(sin(x) / (2 + cos(x)), general);
    check_against_finite_differences(-u, general);
    check_against_finite_differences(pow<3>(u), general);
    check_against_finite_differences(pow<-2>(u), positive);
    check_against_finite_differences(c<1, 3> * x, general);
}

TEST_CASE("derivatives of the elementary functions") {
    const auto u = 0.7 * x + 0.3;
    check_against_finite_differences(exp(u), general);
    check_against_finite_differences(log(u), positive);
    check_against_finite_differences(log1p(u), positive);
    check_against_finite_differences(expm1(u), general);
    check_against_finite_differences(sqrt(u), positive);
    check_against_finite_differences(sin(u), general);
    check_against_finite_differences(cos(u), general);
    check_against_finite_differences(tanh(u), general);
    check_against_finite_differences(sigmoid(u), general);
    check_against_finite_differences(erf(u), general);
    check_against_finite_differences(erfc(u), general);
    check_against_finite_differences(abs(u), general);
    check_against_finite_differences(sign(u) * x, general);
    check_against_finite_differences(min(u, x * x), general);
    check_against_finite_differences(max(u, x * x), general);
    check_against_finite_differences(where(x > 0, sin(x), x * x), general);
}

TEST_CASE("derivatives of composite activations match hand-derived formulas") {
    const auto silu = x * sigmoid(x);
    const auto swish = x * sigmoid(beta * x);
    const auto gelu_tanh = c<1, 2> * x * (1_c + tanh(sqrt_2_over_pi * (x + 0.044715_c * pow<3>(x))));
    for (const long double t : {-30.0L, -5.5L, -1.2784645L, -0.3L, 0.0L, 0.6L, 3.0L, 17.3L}) {
        INFO("x = " << static_cast<double>(t));
        CHECK(static_cast<double>(evaluate(derivative(silu, x), t)) == Approx(static_cast<double>(ref::dsilu(t))).epsilon(1e-15).margin(1e-18));
        CHECK(static_cast<double>(evaluate(derivative(derivative(silu, x), x), t)) ==
              Approx(static_cast<double>(ref::d2silu(t))).epsilon(1e-15).margin(1e-18));
        CHECK(static_cast<double>(evaluate(derivative(swish, x), t, beta = 1.7)) ==
              Approx(static_cast<double>(ref::dswish_dx(t, 1.7L))).epsilon(1e-15).margin(1e-18));
        CHECK(static_cast<double>(evaluate(derivative(swish, beta), t, beta = 1.7)) ==
              Approx(static_cast<double>(ref::dswish_db(t, 1.7L))).epsilon(1e-15).margin(1e-18));
        CHECK(static_cast<double>(evaluate(derivative(gelu_tanh, x), t)) ==
              Approx(static_cast<double>(ref::dgelu_tanh(t))).epsilon(1e-14).margin(1e-18));
    }
}

TEST_CASE("derivatives at kinks follow PyTorch") {
    CHECK(evaluate(derivative(max(x, 0), x), 0.0) == 0.0);                    // relu'(0) = 0
    CHECK(evaluate(derivative(min(max(x, 0), 6), x), 6.0) == 0.0);            // relu6'(6) = 0
    CHECK(evaluate(derivative(min(max(x, 0), 6), x), 0.0) == 0.0);            // relu6'(0) = 0
    CHECK(evaluate(derivative(min(max(x, 0), 6), x), 3.0) == 1.0);
    CHECK(evaluate(derivative(abs(x), x), 0.0) == 0.0);                       // abs'(0) = 0
    CHECK(evaluate(derivative(abs(x), x), -2.0) == -1.0);
    CHECK(evaluate(derivative(where(x > 0, x, 0.01 * x), x), 0.0) == 0.01);   // leaky_relu'(0) = slope
}

TEST_CASE("the sigmoid and tanh derivatives keep their digits in the tails") {
    // s(1 - s) would be 0 once s rounds to 1; the true values are e^-x-sized.
    const double d = evaluate(derivative(sigmoid(x), x), 40.0);
    CHECK(d == Approx(4.248354255291589e-18).epsilon(1e-14));
    const double dt = evaluate(derivative(tanh(x), x), -20.0);
    CHECK(dt == Approx(1.6993417021166355e-17).epsilon(1e-14));
}

TEST_CASE("parameters are differentiable like variables") {
    const auto f = beta * beta * x + sin(beta);
    CHECK(evaluate(derivative(f, beta), 3.0, beta = 0.5) == Approx(2 * 0.5 * 3.0 + std::cos(0.5)));
    CHECK(evaluate(derivative(derivative(f, beta), beta), 3.0, beta = 0.5) == Approx(2 * 3.0 - std::sin(0.5)));
}
