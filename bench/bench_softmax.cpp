// The softmax family, float, one thread: 256 rows of 1024 along the last axis
// ("last") and the transposed layout, 1024 x 256 along the first axis ("first").
// Names: <pass>/<op>_<layout>/<variant>/262144, with variants
//   fused    actdsl::softmax / log_softmax and their backward;
//   fused_2_threads  the same on two OpenMP threads (the machine's two cores);
//   unfused  max, subtract, exp, sum and divide (or log) as separate xtensor passes
//            into preallocated temporaries, as an eager framework runs them;
//   onednn   oneDNN's softmax_v2 (softmax_accurate, softmax_log), when CMake finds it;
// and roofline/memcpy/262144 for the same bytes and floor/exp/262144 (one exp per
// element, which a softmax computes too). bench_summary prints the ratios.
#include <string>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/softmax.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xsort.hpp>

#include "harness.hpp"
#if defined(ACTDSL_BENCH_ONEDNN)
#include "onednn_baselines.hpp"
#endif

namespace {

using matrix = xt::xtensor<float, 2>;
constexpr std::size_t rows = 256, cols = 1024, n = rows * cols;

struct arrays {
    matrix x, dy, y, dx, t1, t2;
    xt::xtensor<float, 2> reduced;  // keep_dims shape of one reduction
    explicit arrays(bool last)
        : x(xt::random::randn<float>(shape(last), 0, 4)), dy(xt::random::randn<float>(shape(last))), y(xt::zeros<float>(shape(last))),
          dx(xt::zeros<float>(shape(last))), t1(xt::zeros<float>(shape(last))), t2(xt::zeros<float>(shape(last))),
          reduced(xt::zeros<float>(last ? std::array<std::size_t, 2>{rows, 1} : std::array<std::size_t, 2>{1, rows})) {}
    static std::array<std::size_t, 2> shape(bool last) { return last ? std::array{rows, cols} : std::array{cols, rows}; }
};

// Separate passes, each materialised, temporaries reused.
void unfused_forward(arrays& a, std::size_t axis, bool log) {
    xt::noalias(a.reduced) = xt::amax(a.x, {axis}, xt::keep_dims);
    xt::noalias(a.t1) = a.x - a.reduced;
    xt::noalias(a.t2) = xt::exp(a.t1);
    xt::noalias(a.reduced) = xt::sum(a.t2, {axis}, xt::keep_dims);
    if (log) {
        xt::noalias(a.reduced) = xt::log(a.reduced);
        xt::noalias(a.y) = a.t1 - a.reduced;
    } else {
        xt::noalias(a.y) = a.t2 / a.reduced;
    }
}
void unfused_backward(arrays& a, std::size_t axis, bool log) {
    if (log) {  // dx = dy - exp(y) sum(dy)
        xt::noalias(a.reduced) = xt::sum(a.dy, {axis}, xt::keep_dims);
        xt::noalias(a.t1) = xt::exp(a.y);
        xt::noalias(a.t2) = a.t1 * a.reduced;
        xt::noalias(a.dx) = a.dy - a.t2;
    } else {    // dx = y (dy - sum(dy y))
        xt::noalias(a.t1) = a.dy * a.y;
        xt::noalias(a.reduced) = xt::sum(a.t1, {axis}, xt::keep_dims);
        xt::noalias(a.t2) = a.dy - a.reduced;
        xt::noalias(a.dx) = a.y * a.t2;
    }
}

void register_all() {
    for (const bool last : {true, false}) {
        const std::string layout = last ? "last" : "first";
        const std::size_t axis = last ? 1 : 0;
        const std::ptrdiff_t dim = last ? -1 : 0;
        for (const bool log : {false, true}) {
            const std::string op = (log ? "log_softmax_" : "softmax_") + layout;
            const auto fused_forward = [=](arrays& a) {
                if (log) actdsl::log_softmax(a.x, a.y, dim);
                else actdsl::softmax(a.x, a.y, dim);
            };
            const auto fused_backward = [=](arrays& a) {
                if (log) actdsl::log_softmax_backward(a.y, a.dy, a.dx, dim);
                else actdsl::softmax_backward(a.y, a.dy, a.dx, dim);
            };
            const auto add = [&](const std::string& pass, const std::string& variant, std::size_t touched, auto body) {
                benchmark::RegisterBenchmark((pass + "/" + op + "/" + variant + "/" + std::to_string(n)).c_str(),
                                             [=](benchmark::State& state) {
                                                 arrays a(last);
                                                 fused_forward(a);  // y for the backward passes
                                                 bench::loop(state, [&] { body(a); });
                                                 bench::finish(state, n, touched);
                                             });
            };
            add("forward", "fused", 2, fused_forward);
            add("forward", "fused_2_threads", 2, [=](arrays& a) { bench::on_threads(2, [&] { fused_forward(a); }); });
            add("forward", "unfused", 2, [=](arrays& a) { unfused_forward(a, axis, log); });
            add("backward", "fused", 3, fused_backward);
            add("backward", "fused_2_threads", 3, [=](arrays& a) { bench::on_threads(2, [&] { fused_backward(a); }); });
            add("backward", "unfused", 3, [=](arrays& a) { unfused_backward(a, axis, log); });
#if defined(ACTDSL_BENCH_ONEDNN)
            for (const std::string pass : {"forward", "backward"})
                benchmark::RegisterBenchmark((pass + "/" + op + "/onednn/" + std::to_string(n)).c_str(), [=](benchmark::State& state) {
                    arrays a(last);
                    const auto [r, c] = arrays::shape(last);
                    bench::onednn_baselines::softmax_pass p(r, c, static_cast<int>(axis), log, a.x.data(), a.y.data(), a.dy.data(), a.dx.data());
                    p.forward();
                    state.SetLabel(p.implementation());
                    if (pass == "forward") bench::loop(state, [&] { p.forward(); });
                    else bench::loop(state, [&] { p.backward(); });
                    bench::finish(state, n, pass == "forward" ? 2 : 3);
                });
#endif
        }
    }
    bench::register_memcpy_roofline(n);
    bench::register_exp_floor(n, [](const auto& x, auto& y) { actdsl::forward(actdsl::exp(actdsl::x), x, y); });
}

}  // namespace

int main(int argc, char** argv) { return bench::run(argc, argv, register_all); }
