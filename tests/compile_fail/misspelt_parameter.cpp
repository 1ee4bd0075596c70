// expect: a value is bound to a parameter the activation does not have
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta{};
    constexpr parameter<"betta"> betta{};
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x * sigmoid(beta * x), a, y, beta = 1.0, betta = 1.5);
}
