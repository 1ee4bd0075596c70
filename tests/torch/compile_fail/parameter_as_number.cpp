// expect: every argument is an at::Tensor; pass a parameter's value as a tensor
#include <actdsl/torch.hpp>

int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta;
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor y = swish(at::ones({3}), 1.5);
    return static_cast<int>(y.numel());
}
