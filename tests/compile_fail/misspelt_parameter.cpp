// expect: (bound_name_is_not_a_parameter<'b', 'e', 't', 't', 'a'>.*parameter_not_bound_at_the_call<'b', 'e', 't', 'a'>|parameter_not_bound_at_the_call<'b', 'e', 't', 'a'>.*bound_name_is_not_a_parameter<'b', 'e', 't', 't', 'a'>)
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta{};
    constexpr parameter<"betta"> betta{};
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x * sigmoid(beta * x), a, y, betta = 1.5);
}
