"""Lazy execution: the engine of `torchlike.compile`.

Inside a compiled call the step's Python runs as usual (so every Python side effect — a
scheduler's counters, `group['lr'] = ...`, hooks — happens exactly as in eager mode), but
array work is only *recorded*: each kernel call returns LazyArrays with known shapes. When the
call ends (or when Python needs a concrete value: `.item()`, printing, a branch on a tensor),
the recorded sequence runs as ONE jitted XLA program whose inputs are the concrete arrays it
read (parameters, gradients, optimizer state, Python scalars such as the learning rate) and
whose outputs are the recorded values still referenced from Python. Programs are cached by the
recorded structure, so changing a hyperparameter's value never recompiles. Input buffers
nothing else refers to any more (a parameter's old value once the step has updated it) are
donated to the program, so its outputs reuse them (TORCHLIKE_COMPILE_DONATE=0 turns that off).
"""

import os
import sys
import weakref

import jax
import jax.numpy as jnp
import numpy as np


class _State:
    trace = None
    used = False  # whether any lazy trace ever ran (else no LazyArray exists anywhere)


state = _State()


class Shaped:
    """An array stand-in that knows only its shape and dtype (LazyArray, meta's MetaArray)."""

    __slots__ = ()

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for s in self.shape:
            n *= s
        return n


class LazyArray(Shaped):
    """A recorded, not yet computed array: shape and dtype are known."""

    __slots__ = ("shape", "dtype", "trace", "idx", "value", "prev", "aval", "ref",
                 "__weakref__")

    def __init__(self, aval, trace, idx):
        self.shape, self.dtype = self.aval = aval
        self.trace = trace
        self.idx = idx
        self.ref = ("v", idx)  # how the recorded program refers to it (Trace.call)
        self.value = None
        self.prev = None  # the input whose tensor this value overwrote (see `succeed`)

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
        for a in args:
            if type(a) is LazyArray:
                return fn(*[concrete(a) for a in args])
        return fn(*args)
    return tr.call(fn, args)


def succeed(old, new):
    """Note that a tensor's array `old` is being overwritten with the recorded `new` (a
    parameter's update, an optimizer buffer's): if `old` is an input of the program, `new` is
    its successor, and the program's output for `new` will reuse `old`'s buffer."""
    if type(new) is LazyArray:
        tr = new.trace
        k = tr.input_pos.get(id(old))
        if k is not None and tr.inputs[k] is old:
            new.prev = k


def release(t):
    """Tensor `t` is being dropped while a step records (zero_grad setting a gradient to
    None): keep its array as a spare buffer for the program's output of the same shape (the
    next gradient), see Trace.materialize. On the CPU, freeing a large array and allocating a
    fresh one costs ~30 us per MiB each (unmapping pages, then faulting new ones in): a third
    of a small MLP step's time on top of the hand-written JAX step's, which donates its
    buffers. (On accelerators their allocators make both cheap, and each extra input costs
    the host more.)"""
    tr = state.trace
    if tr is None or t._base is not None or not _cpu_backend():
        return
    a = t._arr
    if type(a) is LazyArray:  # computed by an earlier call (the tensor keeps its LazyArray)
        a = a.value
    # references: the tensor's holder, `t` and getrefcount's argument; one more means someone
    # else keeps the old gradient, and its buffer could not be donated anyway
    if type(a) is _JAX_ARRAY and sys.getrefcount(t) <= 3:
        av = a.aval
        if av.shape != ():
            tr.spares.append(a)


_CPU = []


def _cpu_backend():
    if not _CPU:
        _CPU.append(jax.default_backend() == "cpu")
    return _CPU[0]


class GraphBreak(Warning):
    pass


_SHAPES = {}
_FLAT_TREES = {}
_JAX_ARRAY = type(jnp.zeros(()))
_ARRAY_TYPES = (_JAX_ARRAY, np.ndarray)
_PY = (bool, int, float, complex)


def _flat_tree(kind, n):
    """The treedef of a flat list/tuple of n leaves (None counts as a leaf here)."""
    t = _FLAT_TREES.get((kind, n))
    if t is None:
        t = _FLAT_TREES[(kind, n)] = jax.tree_util.tree_structure(kind([0] * n))
    return t


class Trace:
    """The recorded program of one compiled call (in segments split by materialisations)."""

    def __init__(self, owner):
        self.owner = owner
        state.used = True
        self._reset()

    def _reset(self):
        self.records = []
        self.inputs = []
        self.in_avals = []  # the inputs' (shape, dtype), or ("py", type): part of the cache key
        self.input_pos = {}
        self.values = []
        self.spares = []  # released arrays (see `release`)

    def _ref(self, x):
        tx = type(x)
        if tx is _JAX_ARRAY:  # a parameter, gradient or optimizer state: the common input
            k = self.input_pos.get(id(x))
            if k is not None and self.inputs[k] is x:  # read before (a parameter used twice)
                return ("i", k), self.in_avals[k]
            a = x.aval  # an attribute: x.shape and x.dtype are Python properties
            return self._input(x, (a.shape, a.dtype))
        if tx is LazyArray:
            if x.trace is self and x.value is None:
                return x.ref, x.aval
            return self._ref(x.concrete())
        if x is None:
            return ("n",), None
        if tx in _PY:
            # a Python number stays a weakly-typed dynamic input, as it is for jax.jit itself
            k = len(self.inputs)
            self.inputs.append(x)
            av = ("py", tx)
            self.in_avals.append(av)
            return ("i", k), av
        k = self.input_pos.get(id(x))
        if k is not None and self.inputs[k] is x:
            return ("i", k), self.in_avals[k]
        if isinstance(x, np.generic):
            x = np.asarray(x)
        return self._input(x, (tuple(x.shape), np.dtype(x.dtype)))

    def _input(self, x, av):
        k = len(self.inputs)
        self.inputs.append(x)
        self.in_avals.append(av)
        self.input_pos[id(x)] = k
        return ("i", k), av

    def call(self, fn, args):
        # ops pass a flat list of arrays/numbers/None: skip jax's generic flattening for them
        tree = None
        ta = type(args)
        if ta is list or ta is tuple:
            for a in args:
                t = type(a)
                if not (t is LazyArray or t in _ARRAY_TYPES or a is None or t in _PY):
                    break
            else:
                tree = _flat_tree(ta, len(args))
                leaves = args
        if tree is None:
            leaves, tree = jax.tree_util.tree_flatten(args, is_leaf=lambda v: v is None)
        refs = []
        avals = []
        for x in leaves:
            if type(x) is LazyArray and x.trace is self and x.value is None:  # most leaves
                refs.append(x.ref)
                avals.append(x.aval)
            else:
                r, av = self._ref(x)
                refs.append(r)
                avals.append(av)
        refs = tuple(refs)
        skey = (fn, tree, tuple(avals))
        out = _SHAPES.get(skey)
        if out is None:
            def spec(r, av):
                if r[0] == "n":
                    return None
                if av[0] == "py":
                    return av[1](0)
                return jax.ShapeDtypeStruct(av[0], av[1])
            structs = jax.tree_util.tree_unflatten(tree, [spec(r, a) for r, a in zip(refs, avals)])
            out_leaves, out_def = jax.tree_util.tree_flatten(
                jax.eval_shape(lambda a: fn(*a), structs))
            out = _SHAPES[skey] = (out_def, tuple((tuple(o.shape), np.dtype(o.dtype))
                                                  for o in out_leaves))
        out_def, out_avals = out
        outs = []
        values = self.values
        n = len(values)
        for av in out_avals:
            la = LazyArray(av, self, n)
            values.append(weakref.ref(la))
            outs.append(la)
            n += 1
        self.records.append((fn, tree, refs, tuple(range(n - len(outs), n))))
        return out_def.unflatten(outs)

    def materialize(self, why=None):
        """Run what was recorded; give every live LazyArray its value."""
        if not self.records:
            return
        if why is not None:
            self.owner.graph_break(why)
        holders = []
        for w in self.values:
            la = w()
            if la is not None and la.value is None:
                holders.append(la)
        records = tuple(self.records)
        in_avals = tuple(self.in_avals)
        programs = self.owner.programs
        spares = self.spares
        with_spares = False
        if spares:
            # Spare buffers make another program (one more input each). Use them only where
            # that program is compiled anyway, never for them alone: from the first call
            # that compiles with them present, not where the recorded program already ran
            # without them (Adam's first call, before any gradient existed, records the same
            # program as later ones).
            choice = self.owner.spare_choice
            with_spares = choice.get((records, in_avals))
            if with_spares is None:
                with_spares = choice[(records, in_avals)] = not any(
                    k[0] == records and k[1] == in_avals for k in programs)
            if with_spares:
                self.inputs.extend(spares)
                self.in_avals.extend((a.aval.shape, a.aval.dtype) for a in spares)
                in_avals = tuple(self.in_avals)
            del spares[:]  # the inputs list holds them now (see _donatable's count), or none
        donate = ()
        if _DONATE:
            donate, holders = _donatable(self.inputs, self.in_avals, holders)
        live = tuple(la.idx for la in holders)
        key = (records, in_avals, live, donate)
        prog = programs.get(key)
        if prog is None:
            self.owner.on_compile(key)
            prog = programs[key] = _build(records, live, donate, keep_unused=with_spares)
        outs = prog(*self.inputs)
        for la, o in zip(holders, outs):
            la.value = o
        self._reset()


_DONATE = os.environ.get("TORCHLIKE_COMPILE_DONATE", "1") != "0"


def _donatable(inputs, in_avals, outputs):
    """(donated inputs, outputs reordered): inputs whose buffers an output may reuse are
    arrays nothing but this trace refers to any more (a parameter's old value once the step
    updated it, an old momentum buffer), each given an output of the same shape and dtype (XLA
    warns about unusable donations) — its successor where one is known (`succeed`).

    jax gives each output, in order, the lowest-numbered donated input of its shape and dtype
    still free, so the outputs are ordered to make that pairing ours: an output written over
    a buffer that other computations of the program still read forces XLA to copy the input
    first (a parameter's buffer given to its gradient's output, say)."""
    succ = {}
    rest = {}
    for la in outputs:
        k = la.prev
        if k is not None and k not in succ and in_avals[k] == (la.shape, la.dtype):
            succ[k] = la
        else:
            rest.setdefault((la.shape, la.dtype), []).append(la)
    donate = []
    first = []
    for k in range(len(inputs)):
        x = inputs[k]
        # references: the inputs list, x and getrefcount's argument (no enumerate: its reused
        # tuple would hold one more). 0-d arrays (Adam's per-tensor step counts) are not
        # donated: they save no memory, and XLA copies a donated scalar that several fusions
        # read before its new value is written (one more kernel each on a GPU).
        if type(x) is _JAX_ARRAY and sys.getrefcount(x) <= 3 and in_avals[k][0] != ():
            la = succ.pop(k, None)
            if la is None:
                same = rest.get(in_avals[k])
                if not same:
                    continue
                la = same.pop()
            donate.append(k)
            first.append(la)
    if not first:
        return (), outputs
    taken = set(map(id, first))
    return tuple(donate), first + [la for la in outputs if id(la) not in taken]


def _build(records, live, donate=(), keep_unused=False):
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

    # keep_unused: a spare buffer (see `release`) is read by no op, but donated to an output
    return jax.jit(program, donate_argnums=donate, keep_unused=keep_unused)
