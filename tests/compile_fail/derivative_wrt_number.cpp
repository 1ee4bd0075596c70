// expect: v must be a variable such as actdsl::x or a parameter
#include <actdsl/actdsl.hpp>
int main() { (void)actdsl::derivative(actdsl::x * actdsl::x, 3); }
