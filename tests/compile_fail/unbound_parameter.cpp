// expect: parameter of the activation is not bound at the call; pass its value
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta{};
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x * sigmoid(beta * x), a, y);
}
