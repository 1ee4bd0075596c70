// actdsl::torch's softmax family (actdsl/torch/softmax.hpp) against PyTorch's own:
// values, gradients and second derivatives in float64 along every dim of a strided
// input, float32 values, 0-d and empty inputs, the errors, and the nn twins.
#include <functional>
#include <sstream>
#include <string>
#include <vector>

// PyTorch's logging defines CHECK too: Catch's, included last, is the one used here.
#include <torch/nn/modules/container/sequential.h>
#include <actdsl/torch/softmax.hpp>

#include <catch2/catch.hpp>

namespace {

using op = std::function<at::Tensor(const at::Tensor&, std::int64_t)>;

struct pair_of_ops {
    const char* name;
    op ours, theirs;
};

std::vector<pair_of_ops> family() {
    return {
        {"softmax", actdsl::torch::softmax, [](const at::Tensor& x, std::int64_t d) { return at::softmax(x, d); }},
        {"log_softmax", actdsl::torch::log_softmax,
         [](const at::Tensor& x, std::int64_t d) { return at::log_softmax(x, d); }},
        {"softmin", actdsl::torch::softmin, [](const at::Tensor& x, std::int64_t d) { return at::softmax(-x, d); }},
    };
}

// The largest |a - b| / (1e-13 + 1e-12 |b|): two float64 implementations agree to a
// few ULPs (1e-12 is thousands of them; a wrong formula or axis is off by far more).
double worst(const at::Tensor& a, const at::Tensor& b) {
    REQUIRE(a.sizes() == b.sizes());
    return ((a - b).abs() / (1e-13 + 1e-12 * b.abs())).max().item<double>();
}

// A (3, 5, 7) float64 tensor read through a transposed, non-contiguous view.
at::Tensor strided_input() {
    at::manual_seed(7);
    return (at::randn({7, 5, 3}, at::kDouble) * 4).transpose(0, 2);
}

// y, dL/dx and d(dL/dx . v)/dx for L = sum(y * w): the first and second derivatives.
std::vector<at::Tensor> derivatives(const op& f, const at::Tensor& x0, std::int64_t dim) {
    const at::Tensor x = x0.detach().clone().requires_grad_(true);  // clone keeps x0's strides
    const at::Tensor w = at::linspace(-1, 1, x0.numel(), at::kDouble).reshape(x0.sizes());
    const at::Tensor v = at::cos(at::arange(x0.numel(), at::kDouble)).reshape(x0.sizes());
    const at::Tensor y = f(x, dim);
    const at::Tensor g =
        ::torch::autograd::grad({(y * w).sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    const at::Tensor h = ::torch::autograd::grad({(g * v).sum()}, {x})[0];
    return {y.detach(), g.detach(), h};
}

}  // namespace

TEST_CASE("torch softmax family: values, gradients and double backward match PyTorch's, float64, every dim",
          "[torch][softmax]") {
    const at::Tensor x = strided_input();
    REQUIRE_FALSE(x.is_contiguous());
    for (const auto& f : family())
        for (const std::int64_t dim : {0, 1, 2, -1, -3}) {
            INFO(f.name << " along dim " << dim);
            const auto ours = derivatives(f.ours, x, dim), theirs = derivatives(f.theirs, x, dim);
            CHECK(worst(ours[0], theirs[0]) <= 1);
            CHECK(worst(ours[1], theirs[1]) <= 1);
            CHECK(worst(ours[2], theirs[2]) <= 1);
            CHECK(ours[0].is_contiguous());
        }
}

TEST_CASE("torch softmax family: float32 values within the kernels' bounds of PyTorch's float64", "[torch][softmax]") {
    const at::Tensor x = strided_input().to(at::kFloat), exact_x = x.to(at::kDouble);
    const double eps = 0x1p-23;
    for (const auto& f : family()) {
        INFO(f.name);
        const at::Tensor ours = f.ours(x, 1).to(at::kDouble), truth = f.theirs(exact_x, 1);
        // tests/test_softmax.cpp's bound: x - max rounds once, and exp amplifies that by |x - max|.
        const at::Tensor shifted = std::string(f.name) == "softmin" ? -exact_x : exact_x;
        const at::Tensor spread = 1 + (shifted - std::get<0>(shifted.max(1, /*keepdim=*/true))).abs();
        const at::Tensor bound = std::string(f.name) == "log_softmax" ? 8 * eps * (spread + truth.abs())
                                                                      : 8 * eps * spread * truth + 0x1p-126;
        CHECK(((ours - truth).abs() <= bound).all().item<bool>());
    }
}

TEST_CASE("torch softmax family: the gradient without create_graph is the fused kernel's, and matches",
          "[torch][softmax]") {
    const at::Tensor x0 = strided_input();
    for (const auto& f : family()) {
        INFO(f.name);
        const at::Tensor x = x0.detach().clone().requires_grad_(true), xt = x0.detach().clone().requires_grad_(true);
        const at::Tensor dy = at::sin(at::arange(x0.numel(), at::kDouble)).reshape(x0.sizes());
        f.ours(x, 2).backward(dy);
        f.theirs(xt, 2).backward(dy);
        CHECK(worst(x.grad(), xt.grad()) <= 1);
    }
}

TEST_CASE("torch softmax family: 0-d and empty inputs as PyTorch's", "[torch][softmax]") {
    const at::Tensor scalar = at::scalar_tensor(3.5, at::kDouble);
    REQUIRE(scalar.dim() == 0);
    CHECK(actdsl::torch::softmax(scalar, 0).item<double>() == 1.0);
    CHECK(actdsl::torch::softmin(scalar, -1).item<double>() == 1.0);
    CHECK(actdsl::torch::log_softmax(scalar, 0).item<double>() == 0.0);
    CHECK(actdsl::torch::softmax(scalar, 0).dim() == 0);
    const at::Tensor empty = at::zeros({0, 4}, at::kFloat);
    CHECK(actdsl::torch::softmax(empty, 1).sizes() == empty.sizes());
    CHECK(actdsl::torch::log_softmax(empty, 0).numel() == 0);
}

TEST_CASE("torch softmax family: bad inputs raise what PyTorch raises, or say what is supported", "[torch][softmax]") {
    const at::Tensor x = at::zeros({2, 3}, at::kFloat);
    CHECK_THROWS_WITH(actdsl::torch::softmax(x, 2),
                      Catch::Contains("Dimension out of range (expected to be in range of [-2, 1], but got 2)"));
    CHECK_THROWS_WITH(actdsl::torch::log_softmax(x, -3), Catch::Contains("but got -3"));
    CHECK_THROWS_WITH(actdsl::torch::softmax(at::zeros({2, 3}, at::kInt), 1), Catch::Contains("float32 or float64"));
    CHECK_THROWS_WITH(actdsl::torch::softmin(at::Tensor(), 0), Catch::Contains("undefined tensor"));
}

TEST_CASE("torch::nn twins Softmax, LogSoftmax, Softmin: libtorch's options, printing and clone, actdsl's kernels",
          "[torch][softmax][nn]") {
    const at::Tensor x = strided_input();
    actdsl::torch::nn::Softmax softmax(::torch::nn::SoftmaxOptions(1));
    actdsl::torch::nn::LogSoftmax log_softmax(::torch::nn::LogSoftmaxOptions(-1));
    actdsl::torch::nn::Softmin softmin(::torch::nn::SoftminOptions(0));
    CHECK(worst(softmax(x), ::torch::nn::Softmax(::torch::nn::SoftmaxOptions(1))(x)) <= 1);
    CHECK(worst(log_softmax(x), ::torch::nn::LogSoftmax(::torch::nn::LogSoftmaxOptions(-1))(x)) <= 1);
    CHECK(worst(softmin(x), ::torch::nn::Softmin(::torch::nn::SoftminOptions(0))(x)) <= 1);

    std::ostringstream printed;
    printed << *softmax;
    CHECK(printed.str() == "actdsl::torch::nn::Softmax(dim=1)");

    auto copy = std::dynamic_pointer_cast<actdsl::torch::nn::SoftmaxImpl>(softmax->clone());
    REQUIRE(copy);
    softmax->options.dim(0);  // options changed after construction are honoured, and the copy keeps its own
    CHECK(worst(softmax(x), at::softmax(x, 0)) <= 1);
    CHECK(worst(copy->forward(x), at::softmax(x, 1)) <= 1);

    ::torch::nn::Sequential net(softmin);
    CHECK(worst(net->forward(x), at::softmax(-x, 0)) <= 1);
}
