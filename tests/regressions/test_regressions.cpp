// Regression tests, each named after the defect it guards against: bad input that once
// crashed, read out of bounds or gave garbage must give a clear error and change nothing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/registry.hpp>
#include <nlohmann/json.hpp>

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
    omp_set_num_threads(before);
    CHECK(threads >= 1);
    CHECK(threads <= omp_get_num_procs());
}
#endif

TEST_CASE("regression: a parameter nested 100000 levels deep is a clean error, not a stack overflow", "[regression]") {
    nlohmann::json deep = 1.0;
    for (int i = 0; i < 100000; ++i) deep = nlohmann::json::array({std::move(deep)});
    const nlohmann::json config = {{"type", "ELU"}, {"alpha", deep}};
    CHECK_THROWS_WITH(actdsl::build_activation_layer(config),
                      Contains("ELU: parameter alpha must be a number, got an array of 1 elements"));
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
