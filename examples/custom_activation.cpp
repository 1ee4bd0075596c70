// A custom activation in a few lines: swish with a learnable beta,
//   f(x) = x * sigmoid(beta * x),
// its derivatives with respect to x and to beta (computed at compile time),
// its fused kernels over an xtensor array, and how exact they are.
#include <cstdio>

#include <actdsl/actdsl.hpp>
#include <actdsl/kernels/accuracy.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xbuilder.hpp>

int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta;

    constexpr auto swish = x * sigmoid(beta * x);
    std::printf("f(x)        = %s\n", to_string(swish).c_str());
    std::printf("df/dx       = %s\n", to_string(derivative(swish, x)).c_str());
    std::printf("df/dbeta    = %s\n", to_string(derivative(swish, beta)).c_str());
    std::printf("d2f/dx2     = %s\n\n", to_string(derivative(derivative(swish, x), x)).c_str());

    const xt::xtensor<float, 1> input = xt::linspace<float>(-4.0f, 4.0f, 9);
    const xt::xtensor<float, 1> grad_out = xt::ones<float>({input.size()});
    xt::xtensor<float, 1> y = xt::zeros<float>({input.size()});
    xt::xtensor<float, 1> dx = xt::zeros<float>({input.size()});

    forward(swish, input, y, beta = 1.5);                               // y = f(x)
    backward(swish, input, grad_out, dx, beta = 1.5);                   // dx = dy * f'(x)
    std::printf("%6s %12s %12s %14s\n", "x", "f(x)", "df/dx", "fused: f, df");
    xt::xtensor<float, 1> y2 = xt::zeros<float>({input.size()});
    xt::xtensor<float, 1> dx2 = xt::zeros<float>({input.size()});
    forward_backward(swish, input, grad_out, y2, dx2, beta = 1.5);      // both in one pass
    for (std::size_t i = 0; i < input.size(); ++i)
        std::printf("%6.2f %12.7f %12.7f %7.4f %6.4f\n", static_cast<double>(input(i)), static_cast<double>(y(i)),
                    static_cast<double>(dx(i)), static_cast<double>(y2(i)), static_cast<double>(dx2(i)));

    // The same activation at one point, in long double: the library's own reference path.
    std::printf("\nf(0.5) with beta = 1.5, in long double: %.18Lf\n", evaluate(swish, 0.5L, beta = 1.5));

    // How exact the float kernels are over the whole float range, against long double
    // (docs/accuracy.md explains the columns).
    std::printf("\n%s", accuracy<float>(swish, beta = 1.5).to_string().c_str());
    return 0;
}
