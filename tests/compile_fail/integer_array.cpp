// expect: kernels work on float or double arrays; convert other arrays with xt::cast<float>
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>
int main() {
    using namespace actdsl;
    xt::xtensor<int, 1> a = xt::zeros<int>({4}), y = a;
    forward(x * sigmoid(x), a, y);
}
