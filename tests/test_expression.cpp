// The expression language and the simplifier: what a tree prints as, what type it
// simplifies to (checked at compile time), and the exact constants.
#include <catch2/catch.hpp>

#include <actdsl/actdsl.hpp>

using namespace actdsl;
using namespace actdsl::literals;
using X = variable<"x">;

namespace {
constexpr parameter<"beta"> beta{};

template <class A, class B>
constexpr bool same(const A&, const B&) { return std::is_same_v<A, B>; }
}  // namespace

TEST_CASE("to_string prints readable infix with the parentheses it needs") {
    CHECK(to_string(x * sigmoid(x)) == "x * sigmoid(x)");
    CHECK(to_string((x + 1) * (x - 2)) == "(x + 1) * (x - 2)");
    CHECK(to_string(x - (x - 1)) == "x - (x - 1)");
    CHECK(to_string(x / (x * 2)) == "x / (x * 2)");
    CHECK(to_string(-(x + 1)) == "-(x + 1)");
    CHECK(to_string(pow<3>(x + 1)) == "(x + 1)^3");
    CHECK(to_string(where(x > 0 && x < 6, x, 0.25 * x)) == "where(x > 0 && x < 6, x, 0.25 * x)");
    CHECK(to_string(c<1, 2> * x) == "1/2 * x");
    CHECK(to_string(sqrt_2_over_pi * x) == "sqrt(2/pi) * x");
    CHECK(to_string(max(x, 0)) == "max(x, 0)");
    CHECK(to_string(derivative(x * sigmoid(x), x)) == "sigmoid(x) + x * sigmoid(x) * sigmoid(-x)");
}

TEST_CASE("compile-time constants are exact rationals") {
    STATIC_REQUIRE(same(0.044715_c, constant<8943, 200000>{}));
    STATIC_REQUIRE(same(3_c, constant<3>{}));
    STATIC_REQUIRE(same(25e-3_c, constant<1, 40>{}));
    STATIC_REQUIRE(same(c<6, -4>, constant<-3, 2>{}));
    STATIC_REQUIRE(same(simplify(c<1, 2> + c<1, 3>), c<5, 6>));
    STATIC_REQUIRE(same(simplify(c<1, 2> * c<2, 3> - c<1, 3>), c<0>));
    STATIC_REQUIRE(same(simplify(c<3> / c<6>), c<1, 2>));
}

TEST_CASE("the simplifier folds identities at compile time") {
    STATIC_REQUIRE(same(simplify(x * 1_c + 0_c), x));
    STATIC_REQUIRE(same(simplify(0_c * sigmoid(x)), c<0>));
    STATIC_REQUIRE(same(simplify(-(-x)), x));
    STATIC_REQUIRE(same(simplify(x - x), c<0>));
    STATIC_REQUIRE(same(simplify(sigmoid(x) / sigmoid(x)), c<1>));
    STATIC_REQUIRE(same(simplify(x + (-sigmoid(x))), x - sigmoid(x)));
    STATIC_REQUIRE(same(simplify(exp(0_c) * x), x));
    STATIC_REQUIRE(same(simplify(abs(-x)), abs(x)));
    STATIC_REQUIRE(same(simplify(pow<1>(x) + pow<0>(x)), x + 1_c));
    STATIC_REQUIRE(same(simplify(x * 2_c * 3_c), 6_c * x));  // constants move left and fold
    STATIC_REQUIRE(same(simplify(2_c * (3_c * x)), 6_c * x));
    STATIC_REQUIRE(same(simplify((0.5_c * x) * (2_c * sigmoid(x))), x * sigmoid(x)));  // (p a)(q b) = (pq)(ab)
    STATIC_REQUIRE(same(simplify(2_c * (sqrt_2_over_pi * x)), (2_c * sqrt_2_over_pi) * x));  // constants gather in front
    STATIC_REQUIRE(same(simplify(x * (3_c * sqrt_2_over_pi)), (3_c * sqrt_2_over_pi) * x));
    STATIC_REQUIRE(same(simplify(2_c * (3_c * sqrt_2_over_pi)), 6_c * sqrt_2_over_pi));  // rationals of a constant product fold
    STATIC_REQUIRE(same(simplify(2_c * (3_c * (sqrt_2_over_pi * x))), (6_c * sqrt_2_over_pi) * x));
}

TEST_CASE("the derivative of x*x has no multiplication by 1 and no addition of 0") {
    STATIC_REQUIRE(std::is_same_v<decltype(derivative(x * x, x)), node<ops::mul, constant<2>, X>>);
    STATIC_REQUIRE(same(derivative(x + 3_c, x), c<1>));
    STATIC_REQUIRE(same(derivative(pow<3>(x), x), 3_c * pow<2>(x)));
    STATIC_REQUIRE(same(derivative(sigmoid(x), beta), c<0>));
    STATIC_REQUIRE(same(derivative(beta * x, beta), x));
}

TEST_CASE("literal scalars are runtime values that fold but never merge by type") {
    // Two literals have the same type but different values: a - a -> 0 must not fire.
    const auto f = simplify(0.5 * x - 0.75 * x);
    CHECK(evaluate(f, 2.0) == Approx(-0.5));
    const auto d = derivative(0.5 * x, x);
    STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(d)>, scalar>);
    CHECK(d.value == 0.5);
    CHECK(simplify(as_expression(2.0) * as_expression(3.0)).value == 6.0);
}

TEST_CASE("the derivative of where keeps the branches and the condition") {
    const auto leaky = where(x > 0, x, 0.01 * x);
    const auto d = derivative(leaky, x);
    STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(d)>, node<ops::where, node<ops::greater, X, scalar>, constant<1>, scalar>>);
    CHECK(to_string(d) == "where(x > 0, 1, 0.01)");
    CHECK(evaluate(d, 0.0) == 0.01);  // PyTorch's leaky_relu: the negative slope at 0
    CHECK(evaluate(d, 1e-30) == 1.0);
}

TEST_CASE("derivatives compose to any order") {
    const auto f = x * sigmoid(x);
    const auto d3 = derivative(derivative(derivative(f, x), x), x);
    // d3 silu = s(1-s) [ 3 (1 - 2s) + x (1 - 6 s (1 - s)) ], derived by hand.
    for (const long double t : {-3.0L, -0.5L, 0.0L, 0.8L, 4.0L}) {
        const long double s = 1 / (1 + std::exp(-t));
        const long double expected = s * (1 - s) * (3 * (1 - 2 * s) + t * (1 - 6 * s * (1 - s)));
        CHECK(static_cast<double>(evaluate(d3, t)) == Approx(static_cast<double>(expected)).epsilon(1e-14).margin(1e-15));
    }
}

TEST_CASE("1 + tanh(u) becomes 2 sigmoid(2u): exact where tanh(u) nears -1") {
    STATIC_REQUIRE(same(simplify(1_c + tanh(x)), 2_c * sigmoid(2_c * x)));
    STATIC_REQUIRE(same(simplify(tanh(x) + 1_c), 2_c * sigmoid(2_c * x)));
    STATIC_REQUIRE(same(simplify(1_c - tanh(x)), 2_c * sigmoid(-(2_c * x))));
    // 1 + tanh(-10) = 2 / (1 + e^20): in double, 1 + tanh loses 8 digits to cancellation; 2 sigmoid(-20) keeps them.
    CHECK(evaluate(1_c + tanh(x), -10.0) == Approx(4.1223072363804072e-09).epsilon(1e-15));
}
