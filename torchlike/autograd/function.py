"""torch.autograd.Function: user-defined forward and backward."""

import functools

import jax.numpy as jnp

from .._core import grad_mode
from .._core.autograd import _Handle
from .._core.device import CPU, device_of
from .._core.tensor import Tensor, wrap
from .._ops.kernel import zeros_on


class _Packed:
    """A saved tensor as saved_tensors_hooks' pack hook returned it."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class FunctionCtx:
    """The `ctx` passed to forward/backward."""

    def __init__(self):
        self.to_save = ()
        self.saved_for_later = {}
        self.non_differentiable = set()
        self.dirty = set()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._freed = False

    def save_for_backward(self, *tensors):
        from .._core.autograd import SAVED_HOOKS
        if SAVED_HOOKS:  # saved_tensors_hooks: pack now, unpack when the backward reads them
            pack, unpack = SAVED_HOOKS[-1]
            self._unpack_hook = unpack
            tensors = tuple(None if t is None else _Packed(pack(t)) for t in tensors)
        self.to_save = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError("Trying to backward through the graph a second time (or directly "
                               "access saved tensors after they have already been freed).")
        if any(type(t) is _Packed for t in self.to_save):
            return tuple(self._unpack_hook(t.value) if type(t) is _Packed else t
                         for t in self.to_save)
        return self.to_save

    def mark_non_differentiable(self, *args):
        self.non_differentiable.update(id(a) for a in args)

    def mark_dirty(self, *args):
        self.dirty.update(id(a) for a in args)

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors


class BackwardCFunction(FunctionCtx):
    """The grad_fn node of a custom Function (ctx and node are one object, as in PyTorch)."""

    def __init__(self, cls):
        super().__init__()
        self._cls = cls
        self.edges = ()
        self.out_avals = ()
        self.out_devices = ()
        self.pre_hooks = self.hooks = self.retained = self.tensor_pre_hooks = None
        self.released = False
        self.metadata = {}

    def name(self):
        return self._cls.__name__ + "Backward"

    @property
    def next_functions(self):
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self.edges)

    def register_hook(self, fn):
        if self.hooks is None:
            self.hooks = {}
        return _Handle(self.hooks, fn)

    def register_prehook(self, fn):
        if self.pre_hooks is None:
            self.pre_hooks = {}
        return _Handle(self.pre_hooks, fn)

    def release(self):
        self.released = True
        self._freed = True

    def apply(self, grads, create_graph):
        if self.released:
            raise RuntimeError("Trying to backward through the graph a second time (or directly "
                               "access saved tensors after they have already been freed). Specify "
                               "retain_graph=True if you need to backward through the graph a "
                               "second time.")
        gts = []
        for g, (shape, dt, diff) in zip(grads, self.out_avals):
            if g is None:
                gts.append(zeros_on(shape, dt, self.out_devices[len(gts)])
                           if self.materialize_grads else None)
            else:
                gts.append(g if isinstance(g, Tensor) else wrap(g, device=device_of(g)))
        with grad_mode.set_grad_enabled(create_graph):
            res = self._cls.backward(self, *gts)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self.edges)
        if len(res) < n_in:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n_in}, got {len(res)})")
        out = []
        for e, g in zip(self.edges, res[:n_in]):
            if e is None or g is None:
                out.append(None)
            else:
                out.append(g if create_graph else g._data)
        return out

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, ...) and backward(ctx, *grads); call .apply(...)."""

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        node = BackwardCFunction(cls)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        new_style = "setup_context" in {k for c in cls.__mro__ if c is not Function
                                        for k in vars(c)}
        with grad_mode.no_grad():
            if new_style:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        record = grad_mode.is_grad_enabled() and any(node.needs_input_grad)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not record:
            return out
        node.edges = tuple(a._history() if isinstance(a, Tensor) and a.requires_grad else None
                           for a in args)
        wrapped = []
        avals = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                avals.append(((), jnp.float32, False))
                continue
            arr = o._data
            diff = (id(o) not in node.non_differentiable and
                    jnp.issubdtype(arr.dtype, jnp.inexact))
            avals.append((arr.shape, arr.dtype, diff))
            if not diff:
                wrapped.append(o)
                continue
            if id(o) in node.dirty:
                o._grad_fn = node
                o._out_nr = i
                o._requires_grad = False
                wrapped.append(o)
                continue
            if any(o is a for a in args):
                o = o.detach()  # an input returned as-is becomes a new output (a view of it)
            t = o if (o._grad_fn is None and not o._requires_grad and o._gbase is None) else o.detach()
            t._grad_fn = node
            t._out_nr = i
            wrapped.append(t)
        node.out_avals = tuple(avals)
        node.out_devices = tuple(o.device if isinstance(o, Tensor) else CPU for o in outs)
        return wrapped[0] if single else tuple(wrapped)


class InplaceFunction(Function):
    pass


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    """Run backward with gradients off (its result is not differentiable again)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
