// The catalog, once: every activation of torch.nn (and Squareplus, SparsePlus from
// jax.nn) with PyTorch's parameters, defaults, rules and messages, and the
// expressions that stand for it. Everything that goes over the whole catalog iterates
// this list: the registry (registry.hpp), runtime dispatch's record_catalog
// (dispatch.hpp), the benchmarks, the accuracy tool and the tests.
//
// An entry is one registry type:
//   type      torch.nn's class name, the registry's "type"
//   library   "torch.nn", or "jax.nn" for the two that PyTorch does not have
//   build     reads a config's parameters with PyTorch's names, defaults and rules, and
//             returns the activation; `c` is the registry's config reader
//             (catalog_detail::config_reader in registry.hpp)
//   examples  the type's elementwise expressions, each with
//               function     the C++ function that builds it, and the benchmarks' name
//               make()       the expression with representative parameters
//               config       the registry config that builds the same activation
//               from_output  its derivative in terms of the output, where there is one
// GLU and Maxout change the shape and have no elementwise example.
//
// A Boost.Hana tuple: heterogeneous (every expression has its own type), known at
// compile time, iterated a handful of times per program (hana::for_each).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include "elementwise.hpp"
#include "from_output.hpp"

namespace actdsl::catalog {

struct no_from_output {
    constexpr no_from_output operator()() const { return {}; }
};

template <class Make, class FromOutput = no_from_output>
struct example {
    std::string_view function;
    Make make;
    std::string_view config;
    FromOutput from_output = {};
    static constexpr bool has_from_output = !std::is_same_v<FromOutput, no_from_output>;
};
template <class Make>
example(std::string_view, Make, std::string_view) -> example<Make>;
template <class Make, class FromOutput>
example(std::string_view, Make, std::string_view, FromOutput) -> example<Make, FromOutput>;

template <class Build, class Examples>
struct entry {
    std::string_view type;
    std::string_view library;  // where its definition comes from: "torch.nn" or "jax.nn"
    Build build;
    Examples examples;
};
template <class Build, class Examples>
entry(std::string_view, std::string_view, Build, Examples) -> entry<Build, Examples>;

// Whether an elementwise activation may overwrite its input (PyTorch's inplace=True).
enum class inplace : bool { no = false, yes = true };

// clang-format off
inline constexpr auto entries = boost::hana::make_tuple(
    entry{"Threshold", "torch.nn", [](auto& c) {
              const double t = c.number("threshold"), v = c.number("value");
              return c.elementwise(threshold(x, t, v), inplace::yes);
          },
          boost::hana::make_tuple(example{"threshold", [] { return threshold(x, 0.5, -2.0); },
                                          R"({"type": "Threshold", "threshold": 0.5, "value": -2.0})"})},
    entry{"ReLU", "torch.nn", [](auto& c) { return c.elementwise(relu(x), inplace::yes, from_output::relu()); },
          boost::hana::make_tuple(example{"relu", [] { return relu(x); }, R"({"type": "ReLU"})",
                                          [] { return from_output::relu(); }})},
    entry{"ReLU6", "torch.nn", [](auto& c) { return c.elementwise(relu6(x), inplace::yes, from_output::relu6()); },
          boost::hana::make_tuple(example{"relu6", [] { return relu6(x); }, R"({"type": "ReLU6"})",
                                          [] { return from_output::relu6(); }})},
    entry{"Hardtanh", "torch.nn", [](auto& c) {
              const double lo = c.number("min_val", -1.0), hi = c.number("max_val", 1.0);
              if (const std::string problem = catalog_detail::unordered_bounds(lo, hi); !problem.empty()) c.fail(problem);
              return c.elementwise(hardtanh(x, lo, hi), inplace::yes, from_output::hardtanh(lo, hi));
          },
          boost::hana::make_tuple(example{"hardtanh", [] { return hardtanh(x); }, R"({"type": "Hardtanh"})",
                                          [] { return from_output::hardtanh(); }})},
    entry{"LeakyReLU", "torch.nn", [](auto& c) {
              const double slope = c.number("negative_slope", 0.01);
              c.require(!std::isnan(slope), "negative_slope", "must not be NaN");
              // A negative slope folds x < 0 onto y > 0: y no longer determines the derivative.
              if (slope < 0) return c.elementwise(leaky_relu(x, slope), inplace::yes);
              return c.elementwise(leaky_relu(x, slope), inplace::yes, from_output::leaky_relu(slope));
          },
          boost::hana::make_tuple(example{"leaky_relu", [] { return leaky_relu(x); }, R"({"type": "LeakyReLU"})",
                                          [] { return from_output::leaky_relu(); }})},
    entry{"PReLU", "torch.nn", [](auto& c) {
              const long long n = c.integer("num_parameters", 1);
              c.require(n >= 1, "num_parameters", "must be at least 1");
              c.require(n <= 2147483647, "num_parameters", "is a channel count: at most 2147483647");
              const double init = c.number("init", 0.25);
              return c.prelu(static_cast<std::size_t>(n), init);
          },
          boost::hana::make_tuple(example{"prelu", [] { return prelu(x, 0.25); }, R"({"type": "PReLU"})"})},
    entry{"RReLU", "torch.nn", [](auto& c) {
              const double lower = c.number("lower", 1.0 / 8), upper = c.number("upper", 1.0 / 3);
              c.require(lower <= upper, "upper", "upper must not be less than lower");
              if (c.flag("training", false)) {
                  const long long seed = c.integer("seed", 0);
                  return c.rrelu_training(static_cast<std::uint64_t>(seed), lower, upper);
              }
              return c.elementwise(rrelu_eval(x, lower, upper), inplace::yes);
          },
          boost::hana::make_tuple(example{"rrelu_eval", [] { return rrelu_eval(x); }, R"({"type": "RReLU"})"})},
    entry{"ELU", "torch.nn", [](auto& c) {
              const double alpha = c.number("alpha", 1.0);
              c.require(!std::isnan(alpha), "alpha", "must not be NaN");
              c.require_in_each_type("alpha", alpha, [](auto v) { return std::isfinite(v); }, "must be finite");
              if (alpha < 0) return c.elementwise(elu(x, alpha), inplace::yes);
              return c.elementwise(elu(x, alpha), inplace::yes, from_output::elu(alpha));
          },
          boost::hana::make_tuple(example{"elu", [] { return elu(x); }, R"({"type": "ELU"})",
                                          [] { return from_output::elu(); }})},
    entry{"CELU", "torch.nn", [](auto& c) {
              const double alpha = c.number("alpha", 1.0);
              c.require(alpha != 0, "alpha", "ZeroDivisionError: alpha cannot be 0 for CELU");
              c.require_in_each_type("alpha", alpha, [](auto v) { return v != 0 && std::isfinite(v); },
                                     "must be finite and not 0 (x / alpha)");
              return c.elementwise(celu(x, alpha), inplace::yes, from_output::celu(alpha));
          },
          boost::hana::make_tuple(example{"celu", [] { return celu(x, 2.0); }, R"({"type": "CELU", "alpha": 2.0})",
                                          [] { return from_output::celu(); }})},
    entry{"SELU", "torch.nn", [](auto& c) { return c.elementwise(selu(x), inplace::yes, from_output::selu()); },
          boost::hana::make_tuple(example{"selu", [] { return selu(x); }, R"({"type": "SELU"})",
                                          [] { return from_output::selu(); }})},
    entry{"GELU", "torch.nn", [](auto& c) {
              const std::string approximate = c.text("approximate", "none");
              if (approximate == "tanh") return c.elementwise(gelu_tanh(x), inplace::no);
              c.require(approximate == "none", "approximate", "must be \"none\" or \"tanh\"");
              return c.elementwise(gelu(x), inplace::no);
          },
          boost::hana::make_tuple(example{"gelu", [] { return gelu(x); }, R"({"type": "GELU"})"},
                                  example{"gelu_tanh", [] { return gelu_tanh(x); },
                                          R"({"type": "GELU", "approximate": "tanh"})"})},
    entry{"Sigmoid", "torch.nn", [](auto& c) { return c.elementwise(sigmoid(x), inplace::no, from_output::sigmoid()); },
          boost::hana::make_tuple(example{"sigmoid", [] { return sigmoid(x); }, R"({"type": "Sigmoid"})",
                                          [] { return from_output::sigmoid(); }})},
    entry{"Hardsigmoid", "torch.nn", [](auto& c) { return c.elementwise(hardsigmoid(x), inplace::yes); },
          boost::hana::make_tuple(example{"hardsigmoid", [] { return hardsigmoid(x); }, R"({"type": "Hardsigmoid"})"})},
    entry{"Tanh", "torch.nn", [](auto& c) { return c.elementwise(tanh(x), inplace::no, from_output::tanh()); },
          boost::hana::make_tuple(example{"tanh", [] { return tanh(x); }, R"({"type": "Tanh"})",
                                          [] { return from_output::tanh(); }})},
    entry{"SiLU", "torch.nn", [](auto& c) { return c.elementwise(silu(x), inplace::yes); },
          boost::hana::make_tuple(example{"silu", [] { return silu(x); }, R"({"type": "SiLU"})"})},
    entry{"Mish", "torch.nn", [](auto& c) { return c.elementwise(mish(x), inplace::yes); },
          boost::hana::make_tuple(example{"mish", [] { return mish(x); }, R"({"type": "Mish"})"})},
    entry{"Hardswish", "torch.nn", [](auto& c) { return c.elementwise(hardswish(x), inplace::yes); },
          boost::hana::make_tuple(example{"hardswish", [] { return hardswish(x); }, R"({"type": "Hardswish"})"})},
    entry{"Softplus", "torch.nn", [](auto& c) {
              const double beta = c.number("beta", 1.0), t = c.number("threshold", 20.0);
              c.require(beta != 0, "beta", "must not be 0 (softplus(beta x) / beta)");
              c.require_in_each_type("beta", beta, [](auto v) { return v != 0 && std::isfinite(v); },
                                     "must be finite and not 0 (softplus(beta x) / beta)");
              return c.elementwise(softplus(x, beta, t), inplace::no);
          },
          boost::hana::make_tuple(example{"softplus", [] { return softplus(x, 1.0, 20.0); }, R"({"type": "Softplus"})"})},
    entry{"LogSigmoid", "torch.nn", [](auto& c) { return c.elementwise(logsigmoid(x), inplace::no); },
          boost::hana::make_tuple(example{"logsigmoid", [] { return logsigmoid(x); }, R"({"type": "LogSigmoid"})"})},
    entry{"Softsign", "torch.nn", [](auto& c) { return c.elementwise(softsign(x), inplace::no); },
          boost::hana::make_tuple(example{"softsign", [] { return softsign(x); }, R"({"type": "Softsign"})"})},
    entry{"Tanhshrink", "torch.nn", [](auto& c) { return c.elementwise(tanhshrink(x), inplace::no); },
          boost::hana::make_tuple(example{"tanhshrink", [] { return tanhshrink(x); }, R"({"type": "Tanhshrink"})"})},
    entry{"Softshrink", "torch.nn", [](auto& c) {
              const double l = c.number("lambd", 0.5);
              c.require(l >= 0, "lambd", "lambda must be greater or equal to 0");
              return c.elementwise(softshrink(x, l), inplace::no);
          },
          boost::hana::make_tuple(example{"softshrink", [] { return softshrink(x); }, R"({"type": "Softshrink"})"})},
    entry{"Hardshrink", "torch.nn", [](auto& c) { return c.elementwise(hardshrink(x, c.number("lambd", 0.5)), inplace::no); },
          boost::hana::make_tuple(example{"hardshrink", [] { return hardshrink(x); }, R"({"type": "Hardshrink"})"})},
    entry{"GLU", "torch.nn", [](auto& c) { return c.glu(static_cast<std::ptrdiff_t>(c.integer("dim", -1))); },
          boost::hana::make_tuple()},
    entry{"Maxout", "torch.nn", [](auto& c) {
              const long long pieces = c.integer("pieces", 2);
              c.require(pieces >= 1, "pieces", "must be at least 1");
              const long long dim = c.integer("dim", 1);
              return c.maxout(static_cast<std::size_t>(pieces), static_cast<std::ptrdiff_t>(dim));
          },
          boost::hana::make_tuple()},
    entry{"Squareplus", "jax.nn", [](auto& c) {
              const double b = c.number("b", 4.0);
              c.require_in_each_type("b", b, [](auto v) { return v >= 0 && std::isfinite(v); },
                                     "must be finite and at least 0");
              return c.elementwise(squareplus(x, b), inplace::no);
          },
          boost::hana::make_tuple(example{"squareplus", [] { return squareplus(x); }, R"({"type": "Squareplus"})"})},
    entry{"SparsePlus", "jax.nn", [](auto& c) { return c.elementwise(sparse_plus(x), inplace::no); },
          boost::hana::make_tuple(example{"sparse_plus", [] { return sparse_plus(x); }, R"({"type": "SparsePlus"})"})});
// clang-format on

// f(entry) for every entry.
template <class F>
constexpr void for_each_entry(F&& f) {
    boost::hana::for_each(entries, f);
}

// f(entry, example) for every elementwise example, in the list's order.
template <class F>
constexpr void for_each_example(F&& f) {
    boost::hana::for_each(entries, [&](const auto& e) {
        boost::hana::for_each(e.examples, [&](const auto& ex) { f(e, ex); });
    });
}

}  // namespace actdsl::catalog
