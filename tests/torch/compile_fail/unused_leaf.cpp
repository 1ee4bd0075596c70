// expect: a leaf is not used by f; list only f's own
#include <actdsl/torch.hpp>

int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta;
    const auto silu = actdsl::torch::function(x * sigmoid(x), beta);
    return static_cast<int>(silu(at::ones({3}), at::ones({})).numel());
}
