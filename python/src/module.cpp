// actdsl._C: the catalog's activations (torch/catalog.hpp) and the softmax family
// (torch/softmax.hpp) for Python. The builder
// table is split over catalog_part_<k>.cpp so that its translation units compile
// side by side.
#include <torch/extension.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <actdsl/torch/catalog.hpp>
#include <actdsl/torch/softmax.hpp>

#include "parts.hpp"

namespace py = pybind11;

namespace {

const actdsl::torch::builder_table& table() {
    static const actdsl::torch::builder_table t = [] {
        actdsl::torch::builder_table b;
        actdsl_python::add_all_parts(b);
        return b;
    }();
    return t;
}

// A config from Python keyword values: bool, int, float (NaN and infinities kept) or str.
nlohmann::json config_of(const std::string& type, const py::dict& parameters) {
    nlohmann::json config = nlohmann::json::object();
    config["type"] = type;
    for (const auto& [key, value] : parameters) {
        const auto name = py::cast<std::string>(key);
        if (py::isinstance<py::bool_>(value)) config[name] = value.cast<bool>();
        else if (py::isinstance<py::int_>(value)) config[name] = value.cast<long long>();
        else if (py::isinstance<py::float_>(value)) config[name] = value.cast<double>();
        else if (py::isinstance<py::str>(value)) config[name] = value.cast<std::string>();
        else
            throw py::type_error(type + ": " + name + " must be a bool, an int, a float or a str, got " +
                                 std::string(py::str(py::type::of(value).attr("__name__"))));
    }
    return config;
}

}  // namespace

PYBIND11_MODULE(_C, m) {
    m.doc() = "actdsl's fused activation kernels as PyTorch autograd functions";
    py::class_<actdsl::torch::activation, std::shared_ptr<actdsl::torch::activation>>(m, "Activation")
        .def_property_readonly("type", &actdsl::torch::activation::type)
        .def_property_readonly("inplace", &actdsl::torch::activation::inplace)
        .def_property_readonly("parameter_count", &actdsl::torch::activation::parameter_count)
        .def(
            "__call__",
            [](const actdsl::torch::activation& a, const at::Tensor& input, const std::vector<at::Tensor>& parameters) {
                return a(input, parameters);
            },
            py::arg("input"), py::arg("parameters") = std::vector<at::Tensor>{});
    m.def(
        "build",
        [](const std::string& type, const py::dict& parameters) {
            return actdsl::torch::build_activation(config_of(type, parameters), table());
        },
        py::arg("type"), py::arg("parameters") = py::dict(),
        "The activation of this torch.nn type with these parameters (torch.nn's names); ValueError if they break its rules");
    m.def("softmax", &actdsl::torch::softmax, py::arg("input"), py::arg("dim"));
    m.def("log_softmax", &actdsl::torch::log_softmax, py::arg("input"), py::arg("dim"));
    m.def("softmin", &actdsl::torch::softmin, py::arg("input"), py::arg("dim"));
    m.def("types", [] {
        std::vector<std::string> names;
        for (const auto& [name, b] : table()) names.push_back(name);
        return names;
    });
}
