"""torch.nn.functional's activations, computed by actdsl.

Each function takes the arguments of its torch.nn.functional namesake, with the
same defaults: elu(input, alpha=1.0, inplace=False), gelu(input, approximate="none"),
prelu(input, weight), rrelu(input, lower, upper, training=False, inplace=False), ...,
softmax(input, dim=None, _stacklevel=3, dtype=None), log_softmax and softmin alike.
"""
import inspect

import torch
import torch.nn.functional as F

from . import _C
from ._catalog import TYPES, build, module_parameters

__all__ = []


def _functional_name(type_name):
    """torch.nn.functional's name for a torch.nn type: ELU -> elu, LeakyReLU -> leaky_relu."""
    for name in dir(F):
        if not name.startswith("_") and not name.endswith("_") and name.replace("_", "") == type_name.lower():
            return name
    return None


def _signature(type_name):
    """input, then the module's arguments with its defaults; F.rrelu adds training
    before inplace, F.prelu takes the weight instead."""
    P = inspect.Parameter
    parameters = [P("input", P.POSITIONAL_OR_KEYWORD)]
    if type_name == "PReLU":
        return inspect.Signature(parameters + [P("weight", P.POSITIONAL_OR_KEYWORD)])
    for p in module_parameters(type_name):
        if type_name == "RReLU" and p.name == "inplace":
            parameters.append(P("training", P.POSITIONAL_OR_KEYWORD, default=False))
        parameters.append(P(p.name, P.POSITIONAL_OR_KEYWORD, default=p.default))
    return inspect.Signature(parameters)


def _make(type_name, name):
    signature = _signature(type_name)

    def function(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        input = arguments.pop("input")
        if type_name == "PReLU":
            weight = arguments.pop("weight")
            return build(type_name, {})(input, [weight])
        return build(type_name, arguments)(input)

    function.__name__ = function.__qualname__ = name
    function.__signature__ = signature
    function.__doc__ = f"torch.nn.functional.{name}{signature} computed by actdsl's fused kernels."
    return function


for _type in TYPES:
    _name = _functional_name(_type)
    if _name is not None:
        globals()[_name] = _make(_type, _name)
        __all__.append(_name)
del _type, _name


def _softmax_family(name):
    kernel = getattr(_C, name)

    def function(input, dim=None, _stacklevel=3, dtype=None):
        if dim is None:  # torch.nn.functional's implicit dim, with its deprecation warning
            dim = F._get_softmax_dim(name, input.dim(), _stacklevel)
        if dtype is not None:
            input = input.to(dtype)
        return kernel(input, dim)

    function.__name__ = function.__qualname__ = name
    function.__signature__ = inspect.signature(getattr(F, name))
    function.__doc__ = f"torch.nn.functional.{name}{function.__signature__} computed by actdsl's fused kernels."
    return function


for _name in ("softmax", "log_softmax", "softmin"):
    globals()[_name] = _softmax_family(_name)
    __all__.append(_name)
del _name
