"""actdsl's activations for PyTorch: fused, exact CPU kernels, differentiable twice.

    import actdsl
    act = actdsl.nn.Mish()                  # a torch.nn.Mish whose forward runs actdsl
    y = actdsl.functional.gelu(x, approximate="tanh")
    replaced = actdsl.replace_activations(model)
    swish = actdsl.compile("x * sigmoid(beta * x)", beta=1.0, learnable=["beta"])

actdsl.nn's modules subclass torch.nn's (same constructor, defaults, attributes,
state dict and repr); actdsl.functional's functions take torch.nn.functional's
arguments. CPU tensors of float32 and float64.
"""
import torch  # noqa: F401  (loads libtorch before the extension)

from . import _C, functional, nn
from ._compile import compile
from ._replace import replace_activations

__all__ = ["compile", "functional", "nn", "replace_activations", "types"]


def types():
    """The catalog's types by class name (torch.nn's, and Squareplus and SparsePlus
    from jax.nn); actdsl.nn has those that torch.nn has."""
    return list(_C.types())
