// expect: every array of one call must have the same element type
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    xt::xtensor<float, 1> a = xt::zeros<float>({4});
    xt::xtensor<double, 1> y = xt::zeros<double>({4});
    forward(x * sigmoid(x), a, y);
}
