"""torch.autocast: per-op mixed precision with PyTorch's policy.

Inside an autocast region an op on PyTorch's lower-precision list for the device (matmul,
conv, linear, ...) casts its floating tensor inputs (not float64) to the autocast dtype; an op
on the float32 list casts them to float32; an op on the promote list casts them to the widest
of them. Other ops, and in-place ops, are left alone. The lists are PyTorch's
(aten/src/ATen/autocast_mode.cpp) for the CPU and CUDA, written against our op names, plus the
ops PyTorch implements by decomposition into listed ones (einsum through bmm, inner through mm,
cross_entropy through log_softmax, ...): measured against PyTorch op by op
(tests/test_autocast_oracle.py). The cast happens inside the op's compiled kernel.

Differs from PyTorch: the autocast state is process-wide, not thread-local; there is no weight
cast cache to clear (the casts are compiled into each kernel).
"""

import functools
import warnings

from .._core import dtypes as _dt

_LOWER, _FP32, _PROMOTE, _BANNED = "lower", "fp32", "promote", "banned"


def _einsum_cpu(op, vals):
    # PyTorch's CPU einsum reaches bmm (on the list) only for a contraction: a label that two
    # operands share and the output drops; other equations run as mul and sum in float32.
    eq = vals[op.index["equation"]].replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if not arrow:
        out = "".join(c for c in sorted(set(lhs)) if c.isalpha() and lhs.count(c) == 1)
    shared = {c for c in set(lhs) if c.isalpha() and sum(c in t for t in terms) > 1}
    return _LOWER if shared - set(out) else None


def _pair_cpu(op, vals):
    # inner and tensordot of two vectors run as dot (not on the CPU list), else as mm
    a, b = vals[0], vals[1]
    return None if getattr(a, "ndim", 0) <= 1 and getattr(b, "ndim", 0) <= 1 else _LOWER


def _matrix_power(cpu):
    def category(op, vals):
        n = vals[op.index["n"]]
        if n in (0, 1):
            return None
        if n == -1:
            return _FP32 if cpu else None  # (the inverse: on the CPU's float32 list)
        return _LOWER
    return category


def _pad_cpu(op, vals):
    mode = vals[op.index["mode"]]
    if mode == "replicate" or (mode == "reflect" and len(vals[op.index["pad"]]) <= 4):
        return _FP32  # reflection_pad1d/2d and replication_pad1d/2d/3d are on the list
    return None


def _rnn_cpu(op, vals):
    # LSTM runs as mkldnn_rnn (on the list), RNN as linear layers; GRU stays in float32
    return _LOWER if vals[op.index["mode"]] != "GRU" else None


def _scatter_cuda(op, vals):
    return _PROMOTE if vals[op.index["reduce"]] == "add" else None


def _table(**cats):
    t = {}
    for cat, names in cats.items():
        for n in names.split():
            t[n] = cat
    return t


_CONV = ("conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d "
         "nn_prelu scaled_dot_product_attention multi_head_attention_forward ")
_LOSSES = ("mse_loss l1_loss smooth_l1_loss huber_loss nll_loss cross_entropy kl_div "
           "poisson_nll_loss cosine_embedding_loss hinge_embedding_loss margin_ranking_loss "
           "soft_margin_loss triplet_margin_loss multi_margin_loss multilabel_margin_loss "
           "binary_cross_entropy_with_logits ctc_loss ")

POLICY = {
    "cpu": _table(
        lower=_CONV + "mm bmm addmm addbmm baddbmm matmul linear _vecdot _multi_dot "
        "nn_affine_grid _cov corrcoef",
        fp32=_LOSSES + "binary_cross_entropy _prod trace _cdist _quantile polar _stft _fft_op "
        "avg_pool3d nn_max_pool3d adaptive_avg_pool3d nn_adaptive_max_pool3d nn_max_unpool "
        "nn_fractional_max_pool nn_grid_sample _inv _cholesky cholesky _cholesky_solve "
        "_cholesky_inverse _solve _lstsq _pinv _svd _svdvals _eig _eigvals _eigh _eigvalsh "
        "_qr _geqrf _ormqr _householder_product _matrix_rank",
        promote="_cat _stack _index_copy",
    ),
    "cuda": _table(
        lower=_CONV + "mm bmm addmm addbmm baddbmm addmv addr mv matmul linear _vecdot "
        "_multi_dot _einsum _rnn _rnn_cell",
        fp32=_LOSSES + "acos asin cosh sinh tan erfinv exp expm1 log log10 log2 log1p "
        "reciprocal rsqrt pow nn_softplus nn_layer_norm nn_group_norm nn_rms_norm "
        "cosine_similarity dist pdist _cdist renorm _logsumexp _prod softmax nn_softmax "
        "log_softmax nn_log_softmax nn_softmin _cumsum _cumprod _sum _vector_norm _matrix_norm "
        "nn_interpolate nn_normalize nn_local_response_norm nn_lp_pool _trapezoid "
        "pairwise_distance triplet_margin_with_distance_loss multilabel_soft_margin_loss "
        "gaussian_nll_loss",
        promote="addcdiv addcmul atan2 bilinear _linalg_cross cross dot vdot nn_grid_sample "
        "_tensordot inner _cat _stack _index_copy",
        banned="binary_cross_entropy",
    ),
}
POLICY["cpu"].update(_einsum=_einsum_cpu, inner=_pair_cpu, _tensordot=_pair_cpu,
                     _matrix_power=_matrix_power(True), nn_pad=_pad_cpu, _rnn=_rnn_cpu)
POLICY["cuda"].update(_matrix_power=_matrix_power(False), _scatter=_scatter_cuda)

_BCE_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_"
    "logits\nor torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits "
    "are\nsafe to autocast.")


def category(name, device_type, op=None, vals=None):
    """'lower', 'fp32', 'promote', 'banned' or None: what autocast does to op `name`."""
    c = POLICY.get(device_type, {}).get(name)
    return c(op, vals) if callable(c) else c


def key(op, vals, leaves):
    """The kernel-key entry ("AC", category, target jax dtype, which leaves to cast) of a call
    of `op` under autocast, or None where autocast changes nothing (the plain kernel runs)."""
    from .._core.tensor import Tensor

    dev = next((x._device.type for x in leaves if isinstance(x, Tensor)), None)
    fast = state.modes.get(dev)
    if fast is None:
        return None
    c = POLICY[dev].get(op.name) if dev in POLICY else None
    if c is None:
        return None
    if callable(c):
        c = c(op, vals)
        if c is None:
            return None
    if c is _BANNED:
        raise RuntimeError(_BCE_MESSAGE)
    # PyTorch's eligibility: a floating tensor on the autocast device, not float64
    ok = [isinstance(x, Tensor) and x._dtype._cat == _dt._FLOAT and x._dtype is not _dt.float64
          and x._device.type == dev for x in leaves]
    if c is _LOWER:
        target = fast
    elif c is _FP32:
        target = _dt.float32
    else:
        target = None
        for x, e in zip(leaves, ok):
            if e:
                target = x._dtype if target is None else _dt.promote_types(target, x._dtype)
    mask = tuple(e and x._dtype is not target for x, e in zip(leaves, ok))
    if not any(mask):
        return None
    return ("AC", c, target._np, mask)


def strip(key):
    """A kernel key without its autocast entry (in-place ops are not autocast)."""
    if key and type(key[-1]) is tuple and key[-1][:1] == ("AC",):
        return key[:-1]
    return key


class _State:
    modes = {}  # device type -> autocast dtype, for each device type autocast is on for
    dtypes = {}  # device type -> autocast dtype set (on or off)
    cache_enabled = True
    nesting = 0


state = _State()

# PyTorch's default autocast dtype of each device type autocast is available for
_DEFAULT = {"cpu": _dt.bfloat16, "cuda": _dt.float16, "xpu": _dt.float16, "mps": _dt.float16,
            "hpu": _dt.bfloat16, "mtia": _dt.float16, "maia": _dt.bfloat16, "ipu": _dt.float16,
            "xla": _dt.bfloat16, "privateuseone": _dt.float16}


def active():
    """The device types autocast is on for, with their dtypes ({}: off; the hot path's check)."""
    return state.modes


def _type_repr(x):
    """repr(type(x)), with torchlike's public classes under torch's names (torch.device)."""
    t = type(x)
    if t.__module__.startswith("torchlike"):
        import torchlike

        if getattr(torchlike, t.__name__, None) is t:
            return f"<class 'torch.{t.__name__}'>"
    return repr(t)


def _type_error(fname, arg, pos, want, value):
    return TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be {want}, not "
                     f"{type(value).__name__}")


def _device_type(device_type, fname="is_autocast_enabled", pos=1):
    if not isinstance(device_type, str):
        raise _type_error(fname, "device_type", pos, "str", device_type)
    from .._core.device import device

    return device(device_type).type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast is available on `device_type`."""
    return _device_type(device_type, "_is_autocast_available") in _DEFAULT


def is_autocast_enabled(*args) -> bool:
    """Whether autocast is on for `device_type` (no argument: for 'cuda')."""
    if len(args) > 1:
        raise TypeError(f"is_autocast_enabled() received an invalid combination of arguments - "
                        f"got ({', '.join(type(a).__name__ for a in args)}), but expected one "
                        f"of:\n * (str device_type)\n * ()\n")
    dev = _device_type(args[0]) if args else "cuda"
    return dev in state.modes


def set_autocast_enabled(*args) -> None:
    """set_autocast_enabled(device_type, enabled), or set_autocast_enabled(enabled) for 'cuda'."""
    if len(args) == 2:
        dev = _device_type(args[0], "set_autocast_enabled")
        enabled, pos = args[1], 2
    elif len(args) == 1 and type(args[0]) is bool:
        dev, enabled, pos = "cuda", args[0], 1
    elif len(args) == 1 and isinstance(args[0], str):
        raise _type_error("set_autocast_enabled", "enabled", 1, "bool", args[0])
    else:
        raise TypeError(f"set_autocast_enabled() received an invalid combination of arguments - "
                        f"got ({', '.join(type(a).__name__ for a in args)}), but expected one "
                        f"of:\n * (str device_type, bool enabled)\n * (bool enabled)\n")
    if type(enabled) is not bool:
        raise _type_error("set_autocast_enabled", "enabled", pos, "bool", enabled)
    if enabled:
        state.modes[dev] = get_autocast_dtype(dev)
    else:
        state.modes.pop(dev, None)


def get_autocast_dtype(device_type: str):
    """The dtype autocast uses on `device_type`."""
    dev = _device_type(device_type, "get_autocast_dtype")
    dt = state.dtypes.get(dev)
    if dt is None:
        dt = _DEFAULT.get(dev, _dt.float16 if dev == "hip" else None)
        if dt is None:
            raise RuntimeError("unsupported scalarType")
    return dt


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Set the dtype autocast uses on `device_type`."""
    dev = _device_type(device_type, "set_autocast_dtype")
    if not isinstance(dtype, _dt.dtype):
        raise _type_error("set_autocast_dtype", "dtype", 2, "torch.dtype", dtype)
    state.dtypes[dev] = dtype
    if dev in state.modes:
        state.modes[dev] = dtype


def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return "cpu" in state.modes


def set_autocast_cpu_enabled(enabled: bool) -> None:
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_cpu_dtype(dtype) -> None:
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype) -> None:
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled() -> bool:
    return state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    if type(enabled) is not bool:
        raise _type_error("set_autocast_cache_enabled", "enabled", 1, "bool", enabled)
    state.cache_enabled = enabled


def clear_autocast_cache() -> None:
    """Differs from PyTorch: a no-op (autocast's casts are compiled into the op kernels)."""


def autocast_increment_nesting() -> int:
    state.nesting += 1
    return state.nesting


def autocast_decrement_nesting() -> int:
    state.nesting -= 1
    return state.nesting


def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)

    return decorate_autocast


class autocast:
    """Mixed precision for the ops inside: a context manager and a decorator."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: "
                             f"`{_type_repr(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{self.device}'")
        if self.device == "privateuseone":
            raise AssertionError(
                "Tried to use AMP with the `privateuseone` backend, but the backend has not "
                "registered a module or  the module miss some necessary funcs. The backend "
                "should register a module by `torch._register_device_module`, and the module "
                "must have these funcs: \n`get_amp_supported_dtype() -> List[torch.dtype]`. \n")
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else cache_enabled)
        if enabled:
            if self.device == "cuda":
                from .. import cuda

                if not cuda.is_available():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                                  "autocast.", stacklevel=2)
                    enabled = False
                elif self.fast_dtype == _dt.bfloat16 and not cuda.is_bf16_supported():
                    raise RuntimeError("Current CUDA Device does not support bfloat16. Please "
                                       "switch dtype to float16.")
            elif self.fast_dtype not in (_dt.bfloat16, _dt.float16):
                name = self.device.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                              f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                              f"torch.bfloat16, torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                f"Did you mean to use autocast as a context manager? For example:\n"
                f"    with torch.autocast(device_type=...):\n"
                f"        output = model(input)")
        return autocast_decorator(self, func)


def _cast(value, device_type, dtype):
    """custom_fwd's cast of the arguments: floating tensors on `device_type`, not float64."""
    from .._core.tensor import Tensor

    if isinstance(value, Tensor):
        ok = (value.is_floating_point() and value.device.type == device_type
              and value.dtype is not _dt.float64)
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes)):
        return value
    import collections.abc

    import numpy as np

    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


class _deprecated_autocast(autocast):
    """torch.cpu.amp.autocast / torch.cuda.amp.autocast: torch.autocast for one device type,
    warning (on use and on subclassing) that the spelling is deprecated."""

    _device_type = None

    @classmethod
    def _warn(cls):
        d = cls._device_type
        warnings.warn(f"`torch.{d}.amp.autocast(args...)` is deprecated. Please use "
                      f"`torch.amp.autocast('{d}', args...)` instead.", FutureWarning,
                      stacklevel=3)

    def __new__(cls, *args, **kwargs):
        cls._warn()
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        if any(getattr(b, "_device_type", None) for b in cls.__bases__):
            cls._warn()  # (a user's subclass of torch.cpu/cuda.amp.autocast)
        super().__init_subclass__(**kwargs)


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """torch.amp.custom_fwd: a Function's forward under the caller's autocast state, or (with
    cast_inputs, inside an autocast region) with autocast off and its inputs cast."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{_type_repr(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if autocast_context:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs),
                           **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """torch.amp.custom_bwd: a Function's backward under the autocast state of its forward."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{_type_repr(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
