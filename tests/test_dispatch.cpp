// Runtime dispatch: this binary is baseline x86-64 and links tests/dispatch_kernels.cpp
// compiled for SSE4.2, AVX2+FMA and AVX-512. Every instruction set the CPU has
// runs the catalog's kernels, and they must agree with the baseline kernel.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/dispatch.hpp>
#include <actdsl/catalog/softmax.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "reference.hpp"

using namespace actdsl;

namespace {

// Restores the instruction-set limit when a test ends, passed or not.
struct limit_guard {
    instruction_set saved = dispatch::instruction_set_limit();
    ~limit_guard() { dispatch::set_instruction_set_limit(saved); }
};

std::vector<instruction_set> supported_sets() {
    std::vector<instruction_set> sets;
    for (auto s : {instruction_set::baseline, instruction_set::sse4_2, instruction_set::avx2, instruction_set::avx512})
        if (dispatch::supported(s)) sets.push_back(s);
    return sets;
}

// Values over the whole range: a dense sweep of [-40, 40], both tails, the
// specials, subnormals and signed zeros; 4099 values, so every width has a tail.
template <class T>
xt::xtensor<T, 1> sweep() {
    using L = std::numeric_limits<T>;
    std::vector<T> v;
    for (int i = 0; i < 4000; ++i) v.push_back(static_cast<T>(-40.0 + 80.0 * i / 3999.0));
    for (T e : {T(60), T(100), T(1e4), T(1e30), L::max(), L::infinity(), L::quiet_NaN(), T(0), L::min(), L::denorm_min(), T(1e-30)}) {
        v.push_back(e);
        v.push_back(-e);
    }
    while (v.size() < 4099) v.push_back(static_cast<T>(0.001 * static_cast<double>(v.size())));
    return xt::adapt(v, {v.size()});
}

// |a - b| in ULPs of the larger magnitude; NaNs and infinities must match exactly.
template <class T>
double ulps_apart(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
    if (std::isinf(a) || std::isinf(b)) return a == b ? 0 : 1e30;
    const ref::real scale = std::max(std::fabs(static_cast<ref::real>(a)), std::fabs(static_cast<ref::real>(b)));
    return static_cast<double>(ref::ulp_error(a, static_cast<ref::real>(b), scale));
}

template <class T>
xt::xtensor<T, 1> next_toward(const xt::xtensor<T, 1>& in, T direction) {
    xt::xtensor<T, 1> out(in.shape());
    for (std::size_t i = 0; i < in.size(); ++i) out(i) = std::nextafter(in(i), direction);
    return out;
}

// Every instruction set's forward, backward and forward_backward agree with the
// baseline kernel's: within 16 ULPs (each is within the catalog's targets, 4
// forward and 8 backward, of the truth), plus twice what moving x by one ULP
// changes in the baseline result. The second term is the function's own
// conditioning: gelu_tanh(-9) = -9 sigmoid(-67) amplifies the rounding of its
// argument 67-fold, and a sum that cancels (silu' near -1.28) has more ULPs
// than its terms; an FMA in one instruction set and not in another moves such
// results by as much.
template <class T, class Passes>
void check_agreement_of(const char* name, const xt::xtensor<T, 1>& in, const Passes& passes) {
    limit_guard guard;
    dispatch::set_instruction_set_limit(instruction_set::baseline);
    const auto base = passes(in);
    REQUIRE(dispatch::last_instruction_set() == instruction_set::baseline);
    const auto up = passes(next_toward(in, std::numeric_limits<T>::infinity()));
    const auto down = passes(next_toward(in, -std::numeric_limits<T>::infinity()));
    for (auto s : supported_sets()) {
        dispatch::set_instruction_set_limit(s);
        const auto got = passes(in);
        INFO(name << " on " << dispatch::name(s));
        CHECK(dispatch::last_instruction_set() == s);
        std::size_t bad = 0, bad_at = 0, bad_pass = 0;
        for (std::size_t p = 0; p < got.size(); ++p)
            for (std::size_t i = 0; i < in.size(); ++i) {
                const T b = base[p](i);
                const double apart = ulps_apart(got[p](i), b);
                if (apart <= 16) continue;
                const double moved = std::max(ulps_apart(up[p](i), b), ulps_apart(down[p](i), b));
                if (apart <= 16 + 2 * moved) continue;
                // Below the normal range an intermediate that is itself subnormal has lost
                // its relative precision (gelu(-38) multiplies erfc(27) ~ 6e-317 by 19).
                if (std::fabs(b) < std::numeric_limits<T>::min() && apart <= 64) continue;
                if (bad++ == 0) bad_at = i, bad_pass = p;
            }
        INFO(bad << " values apart; first (" << ulps_apart(got[bad_pass](bad_at), base[bad_pass](bad_at)) << " ULPs): pass " << bad_pass << " at x = " << in(bad_at) << ": " << got[bad_pass](bad_at)
                 << " against baseline " << base[bad_pass](bad_at));
        CHECK(bad == 0);
    }
}

template <class T, class F>
void check_agreement(const char* name, const F& f) {
    const auto in = sweep<T>();
    const xt::xtensor<T, 1> dy = xt::ones<T>(in.shape()) * T(0.75);
    check_agreement_of<T>(name, in, [&](const xt::xtensor<T, 1>& at) {
        xt::xtensor<T, 1> y(in.shape()), dx(in.shape()), y2(in.shape()), dx2(in.shape());
        forward(f, at, y);
        backward(f, at, dy, dx);
        forward_backward(f, at, dy, y2, dx2);
        return std::vector<xt::xtensor<T, 1>>{y, dx, y2, dx2};
    });
}

// backward_from_output with the derivative g, over outputs y across the whole range.
template <class T, class G>
void check_from_output(const char* name, const G& g) {
    const auto in = sweep<T>();
    const xt::xtensor<T, 1> dy = xt::ones<T>(in.shape()) * T(0.75);
    check_agreement_of<T>(name, in, [&](const xt::xtensor<T, 1>& y) {
        xt::xtensor<T, 1> dx(in.shape());
        backward_from_output(g, y, dy, dx);
        return std::vector<xt::xtensor<T, 1>>{dx};
    });
}

// Every elementwise example of the catalog (catalog/list.hpp) and its derivative from
// the output, then a few with other parameter values: a kernel's plan does not depend on
// them, so they run the kernel recorded for the list's example.
template <class T>
void check_catalog() {
    actdsl::catalog::for_each_example([](const auto&, const auto& example) {
        const std::string name(example.function);
        check_agreement<T>(name.c_str(), example.make());
        if constexpr (std::remove_cvref_t<decltype(example)>::has_from_output)
            check_from_output<T>(("from_output::" + name).c_str(), example.from_output());
    });
    check_agreement<T>("softplus(beta = 2)", softplus(x, 2.0, 20.0));
    check_from_output<T>("from_output::hardtanh(-2, 3)", from_output::hardtanh(-2.0, 3.0));
    check_from_output<T>("from_output::leaky_relu(0.2)", from_output::leaky_relu(0.2));
    check_from_output<T>("from_output::elu(0.5)", from_output::elu(0.5));
}

}  // namespace

TEST_CASE("dispatch: every instruction set the CPU has runs the recorded catalog kernels, and they agree with baseline", "[dispatch]") {
    INFO("this CPU's best: " << dispatch::name(dispatch::best_supported()));
    check_catalog<float>();
    check_catalog<double>();
}

TEST_CASE("dispatch: backward_from_output runs the kernel recorded for a user's derivative in y", "[dispatch]") {
    // tests/dispatch_kernels.cpp records record_from_output<float>(output * (c<2> - output)).
    check_from_output<float>("2 y - y^2", output * (c<2> - output));
}

// The softmax family along the last axis (rows, with a tail) and the first (rows side by
// side across the lanes, with a partial group): every instruction set the CPU has runs
// its recorded kernel and agrees with the baseline kernel within 8 ULPs. Summation order
// differs with the width, and so does exp: softmax, softmin and logsumexp agree
// relatively; log_softmax ((x - max) - log sum) and the backward passes (dy - sum) cancel
// where their result is small, so there the ULPs are those of 1, the size of the terms.
template <class T>
void check_softmax_agreement() {
    limit_guard guard;
    xt::xtensor<T, 2> in = xt::adapt(ref::uniform_values<T>(37 * 111, T(-20), T(20)), std::vector<std::size_t>{37, 111});
    in(3, 7) = -std::numeric_limits<T>::infinity();
    const xt::xtensor<T, 2> dy = xt::adapt(ref::uniform_values<T>(37 * 111, T(-1), T(1), 7), std::vector<std::size_t>{37, 111});
    const auto run = [&] {
        std::vector<xt::xtensor<T, 2>> out;
        for (const std::ptrdiff_t axis : {-1, 0}) {
            xt::xtensor<T, 2> y(in.shape()), y_min(in.shape()), y_log(in.shape()), dx(in.shape()), dx_log(in.shape());
            softmax(in, y, axis);
            softmin(in, y_min, axis);
            log_softmax(in, y_log, axis);
            softmax_backward(y, dy, dx, axis);
            log_softmax_backward(y_log, dy, dx_log, axis);
            auto lse = xt::xtensor<T, 1>::from_shape(reduced_shape(in, axis));
            logsumexp(in, lse, axis);
            out.insert(out.end(), {y, y_min, y_log, dx, dx_log, xt::xtensor<T, 2>(xt::reshape_view(lse, {std::size_t{1}, lse.size()}))});
        }
        return out;
    };
    dispatch::set_instruction_set_limit(instruction_set::baseline);
    const auto base = run();
    REQUIRE(dispatch::last_instruction_set() == instruction_set::baseline);
    for (auto s : supported_sets()) {
        dispatch::set_instruction_set_limit(s);
        const auto got = run();
        INFO(dispatch::name(s));
        CHECK(dispatch::last_instruction_set() == s);
        ref::real worst = 0;
        std::size_t worst_output = 0;
        for (std::size_t k = 0; k < got.size(); ++k) {
            const bool cancels = k % 6 == 2 || k % 6 == 3 || k % 6 == 4;  // log_softmax, dx, dx_log
            for (std::size_t i = 0; i < got[k].size(); ++i) {
                const T a = got[k].flat(i), b = base[k].flat(i);
                const ref::real scale = std::max<ref::real>({std::fabs(ref::real(a)), std::fabs(ref::real(b)), cancels ? ref::real(1) : ref::real(0)});
                const ref::real e = std::isinf(b) ? (a == b ? 0 : 1e30) : ref::ulp_error(a, static_cast<ref::real>(b), scale);
                if (e > worst) worst = e, worst_output = k;
            }
        }
        INFO("worst in output " << worst_output << " (softmax, softmin, log_softmax, dx, dx_log, logsumexp; last axis, then first)");
        CHECK(worst <= 8);
    }
}

TEST_CASE("dispatch: the softmax family runs the recorded kernels, and they agree with baseline", "[dispatch]") {
    check_softmax_agreement<float>();
    check_softmax_agreement<double>();
}

// PReLU (one weight; a weight per channel, in long and in short channel blocks), RReLU
// in training and Maxout are selections and single products, so every instruction set
// must give the baseline kernel's bits; PReLU's dweight sums only in another order. GLU's
// gate is a sigmoid: within check_agreement_of's ULPs. Every call must run the kernel
// recorded for the instruction set (record_catalog records them all).
TEST_CASE("dispatch: PReLU, RReLU in training, Maxout and GLU run recorded kernels and agree with baseline", "[dispatch]") {
    limit_guard guard;
    const xt::xtensor<float, 1> flat = xt::view(sweep<float>(), xt::range(3, 4099));  // 4096 values, the specials among them
    const xt::xtensor<float, 3> x3 = xt::reshape_view(flat, {4, 4, 256});               // channel blocks of 256
    const xt::xtensor<float, 2> x2 = xt::reshape_view(flat, {1024, 4});                 // channel blocks of 1
    const xt::xtensor<float, 1> dy = xt::adapt(ref::uniform_values<float>(4096, -1.f, 1.f, 3), std::vector<std::size_t>{4096});
    const xt::xtensor<float, 3> dy3 = xt::reshape_view(dy, {4, 4, 256});
    const xt::xtensor<float, 2> dy2 = xt::reshape_view(dy, {1024, 4});
    const xt::xtensor<float, 1> weights{0.25f, -0.5f, 2.f, 0.f}, one_weight{0.75f};
    const rrelu_noise noise{7, 3};
    struct kept_output {
        const char* name;
        xt::xtensor<float, 1> values;
        std::optional<instruction_set> ran;  // the instruction set of the call's kernel; none for a loop
    };
    const auto run = [&](std::vector<double>& dweights) {
        std::vector<kept_output> out;
        const auto keep = [&](const char* name, const auto& a, bool is_kernel = true) {
            out.push_back({name, xt::flatten(a), is_kernel ? std::optional(dispatch::last_instruction_set()) : std::nullopt});
        };
        xt::xtensor<float, 3> y3(x3.shape()), dx3(x3.shape());
        xt::xtensor<float, 2> y2(x2.shape()), dx2(x2.shape());
        xt::xtensor<float, 1> y(flat.shape()), dx(flat.shape()), dw(weights.shape()), dw1(one_weight.shape());
        prelu_forward(x3, one_weight, y3);
        keep("prelu_forward, one weight", y3);
        prelu_backward(x3, one_weight, dy3, dx3, dw1);
        keep("prelu_backward, one weight", dx3);
        prelu_forward(x3, weights, y3);
        keep("prelu_forward, long blocks", y3);
        prelu_backward(x3, weights, dy3, dx3, dw);
        keep("prelu_backward, long blocks", dx3);
        dweights.insert(dweights.end(), {double(dw1(0)), double(dw(0)), double(dw(1)), double(dw(2))});
        prelu_forward(x2, weights, y2);
        keep("prelu_forward, short blocks", y2);
        prelu_backward(x2, weights, dy2, dx2, dw);
        keep("prelu_backward, short blocks", dx2);
        dweights.insert(dweights.end(), {double(dw(0)), double(dw(1)), double(dw(2))});
        rrelu_train_forward(flat, y, noise);
        keep("rrelu_train_forward", y);
        rrelu_train_backward(flat, dy, dx, noise);
        keep("rrelu_train_backward", dx);
        xt::xtensor<float, 3> m3({4, 2, 256});  // maxout_output_shape(x3, 2, 1)
        maxout_forward(x3, m3, 2, 1);
        keep("maxout_forward", m3);
        maxout_backward(x3, xt::xtensor<float, 3>(xt::view(dy3, xt::all(), xt::range(0, 2), xt::all())), dx3, 2, 1);
        keep("maxout_backward", dx3, false);  // a loop, not a kernel
        return out;
    };
    std::vector<double> dw_base;
    dispatch::set_instruction_set_limit(instruction_set::baseline);
    const auto base = run(dw_base);
    for (auto s : supported_sets()) {
        dispatch::set_instruction_set_limit(s);
        std::vector<double> dw;
        const auto got = run(dw);
        INFO(dispatch::name(s));
        for (std::size_t k = 0; k < got.size(); ++k) {
            INFO(got[k].name);
            if (got[k].ran) CHECK(*got[k].ran == s);
            std::size_t differ = 0;
            for (std::size_t i = 0; i < got[k].values.size(); ++i) differ += !ref::same_bits(got[k].values(i), base[k].values(i));
            CHECK(differ == 0);
        }
        for (std::size_t k = 0; k < dw.size(); ++k) {  // the channels that hold the specials sum to NaN
            INFO("dweight " << k);
            CHECK((std::isnan(dw_base[k]) ? std::isnan(dw[k]) : dw[k] == Approx(dw_base[k]).epsilon(1e-6)));
        }
    }
    // GLU, split along dim 0 of (2, 4099): a is the sweep, b the sweep reversed.
    check_agreement_of<float>("glu", sweep<float>(), [](const xt::xtensor<float, 1>& in) {
        xt::xtensor<float, 2> both = xt::stack(xt::xtuple(in, xt::xtensor<float, 1>(xt::flip(in, 0))));
        xt::xtensor<float, 2> y({1, in.size()}), dx(both.shape());
        glu_forward(both, y, 0);
        glu_backward(both, xt::xtensor<float, 2>(xt::ones<float>(y.shape()) * 0.75f), dx, 0);
        return std::vector<xt::xtensor<float, 1>>{xt::flatten(y), xt::view(dx, 0, xt::all()), xt::view(dx, 1, xt::all())};
    });
}

TEST_CASE("dispatch: float erfc holds its bound (math/bounds.hpp) under every instruction set, every 4096th float below 12", "[dispatch]") {
    // AVX2 and AVX-512 have FMA and compute it in float; SSE2 and SSE4.2 go through double.
    limit_guard guard;
    const std::vector<float> v = ref::float_bit_sweep(0x41400000u, 4096);
    const auto in = xt::adapt(v, std::vector<std::size_t>{v.size()});
    for (auto s : supported_sets()) {
        dispatch::set_instruction_set_limit(s);
        xt::xtensor<float, 1> y = xt::zeros<float>({v.size()});
        forward(erfc(x), in, y);
        INFO(dispatch::name(s));
        CHECK(dispatch::last_instruction_set() == s);
        const auto [worst, worst_at] = ref::worst_ulp_error(v, y, [](ref::real a) { return std::erfc(a); });
        INFO("worst at " << worst_at);
        using actdsl::math::max_ulp;
        CHECK(worst <= (s == instruction_set::avx512 ? max_ulp("erfc", "AVX-512")
                        : s == instruction_set::avx2 ? max_ulp("erfc", "with FMA, below AVX-512")
                                                     : max_ulp("erfc", "without FMA (through double)")));
    }
}

TEST_CASE("dispatch: the best recorded instruction set runs by default; unrecorded kernels run as compiled", "[dispatch]") {
    limit_guard guard;
    dispatch::set_instruction_set_limit(instruction_set::avx512);
    const xt::xtensor<float, 1> in = sweep<float>();
    xt::xtensor<float, 1> y(in.shape());
    forward(silu(x), in, y);
    CHECK(dispatch::last_instruction_set() == dispatch::best_supported());
    forward(x * x + sin(x), in, y);  // recorded nowhere: this binary's own, baseline kernel
    CHECK(dispatch::last_instruction_set() == instruction_set::baseline);
    CHECK(y(10) == Approx(static_cast<double>(in(10)) * in(10) + std::sin(static_cast<double>(in(10)))).epsilon(1e-6));
}

TEST_CASE("dispatch: strided arrays, in-place use and parameter gradients give the contiguous kernel's bits", "[dispatch]") {
    limit_guard guard;
    constexpr parameter<"beta"> beta{};
    const auto swish = x * sigmoid(beta * x);
    for (auto s : supported_sets()) {
        dispatch::set_instruction_set_limit(s);
        INFO(dispatch::name(s));
        const xt::xtensor<float, 1> in = sweep<float>();
        xt::xtensor<float, 1> dy = xt::ones<float>(in.shape()) * 0.5f;
        xt::xtensor<float, 1> dx(in.shape());
        double dbeta = 0;
        backward(swish, in, dy, dx, parameter_gradients(dbeta), beta = 1.25);
        CHECK(dispatch::last_instruction_set() == s);
        // The same values every other element of a larger array.
        xt::xtensor<float, 1> wide = xt::zeros<float>({2 * in.size()});
        auto every_other = xt::view(wide, xt::range(0, 2 * in.size(), 2));
        every_other = in;
        xt::xtensor<float, 1> wide_dx = xt::zeros<float>({2 * in.size()});
        auto dx_strided = xt::view(wide_dx, xt::range(0, 2 * in.size(), 2));
        double dbeta_strided = 0;
        backward(swish, every_other, dy, dx_strided, parameter_gradients(dbeta_strided), beta = 1.25);
        CHECK(std::memcmp(&dbeta, &dbeta_strided, sizeof(double)) == 0);
        bool same = true;
        for (std::size_t i = 0; i < in.size(); ++i) same = same && ref::same_bits(dx(i), dx_strided(i));
        CHECK(same);
        // In place: y = silu(y).
        xt::xtensor<float, 1> y = in, expected(in.shape());
        forward(silu(x), in, expected);
        forward(silu(x), y, y);
        same = true;
        for (std::size_t i = 0; i < in.size(); ++i) same = same && ref::same_bits(y(i), expected(i));
        CHECK(same);
    }
}

TEST_CASE("dispatch: instruction-set names", "[dispatch]") {
    CHECK(dispatch::parse("avx2") == instruction_set::avx2);
    CHECK(dispatch::name(instruction_set::sse4_2) == "sse4.2");
    CHECK_THROWS_WITH(dispatch::parse("avx3"), Catch::Contains("write one of baseline, sse4.2, avx2, avx512"));
    CHECK(dispatch::supported(instruction_set::baseline));
}
