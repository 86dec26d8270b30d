"""Lazy execution: the engine of `torchlike.compile`.

Inside a compiled call the step's Python runs as usual (so every Python side effect — a
scheduler's counters, `group['lr'] = ...`, hooks — happens exactly as in eager mode), but
array work is only *recorded*: each kernel call returns LazyArrays with known shapes. When the
call ends (or when Python needs a concrete value: `.item()`, printing, a branch on a tensor),
the recorded sequence runs as ONE jitted XLA program whose inputs are the concrete arrays it
read (parameters, gradients, optimizer state, Python scalars such as the learning rate) and
whose outputs are the recorded values still referenced from Python. Programs are cached by the
recorded structure, so changing a hyperparameter's value never recompiles.
"""

import traceback
import warnings
import weakref

import jax
import jax.numpy as jnp
import numpy as np


class _State:
    trace = None
    used = False  # whether any lazy trace ever ran (else no LazyArray exists anywhere)


state = _State()


class LazyArray:
    """A recorded, not yet computed array: shape and dtype are known."""

    __slots__ = ("shape", "dtype", "trace", "idx", "value", "__weakref__")

    def __init__(self, shape, dtype, trace, idx):
        self.shape = shape
        self.dtype = dtype
        self.trace = trace
        self.idx = idx
        self.value = None

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    def concrete(self):
        if self.value is None:
            self.trace.materialize("a concrete value was needed")
        return self.value

    def __jax_array__(self):
        return self.concrete()

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.concrete())
        return a if dtype is None else a.astype(dtype)

    def block_until_ready(self):
        return self.concrete().block_until_ready()

    def astype(self, dtype):
        return call(_astype(np.dtype(dtype)), (self,))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return call(_reshape(tuple(shape)), (self,))

    def __add__(self, other):
        return call(_ADD, (self, other))

    __radd__ = __add__

    def __mul__(self, other):
        return call(_MUL, (self, other))

    __rmul__ = __mul__

    def __getitem__(self, idx):
        return jnp.asarray(self.concrete())[idx]

    def __repr__(self):
        return f"LazyArray(shape={self.shape}, dtype={self.dtype})"

    def devices(self):
        return self.concrete().devices()


_ADD = jax.jit(lambda a, b: a + b)
_MUL = jax.jit(lambda a, b: a * b)
_CASTS = {}
_RESHAPES = {}


def _astype(dt):
    f = _CASTS.get(dt)
    if f is None:
        f = _CASTS[dt] = jax.jit(lambda a: a.astype(dt))
    return f


def _reshape(shape):
    f = _RESHAPES.get(shape)
    if f is None:
        f = _RESHAPES[shape] = jax.jit(lambda a: jnp.reshape(a, shape))
    return f


def concrete(a):
    """The concrete array behind `a` (materialising a lazy one)."""
    if type(a) is LazyArray:
        return a.concrete()
    return a


def call(fn, args):
    """fn(*args) now, or recorded when a lazy trace is active."""
    tr = state.trace
    if tr is None:
        return fn(*[concrete(a) for a in args])
    return tr.call(fn, args)


class GraphBreak(Warning):
    pass


_SHAPES = {}


class Trace:
    """The recorded program of one compiled call (in segments split by materialisations)."""

    def __init__(self, owner):
        self.owner = owner
        state.used = True
        self._reset()

    def _reset(self):
        self.records = []
        self.inputs = []
        self.input_pos = {}
        self.values = []

    def _ref(self, x):
        if type(x) is LazyArray:
            if x.trace is self and x.value is None:
                return ("v", x.idx), (x.shape, x.dtype)
            x = x.concrete()
        if x is None:
            return ("n",), None
        if isinstance(x, (bool, int, float, complex)):
            # a Python number stays a weakly-typed dynamic input, as it is for jax.jit itself
            k = len(self.inputs)
            self.inputs.append(x)
            return ("i", k), ("py", type(x))
        if isinstance(x, np.generic):
            x = np.asarray(x)
        k = self.input_pos.get(id(x))
        if k is None or self.inputs[k] is not x:
            k = len(self.inputs)
            self.inputs.append(x)
            self.input_pos[id(x)] = k
        return ("i", k), (tuple(x.shape), np.dtype(x.dtype))

    def call(self, fn, args):
        leaves, tree = jax.tree_util.tree_flatten(args, is_leaf=lambda v: v is None)
        refs = []
        avals = []
        for x in leaves:
            r, av = self._ref(x)
            refs.append(r)
            avals.append(av)
        refs = tuple(refs)
        skey = (fn, tree, tuple(avals), tuple(r[1] if r[0] == "c" else None for r in refs))
        out_tree = _SHAPES.get(skey)
        if out_tree is None:
            def spec(r, av):
                if r[0] == "n":
                    return None
                if r[0] == "c":
                    return r[1]
                if av[0] == "py":
                    return av[1](0)
                return jax.ShapeDtypeStruct(av[0], av[1])
            structs = jax.tree_util.tree_unflatten(tree, [spec(r, a) for r, a in zip(refs, avals)])
            out_tree = _SHAPES[skey] = jax.eval_shape(lambda a: fn(*a), structs)
        out_leaves, out_def = jax.tree_util.tree_flatten(out_tree)
        outs = []
        idxs = []
        for s in out_leaves:
            la = LazyArray(tuple(s.shape), np.dtype(s.dtype), self, len(self.values))
            self.values.append(weakref.ref(la))
            outs.append(la)
            idxs.append(la.idx)
        self.records.append((fn, tree, refs, tuple(idxs)))
        return jax.tree_util.tree_unflatten(out_def, outs)

    def materialize(self, why=None):
        """Run what was recorded; give every live LazyArray its value."""
        if not self.records:
            return
        if why is not None:
            self.owner.graph_break(why)
        live = []
        holders = []
        for j, w in enumerate(self.values):
            la = w()
            if la is not None and la.value is None:
                live.append(j)
                holders.append(la)
        records = tuple((f, t, r, i) for f, t, r, i in self.records)
        key = (tuple((id(f), t, r, i) for f, t, r, i in records),
               tuple(("py", type(x)) if isinstance(x, (bool, int, float, complex))
                     else (tuple(x.shape), np.dtype(x.dtype)) for x in self.inputs), tuple(live))
        prog = self.owner.programs.get(key)
        if prog is None:
            self.owner.on_compile(key)
            prog = self.owner.programs[key] = _build(records, tuple(live))
        outs = prog(*self.inputs)
        for la, o in zip(holders, outs):
            la.value = o
        self._reset()


def _build(records, live):
    def program(*inputs):
        env = {}
        for fn, tree, refs, idxs in records:
            args = []
            for r in refs:
                k = r[0]
                if k == "v":
                    args.append(env[r[1]])
                elif k == "i":
                    args.append(inputs[r[1]])
                elif k == "c":
                    args.append(r[1])
                else:
                    args.append(None)
            out = fn(*jax.tree_util.tree_unflatten(tree, args))
            for j, o in zip(idxs, jax.tree_util.tree_leaves(out)):
                env[j] = o
        return tuple(env[j] for j in live)

    return jax.jit(program)
