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
        self.in_meta = ()
        self._freed = False

    def save_for_backward(self, *tensors):
        from .._core.autograd import SAVED_HOOKS
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
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
        versions = getattr(self, "_saved_versions", None)
        if versions is not None:
            for t, v in zip(self.to_save, versions):
                if v is not None and t._version != v:
                    from .._core.autograd import _type_name
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified "
                        f"by an inplace operation: [{_type_name(t._data)} {list(t.shape)}] is at "
                        f"version {t._version}; expected version {v} instead. Hint: the "
                        "backtrace further above shows the operation that failed to compute its "
                        "gradient.")
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
        self.to_save = ()

    def _user_backward(self):
        cls = self._cls
        backward_fn, vjp_fn = cls.backward, cls.vjp
        if backward_fn is not Function.backward and vjp_fn is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                               "not allowed. You should only implement one of them.")
        return vjp_fn if vjp_fn is not Function.vjp else backward_fn

    def apply(self, grads, create_graph):
        # (a second backward fails only where the backward reads freed saved tensors, as in
        # PyTorch: saved_tensors raises)
        gts = []
        for g, (shape, dt, diff) in zip(grads, self.out_avals):
            if g is None:
                gts.append(zeros_on(shape, dt, self.out_devices[len(gts)])
                           if self.materialize_grads else None)
            else:
                gts.append(g if isinstance(g, Tensor) else wrap(g, device=device_of(g)))
        with grad_mode.set_grad_enabled(bool(create_graph)):
            res = self._user_backward()(self, *gts)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self.edges)
        if len(res) != n_in:
            if len(res) > n_in and all(g is None for g in res[n_in:]):
                res = res[:n_in]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n_in}, got {len(res)})")
        out = []
        for i, (e, g, meta) in enumerate(zip(self.edges, res, self.in_meta)):
            if g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if meta is None:
                raise RuntimeError(f"function {self.name()} returned a gradient different than "
                                   f"None at position {i + 1}, but the corresponding forward "
                                   "input was not a Variable")
            if e is None:
                out.append(None)
                continue
            shape, dtype = meta
            if tuple(g.shape) != shape:
                if not _expandable(shape, tuple(g.shape)):
                    raise RuntimeError(f"Function {self.name()} returned an invalid gradient at "
                                       f"index {i} - got {list(g.shape)} but expected shape "
                                       f"compatible with {list(shape)}")
                with grad_mode.set_grad_enabled(bool(create_graph)):
                    g = g.sum_to_size(shape)
            if g.dtype is not dtype:
                with grad_mode.set_grad_enabled(bool(create_graph)):
                    g = g.to(dtype)
            out.append(g if create_graph else g._data)
        return out

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


def _expandable(shape, desired):
    """Whether `shape` broadcasts to `desired` (a gradient of shape `desired` sums back)."""
    if len(shape) > len(desired):
        return False
    return all(s == d or s == 1 for s, d in zip(reversed(shape), reversed(desired)))


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        # the grad_fn class of this Function (PyTorch's `<Name>Backward`)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, ...) and backward(ctx, *grads); call .apply(...)."""

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd "
                      "functions are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

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
        node = cls._backward_cls(cls)
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
        if node.dirty:
            for o in outs:
                if isinstance(o, Tensor) and id(o) in node.dirty:
                    if record and o._requires_grad and o._grad_fn is None and o._gbase is None:
                        raise RuntimeError("a leaf Variable that requires grad has been used in "
                                           "an in-place operation.")
                    o._root()._vcount += 1  # (PyTorch bumps the version of a dirty tensor)
        if not record:
            return out
        node.edges = tuple(a._history() if isinstance(a, Tensor) and a.requires_grad else None
                           for a in args)
        node.in_meta = tuple((tuple(a.shape), a.dtype) if isinstance(a, Tensor) else None
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
        if node.to_save:
            # a saved output is the output with its history (for a double backward), and a
            # later in-place change to any saved tensor fails the backward (version check)
            swap = {id(o): t for o, t in zip(outs, wrapped) if isinstance(o, Tensor)}
            node.to_save = tuple(swap.get(id(t), t) if isinstance(t, Tensor) else t
                                 for t in node.to_save)
            node._saved_versions = tuple(t._version if isinstance(t, Tensor) else None
                                         for t in node.to_save)
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
