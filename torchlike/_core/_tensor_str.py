"""Tensor printing, matching torch/_tensor_str.py character for character.

The tensor is read once into a numpy array on the host; all formatting is done there with
Python's float formatting of exact Python numbers, which is what torch does via `.item()`/`.tolist()`.
"""

import contextlib
import dataclasses
import math
import sys
from typing import Any

import numpy as np

from . import dtypes as _dt


@dataclasses.dataclass
class __PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = __PrinterOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing (torch.set_printoptions)."""
    if profile is not None:
        # torch silently ignores an unknown profile name
        for k, v in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, k, v)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # as in torch, sci_mode is reset to automatic unless given
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for set_printoptions()."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


class _Formatter:
    """Chooses int/fixed/scientific notation and a common width for the values of `a`."""

    def __init__(self, a, floating):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision

        if not floating:
            for value in np.unique(a).tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        vals = a[np.isfinite(a) & (a != 0)]
        if vals.size == 0:
            return
        absvals = np.abs(vals)
        vmin, vmax = float(absvals.min()), float(absvals.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        if self.sci_mode:
            fmt, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            # the trailing '.' that marks a float tensor
            fmt, extra = "{:.0f}", 1
        else:
            fmt, extra = f"{{:.{p}f}}", 0
        for value in np.unique(vals).tolist():
            self.max_width = max(self.max_width, len(fmt.format(value)) + extra)

    def width(self):
        return self.max_width

    def format(self, value):
        p = PRINT_OPTS.precision
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{p}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{p}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _val_str(val, formatter1, formatter2):
    if formatter2 is None:
        return formatter1.format(val)
    real_str = formatter1.format(val.real)
    imag_str = (formatter2.format(val.imag) + "j").lstrip()
    # the imaginary part carries its own sign (including -0.)
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _vector_str(a, indent, summarize, formatter1, formatter2=None):
    # length includes the space and comma between elements
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        element_length += formatter2.width() + 1
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems

    def fmt(vals):
        return [_val_str(v, formatter1, formatter2) for v in vals.tolist()]

    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = fmt(a[:edge]) + [" ..."] + fmt(a[-edge:])
    else:
        data = fmt(a)

    lines = [
        ", ".join(data[i : i + elements_per_line]) for i in range(0, len(data), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a, indent, summarize, formatter1, formatter2=None):
    dim = a.ndim
    if dim == 0:
        return _val_str(a.item(), formatter1, formatter2)
    if dim == 1:
        return _vector_str(a, indent, summarize, formatter1, formatter2)

    edge = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = range(n)
    slices = [
        "..."
        if i is None
        else _tensor_str_with_formatter(a[i], indent + 1, summarize, formatter1, formatter2)
        for i in rows
    ]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(a):
    """The elements a summarized print shows, which alone decide the formatting."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        # torch's `self[-0:]` keeps the whole vector when edgeitems is 0
        if a.shape[0] > 2 * edge:
            return np.concatenate((a[:edge], a[-edge:] if edge else a))
        return a
    if not edge:
        return a[(slice(0, 0),) * a.ndim]
    n = a.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.stack([_summarized_data(a[i]) for i in rows])


def _tensor_str(a, indent, floating, is_complex):
    """The bracketed contents of the host array `a`."""
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    shown = _summarized_data(a) if summarize else a
    if is_complex:
        real_formatter = _Formatter(shown.real, True)
        imag_formatter = _Formatter(shown.imag, True)
        return _tensor_str_with_formatter(a, indent, summarize, real_formatter, imag_formatter)
    return _tensor_str_with_formatter(a, indent, summarize, _Formatter(shown, floating))


def _add_suffixes(tensor_str, suffixes, indent, force_newline):
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def _host_array(t):
    """The tensor's values as a numpy array whose `.tolist()` gives exact Python numbers."""
    a = np.asarray(t.detach().numpy(force=True))
    if a.dtype.name == "bfloat16":
        # ml_dtypes' bfloat16 -> float32 is exact, like torch's `.item()`
        a = a.astype(np.float32)
    return a


def _parameter_class():
    mod = sys.modules.get("torchlike.nn.parameter")
    return getattr(mod, "Parameter", None)


def _prefix(t):
    from .tensor import Tensor

    cls = type(t)
    param = _parameter_class()
    # anything that is not a Tensor subclass is printed as a plain tensor (duck typing)
    if cls is Tensor or (param is not None and cls is param) or not isinstance(t, Tensor):
        return "tensor(", True
    return f"{cls.__name__}(", False


def _grad_fn_name(t):
    try:
        grad_fn = t.grad_fn
    except RuntimeError:
        return "Invalid"
    if grad_fn is None:
        return None
    name = grad_fn.name() if hasattr(grad_fn, "name") else type(grad_fn).__name__
    return name.rsplit("::", 1)[-1]


def tensor_repr(t, *, tensor_contents=None) -> str:
    """repr(tensor), exactly as PyTorch prints it."""
    prefix, is_plain_tensor = _prefix(t)
    indent = len(prefix)
    suffixes = []
    dtype = t.dtype
    shape = tuple(t.shape)
    default = _dt.get_default_dtype()

    device = str(t.device)
    if device != "cpu":
        suffixes.append("device='" + device + "'")

    default_complex = _dt.complex128 if default is _dt.float64 else _dt.complex64
    has_default_dtype = dtype in (default, default_complex, _dt.int64, _dt.bool)

    tensor_str = tensor_contents
    if getattr(t, "is_meta", False):
        suffixes.append("size=" + str(shape))
        if dtype != default:
            suffixes.append("dtype=" + repr(dtype))
        if tensor_str is None:
            tensor_str = "..."
    elif math.prod(shape) == 0:
        # numpy's habit: the shape is shown unless it is (0,)
        if len(shape) != 1:
            suffixes.append("size=" + str(shape))
        # no elements to infer the dtype from, so even int64 is shown
        if dtype != default:
            suffixes.append("dtype=" + repr(dtype))
        if tensor_str is None:
            tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(shape))
        if not has_default_dtype:
            suffixes.append("dtype=" + repr(dtype))
        if tensor_str is None:
            tensor_str = _tensor_str(
                _host_array(t), indent, dtype.is_floating_point, dtype.is_complex
            )

    grad_fn_name = _grad_fn_name(t)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    string_repr = _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)

    # a subclass of Parameter prints as Parameter(<Subclass>(...)), as in torch
    param = _parameter_class()
    if param is not None and isinstance(t, param) and not is_plain_tensor:
        string_repr = f"Parameter({string_repr})"
    return string_repr


def tensor_str(t) -> str:
    """str(tensor): the same as repr, as in PyTorch."""
    return tensor_repr(t)
