"""Inside torchlike.compile, a call of a built-in module is recorded as one op.

A compiled step re-runs its Python on every call (so that the step's Python side effects
happen as in eager mode), and every op a module's forward runs costs that Python again. The
forward of torchlike's own modules has no side effects beyond its buffers (BatchNorm's
running statistics), so inside a compiled step a call of a built-in module whose whole
subtree is built in and has no hooks runs as one recorded kernel: the forward traced once per
module structure, attribute values, parameter and input shapes, and global modes, with its
backward from jax.vjp. The program XLA receives is the same computation; the step's Python
shrinks to one op per module call. Anything that cannot be traced that way (a subclass
defined outside torchlike, a hook, a non-tensor attribute that could change, a value read on
the host, an in-place write to an input or a parameter, a result that aliases an input) runs
op by op, exactly as before. TORCHLIKE_COMPILE_MODULES=0 turns this off.
"""

import os
import types
import weakref

import jax
import numpy as np

from ... import _lazy
from ..._core import dtypes as _dt
from ..._core import grad_mode
from ..._core.autograd import FORWARD_AD as _FWAD
from ..._core.device import device as _device_type
from ..._core.tensor import Tensor
from ..._ops import random_ops as _random_ops
from ..._ops.kernel import Kernel, run
from ...amp import autocast_mode as _ac
from ..parameter import Buffer, Parameter

NO = object()  # the module must run op by op
ENABLED = os.environ.get("TORCHLIKE_COMPILE_MODULES", "1") != "0"

_CACHE = {}  # key -> _Composite, or NO
_HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
_SKIP = frozenset({
    "_parameters", "_buffers", "_modules", "_non_persistent_buffers_set", "_state_dict_hooks",
    "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
    "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks_with_kwargs", "_is_full_backward_hook", *_HOOKS})
_PLAIN = frozenset({type(None), bool, int, float, str, complex, _dt.dtype, _device_type,
                    types.FunctionType, types.BuiltinFunctionType})
_PREFIX = __name__.rsplit(".", 1)[0] + "."  # torchlike.nn.modules.
_TENSOR_TYPES = frozenset({Tensor, Parameter, Buffer})
_CLASS_OK = {}  # class -> whether it is one of torchlike's modules


class _Refuse(Exception):
    """The traced forward did something a single recorded op cannot reproduce."""


def _static(v):
    """v as a hashable part of the key, or NO where it could change unseen."""
    t = type(v)
    if t in _PLAIN:
        return (t, v)  # the type too: True == 1 but picks other code
    if t is tuple or t is list:
        out = [t]
        for x in v:
            s = _static(x)
            if s is NO:
                return NO
            out.append(s)
        return tuple(out)
    return NO


def _walk(module, fp, roots, seen):
    """Append module's subtree to the fingerprint `fp`, its parameters and buffers (unique
    roots) to `roots`; False where the subtree cannot be one op. (Runs on every module call
    inside a compiled step: plain values are checked inline.)"""
    cls = type(module)
    ok = _CLASS_OK.get(cls)
    if ok is None:
        ok = _CLASS_OK[cls] = cls.__module__.startswith(_PREFIX)
    d = module.__dict__
    if not ok or "forward" in d:
        return False
    add = fp.append
    add(cls)
    for k, v in d.items():
        if k in _SKIP:
            continue
        t = type(v)
        if t in _PLAIN:
            add(k)
            add(t)  # the type too: True == 1 but picks other code
            add(v)
            continue
        s = _static(v)
        if s is NO:
            return False
        add(k)
        add(s)
    if d.get("_forward_hooks") or d.get("_forward_pre_hooks") or d.get("_backward_hooks") or \
            d.get("_backward_pre_hooks"):
        return False
    for table, kind in ((d["_parameters"], True), (d["_buffers"], False)):
        for name, t in table.items():
            if t is None:
                add((name, None))
                continue
            if type(t) not in _TENSOR_TYPES:  # a subclass may override what ops do
                return False
            r = t._base  # a Parameter is an alias of its data's storage
            if r is None:
                r = t
            elif t._chain:
                return False
            i = seen.get(id(r))
            if i is None:
                i = seen[id(r)] = len(roots)
                roots.append(t)
            a = r._arr
            if a is None:  # an uninitialized (lazy) parameter
                return False
            add((name, kind, i, a.shape, a.dtype, t._requires_grad))
    for name, m in d["_modules"].items():
        add(name)
        if m is not None and not _walk(m, fp, roots, seen):
            return False
    return True


def _is_tensor(x):
    return isinstance(x, Tensor)


class _Composite:
    __slots__ = ("kernel", "gens", "out_tree", "out_static", "n_out", "changed", "module")


class _Words:
    """Where the traced forward's random draws take their generator words: counted (and given
    placeholder words) while the forward is first traced, then rows of the op's input."""

    def __init__(self, rows=None):
        self.rows = rows
        self.gens = []

    def take(self, g):
        self.gens.append(g)
        if self.rows is None:
            return np.zeros(2, np.uint32)
        return self.rows[len(self.gens) - 1]


def call(module, args, kwargs):
    """module(*args, **kwargs) as one recorded op, or NO."""
    if not module.__dict__.get("_modules") or _FWAD[0]:
        # a leaf module runs one or two ops: recording those costs less than the fingerprint
        # (and inside a forward AD level, ops run one by one to compute their tangents)
        return NO
    fp, roots = [], []
    if not _walk(module, fp, roots, {}):
        return NO
    leaves, tree = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_tensor)
    tensors = []
    sig = []
    for x in leaves:
        if isinstance(x, Tensor):
            if type(x) not in _TENSOR_TYPES:
                return NO
            tensors.append(x)
            a = x._arr if x._base is None else x._data
            sig.append((tuple(a.shape), a.dtype, x._requires_grad, x._device))
        else:
            s = _static(x)
            if s is NO:
                return NO
            sig.append(s)
    key = (tuple(fp), tree, tuple(sig), grad_mode.state.enabled,
           tuple(sorted(_ac.state.modes.items(), key=str)), _dt._default.float)
    comp = _CACHE.get(key)
    if comp is None:
        comp = _CACHE[key] = _build(module, roots, leaves, tree)
    if comp is NO:
        return NO
    comp.module = weakref.ref(module)  # the forward its traced function runs (see _build)
    ins = roots + tensors
    gens = comp.gens
    if gens:
        g = gens[0]
        if all(h is g for h in gens):  # one generator: its next words, in one draw
            ins.append(np.asarray(g._random(2 * len(gens)), np.uint32).reshape(-1, 2))
        else:
            ins.append(np.stack([np.asarray(h._random(2), np.uint32) for h in gens]))
    outs = run(comp.kernel, ins)
    for j, k in enumerate(comp.changed):
        roots[k]._set_data(outs[comp.n_out + j]._data)
    it = iter(outs[:comp.n_out])
    flat = [next(it) if s is None else s[1] for s in comp.out_static]
    return jax.tree_util.tree_unflatten(comp.out_tree, flat)


def _build(module, roots, leaves, tree):
    """Trace module's forward once: a _Composite, or NO. Modules with the same fingerprint
    share it: the traced function runs the forward of the module last called through it (a
    weak reference), so the cache keeps no model alive."""
    from ..._inductor import config
    from ...random import get_rng_state

    if config._values.get("fallback_random", False):
        return NO  # draws must be eager mode's host-side ones: op by op
    tpos = [i for i, x in enumerate(leaves) if isinstance(x, Tensor)]
    # the arguments without their tensors (no reference to them is kept)
    tmpl = [(x._device, x._requires_grad) if isinstance(x, Tensor) else x for x in leaves]
    nr, nt = len(roots), len(tpos)
    meta = {}
    comp = _Composite()

    def fn(*arrays):
        module = comp.module()
        roots = []
        _walk(module, [], roots, {})
        store = [t if t._base is None else t._base for t in roots]
        saved = [(r._arr, r._vcount) for r in store]
        prev_trace = _lazy.state.trace
        words = _Words(arrays[nr + nt] if len(arrays) > nr + nt else None)
        _lazy.state.trace = None
        _random_ops._WORD_SOURCES.append(words)
        try:
            for r, a in zip(store, arrays):
                r._arr = a
            full = list(tmpl)
            wrappers = []
            for i, a in zip(tpos, arrays[nr:nr + nt]):
                dev, rg = tmpl[i]
                t = Tensor._wrap(a, dev)
                t._requires_grad = rg
                full[i] = t
                wrappers.append(t)
            args, kwargs = jax.tree_util.tree_unflatten(tree, full)
            # values that do not depend on the inputs (Python numbers as 0-d arrays, fill
            # values, view positions) are computed now, not staged: torchlike caches them
            # across calls, and a cached tracer would escape this trace
            with jax.ensure_compile_time_eval():
                out = module.forward(*args, **kwargs)
            for t, a in zip(wrappers, arrays[nr:]):
                if t._arr is not a:
                    raise _Refuse("an input was modified in place")
            inputs = {id(t) for t in wrappers} | {id(r) for r in store} | {id(t) for t in roots}
            out_leaves, out_tree = jax.tree_util.tree_flatten(out, is_leaf=_is_tensor)
            res, static = [], []
            for o in out_leaves:
                if isinstance(o, Tensor):
                    if id(o) in inputs or (o._base is not None and id(o._base) in inputs):
                        raise _Refuse("the result aliases an input")
                    res.append(o._data)
                    static.append(None)
                else:
                    s = _static(o)
                    if s is NO:
                        raise _Refuse("a result that is not a tensor")
                    static.append((s, o))
            changed = [k for k, r in enumerate(store) if r._arr is not arrays[k]]
            if any(isinstance(roots[k], Parameter) for k in changed):
                raise _Refuse("a parameter was modified in place")
            meta.update(out_tree=out_tree, static=static, n_out=len(res), changed=changed,
                        gens=list(words.gens))
            return tuple(res) + tuple(store[k]._arr for k in changed)
        finally:
            for r, (a, v) in zip(store, saved):
                r._arr, r._vcount = a, v
            _random_ops._WORD_SOURCES.pop()
            _lazy.state.trace = prev_trace

    comp.module = weakref.ref(module)
    store = [t if t._base is None else t._base for t in roots]
    structs = [jax.ShapeDtypeStruct(tuple(a.shape), a.dtype)
               for a in [r._arr for r in store] + [leaves[i]._data for i in tpos]]
    before_fp = []
    _walk(module, before_fp, [], {})
    rng = get_rng_state().numpy().tobytes()
    try:
        jax.eval_shape(fn, *structs)
    except Exception:  # noqa: BLE001  (any failure: the op-by-op path runs, and raises if real)
        return NO
    after_fp = []
    if not _walk(module, after_fp, [], {}) or after_fp != before_fp or \
            get_rng_state().numpy().tobytes() != rng:
        return NO  # the forward changed the module, or drew host-side random numbers
    comp.gens = meta["gens"]
    comp.out_tree, comp.n_out, comp.changed = meta["out_tree"], meta["n_out"], meta["changed"]
    comp.out_static = meta["static"]  # per result: None (a tensor) or (key, the value)
    comp.kernel = Kernel(fn, type(module).__name__ + "Backward", save_residuals=True)
    return comp
