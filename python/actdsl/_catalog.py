"""The catalog's types as torch.nn and torch.nn.functional know them.

The list of types and their rules is the C++ catalog's (actdsl._C.types());
parameter names and defaults are torch.nn's own, read from its constructors.
"""
import functools
import inspect

import torch

from . import _C

# Types of the catalog that torch.nn has a module for, in the catalog's order.
TYPES = [t for t in _C.types() if isinstance(getattr(torch.nn, t, None), type)]


def module_parameters(type_name):
    """torch.nn.<type_name>'s constructor arguments (inspect.Parameters; its attributes
    have the same names), without device and dtype and without deprecated aliases
    (Hardtanh's min_value and max_value, whose default is None)."""
    init = inspect.signature(getattr(torch.nn, type_name).__init__).parameters
    return [p for n, p in init.items() if n not in ("self", "device", "dtype") and p.default is not None]


@functools.lru_cache(maxsize=1024)
def _build(type_name, items):
    return _C.build(type_name, dict(items))


def build(type_name, parameters):
    """The C++ activation for these parameters (cached; ValueError if they break torch.nn's rules)."""
    items = tuple(sorted(parameters.items()))
    try:
        return _build(type_name, items)
    except TypeError:  # an unhashable value: let the extension name it
        return _C.build(type_name, dict(parameters))
