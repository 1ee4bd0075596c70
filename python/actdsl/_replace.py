"""replace_activations: torch.nn activation modules of a model swapped for actdsl's."""
import torch

from . import nn


def replace_activations(model):
    """Swaps, in place, every module of `model` whose class is exactly a torch.nn
    activation that actdsl has (torch.nn.GELU, not a subclass of it) for its
    actdsl.nn twin, keeping its attributes, parameters and state dict keys.
    Returns [(qualified name, class name)] of what it replaced; a model that is
    itself such a module is not replaced (swap it yourself: actdsl.nn.GELU(...))."""
    twins = {getattr(torch.nn, name): getattr(nn, name) for name in nn.__all__}
    replaced = []
    for qualified, child in list(model.named_modules()):
        twin = twins.get(type(child))
        if twin is None or not qualified:
            continue
        parent_name, _, name = qualified.rpartition(".")
        swapped = twin.__new__(twin)
        swapped.__dict__.update(child.__dict__)
        setattr(model.get_submodule(parent_name), name, swapped)
        replaced.append((qualified, type(child).__name__))
    return replaced
