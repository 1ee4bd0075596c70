// Bad inputs through the public API, one row each: every row must throw
// std::invalid_argument (std::logic_error for a call the object says it does not
// support: has_backward_from_output(), inplace()) and leave every output array as it
// was. The rows and the
// messages the library gives are docs/errors.md's table, between its
// <!-- errors:begin --> and <!-- errors:end --> markers: the test fails when the table
// differs, and rewrites it when ACTDSL_WRITE_DOCS=1 is set in the environment.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/registry.hpp>
#include <actdsl/catalog/softmax.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

namespace {

constexpr float sentinel = 7.25f;

// The output arrays of a row, filled with the sentinel before the call.
class outputs {
public:
    xt::xarray<float>& make(std::vector<std::size_t> shape) {
        arrays_.push_back(xt::xarray<float>::from_shape(shape));
        arrays_.back().fill(sentinel);
        return arrays_.back();
    }
    bool untouched() const {
        for (const auto& a : arrays_)
            for (const float v : a)
                if (!(v == sentinel)) return false;
        return true;
    }

private:
    std::deque<xt::xarray<float>> arrays_;  // stable addresses
};

struct bad_input {
    std::string api;    // the function called
    std::string input;  // what is wrong with its arguments
    std::function<void(outputs&)> call;
};

xt::xarray<float> zeros(std::vector<std::size_t> shape) { return xt::zeros<float>(shape); }

nlohmann::json nested(int depth) {
    nlohmann::json v = 1.0;
    for (int k = 0; k < depth; ++k) v = nlohmann::json::array({std::move(v)});
    return v;
}

std::vector<bad_input> rows() {
    using actdsl::build_activation_layer;
    using nlohmann::json;
    const auto config = [](json c) { return [c](outputs&) { (void)build_activation_layer(c); }; };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {
        // The registry's configs.
        {"build_activation_layer", "a JSON array `[]`", config(json::array())},
        {"build_activation_layer", "`{\"type\": \"Relu\"}`: an unknown type", config({{"type", "Relu"}})},
        {"build_activation_layer", "`{\"type\": \"LeakyReLU\", \"slope\": 0.1}`: an unknown parameter",
         config({{"type", "LeakyReLU"}, {"slope", 0.1}})},
        {"build_activation_layer", "`{\"type\": \"Sigmoid\", \"inplace\": true}`", config({{"type", "Sigmoid"}, {"inplace", true}})},
        {"build_activation_layer", "`{\"type\": \"Threshold\", \"threshold\": 1}`: a required parameter missing",
         config({{"type", "Threshold"}, {"threshold", 1}})},
        {"build_activation_layer", "`{\"type\": \"ELU\", \"alpha\": \"big\"}`", config({{"type", "ELU"}, {"alpha", "big"}})},
        {"build_activation_layer", "ELU's alpha an array nested 100000 deep",
         [](outputs&) {
             json c = {{"type", "ELU"}};
             c["alpha"] = nested(100000);  // moved: copying a json value recurses once per level
             (void)build_activation_layer(c);
         }},
        {"build_activation_layer", "ELU's alpha NaN", config({{"type", "ELU"}, {"alpha", nan}})},
        {"build_activation_layer", "LeakyReLU's negative_slope NaN", config({{"type", "LeakyReLU"}, {"negative_slope", nan}})},
        {"build_activation_layer", "`{\"type\": \"CELU\", \"alpha\": 0}`", config({{"type", "CELU"}, {"alpha", 0}})},
        {"build_activation_layer", "`{\"type\": \"Hardtanh\", \"min_val\": 1, \"max_val\": 1}`",
         config({{"type", "Hardtanh"}, {"min_val", 1}, {"max_val", 1}})},
        {"build_activation_layer", "`{\"type\": \"GELU\", \"approximate\": \"erf\"}`", config({{"type", "GELU"}, {"approximate", "erf"}})},
        {"build_activation_layer", "`{\"type\": \"Softplus\", \"beta\": 0}`", config({{"type", "Softplus"}, {"beta", 0}})},
        {"build_activation_layer", "`{\"type\": \"Softshrink\", \"lambd\": -0.5}`", config({{"type", "Softshrink"}, {"lambd", -0.5}})},
        {"build_activation_layer", "`{\"type\": \"RReLU\", \"lower\": 0.5, \"upper\": 0.1}`",
         config({{"type", "RReLU"}, {"lower", 0.5}, {"upper", 0.1}})},
        {"build_activation_layer", "`{\"type\": \"PReLU\", \"num_parameters\": 0}`", config({{"type", "PReLU"}, {"num_parameters", 0}})},
        {"build_activation_layer", "`{\"type\": \"PReLU\", \"num_parameters\": 4611686018427387904}` (2^62)",
         config({{"type", "PReLU"}, {"num_parameters", 4611686018427387904LL}})},
        {"build_activation_layer", "`{\"type\": \"Maxout\", \"pieces\": 0}`", config({{"type", "Maxout"}, {"pieces", 0}})},
        {"build_activation_layer", "`{\"type\": \"Squareplus\", \"b\": -1}`", config({{"type", "Squareplus"}, {"b", -1}})},

        // Activations built by the registry, on arrays.
        {"activation::forward", "Softplus with beta = 1e-300 on a float array (beta rounds to 0 in float)",
         [](outputs&) { (void)build_activation_layer({{"type", "Softplus"}, {"beta", 1e-300}})->forward(zeros({4})); }},
        {"activation::forward", "GLU on shape (2, 5): an odd size along dim",
         [](outputs&) { (void)build_activation_layer({{"type", "GLU"}})->forward(zeros({2, 5})); }},
        {"activation::forward", "GLU with dim 2 on a 2-D array",
         [](outputs&) { (void)build_activation_layer({{"type", "GLU"}, {"dim", 2}})->forward(zeros({2, 4})); }},
        {"activation::forward", "PReLU with 3 weights on shape (2, 4, 8): 4 channels",
         [](outputs&) { (void)build_activation_layer({{"type", "PReLU"}, {"num_parameters", 3}})->forward(zeros({2, 4, 8})); }},
        {"activation::forward", "Maxout with 4 pieces on shape (2, 2)",
         [](outputs&) { (void)build_activation_layer({{"type", "Maxout"}, {"pieces", 4}})->forward(zeros({2, 2})); }},
        {"activation::backward", "SiLU with x of shape (4,) and dy of shape (5,)",
         [](outputs&) { (void)build_activation_layer({{"type", "SiLU"}})->backward(zeros({4}), zeros({5})); }},
        {"activation::backward_from_output", "SiLU, whose derivative is not a function of its output",
         [](outputs&) { (void)build_activation_layer({{"type", "SiLU"}})->backward_from_output(zeros({4}), zeros({4})); }},
        {"activation::forward_inplace", "GLU, whose output has another shape",
         [](outputs& o) { build_activation_layer({{"type", "GLU"}})->forward_inplace(o.make({2, 4})); }},

        // The kernels of expressions.
        {"forward", "`silu(x)` with x of shape (4,) and y of shape (5,)",
         [](outputs& o) { actdsl::forward(actdsl::silu(actdsl::x), zeros({4}), o.make({5})); }},
        {"backward", "`silu(x)` with dx of shape (3,)",
         [](outputs& o) { actdsl::backward(actdsl::silu(actdsl::x), zeros({4}), zeros({4}), o.make({3})); }},
        {"forward_backward", "`silu(x)` with y and dx the same array",
         [](outputs& o) {
             auto& y = o.make({4});
             actdsl::forward_backward(actdsl::silu(actdsl::x), zeros({4}), zeros({4}), y, y);
         }},
        {"backward_from_output", "`from_output::sigmoid()` with dx of shape (3,)",
         [](outputs& o) { actdsl::backward_from_output(actdsl::from_output::sigmoid(), zeros({4}), zeros({4}), o.make({3})); }},
        {"celu", "alpha = 0", [](outputs&) { (void)actdsl::celu(actdsl::x, 0.0); }},
        {"softshrink", "lambd = -1", [](outputs&) { (void)actdsl::softshrink(actdsl::x, -1.0); }},
        {"hardtanh", "min_val = 2, max_val = -2", [](outputs&) { (void)actdsl::hardtanh(actdsl::x, 2.0, -2.0); }},
        {"from_output::elu", "alpha = -1", [](outputs&) { (void)actdsl::from_output::elu(-1.0); }},
        {"from_output::leaky_relu", "negative_slope = -0.1", [](outputs&) { (void)actdsl::from_output::leaky_relu(-0.1); }},

        // Arrays of their own shape.
        {"rrelu_train_forward", "lower = 0.5, upper = 0.25",
         [](outputs& o) { actdsl::rrelu_train_forward(zeros({4}), o.make({4}), actdsl::rrelu_noise{1, 0, 0.5, 0.25}); }},
        {"glu_forward", "shape (2, 5), dim -1", [](outputs& o) { actdsl::glu_forward(zeros({2, 5}), o.make({2, 2}), -1); }},
        {"maxout_forward", "shape (2, 6), 4 pieces along dim 1",
         [](outputs& o) { actdsl::maxout_forward(zeros({2, 6}), o.make({2, 1}), 4, 1); }},
        {"softmax", "dim 2 on shape (3, 4)", [](outputs& o) { actdsl::softmax(zeros({3, 4}), o.make({3, 4}), 2); }},
        {"log_softmax", "y of shape (4, 3) for x of shape (3, 4)", [](outputs& o) { actdsl::log_softmax(zeros({3, 4}), o.make({4, 3}), 1); }},
        {"softmax_backward", "dx of shape (3, 5)",
         [](outputs& o) { actdsl::softmax_backward(zeros({3, 4}), zeros({3, 4}), o.make({3, 5}), 1); }},
        {"softmax2d", "a 2-D array", [](outputs& o) { actdsl::softmax2d(zeros({3, 4}), o.make({3, 4})); }},
        {"logsumexp", "out of shape (4,) for x of shape (3, 4) and dim 1",
         [](outputs& o) { actdsl::logsumexp(zeros({3, 4}), o.make({4}), 1); }},

        // Runtime dispatch.
        {"dispatch::set_instruction_set_limit", "`instruction_set(7)`",
         [](outputs&) { actdsl::dispatch::set_instruction_set_limit(static_cast<actdsl::instruction_set>(7)); }},
    };
}

// A Markdown table cell: pipes escaped, line breaks as spaces, at most 400 characters.
std::string cell(std::string s) {
    std::string out;
    for (const char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    if (out.size() > 400) out = out.substr(0, 400) + " ...";
    return out;
}

std::string section_of(const std::string& text, const std::string& begin, const std::string& end) {
    const auto b = text.find(begin), e = text.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b) return {};
    return text.substr(b + begin.size(), e - b - begin.size());
}

}  // namespace

TEST_CASE("bad inputs: each throws, changes nothing, and is docs/errors.md's table", "[regression]") {
    std::string table = "\n| function | bad input | exception | message |\n|---|---|---|---|\n";
    for (const auto& row : rows()) {
        INFO(row.api << ": " << row.input);
        outputs o;
        std::string message, exception;
        try {
            row.call(o);
        } catch (const std::invalid_argument& e) {
            message = e.what(), exception = "invalid_argument";
        } catch (const std::logic_error& e) {
            message = e.what(), exception = "logic_error";
        }
        CHECK(!message.empty());
        CHECK(o.untouched());
        table += "| `" + row.api + "` | " + cell(row.input) + " | " + exception + " | " + cell(message) + " |\n";
    }

    const std::string path = ACTDSL_SOURCE_DIR "/docs/errors.md", begin = "<!-- errors:begin -->", end = "<!-- errors:end -->";
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const char* write = std::getenv("ACTDSL_WRITE_DOCS");
    if (write && std::string(write) == "1") {
        const auto b = doc.find(begin), e = doc.find(end);
        REQUIRE(b != std::string::npos);
        REQUIRE(e != std::string::npos);
        std::ofstream(path) << doc.substr(0, b + begin.size()) << table << doc.substr(e);
        WARN("rewrote the table of " << path);
        return;
    }
    INFO("docs/errors.md's table is stale: run this test with ACTDSL_WRITE_DOCS=1 to rewrite it");
    CHECK(section_of(doc, begin, end) == table);
}
