// Regression tests, each named after the defect it guards against: bad input that once
// crashed, read out of bounds or gave garbage must give a clear error and change nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/registry.hpp>
#include <actdsl/catalog/softmax.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xview.hpp>

using Catch::Matchers::Contains;

TEST_CASE("regression: set_instruction_set_limit rejects a value that is not an instruction set", "[regression]") {
    using actdsl::instruction_set;
    namespace dispatch = actdsl::dispatch;
    const instruction_set before = dispatch::instruction_set_limit();
    for (const int bad : {4, 7, 1000, -1})
        CHECK_THROWS_WITH(dispatch::set_instruction_set_limit(static_cast<instruction_set>(bad)),
                          Contains("is not an instruction set"));
    CHECK(dispatch::instruction_set_limit() == before);
    dispatch::set_instruction_set_limit(instruction_set::avx2);
    CHECK(dispatch::instruction_set_limit() == instruction_set::avx2);
    dispatch::set_instruction_set_limit(before);
}

#if defined(_OPENMP)
TEST_CASE("regression: a pass never asks for more threads than the machine's processors", "[regression]") {
    // libomp returns garbage from omp_get_max_threads() for OMP_NUM_THREADS=abc or -3;
    // an oversized request stands in for it here.
    const int before = omp_get_max_threads();
    omp_set_num_threads(1000);
    const int threads = actdsl::kernels::threads_for(std::size_t{1} << 26);
    // Below 2 x parallel_grain elements a pass runs on one thread, whatever is asked.
    const int small = actdsl::kernels::threads_for(2 * actdsl::kernels::parallel_grain - 1);
    omp_set_num_threads(before);
    CHECK(threads >= 1);
    CHECK(threads <= omp_get_num_procs());
    CHECK(small == 1);
}
#endif

TEST_CASE("regression: a parameter nested 100000 levels deep is a clean error, not a stack overflow", "[regression]") {
    nlohmann::json deep = 1.0;
    for (int i = 0; i < 100000; ++i) deep = nlohmann::json::array({std::move(deep)});
    nlohmann::json config = {{"type", "ELU"}};
    config["alpha"] = std::move(deep);  // moved: copying a json value recurses once per level
    CHECK_THROWS_WITH(actdsl::build_activation_layer(config),
                      Contains("ELU: parameter alpha must be a number, got an array of size 1"));
    const nlohmann::json long_string = {{"type", "ELU"}, {"alpha", std::string(100000, 'a')}};
    try {
        actdsl::build_activation_layer(long_string);
        FAIL("a string alpha was accepted");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).size() < 200);
    }
}

TEST_CASE("regression: PReLU's num_parameters must fit: 2^62 is rejected, not wrapped", "[regression]") {
    const nlohmann::json config = {{"type", "PReLU"}, {"num_parameters", std::int64_t{1} << 62}};
    CHECK_THROWS_WITH(actdsl::build_activation_layer(config), Contains("num_parameters") && Contains("at most 2147483647"));
    const auto ok = actdsl::build_activation_layer({{"type", "PReLU"}, {"num_parameters", 3}});
    CHECK(ok->parameters()->size() == 3);
}

TEST_CASE("regression: backward_from_output names its own arrays when a shape is wrong", "[regression]") {
    const xt::xarray<float> y = {0.1f, 0.2f, 0.3f, 0.4f}, dy = {1.0f, 1.0f, 1.0f, 1.0f};
    xt::xarray<float> dx = xt::zeros<float>({3});
    CHECK_THROWS_WITH(actdsl::backward_from_output(actdsl::from_output::sigmoid(), y, dy, dx),
                      Contains("actdsl::backward_from_output") && Contains("y has shape (4,)") &&
                          Contains("dy has shape (4,)") && Contains("dx has shape (3,)"));
    CHECK(dx(0) == 0.0f);  // nothing written
}

TEST_CASE("regression: a NaN LeakyReLU slope or ELU alpha is reported as that parameter", "[regression]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(actdsl::build_activation_layer({{"type", "LeakyReLU"}, {"negative_slope", nan}}),
                      Contains("LeakyReLU: invalid negative_slope") && Contains("must not be NaN"));
    CHECK_THROWS_WITH(actdsl::build_activation_layer({{"type", "ELU"}, {"alpha", nan}}),
                      Contains("ELU: invalid alpha") && Contains("must not be NaN"));
}

namespace {
// n floats of a smooth, signed ramp, and one more.
std::vector<float> ramp(std::size_t n) {
    std::vector<float> v(n + 1);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = -8.0f + 16.0f * static_cast<float>(i) / static_cast<float>(n);
    return v;
}
}  // namespace

TEST_CASE("regression: an output that partly overlaps its input gets the values of separate arrays", "[regression]") {
    using namespace actdsl;
    for (const std::size_t n : {std::size_t{1000}, std::size_t{1} << 18}) {  // one thread and, with OpenMP, several
        for (const int shift : {1, -1}) {
            INFO("n = " << n << ", y starts " << shift << " element(s) after x");
            std::vector<float> buffer = ramp(n);
            auto whole = xt::adapt(buffer, std::vector<std::size_t>{n + 1});
            const std::size_t xs = shift > 0 ? 0 : 1, ys = shift > 0 ? 1 : 0;
            const xt::xarray<float> x_copy = xt::view(whole, xt::range(xs, xs + n));
            xt::xarray<float> expected = xt::zeros_like(x_copy), expected_dx = xt::zeros_like(x_copy);
            forward(silu(x), x_copy, expected);
            const xt::xarray<float> dy = xt::ones_like(x_copy) * 0.5f;
            backward(silu(x), x_copy, dy, expected_dx);

            auto x_view = xt::view(whole, xt::range(xs, xs + n));
            auto y_view = xt::view(whole, xt::range(ys, ys + n));
            forward(silu(x), x_view, y_view);
            CHECK(xt::all(xt::equal(xt::view(whole, xt::range(ys, ys + n)), expected)));

            // backward with dx one element past x
            buffer = ramp(n);
            auto x_again = xt::view(whole, xt::range(xs, xs + n));
            auto dx_view = xt::view(whole, xt::range(ys, ys + n));
            backward(silu(x), x_again, dy, dx_view);
            CHECK(xt::all(xt::equal(xt::view(whole, xt::range(ys, ys + n)), expected_dx)));
        }
    }
    // Strided views one stride apart (x the even elements from 0, y from 2) and interleaved
    // ones (y the odd elements), whose memory ranges overlap though no element is shared.
    for (const std::size_t offset : {std::size_t{2}, std::size_t{1}}) {
        std::vector<float> buffer = ramp(2003);
        auto whole = xt::adapt(buffer, std::vector<std::size_t>{2004});
        const xt::xarray<float> x_copy = xt::view(whole, xt::range(0, 2000, 2));
        xt::xarray<float> expected = xt::zeros_like(x_copy);
        forward(silu(x), x_copy, expected);
        auto x_view = xt::view(whole, xt::range(0, 2000, 2));
        auto y_view = xt::view(whole, xt::range(offset, offset + 2000, 2));
        forward(silu(x), x_view, y_view);
        INFO("y starts at element " << offset);
        CHECK(xt::all(xt::equal(xt::view(whole, xt::range(offset, offset + 2000, 2)), expected)));
    }
    // In place, element for element, stays in place.
    std::vector<float> buffer = ramp(999);
    auto a = xt::adapt(buffer, std::vector<std::size_t>{1000});
    const xt::xarray<float> before = a;
    xt::xarray<float> expected = xt::zeros_like(before);
    forward(silu(x), before, expected);
    forward(silu(x), a, a);
    CHECK(xt::all(xt::equal(a, expected)));
}

TEST_CASE("regression: softmax along the last axis with y one element past x", "[regression]") {
    // Two contiguous 20 x 20 arrays over one buffer, the second one float further on.
    std::vector<float> buffer = ramp(400);
    const std::array<std::size_t, 2> shape{20, 20};
    const xt::xarray<float> x_copy = xt::adapt(buffer.data(), 400, xt::no_ownership(), shape);
    xt::xarray<float> expected = xt::zeros_like(x_copy);
    actdsl::softmax(x_copy, expected, -1);
    auto x_view = xt::adapt(buffer.data(), 400, xt::no_ownership(), shape);
    auto y_view = xt::adapt(buffer.data() + 1, 400, xt::no_ownership(), shape);
    actdsl::softmax(x_view, y_view, -1);
    CHECK(xt::all(xt::equal(xt::adapt(buffer.data() + 1, 400, xt::no_ownership(), shape), expected)));
}

TEST_CASE("regression: a parameter that float rounds out of its rule is rejected for float arrays", "[regression]") {
    // Softplus's beta = 1e-308 is 0 in float (inf outputs, NaN gradients); Squareplus's
    // b = 1e39 and CELU's alpha = 1e39 are inf. Double arrays are unaffected.
    struct bad {
        nlohmann::json config;
        const char* message;
    };
    const bad cases[] = {
        {{{"type", "Softplus"}, {"beta", 1e-308}}, "invalid beta for float arrays: 1e-308 is 0 in float"},
        {{{"type", "Squareplus"}, {"b", 1e39}}, "invalid b for float arrays: 1e+39 is inf in float"},
        {{{"type", "CELU"}, {"alpha", 1e39}}, "invalid alpha for float arrays: 1e+39 is inf in float"},
        {{{"type", "ELU"}, {"alpha", -1e39}}, "invalid alpha for float arrays: -1e+39 is -inf in float"},
    };
    for (const bad& c : cases) {
        INFO(c.config.dump());
        const auto act = actdsl::build_activation_layer(c.config);
        xt::xarray<float> xf = {-1.0f, -0.0f, 0.0f, 2.0f};
        const xt::xarray<float> before = xf;
        CHECK_THROWS_WITH(act->forward(xf), Contains(c.message) && Contains("use double arrays"));
        CHECK_THROWS_WITH(act->backward(xf, xf), Contains(c.message));
        CHECK_THROWS_WITH(act->forward_inplace(xf), Contains(c.message));
        CHECK(xt::all(xt::equal(xf, before)));
        const xt::xarray<double> xd = {-1.0, -0.0, 0.0, 2.0};
        const xt::xarray<double> yd = act->forward(xd), dxd = act->backward(xd, xt::xarray<double>(xt::ones<double>({4})));
        CHECK(xt::all(xt::isfinite(yd)));
        CHECK(xt::all(xt::isfinite(dxd)));
    }
    // Softplus in double with beta = 1e-308: log(2) / beta + x / 2, to double precision.
    const auto softplus = actdsl::build_activation_layer({{"type", "Softplus"}, {"beta", 1e-308}});
    const xt::xarray<double> y = softplus->forward(xt::xarray<double>{0.0});
    CHECK(y(0) == Approx(0.6931471805599453e308).epsilon(1e-15));
    // Values float keeps are accepted for float arrays.
    const auto fine = actdsl::build_activation_layer({{"type", "Softplus"}, {"beta", 1e-30}});
    CHECK_NOTHROW(fine->forward(xt::xarray<float>{1.0f}));
}

TEST_CASE("regression: exp, expm1 and tanh in double on a batch holding a NaN or a huge value", "[regression]") {
    // Below AVX-512, xsimd's double exp, expm1 and tanh converted round(x / ln 2) to an
    // integer one lane at a time: undefined behaviour for NaN and past 2^63 (UBSan errors
    // under scripts/test.sh --sanitize). NaN must come out as NaN, the rest exact.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const xt::xarray<double> wide = {1e300, nan, -1e300, 0.5, -1e19, nan, 1e19, -0.0};
    xt::xarray<double> out = xt::zeros_like(wide);
    actdsl::forward(actdsl::exp(actdsl::x), wide, out);
    for (std::size_t i = 0; i < wide.size(); ++i) {
        INFO("exp(" << wide(i) << ")");
        if (std::isnan(wide(i))) CHECK(std::isnan(out(i)));
        else CHECK(out(i) == Approx(std::exp(wide(i))).epsilon(4e-16).margin(0));
    }
    actdsl::forward(actdsl::tanh(actdsl::x), wide, out);
    for (std::size_t i = 0; i < wide.size(); ++i) {
        INFO("tanh(" << wide(i) << ")");
        if (std::isnan(wide(i))) CHECK(std::isnan(out(i)));
        else CHECK(out(i) == Approx(std::tanh(wide(i))).epsilon(4e-16).margin(0));
    }
    CHECK(std::signbit(out(7)));
    const xt::xarray<double> x = {-1.0, nan, -0.5, -30.0, nan, 0.25, -1e-300, -0.0};
    xt::xarray<double> y = xt::zeros_like(x);
    actdsl::forward(actdsl::elu(actdsl::x), x, y);
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x = " << x(i));
        if (std::isnan(x(i))) CHECK(std::isnan(y(i)));
        else if (x(i) > 0) CHECK(y(i) == x(i));
        else CHECK(y(i) == Approx(std::expm1(x(i))).epsilon(4e-16).margin(0));
    }
    CHECK(std::signbit(y(7)));
    actdsl::forward(actdsl::celu(actdsl::x, 2.0), x, y);
    CHECK(std::isnan(y(1)));
    CHECK(y(0) == Approx(2.0 * std::expm1(-0.5)).epsilon(4e-16));
}

TEST_CASE("regression: PReLU and Maxout on empty arrays write nothing and walk no iterator", "[regression]") {
    // The kernels walked xtensor iterators over an empty array's null data pointer
    // (UBSan: applying an offset to a null pointer).
    const xt::xarray<float> x = xt::zeros<float>({0, 3, 5});
    xt::xarray<float> y = xt::zeros<float>({0, 3, 5}), dx = y;
    const xt::xarray<double> weights = {0.25, 0.5, 0.75};
    xt::xarray<double> dweight = {7.0, 7.0, 7.0};
    actdsl::prelu_forward(x, weights, y);
    actdsl::prelu_backward(x, weights, x, dx, dweight);
    CHECK(xt::all(xt::equal(dweight, 0.0)));  // a sum over no element
    const xt::xarray<float> x2 = xt::zeros<float>({0, 4});
    xt::xarray<float> y2 = xt::zeros<float>({0, 2}), dx2 = xt::zeros<float>({0, 4});
    actdsl::maxout_forward(x2, y2, 2);
    actdsl::maxout_backward(x2, y2, dx2, 2);
    CHECK(y2.size() == 0);
    const auto layer = actdsl::build_activation_layer({{"type", "Maxout"}, {"pieces", 2}});
    CHECK(layer->forward(x2).size() == 0);
}

TEST_CASE("regression: forward_backward rejects outputs that share elements, before writing", "[regression]") {
    // y and dx one element apart (or the same array) gave results that depended on the
    // order of the writes.
    using namespace actdsl;
    const std::size_t n = 1000;
    const xt::xarray<float> input = xt::view(xt::adapt(ramp(n), std::vector<std::size_t>{n + 1}), xt::range(0, n));
    const xt::xarray<float> dy = xt::ones<float>({n});
    for (const std::size_t shift : {std::size_t{0}, std::size_t{1}}) {
        INFO("dx starts " << shift << " element(s) after y");
        std::vector<float> buffer(n + 1, 7.0f);
        const std::array<std::size_t, 1> shape{n};
        auto y = xt::adapt(buffer.data(), n, xt::no_ownership(), shape);
        auto dx = xt::adapt(buffer.data() + shift, n, xt::no_ownership(), shape);
        CHECK_THROWS_WITH(forward_backward(silu(x), input, dy, y, dx),
                          Contains("actdsl::forward_backward: the outputs y and dx share memory"));
        CHECK(std::all_of(buffer.begin(), buffer.end(), [](float v) { return v == 7.0f; }));
    }
    // Apart: the two halves of one buffer.
    std::vector<float> buffer(2 * n);
    const std::array<std::size_t, 1> shape{n};
    auto y = xt::adapt(buffer.data(), n, xt::no_ownership(), shape);
    auto dx = xt::adapt(buffer.data() + n, n, xt::no_ownership(), shape);
    CHECK_NOTHROW(forward_backward(silu(x), input, dy, y, dx));
}
