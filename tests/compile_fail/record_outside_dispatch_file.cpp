// expect: belongs in a file compiled once per instruction set: add it with actdsl_add_dispatch
#include <actdsl/actdsl.hpp>
// A baseline translation unit cannot record kernels for other instruction sets.
static const bool recorded = actdsl::dispatch::record<float>(actdsl::x * actdsl::sigmoid(actdsl::x));
int main() { return recorded ? 0 : 1; }
