// expect: (parameter_not_bound_at_the_call<'b', 'e', 't', 'a'>.*is not bound at the call; pass|is not bound at the call; pass.*parameter_not_bound_at_the_call<'b', 'e', 't', 'a'>)
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta{};
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x * sigmoid(beta * x), a, y);
}
