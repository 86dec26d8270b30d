"""torch.testing.assert_close: compare tensors, numbers and their containers, as PyTorch does."""

import collections.abc
import warnings

from .. import _core

_PRECISIONS = {  # dtype name -> (rtol, atol), PyTorch's defaults
    "float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex32": (0.001, 1e-5), "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


class _Failure(Exception):
    def __init__(self, exc_type, msg, path=()):
        super().__init__(msg)
        self.exc_type, self.msg, self.path = exc_type, msg, path


def _tol(*dtypes):
    pairs = [_PRECISIONS.get(str(d).split(".")[-1], (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _torch_type(obj):
    """type(obj) as PyTorch prints it (torchlike's Tensor is torch.Tensor to the user)."""
    from .._core.tensor import Tensor

    return "<class 'torch.Tensor'>" if isinstance(obj, Tensor) else str(type(obj))


def _mismatch(identifier, default, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff(kind, value, idx, tol):
        m = (f"{kind.title()} difference: {value}" if idx is None
             else f"Greatest {kind} difference: {value} at index {idx}")
        return m + ("" if equality else f" (up to {tol} allowed)") + "\n"

    if identifier is None:
        identifier = default
    elif callable(identifier):
        identifier = identifier(default)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff("absolute", abs_diff, abs_idx, atol) + diff("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch(None, "Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                     atol, rel_diff, None, rtol)


def _tensor_msg(actual, expected, matches, rtol, atol):
    import torchlike as torch

    shape = tuple(matches.shape)

    def unravel(flat):
        idx = []
        for size in shape[::-1]:
            flat, mod = divmod(flat, size)
            idx.append(mod)
        return tuple(idx[::-1])

    n = matches.numel()
    bad = n - int(torch.sum(matches))
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not (a.dtype.is_floating_point or a.dtype.is_complex):
        a, e = a.to(torch.int64), e.to(torch.int64)
    abs_diff = torch.abs(a - e)
    abs_diff[m] = 0
    max_abs, abs_i = torch.max(abs_diff, 0)
    rel_diff = abs_diff / torch.abs(e)
    rel_diff[m] = 0
    max_rel, rel_i = torch.max(rel_diff, 0)
    return _mismatch(None, "Tensor-likes", extra, max_abs.item(), unravel(int(abs_i)), atol,
                     max_rel.item(), unravel(int(rel_i)), rtol)


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype):
    import cmath

    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                       f"{type(expected)}.")
    if rtol is None:
        kinds = {type(actual), type(expected)}
        rtol, atol = (1e-7, 1e-7) if kinds & {float, complex} else (0.0, 0.0)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_msg(actual, expected, rtol, atol))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype):
    import torchlike as torch

    if actual.shape != expected.shape:
        raise _Failure(AssertionError, f"The values for attribute 'shape' do not match: "
                                       f"{actual.shape} != {expected.shape}.")
    if check_device and actual.device != expected.device:
        raise _Failure(AssertionError, f"The values for attribute 'device' do not match: "
                                       f"{actual.device} != {expected.device}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Failure(AssertionError, f"The values for attribute 'dtype' do not match: "
                                       f"{actual.dtype} != {expected.dtype}.")
    if rtol is None:
        rtol, atol = _tol(actual.dtype, expected.dtype)
    if actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if actual.dtype != expected.dtype:
        dt = torch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(dt), expected.to(dt)
    actual, expected = actual.detach(), expected.detach()
    if actual.dtype == torch.bool:
        actual, expected = actual.to(torch.uint8), expected.to(torch.uint8)
    matches = torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(torch.all(matches)):
        return
    if actual.dim() == 0:
        msg = _scalar_msg(actual.item(), expected.item(), rtol, atol)
    else:
        msg = _tensor_msg(actual, expected, matches, rtol, atol)
    raise _Failure(AssertionError, msg)


def _compare(actual, expected, path, **opts):
    from .._core.tensor import Tensor

    numbers = (bool, int, float, complex)
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _compare_tensors(actual, expected, **opts)
    if (isinstance(actual, numbers) and isinstance(expected, numbers)
            and not isinstance(actual, Tensor)):
        return _compare_numbers(actual, expected, opts["rtol"], opts["atol"], opts["equal_nan"],
                                opts["check_dtype"])
    if actual is None and expected is None:
        return
    if isinstance(actual, (str, bytes)) or isinstance(expected, (str, bytes)):
        pass
    elif (isinstance(actual, collections.abc.Sequence)
          and isinstance(expected, collections.abc.Sequence)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare_item(a, e, (*path, i), **opts)
        return
    elif (isinstance(actual, collections.abc.Mapping)
          and isinstance(expected, collections.abc.Mapping)):
        if set(actual) != set(expected):
            raise _Failure(AssertionError,
                           f"The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: {sorted(set(expected) - set(actual))}\n"
                           f"Additional keys in the actual mapping: {sorted(set(actual) - set(expected))}",
                           path)
        for k in actual:
            _compare_item(actual[k], expected[k], (*path, k), **opts)
        return
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type "
                              f"{_torch_type(actual)} and {_torch_type(expected)}.", path)


def _compare_item(actual, expected, path, **opts):
    try:
        _compare(actual, expected, path, **opts)
    except _Failure as f:
        raise _Failure(f.exc_type, f.msg, f.path or path) from None


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that `actual` and `expected` are close (PyTorch's rules, tolerances and messages).

    Differs from PyTorch: numpy arrays are not compared (they raise TypeError, as a tensor
    against an array does in PyTorch).
    """
    __tracebackhide__ = True
    if (rtol is None) ^ (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    try:
        _compare_item(actual, expected, (), rtol=rtol, atol=atol, equal_nan=equal_nan,
                      check_device=check_device, check_dtype=check_dtype)
    except _Failure as f:
        if msg is not None and f.exc_type is AssertionError:
            text = msg(f.msg) if callable(msg) else msg
        else:
            text = f.msg
            if f.path:
                text += f"\n\nThe failure occurred for item {''.join(str([p]) for p in f.path)}"
        raise f.exc_type(text) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated since PyTorch 1.12: assert_close with numpy-like promotion of non-tensors."""
    import torchlike as torch

    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed "
                  "in a future release. Please use `torch.testing.assert_close()` instead. You can "
                  "find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    if not isinstance(actual, torch.Tensor):
        actual = torch.tensor(actual)
    if not isinstance(expected, torch.Tensor):
        expected = torch.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _tol(actual.dtype, expected.dtype)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)


del _core
