"""torch.autocast: per-op mixed precision with PyTorch's policy.

Ops on PyTorch's lower-precision list (matmul, conv, linear, ...) cast floating inputs
(not float64) to the autocast dtype; ops on its float32 list (softmax, norms, losses,
reductions that need range) cast lower-precision inputs up to float32. Other ops follow the
ordinary type promotion. The cast happens inside the op's compiled kernel.
"""

import functools

from .._core import dtypes as _dt

# PyTorch's autocast op lists (aten names; our registered names match where they exist)
LOWER = frozenset((
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "bmm", "mm", "baddbmm", "addmm", "addbmm", "addmv", "addr", "matmul", "linear", "bilinear",
    "prelu", "_einsum", "einsum", "chain_matmul", "mv", "dot", "vdot", "_tensordot", "kron",
    "scaled_dot_product_attention", "_sdpa", "multi_head_attention_forward",
))
FP32 = frozenset((
    "softmax", "log_softmax", "softmin", "_logsumexp", "layer_norm", "group_norm", "batch_norm",
    "instance_norm", "rms_norm", "local_response_norm", "_vector_norm", "_cdist", "_prod",
    "_cumsum", "_cumprod", "exp", "log", "log10", "log2", "log1p", "expm1", "pow", "rsqrt",
    "reciprocal", "acos", "asin", "cosh", "sinh", "tan", "erfinv", "_sum", "_mean", "_var",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
    "multi_margin_loss", "triplet_margin_loss", "ctc_loss", "cosine_similarity",
))
# CPU's float32 list is shorter: softmax, norms and pointwise math stay in the input dtype there
FP32_CPU = frozenset((
    "_cdist", "_prod", "trace", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "kl_div", "poisson_nll_loss", "cosine_embedding_loss", "hinge_embedding_loss",
    "margin_ranking_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss", "ctc_loss",
))


def category(name, device_type):
    """'lower', 'fp32' or None: what autocast does to op `name` on `device_type`."""
    if name in LOWER:
        return "lower"
    if name in (FP32_CPU if device_type == "cpu" else FP32):
        return "fp32"
    return None


class _State:
    # device type -> (enabled, dtype)
    modes = {}


state = _State()
_DEFAULT = {"cuda": _dt.float16, "cpu": _dt.bfloat16}


def active():
    """The (device type, dtype) pairs autocast is on for, or () (hot path: a dict check)."""
    return state.modes


def is_autocast_enabled(device_type=None):
    if device_type is None:
        device_type = "cuda"
    return device_type in state.modes


def get_autocast_dtype(device_type):
    return state.modes.get(device_type, _DEFAULT.get(device_type, _dt.float16))


def is_autocast_available(device_type):
    return device_type in ("cpu", "cuda")


class autocast:
    """Mixed precision for the ops inside: a context manager and a decorator."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in ("cpu", "cuda"):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device_type = device_type
        self.fast_dtype = dtype or _DEFAULT[device_type]
        import warnings

        if enabled and device_type == "cpu" and self.fast_dtype not in (_dt.bfloat16, _dt.float16):
            # PyTorch warns and runs the block without autocast.
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=2)
            enabled = False
        if enabled and device_type == "cuda":
            from .. import cuda

            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev = dict(state.modes)
        if self._enabled:
            state.modes[self.device_type] = self.fast_dtype
        else:
            state.modes.pop(self.device_type, None)
        return self

    def __exit__(self, *exc):
        state.modes.clear()
        state.modes.update(self.prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self._enabled):
                return func(*args, **kwargs)
        return wrapper


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """torch.amp.custom_fwd: run a Function's forward with autocast off (casting inputs)."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def wrapper(*args, **kwargs):
        from .._core.tensor import Tensor
        if cast_inputs is not None and is_autocast_enabled(device_type):
            args = tuple(a.to(cast_inputs) if isinstance(a, Tensor) and a.is_floating_point()
                         else a for a in args)
        with autocast(device_type, enabled=False):
            return fwd(*args, **kwargs)
    return wrapper


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
