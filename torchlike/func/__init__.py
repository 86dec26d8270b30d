"""torch.func on JAX's own transforms: grad, vjp, jvp, linearize, jacrev, jacfwd, hessian, vmap,
functional_call, stack_module_state — and `to_jax`, to continue in plain JAX."""

import contextlib

import jax

from .._core import grad_mode
from .._core.tensor import Tensor, wrap


def _is_t(x):
    return isinstance(x, Tensor)


def _unwrap(tree):
    return jax.tree_util.tree_map(lambda t: t._data if _is_t(t) else t, tree, is_leaf=_is_t)


def _wrap(tree):
    return jax.tree_util.tree_map(lambda a: wrap(a) if isinstance(a, jax.Array) else a, tree)


def _pure(func, kwargs=None):
    """func on tensors -> the same function on arrays (JAX transforms it; the tape stays off)."""
    def f(*arrays):
        with grad_mode.no_grad():
            out = func(*_wrap(arrays), **(kwargs or {}))
        return _unwrap(out)
    return f


def _pure_aux(func, kwargs=None):
    def f(*arrays):
        with grad_mode.no_grad():
            out, aux = func(*_wrap(arrays), **(kwargs or {}))
        return _unwrap(out), _unwrap(aux)
    return f


def grad_and_value(func, argnums=0, has_aux=False):
    """torch.func.grad_and_value."""
    def g(*args, **kwargs):
        f = _pure_aux(func, kwargs) if has_aux else _pure(func, kwargs)
        value_and_grad = jax.value_and_grad(f, argnums, has_aux=has_aux)

        def grad_value(*arrays):  # PyTorch's order: (grad, value) or (grad, (value, aux))
            v, gr = value_and_grad(*arrays)
            return gr, v
        return _call(grad_value, args, "grad_and_value", func)
    return g


def grad(func, argnums=0, has_aux=False):
    """torch.func.grad: the gradient of a scalar-valued function."""
    def g(*args, **kwargs):
        r = grad_and_value(func, argnums, has_aux)(*args, **kwargs)
        if has_aux:
            return r[0], r[1][1]
        return r[0]
    return g


def vjp(func, *primals, has_aux=False):
    """torch.func.vjp: (output, vjp_fn[, aux])."""
    f = _pure_aux(func) if has_aux else _pure(func)
    res = jax.vjp(f, *_unwrap(primals), has_aux=has_aux)
    out, fn = res[0], res[1]

    def vjp_fn(ct):
        return _wrap(fn(_unwrap(ct)))

    if has_aux:
        return _wrap(out), vjp_fn, _wrap(res[2])
    return _wrap(out), vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """torch.func.jvp: (output, jvp_out)."""
    f = _pure_aux(func) if has_aux else _pure(func)
    if has_aux:
        out, t, aux = jax.jvp(f, tuple(_unwrap(primals)), tuple(_unwrap(tangents)), has_aux=True)
        return _wrap(out), _wrap(t), _wrap(aux)
    out, t = jax.jvp(f, tuple(_unwrap(primals)), tuple(_unwrap(tangents)))
    return _wrap(out), _wrap(t)


def linearize(func, *primals):
    """torch.func.linearize: (output, jvp_fn), jvp_fn(*tangents) the jvp at `primals` without
    re-running func (jax.linearize)."""
    out, fn = jax.linearize(_pure(func), *_unwrap(primals))

    def jvp_fn(*tangents):
        return _wrap(fn(*_unwrap(tangents)))

    return _wrap(out), jvp_fn


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    def j(*args):
        f = _pure_aux(func) if has_aux else _pure(func)
        return _call(jax.jacrev(f, argnums, has_aux=has_aux), args, "jacrev", func)
    return j


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    def j(*args):
        f = _pure_aux(func) if has_aux else _pure(func)
        return _call(jax.jacfwd(f, argnums, has_aux=has_aux), args, "jacfwd", func)
    return j


def hessian(func, argnums=0):
    def h(*args):
        return _call(jax.hessian(_pure(func), argnums), args, "hessian", func)
    return h


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """torch.func.vmap on jax.vmap. Differs from PyTorch: randomness inside is not batched."""
    def v(*args, **kwargs):
        batched = jax.vmap(_pure(func, kwargs), in_axes=in_dims, out_axes=out_dims)
        return _call(batched, args, "vmap", func)
    return v


def _call(transformed, args, name, func=None):
    """A transformed array function on tensor args. Where a tensor argument, or a tensor that
    `func` closes over (a module's parameters, say), requires grad, it runs as one op on the
    autograd tape so that gradients reach them."""
    leaves, tree = jax.tree_util.tree_flatten(args, is_leaf=_is_t)
    if grad_mode.is_grad_enabled():
        extra = [t for t in _closed_over(func) if not any(t is x for x in leaves)]
        if extra or any(_is_t(t) and t.requires_grad for t in leaves):
            return _recorded(transformed, leaves, tree, name, extra)
    return _wrap(transformed(*_unwrap(args)))


def _code_names(code):
    names = set(code.co_names)
    for c in code.co_consts:
        if hasattr(c, "co_names"):
            names |= _code_names(c)
    return names


def _closed_over(func):
    """Tensors requiring grad that `func` reaches through its closure cells, the globals
    its code names, or the object it is bound to (an nn.Module: its parameters)."""
    from ..nn.modules.module import Module

    found, seen = {}, set()

    def add(v):
        # whole tensors only (a Parameter aliases all of its root): their root's array is swapped
        if isinstance(v, Tensor):
            if v.requires_grad and not v._chain:
                found.setdefault(id(v._root()), v)
        elif isinstance(v, Module):
            for p in v.parameters():
                if p.requires_grad and not p._chain:
                    found.setdefault(id(p._root()), p)

    def visit(f):
        if f is None or id(f) in seen:
            return
        seen.add(id(f))
        if isinstance(f, Module):
            add(f)
            return
        add(getattr(f, "__self__", None))
        code = getattr(f, "__code__", None)
        if code is None:
            return
        values = []
        for cell in f.__closure__ or ():
            try:
                values.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        g = getattr(f, "__globals__", {})
        values += [g[n] for n in _code_names(code) if n in g]
        for v in values:
            add(v)
            if callable(v) and not isinstance(v, (Tensor, type)):
                visit(v)

    visit(func)
    return list(found.values())


def _recorded(pure, leaves, tree, name, extra=()):
    """pure(*args) run as one op on the autograd tape: gradients reach the tensor args and the
    `extra` tensors the function reads (their arrays are swapped for the op's inputs)."""
    from .._ops.kernel import Kernel, run

    pos = [i for i, x in enumerate(leaves) if _is_t(x)]
    out_tree = []

    def make(extra):
        def fn(*arrays):
            full = list(leaves)
            for i, a in zip(pos, arrays):
                full[i] = a
            roots = [t._root() for t in extra]
            saved = [r._arr for r in roots]
            try:
                for r, a in zip(roots, arrays[len(pos):]):
                    r._arr = a
                out = pure(*jax.tree_util.tree_unflatten(tree, full))
            finally:
                for r, a in zip(roots, saved):
                    r._arr = a
            flat, t = jax.tree_util.tree_flatten(out)
            out_tree[:] = [t]
            return tuple(flat)
        return fn

    inputs = [leaves[i] for i in pos]
    if extra:
        # keep only the closed-over tensors the function really reads: an unused parameter's
        # .grad stays None, as in PyTorch
        structs = [jax.ShapeDtypeStruct(t.shape, t._data.dtype) for t in inputs + list(extra)]
        jaxpr = jax.make_jaxpr(make(list(extra)))(*structs).jaxpr
        used = {id(v) for e in jaxpr.eqns for v in e.invars} | {id(v) for v in jaxpr.outvars}
        extra = [t for t, v in zip(extra, jaxpr.invars[len(pos):]) if id(v) in used]
    outs = run(Kernel(make(list(extra)), name), inputs + list(extra))
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    return jax.tree_util.tree_unflatten(out_tree[0], outs)


@contextlib.contextmanager
def _swapped(module, tensors):
    """Temporarily make module's named parameters/buffers the given tensors."""
    saved = []
    try:
        for name, t in tensors.items():
            *path, leaf = name.split(".")
            mod = module
            for p in path:
                mod = getattr(mod, p)
            table = mod._parameters if leaf in mod._parameters else mod._buffers
            saved.append((table, leaf, table[leaf]))
            table[leaf] = t
        yield
    finally:
        for table, leaf, old in reversed(saved):
            table[leaf] = old


def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *, tie_weights=True,
                    strict=False):
    """Call module with its parameters and buffers replaced by the given tensors."""
    if isinstance(parameter_and_buffer_dicts, (list, tuple)):
        merged = {}
        for d in parameter_and_buffer_dicts:
            merged.update(d)
        parameter_and_buffer_dicts = merged
    if not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, dict(parameter_and_buffer_dicts)):
        return module(*args, **(kwargs or {}))


def stack_module_state(models):
    """(params, buffers) with each entry stacked over the models (for vmap ensembles)."""
    from .. import stack

    def leaf(ts):
        # new leaves, requiring grad where every model's tensor does (as PyTorch's)
        return stack([t.detach() for t in ts]).requires_grad_(all(t.requires_grad for t in ts))

    params = {n: leaf([dict(m.named_parameters())[n] for m in models])
              for n, _ in models[0].named_parameters()}
    buffers = {n: leaf([dict(m.named_buffers())[n] for m in models])
               for n, _ in models[0].named_buffers()}
    return params, buffers


def to_jax(module):
    """(fn, params): a pure JAX function fn(params, *args) -> outputs and the module's
    parameters and buffers as a dict of jax arrays, for continuing in plain JAX."""
    state = {n: t._data for n, t in list(module.named_parameters()) + list(module.named_buffers())}

    def fn(params, *args):
        with grad_mode.no_grad():
            out = functional_call(module, _wrap(params), tuple(_wrap(args)))
        return _unwrap(out)

    return fn, state
