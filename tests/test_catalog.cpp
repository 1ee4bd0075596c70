// The catalog against PyTorch (tests/data/torch_reference.json, written by
// scripts/torch_reference.py with Debian's PyTorch 1.13) and against the long
// double references. Where we differ from PyTorch beyond the tolerance, we must be
// within it of the reference and closer to it than PyTorch: those are the
// deliberate differences, printed at the end and listed in the README.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/list.hpp>
#include <actdsl/catalog/registry.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "reference_catalog.hpp"

namespace {

const nlohmann::json& torch_data() {
    static const nlohmann::json data = [] {
        std::ifstream in(ACTDSL_TEST_DATA "/torch_reference.json");
        if (!in) throw std::runtime_error("cannot read " ACTDSL_TEST_DATA "/torch_reference.json");
        return nlohmann::json::parse(in);
    }();
    return data;
}

template <class T>
xt::xarray<T> from_hex(const nlohmann::json& values, std::vector<std::size_t> shape = {}) {
    if (shape.empty()) shape = {values.size()};
    xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
    std::size_t i = 0;
    for (const auto& v : values) a.flat(i++) = static_cast<T>(std::strtod(v.get<std::string>().c_str(), nullptr));
    return a;
}

// Within tol ULPs of T at `expected`; results below T's smallest normal may be flushed to 0.
template <class T>
bool close(T actual, ref::real expected, ref::real tol) {
    if (std::isnan(expected)) return std::isnan(actual);
    const auto rounded = static_cast<T>(expected);
    if (std::isinf(rounded)) return actual == rounded;
    if (std::isnan(actual) || std::isinf(actual)) return false;
    const ref::real diff = std::fabs(static_cast<ref::real>(actual) - expected);
    return diff <= tol * ref::ulp<T>(expected) || diff <= std::numeric_limits<T>::min();
}

// |x g'(x) / g(x)|, at least 1 and at most 1e4 (g' by a central difference).
inline ref::real condition(const std::function<ref::real(ref::real)>& g, ref::real x) {
    const ref::real v = g(x);
    if (!std::isfinite(x) || !std::isfinite(v) || v == 0 || x == 0) return 1;
    const ref::real h = std::fabs(x) * 1e-7L;
    const ref::real slope = (g(x + h) - g(x - h)) / (2 * h);
    const ref::real k = std::fabs(x * slope / v);
    return std::isfinite(k) ? std::clamp<ref::real>(k, 1, 1e4) : 1;
}

struct difference {
    std::string what;
    double x, ours, torch, exact;
};

std::vector<difference>& deliberate_differences() {
    static std::vector<difference> d;
    return d;
}

// ours passes if it matches PyTorch or the exact value; a difference where PyTorch is not accurate is recorded.
template <class T>
bool conforms(const std::string& what, T x, T ours, T torch, ref::real exact, ref::real tol) {
    if (close<T>(ours, static_cast<ref::real>(torch), tol) && (std::isnan(torch) == std::isnan(ours))) return true;
    if (close<T>(ours, exact, tol)) {
        if (!close<T>(torch, exact, tol)) deliberate_differences().push_back({what, double(x), double(ours), double(torch), double(exact)});
        return true;
    }
    UNSCOPED_INFO(what << " at x = " << x << ": ours " << ours << ", PyTorch " << torch << ", exact " << double(exact) << " (ours "
                       << double(ref::ulp_error<T>(ours, exact)) << " ULPs, PyTorch " << double(ref::ulp_error<T>(torch, exact))
                       << ", tolerance " << double(tol) << ")");
    return false;
}

// After an in-place forward, backward_from_output(y, dy) must give the reference
// derivative, for exactly the activations whose output determines it. From y the
// error is absolute (1 - y cancels where sigmoid saturates, as in PyTorch).
template <class T>
void check_backward_from_output(const actdsl::activation& act, const nlohmann::json& config, const xt::xarray<T>& xs,
                                const xt::xarray<T>& y) {
    static const std::set<std::string> determined{"ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "ELU", "CELU",
                                                  "SELU", "Sigmoid", "Tanh"};
    const std::string type = config.at("type");
    const bool negative = (type == "LeakyReLU" && config.value("negative_slope", 0.01) < 0) ||
                          (type == "ELU" && config.value("alpha", 1.0) < 0);
    INFO(config.dump());
    REQUIRE(act.has_backward_from_output() == (determined.count(type) && !negative));
    if (!act.has_backward_from_output()) {
        CHECK_THROWS_WITH(act.backward_from_output(y, y), Catch::Contains("not a function of its output"));
        return;
    }
    const xt::xarray<T> dx = act.backward_from_output(y, xt::xarray<T>(xt::ones_like(y)));
    const auto r = ref::reference_for(config);
    const ref::real eps = std::numeric_limits<T>::epsilon();
    std::size_t bad = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (std::isnan(xs(i))) continue;
        const ref::real exact = r.df(xs(i));
        if (!(std::fabs(dx(i) - exact) <= 8 * eps * (1 + std::fabs(exact)))) {
            UNSCOPED_INFO("x = " << xs(i) << ": from the output " << dx(i) << ", exact " << double(exact));
            ++bad;
        }
    }
    CHECK(bad == 0);
}

template <class T>
void check_elementwise(const std::string& dtype) {
    const auto& d = torch_data().at("dtypes").at(dtype);
    const auto xs = from_hex<T>(d.at("inputs"));
    for (const auto& c : d.at("elementwise")) {
        const auto& config = c.at("config");
        const std::string name = dtype + " " + config.dump();
        const auto act = actdsl::build_activation_layer(config);
        const xt::xarray<T> y = act->forward(xs);
        const xt::xarray<T> dx = act->backward(xs, xt::xarray<T>(xt::ones_like(xs)));
        const auto torch_y = from_hex<T>(c.at("y"));
        const auto torch_dx = from_hex<T>(c.at("dx"));
        const auto r = ref::reference_for(config);
        std::size_t bad = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const T xi = xs(i);
            // Tolerances in ULPs times the condition number |x g'(x) / g(x)|: where g amplifies
            // the rounding of its argument's inner steps (gelu's left tail), no float code is exact.
            if (!conforms<T>(name + " forward", xi, y(i), torch_y(i), r.f(xi), 4 * condition(r.f, xi))) ++bad;
            // At a NaN input any gradient is defensible (PyTorch's depends on how each kink compares NaN).
            if (!std::isnan(xi) && !conforms<T>(name + " derivative", xi, dx(i), torch_dx(i), r.df(xi), 8 * condition(r.df, xi))) ++bad;
        }
        INFO(name);
        CHECK(bad == 0);
        // inplace: the same values, written over the input.
        xt::xarray<T> z = xs;
        act->forward_inplace(z);
        CHECK(xt::all(xt::equal(z, y) || (xt::isnan(z) && xt::isnan(y))));
        check_backward_from_output<T>(*act, config, xs, z);
    }
}

}  // namespace

TEST_CASE("every elementwise activation matches PyTorch, or is more accurate where PyTorch is not", "[catalog][torch]") {
    check_elementwise<float>("float32");
    check_elementwise<double>("float64");
    // The deliberate differences, for the README's table.
    std::map<std::string, std::pair<std::size_t, difference>> by_activation;
    for (const auto& d : deliberate_differences()) {
        auto& e = by_activation[d.what];
        if (e.first++ == 0) e.second = d;
    }
    for (const auto& [what, e] : by_activation)
        std::cout << "differs from PyTorch, matches the reference: " << what << ": " << e.first << " inputs, e.g. x = " << e.second.x << ": ours "
                  << e.second.ours << ", PyTorch " << e.second.torch << ", exact " << e.second.exact << "\n";
}

TEMPLATE_TEST_CASE("PReLU with a weight per channel: values, dx and dweight as PyTorch", "[catalog][torch]", float, double) {
    using T = TestType;
    const auto& c = torch_data().at("dtypes").at(std::is_same_v<T, float> ? "float32" : "float64").at("prelu");
    const auto shape = c.at("shape").template get<std::vector<std::size_t>>();
    const auto xs = from_hex<T>(c.at("x"), shape), dy = from_hex<T>(c.at("dy"), shape);
    const auto act = actdsl::build_activation_layer(c.at("config"));
    *act->parameters() = from_hex<double>(c.at("weight"));
    const xt::xarray<T> y = act->forward(xs);
    const xt::xarray<T> dx = act->backward(xs, dy);
    const auto tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    CHECK(xt::allclose(y, from_hex<T>(c.at("y"), shape), tol, 0));
    CHECK(xt::allclose(dx, from_hex<T>(c.at("dx"), shape), tol, 0));
    CHECK(xt::allclose(*act->parameter_gradients(), from_hex<double>(c.at("dweight")), tol, tol));

    // Long channel blocks take the fused per-block path: the same values as the broadcast path.
    xt::xarray<T> big = xt::linspace<T>(-3, 3, 2 * 3 * 200);
    big.reshape({2, 3, 200});
    const xt::xarray<T> ones = xt::ones_like(big);
    const xt::xarray<T> yb = act->forward(big);
    const xt::xarray<T> dxb = act->backward(big, ones);
    const xt::xarray<double> w = *act->parameters();
    xt::xarray<double> expected_dw = xt::zeros<double>({3});
    for (std::size_t o = 0; o < 2; ++o)
        for (std::size_t ch = 0; ch < 3; ++ch)
            for (std::size_t i = 0; i < 200; ++i) {
                const double v = static_cast<double>(big(o, ch, i));
                CHECK(yb(o, ch, i) == (v > 0 ? big(o, ch, i) : static_cast<T>(w(ch) * v)));
                if (v <= 0) expected_dw(ch) += v;
            }
    CHECK(xt::allclose(*act->parameter_gradients(), expected_dw, 1e-5, 1e-9));
}

TEMPLATE_TEST_CASE("GLU along a middle dim: values and both halves' gradients as PyTorch", "[catalog][torch]", float, double) {
    using T = TestType;
    const auto& c = torch_data().at("dtypes").at(std::is_same_v<T, float> ? "float32" : "float64").at("glu");
    const auto shape = c.at("shape").template get<std::vector<std::size_t>>();
    auto out_shape = shape;
    out_shape[1] /= 2;
    const auto xs = from_hex<T>(c.at("x"), shape);
    const auto dy = from_hex<T>(c.at("dy"), out_shape);
    const auto act = actdsl::build_activation_layer(c.at("config"));
    const xt::xarray<T> y = act->forward(xs);
    const xt::xarray<T> dx = act->backward(xs, dy);
    const auto tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
    CHECK(xt::allclose(y, from_hex<T>(c.at("y"), out_shape), tol, tol / 10));
    CHECK(xt::allclose(dx, from_hex<T>(c.at("dx"), shape), tol, tol / 10));
}

TEST_CASE("Maxout: the maximum of each group of consecutive pieces, gradient to the first arg-max", "[catalog]") {
    const xt::xarray<float> xs = {{1, 5, 2, 2, -1, -3}, {0, 0, 7, 1, 4, 9}};
    const auto act = actdsl::build_activation_layer({{"type", "Maxout"}, {"pieces", 2}, {"dim", 1}});
    const xt::xarray<float> y = act->forward(xs);
    CHECK((y == xt::xarray<float>{{5, 2, -1}, {0, 7, 9}}));
    const xt::xarray<float> dy = {{10, 20, 30}, {40, 50, 60}};
    const xt::xarray<float> dx = act->backward(xs, dy);
    CHECK((dx == xt::xarray<float>{{0, 10, 20, 0, 30, 0}, {40, 0, 50, 0, 0, 60}}));
    // Fixed-rank arrays along a middle dim: a tie goes to the first piece (-0 against +0
    // too), a NaN is the maximum and takes the gradient.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const xt::xtensor<float, 3> x3 = {{{1, nan}, {1, 3}, {-0.f, 2}, {0, nan}}};
    xt::xtensor<float, 3> y3 = xt::zeros<float>({1, 2, 2}), dx3 = xt::zeros<float>({1, 4, 2});
    actdsl::maxout_forward(x3, y3, 2, 1);
    CHECK(y3(0, 0, 0) == 1);
    CHECK(std::isnan(y3(0, 0, 1)));
    CHECK(y3(0, 1, 0) == 0);
    CHECK(std::isnan(y3(0, 1, 1)));
    actdsl::maxout_backward(x3, xt::xtensor<float, 3>{{{10, 20}, {30, 40}}}, dx3, 2, 1);
    CHECK((dx3 == xt::xtensor<float, 3>{{{10, 20}, {0, 0}, {30, 0}, {0, 40}}}));
    CHECK_THROWS_WITH(actdsl::maxout_backward(x3, y3, dx3, 4, 1), Catch::Contains("dy must have the output's shape (1, 1, 2)"));
    const auto three = actdsl::build_activation_layer({{"type", "Maxout"}, {"pieces", 3}, {"dim", -1}});
    CHECK((three->forward(xs) == xt::xarray<float>{{5, 2}, {7, 9}}));
    CHECK_THROWS_WITH(actdsl::build_activation_layer({{"type", "Maxout"}, {"pieces", 4}})->forward(xs),
                      Catch::Contains("must be a multiple of pieces = 4"));
}

TEST_CASE("the registry: unknown names, bad parameters and user activations are clear errors or just work", "[catalog]") {
    using Catch::Contains;
    using actdsl::build_activation_layer;
    CHECK_THROWS_WITH(build_activation_layer({{"type", "Relu"}}), Contains("unknown type \"Relu\"") && Contains("LeakyReLU") && Contains("ReLU6"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "LeakyReLU"}, {"slope", 0.1}}),
                      Contains("LeakyReLU: unknown parameter slope") && Contains("negative_slope"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "CELU"}, {"alpha", 0}}), Contains("CELU: invalid alpha = 0") && Contains("cannot be 0"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "Softshrink"}, {"lambd", -0.5}}), Contains("lambd = -0.5") && Contains("greater or equal to 0"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "Hardtanh"}, {"min_val", 1}, {"max_val", 1}}),
                      Contains("max_val must be greater than min_val"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "GELU"}, {"approximate", "erf"}}), Contains("must be \"none\" or \"tanh\""));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "ELU"}, {"alpha", "big"}}), Contains("alpha must be a number"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "Threshold"}, {"threshold", 1}}), Contains("missing required parameter value"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "Sigmoid"}, {"inplace", true}}), Contains("unknown parameter inplace (it takes none)"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "RReLU"}, {"lower", 0.5}, {"upper", 0.1}}), Contains("upper must not be less than lower"));
    CHECK_THROWS_WITH(build_activation_layer(nlohmann::json::array()), Contains("string \"type\""));
    CHECK(build_activation_layer({{"type", "ReLU"}, {"inplace", true}})->inplace());

    // Shapes: GLU's odd split and dim out of range, PReLU's channel count.
    const xt::xarray<float> odd = xt::zeros<float>({2, 5});
    CHECK_THROWS_WITH(build_activation_layer({{"type", "GLU"}})->forward(odd), Contains("needs an even size") && Contains("(2, 5)"));
    CHECK_THROWS_WITH(build_activation_layer({{"type", "GLU"}, {"dim", 2}})->forward(odd), Contains("dim 2 is out of range") && Contains("-2 to 1"));
    auto prelu = build_activation_layer({{"type", "PReLU"}, {"num_parameters", 3}});
    const xt::xarray<float> four_channels = xt::zeros<float>({2, 4, 8});
    CHECK_THROWS_WITH(prelu->forward(four_channels), Contains("found 3 weights and 4 channels"));
    const xt::xarray<float> a = xt::zeros<float>({4}), b = xt::zeros<float>({5});
    CHECK_THROWS_WITH(build_activation_layer({{"type", "SiLU"}})->backward(a, b), Contains("the arrays must have the same shape"));

    // A user's activation by name, composed from catalog pieces.
    actdsl::register_activation("SoftplusGate", actdsl::x * actdsl::sigmoid(actdsl::softplus(actdsl::x)));
    const auto mine = build_activation_layer({{"type", "SoftplusGate"}});
    const xt::xarray<double> xs = {-2.0, 0.0, 3.0};
    const xt::xarray<double> y = mine->forward(xs);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const ref::real v = xs(i);
        CHECK(ref::ulp_error<double>(y(i), v * ref::sigmoid(ref::softplus(v))) <= 4);
    }
    const auto names = actdsl::activation_types();
    CHECK(std::find(names.begin(), names.end(), "SoftplusGate") != names.end());
}

TEST_CASE("catalog expressions compose and reach the stable forms", "[catalog]") {
    using namespace actdsl;
    // The user's mish is the catalog's: one node, one exp.
    STATIC_REQUIRE(std::is_same_v<decltype(simplify(x * tanh(softplus(x)))), decltype(simplify(mish(x)))>);
    STATIC_REQUIRE(std::is_same_v<decltype(simplify(log(c<1> + exp(x)))), decltype(simplify(softplus(x)))>);
    STATIC_REQUIRE(std::is_same_v<decltype(simplify(log(sigmoid(x)))), decltype(simplify(logsigmoid(x)))>);
    CHECK(to_string(simplify(x - tanh(x))) == "tanhshrink(x)");
    // Softplus never overflows, whatever beta and threshold are.
    for (const double v : {-1e30, -800.0, 800.0, 1e30}) {
        const double y = evaluate(softplus(x, 3.0, 1e308), v);
        CHECK(std::isfinite(y));
        CHECK(y == Approx(std::max(v, 0.0)).epsilon(1e-12));
    }
    CHECK_THROWS_WITH(celu(x, 0.0), Catch::Contains("alpha must not be 0"));
    CHECK_THROWS_WITH(softshrink(x, -1), Catch::Contains("lambd must be at least 0"));
    CHECK_THROWS_WITH(hardtanh(x, 2.0, -2.0), Catch::Contains("max_val must be greater than min_val"));
}

TEMPLATE_TEST_CASE("backward from the output: after an in-place forward, dx written over dy", "[catalog]", float, double) {
    using T = TestType;
    using namespace actdsl;
    xt::xarray<T> a = xt::linspace<T>(-12, 12, 1001);
    const xt::xarray<T> xs = a;
    const xt::xarray<T> g = xt::linspace<T>(-1, 1, 1001);
    const auto check = [&](const auto& f, const auto& df_of_y, const std::function<ref::real(ref::real)>& exact, const auto&... p) {
        a = xs;
        xt::xarray<T> d = g;
        forward(f, a, a, p...);                      // a = f(x)
        backward_from_output(df_of_y, a, d, d, p...);  // d = g * f'(x), read from a
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const ref::real want = static_cast<ref::real>(g(i)) * exact(xs(i));
            INFO("x = " << xs(i));
            CHECK(std::fabs(d(i) - want) <= 8 * std::numeric_limits<T>::epsilon() * (1 + std::fabs(want)));
        }
    };
    check(sigmoid(x), from_output::sigmoid(), [](ref::real v) { return std::exp(-v) / ((1 + std::exp(-v)) * (1 + std::exp(-v))); });
    check(tanh(x), from_output::tanh(), [](ref::real v) { return 1 / (std::cosh(v) * std::cosh(v)); });
    check(elu(x, 0.5), from_output::elu(0.5), [](ref::real v) { return v > 0 ? 1 : 0.5L * std::exp(v); });
    check(celu(x, -2.0), from_output::celu(-2.0), [](ref::real v) { return v > 0 ? 1 : std::exp(v / -2.0L); });
    check(hardtanh(x, -2.0, 3.0), from_output::hardtanh(-2.0, 3.0), [](ref::real v) { return v > -2 && v < 3 ? 1 : 0; });
    // A parameter bound at run time, as in the other kernels.
    constexpr parameter<"slope"> slope{};
    check(leaky_relu(x, slope), from_output::leaky_relu(slope), [](ref::real v) { return v > 0 ? 1 : 0.125L; }, slope = 0.125);
    CHECK_THROWS_WITH(from_output::elu(-1.0), Catch::Contains("needs alpha >= 0"));
    CHECK_THROWS_WITH(from_output::leaky_relu(-0.1), Catch::Contains("needs negative_slope >= 0"));
}

TEMPLATE_TEST_CASE("RReLU training: uniform slopes from a seed, the same for any split, and backward reuses them", "[catalog]", float, double) {
    using T = TestType;
    const std::size_t n = 100003;
    xt::xarray<T> xs = xt::linspace<T>(-5, 5, n);
    actdsl::rrelu_noise noise{42, 7, 0.1, 0.3};
    xt::xarray<T> y = xt::zeros_like(xs);
    actdsl::rrelu_train_forward(xs, y, noise);
    // Slopes, read back from y where x < 0: inside [lower, upper], mean and variance of U(0.1, 0.3).
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (xs(i) > 0) {
            CHECK(y(i) == xs(i));
            continue;
        }
        if (xs(i) > -0.01) continue;  // the slope's digits are lost when x is tiny
        const double r = static_cast<double>(y(i)) / static_cast<double>(xs(i));
        sum += r;
        sum2 += r * r;
        lo = std::min(lo, r);
        hi = std::max(hi, r);
        ++count;
    }
    const double mean = sum / double(count), var = sum2 / double(count) - mean * mean;
    CHECK(lo >= 0.1 - 1e-6);
    CHECK(hi <= 0.3 + 1e-6);
    CHECK(mean == Approx(0.2).margin(0.002));               // sd of the mean: 0.058 / sqrt(50000) = 0.0003
    CHECK(var == Approx(0.04 / 12).epsilon(0.03));
    // Any split of the array gives the same numbers: the generator is keyed by the element's index.
    xt::xarray<T> halves = xt::zeros_like(xs);
    auto first = xt::view(halves, xt::range(0, 777));
    actdsl::rrelu_train_forward(xt::xarray<T>(xt::view(xs, xt::range(0, 777))), first, noise);
    CHECK(xt::all(xt::equal(xt::view(halves, xt::range(0, 777)), xt::view(y, xt::range(0, 777)))));
    // A transposed (non-contiguous) input numbers elements in row-major order, like a contiguous one.
    xt::xarray<T> m = xt::reshape_view(xs, {n, std::size_t{1}});
    xt::xarray<T> ym = xt::zeros_like(m);
    actdsl::rrelu_train_forward(xt::transpose(xt::transpose(m)), ym, noise);
    CHECK(xt::all(xt::equal(xt::flatten(ym), y)));
    // Another step draws other slopes; backward with the forward's noise uses its slopes.
    xt::xarray<T> y2 = xt::zeros_like(xs);
    actdsl::rrelu_train_forward(xs, y2, actdsl::rrelu_noise{42, 8, 0.1, 0.3});
    CHECK(xt::any(xt::not_equal(y, y2)));
    const xt::xarray<T> dy = xt::ones_like(xs) * T(2);
    xt::xarray<T> dx = xt::zeros_like(xs);
    actdsl::rrelu_train_backward(xs, dy, dx, noise);
    for (std::size_t i = 0; i < n; i += 97)
        if (xs(i) < -0.01) CHECK(dx(i) / T(2) == Approx(static_cast<double>(y(i)) / static_cast<double>(xs(i))).epsilon(1e-5));
    // Through the registry: training mode needs a seed and gives a fresh draw per forward.
    const auto act = actdsl::build_activation_layer({{"type", "RReLU"}, {"training", true}, {"seed", 3}});
    const xt::xarray<T> a = act->forward(xs);
    const xt::xarray<T> da = act->backward(xs, dy);
    const xt::xarray<T> b = act->forward(xs);
    CHECK(xt::any(xt::not_equal(a, b)));
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double expected = xs(i) > 0 ? 2.0 : 2.0 * static_cast<double>(a(i)) / static_cast<double>(xs(i));
        if (std::fabs(xs(i)) > T(0.01) && std::fabs(static_cast<double>(da(i)) - expected) > 1e-5) ++wrong;
    }
    CHECK(wrong == 0);
}

TEMPLATE_TEST_CASE("RReLU training: the slopes are SplitMix64's outputs, whatever the instruction set or the chunk", "[catalog]", float,
                   double) {
    using T = TestType;
    // SplitMix64 written out here, apart from the library's (vectorised) generator:
    // u_i = (top digits of mix(key + (i + 1) golden)) / 2^digits, slope i = lower + (upper - lower) u_i.
    const auto mix = [](std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
    const std::uint64_t seed = 42, step = 7;
    const std::uint64_t key = mix(mix(seed + golden) + step * golden);
    constexpr int digits = std::numeric_limits<T>::digits;
    const std::size_t n = 3 * 2048 + 37;  // three chunks and a partial one
    const xt::xarray<T> xs = -xt::ones<T>({n});
    for (const auto& [lower, upper] : {std::pair{0.125, 0.375}, std::pair{1.0 / 8, 1.0 / 3}}) {
        INFO("lower " << lower << ", upper " << upper);
        xt::xarray<T> y = xt::zeros_like(xs);
        actdsl::rrelu_train_forward(xs, y, actdsl::rrelu_noise{seed, step, lower, upper});
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t top = mix(key + (i + 1) * golden) >> (64 - digits);
            const long double u = static_cast<long double>(top) / static_cast<long double>(std::uint64_t{1} << digits);
            // The product rounded to T, then the sum (volatile: no fma here either). For
            // 0.125 + 0.25 u the product is exact and the sum is u's exact value rounded once.
            const volatile T product = static_cast<T>(upper - lower) * static_cast<T>(u);
            const T expected = static_cast<T>(lower) + product;
            wrong += -y(i) != expected;
        }
        CHECK(wrong == 0);
    }
}

TEST_CASE("the catalog list: the registry, the references, PyTorch's data and the docs cover every entry, and only those",
          "[catalog]") {
    std::set<std::string> types;
    actdsl::catalog::for_each_entry([&](const auto& e) {
        CHECK(types.insert(std::string(e.type)).second);  // no type twice
        CHECK((e.library == "torch.nn" || e.library == "jax.nn"));
    });
    std::set<std::string> builtin;
    for (const auto& [type, build] : actdsl::catalog_detail::builtin_activations()) builtin.insert(type);
    CHECK(builtin == types);

    // PyTorch's values (scripts/torch_reference.py): every config is of a listed type, and
    // every example of a torch.nn entry is among them.
    std::set<std::string> torch_configs;
    for (const auto& c : torch_data().at("dtypes").at("float32").at("elementwise")) {
        torch_configs.insert(c.at("config").dump());
        CHECK(types.count(c.at("config").at("type").get<std::string>()) == 1);
    }
    std::ifstream in(ACTDSL_TEST_DATA "/../../docs/catalog.md");
    REQUIRE(in);
    std::stringstream docs;
    docs << in.rdbuf();
    const std::string text = docs.str();

    const xt::xarray<double> xs = {-30.0, -2.5, -1.0, -0.25, 0.0, 0.75, 1.5, 4.0, 30.0};
    std::set<std::string> functions;
    actdsl::catalog::for_each_example([&](const auto& e, const auto& example) {
        const std::string function(example.function);
        const nlohmann::json config = nlohmann::json::parse(std::string(example.config));
        INFO(function << ": " << example.config);
        CHECK(functions.insert(function).second);
        CHECK(config.at("type").get<std::string>() == e.type);
        if (e.library == "torch.nn") CHECK(torch_configs.count(config.dump()) == 1);
        CHECK_NOTHROW(ref::reference_for(config));
        CHECK(text.find("`" + function + "(") != std::string::npos);
        CHECK(text.find(std::string(e.type)) != std::string::npos);
        // The config builds the example's activation: the same bits through the registry.
        xt::xarray<double> y = xt::zeros_like(xs);
        actdsl::forward(example.make(), xs, y);
        CHECK(xt::all(xt::equal(actdsl::build_activation_layer(config)->forward(xs), y)));
    });
}

TEMPLATE_TEST_CASE("Squareplus: the gradient in b keeps its value for large |x|, and a large b stays within 4 ULPs", "[catalog]",
                   float, double) {
    using T = TestType;
    constexpr actdsl::parameter<"b"> b{};
    const auto f = actdsl::squareplus(actdsl::x, b);
    for (const T v : {T(5), T(-5), T(3e15), T(-3e15), T(1e20), T(-1e20), std::numeric_limits<T>::max()}) {
        xt::xtensor<T, 1> xs = {v}, dy = {T(1)}, dx = {T(0)};
        double db = 0;
        actdsl::backward(f, xs, dy, dx, actdsl::parameter_gradients(db), b = 4.0);
        // squareplus = (x + sqrt(x^2 + b)) / 2 for every x, so d/db = 1 / (4 sqrt(x^2 + b)).
        const ref::real want = 1 / (4 * std::sqrt(ref::real(v) * ref::real(v) + 4));
        INFO("x = " << v);
        CHECK(ref::ulp_error<T>(static_cast<T>(db), want) <= 2);
    }
    const auto big = actdsl::squareplus(actdsl::x, 1e10);
    std::vector<T> values = ref::uniform_values<T>(10000, T(-1), T(1));
    for (auto& v : values) v = std::ldexp(v, static_cast<int>((std::numeric_limits<T>::max_exponent - 1) * std::fabs(v)));
    xt::xtensor<T, 1> xs = xt::adapt(values, {values.size()}), y = xt::zeros<T>({values.size()});
    actdsl::forward(big, xs, y);
    ref::real worst = 0;
    T worst_at = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const ref::real v = xs(i), root = std::sqrt(v * v + ref::real(1e10));
        const ref::real want = v < 0 ? ref::real(1e10) / (2 * (root - v)) : (v + root) / 2;
        const ref::real error = ref::ulp_error<T>(y(i), want);
        if (!(error <= worst)) worst = error, worst_at = xs(i);
    }
    INFO("largest error " << static_cast<double>(worst) << " ULPs at x = " << worst_at);
    CHECK(worst <= 4);
}
