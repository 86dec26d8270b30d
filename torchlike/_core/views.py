"""Views: a view is (root tensor, chain of view steps). Steps are hashable tuples, so the
functions that read a view from its root and scatter a write back are jitted once per chain."""

import jax
import jax.numpy as jnp
import numpy as np

# A step is one of:
#   ("idx", items)   basic indexing; items: ("i", k) | ("s", start, stop, step) | ("n",) | ("e",)
#   ("reshape", shape) | ("permute", dims) | ("expand", shape) | ("diag", offset, d1, d2)
#   ("strided", size, stride, offset)   as_strided over the root's flat storage
#   ("unfold", dim, size, step)
#   ("real",) | ("imag",)   a float part of a complex tensor
#   ("as_real",) | ("as_complex",)   view_as_real / view_as_complex: (..., 2) floats <-> complex
#   ("bitcast", from, to)   Tensor.view(dtype): the same bytes read as numpy dtype `to`; with
#                           another element size, the last dim grows or shrinks by the ratio


def _item(it):
    k = it[0]
    if k == "i":
        return it[1]
    if k == "s":
        return slice(it[1], it[2], it[3])
    if k == "S":  # a normalised slice: (start, length, step)
        return slice(it[1], it[1] + (it[2] - 1) * it[3] + 1 if it[2] else it[1], it[3])
    if k == "n":
        return None
    return Ellipsis


# ---- dynamic indices: integer positions in a chain are traced, not compiled in ----
# Reading x[i] for many i must not compile a program per i, so a chain is split into a
# template (its structure) and the integer positions ("i" indices and "S" slice starts).

_SPLITS = {}


def split(chain):
    """(template, positions) of a chain (cached: x[3] is read and written again and again)."""
    r = _SPLITS.get(chain)
    if r is None:
        r = _split(chain)
        if len(_SPLITS) < 8192:
            _SPLITS[chain] = r
    return r


def _split(chain):
    template, dyn = [], []
    for step in chain:
        if step[0] == "idx" and any(it[0] in ("i", "S") for it in step[1]):
            items = []
            for it in step[1]:
                if it[0] == "i":
                    items.append(("i?",))
                    dyn.append(it[1])
                elif it[0] == "S":
                    items.append(("S?", it[2], it[3]))
                    dyn.append(it[1])
                else:
                    items.append(it)
            template.append(("idx", tuple(items)))
        else:
            template.append(step)
    return tuple(template), tuple(dyn)


_POSITIONS = {}


def positions(dyn, device=None):
    """Cached int64 arrays for a chain's positions (a Python int argument costs a jitted call
    about 4 µs to convert; a ready array costs nothing), on `device` when it is not the CPU
    (an array on the CPU would be copied to a GPU on every call)."""
    out = []
    for k in dyn:
        key = k if device is None else (k, device)
        a = _POSITIONS.get(key)
        if a is None:
            a = jnp.asarray(np.int64(k))
            if device is not None:
                from .device import jax_device

                a = jax.device_put(a, jax_device(device))
            if len(_POSITIONS) < 4096:
                _POSITIONS[key] = a
        out.append(a)
    return tuple(out)


def _dyn_index(a, items, dyn):
    n_real = sum(1 for it in items if it[0] not in ("n", "e"))
    axis = 0
    for it in items:
        k = it[0]
        if k == "e":
            axis += a.ndim - axis - (n_real - _consumed(items, it))
        elif k == "n":
            a = jnp.expand_dims(a, axis)
            axis += 1
        elif k == "i?":
            a = jax.lax.dynamic_index_in_dim(a, next(dyn), axis, keepdims=False)
        elif k == "S?":
            length, st = it[1], it[2]
            span = (length - 1) * st + 1 if length else 0
            a = jax.lax.dynamic_slice_in_dim(a, next(dyn), span, axis)
            if st != 1:
                a = jax.lax.slice_in_dim(a, 0, span, st, axis)
            axis += 1
        else:
            idx = [slice(None)] * a.ndim
            idx[axis] = _item(it)
            a = a[tuple(idx)]
            axis += 1 if k == "s" else 0
    return a


def _consumed(items, target):
    # real (axis-consuming) items before `target`
    n = 0
    for it in items:
        if it is target:
            return n
        if it[0] not in ("n", "e"):
            n += 1
    return n


def apply_template(a, template, dyn):
    it = iter(dyn)
    for step in template:
        if step[0] == "idx" and any(x[0] in ("i?", "S?") for x in step[1]):
            a = _dyn_index(a, step[1], it)
        else:
            a = apply_step(a, step)
    return a


_READ_T = {}
_WRITE_T = {}


_READ_PLANS = {}


def read_plan(chain, device=None):
    """(jitted read, positions) for a view's chain: split, positions and function in one
    lookup (a view's values are read on every use: x[3] + 1, a slice fed to an op)."""
    key = (chain, device)
    r = _READ_PLANS.get(key)
    if r is None:
        tpl, dyn = split(chain)
        r = (read_fn(tpl), positions(dyn, device))
        if len(_READ_PLANS) < 8192:
            _READ_PLANS[key] = r
    return r


def read_fn(template):
    """A jitted (root, *positions) -> view."""
    f = _READ_T.get(template)
    if f is None:
        f = _READ_T[template] = jax.jit(lambda a, *dyn: apply_template(a, template, dyn))
    return f


def scatter_template(base, value, template, dyn):
    """The root with the view (template, positions) of it replaced by `value`."""
    if not template:
        return jnp.broadcast_to(value, base.shape).astype(base.dtype)
    kinds = [s[0] for s in template]
    if any(k in _DTYPE_STEPS for k in kinds):
        # a dtype-changing step: write into the view below it, convert back, write that
        i = max(j for j, k in enumerate(kinds) if k in _DTYPE_STEPS)
        pre, step, post = template[:i], template[i], template[i + 1:]
        n = sum(1 for s in pre if s[0] == "idx" for x in s[1] if x[0] in ("i?", "S?"))
        sub = apply_template(base, pre, dyn[:n])
        part = scatter_template(apply_step(sub, step), value, post, dyn[n:])
        return scatter_template(base, _unapply_dtype_step(sub, step, part), pre, dyn[:n])
    ids = apply_template(jnp.arange(base.size, dtype=jnp.int64).reshape(base.shape), template, dyn)
    v = jnp.broadcast_to(value, ids.shape).astype(base.dtype)
    ids, v = ids.reshape(-1), v.reshape(-1)
    if has_overlap(template):
        # several view elements may be one root element: write only the changed ones (a
        # fill writes one value to all of an element's aliases; an unchanged alias must not
        # overwrite it with the old value)
        old = base.reshape(-1)[ids]
        ids = jnp.where((v != old) & ~(_isnan(v) & _isnan(old)), ids, base.size)
        return base.reshape(-1).at[ids].set(v, mode="drop").reshape(base.shape)
    return base.reshape(-1).at[ids].set(v).reshape(base.shape)


def _isnan(a):
    return jnp.isnan(a) if jnp.issubdtype(a.dtype, jnp.inexact) else jnp.zeros(a.shape, bool)


def write_fn(template):
    """A jitted (root, value, *positions) -> new root."""
    f = _WRITE_T.get(template)
    if f is None:
        f = _WRITE_T[template] = jax.jit(
            lambda a, v, *dyn: scatter_template(a, v, template, dyn))
    return f


def _diag(a, offset, d1, d2):
    return jnp.diagonal(a, offset, d1, d2)


def apply_step(a, step):
    kind = step[0]
    if kind == "idx":
        return a[tuple(_item(it) for it in step[1])]
    if kind == "reshape":
        return a.reshape(step[1])
    if kind == "permute":
        return jnp.transpose(a, step[1])
    if kind == "expand":
        return jnp.broadcast_to(a, step[1])
    if kind == "diag":
        return _diag(a, *step[1:])
    if kind == "strided":
        size, stride, offset = step[1:]
        idx = np.full(size, offset, dtype=np.int64)
        for d, (n, s) in enumerate(zip(size, stride)):
            shape = [1] * len(size)
            shape[d] = n
            idx = idx + (np.arange(n, dtype=np.int64) * s).reshape(shape)
        return a.reshape(-1)[idx]
    if kind == "unfold":
        dim, size, st = step[1:]
        n = (a.shape[dim] - size) // st + 1
        idx = (np.arange(n)[:, None] * st + np.arange(size)[None, :])
        moved = jnp.moveaxis(a, dim, -1)
        out = moved[..., idx]  # (..., n, size)
        return jnp.moveaxis(out, -2, dim)
    if kind == "real":
        return jnp.real(a)
    if kind == "imag":
        return jnp.imag(a)
    if kind == "as_real":
        return jnp.stack([jnp.real(a), jnp.imag(a)], axis=-1)
    if kind == "as_complex":
        return jax.lax.complex(a[..., 0], a[..., 1])
    if kind == "bitcast":
        return bitcast(a, step[1], step[2])
    raise AssertionError(kind)


# steps that change the dtype (complex <-> its float parts, reinterpreted bytes)
_DTYPE_STEPS = ("real", "imag", "as_real", "as_complex", "bitcast")


def bitcast(a, src, dst):
    """Array `a` of numpy dtype `src` with its bytes read as `dst` (little-endian, as PyTorch's
    storages): the last dim scales by the ratio of the element sizes."""
    src, dst = np.dtype(src), np.dtype(dst)
    if src == dst:
        return a
    if src.kind == "c":  # complex: its (real, imag) float pairs
        a = jnp.stack([jnp.real(a), jnp.imag(a)], axis=-1).reshape(*a.shape[:-1], -1)
        src = a.dtype
    elif src == np.bool_:
        a, src = a.astype(np.uint8), np.dtype(np.uint8)
    mid = dst
    if dst.kind == "c":
        mid = np.dtype(np.float32 if dst == np.complex64 else np.float64)
    elif dst == np.bool_:
        mid = np.dtype(np.uint8)
    if src.itemsize != mid.itemsize:
        # XLA's simplifier merges two size-changing bitcast-converts (through the reshapes
        # between them) into one of the wrong shape: keep each on its own
        a = jax.lax.optimization_barrier(a)
    if src.itemsize > mid.itemsize:  # lax adds a last dim of the ratio: fold it in
        out = jax.lax.bitcast_convert_type(a, mid).reshape(*a.shape[:-1], -1)
    elif src.itemsize < mid.itemsize:
        k = mid.itemsize // src.itemsize
        out = jax.lax.bitcast_convert_type(a.reshape(*a.shape[:-1], -1, k), mid)
    else:
        out = jax.lax.bitcast_convert_type(a, mid)
    if dst.kind == "c":
        out = out.reshape(*out.shape[:-1], -1, 2)
        return jax.lax.complex(out[..., 0], out[..., 1])
    if dst == np.bool_:
        return out != 0
    return out


def _unapply_dtype_step(sub, step, part):
    """The array `sub` whose view through the dtype-changing `step` was replaced by `part`."""
    kind = step[0]
    if kind == "bitcast":
        return bitcast(part.astype(step[2]), step[2], step[1])
    if kind == "as_complex":
        return jnp.stack([jnp.real(part), jnp.imag(part)], axis=-1).astype(sub.dtype)
    fdt = sub.real.dtype
    if kind == "as_real":
        return jax.lax.complex(part[..., 0].astype(fdt), part[..., 1].astype(fdt))
    if kind == "real":
        return jax.lax.complex(part.astype(fdt), jnp.imag(sub))
    return jax.lax.complex(jnp.real(sub), part.astype(fdt))


def apply_chain(a, chain):
    for step in chain:
        a = apply_step(a, step)
    return a


_READ = {}
_WRITE = {}


def reader(chain):
    """A jitted function root_array -> view_array."""
    f = _READ.get(chain)
    if f is None:
        f = _READ[chain] = jax.jit(lambda a: apply_chain(a, chain))
    return f


def scatter(base, value, chain):
    """The root array with the view `chain` of it replaced by `value` (pure, differentiable)."""
    if not chain:
        return jnp.broadcast_to(value, base.shape).astype(base.dtype)
    if len(chain) == 1 and chain[0][0] == "idx":
        idx = tuple(_item(it) for it in chain[0][1])
        return base.at[idx].set(value.astype(base.dtype))
    kinds = [s[0] for s in chain]
    if any(k in _DTYPE_STEPS for k in kinds):
        # a dtype-changing step: write into the view below it, convert back, write that
        i = max(j for j, k in enumerate(kinds) if k in _DTYPE_STEPS)
        pre, step, post = chain[:i], chain[i], chain[i + 1:]
        sub = apply_chain(base, pre)
        part = scatter(apply_step(sub, step), value, post)
        return scatter(base, _unapply_dtype_step(sub, step, part), pre)
    # general case: push an index map through the chain, then scatter by flat index
    ids = apply_chain(jnp.arange(base.size, dtype=jnp.int64).reshape(base.shape), chain)
    v = jnp.broadcast_to(value, ids.shape).astype(base.dtype)
    return base.reshape(-1).at[ids.reshape(-1)].set(v.reshape(-1)).reshape(base.shape)


def writer(chain):
    """A jitted function (root_array, value) -> new root_array."""
    f = _WRITE.get(chain)
    if f is None:
        f = _WRITE[chain] = jax.jit(lambda a, v: scatter(a, v, chain))
    return f


def has_overlap(chain):
    """Whether the chain has a step that may map several view elements to one root element."""
    return any(s[0] in ("expand", "strided", "unfold") for s in chain)


_OVERLAP = {}


def overlap(root_shape, chain):
    """How a view's elements overlap in its root: None (each its own element), "zero" (a
    stride-0 dimension of size > 1: PyTorch refuses most writes) or "alias" (overlapping
    strides, e.g. unfold windows: PyTorch writes element by element in order)."""
    if not has_overlap(chain):
        return None
    key = (root_shape, chain)
    r = _OVERLAP.get(key, 0)
    if r == 0:
        r = _overlap(*layout(root_shape, chain)[:2])
        if len(_OVERLAP) < 8192:
            _OVERLAP[key] = r
    return r


def _overlap(shape, strides):
    dims = [(abs(st), n) for n, st in zip(shape, strides) if n != 1]
    if any(n == 0 for n in shape):
        return None
    if any(st == 0 for st, _ in dims):
        return "zero"
    # sufficient: sorted by stride, each stride is past the extent of the smaller ones
    extent = 0
    for st, n in sorted(dims):
        if st <= extent:
            break
        extent += st * (n - 1)
    else:
        return None
    numel = 1
    for n in shape:
        numel *= n
    if numel > 1 << 22:
        return "alias"  # (too large to enumerate: assume the worst)
    idx = np.zeros((), np.int64)
    for n, st in zip(shape, strides):
        idx = idx[..., None] + np.arange(n, dtype=np.int64) * st
    return "alias" if np.unique(idx).size < numel else None


def overlap_status(la, ia, lb, ib):
    """PyTorch's get_overlap_status of two tensors on one storage, from their layouts
    (shape, strides, offset) and element sizes: "full", "partial", "too_hard" or None."""
    (sa, ta, oa), (sb, tb, ob) = la, lb
    na, nb = int(np.prod(sa)), int(np.prod(sb))
    if na == 0 or nb == 0:
        return None
    if not (_dense(sa, ta) and _dense(sb, tb)):
        return "too_hard"
    a0, b0 = oa * ia, ob * ib
    a1, b1 = a0 + na * ia, b0 + nb * ib
    if a0 == b0 and a1 == b1:
        return "full" if tuple(ta) == tuple(tb) else "partial"
    if a0 < b1 and b0 < a1:
        return "partial"
    return None


def _dense(shape, strides):
    """is_non_overlapping_and_dense: some permutation of the dims is contiguous."""
    dims = sorted((st, n) for n, st in zip(shape, strides) if n != 1)
    expected = 1
    for st, n in dims:
        if st != expected:
            return False
        expected *= n
    return True


# ---- strides: the layout PyTorch would give the view (for stride(), is_contiguous(), view()) ----

def contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def view_strides(old_shape, old_strides, new_shape):
    """PyTorch's computeStride: strides for viewing (shape, strides) as new_shape, or None."""
    numel = 1
    for s in old_shape:
        numel *= s
    if len(old_shape) == 0:
        return tuple(1 for _ in new_shape) if numel == 1 else None
    if numel == 0:
        return contiguous_strides(new_shape) if tuple(old_shape) != tuple(new_shape) else tuple(old_strides)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def step_layout(shape, strides, offset, step):
    """(shape, strides, offset) after one view step."""
    kind = step[0]
    if kind == "idx":
        items = list(step[1])
        n_real = sum(1 for it in items if it[0] in ("i", "s", "S"))
        out_shape, out_strides = [], []
        d = 0
        for it in items:
            if it[0] == "e":
                for _ in range(len(shape) - n_real):
                    out_shape.append(shape[d])
                    out_strides.append(strides[d])
                    d += 1
            elif it[0] == "n":  # (PyTorch's unsqueeze stride: the next dim's extent)
                out_shape.append(1)
                out_strides.append(shape[d] * strides[d] if d < len(shape) else 1)
            elif it[0] == "i":
                k = it[1] + shape[d] if it[1] < 0 else it[1]
                offset += k * strides[d]
                d += 1
            elif it[0] == "S":
                start, n, st = it[1], it[2], it[3]
                out_shape.append(n)
                out_strides.append(strides[d] * st)
                if n:
                    offset += start * strides[d]
                d += 1
            else:
                start, stop, st = slice(it[1], it[2], it[3]).indices(shape[d])
                n = len(range(start, stop, st))
                out_shape.append(n)
                out_strides.append(strides[d] * st)
                if n:
                    offset += start * strides[d]
                d += 1
        out_shape += shape[d:]
        out_strides += strides[d:]
        return tuple(out_shape), tuple(out_strides), offset
    if kind == "reshape":
        new = view_strides(shape, strides, step[1])
        if new is None:  # cannot happen for chains we build (reshape copies instead)
            new = contiguous_strides(step[1])
        return tuple(step[1]), new, offset
    if kind == "permute":
        return tuple(shape[i] for i in step[1]), tuple(strides[i] for i in step[1]), offset
    if kind == "expand":
        new_shape = tuple(step[1])
        lead = len(new_shape) - len(shape)
        st = [0] * lead + [0 if (s == 1 and n != 1) else strides[i]
                           for i, (s, n) in enumerate(zip(shape, new_shape[lead:]))]
        return new_shape, tuple(st), offset
    if kind == "diag":
        off, d1, d2 = step[1:]
        n1, n2 = shape[d1], shape[d2]
        n = max(0, min(n1, n2 - off) if off >= 0 else min(n1 + off, n2))
        if n:
            offset += (off * strides[d2]) if off >= 0 else (-off * strides[d1])
        rest = [i for i in range(len(shape)) if i not in (d1, d2)]
        return (tuple(shape[i] for i in rest) + (n,),
                tuple(strides[i] for i in rest) + (strides[d1] + strides[d2],), offset)
    if kind == "strided":
        return tuple(step[1]), tuple(step[2]), step[3]
    if kind == "unfold":
        dim, size, st = step[1:]
        n = (shape[dim] - size) // st + 1
        sh = list(shape)
        sd = list(strides)
        sh[dim] = n
        sd[dim] = strides[dim] * st
        return tuple(sh) + (size,), tuple(sd) + (strides[dim],), offset
    if kind in ("real", "imag"):
        return shape, tuple(2 * s for s in strides), offset * 2 + (kind == "imag")
    if kind == "as_real":
        return tuple(shape) + (2,), tuple(2 * s for s in strides) + (1,), offset * 2
    if kind == "as_complex":
        return tuple(shape[:-1]), tuple(s // 2 for s in strides[:-1]), offset // 2
    if kind == "bitcast":
        f, t = np.dtype(step[1]).itemsize, np.dtype(step[2]).itemsize
        if f == t:
            return shape, strides, offset
        if f > t:
            k = f // t
            return (tuple(shape[:-1]) + (shape[-1] * k,),
                    tuple(s * k for s in strides[:-1]) + (strides[-1],), offset * k)
        k = t // f
        return (tuple(shape[:-1]) + (shape[-1] // k,),
                tuple(s // k for s in strides[:-1]) + (strides[-1],), offset // k)
    raise AssertionError(kind)


_LAYOUT = {}


def layout(root_shape, chain):
    """(shape, strides, storage_offset) of a view, as PyTorch would lay it out."""
    key = (root_shape, chain)
    r = _LAYOUT.get(key)
    if r is None:
        shape, strides, offset = tuple(root_shape), contiguous_strides(root_shape), 0
        for step in chain:
            if step[0] == "strided":
                shape, strides, offset = step_layout(shape, strides, offset, step)
            else:
                shape, strides, offset = step_layout(shape, strides, offset, step)
        r = _LAYOUT[key] = (shape, strides, offset)
    return r


def is_contiguous_layout(shape, strides):
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n == 1:
            continue
        if s != expected:
            return n == 0
        expected *= n
    return True
