// softmax, softmin, log_softmax, logsumexp and softmax2d against long double
// references (rows of 1, W-1, W+1 and 100003; the first, a middle and the last
// axis; strided input) and against PyTorch 1.13's values at the edge cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <actdsl/catalog/softmax.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xview.hpp>

#include "reference.hpp"
#include "threads.hpp"

namespace {

using ref::real;
using actdsl::softmax_detail::kind;

// Long double softmax family of one row.
std::vector<real> reference_row(kind k, std::vector<real> v) {
    if (k == kind::softmin)
        for (auto& e : v) e = -e;
    real m = -INFINITY;
    for (real e : v) m = std::fmax(m, e);
    real s = 0;
    for (real e : v) s += std::exp(e - m);
    for (auto& e : v) e = k == kind::log_softmax ? (e - m) - std::log(s) : std::exp(e - m) / s;
    return v;
}

template <class T>
void run_forward(kind k, const xt::xarray<T>& x, xt::xarray<T>& y, std::ptrdiff_t dim) {
    if (k == kind::softmax) actdsl::softmax(x, y, dim);
    else if (k == kind::softmin) actdsl::softmin(x, y, dim);
    else actdsl::log_softmax(x, y, dim);
}
template <class T>
void run_backward(kind k, const xt::xarray<T>& y, const xt::xarray<T>& dy, xt::xarray<T>& dx, std::ptrdiff_t dim) {
    if (k == kind::softmax) actdsl::softmax_backward(y, dy, dx, dim);
    else if (k == kind::softmin) actdsl::softmin_backward(y, dy, dx, dim);
    else actdsl::log_softmax_backward(y, dy, dx, dim);
}

// Every row of x along axis as flat indices.
std::vector<std::vector<std::size_t>> rows_of(const std::vector<std::size_t>& shape, std::size_t axis) {
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= shape[d];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
    std::vector<std::vector<std::size_t>> rows;
    for (std::size_t o = 0; o < outer; ++o)
        for (std::size_t j = 0; j < inner; ++j) {
            std::vector<std::size_t> r;
            for (std::size_t i = 0; i < shape[axis]; ++i) r.push_back((o * shape[axis] + i) * inner + j);
            rows.push_back(r);
        }
    return rows;
}

template <class T>
void check_against_reference(kind k, const std::vector<std::size_t>& shape, std::size_t axis, std::ptrdiff_t dim) {
    const T eps = std::numeric_limits<T>::epsilon();
    xt::xarray<T> x = xt::random::randn<T>(shape, 0, 4);
    const xt::xarray<T> dy = xt::random::randn<T>(shape, 0, 1);
    xt::xarray<T> y = xt::zeros<T>(shape), dx = xt::zeros<T>(shape);
    run_forward(k, x, y, dim);
    run_backward(k, y, dy, dx, dim);
    std::size_t bad_y = 0, bad_dx = 0;
    for (const auto& r : rows_of(shape, axis)) {
        std::vector<real> v;
        for (auto i : r) v.push_back(x.flat(i));
        const auto want = reference_row(k, v);
        real m = -INFINITY;
        for (real e : v) m = std::fmax(m, k == kind::softmin ? -e : e);
        // dx from the library's y, in long double: the backward's own error, not the forward's.
        real dot = 0, abs_dot = 0;
        for (auto i : r) {
            const real term = k == kind::log_softmax ? real(dy.flat(i)) : real(dy.flat(i)) * real(y.flat(i));
            dot += term;
            abs_dot += std::fabs(term);
        }
        for (std::size_t t = 0; t < r.size(); ++t) {
            const std::size_t i = r[t];
            // x - max is rounded once and exp amplifies that by |x - max|; the sum adds a few ULPs.
            const real spread = 1 + std::fabs((k == kind::softmin ? -v[t] : v[t]) - m);
            if (k == kind::log_softmax) {
                if (!(std::fabs(y.flat(i) - want[t]) <= 8 * eps * (spread + std::fabs(want[t])))) ++bad_y;
            } else if (!(std::fabs(y.flat(i) - want[t]) <= 8 * eps * spread * want[t] + std::numeric_limits<T>::min())) {
                ++bad_y;
            }
            const real yi = y.flat(i), gi = dy.flat(i);
            const real dx_want = k == kind::log_softmax ? gi - std::exp(yi) * dot : k == kind::softmax ? yi * (gi - dot) : yi * (dot - gi);
            // The rounding of the sum is relative to sum |g y| (sum |g|), not to its value.
            const real scale = k == kind::log_softmax ? std::fabs(gi) + std::exp(yi) * abs_dot : yi * (std::fabs(gi) + abs_dot);
            if (!(std::fabs(dx.flat(i) - dx_want) <= 8 * eps * scale + std::numeric_limits<T>::min())) ++bad_dx;
        }
    }
    CHECK(bad_y == 0);
    CHECK(bad_dx == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("softmax, softmin and log_softmax against long double, any axis, rows of 1, W-1, W+1 and 100003", "[softmax]", float,
                   double) {
    using T = TestType;
    constexpr std::size_t W = xsimd::batch<T>::size;
    for (const kind k : {kind::softmax, kind::softmin, kind::log_softmax}) {
        for (const std::size_t n : {std::size_t{1}, W - 1, W + 1, std::size_t{100003}}) {
            INFO("kind " << int(k) << ", n = " << n);
            check_against_reference<T>(k, {3, n}, 1, -1);      // last axis
            check_against_reference<T>(k, {n, 5}, 0, 0);       // first axis: lanes across the 5 rows
            check_against_reference<T>(k, {2, n, W + 3}, 1, -2);  // middle axis, a full and a partial lane group
        }
    }
}

TEMPLATE_TEST_CASE("softmax along a leading axis: columns in several chunks, a partial batch, more rows than a sum block", "[softmax]",
                   float, double) {
    using T = TestType;
    constexpr std::size_t W = xsimd::batch<T>::size;
    // Two full chunks of columns, then one batch and 3 columns; 37 rows fold the compensated sum twice.
    const std::size_t inner = 2 * actdsl::softmax_detail::chunk_columns<T> + W + 3;
    for (const kind k : {kind::softmax, kind::softmin, kind::log_softmax}) {
        INFO("kind " << int(k));
        check_against_reference<T>(k, {37, inner}, 0, 0);
        check_against_reference<T>(k, {2, 37, inner}, 1, 1);
    }
}

TEST_CASE("softmax on strided views, in place, and softmax2d", "[softmax]") {
    xt::xarray<double> big = xt::random::randn<double>({6, 40});
    auto x = xt::view(big, xt::range(0, 6, 2), xt::range(1, 40, 3));  // strided: copied, same values
    const xt::xarray<double> x_copy = x;
    xt::xarray<double> y1 = xt::zeros<double>({3, 13}), y2 = y1;
    actdsl::softmax(x, y1, 1);
    actdsl::softmax(x_copy, y2, 1);
    CHECK(xt::all(xt::equal(y1, y2)));
    // A strided output.
    xt::xarray<double> out = xt::zeros<double>({6, 40});
    actdsl::softmax(x_copy, xt::view(out, xt::range(0, 6, 2), xt::range(1, 40, 3)), 1);
    CHECK(xt::all(xt::equal(xt::view(out, xt::range(0, 6, 2), xt::range(1, 40, 3)), y2)));
    CHECK(out(1, 1) == 0.0);
    // In place: y is x.
    xt::xarray<double> z = x_copy;
    actdsl::softmax(z, z, 1);
    CHECK(xt::all(xt::equal(z, y2)));
    // Rows sum to 1.
    for (std::size_t i = 0; i < 3; ++i) {
        const double total = xt::sum(xt::view(y2, i, xt::all()))();
        CHECK(total == Approx(1.0).epsilon(1e-15));
    }

    xt::xarray<float> img = xt::random::randn<float>({2, 3, 4, 5});
    xt::xarray<float> s2d = xt::zeros_like(img), s = xt::zeros_like(img);
    actdsl::softmax2d(img, s2d);
    actdsl::softmax(img, s, 1);
    CHECK(xt::all(xt::equal(s2d, s)));
    xt::xarray<float> chw = xt::view(img, 0), s3 = xt::zeros_like(chw);
    actdsl::softmax2d(chw, s3);
    CHECK(xt::all(xt::equal(s3, xt::view(s, 0))));
    xt::xarray<float> flat = xt::zeros<float>({4, 5});
    CHECK_THROWS_WITH(actdsl::softmax2d(flat, flat), Catch::Contains("expects a 3-D (C, H, W) or 4-D (N, C, H, W) array, got shape (4, 5)"));
}

TEST_CASE("softmax family: bad axes and shapes are errors that change nothing", "[softmax]") {
    xt::xarray<float> x = xt::ones<float>({2, 3});
    xt::xarray<float> y = xt::zeros<float>({2, 3}), wrong = xt::zeros<float>({3, 2});
    CHECK_THROWS_WITH(actdsl::softmax(x, y, 2), Catch::Contains("dim 2 is out of range for a 2-D array (valid: -2 to 1)"));
    CHECK_THROWS_WITH(actdsl::log_softmax(x, y, -3), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(actdsl::softmax(x, wrong, 1), Catch::Contains("x has shape (2, 3), y has shape (3, 2)"));
    CHECK_THROWS_WITH(actdsl::softmax_backward(x, x, wrong, 1), Catch::Contains("dx has shape (3, 2)"));
    xt::xarray<float> lse = xt::zeros<float>({3});
    CHECK_THROWS_WITH(actdsl::logsumexp(x, lse, 1), Catch::Contains("out must have shape (2,)"));
    CHECK(xt::all(xt::equal(y, 0.0f)));
    CHECK(xt::all(xt::equal(lse, 0.0f)));
}

TEST_CASE("softmax family at the edges, as PyTorch 1.13", "[softmax][torch]") {
    // Expected values printed by Debian's python3-torch 1.13 for float32 rows:
    //   torch.softmax(t, 0), torch.log_softmax(t, 0), F.softmin(t, 0), torch.logsumexp(t, 0)
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    struct row {
        std::vector<float> x, softmax, log_softmax, softmin;
        float logsumexp;
    };
    const std::vector<row> rows = {
        {{-inf, -inf, -inf}, {nan, nan, nan}, {nan, nan, nan}, {nan, nan, nan}, -inf},
        {{1, inf, 2}, {nan, nan, nan}, {nan, nan, nan}, {0.7310585975646973f, 0, 0.2689414322376251f}, inf},
        {{inf, inf}, {nan, nan}, {nan, nan}, {nan, nan}, inf},
        {{1, nan, 2}, {nan, nan, nan}, {nan, nan, nan}, {nan, nan, nan}, nan},
        {{3.5f}, {1}, {0}, {1}, 3.5f},
        {{-inf, 0, 1}, {0, 0.2689414322376251f, 0.7310585975646973f}, {-inf, -1.31326162815094f, -0.31326165795326233f}, {nan, nan, nan},
         1.31326162815094f},
        {{1e30f, -1e30f, 1e30f}, {0.5f, 0, 0.5f}, {-0.6931471824645996f, -2.0000000300949324e+30f, -0.6931471824645996f}, {0, 1, 0},
         1.0000000150474662e+30f},
    };
    const auto same = [](float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == Approx(b).epsilon(2e-7) || a == b; };
    for (const auto& r : rows) {
        const xt::xarray<float> x = xt::adapt(r.x, {r.x.size()});
        xt::xarray<float> y = xt::zeros_like(x);
        xt::xarray<float> lse = xt::zeros<float>(std::vector<std::size_t>{});
        INFO("row starting " << r.x[0] << ", " << r.x.size() << " entries");
        actdsl::softmax(x, y, 0);
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(same(y(i), r.softmax[i]));
        actdsl::log_softmax(x, y, 0);
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(same(y(i), r.log_softmax[i]));
        actdsl::softmin(x, y, 0);
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(same(y(i), r.softmin[i]));
        actdsl::logsumexp(x, lse, 0);
        CHECK(same(lse(), r.logsumexp));
    }
    // An empty axis: empty results; logsumexp is -inf (torch.logsumexp(torch.zeros(2, 0), 1)).
    xt::xarray<float> e = xt::zeros<float>({2, 0}), ey = e;
    actdsl::softmax(e, ey, 1);
    xt::xarray<float> empty_lse = xt::zeros<float>({2});
    actdsl::logsumexp(e, empty_lse, 1);
    CHECK(xt::all(xt::equal(empty_lse, -inf)));
}

TEST_CASE("masks: excluded entries get 0 (log_softmax -inf) and no gradient; a fully masked row is 0", "[softmax]") {
    const xt::xarray<double> x = {{1.0, 2.0, 3.0, 4.0}, {5.0, 6.0, 7.0, 8.0}, {-1.0, 0.0, 1.0, 2.0}};
    const xt::xarray<bool> mask = {{true, false, true, false}, {false, false, false, false}, {true, true, true, true}};
    xt::xarray<double> y = xt::zeros_like(x), ly = y;
    actdsl::softmax(x, y, 1, mask);
    actdsl::log_softmax(x, ly, 1, mask);
    const double e2 = std::exp(2.0);
    CHECK(y(0, 0) == Approx(1 / (1 + e2)));
    CHECK(y(0, 2) == Approx(e2 / (1 + e2)));
    CHECK(y(0, 1) == 0.0);
    CHECK(y(0, 3) == 0.0);
    CHECK(ly(0, 1) == -INFINITY);
    CHECK(ly(0, 0) == Approx(-std::log1p(e2)));
    CHECK(xt::all(xt::equal(xt::view(y, 1), 0.0)));           // fully masked
    CHECK(xt::all(xt::equal(xt::view(ly, 1), -INFINITY)));
    xt::xarray<double> unmasked = xt::zeros<double>({4});
    actdsl::softmax(xt::xarray<double>(xt::view(x, 2)), unmasked, 0);
    const bool close = xt::allclose(xt::view(y, 2), unmasked);
    CHECK(close);            // all true = no mask
    // Gradients: none to masked entries, none from them.
    const xt::xarray<double> dy = {{1.0, 100.0, -1.0, 100.0}, {1.0, 1.0, 1.0, 1.0}, {0.5, -0.5, 0.25, 0.0}};
    xt::xarray<double> dx = xt::zeros_like(x), ldx = dx;
    actdsl::softmax_backward(y, dy, dx, 1, mask);
    actdsl::log_softmax_backward(ly, dy, ldx, 1, mask);
    const double p = 1 / (1 + e2), q = e2 / (1 + e2);
    CHECK(dx(0, 0) == Approx(p * (1 - (p - q))));
    CHECK(dx(0, 1) == 0.0);
    CHECK(ldx(0, 0) == Approx(1 - p * 0.0));   // sum of unmasked dy = 1 + (-1) = 0
    CHECK(ldx(0, 1) == 0.0);
    CHECK(ldx(0, 2) == Approx(-1.0));
    CHECK(xt::all(xt::equal(xt::view(dx, 1), 0.0)));
    CHECK(xt::all(xt::equal(xt::view(ldx, 1), 0.0)));
    // The same along the first axis of the transposed arrays (columns as lanes).
    const xt::xarray<double> xt_ = xt::transpose(x);
    const xt::xarray<bool> mt = xt::transpose(mask);
    xt::xarray<double> yt = xt::zeros_like(xt_), lyt = yt;
    actdsl::softmax(xt_, yt, 0, mt);
    actdsl::log_softmax(xt_, lyt, 0, mt);
    const xt::xarray<double> y_t = xt::transpose(y), ly_t = xt::transpose(ly);
    CHECK(xt::all(xt::equal(xt::view(yt, xt::all(), 1), 0.0)));        // fully masked column
    CHECK(xt::all(xt::equal(xt::view(lyt, xt::all(), 1), -INFINITY)));
    CHECK(xt::all(xt::equal(xt::equal(yt, 0.0), xt::equal(y_t, 0.0))));  // the same entries excluded
    const bool same_values = xt::allclose(yt, y_t);
    CHECK(same_values);
    CHECK(xt::all(xt::equal(xt::isinf(lyt), xt::isinf(ly_t))));
    CHECK(lyt(0, 0) == Approx(-std::log1p(e2)));
}

TEMPLATE_TEST_CASE("logsumexp along each axis against long double, columns in several chunks", "[softmax]", float, double) {
    using T = TestType;
    constexpr std::size_t W = xsimd::batch<T>::size;
    // Along a leading axis: two full chunks of columns, then one batch and 3 columns.
    const std::size_t inner = 2 * actdsl::softmax_detail::chunk_columns<T> + W + 3;
    for (const std::vector<std::size_t>& shape : {std::vector<std::size_t>{7, 19, 5}, std::vector<std::size_t>{2, 37, inner}}) {
        const xt::xarray<T> x = xt::random::randn<T>(shape, 0, 30);
        for (std::ptrdiff_t dim : {0, 1, 2, -1}) {
            INFO("shape (" << shape[0] << ", " << shape[1] << ", " << shape[2] << "), dim " << dim);
            xt::xarray<T> out = xt::zeros<T>(actdsl::reduced_shape(x, dim));
            actdsl::logsumexp(x, out, dim);
            const std::size_t axis = static_cast<std::size_t>(dim < 0 ? dim + 3 : dim);
            const auto rows = rows_of(shape, axis);
            REQUIRE(out.size() == rows.size());
            std::size_t bad = 0;
            for (std::size_t k = 0; k < rows.size(); ++k) {
                real m = -INFINITY, s = 0;
                for (auto i : rows[k]) m = std::fmax(m, real(x.flat(i)));
                for (auto i : rows[k]) s += std::exp(real(x.flat(i)) - m);
                const real want = m + std::log(s);
                // A few roundings of log(sum), and one of the result.
                bad += std::fabs(real(out.flat(k)) - want) > 4 * std::numeric_limits<T>::epsilon() * std::fmax(std::fabs(want), real(1));
            }
            CHECK(bad == 0);
        }
    }
}

TEMPLATE_TEST_CASE("softmax family along the last axis: each row of many gets the bits it gets alone", "[softmax]", float, double) {
    // The forward pipelines its passes across rows (a row's exps with the next row's
    // max and the previous row's scaling): no row may see another's max, sum or mask,
    // not beside a NaN, +inf, all -inf or fully masked row, nor at a partial batch.
    using T = TestType;
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    constexpr std::size_t W = xsimd::batch<T>::size;
    for (const std::size_t n : {std::size_t{1}, W - 1, 3 * W + 5}) {
        INFO("rows of " << n);
        xt::xarray<T> x = xt::random::randn<T>({std::size_t{9}, n}, 0, 4);
        xt::xarray<bool> mask = xt::random::randint<int>({std::size_t{9}, n}, 0, 4) > 0;
        xt::view(x, 2, xt::all()) = nan;      // row 2 all NaN (PyTorch: the row is NaN)
        x(4, n - 1) = inf;                    // row 4 has +inf at its partial batch
        xt::view(x, 5, xt::all()) = -inf;     // row 5 all -inf
        xt::view(mask, 7, xt::all()) = false; // row 7 fully masked
        x(8, 0) = T(80);                      // row 8's max far above its neighbours'
        for (const kind k : {kind::softmax, kind::softmin, kind::log_softmax}) {
            for (const bool masked : {false, true}) {
                INFO("kind " << static_cast<int>(k) << (masked ? ", masked" : ""));
                xt::xarray<T> all = xt::zeros<T>(x.shape());
                const auto forward = [&](const xt::xarray<T>& in, const xt::xarray<bool>& m, xt::xarray<T>& out) {
                    if (!masked) return run_forward(k, in, out, -1);
                    if (k == kind::softmax) actdsl::softmax(in, out, -1, m);
                    else if (k == kind::softmin) actdsl::softmin(in, out, -1, m);
                    else actdsl::log_softmax(in, out, -1, m);
                };
                forward(x, mask, all);
                for (std::size_t r = 0; r < 9; ++r) {
                    INFO("row " << r);
                    const xt::xarray<T> row_x = xt::view(x, xt::range(r, r + 1), xt::all());
                    const xt::xarray<bool> row_mask = xt::view(mask, xt::range(r, r + 1), xt::all());
                    xt::xarray<T> alone = xt::zeros<T>(row_x.shape());
                    forward(row_x, row_mask, alone);
                    CHECK(std::memcmp(alone.data(), all.data() + r * n, n * sizeof(T)) == 0);
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("softmax family: any number of threads gives the same bits as one", "[softmax]", float, double) {
    using T = TestType;
    using actdsl::softmax_detail::chunk_columns;
    // Each over 2 x the grain, so that passes split: rows along the last axis; slabs of
    // columns in several chunks with a partial one (channels of N x C x H x W images).
    const std::size_t rows = 2 * actdsl::kernels::parallel_grain / 1000 + 7, cols = 2 * chunk_columns<T> + 77;
    const std::vector<std::pair<std::vector<std::size_t>, std::ptrdiff_t>> cases = {
        {{rows, 1000}, -1}, {{3, 97, cols}, 1}, {{5, 21, 40, 40}, 1}};
    for (const auto& c : cases) {
        const std::vector<std::size_t>& shape = c.first;  // not a structured binding: clang 14 cannot capture one
        const std::ptrdiff_t dim = c.second;
        INFO("shape (" << shape[0] << ", " << shape[1] << (shape.size() > 2 ? ", ..." : "") << "), dim " << dim);
        const xt::xarray<T> x = xt::random::randn<T>(shape, 0, 4), dy = xt::random::randn<T>(shape, 0, 1);
        const xt::xarray<bool> mask = xt::random::randint<int>(shape, 0, 4) > 0;
        const auto pass = [&](int threads) {
            const ref::thread_count scope(threads);
            std::vector<xt::xarray<T>> r(6, xt::xarray<T>(xt::zeros<T>(shape)));
            actdsl::softmax(x, r[0], dim);
            actdsl::log_softmax(x, r[1], dim);
            actdsl::softmax(x, r[2], dim, mask);
            actdsl::softmax_backward(r[0], dy, r[3], dim);
            actdsl::log_softmax_backward(r[1], dy, r[4], dim);
            r[5] = xt::zeros<T>(actdsl::reduced_shape(x, dim));
            actdsl::logsumexp(x, r[5], dim);
            return r;
        };
        const auto one = pass(1);
        for (const int threads : {2, 3, 4}) {
            const auto many = pass(threads);
            for (std::size_t k = 0; k < one.size(); ++k) {
                INFO(threads << " threads, result " << k << " (softmax, log_softmax, masked softmax, their backward, logsumexp)");
                CHECK(std::memcmp(many[k].data(), one[k].data(), one[k].size() * sizeof(T)) == 0);
            }
        }
    }
}
