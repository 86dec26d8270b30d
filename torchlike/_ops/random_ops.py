"""Random sampling: torch.rand/randn/randint/randperm/normal/bernoulli/multinomial/poisson and
the in-place Tensor samplers, drawing PyTorch's CPU stream (bit-identical to torch on the CPU).

Values are produced in numpy by torchlike._random and then placed on the tensor's device.
Differs from PyTorch: CUDA tensors get the CPU stream's numbers, not CUDA's Philox ones.
"""

from __future__ import annotations

import builtins
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .. import _lazy
from .._core import device as _dev
from .._core import meta as _meta
from .._core import dtypes as _dt
from .._core import grad_mode
from .._core.tensor import Tensor, host_array, wrap
from .._random import _memory
from .._random import sampling as S
from .._random.generator import Generator, default_generator
from . import kernel as _kernel
from .registry import op, write_out

__all__ = [
    "_standard_gamma",
    "bernoulli",
    "binomial",
    "multinomial",
    "normal",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
]

_MISSING = object()


# ---- plumbing ---------------------------------------------------------------------------------


@op(tensor_args=("sample", "input", "other"), method=False, function=False, name="_random_sample")
def _random_sample(sample, input=None, other=None):
    # A sample does not depend differentiably on its parameters: PyTorch's gradient for
    # normal/bernoulli/poisson inputs is zero. Routing the sample through this op records that.
    return sample


@op(
    tensor_args=("input", "sample"), method=False, function=False, inplace=True, name="_random_fill"
)
def _random_fill(input, sample):
    return sample


def _no_contract(x, zero):
    # XLA fuses a*b + c into an FMA; PyTorch rounds the product first. An integer round trip
    # through a runtime zero keeps the product a separately rounded value.
    ib = {2: jnp.int16, 4: jnp.int32, 8: jnp.int64}[x.dtype.itemsize]
    bits = jax.lax.bitcast_convert_type(x, ib) ^ zero.astype(ib)
    return jax.lax.bitcast_convert_type(bits, x.dtype)


def _opmath_binop(a, b, fn):
    # a.op_(b): computed in the promoted dtype (float for half/bfloat16), stored as a's dtype.
    common = jnp.promote_types(a.dtype, b.dtype)
    if common in (jnp.float16, jnp.bfloat16):
        common = jnp.float32
    return fn(a.astype(common), b.astype(common)).astype(a.dtype)


@op(
    tensor_args=("z", "std", "mean", "zero"),
    method=False,
    function=False,
    name="_normal_affine",
)
def _normal_affine(z, std=None, mean=None, zero=None):
    # torch.normal's tensor overloads: output.mul_(std).add_(mean), each rounded on its own.
    t = z
    if std is not None:
        t = _no_contract(_opmath_binop(t, _no_contract(std, zero), jnp.multiply), zero)
    if mean is not None:
        t = _opmath_binop(t, _no_contract(mean, zero), jnp.add)
    return t


def _gen(generator, fname: str) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{fname}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}"
        )
    return generator


def _size_args(size, kw_size=None, fname="rand") -> tuple:
    if not size and kw_size is None:
        raise TypeError(
            f"{fname}() received an invalid combination of arguments - got (), but expected "
            "(tuple of ints size, ...)"
        )
    if kw_size is not None:
        if size:
            raise TypeError("got multiple values for argument 'size'")
        size = (kw_size,)
    if (
        len(size) == 1
        and isinstance(size[0], (tuple, list))
        or (len(size) == 1 and hasattr(size[0], "__len__") and not isinstance(size[0], Tensor))
    ):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if isinstance(s, builtins.bool) or not isinstance(s, (builtins.int, np.integer)):
            raise TypeError(
                f"argument 'size' must be tuple of ints, but found element of type {type(s).__name__}"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


# From this size on, a sample's buffer is handed to XLA rather than copied by it (jnp.asarray's
# copy of 40 MB takes longer here than drawing the numbers).
_ADOPT_MIN = 1 << 16


def _to_device(arr: np.ndarray, dev):
    arr = np.asarray(arr)
    if arr.nbytes >= _ADOPT_MIN and arr.ndim:
        if not (arr.flags.c_contiguous and _memory.is_aligned(arr)):
            arr = _aligned_copy(arr)
        # The CPU client adopts an aligned host buffer without copying; samples are fresh
        # arrays that nothing else holds or writes.
        a = jax.device_put(arr)
    else:
        a = host_array(arr)  # (copied: the sample may be a view of a reused draw buffer)
    if dev.type != "cpu":
        a = jax.device_put(a, _dev.jax_device(dev))
    return a


def _aligned_copy(arr: np.ndarray) -> np.ndarray:
    out = _memory.empty(arr.size, arr.dtype).reshape(arr.shape)
    out[...] = arr
    return out


def _new(arr: np.ndarray, device, requires_grad: bool, out=None) -> Tensor:
    """A fresh tensor (or ``out=``) holding ``arr``."""
    if out is not None:
        return write_out(out, wrap(_to_device(arr, out.device), device=out.device))
    dev = _dev.canonical(device)
    t = wrap(_to_device(arr, dev), device=dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _iteration_order(t: Tensor):
    """Where each drawn value goes: PyTorch's TensorIterator walks a strided tensor in memory order."""
    if t.is_contiguous():
        return None
    shape, strides = tuple(t.shape), t.stride()
    offsets = np.zeros(shape, dtype=np.int64)
    for d, (n, st) in enumerate(zip(shape, strides)):
        idx = np.arange(n, dtype=np.int64) * st
        offsets = offsets + idx.reshape((n,) + (1,) * (len(shape) - d - 1))
    return np.argsort(offsets.reshape(-1), kind="stable")


def _placed(self: Tensor, values: np.ndarray) -> np.ndarray:
    """Values drawn in PyTorch's iteration order over ``self``, arranged in ``self``'s shape."""
    order = _iteration_order(self)
    flat = values.reshape(-1)
    if order is not None:
        placed = np.empty_like(flat)
        placed[order] = flat
        flat = placed
    return flat.reshape(tuple(self.shape))


def _fill(self: Tensor, values: np.ndarray) -> Tensor:
    """Write drawn values into ``self`` in PyTorch's order, as an in-place op on the tape."""
    arr = _to_device(_placed(self, values), self.device)
    plain = arr.dtype == self.dtype._np and arr.shape == tuple(self.shape)
    if (
        plain
        and _lazy.state.trace is None
        and not (grad_mode.is_grad_enabled() and self.requires_grad)
    ):
        # What the in-place op would do without a tape node, minus its kernel: that kernel
        # returns the sample as a new buffer, a copy as long as drawing it.
        self._set_data(arr)
        return self
    return self._random_fill_(wrap(arr, device=self.device))


def _result(arr: np.ndarray, device, *inputs) -> Tensor:
    """An out-of-place sample, linked to inputs that require grad with a zero gradient."""
    dev = _dev.canonical(device)
    return _link(wrap(_to_device(arr, dev), device=dev), *inputs)


def _np(t: Tensor) -> np.ndarray:
    return np.asarray(t.detach()._data)


def _dtype(dtype, default):
    return default if dtype is None else dtype


# ---- factories --------------------------------------------------------------------------------


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    **kw,
) -> Tensor:
    """torch.rand: uniform on [0, 1)."""
    size = _size_args(size, kw.pop("size", None))
    _no_kwargs("rand", kw)
    dtype = _dtype(dtype, out.dtype if out is not None else _dt.get_default_dtype())
    if out is None and dtype.is_floating_point and _compiled_random(device or _dev.canonical(None)):
        return _keyed_new("uniform", _gen(generator, "rand"), size, dtype, device, requires_grad)
    arr = S.uniform(_gen(generator, "rand"), size, dtype._np)
    return _new(arr, device, requires_grad, out)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    **kw,
) -> Tensor:
    """torch.randn: standard normal."""
    size = _size_args(size, kw.pop("size", None), "randn")
    _no_kwargs("randn", kw)
    dtype = _dtype(dtype, out.dtype if out is not None else _dt.get_default_dtype())
    if out is None and dtype.is_floating_point and _compiled_random(device or _dev.canonical(None)):
        return _keyed_new("normal", _gen(generator, "randn"), size, dtype, device, requires_grad)
    arr = S.normal(_gen(generator, "randn"), size, dtype._np)
    return _new(arr, device, requires_grad, out)


def rand_like(
    input,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """torch.rand_like."""
    dtype = _dtype(dtype, input.dtype)
    dev = input.device if device is None else device
    if dtype.is_floating_point and _compiled_random(dev):
        return _keyed_new("uniform", _gen(generator, "rand_like"), tuple(input.shape), dtype, dev,
                          requires_grad)
    arr = S.uniform(_gen(generator, "rand_like"), tuple(input.shape), dtype._np)
    return _new(arr, input.device if device is None else device, requires_grad)


def randn_like(
    input,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """torch.randn_like."""
    dtype = _dtype(dtype, input.dtype)
    dev = input.device if device is None else device
    if dtype.is_floating_point and _compiled_random(dev):
        return _keyed_new("normal", _gen(generator, "randn_like"), tuple(input.shape), dtype, dev,
                          requires_grad)
    arr = S.normal(_gen(generator, "randn_like"), tuple(input.shape), dtype._np)
    return _new(arr, input.device if device is None else device, requires_grad)


def randint(
    *args,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    **kw,
) -> Tensor:
    """torch.randint(high, size) / torch.randint(low, high, size): integers in [low, high)."""
    low, high, size = _randint_args(args, kw)
    dtype = _dtype(dtype, out.dtype if out is not None else _dt.int64)
    arr = S.random_(_gen(generator, "randint"), size, dtype._np, low, high)
    return _new(arr, device, requires_grad, out)


def _randint_args(args, kw):
    low = kw.pop("low", _MISSING)
    high = kw.pop("high", _MISSING)
    size = kw.pop("size", _MISSING)
    _no_kwargs("randint", kw)
    pos = list(args)
    if size is _MISSING and pos:
        size = pos.pop()
    if high is _MISSING and pos:
        high = pos.pop()
    if low is _MISSING:
        low = pos.pop() if pos else 0
    if pos or high is _MISSING or size is _MISSING:
        raise TypeError(
            "randint() received an invalid combination of arguments - expected "
            "(int high, tuple of ints size) or (int low, int high, tuple of ints size)"
        )
    return _int_arg(low, "low"), _int_arg(high, "high"), _size_args((size,))


def _int_arg(v, name):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, builtins.bool) or not isinstance(v, (builtins.int, np.integer)):
        raise TypeError(f"argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def randint_like(
    input,
    *args,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    **kw,
) -> Tensor:
    """torch.randint_like(input, high) / torch.randint_like(input, low, high)."""
    low = kw.pop("low", _MISSING)
    high = kw.pop("high", _MISSING)
    _no_kwargs("randint_like", kw)
    pos = list(args)
    if high is _MISSING and pos:
        high = pos.pop()
    if low is _MISSING:
        low = pos.pop() if pos else 0
    if pos or high is _MISSING:
        raise TypeError("randint_like() missing required argument 'high'")
    dtype = _dtype(dtype, input.dtype)
    arr = S.random_(
        _gen(generator, "randint_like"),
        tuple(input.shape),
        dtype._np,
        _int_arg(low, "low"),
        _int_arg(high, "high"),
    )
    return _new(arr, input.device if device is None else device, requires_grad)


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """torch.randperm: a random permutation of 0..n-1."""
    n = _int_arg(n, "n")
    dtype = _dtype(dtype, out.dtype if out is not None else _dt.int64)
    _check_randperm_range(n, dtype)
    arr = S.randperm(_gen(generator, "randperm"), n, dtype._np)
    return _new(arr, device, requires_grad, out)


def _check_randperm_range(n: int, dtype) -> None:
    np_dt = np.dtype(dtype._np)
    if dtype.is_floating_point:
        digits = {2: 11 if np_dt == np.float16 else 8, 4: 24, 8: 53}[np_dt.itemsize]
        if n > (1 << digits) + 1:
            name = {
                "float16": "Half",
                "bfloat16": "BFloat16",
                "float32": "Float",
                "float64": "Double",
            }
            raise RuntimeError(
                f"n cannot be greater than {(1 << digits) + 1} for {name[np_dt.name]} type."
            )
    elif np_dt.kind in "iu" and n > 0 and n - 1 > np.iinfo(np_dt).max:
        raise RuntimeError(f"value cannot be converted to type {np_dt.name}_t without overflow")


def normal(
    mean,
    std=_MISSING,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """torch.normal: (Tensor, Tensor), (Tensor, float), (float, Tensor), (float, float, size)."""
    g = _gen(generator, "normal")
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if std is _MISSING or size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got "
                f"({type(mean).__name__}, {type(std).__name__}), but expected one of: "
                "(Tensor mean, Tensor std), (Tensor mean, float std), "
                "(float mean, Tensor std), (float mean, float std, tuple of ints size)"
            )
        shape = _size_args((size,))
        dtype = _dtype(dtype, out.dtype if out is not None else _dt.get_default_dtype())
        arr = S.normal(g, shape, dtype._np, float(mean), float(std))
        return _new(arr, device, requires_grad, out)
    if st and std.is_complex():
        raise RuntimeError("normal expects standard deviation to be non-complex")
    if _deferred(mean, std):
        res = _normal_deferred(g, mean, std)
    else:
        if st:
            s = _np(std)
            if s.size and not (s.min() >= 0):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        if mt and not st:
            std = 1.0 if std is _MISSING else float(std)
            m = _np(mean)
            z = S.normal(g, m.shape, m.dtype, 0.0, std)
            arr = _inplace_binop(z, m, np.add)
            res = _result(arr, mean.device, mean)
        elif st and not mt:
            s = _np(std)
            z = S.normal(g, s.shape, s.dtype)
            arr = _inplace_binop(_inplace_binop(z, s, np.multiply), np.array(mean, s.dtype), np.add)
            res = _result(arr, std.device, std)
        else:
            m, s = _np(mean), _np(std)
            shape = np.broadcast_shapes(m.shape, s.shape)
            z = S.normal(g, shape, m.dtype)
            arr = _inplace_binop(_inplace_binop(z, s, np.multiply), m, np.add)
            res = _result(arr, mean.device, mean, std)
    if out is not None:
        return write_out(out, res)
    return res


def _deferred(*xs) -> bool:
    """Whether a tensor argument is still being recorded by torchlike.compile (not computed).

    Samplers then draw their numbers without reading it and combine them with tensor ops, as
    PyTorch's kernels do, so a compiled step needs no concrete value (value checks are skipped).
    """
    from .. import _lazy

    for x in xs:
        if isinstance(x, Tensor):
            d = x._data
            if isinstance(d, _lazy.LazyArray) and d.value is None:
                return True
    return False


def _normal_deferred(g, mean, std) -> Tensor:
    from .creation import full

    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    ref = mean if mt else std
    if mt and st:
        shape = tuple(np.broadcast_shapes(tuple(mean.shape), tuple(std.shape)))
    else:
        shape = tuple(ref.shape)
    z = S.normal(
        g, shape, ref.dtype._np, 0.0, float(std) if mt and not st and std is not _MISSING else 1.0
    )
    with grad_mode.no_grad():
        zt = wrap(_to_device(z, ref.device), device=ref.device)
        if mt and not st:
            out = _normal_affine(zt, None, mean.detach(), 0)
        elif st and not mt:
            m = full((), float(mean), dtype=ref.dtype, device=ref.device)
            out = _normal_affine(zt, std.detach(), m, 0)
        else:
            out = _normal_affine(zt, std.detach(), mean.detach(), 0)
    return _link(out, mean, std)


def _link(res: Tensor, *inputs) -> Tensor:
    """Give a sample PyTorch's zero gradient towards the inputs that require grad."""
    ts = [x for x in inputs if isinstance(x, Tensor)]
    if grad_mode.is_grad_enabled() and any(x.requires_grad for x in ts):
        return _random_sample(res, *(ts + [None] * (2 - len(ts))))
    return res


def _inplace_binop(a: np.ndarray, b: np.ndarray, fn) -> np.ndarray:
    """``a.op_(b)`` as TensorIterator computes it: in the promoted dtype, stored as a's dtype."""
    common = np.result_type(a.dtype, b.dtype)
    if common in (np.float16, S._bf16):
        # Half and BFloat16 arithmetic runs in float and rounds once to the storage type.
        r = fn(a.astype(np.float32), b.astype(np.float32))
    else:
        r = fn(a.astype(common), b.astype(common))
    return np.asarray(r).astype(a.dtype)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """torch.bernoulli(input) samples each element with probability input[i];
    torch.bernoulli(input, p) with the scalar p."""
    g = _gen(generator, "bernoulli")
    shape, dt = tuple(input.shape), np.dtype(input.dtype._np)
    if p is None and _deferred(input):
        if not input.dtype.is_floating_point:
            S.bernoulli_tensor(g, (0,), dt, np.zeros(0, dt))  # raises PyTorch's error
        # One uniform per element (53-bit for a double p, else 24-bit), compared with p.
        u = S.uniform_floats(
            g,
            int(np.prod(shape, dtype=np.int64)),
            np.dtype(np.float64 if dt == np.float64 else np.float32),
        )
        with grad_mode.no_grad():
            ut = wrap(_to_device(u.reshape(shape), input.device), device=input.device)
            res = (ut < input.detach()).to(input.dtype)
        res = _link(res, input)
    else:
        if p is None:
            x = _np(input)
            arr = S.bernoulli_tensor(g, shape, dt, _check_probs(x))
        else:
            arr = S.bernoulli_scalar(g, shape, dt, float(p))
        res = _result(arr, input.device, input)
    if out is not None:
        return write_out(out, res)
    return res


def _check_probs(p: np.ndarray) -> np.ndarray:
    if p.dtype.kind not in "fV":
        return p  # the sampler names the unsupported dtype
    pf = p.astype(np.float64)
    if not np.all((pf >= 0) & (pf <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """torch.multinomial: indices drawn by the weights in each row of input."""
    arr = S.multinomial(
        _gen(generator, "multinomial"), _np(input), int(num_samples), bool(replacement)
    )
    return _new(arr, input.device, False, out)


def poisson(input, generator=None) -> Tensor:
    """torch.poisson: a Poisson sample for each rate in input."""
    arr = S.poisson(_gen(generator, "poisson"), _np(input))
    return _result(arr, input.device, input)


def _standard_gamma(input, generator=None) -> Tensor:
    """torch._standard_gamma: Gamma(input, 1) samples (used by torch.distributions)."""
    if grad_mode.is_grad_enabled() and input.requires_grad:
        raise NotImplementedError(
            "torch._standard_gamma: the reparameterised gradient (Gamma/Beta/Dirichlet rsample) "
            "is not supported by torchlike yet; sample under torch.no_grad()"
        )
    arr = S.standard_gamma(_gen(generator, "_standard_gamma"), _np(input))
    return _new(arr, input.device, False)


def binomial(count, prob, generator=None) -> Tensor:
    """torch.binomial: Binomial(count, prob) samples.

    Differs from PyTorch: the result never requires grad (PyTorch's has no derivative either).
    """
    arr = S.binomial(_gen(generator, "binomial"), _np(count), _np(prob))
    return _new(arr, count.device, False)


def _no_kwargs(fname, kw):
    if kw:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kw))}'")


# ---- Tensor in-place samplers ------------------------------------------------------------------


def _np_dtype(self: Tensor):
    return np.dtype(self.dtype._np)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Tensor.uniform_(from=0, to=1): fill with uniform samples from [from, to)."""
    from_ = kw.pop("from", from_)
    _no_kwargs("uniform_", kw)
    if self.dtype.is_floating_point and _compiled_random(self.device) and float(from_) <= float(to):
        return _keyed_fill(self, "uniform", _gen(generator, "uniform_"), from_, to)
    vals = S.uniform(_gen(generator, "uniform_"), (self.numel(),), _np_dtype(self), from_, to)
    return _fill(self, vals)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Tensor.normal_(mean=0, std=1)."""
    if self.dtype.is_floating_point and _compiled_random(self.device) and float(std) >= 0:
        return _keyed_fill(self, "normal", _gen(generator, "normal_"), mean, std)
    vals = S.normal(
        _gen(generator, "normal_"),
        (self.numel(),),
        _np_dtype(self),
        mean,
        std,
        contiguous=self.is_contiguous(),
    )
    return _fill(self, vals)


def random_(self, *args, generator=None, **kw):
    """Tensor.random_(), random_(to), random_(from, to)."""
    frm = kw.pop("from", _MISSING)
    to = kw.pop("to", _MISSING)
    _no_kwargs("random_", kw)
    pos = list(args)
    if len(pos) == 1 and frm is _MISSING and to is _MISSING:
        frm, to = 0, pos[0]
    else:
        if pos and frm is _MISSING:
            frm = pos.pop(0)
        if pos and to is _MISSING:
            to = pos.pop(0)
        if pos:
            raise TypeError("random_() takes at most 2 positional arguments")
    for v in (frm, to):
        if (
            v is not _MISSING
            and v is not None
            and (isinstance(v, builtins.bool) or not isinstance(v, (builtins.int, np.integer)))
        ):
            raise TypeError(
                f"random_() received an invalid combination of arguments - got ({type(v).__name__})"
            )
    g = _gen(generator, "random_")
    shape = (self.numel(),)
    if frm is _MISSING and to is _MISSING:
        vals = S.random_(g, shape, _np_dtype(self))
    else:
        vals = S.random_(
            g,
            shape,
            _np_dtype(self),
            0 if frm is _MISSING else int(frm),
            None if to is _MISSING or to is None else int(to),
        )
    return _fill(self, vals)


_KEYED = {}
# Sources of generator words for keyed draws inside a module traced as one op of a compiled
# step (nn.modules._composite): the words become an input of that op instead of constants.
_WORD_SOURCES = []


def _compiled_random(device=None):
    """Whether random draws should come from JAX keys taken from the generator: inside
    torchlike.compile (unless torch._inductor.config.fallback_random asks for eager mode's
    numbers: PyTorch's compiled code also draws from its own generator), and for tensors on
    a GPU, whose stream in PyTorch differs from the CPU's anyway. Elsewhere the draws emulate
    PyTorch's CPU stream bit for bit, which is sampled on the host: on a GPU every dropout
    mask would cross from the host."""
    if _lazy.state.trace is None:
        if _WORD_SOURCES:  # a module's forward traced as one op of a compiled step
            return True
        return device is not None and _dev.canonical(device).type != "cpu"
    from .._inductor import config
    return not config._values.get("fallback_random", False)


def _keyed(kind, g, shape, dt, a=0.0, b=1.0, device=None):
    """A sample drawn by XLA from a JAX key that takes two draws of the generator: fresh on
    every call, reproducible from the seed, no host-side sampling; on `device`.
    kind: "bernoulli" (probability a), "uniform" on [a, b), "normal" (mean a, std b),
    "dropout" (PyTorch's dropout noise: bernoulli(a) / a, which is 0 or 1/a).

    On a GPU the key's two words cross as one array, and a and b as cached 0-d arrays
    already there: one host-to-device copy per draw, not four."""
    fn = _KEYED.get((kind, shape, dt))
    if fn is None:
        # low-precision floats are drawn in float32 and rounded, as their eager kernels do
        cdt = np.float32 if np.dtype(dt).itemsize < 4 else dt

        def fn(words, a, b):
            key = jax.random.fold_in(jax.random.key(words[0]), words[1])
            if kind == "bernoulli":
                return jax.random.bernoulli(key, a, shape).astype(dt)
            if kind == "dropout":  # noise.bernoulli_(a).div_(a): a rounds to dt first
                keep = jax.random.bernoulli(key, a, shape)
                return jnp.where(keep, jnp.ones((), dt) / jnp.asarray(a).astype(dt),
                                 jnp.zeros((), dt))
            a, b = jnp.asarray(a).astype(cdt), jnp.asarray(b).astype(cdt)
            if kind == "uniform":
                return jax.random.uniform(key, shape, cdt, a, b).astype(dt)
            return (jax.random.normal(key, shape, cdt) * b + a).astype(dt)

        fn = _KEYED[(kind, shape, dt)] = jax.jit(fn)
    words = _WORD_SOURCES[-1].take(g) if _WORD_SOURCES else np.asarray(g._random(2), np.uint32)
    a, b = float(a), float(b)
    if device is not None and device.type != "cpu":
        if _lazy.state.trace is None:
            words = jax.device_put(words, _dev.jax_device(device))
        # (recorded into a compiled step, the words stay a host input of its program: the
        # program's call moves them with its other inputs, not one Python transfer each)
        a, b = _kernel.scalar_on(a, device), _kernel.scalar_on(b, device)
    return _lazy.call(fn, (words, a, b))


def _keyed_fill(self, kind, g, a=0.0, b=1.0):
    arr = _keyed(kind, g, tuple(self.shape), self.dtype._np, a, b, self.device)
    return self._random_fill_(wrap(arr, device=self.device))


def dropout_noise(input, p):
    """dropout's rescaled mask for `input` as one keyed draw, where random draws are keyed
    (inside compile, on a GPU), or None: the noise `noise.bernoulli_(1 - p).div_(1 - p)`
    gives, without recording the empty tensor, the fill and the division."""
    if not _compiled_random(input.device) or input.dtype._np not in (np.float32, np.float64):
        return None
    g = _gen(None, "bernoulli_")
    q = 1.0 - p
    return wrap(_keyed("dropout", g, tuple(input.shape), input.dtype._np, q, 1.0, input.device),
                device=input.device)


def _keyed_new(kind, g, shape, dtype, device, requires_grad):
    """A fresh keyed sample on `device`."""
    dev = _dev.canonical(device)
    t = wrap(_keyed(kind, g, tuple(shape), dtype._np, device=dev), device=dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def bernoulli_(self, p=0.5, *, generator=None):
    """Tensor.bernoulli_(p): p a float or a tensor of probabilities (broadcast to self)."""
    g = _gen(generator, "bernoulli_")
    if not isinstance(p, Tensor) and _compiled_random(self.device) and 0 <= float(p) <= 1 \
            and self.dtype.is_floating_point:
        return _keyed_fill(self, "bernoulli", g, p)
    if isinstance(p, Tensor) and _deferred(p):
        if not p.dtype.is_floating_point:
            S.bernoulli_tensor(g, (0,), _np_dtype(self), np.zeros(0, p.dtype._np))
        S._expand(np.empty(tuple(p.shape), np.bool_), tuple(self.shape))  # shape check
        kdt = np.dtype(np.float64 if p.dtype._np == np.float64 else np.float32)
        u = _placed(self, S.uniform_floats(g, self.numel(), kdt))
        with grad_mode.no_grad():
            ut = wrap(_to_device(u, self.device), device=self.device)
            sample = (ut < p.detach()).to(self.dtype)
        return self._random_fill_(sample)
    if isinstance(p, Tensor):
        # One draw per element of self in iteration order, each against its (broadcast) p.
        pa = S._expand(_check_probs(_np(p)), tuple(self.shape)).reshape(-1)
        order = _iteration_order(self)
        if order is not None:
            pa = pa[order]
        vals = S.bernoulli_tensor(g, pa.shape, _np_dtype(self), pa)
    else:
        vals = S.bernoulli_scalar(g, (self.numel(),), _np_dtype(self), float(p))
    return _fill(self, vals)


def exponential_(self, lambd=1.0, *, generator=None):
    """Tensor.exponential_(lambd=1)."""
    vals = S.exponential(_gen(generator, "exponential_"), (self.numel(),), _np_dtype(self), lambd)
    return _fill(self, vals)


def geometric_(self, p, *, generator=None):
    """Tensor.geometric_(p): number of Bernoulli(p) trials up to the first success."""
    vals = S.geometric(_gen(generator, "geometric_"), (self.numel(),), _np_dtype(self), p)
    return _fill(self, vals)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Tensor.log_normal_(mean=1, std=2)."""
    vals = S.log_normal(_gen(generator, "log_normal_"), (self.numel(),), _np_dtype(self), mean, std)
    return _fill(self, vals)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Tensor.cauchy_(median=0, sigma=1)."""
    vals = S.cauchy(_gen(generator, "cauchy_"), (self.numel(),), _np_dtype(self), median, sigma)
    return _fill(self, vals)


def _bernoulli_method(self, p=None, *, generator=None):
    """Tensor.bernoulli(p=None)."""
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    """Tensor.multinomial."""
    return multinomial(self, num_samples, replacement, generator=generator)


def _meta_noop(fn):
    """An in-place fill that leaves a meta tensor as it is (it has no data), as PyTorch's."""
    @functools.wraps(fn)
    def fill(self, *args, **kwargs):
        if _meta.USED[0] and self._device.type == "meta":
            return self
        return fn(self, *args, **kwargs)
    return fill


for _name, _fn in [
    ("uniform_", uniform_),
    ("normal_", normal_),
    ("random_", random_),
    ("bernoulli_", bernoulli_),
    ("exponential_", exponential_),
    ("geometric_", geometric_),
    ("log_normal_", log_normal_),
    ("cauchy_", cauchy_),
    ("bernoulli", _bernoulli_method),
    ("multinomial", _multinomial_method),
]:
    setattr(Tensor, _name, _meta_noop(_fn) if _name.endswith("_") else _fn)
del _name, _fn
