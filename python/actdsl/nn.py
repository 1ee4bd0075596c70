"""torch.nn's activation modules, computed by actdsl.

Each class subclasses its torch.nn namesake: the same constructor, defaults,
validation, attributes, parameters (PReLU's weight), state dict keys and repr;
only forward differs. RReLU in training mode keeps PyTorch's random slopes.
Softmax, LogSoftmax and Softmin run actdsl.functional's softmax family.
"""
import torch

from . import functional

from ._catalog import TYPES, build, module_parameters

__all__ = list(TYPES)


def _twin(type_name):
    base = getattr(torch.nn, type_name)
    names = [p.name for p in module_parameters(type_name)]

    def forward(self, input):
        if type_name == "PReLU":  # the weight's shape holds num_parameters
            return build(type_name, {})(input, [self.weight])
        config = {name: getattr(self, name) for name in names}
        if type_name == "RReLU":
            config["training"] = self.training
        return build(type_name, config)(input)

    doc = f"torch.nn.{type_name} computed by actdsl's fused kernels (forward, backward and double backward)."
    return type(type_name, (base,), {"forward": forward, "__doc__": doc, "__module__": __name__})


for _name in TYPES:
    globals()[_name] = _twin(_name)
del _name


def _softmax_twin(type_name, name):
    base = getattr(torch.nn, type_name)
    function = getattr(functional, name)

    def forward(self, input):
        return function(input, self.dim, _stacklevel=5)

    doc = f"torch.nn.{type_name} computed by actdsl's fused kernels (forward, backward and double backward)."
    return type(type_name, (base,), {"forward": forward, "__doc__": doc, "__module__": __name__})


for _type, _function in (("Softmax", "softmax"), ("LogSoftmax", "log_softmax"), ("Softmin", "softmin")):
    globals()[_type] = _softmax_twin(_type, _function)
    __all__.append(_type)
del _type, _function
