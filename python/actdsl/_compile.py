"""actdsl.compile: a user's activation, written as a Python expression, compiled
once into actdsl's fused forward, backward and double-backward kernels, cached on
disk, and returned as a torch.nn.Module."""
import ast
import hashlib
import importlib.machinery
import importlib.util
import math
import os
import pathlib
import sys
import time

import torch

from . import _config

# The expression language's functions (docs/language.md) by their number of arguments.
FUNCTIONS = {
    **{name: 1 for name in ("exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tanh", "sigmoid",
                            "erf", "erfc", "abs", "sign")},
    "min": 2, "max": 2, "where": 3,
}
CONSTANTS = ("pi", "sqrt_2_over_pi", "two_over_sqrt_pi", "sqrt1_2")
VARIABLE = "x"
ORDER = 2  # derivatives the compiled module supports: backward and double backward

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}


class _Translator:
    """Python's syntax tree of the expression -> the C++ expression, checking every name."""

    def __init__(self, text, parameters):
        self.text = text
        self.parameters = parameters
        self.used = set()

    def fail(self, node, what):
        raise ValueError(f"actdsl.compile: {what} (in {self.text!r}, column {node.col_offset + 1})")

    def __call__(self, node):
        if isinstance(node, ast.Expression):
            return self(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = float(node.value)
            if not math.isfinite(value):
                self.fail(node, f"{node.value!r} is not a finite number")
            return repr(value)
        if isinstance(node, ast.Name):
            if node.id == VARIABLE or node.id in self.parameters:
                self.used.add(node.id)
                return f"p_{node.id}" if node.id != VARIABLE else "x"
            if node.id in CONSTANTS:
                return node.id
            known = ", ".join([VARIABLE, *sorted(self.parameters), *CONSTANTS])
            self.fail(node, f"unknown name {node.id!r}: the input is x, parameters are keyword arguments of "
                            f"actdsl.compile (known here: {known})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return ("-" if isinstance(node.op, ast.USub) else "+") + f"({self(node.operand)})"
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return f"({self(node.left)} {_BINARY[type(node.op)]} {self(node.right)})"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            e = node.right
            negative = isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub)
            value = e.operand if negative else e
            if not (isinstance(value, ast.Constant) and type(value.value) is int):
                self.fail(node, "** takes an integer exponent (u ** 3); write sqrt(u), or exp(v * log(u))")
            n = -value.value if negative else value.value
            base = node.left
            if isinstance(base, ast.Constant) and type(base.value) in (int, float):
                return self(ast.copy_location(ast.Constant(float(base.value) ** n), node))  # a number
            return f"pow<{n}>({self(base)})"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            return f"({self(node.left)} {_COMPARE[type(node.ops[0])]} {self(node.comparators[0])})"
        if isinstance(node, ast.BoolOp):
            op = " && " if isinstance(node.op, ast.And) else " || "
            return "(" + op.join(self(v) for v in node.values) + ")"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name not in FUNCTIONS:
                self.fail(node, f"unknown function {name!r} (known: {', '.join(sorted(FUNCTIONS))})")
            if node.keywords or len(node.args) != FUNCTIONS[name]:
                self.fail(node, f"{name} takes {FUNCTIONS[name]} argument(s), got {len(node.args) + len(node.keywords)}")
            return f"{name}({', '.join(self(a) for a in node.args)})"
        self.fail(node, f"{ast.unparse(node)!r} is not part of the expression language (docs/language.md)")


def translate(text, parameters):
    """The C++ expression for `text`, and the parameters it uses."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise SyntaxError(f"actdsl.compile: {e.msg} in {text!r}") from None
    translator = _Translator(text, set(parameters))
    cpp = translator(tree)
    if VARIABLE not in translator.used:
        raise ValueError(f"actdsl.compile: {text!r} does not use the input x")
    unused = set(parameters) - translator.used
    if unused:
        raise ValueError(f"actdsl.compile: parameter(s) {', '.join(sorted(unused))} not used by {text!r}")
    return cpp


def source(cpp, parameters):
    """The extension's C++ source: apply(input, parameter tensors...) -> tensor."""
    declarations = "".join(f'constexpr parameter<"{p}"> p_{p};\n' for p in parameters)
    leaves = "".join(f", p_{p}" for p in parameters)
    arguments = "".join(f", const at::Tensor& {p}" for p in parameters)
    values = "".join(f", {p}" for p in parameters)
    return f"""#include <torch/extension.h>

#include <actdsl/torch.hpp>

namespace {{
using namespace actdsl;
{declarations}const auto activation = actdsl::torch::function<{ORDER}>({cpp}{leaves});
}}  // namespace

at::Tensor apply(const at::Tensor& input{arguments}) {{ return activation(input{values}); }}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {{ m.def("apply", &apply); }}
"""


CFLAGS = ["-O2", "-std=c++20", "-march=native", "-ffp-contract=off", "-fopenmp", "-w"]
LDFLAGS = ["-lsleef", "-fopenmp"]


def cache_directory():
    """$ACTDSL_CACHE, or $XDG_CACHE_HOME/actdsl, or ~/.cache/actdsl."""
    if os.environ.get("ACTDSL_CACHE"):
        return pathlib.Path(os.environ["ACTDSL_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "actdsl"


def _cpu_flags():
    """The instruction sets of this machine (the cache's key: the kernels use -march=native)."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return ""


def _headers_stamp():
    """The headers' newest modification time and count: a changed copy compiles anew."""
    files = list(pathlib.Path(_config.INCLUDE_DIR).rglob("*.hpp"))
    return f"{max((f.stat().st_mtime_ns for f in files), default=0)} {len(files)}"


def load(text, parameters, verbose=True):
    """The compiled extension for `text` with these parameter names: from the cache,
    or compiled (and cached) now."""
    cpp = translate(text, parameters)
    code = source(cpp, parameters)
    key = "\n".join([code, " ".join(CFLAGS + LDFLAGS), torch.__version__, _config.VERSION, _config.INCLUDE_DIR,
                     _headers_stamp(), _cpu_flags()])
    name = "actdsl_" + hashlib.sha256(key.encode()).hexdigest()[:20]
    directory = cache_directory() / name
    library = directory / f"{name}.so"
    # torch.utils.cpp_extension holds `lock` while it builds: then wait for it below.
    if library.exists() and not (directory / "lock").exists():
        spec = importlib.util.spec_from_file_location(name, library,
                                                      loader=importlib.machinery.ExtensionFileLoader(name, str(library)))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module, False
    from torch.utils import cpp_extension  # imports setuptools: only when compiling

    directory.mkdir(parents=True, exist_ok=True)
    if verbose:
        print(f"actdsl.compile: compiling {text} with derivatives to order {ORDER} (once, up to a minute), "
              f"cached in {directory}", file=sys.stderr, flush=True)
    start = time.monotonic()
    module = cpp_extension.load_inline(name, cpp_sources=[code], extra_cflags=CFLAGS, extra_ldflags=LDFLAGS,
                                       extra_include_paths=[_config.INCLUDE_DIR], build_directory=str(directory),
                                       verbose=False)
    if verbose:
        print(f"actdsl.compile: compiled in {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    return module, True


class Compiled(torch.nn.Module):
    """An activation compiled by actdsl.compile. Its parameters are torch.nn.Parameters
    (the learnable ones) or buffers (the others), each a 0-d float64 tensor."""

    def __init__(self, text, extension, values, learnable):
        super().__init__()
        self.expression = text
        self._extension = extension
        self._names = list(values)
        for name, value in values.items():
            tensor = torch.tensor(float(value), dtype=torch.float64)
            if name in learnable:
                self.register_parameter(name, torch.nn.Parameter(tensor))
            else:
                self.register_buffer(name, tensor)

    def forward(self, input):
        return self._extension.apply(input, *(getattr(self, n) for n in self._names))

    def function(self, input, *parameters):
        """The activation as a function: input, then one tensor per parameter, in the
        order actdsl.compile was given them."""
        return self._extension.apply(input, *parameters)

    def extra_repr(self):
        values = ", ".join(f"{n}={getattr(self, n).item():g}" for n in self._names)
        return repr(self.expression) + (", " + values if values else "")


def compile(expression, learnable=(), verbose=True, **parameters):
    """A torch.nn.Module computing `expression` of the input x with actdsl's fused kernels,
    differentiable twice:

        swish = actdsl.compile("x * sigmoid(beta * x)", beta=1.0, learnable=["beta"])
        y = swish(input)            # swish.beta is a torch.nn.Parameter

    The expression uses x, the keyword arguments' names (parameters: their values are
    the initial ones, and they may change without recompiling), the numbers, + - * /
    and integer powers (**), comparisons with `and`/`or` inside where(cond, a, b), the
    constants pi, sqrt_2_over_pi, two_over_sqrt_pi, sqrt1_2 and the functions exp,
    log, log1p, expm1, sqrt, sin, cos, tanh, sigmoid, erf, erfc, abs, sign, min, max.
    The first call for an expression compiles it (up to a minute; progress on stderr
    unless verbose=False); later calls and processes load it from the cache
    ($ACTDSL_CACHE, or ~/.cache/actdsl)."""
    learnable = set(learnable)
    taken = [n for n in parameters if n == VARIABLE or n in CONSTANTS or n in FUNCTIONS]
    if taken:
        raise ValueError(f"actdsl.compile: {taken[0]} is the input, a constant or a function: name the parameter otherwise")
    unknown = learnable - set(parameters)
    if unknown:
        raise ValueError(f"actdsl.compile: learnable parameter(s) {', '.join(sorted(unknown))} have no value: "
                         f"pass them as keywords, e.g. {sorted(unknown)[0]}=1.0")
    for name, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"actdsl.compile: parameter {name} must be a number, got {type(value).__name__}")
    extension, _ = load(expression, list(parameters), verbose)
    return Compiled(expression, extension, parameters, learnable)
