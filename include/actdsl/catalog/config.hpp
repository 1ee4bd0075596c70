// A config's parameters, read with PyTorch's names, defaults and rules: what
// catalog/list.hpp's entries read through, for the registry (registry.hpp) and the
// PyTorch bridge (torch/catalog.hpp) alike.
#pragma once

#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace actdsl {

namespace catalog_detail {
// A config value as a message shows it: a scalar as JSON, cut to 40 characters, with
// NaN and infinities by name (JSON text has none; nlohmann writes them as null); an
// array or an object by its kind and size, never dumped (dumping a value nested
// 100000 deep recurses once per level).
inline std::string describe(const nlohmann::json& v) {
    if (v.is_array()) return "an array of size " + std::to_string(v.size());
    if (v.is_object()) return "an object with " + std::to_string(v.size()) + " keys";
    if (v.is_number_float() && !std::isfinite(v.get<double>()))
        return std::isnan(v.get<double>()) ? "NaN" : v.get<double>() > 0 ? "inf" : "-inf";
    std::string text = v.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}
// The shortest decimal that reads back as v ("1e-308", "inf", "0").
template <class T>
std::string shortest(T v) {
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof text, v).ptr);
}
}  // namespace catalog_detail

// The parameters of one config, read with PyTorch's names and defaults; finish()
// rejects any key that no read asked for.
class activation_config {
public:
    // caller prefixes every message ("actdsl::build_activation_layer: ELU: ...").
    activation_config(const nlohmann::json& config, std::string type, std::string caller = "actdsl::build_activation_layer")
        : config_(config), type_(std::move(type)), caller_(std::move(caller)) {
        if (!config_.is_object()) fail("the config must be a JSON object such as {\"type\": \"ReLU\"}");
        used_.insert("type");
    }
    const std::string& type() const { return type_; }

    double number(const std::string& name, double fallback) { return has(name) ? number(name) : fallback; }
    double number(const std::string& name) {
        const nlohmann::json& v = get(name);
        if (!v.is_number()) fail("parameter " + name + " must be a number, got " + catalog_detail::describe(v));
        return v.get<double>();
    }
    long long integer(const std::string& name, long long fallback) {
        if (!has(name)) return fallback;
        const nlohmann::json& v = get(name);
        if (!v.is_number_integer()) fail("parameter " + name + " must be an integer, got " + catalog_detail::describe(v));
        return v.get<long long>();
    }
    bool flag(const std::string& name, bool fallback) {
        if (!has(name)) return fallback;
        const nlohmann::json& v = get(name);
        if (!v.is_boolean()) fail("parameter " + name + " must be true or false, got " + catalog_detail::describe(v));
        return v.get<bool>();
    }
    std::string text(const std::string& name, const std::string& fallback) {
        if (!has(name)) return fallback;
        const nlohmann::json& v = get(name);
        if (!v.is_string()) fail("parameter " + name + " must be a string, got " + catalog_detail::describe(v));
        return v.get<std::string>();
    }
    // Throws "<type>: <name> = <value>: <rule>" unless ok.
    void require(bool ok, const std::string& name, const std::string& rule) {
        if (!ok) fail("invalid " + name + " = " + (config_.contains(name) ? catalog_detail::describe(config_.at(name)) : "(default)") + ": " + rule);
    }
    // Throws "<type>: invalid <name> = <value>: <rule>" unless rule(value) holds. A rule
    // that holds in double but not for the value rounded to float (a beta of 1e-308 is 0
    // in float, a b of 1e39 is inf) is kept: the activation built from this config
    // throws it when given float arrays, and works on double ones.
    template <class Rule>
    void require_in_each_type(const std::string& name, double value, Rule rule, const std::string& what) {
        require(rule(value), name, what);
        const float rounded = static_cast<float>(value);
        if (!rule(rounded) && float_problem_.empty())
            float_problem_ = type_ + ": invalid " + name + " for float arrays: " + catalog_detail::shortest(value) +
                             " is " + catalog_detail::shortest(rounded) + " in float, and " + name + " " + what +
                             "; use double arrays";
    }
    // Why the activation cannot run on float arrays; empty when it can.
    const std::string& float_problem() const { return float_problem_; }
    void finish() const {
        for (const auto& [key, value] : config_.items())
            if (!used_.count(key)) {
                std::string known;
                for (const auto& k : used_)
                    if (k != "type") known += (known.empty() ? "" : ", ") + k;
                fail("unknown parameter " + key + (known.empty() ? " (it takes none)" : " (it takes " + known + ")"));
            }
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument(caller_ + ": " + type_ + ": " + what);
    }

private:
    bool has(const std::string& name) {
        used_.insert(name);
        return config_.contains(name);
    }
    const nlohmann::json& get(const std::string& name) {
        used_.insert(name);
        if (!config_.contains(name)) fail("missing required parameter " + name);
        return config_.at(name);
    }
    const nlohmann::json& config_;
    std::string type_;
    std::string caller_;
    std::set<std::string> used_;
    std::string float_problem_;
};

// What catalog/list.hpp's entries read a config's parameters through; a reader
// (the registry's, the PyTorch catalog's) adds the activations it builds.
class parameter_reader {
public:
    explicit parameter_reader(activation_config& c) : c_(c) {}
    double number(const std::string& name) { return c_.number(name); }
    double number(const std::string& name, double fallback) { return c_.number(name, fallback); }
    long long integer(const std::string& name, long long fallback) { return c_.integer(name, fallback); }
    bool flag(const std::string& name, bool fallback) { return c_.flag(name, fallback); }
    std::string text(const std::string& name, const std::string& fallback) { return c_.text(name, fallback); }
    void require(bool ok, const std::string& name, const std::string& rule) { c_.require(ok, name, rule); }
    template <class Rule>
    void require_in_each_type(const std::string& name, double value, Rule rule, const std::string& what) {
        c_.require_in_each_type(name, value, rule, what);
    }
    [[noreturn]] void fail(const std::string& what) const { c_.fail(what); }

protected:
    activation_config& c_;
};

}  // namespace actdsl
