// The builder table's parts, one translation unit each (catalog_part.cpp.in).
#pragma once

#include <actdsl/torch/catalog.hpp>

namespace actdsl_python {
inline constexpr std::size_t part_count = 4;
void add_part_0(actdsl::torch::builder_table& table);
void add_part_1(actdsl::torch::builder_table& table);
void add_part_2(actdsl::torch::builder_table& table);
void add_part_3(actdsl::torch::builder_table& table);

inline void add_all_parts(actdsl::torch::builder_table& table) {
    add_part_0(table);
    add_part_1(table);
    add_part_2(table);
    add_part_3(table);
}
}  // namespace actdsl_python
