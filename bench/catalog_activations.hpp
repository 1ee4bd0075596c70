// Every elementwise example of the catalog (include/actdsl/catalog/list.hpp):
// visit(name, expression) for each. bench_catalog and bench_dispatch time them;
// compile_time_catalog instantiates their kernels.
#pragma once

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/list.hpp>

namespace bench {

template <class Visit>
void for_each_elementwise(Visit&& visit) {
    actdsl::catalog::for_each_example([&](const auto&, const auto& example) {
        visit(std::string(example.function).c_str(), example.make());
    });
}

}  // namespace bench
