// actdsl::torch::nn (actdsl/torch/nn.hpp) against libtorch's own modules: values and
// gradients in float64 for every twin, PReLU's parameter and state dict, RReLU's
// modes, clone, options set after construction, and the config-built Activation.
#include <cmath>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// PyTorch's logging defines CHECK too: Catch's, included last, is the one used here.
#include <actdsl/torch/nn.hpp>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <catch2/catch.hpp>

namespace {

namespace tnn = ::torch::nn;
namespace ann = actdsl::torch::nn;

// Points on both sides of every kink of the catalog's defaults, and exact zeros.
at::Tensor points() {
    std::vector<double> v;
    for (int i = -240; i <= 240; ++i) v.push_back(0.05 * i + 0.0125);
    for (double t : {0.0, -0.0, 1e-300, -1e-300, 30.0, -30.0, 700.0}) v.push_back(t);
    return at::tensor(v, at::kDouble).reshape({-1, 2});
}

// The largest |a - b| / (1e-12 + 1e-11 |b|): float64 results of two correct
// implementations (libtorch's formulas lose a few ULPs; 1e-11 is thousands of them).
double worst(const at::Tensor& a, const at::Tensor& b) {
    REQUIRE(a.sizes() == b.sizes());
    return ((a - b).abs() / (1e-12 + 1e-11 * b.abs())).max().item<double>();
}

// Forward and input gradient (of sum(y * w), w fixed weights) of a module.
template <class Module>
std::pair<at::Tensor, at::Tensor> value_and_gradient(Module& m, const at::Tensor& x0) {
    const at::Tensor x = x0.detach().clone().requires_grad_(true);
    const at::Tensor y = m(x);
    const at::Tensor w = at::linspace(-1, 2, y.numel(), at::kDouble).reshape(y.sizes());
    (y * w).sum().backward();
    return {y.detach(), x.grad()};
}

template <class Ours, class Theirs>
void same_as_libtorch(const std::string& name, Ours ours, Theirs theirs) {
    INFO(name);
    ours->to(at::kDouble);
    theirs->to(at::kDouble);
    const auto [y, dx] = value_and_gradient(ours, points());
    const auto [ty, tdx] = value_and_gradient(theirs, points());
    CHECK(worst(y, ty) <= 1);
    CHECK(worst(dx, tdx) <= 1);
}

}  // namespace

TEST_CASE("every twin computes what its libtorch module computes, float64, value and gradient", "[torch][nn]") {
    same_as_libtorch("ELU", ann::ELU(tnn::ELUOptions().alpha(0.7)), tnn::ELU(tnn::ELUOptions().alpha(0.7)));
    same_as_libtorch("SELU", ann::SELU(), tnn::SELU());
    same_as_libtorch("Hardshrink", ann::Hardshrink(tnn::HardshrinkOptions().lambda(0.3)),
                     tnn::Hardshrink(tnn::HardshrinkOptions().lambda(0.3)));
    same_as_libtorch("Hardtanh", ann::Hardtanh(tnn::HardtanhOptions().min_val(-2).max_val(0.5)),
                     tnn::Hardtanh(tnn::HardtanhOptions().min_val(-2).max_val(0.5)));
    same_as_libtorch("LeakyReLU", ann::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2)),
                     tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2)));
    same_as_libtorch("LogSigmoid", ann::LogSigmoid(), tnn::LogSigmoid());
    same_as_libtorch("PReLU", ann::PReLU(tnn::PReLUOptions().init(0.1)), tnn::PReLU(tnn::PReLUOptions().init(0.1)));
    same_as_libtorch("ReLU", ann::ReLU(), tnn::ReLU());
    same_as_libtorch("ReLU6", ann::ReLU6(), tnn::ReLU6());
    same_as_libtorch("CELU", ann::CELU(tnn::CELUOptions().alpha(2)), tnn::CELU(tnn::CELUOptions().alpha(2)));
    same_as_libtorch("GLU", ann::GLU(0), tnn::GLU(0));
    same_as_libtorch("GLU, last axis", ann::GLU(), tnn::GLU());
    same_as_libtorch("GELU", ann::GELU(), tnn::GELU());
    same_as_libtorch("GELU tanh", ann::GELU(tnn::GELUOptions().approximate("tanh")),
                     tnn::GELU(tnn::GELUOptions().approximate("tanh")));
    same_as_libtorch("SiLU", ann::SiLU(), tnn::SiLU());
    same_as_libtorch("Mish", ann::Mish(), tnn::Mish());
    same_as_libtorch("Sigmoid", ann::Sigmoid(), tnn::Sigmoid());
    same_as_libtorch("Softplus", ann::Softplus(tnn::SoftplusOptions().beta(2).threshold(10)),
                     tnn::Softplus(tnn::SoftplusOptions().beta(2).threshold(10)));
    same_as_libtorch("Softshrink", ann::Softshrink(tnn::SoftshrinkOptions(0.4)), tnn::Softshrink(tnn::SoftshrinkOptions(0.4)));
    same_as_libtorch("Softsign", ann::Softsign(), tnn::Softsign());
    same_as_libtorch("Tanh", ann::Tanh(), tnn::Tanh());
    same_as_libtorch("Tanhshrink", ann::Tanhshrink(), tnn::Tanhshrink());
    same_as_libtorch("Threshold", ann::Threshold(0.5, -2.0), tnn::Threshold(0.5, -2.0));
    ann::RReLU ours(tnn::RReLUOptions().lower(0.1).upper(0.3));
    tnn::RReLU theirs(tnn::RReLUOptions().lower(0.1).upper(0.3));
    ours->eval();
    theirs->eval();
    same_as_libtorch("RReLU, evaluation", ours, theirs);
}

TEST_CASE("the twins are libtorch's modules: options, printing, parameters, Sequential", "[torch][nn]") {
    ann::PReLU prelu(tnn::PReLUOptions().num_parameters(3).init(0.1));
    tnn::PReLU theirs(tnn::PReLUOptions().num_parameters(3).init(0.1));
    CHECK(prelu->named_parameters().keys() == theirs->named_parameters().keys());
    CHECK(at::equal(prelu->weight, theirs->weight));
    std::ostringstream printed;
    printed << *prelu;
    CHECK(printed.str() == "actdsl::torch::nn::PReLU(num_parameters=3)");

    // The weight is a parameter: its gradient is PyTorch's, one slope per channel.
    const at::Tensor x = at::linspace(-2, 2, 24, at::kFloat).reshape({2, 3, 4});
    prelu(x).sum().backward();
    theirs(x).sum().backward();
    CHECK(at::allclose(prelu->weight.grad(), theirs->weight.grad()));

    tnn::Sequential net(tnn::Linear(4, 6), ann::GELU(tnn::GELUOptions().approximate("tanh")), tnn::Linear(6, 2), ann::Mish());
    const at::Tensor out = net->forward(at::ones({5, 4}));
    CHECK(out.sizes() == at::IntArrayRef({5, 2}));
    CHECK(net->parameters().size() == 4);
}

TEST_CASE("forward runs actdsl's kernels, directly and inside a Sequential", "[torch][nn]") {
    // GELU(-10) = -10 Phi(-10) = -7.6198530241605261e-23 (mpmath); PyTorch 1.13's float
    // kernel returns 0 there (1 + erf(x / sqrt(2)) cancels).
    const at::Tensor x = at::full({16}, -10.0f);
    const double expected = -7.6198530241605261e-23;
    ann::GELU gelu;
    CHECK(std::abs(gelu(x)[3].item<double>() / expected - 1) < 1e-6);
    tnn::Sequential net{tnn::Identity(), ann::GELU()};
    CHECK(std::abs(net->forward(x)[7].item<double>() / expected - 1) < 1e-6);
}

TEST_CASE("options set after construction are honoured, as libtorch's modules do", "[torch][nn]") {
    ann::ELU elu;
    const at::Tensor x = at::full({4}, -1.0, at::kDouble);
    CHECK(at::allclose(elu(x), at::full({4}, std::expm1(-1.0), at::kDouble)));
    elu->options.alpha(2.0);
    CHECK(at::allclose(elu(x), at::full({4}, 2 * std::expm1(-1.0), at::kDouble)));
    elu->options.alpha(std::nan(""));
    CHECK_THROWS_AS(elu(x), std::invalid_argument);
}

TEST_CASE("bad options throw from the constructor, naming the option", "[torch][nn]") {
    CHECK_THROWS_WITH(ann::Softplus(tnn::SoftplusOptions().beta(0)), Catch::Contains("beta"));
    CHECK_THROWS_WITH(ann::GELU(tnn::GELUOptions().approximate("cubic")), Catch::Contains("approximate"));
    CHECK_THROWS_WITH(ann::RReLU(tnn::RReLUOptions().lower(0.5).upper(0.1)), Catch::Contains("upper"));
}

TEST_CASE("RReLU draws PyTorch's random slopes in training mode only", "[torch][nn]") {
    ann::RReLU rrelu(tnn::RReLUOptions().lower(0.1).upper(0.3));
    const at::Tensor x = -at::ones({10000}, at::kDouble);
    REQUIRE(rrelu->is_training());
    const at::Tensor y = rrelu(x);
    CHECK(y.min().item<double>() >= -0.3);
    CHECK(y.max().item<double>() <= -0.1);
    CHECK(y.std().item<double>() > 0.03);  // uniform on [0.1, 0.3]: 0.058
    rrelu->eval();
    CHECK(at::allclose(rrelu(x), at::full({10000}, -0.2, at::kDouble)));
}

TEST_CASE("clone is a deep copy that is still actdsl's", "[torch][nn]") {
    ann::PReLU prelu(tnn::PReLUOptions().num_parameters(2));
    const auto copy = std::dynamic_pointer_cast<ann::PReLUImpl>(prelu->clone());
    REQUIRE(copy != nullptr);
    CHECK(at::equal(copy->weight, prelu->weight));
    {
        ::torch::NoGradGuard no_grad;
        copy->weight.fill_(0.5);
    }
    CHECK(prelu->weight[0].item<float>() == 0.25f);
    std::ostringstream printed;
    printed << *copy;
    CHECK(printed.str() == "actdsl::torch::nn::PReLU(num_parameters=2)");
    // A twin inside a cloned container stays a twin.
    tnn::Sequential net(tnn::Linear(3, 3), ann::SiLU());
    const auto net_copy = std::dynamic_pointer_cast<tnn::SequentialImpl>(net->clone());
    REQUIRE(net_copy != nullptr);
    CHECK(std::dynamic_pointer_cast<ann::SiLUImpl>(net_copy->ptr(1)) != nullptr);
}

TEST_CASE("Activation builds any catalog type from its config", "[torch][nn]") {
    ann::Activation hardswish({{"type", "Hardswish"}});
    const at::Tensor x = points();
    CHECK(worst(hardswish(x), at::hardswish(x)) <= 1);

    ann::Activation prelu({{"type", "PReLU"}, {"num_parameters", 2}, {"init", 0.5}});
    REQUIRE(prelu->weight.defined());
    CHECK(at::equal(prelu->weight, at::full({2}, 0.5f)));
    CHECK(prelu->named_parameters().keys() == std::vector<std::string>{"weight"});
    std::ostringstream printed;
    printed << *hardswish;
    CHECK(printed.str() == R"(actdsl::torch::nn::Activation({"type":"Hardswish"}))");

    ann::Activation rrelu({{"type", "RReLU"}});
    rrelu->eval();
    CHECK(at::allclose(rrelu(-at::ones({3}, at::kDouble)), at::full({3}, -(1.0 / 8 + 1.0 / 3) / 2, at::kDouble)));

    // ReLU's slope is decided by y alone: it keeps y (x may change after the call); Sigmoid keeps x.
    ann::Activation relu({{"type", "ReLU"}}), sigmoid({{"type", "Sigmoid"}});
    const at::Tensor x0 = x.detach().clone().requires_grad_(true);
    at::Tensor h = x0 * 1.0;
    CHECK(relu(h).grad_fn()->name() == "actdsl::torch::function_from_output");
    CHECK(sigmoid(h).grad_fn()->name() != "actdsl::torch::function_from_output");
    const at::Tensor r = relu(h);
    h.zero_();
    r.sum().backward();
    CHECK(at::equal(x0.grad(), (x > 0).to(at::kDouble)));
    // inplace=True on a non-leaf input: no copy kept, the same gradient.
    ann::Activation relu_inplace({{"type", "ReLU"}, {"inplace", true}});
    x0.mutable_grad() = at::Tensor();
    at::Tensor h2 = x0 * 1.0;
    relu_inplace(h2).sum().backward();
    CHECK(at::equal(h2.detach(), at::relu(x)));
    CHECK(at::equal(x0.grad(), (x > 0).to(at::kDouble)));

    CHECK_THROWS_WITH(ann::Activation({{"type", "Swish"}}), Catch::Contains("unknown type \"Swish\""));
    CHECK_THROWS_WITH(ann::Activation({{"type", "ELU"}, {"alfa", 1}}), Catch::Contains("alfa"));
    CHECK_THROWS_WITH(ann::Activation({{"type", "RReLU"}, {"training", true}}), Catch::Contains("train()"));
    CHECK_THROWS_AS(ann::Activation(nlohmann::json::array()), std::invalid_argument);
}
