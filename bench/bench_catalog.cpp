// Every elementwise catalog activation, fused forward and backward, float, one
// thread: names <pass>/<activation>/fused/<n> as in bench_fusion, and each one's
// cliffs (cliff/<activation>/<case>/<pass>/262144) on inputs outside [-8, 8].
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>

#include <actdsl/actdsl.hpp>

#include "catalog_activations.hpp"
#include "cliff_cases.hpp"
#include "harness.hpp"
#if defined(ACTDSL_BENCH_TORCH)
#include "torch_baselines.hpp"
#endif
#if defined(ACTDSL_BENCH_ONEDNN)
#include "onednn_baselines.hpp"
#endif

namespace {

template <class F>
void add(const std::string& name, const F& f, std::size_t n) {
    const std::string suffix = "/" + name + "/fused/" + std::to_string(n);
    const auto pass = [&](const std::string& which, std::size_t arrays, auto body) {
        benchmark::RegisterBenchmark((which + suffix).c_str(), [=](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            bench::loop(state, [&] { body(b); });
            bench::finish(state, n, arrays);
        });
    };
    pass("forward", 2, [f](bench::buffers& b) { actdsl::forward(f, b.x, b.y); });
    pass("backward", 3, [f](bench::buffers& b) { actdsl::backward(f, b.x, b.dy, b.dx); });
#if defined(ACTDSL_BENCH_TORCH)
    bench::torch_baselines::register_pytorch(name, n);
#endif
#if defined(ACTDSL_BENCH_ONEDNN)
    bench::onednn_baselines::register_onednn(name, n);
#endif
}

// backward from the saved output, as PyTorch's sigmoid and tanh backward kernels read it.
template <class G>
void add_from_output(const std::string& name, const G& g, std::size_t n) {
    benchmark::RegisterBenchmark(("backward/" + name + "/fused_from_output/" + std::to_string(n)).c_str(), [=](benchmark::State& state) {
        bench::buffers& b = bench::shared_buffers(n);
        bench::loop(state, [&] { actdsl::backward_from_output(g, b.y, b.dy, b.dx); });
        bench::finish(state, n, 3);
    });
}

// forward/<name>/fused_far_tail/<n>: inputs in [-87, -81], where the fast sigmoid's
// guard fails in every lane and the results are still normal numbers: the exact plan's
// cost, against forward/<name>/fused/<n> over [-8, 8].
template <class F>
void add_far_tail(const std::string& name, const F& f, std::size_t n) {
    benchmark::RegisterBenchmark(("forward/" + name + "/fused_far_tail/" + std::to_string(n)).c_str(), [=](benchmark::State& state) {
        bench::buffers& b = bench::shared_buffers(n);
        const bench::array tail = xt::random::rand<float>({n}, -87.0f, -81.0f);
        bench::loop(state, [&] { actdsl::forward(f, tail, b.y); });
        bench::finish(state, n, 2);
    });
}

// cliff/<activation>/<case>/<pass>/<n>: inputs where a kernel might leave its fast
// path, against <pass>/<activation>/fused/<n> over [-8, 8]. below_80 and above_80 draw
// |x| = 80 * 2^u, u uniform in [0, 8] (the exp, sigmoid and softplus thresholds and far
// past them); nan is quiet NaN; inf is +-inf at random; mix draws each element from
// the four cases and [-8, 8] alike, so that neighbouring lanes disagree.
using bench::case_below_80, bench::case_above_80, bench::case_nan, bench::case_inf, bench::case_mix, bench::cliff_cases;

const bench::array& cliff_input(int which, std::size_t n) {
    static std::map<std::pair<int, std::size_t>, bench::array> cache;
    auto [it, fresh] = cache.try_emplace({which, n});
    if (!fresh) return it->second;
    std::mt19937 rng(20261201);
    std::uniform_real_distribution<float> octave(0.0f, 8.0f), ordinary(-8.0f, 8.0f);
    std::uniform_int_distribution<int> coin(0, 1), pick(0, 4);
    const auto draw = [&](int k) {
        switch (k) {
            case case_below_80: return -80.0f * std::exp2(octave(rng));
            case case_above_80: return 80.0f * std::exp2(octave(rng));
            case case_nan: return std::numeric_limits<float>::quiet_NaN();
            case case_inf: return coin(rng) ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
            default: return ordinary(rng);  // mix's fifth source: [-8, 8]
        }
    };
    bench::array x = xt::zeros<float>({n});
    for (float& v : x) v = draw(which == case_mix ? pick(rng) : which);
    it->second = std::move(x);
    return it->second;
}

template <class F>
void add_cliffs(const std::string& name, const F& f, std::size_t n) {
    for (int which = case_below_80; which <= case_mix; ++which) {
        const std::string stem = "cliff/" + name + "/" + cliff_cases[which] + "/";
        const std::string size = "/" + std::to_string(n);
        benchmark::RegisterBenchmark((stem + "forward" + size).c_str(), [=](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            const bench::array& in = cliff_input(which, n);
            bench::loop(state, [&] { actdsl::forward(f, in, b.y); });
            bench::finish(state, n, 2);
        });
        benchmark::RegisterBenchmark((stem + "backward" + size).c_str(), [=](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            const bench::array& in = cliff_input(which, n);
            bench::loop(state, [&] { actdsl::backward(f, in, b.dy, b.dx); });
            bench::finish(state, n, 3);
        });
    }
}

void register_all() {
    using namespace actdsl;
    for (const std::size_t n : {std::size_t{4096}, std::size_t{262144}}) {
        bench::for_each_elementwise([n](const char* name, const auto& f) { add(name, f, n); });
        add_from_output("sigmoid", from_output::sigmoid(), n);
        add_from_output("tanh", from_output::tanh(), n);
        add_from_output("relu", from_output::relu(), n);
        add_far_tail("silu", silu(x), n);
        add_far_tail("sigmoid", sigmoid(x), n);
        bench::register_memcpy_roofline(n);
        if (n == 262144) bench::for_each_elementwise([n](const char* name, const auto& f) { add_cliffs(name, f, n); });
        bench::register_three_array_roofline(n);
        bench::register_exp_floor(n, [](const auto& x, auto& y) { forward(exp(actdsl::x), x, y); });
    }
}

}  // namespace

int main(int argc, char** argv) { return bench::run(argc, argv, register_all); }
