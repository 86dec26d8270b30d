"""torchlike: the PyTorch API, implemented on JAX. Use it as `import torchlike as torch`."""

import jax as _jax

# Torch semantics: int64 is the default integer, so JAX must allow 64-bit types. Every op
# passes explicit dtypes, so float32 stays the default float.
_jax.config.update("jax_enable_x64", True)
# PyTorch computes float32 matmuls in full float32 unless TF32 is allowed (on GPUs).
_jax.config.update("jax_default_matmul_precision", "float32")
# PyTorch runs CPU ops synchronously. JAX's asynchronous CPU dispatch hands every program
# its cost model deems non-trivial to a worker thread, which costs more than the work itself
# for small tensors (a 16x16 tanh backward: 34 µs instead of 7). Must precede backend start;
# TORCHLIKE_CPU_ASYNC_DISPATCH=1 keeps JAX's default.
import math as _math  # noqa: E402
import os as _os  # noqa: E402

if _os.environ.get("TORCHLIKE_CPU_ASYNC_DISPATCH", "0") in ("", "0"):
    _jax.config.update("jax_cpu_enable_async_dispatch", False)
# PyTorch's default device is the CPU: new arrays live there until moved with .to('cuda').
_jax.config.update("jax_default_device", _jax.devices("cpu")[0])
# Eager mode compiles a small XLA program per op, shape and dtype, where PyTorch compiles
# nothing: keep them on disk, so that a script's next run does not compile them again (a
# small CNN's first eager step: ~1 s cold, ~0.25 s from the cache). A cache directory set
# for JAX is kept; TORCHLIKE_COMPILATION_CACHE=0 turns the cache off.
def _use_compilation_cache():
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    path = _os.path.join(base, "torchlike", "xla")
    try:
        _os.makedirs(path, exist_ok=True)
    except OSError:
        return  # no writable cache directory: compile every run, as without the cache
    if not _os.access(path, _os.W_OK):
        return
    _jax.config.update("jax_compilation_cache_dir", path)
    _jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.01)
    # bounded by torchlike._cache, not by JAX (whose bound costs every write a directory scan)
    from . import _cache
    _cache.prune_in_background(path)


if _os.environ.get("TORCHLIKE_COMPILATION_CACHE", "1") not in ("", "0") and not (
    _jax.config.jax_compilation_cache_dir
):
    _use_compilation_cache()

from ._core import dtypes as _dtypes  # noqa: E402
from ._core.dtypes import (  # noqa: E402,F401
    dtype, bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16, bfloat16,
    float32, float64, complex32, complex64, complex128, finfo, iinfo, get_default_dtype,
    set_default_dtype, promote_types, can_cast,
)
from ._core.dtypes import ALIASES as _ALIASES  # noqa: E402
globals().update(_ALIASES)
from ._core.device import device, set_default_device, get_default_device  # noqa: E402,F401
from ._core.size import Size  # noqa: E402,F401
from ._core.grad_mode import (  # noqa: E402,F401
    no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
    is_inference_mode_enabled,
)
from ._core.tensor import Tensor  # noqa: E402,F401
from ._ops import (  # noqa: E402,F401
    registry as _registry, pointwise as _pointwise, shape_views as _shape_views,
    shape as _shape, reduction as _reduction, indexing as _indexing, creation as _creation,
    linalg_basic as _linalg_basic, dunders as _dunders,
)
from ._ops.pointwise import *  # noqa: E402,F401,F403
from ._ops.pointwise import abs, round, pow, where, equal, allclose, isclose, relu, softmax, log_softmax  # noqa: E402,F401,E501
from ._ops.shape_views import (  # noqa: E402,F401
    reshape, permute, transpose, swapaxes, swapdims, t, movedim, moveaxis, squeeze, unsqueeze,
    flatten, unflatten, broadcast_to, diagonal, select, narrow, unbind, split, chunk,
    tensor_split, hsplit, vsplit, dsplit, as_strided, real, imag, view_as_real, view_as_complex,
)
from ._ops.shape import (  # noqa: E402,F401
    clone, cat, concat, concatenate, stack, hstack, vstack, row_stack, dstack, column_stack,
    atleast_1d, atleast_2d, atleast_3d, flip, fliplr, flipud, roll, rot90, tile, repeat_interleave,
    tril, triu, diag, diag_embed, diagflat, broadcast_tensors, broadcast_shapes, cross, meshgrid,
)
from ._ops.reduction import (  # noqa: E402,F401
    sum, nansum, mean, nanmean, prod, var, std, var_mean, std_mean, amax, amin, aminmax, max, min,
    argmax, argmin, all, any, logsumexp, norm, cumsum, cumprod, logcumsumexp, cummax, cummin,
    sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, count_nonzero, unique,
    unique_consecutive, bincount, histc, searchsorted, bucketize, diff, trace,
)
from ._ops.indexing import (  # noqa: E402,F401
    gather, scatter, scatter_add, scatter_reduce, index_select, index_add, index_copy,
    index_fill, masked_fill, masked_select, masked_scatter, take, take_along_dim, nonzero,
    argwhere, index_put,
)
from ._ops.creation import (  # noqa: E402,F401
    tensor, as_tensor, asarray, from_numpy, from_jax, zeros, ones, empty, full, zeros_like,
    ones_like, empty_like, full_like, empty_strided, arange, range, linspace, logspace, eye,
    tril_indices, triu_indices, scalar_tensor,
)
from ._ops.linalg_basic import (  # noqa: E402,F401
    matmul, mm, bmm, addmm, addmv, baddbmm, addbmm, addr, mv, dot, vdot, inner, outer, ger,
    einsum, tensordot, kron, cdist, chain_matmul,
)
from ._ops.foreach import *  # noqa: E402,F401,F403  (torch._foreach_*)
from ._lowrank import pca_lowrank, svd_lowrank  # noqa: E402,F401
from ._core.legacy import make_legacy_type as _mlt, TYPE_NAMES as _TN  # noqa: E402
for _name, _dt in _TN.items():
    globals()[_name.split(".")[1]] = _mlt(_name.split(".")[1], _dt)
del _name, _dt
from . import autograd  # noqa: E402,F401
from .autograd import Function as _Function  # noqa: E402,F401

result_type = _registry.result_type_of if False else None  # replaced below


def result_type(tensor1, tensor2):  # noqa: F811
    """torch.result_type."""
    import builtins as _b
    specs, arrays = [], []
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            specs.append("T")
            arrays.append(x._data)
        else:
            specs.append(type(x))
            arrays.append(None)
    dims = [x.dtype for x in (tensor1, tensor2) if isinstance(x, Tensor) and x.dim()]
    zeros_ = [x.dtype for x in (tensor1, tensor2) if isinstance(x, Tensor) and not x.dim()]
    wrapped = [_dtypes.scalar_dtype(x) for x in (tensor1, tensor2) if not isinstance(x, Tensor)]
    return _dtypes.result_type_of(dims, zeros_, wrapped)


# torch's constants (torch/__init__.py: math's, and None for indexing)
inf, nan, pi, e = _math.inf, _math.nan, _math.pi, _math.e
newaxis = None


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} is ambiguous")
    return builtins_bool(input.item())


import builtins as _builtins  # noqa: E402
builtins_bool = _builtins.bool


def numel(input):
    return input.numel()


def detach(input):
    return input.detach()


def conj(input):
    return input.conj()


Tensor.conj = lambda self: _pointwise.conj_physical(self) if self.is_complex() else self
Tensor.resolve_conj = lambda self: self
Tensor.resolve_neg = lambda self: self
Tensor.is_conj = lambda self: False
conj_physical = _pointwise.conj_physical
from . import version, torch_version  # noqa: E402,F401
from .version import __version__  # noqa: E402,F401
from ._compile import compile  # noqa: E402,F401
from . import compiler  # noqa: E402,F401
from ._core._tensor_str import set_printoptions, get_printoptions, printoptions  # noqa: E402,F401
from ._core import _tensor_str  # noqa: E402,F401
from ._random.generator import Generator  # noqa: E402,F401
from . import random  # noqa: E402,F401
from .random import (  # noqa: E402,F401
    manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator,
)
from ._ops.random_ops import *  # noqa: E402,F401,F403
from . import nn, optim, utils, func  # noqa: E402,F401
from . import amp  # noqa: E402,F401
from .amp import autocast  # noqa: E402,F401
from .amp.autocast_mode import (  # noqa: E402,F401
    is_autocast_enabled, get_autocast_dtype, set_autocast_enabled, set_autocast_dtype,
    is_autocast_cpu_enabled, set_autocast_cpu_enabled, get_autocast_cpu_dtype,
    get_autocast_gpu_dtype, set_autocast_cpu_dtype, set_autocast_gpu_dtype,
    is_autocast_cache_enabled, set_autocast_cache_enabled, clear_autocast_cache,
    autocast_increment_nesting, autocast_decrement_nesting)
from . import cpu  # noqa: E402,F401
from ._settings import (  # noqa: E402,F401
    set_num_threads, get_num_threads, set_num_interop_threads, get_num_interop_threads,
    use_deterministic_algorithms, are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
    get_float32_matmul_precision, set_deterministic_debug_mode, get_deterministic_debug_mode,
)
from . import accelerator, backends, cuda  # noqa: E402,F401
from . import sparse  # noqa: E402,F401
from . import signal  # noqa: E402,F401
from .sparse import sparse_coo_tensor  # noqa: E402,F401
from .utils.dlpack import from_dlpack, to_dlpack  # noqa: E402,F401
from . import multiprocessing  # noqa: E402,F401
from ._core.layouts import (  # noqa: E402,F401
    memory_format, contiguous_format, channels_last, channels_last_3d, preserve_format,
    layout, strided, sparse_coo, sparse_csr,
)
Tensor.layout = strided
sparse.SparseCOOTensor.layout = sparse_coo
from ._ops.misc import *  # noqa: E402,F401,F403
from . import serialization  # noqa: E402,F401
from .serialization import save, load  # noqa: E402,F401
from ._dropin import install_as_torch  # noqa: E402,F401
from . import linalg, fft, special  # noqa: E402,F401
globals().update(linalg.TORCH_FUNCTIONS)  # torch.det, torch.inverse, torch.svd, ...
from . import _extras  # noqa: E402  (adjoint, *_copy ops, index_reduce, resize_, ...)
globals().update(_extras.TORCH_FUNCTIONS)
globals().update(_extras._copy_variants())
TypedStorage = _extras.TypedStorage
from ._core.tensor import _Storage as UntypedStorage  # noqa: E402
from ._ops.shape import block_diag, cartesian_prod, combinations, vander  # noqa: E402,F401
from ._ops.reduction import trapezoid, trapz, cumulative_trapezoid, isin  # noqa: E402,F401
from ._ops.indexing import unravel_index  # noqa: E402,F401
from ._ops.creation import (  # noqa: E402,F401
    hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window,
)
from . import distributions  # noqa: E402,F401
from ._nn_aliases import *  # noqa: E402,F401,F403
from ._ops.spectral import stft, istft  # noqa: E402,F401
from . import distributed  # noqa: E402,F401
from . import jit, hub, testing, profiler, mps, xpu, _dynamo, _inductor, _C  # noqa: E402,F401
from .autograd.grad_mode_ext import (  # noqa: E402,F401
    set_anomaly_enabled, is_anomaly_enabled, is_anomaly_check_nan_enabled,
)
from ._settings import (  # noqa: E402,F401
    set_warn_always, is_warn_always_enabled, typename, set_default_tensor_type,
)
from . import __config__  # noqa: E402,F401
