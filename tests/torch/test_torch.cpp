// The PyTorch bridge (actdsl/torch.hpp) against PyTorch's own autograd on the
// same formulas written with ATen's operations, in float64, and against central
// finite differences: values, gradients, double and triple backward, several
// inputs, strided tensors, and bad input.
#include <cmath>
#include <string>
#include <vector>

// PyTorch's logging defines CHECK too: Catch's, included last, is the one used here.
#include <actdsl/torch.hpp>
#include <torch/csrc/autograd/autograd.h>

#include <catch2/catch.hpp>

using namespace actdsl;
namespace ag = ::torch::autograd;

namespace {

constexpr parameter<"beta"> beta;

// The largest |a - b| / (abs_tol + rel_tol * scale * |b|): at most 1 when a is within
// tolerance of b. scale (per element, default 1) carries the conditioning of what is compared.
double worst(const at::Tensor& a, const at::Tensor& b, double abs_tol, double rel_tol, const at::Tensor& scale = {}) {
    REQUIRE(a.sizes() == b.sizes());
    const at::Tensor ad = a.to(at::kDouble), bd = b.to(at::kDouble);
    const at::Tensor s = scale.defined() ? scale.to(at::kDouble) : at::ones_like(bd);
    return ((ad - bd).abs() / (abs_tol + rel_tol * s * bd.abs())).max().item<double>();
}

// The call throws a c10::Error (PyTorch's error type) whose message contains text.
#define CHECK_C10_ERROR(call, text)       \
    do {                                  \
        CHECK_THROWS_AS(call, c10::Error);  \
        CHECK_THROWS_WITH(call, Catch::Contains(text)); \
    } while (false)

at::Tensor leaf(const at::Tensor& t) { return t.detach().clone().requires_grad_(true); }

// Sample points where PyTorch's autograd of the plain formula is itself accurate
// (past |x| = 20 its second derivative of swish cancels to 0), and exact zeros.
at::Tensor points(at::ScalarType type) {
    std::vector<double> v;
    for (int i = -400; i <= 400; ++i) v.push_back(0.05 * i);
    for (double t : {1e-300, -1e-300, 0.0, -0.0}) v.push_back(t);
    return at::tensor(v, at::kDouble).to(type);
}

// First, second and third derivatives of sum(f(x; beta)) by autograd, each with
// the graph kept so the next one can be taken.
struct derivatives {
    at::Tensor y, dx, dbeta, d2x, d2x_beta, d3x;
};

template <class F>
derivatives take(F&& f, const at::Tensor& x, const at::Tensor& b, bool third) {
    derivatives d;
    d.y = f(x, b);
    auto g1 = ag::grad({d.y.sum()}, {x, b}, {}, true, true);
    d.dx = g1[0];
    d.dbeta = g1[1];
    auto g2 = ag::grad({d.dx.sum()}, {x, b}, {}, true, true);
    d.d2x = g2[0];
    d.d2x_beta = g2[1];
    if (third) d.d3x = ag::grad({d.d2x.sum()}, {x}, {}, true, true)[0];
    return d;
}

const auto torch_swish = [](const at::Tensor& x, const at::Tensor& b) { return x * at::sigmoid(b * x); };

}  // namespace

TEST_CASE("swish: values and derivatives to order 3 match PyTorch's autograd in float64", "[torch]") {
    const auto swish = actdsl::torch::function<3>(x * sigmoid(beta * x), beta);
    const at::Tensor x0 = points(at::kDouble);
    const at::Tensor b0 = at::scalar_tensor(1.25, at::kDouble);
    const auto ours = take(swish, leaf(x0), leaf(b0), true);
    const auto theirs = take(torch_swish, leaf(x0), leaf(b0), true);
    // Elementwise results to within a few float64 ULPs (absolute 1e-14 where a derivative
    // is a difference of O(1) terms); the parameter's sums to within their terms' rounding.
    CHECK(worst(ours.y, theirs.y, 1e-300, 1e-14) <= 1);
    CHECK(worst(ours.dx, theirs.dx, 1e-15, 1e-13) <= 1);
    CHECK(worst(ours.dbeta, theirs.dbeta, 1e-12, 1e-13) <= 1);
    CHECK(worst(ours.d2x, theirs.d2x, 1e-14, 1e-12) <= 1);
    CHECK(worst(ours.d2x_beta, theirs.d2x_beta, 1e-11, 1e-12) <= 1);
    CHECK(worst(ours.d3x, theirs.d3x, 1e-13, 1e-11) <= 1);
    CHECK(ours.y.dtype() == at::kDouble);
    CHECK(ours.dbeta.dim() == 0);
}

TEST_CASE("swish's tails: derivatives where PyTorch's own cancel, against closed forms", "[torch]") {
    // t = beta x, s = sigmoid(t), 1 - s and s written without cancellation:
    // f = x s, f' = s + t s (1 - s), f'' = beta s (1 - s) (2 + t ((1 - s) - s)).
    const double b = 1.25;
    const auto swish = actdsl::torch::function<2>(x * sigmoid(beta * x), beta);
    const std::vector<double> xs{-700, -90, -40, -25, 25, 40, 90, 700};
    const at::Tensor x0 = leaf(at::tensor(xs, at::kDouble));
    const auto d = take(swish, x0, leaf(at::scalar_tensor(b, at::kDouble)), false);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const double t = b * xs[i], e = std::exp(-std::abs(t));
        const double s = t >= 0 ? 1 / (1 + e) : e / (1 + e), r = t >= 0 ? e / (1 + e) : 1 / (1 + e);
        const double expect[3] = {xs[i] * s, s + t * s * r, b * s * r * (2 + t * (r - s))};
        const double got[3] = {d.y[i].item<double>(), d.dx[i].item<double>(), d.d2x[i].item<double>()};
        for (int k = 0; k < 3; ++k) {
            INFO("x = " << xs[i] << ", derivative " << k << ": " << got[k] << " against " << expect[k]);
            CHECK(std::abs(got[k] - expect[k]) <= 1e-13 * std::abs(expect[k]) + 1e-300);
        }
    }
    // At x = 40, PyTorch's autograd of the same formula gives f'' = 0 (true -1.157e-20).
    CHECK(d.d2x[5].item<double>() < -1e-20);
}

TEST_CASE("swish in float32: values and gradients within float tolerance of float64 PyTorch", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor x0 = points(at::kFloat);
    const at::Tensor b0 = at::scalar_tensor(1.25, at::kFloat);
    const auto ours = take(swish, leaf(x0), leaf(b0), false);
    const auto theirs = take(torch_swish, leaf(x0.to(at::kDouble)), leaf(b0.to(at::kDouble)), false);
    CHECK(ours.y.dtype() == at::kFloat);
    CHECK(ours.dbeta.dtype() == at::kFloat);
    // Float's rounding of beta * x is amplified by sigmoid's conditioning, |beta x (1 - s)|:
    // the tolerance is 3 ULPs (3.6e-7) times 1 + |beta x|.
    const at::Tensor cond = 1 + (1.25 * x0.to(at::kDouble)).abs();
    CHECK(worst(ours.y, theirs.y, 1e-38, 3.6e-7, cond) <= 1);
    CHECK(worst(ours.dx, theirs.dx, 1e-7, 3.6e-7, cond) <= 1);
    CHECK(worst(ours.dbeta, theirs.dbeta, 1e-5, 1e-6) <= 1);
    CHECK(worst(ours.d2x, theirs.d2x, 1e-6, 1e-6, cond) <= 1);
}

TEST_CASE("the gradients agree with central finite differences of the forward values", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor x0 = at::linspace(-6, 6, 97, at::kDouble);
    const at::Tensor b0 = at::scalar_tensor(0.75, at::kDouble);
    const at::Tensor xs = leaf(x0), bs = leaf(b0);
    const at::Tensor y = swish(xs, bs);
    const auto g = ag::grad({y.sum()}, {xs, bs});
    const double h = 1e-6;
    at::NoGradGuard no_grad;
    const at::Tensor fd_x = (swish(x0 + h, b0) - swish(x0 - h, b0)) / (2 * h);
    const at::Tensor fd_b = (swish(x0, b0 + h).sum() - swish(x0, b0 - h).sum()) / (2 * h);
    CHECK(worst(g[0], fd_x, 1e-8, 1e-7) <= 1);
    CHECK(worst(g[1], fd_b, 1e-8, 1e-7) <= 1);
}

TEST_CASE("double backward differentiates by the incoming gradient too", "[torch]") {
    // d/d(dy) of dx = dy * f'(x) is f'(x); d/dx is dy * f''(x).
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor x0 = at::linspace(-5, 5, 41, at::kDouble);
    const at::Tensor dy0 = at::linspace(0.5, 2.0, 41, at::kDouble);
    const at::Tensor b0 = at::scalar_tensor(1.5, at::kDouble);
    auto run = [&](auto&& f) {
        const at::Tensor xs = leaf(x0), dys = leaf(dy0), bs = leaf(b0);
        const at::Tensor y = f(xs, bs);
        const at::Tensor dx = ag::grad({y}, {xs}, {dys}, true, true)[0];
        return ag::grad({(dx * dx).sum()}, {xs, dys, bs});
    };
    const auto ours = run(swish);
    const auto theirs = run(torch_swish);
    for (std::size_t i = 0; i < 3; ++i) CHECK(worst(ours[i], theirs[i], 1e-15, 1e-12) <= 1);
}

TEST_CASE("an order past the one built for raises an error naming the order to ask for", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor xs = leaf(at::linspace(-2, 2, 5, at::kDouble));
    const at::Tensor bs = leaf(at::scalar_tensor(1.0, at::kDouble));
    const auto d = take(swish, xs, bs, false);
    CHECK(d.d2x.defined());
    try {
        (void)ag::grad({d.d2x.sum()}, {xs});
        FAIL("a third derivative of a function built for order 2 must throw");
    } catch (const std::exception& e) {
        CHECK_THAT(e.what(), Catch::Contains("derivatives up to order 2") && Catch::Contains("actdsl::torch::function<3>"));
    }
    // Order 1: the gradient has no graph to differentiate.
    const auto once = actdsl::torch::function<1>(x * sigmoid(beta * x), beta);
    const at::Tensor y = once(xs, bs);
    const at::Tensor dx = ag::grad({y.sum()}, {xs}, {}, true, true)[0];
    CHECK_THROWS_WITH(ag::grad({dx.sum()}, {xs}), Catch::Contains("actdsl::torch::function<2>"));
}

TEST_CASE("several inputs: a * sigmoid(b) gives both gradients and their derivatives", "[torch]") {
    constexpr variable<"a"> a;
    constexpr variable<"b"> b;
    const auto glu = actdsl::torch::function(a * sigmoid(b), a, b);
    const at::Tensor a0 = at::linspace(-3, 3, 31, at::kDouble), b0 = at::linspace(4, -4, 31, at::kDouble);
    auto run = [&](auto&& f) {
        const at::Tensor as = leaf(a0), bs = leaf(b0);
        const at::Tensor y = f(as, bs);
        const auto g = ag::grad({y.sum()}, {as, bs}, {}, true, true);
        const auto gg = ag::grad({(g[0] * g[1]).sum()}, {as, bs});
        return std::vector<at::Tensor>{y, g[0], g[1], gg[0], gg[1]};
    };
    const auto ours = run(glu);
    const auto theirs = run([](const at::Tensor& p, const at::Tensor& q) { return p * at::sigmoid(q); });
    for (std::size_t i = 0; i < ours.size(); ++i) CHECK(worst(ours[i], theirs[i], 1e-300, 1e-13) <= 1);
}

TEST_CASE("literals, linear terms and parameters that derivatives drop", "[torch]") {
    // 1.702 is a runtime literal; x + beta has d/dbeta = 1; 2 * x has a zero second derivative.
    const auto gelu_sigmoid = actdsl::torch::function(x * sigmoid(1.702 * x));
    const auto shifted = actdsl::torch::function(x + beta, beta);
    const auto doubled = actdsl::torch::function(2 * x);
    const at::Tensor x0 = at::linspace(-3, 3, 13, at::kDouble);
    const at::Tensor xs = leaf(x0), bs = leaf(at::scalar_tensor(0.5, at::kDouble));

    const at::Tensor y1 = gelu_sigmoid(xs);
    CHECK(worst(y1, x0 * at::sigmoid(1.702 * x0), 1e-300, 1e-14) <= 1);

    const auto g2 = ag::grad({shifted(xs, bs).sum()}, {xs, bs});
    CHECK(at::equal(g2[0], at::ones_like(x0)));
    CHECK(g2[1].item<double>() == 13.0);

    const at::Tensor d1 = ag::grad({doubled(xs).sum()}, {xs}, {}, true, true)[0];
    CHECK(at::equal(d1, at::full_like(x0, 2.0)));
    const at::Tensor d2 = ag::grad({d1.sum()}, {xs}, {}, false, false, true)[0];
    CHECK((!d2.defined() || at::equal(d2, at::zeros_like(x0))));
}

TEST_CASE("strided, transposed and expanded tensors give the bits of contiguous ones", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor base = at::linspace(-8, 8, 60 * 70, at::kFloat).reshape({60, 70});
    const at::Tensor b0 = at::scalar_tensor(1.1, at::kFloat);
    for (const at::Tensor& view : {base.t(), base.slice(1, 0, 70, 3), base.select(1, 5), base.slice(0, 0, 1).expand({40, 70})}) {
        REQUIRE(!view.is_contiguous());
        const at::Tensor xs = leaf(view), contiguous = leaf(view.contiguous());
        const at::Tensor y1 = swish(xs, b0), y2 = swish(contiguous, b0);
        CHECK(at::equal(y1, y2));
        CHECK(y1.is_contiguous());
        const at::Tensor dy = at::linspace(-1, 1, view.numel(), at::kFloat).reshape(view.sizes());
        CHECK(at::equal(ag::grad({y1}, {xs}, {dy.t().contiguous().t().reshape(view.sizes())})[0],
                        ag::grad({y2}, {contiguous}, {dy})[0]));
    }
}

TEST_CASE("no graph where nothing requires grad, and inputs are left as they were", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor x0 = at::linspace(-3, 3, 7, at::kFloat);
    const at::Tensor copy = x0.clone();
    const at::Tensor y = swish(x0, at::scalar_tensor(1.0));
    CHECK(!y.requires_grad());
    CHECK(!y.grad_fn());
    CHECK(at::equal(x0, copy));
    at::NoGradGuard no_grad;
    CHECK(!swish(leaf(x0), at::scalar_tensor(1.0)).requires_grad());
}

TEST_CASE("0-d and empty tensors", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor b = leaf(at::scalar_tensor(2.0, at::kDouble));
    const at::Tensor scalar = leaf(at::scalar_tensor(0.5, at::kDouble));
    const at::Tensor y = swish(scalar, b);
    CHECK(y.dim() == 0);
    CHECK(y.item<double>() == Approx(0.5 / (1 + std::exp(-1.0))).epsilon(1e-15));
    const auto g = ag::grad({y}, {scalar, b});
    CHECK(g[0].dim() == 0);
    CHECK(g[1].dim() == 0);
    const at::Tensor empty = leaf(at::empty({0, 3}, at::kDouble));
    const at::Tensor ye = swish(empty, b);
    CHECK(ye.sizes() == empty.sizes());
    const auto ge = ag::grad({ye.sum()}, {empty, b});
    CHECK(ge[0].sizes() == empty.sizes());
    CHECK(ge[1].item<double>() == 0.0);
}

TEST_CASE("bad tensors raise a c10::Error that says what is supported", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    constexpr variable<"a"> a;
    constexpr variable<"b"> b;
    const auto glu = actdsl::torch::function(a * sigmoid(b), a, b);
    const at::Tensor x0 = at::linspace(-3, 3, 7, at::kFloat);
    const at::Tensor one = at::scalar_tensor(1.0);
    CHECK_C10_ERROR(swish(x0.to(at::kInt), one), "float32 or float64");
    CHECK_C10_ERROR(swish(x0.to(at::kHalf), one), "float32 or float64");
    CHECK_C10_ERROR(swish(at::empty({7}, at::TensorOptions().device(at::kMeta)), one), "CPU tensors only");
    CHECK_C10_ERROR(swish(x0, at::ones({2})), "parameter beta must hold one value");
    CHECK_C10_ERROR(swish(x0, at::ones({}, at::kInt)), "floating-point");
    CHECK_C10_ERROR(swish(at::Tensor(), one), "undefined");
    CHECK_C10_ERROR(glu(x0, x0.reshape({7, 1})), "one shape");
    CHECK_C10_ERROR(glu(x0, x0.to(at::kDouble)), "one dtype");
}

TEST_CASE("a second backward through a freed graph says to retain it", "[torch]") {
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor xs = leaf(at::linspace(-3, 3, 7, at::kDouble));
    const at::Tensor y = swish(xs, at::scalar_tensor(1.0, at::kDouble)).sum();
    y.backward();
    CHECK_THROWS_WITH(y.backward(), Catch::Contains("retain_graph"));
}

TEST_CASE("function_from_output keeps y, not x: gradients and double backward from the output", "[torch]") {
    // sigmoid' = y (1 - y): at points where that is accurate (|x| <= 10), against PyTorch's
    // sigmoid, which keeps its output too.
    const auto sig = actdsl::torch::function_from_output(sigmoid(x), from_output::sigmoid());
    const at::Tensor x0 = at::linspace(-10, 10, 81, at::kDouble);
    const auto run = [&](auto&& f) {
        const at::Tensor xs = leaf(x0);
        const at::Tensor h = xs * 2.0;  // a non-leaf input, changed in place after the call
        const at::Tensor y = f(h);
        h.add_(1.0);
        const at::Tensor dx = ag::grad({y.sum()}, {xs}, {}, true, true)[0];
        const at::Tensor d2x = ag::grad({(dx * dx).sum()}, {xs})[0];
        return std::vector<at::Tensor>{y, dx, d2x};
    };
    const auto ours = run(sig);
    const auto theirs = run([](const at::Tensor& t) { return at::sigmoid(t); });
    for (std::size_t i = 0; i < ours.size(); ++i) CHECK(worst(ours[i], theirs[i], 1e-300, 1e-13) <= 1);

    const at::Tensor xs = leaf(x0);
    const at::Tensor y = sig(xs);
    CHECK(y.grad_fn()->name() == "actdsl::torch::function_from_output");
    y.mul_(2.0);  // the output it keeps, changed: PyTorch's version check catches it
    CHECK_THROWS_WITH(ag::grad({y.sum()}, {xs}), Catch::Contains("modified by an inplace operation"));
    // Order 1: the gradient has no graph to differentiate.
    const auto once = actdsl::torch::function_from_output<1>(relu(x), from_output::relu());
    const at::Tensor x1 = leaf(x0);
    const at::Tensor dx = ag::grad({once(x1).sum()}, {x1}, {}, true, true)[0];
    CHECK_THROWS_WITH(ag::grad({dx.sum()}, {x1}), Catch::Contains("actdsl::torch::function<2>"));
}
