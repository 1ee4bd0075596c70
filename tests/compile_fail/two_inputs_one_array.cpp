// expect: take one input array; this expression has several variables
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    constexpr variable<"gate"> gate{};
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x * sigmoid(gate), a, y);
}
