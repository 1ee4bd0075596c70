// expect: the call takes one tensor per variable, then one per parameter
#include <actdsl/torch.hpp>

int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta;
    const auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
    const at::Tensor y = swish(at::ones({3}));
    return static_cast<int>(y.numel());
}
