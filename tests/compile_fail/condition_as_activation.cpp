// expect: an activation must be a number, not a condition; wrap the comparison in where
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    xt::xtensor<float, 1> a = xt::zeros<float>({4}), y = a;
    forward(x > 0, a, y);
}
