// expect: cond must be a comparison such as x > 0
#include <actdsl/actdsl.hpp>
int main() { (void)actdsl::where(actdsl::x, actdsl::x, 0); }
