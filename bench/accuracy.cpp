// The accuracy of every elementwise catalog activation, forward and derivative,
// float and double, against the long double references of tests/reference_catalog.hpp,
// over a sweep of the whole finite range: every 2^k-th bit pattern of both signs
// (all magnitudes from the smallest subnormal to the largest finite) plus a grid on
// [-30, 30] of N points per unit (--grid-per-unit, 10000 unless given), where
// activations do their work.
//
// Reported per activation: the max error in ULPs; the max error in ULPs divided by
// the condition number max(1, |x g'(x) / g(x)|) (the error the function's own
// sensitivity does not explain: the targets, tests/catalog_bounds.hpp, are <= 4
// forward and <= 8 derivative, 9 for GELU tanh's, in float);
// and the count of NaN or inf results where the exact value is finite (must be 0).
// Results below the smallest normal number are excluded: xsimd flushes some to 0.
//
//   actdsl_accuracy [--points-per-sign N] [--grid-per-unit N]
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/registry.hpp>
#include <actdsl/kernels/accuracy.hpp>
#include <xtensor/xarray.hpp>

#include "../tests/catalog_bounds.hpp"
#include "../tests/reference_catalog.hpp"

namespace {

using ref::real;

using score = actdsl::accuracy_report::pass;

template <class T>
std::vector<T> sweep(std::size_t per_sign, long long per_unit) {
    using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const T largest = std::numeric_limits<T>::max();
    bits top;
    std::memcpy(&top, &largest, sizeof(T));
    std::vector<T> xs;
    const bits step = std::max<bits>(1, top / static_cast<bits>(per_sign));
    for (bits b = 1; b <= top - step && b < top; b += step) {
        T v;
        std::memcpy(&v, &b, sizeof(T));
        xs.push_back(v);
        xs.push_back(-v);
    }
    for (long long i = -30 * per_unit; i <= 30 * per_unit; ++i) xs.push_back(static_cast<T>(i) / static_cast<T>(per_unit));
    xs.push_back(largest);
    xs.push_back(-largest);
    return xs;
}

template <class T>
std::pair<score, score> run(const nlohmann::json& config, const xt::xarray<T>& xs) {
    const auto act = actdsl::build_activation_layer(config);
    const auto r = ref::reference_for(config);
    const xt::xarray<T> y = act->forward(xs);
    const xt::xarray<T> dx = act->backward(xs, xt::xarray<T>(xt::ones_like(xs)));
    const std::vector<T> points(xs.begin(), xs.end());
    return {actdsl::accuracy_detail::measure<T>("f", points, y, r.f), actdsl::accuracy_detail::measure<T>("df/dx", points, dx, r.df)};
}

std::string cell(const score& s) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.2f / %.2f%s", s.max_conditioned_ulps, s.max_ulps, s.non_finite.empty() ? "" : " NONFINITE");
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t per_sign = 1 << 20;
    long long per_unit = 10000;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--points-per-sign" && i + 1 < argc) per_sign = std::stoul(argv[++i]);
        else if (std::string(argv[i]) == "--grid-per-unit" && i + 1 < argc) per_unit = std::stoll(argv[++i]);
        else {
            std::fprintf(stderr, "usage: actdsl_accuracy [--points-per-sign N] [--grid-per-unit N]\n");
            return 2;
        }
    }
    if (per_unit < 1 || per_unit > 10000000) {
        std::fprintf(stderr, "actdsl_accuracy: --grid-per-unit must be between 1 and 10000000\n");
        return 2;
    }
    // Every elementwise example of the catalog (catalog/list.hpp), and Softplus with
    // other parameters, whose threshold branch then sits elsewhere.
    std::vector<std::pair<std::string, nlohmann::json>> configs;
    actdsl::catalog::for_each_example([&](const auto&, const auto& example) {
        configs.emplace_back(example.function, nlohmann::json::parse(example.config));
    });
    configs.emplace_back("softplus", nlohmann::json{{"type", "Softplus"}, {"beta", 2.0}, {"threshold", 10.0}});
    const auto xf = sweep<float>(per_sign, per_unit);
    const auto xd = sweep<double>(per_sign, per_unit);
    const xt::xarray<float> fs = xt::adapt(xf, {xf.size()});
    const xt::xarray<double> ds = xt::adapt(xd, {xd.size()});
    std::printf("%zu float and %zu double inputs. Each cell: max ULPs / condition number, then raw max ULPs.\n\n", xf.size(), xd.size());
    std::printf("| activation | float forward | float derivative | double forward | double derivative |\n|---|---|---|---|---|\n");
    bool ok = true;
    for (const auto& [function, c] : configs) {
        const double fwd_bound = ref::forward_bound(function), bwd_bound = ref::derivative_bound(function);
        const auto [ff, fd] = run<float>(c, fs);
        const auto [df, dd] = run<double>(c, ds);
        std::string name = c.at("type").get<std::string>();
        for (const auto& [k, v] : c.items())
            if (k != "type") name += " " + k + "=" + v.dump();
        std::printf("| %s | %s | %s | %s | %s |\n", name.c_str(), cell(ff).c_str(), cell(fd).c_str(), cell(df).c_str(), cell(dd).c_str());
        ok = ok && ff.max_conditioned_ulps <= fwd_bound && fd.max_conditioned_ulps <= bwd_bound && ff.non_finite.empty() &&
             fd.non_finite.empty() && df.non_finite.empty() && dd.non_finite.empty();
        if (ff.max_conditioned_ulps > fwd_bound || fd.max_conditioned_ulps > bwd_bound)
            std::fprintf(stderr, "%s: float forward worst at x = %.9g, derivative worst at x = %.9g\n", name.c_str(), ff.max_conditioned_ulps_at,
                         fd.max_conditioned_ulps_at);
    }
    std::printf("\nfloat targets (forward <= 4, derivative <= 8 conditioned ULPs, GELU tanh's 9; no NaN or inf where the value is finite): %s\n",
                ok ? "met" : "NOT met");
    return ok ? 0 : 1;
}
