"""The tape: nodes recorded as ops run, and the engine that walks them backwards.

A node keeps the op's compiled kernel, the input arrays (primals) and one edge per input:
(next node, output number) or None. Its backward is the kernel's cached, jitted jax.vjp.
"""

import weakref

import jax
import jax.numpy as jnp

from . import grad_mode
from .device import device_of
from .hooks import RemovableHandle
from .._lazy import LazyArray, call as _lazy_call, _astype, state as _lazy_state, Trace as _Trace
from .._lazy import _JAX_ARRAY
from .meta import MetaArray
from .sparse_grad import USED as _SPARSE_USED, SparseGrad, accumulate as _accumulate_sparse


_MASKS = {}
# torch.autograd.graph.saved_tensors_hooks: the active (pack, unpack) pairs, innermost last
SAVED_HOOKS = []
# torch.autograd.forward_ad: a dual level is entered (kernel.run then computes tangents)
FORWARD_AD = [False]
# whether a reentrant checkpoint may run its own backward (see utils.checkpoint)
CHECKPOINT_VALID = [True]


# Ops whose PyTorch backward reads their result rather than their input: torch lets the input
# be modified in place after them. (The input's old value is still in the node's primals.)
_SAVES_RESULT = frozenset({
    "exp", "exp2", "expm1", "log_softmax", "nn_log_softmax", "nn_relu", "nn_softmax",
    "reciprocal", "relu", "rsqrt", "sigmoid", "softmax", "sqrt", "tanh",
})


class Node:
    """A recorded op (PyTorch's grad_fn)."""

    __slots__ = ("kernel", "primals", "edges", "needs", "out_avals", "saved", "pre_hooks",
                 "hooks", "retained", "tensor_pre_hooks", "released", "_metadata", "_name",
                 "_diff", "_ct_mask", "_need_idx", "res", "res_layout", "packed",
                 "_shapes", "__weakref__")

    def __init__(self, kernel, primals, edges, out_avals, saved):
        self.kernel = kernel
        self.primals = primals
        self.edges = edges
        self.needs = tuple(e is not None for e in edges)
        self.out_avals = out_avals  # ((shape, dtype, differentiable), ...)
        self.saved = saved  # [(version counter, version) or None] per input
        self.pre_hooks = None
        self.hooks = None
        self.retained = None
        self.tensor_pre_hooks = None
        self.released = False
        self._shapes = None  # after release: the inputs' shapes, where the backward reads none
        self._metadata = None  # made on first use: most nodes never need it
        self._name = None
        self._diff = None
        self.res = None  # the forward's vjp residuals, for kernels that save them
        self.packed = None  # (unpack hook, [(input index, packed)], [packed residuals] or None)
        if SAVED_HOOKS:
            self.pack_primals()
        if grad_mode.INFERENCE_USED[0] and saved:
            self._check_inference_inputs()

    def _check_inference_inputs(self):
        # PyTorch refuses to save an inference tensor for backward (it has no version counter)
        for i, s in enumerate(self.saved):
            if s is not None and s[0]._inference and self.kernel.depends_on(self, i):
                raise RuntimeError(
                    "Inference tensors cannot be saved for backward. Please do not use Tensors "
                    "created in inference mode in computation tracked by autograd. To work "
                    "around this, you can make a clone to get a normal tensor and use it in "
                    "autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def ct_mask(self):
        if self._diff is None:
            self._compute_masks()
        return self._ct_mask

    def need_idx(self):
        if self._diff is None:
            self._compute_masks()
        return self._need_idx

    def _compute_masks(self):
        # shared by every node with the same output kinds and needed inputs
        key = (tuple(a[2] for a in self.out_avals), self.needs)
        m = _MASKS.get(key)
        if m is None:
            diff = tuple(i for i, a in enumerate(self.out_avals) if a[2])
            m = _MASKS[key] = (
                diff,
                tuple(True if i in diff else None for i in range(len(self.out_avals))),
                tuple(i for i, n in enumerate(self.needs) if n),
            )
        self._diff, self._ct_mask, self._need_idx = m

    def name(self):
        if self._name is None:
            base = self.kernel.name
            self._name = "".join(p[:1].upper() + p[1:] for p in base.strip("_").split("_")) + "Backward0"
        return self._name

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

    def __call__(self, *grads):
        """grad_fn(*grad_outputs): the input gradients, as PyTorch (differentiable when grad
        mode is on; not released)."""
        from .tensor import Tensor
        create = grad_mode.state.enabled
        gs = [g if g is None or create or not isinstance(g, Tensor) else g._data for g in grads]
        res = self.apply(gs, create)
        res = [g if g is None or isinstance(g, Tensor) else _as_tensor(g, False) for g in res]
        return res[0] if len(res) == 1 else tuple(res)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def _check_saved(self):
        if self.kernel.name in _SAVES_RESULT:
            return
        for i, s in enumerate(self.saved):
            if s is not None and s[0]._vcount != s[1] and self.kernel.depends_on(self, i):
                ctr, ver = s
                av = self.primals[i]
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{_type_name(av)} {list(av.shape)}] is at version "
                    f"{ctr._vcount}; expected version {ver} instead. Hint: the backtrace further "
                    "above shows the operation that failed to compute its gradient.")

    def apply(self, grads, create_graph):
        """Input gradients (None where an input needs none) from output gradients."""
        if self.released:
            if self._shapes is not None:  # its backward reads no input (see release)
                self.primals = tuple(jnp.zeros(a.shape, a.dtype) for a in self._shapes)
                return self._apply(grads, create_graph)
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        return self._apply(grads, create_graph)

    def _apply(self, grads, create_graph):
        if self.saved:
            self._check_saved()
        if self.packed is not None:
            self._unpack()
        diff = self.kernel_diff_outputs()
        cts = []
        for i in diff:
            g = grads[i] if i < len(grads) else None
            cts.append(g)
        if all(g is None for g in cts):
            return [None] * len(self.edges)
        return self.kernel.backward(self, tuple(cts), create_graph)

    def pack_primals(self):
        """Hand each input the backward reads to the innermost saved_tensors_hooks' pack hook
        (PyTorch packs the tensors an op saves; torchlike's backward reads inputs, and
        recomputes from them, so the tensors packed can differ from PyTorch's). The node
        keeps only their shapes until the backward unpacks them."""
        pack, unpack = SAVED_HOOKS[-1]
        prim = list(self.primals)
        packed = []
        for i, a in enumerate(prim):
            if a is None:
                continue
            if not self.kernel.depends_on(self, i):
                # unread by the backward: keep only its shape (zeros stand in at unpack), so
                # the node holds no activation (checkpoint, save_on_cpu free them)
                if not self.kernel.save_residuals and type(a) is _JAX_ARRAY:
                    prim[i] = jax.ShapeDtypeStruct(a.shape, a.dtype)
                continue
            packed.append((i, pack(_saved_tensor(a))))
            prim[i] = jax.ShapeDtypeStruct(a.shape, a.dtype)
        self.primals = tuple(prim)
        self.packed = (unpack, packed, None)
        saved = self.saved
        if saved:
            # the version check needs the input's counter, not the input: refer to it weakly
            for i, s in enumerate(saved):
                if s is not None and type(s[0]) is not _WeakSaved:
                    saved[i] = (_WeakSaved(s[0], s[1]), s[1])

    def pack_res(self):
        """The residuals of a kernel that saves them (see pack_primals)."""
        pack, unpack = SAVED_HOOKS[-1]
        old = self.packed or (unpack, [], None)
        self.packed = (old[0], old[1], [pack(_saved_tensor(r)) for r in self.res])
        self.res = tuple(jax.ShapeDtypeStruct(r.shape, r.dtype) for r in self.res)

    def _unpack(self):
        unpack, packed, res = self.packed
        self.packed = None
        prim = list(self.primals)
        for i, p in packed:
            prim[i] = _unpacked(unpack(p), prim[i])
        for i, a in enumerate(prim):
            if type(a) is jax.ShapeDtypeStruct:  # an input the backward does not read
                prim[i] = jnp.zeros(a.shape, a.dtype)
        self.primals = tuple(prim)
        if res is not None:
            self.res = tuple(_unpacked(unpack(p), r) for p, r in zip(res, self.res))

    def kernel_diff_outputs(self):
        if self._diff is None:
            self._compute_masks()
        return self._diff

    def release(self):
        # saved holds the input tensors (for the version check): drop them too, or every
        # activation stays alive (and becomes an output of a compiled program)
        self.saved = None
        self.res = None
        self.released = True
        prim = self.primals
        if prim is not None:
            self.primals = None
            if _KEEP.get((self.kernel, self.needs)) or (
                    (self.kernel, self.needs) not in _KEEP and _reads_nothing(self, prim)):
                # a backward that reads no input (sum, add, views, ...) saves nothing in
                # PyTorch, so a second backward through it works: keep only the shapes
                self._shapes = tuple([a.aval if type(a) is _JAX_ARRAY else
                                      jax.ShapeDtypeStruct(a.shape, a.dtype) for a in prim])


_KEEP = {}  # (kernel, needs) -> whether its backward reads none of the op's inputs


def _reads_nothing(node, prim):
    k = node.kernel
    if _lazy_state.trace is not None or node.packed is not None or \
            not hasattr(k, "depends_on"):
        return False  # not decided here (recorded or packed arrays): not cached either
    try:
        node.primals = prim
        r = not any(k.depends_on(node, i) for i in range(len(prim)))
    except Exception:  # noqa: BLE001 (a kernel the check cannot trace: free as before)
        r = False
    finally:
        node.primals = None
    if len(_KEEP) < 4096:
        _KEEP[(k, node.needs)] = r
    return r


class _WeakSaved:
    """A saved input's root for the version check once a pack hook holds its value: referred
    to weakly, so the node keeps no array alive (a collected root was never written again)."""

    __slots__ = ("ref", "ver")

    def __init__(self, root, ver):
        self.ref = weakref.ref(root)
        self.ver = ver

    @property
    def _vcount(self):
        r = self.ref()
        return self.ver if r is None else r._vcount

    @property
    def _inference(self):
        r = self.ref()
        return r is not None and r._inference


def _saved_tensor(a):
    from .tensor import wrap
    return wrap(a, device=device_of(a))


def _unpacked(t, like):
    """An unpack hook's result as the array the backward reads."""
    from .tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(t).__name__}")
    if tuple(t.shape) != tuple(like.shape):
        raise RuntimeError(f"unpack_hook returned a tensor of shape {list(t.shape)}, but the "
                           f"saved tensor had shape {list(like.shape)}")
    a = t._data
    return a if a.dtype == like.dtype else a.astype(like.dtype)


def _type_name(a):
    from .dtypes import from_np
    n = from_np(a.dtype)._name
    return "torch." + {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                       "bool": "Bool", "float16": "Half", "bfloat16": "BFloat16"}.get(n, n) + "Tensor"


class AccumulateGrad:
    """The node of a leaf that requires grad: adds incoming gradients into `.grad`."""

    __slots__ = ("_variable", "pre_hooks", "hooks", "post_hooks", "tensor_pre_hooks", "__weakref__",
                 "metadata")
    edges = ()
    needs = ()

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.pre_hooks = self.hooks = self.post_hooks = self.tensor_pre_hooks = None
        self.metadata = {}

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def register_hook(self, fn):
        if self.hooks is None:
            self.hooks = {}
        return _Handle(self.hooks, fn)

    def register_prehook(self, fn):
        if self.pre_hooks is None:
            self.pre_hooks = {}
        return _Handle(self.pre_hooks, fn)

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


def _Handle(table, fn):
    """Register `fn` in `table` under a fresh id; return its removable handle."""
    h = RemovableHandle(table)
    table[h.id] = fn
    return h




def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    ta, tb = type(a), type(b)
    if ta is LazyArray or tb is LazyArray:
        return _lazy_call(_ADD, (a, b))
    if ta is _JAX_ARRAY and tb is _JAX_ARRAY:
        return _ADD(a, b)  # (jax's array `a + b` runs its Python ufunc layer: ~3x slower)
    return a + b  # tensors (create_graph), tracers


_ADD = jax.jit(lambda a, b: a + b)


def run_backward(roots, retain_graph, create_graph, capture=None, accumulate=True):
    """Walk the graph from roots [(edge, grad)]; accumulate into leaves, or capture grads at the
    edges in `capture` (a dict edge -> slot) when `accumulate` is False. Returns the captures."""
    prev = CHECKPOINT_VALID[0]
    # a reentrant checkpoint's inner backward cannot feed autograd.grad / backward(inputs=)
    CHECKPOINT_VALID[0] = capture is None
    try:
        return _run_backward_from(roots, retain_graph, create_graph, capture, accumulate)
    finally:
        CHECKPOINT_VALID[0] = prev


def _run_backward_from(roots, retain_graph, create_graph, capture, accumulate):
    deps, owner = _dependencies(roots)
    execute = None
    if capture is not None:
        deps, execute = _prune(roots, deps, capture)
    if owner is not None and _lazy_state.trace is None:
        # the graph holds a compiled module's outputs: run the whole backward as one program
        tr = _Trace(owner)
        _lazy_state.trace = tr
        try:
            return _run_backward(roots, deps, retain_graph, create_graph, capture, accumulate,
                                 execute)
        finally:
            _lazy_state.trace = None
            tr.materialize()
    return _run_backward(roots, deps, retain_graph, create_graph, capture, accumulate, execute)


def _prune(roots, deps, capture):  # noqa: ARG001
    """With `inputs` given (autograd.grad, backward(inputs=...)), PyTorch runs only the nodes on
    a path to an input: the others' hooks do not fire. Returns the dependency counts over that
    part of the graph and the set of nodes to execute (the captured nodes themselves only
    receive their gradient unless another input lies below them)."""
    targets = {node for node, _ in capture}
    parents = {}
    seen = set()
    stack = [edge[0] for edge, _ in roots]
    order = []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        for e in n.edges:
            if e is not None:
                parents.setdefault(e[0], []).append(n)
                if e[0] not in seen:
                    stack.append(e[0])
    execute = set()
    stack = list(targets & seen)
    while stack:
        m = stack.pop()
        for n in parents.get(m, ()):
            if n not in execute:
                execute.add(n)
                stack.append(n)
    keep = execute | targets
    pdeps = {}
    for n in execute:
        for e in n.edges:
            if e is not None and e[0] in keep:
                pdeps[e[0]] = pdeps.get(e[0], 0) + 1
    return pdeps, execute


def _dependencies(roots):
    """Dependency counts over the reachable graph, and a compiled module's owner if any."""
    deps = {}
    owner = None
    seen = set()
    stack = []
    for edge, _ in roots:
        if edge[0] not in seen:
            seen.add(edge[0])
            stack.append(edge[0])
    while stack:
        n = stack.pop()
        if owner is None:
            md = getattr(n, "_metadata", None) if type(n) is Node else getattr(n, "metadata", None)
            if md:
                owner = md.get("lazy_owner")
        for e in n.edges:
            if e is None:
                continue
            m = e[0]
            deps[m] = deps.get(m, 0) + 1
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return deps, owner


def _run_backward(roots, deps, retain_graph, create_graph, capture, accumulate, execute=None):
    from .tensor import wrap

    captured = {}
    buffers = {}
    for (node, nr), g in roots:
        if execute is not None and node not in execute and (node, nr) not in capture:
            continue
        buf = buffers.setdefault(node, {})
        buf[nr] = _add(buf.get(nr), g)
    ready = [n for n in buffers if deps.get(n, 0) == 0]
    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    node = None
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, {})
            if node.tensor_pre_hooks:
                _tensor_hooks(node, buf, create_graph)
            if getattr(node, "retained", None):
                for nr, ref in node.retained.items():
                    t = ref()
                    if t is not None and nr in buf and buf[nr] is not None and (
                            t._grad_fn is node or t._gbase is not None):
                        g = buf[nr]
                        t._grad = (g if create_graph else wrap(g, device=t._device)) \
                            if t._grad is None else \
                            _as_tensor(_add(t._grad if create_graph else t._grad._data, g), create_graph)
            if capture is not None:
                for nr, g in buf.items():
                    slot = capture.get((node, nr))
                    if slot is not None:
                        for s in slot:
                            captured[s] = _add(captured.get(s), g)
                if execute is not None and node not in execute:
                    continue
            if node.pre_hooks:
                grads_t = tuple(_as_tensor(buf.get(i), create_graph)
                                for i in range(max(buf, default=-1) + 1))
                for h in list(node.pre_hooks.values()):
                    r = h(grads_t)
                    if r is not None:
                        grads_t = tuple(r)
                buf = {i: (None if g is None else (g if create_graph else g._data))
                       for i, g in enumerate(grads_t)}
            if isinstance(node, AccumulateGrad):
                if accumulate:
                    _accumulate(node, buf.get(0), create_graph)
                if node.hooks:
                    go = (_as_tensor(buf.get(0), create_graph),)
                    for h in list(node.hooks.values()):
                        h((), go)
                continue
            n_out = len(node.out_avals)
            grads = [buf.get(i) for i in range(n_out)]
            in_grads = node.apply(grads, create_graph)
            if node.hooks:
                gi = tuple(_as_tensor(g, create_graph) for g in in_grads)
                go = tuple(_as_tensor(g, create_graph) for g in grads)
                for h in list(node.hooks.values()):
                    r = h(gi, go)
                    if r is not None:
                        gi = tuple(r)
                in_grads = [None if g is None else (g if create_graph else g._data) for g in gi]
            if _anomaly.enabled:
                _check_anomaly(node, in_grads)
            for e, g in zip(node.edges, in_grads):
                if e is None:
                    continue
                m, nr = e
                if execute is not None and m not in deps:
                    continue  # pruned: not on a path to an input
                if g is not None:
                    b = buffers.setdefault(m, {})
                    b[nr] = _add(b.get(nr), g)
                deps[m] -= 1
                if deps[m] == 0:
                    if m in buffers:
                        ready.append(m)
                    else:
                        _skip(m, deps, buffers, ready, execute)
            if not retain_graph:
                node.release()
    except Exception:
        if _anomaly.enabled and node is not None:
            import warnings
            warnings.warn(f"Error detected in {node.name()}. No forward pass information "
                          "available. Enable detect anomaly during forward pass for more "
                          "information.", UserWarning, stacklevel=3)
        raise
    finally:
        grad_mode.state.enabled = prev_mode
    return captured


def _tensor_hooks(node, buf, create_graph):
    """Tensor.register_hook hooks on this node's outputs: each sees (and may replace, or change
    in place) the gradient; PyTorch's checks on what a hook returns."""
    from .tensor import Tensor
    for nr, hooks in node.tensor_pre_hooks.items():
        if nr not in buf or buf[nr] is None:
            continue
        for h in list(hooks.values()):
            g = _as_tensor(buf[nr], create_graph)
            r = h(g)
            if r is None:
                r = g  # (the hook may have changed g in place)
            elif not isinstance(r, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
            elif r is not g:
                name = getattr(h, "__name__", type(h).__name__)
                if r.dtype is not g.dtype:
                    raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                                       f"{_type_name(g._data)} got {_type_name(r._data)})")
                if tuple(r.shape) != tuple(g.shape):
                    raise RuntimeError(f"hook '{name}' has changed the size of value")
                if r.device != g.device:
                    raise RuntimeError(f"hook '{name}' has changed the device of value (was "
                                       f"{g.device} got {r.device})")
            buf[nr] = r if create_graph else _grad_array(r)


def _skip(node, deps, buffers, ready, execute=None):
    # a node that received no gradient at all: release its dependants' counts
    stack = [node]
    while stack:
        n = stack.pop()
        if execute is not None and n not in execute:
            continue  # a captured input's node: its edges were not counted
        for e in n.edges:
            if e is None:
                continue
            m = e[0]
            if m not in deps:
                continue
            deps[m] -= 1
            if deps[m] == 0:
                if m in buffers:
                    ready.append(m)
                else:
                    stack.append(m)


def _as_tensor(g, create_graph):
    from .tensor import wrap
    if g is None or create_graph:
        return g
    if type(g) is SparseGrad:
        return g.tensor(device_of(g.values))
    return wrap(g, device=device_of(g))


def _grad_array(t):
    """A hook's result as the gradient the engine carries."""
    return SparseGrad.of(t) if t.is_sparse else t._data


def _accumulate(node, g, create_graph):
    from .tensor import wrap
    var = node.variable
    if var is None or g is None:
        return
    if node.tensor_pre_hooks:
        pass  # applied by the engine before this point
    if create_graph:
        gt = g
        if gt.dtype is not var.dtype:
            gt = gt.to(var.dtype)
        var._grad = gt if var._grad is None else var._grad + gt
    elif _SPARSE_USED[0] and (type(g) is SparseGrad or var._grad is not None and
                              var._grad.is_sparse):
        if g.dtype != var._dtype._np:
            g = g.astype(var._dtype._np)
        var._grad = _accumulate_sparse(var._grad, g, var._device)
    else:
        if g.dtype != var._dtype._np:
            g = g.astype(var._dtype._np) if type(g) is MetaArray else \
                _lazy_call(_astype(var._dtype._np), (g,))
        if var._grad is None:
            var._grad = wrap(g, device=var._device)
        else:
            # in place, as PyTorch's `grad += new` with grad mode off (a .grad that requires
            # grad, from an earlier create_graph=True backward, keeps its history)
            var._grad._set_data(_add(var._grad._data, g))
    if node.post_hooks:
        for h in list(node.post_hooks.values()):
            if h(var) is not None:
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")


class _Anomaly:
    enabled = False
    check_nan = True


_anomaly = _Anomaly()


def _check_anomaly(node, in_grads):
    for i, g in enumerate(in_grads):
        if g is None:
            continue
        arr = g._data if hasattr(g, "_data") else g
        if jnp.issubdtype(arr.dtype, jnp.inexact) and bool(jnp.isnan(arr).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{i}th output.")
