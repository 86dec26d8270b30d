"""Pure per-parameter update math of the built-in optimizers, on jax arrays.

Each ``_<name>_single(p, g, state, h, o)`` takes one parameter, its gradient, its
state (a dict of arrays), the group's hyperparameters ``h`` (traced float64 scalars)
and the static options ``o`` (a dict of Python bools); it returns the new parameter
and the new state dict. ``compiled_update`` maps one of them over a whole parameter
group inside one cached ``jax.jit``.

The arithmetic mirrors PyTorch's single-tensor CPU kernels operation by operation:
scalar coefficients are computed in float64 (as PyTorch does in Python) and cast to
the parameter's dtype before they touch a tensor, and each fused kernel keeps its
evaluation order (``addcmul``: ``self + (value * t1) * t2``; ``addcdiv``:
``self + (value * t1) / t2``; ``lerp`` with its two-branch formula).
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

_F64 = jnp.float64


def _c(x, dtype):
    """Cast a (float64) scalar coefficient to the dtype a kernel computes in."""
    return jnp.asarray(x).astype(dtype)


def _f64(x):
    return jnp.asarray(x).astype(_F64)


def lerp(start, end, weight):
    """torch.lerp with a scalar weight, using PyTorch's two-branch formula."""
    w = _c(weight, start.dtype)
    small = jnp.abs(w) < 0.5
    # small: start + w * (end - start); else: end - (end - start) * (1 - w)
    return jnp.where(small, start, end) + jnp.where(small, w, w - 1) * (end - start)


def _weight_decay(p, g, h, o, decoupled=False):
    """Coupled weight decay (grad + wd * p) or decoupled (p * (1 - lr * wd))."""
    if o.get("weight_decay"):
        if decoupled:
            p = p * _c(1 - _f64(h["lr"]) * _f64(h["weight_decay"]), p.dtype)
        else:
            g = g + _c(h["weight_decay"], p.dtype) * p
    return p, g


def _sgd_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    p, g = _weight_decay(p, g, h, o)
    s = dict(s)
    if o["momentum"]:
        momentum = _c(h["momentum"], dt)
        if "momentum_buffer" in s:
            buf = s["momentum_buffer"] * momentum + _c(1 - _f64(h["dampening"]), dt) * g
        else:
            buf = g
        s["momentum_buffer"] = buf
        g = g + momentum * buf if o["nesterov"] else buf
    return p + _c(-_f64(h["lr"]), dt) * g, s


def _adam_prep(steps, h):
    """Adam's per-parameter scalars from the parameters' steps before this one (a vector for
    the whole group: one fusion, where one per parameter would be a kernel launch each on a
    GPU, since XLA does not copy float64 divisions into the elementwise update)."""
    t = _f64(steps + 1)
    return {"step_size": _f64(h["lr"]) / (1 - _f64(h["beta1"]) ** t),
            "bc2_sqrt": jnp.sqrt(1 - _f64(h["beta2"]) ** t)}


def _adam_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    p, g = _weight_decay(p, g, h, o, decoupled=o["decoupled_weight_decay"])
    beta1, beta2 = _f64(h["beta1"]), _f64(h["beta2"])
    exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
    exp_avg_sq = s["exp_avg_sq"] * _c(beta2, dt) + (_c(1 - beta2, dt) * g) * g
    pre = h.get("_pre") or _adam_prep(s["step"], h)
    step_size = pre["step_size"]
    bc2_sqrt = _c(pre["bc2_sqrt"], dt)
    new = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    if o["amsgrad"]:
        max_sq = jnp.maximum(s["max_exp_avg_sq"], exp_avg_sq)
        new["max_exp_avg_sq"] = max_sq
        denom = jnp.sqrt(max_sq) / bc2_sqrt + _c(h["eps"], dt)
    else:
        denom = jnp.sqrt(exp_avg_sq) / bc2_sqrt + _c(h["eps"], dt)
    p = p + (_c(-step_size, dt) * exp_avg) / denom
    return p, new


_adam_single.prep = _adam_prep


def _adamax_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    p, g = _weight_decay(p, g, h, o)
    beta1 = _f64(h["beta1"])
    exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
    exp_inf = jnp.maximum(s["exp_inf"] * _c(h["beta2"], dt), jnp.abs(g) + _c(h["eps"], dt))
    clr = _f64(h["lr"]) / (1 - beta1 ** _f64(step))
    p = p + (_c(-clr, dt) * exp_avg) / exp_inf
    return p, {"step": step, "exp_avg": exp_avg, "exp_inf": exp_inf}


def _nadam_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    t = _f64(step)
    lr, beta1, beta2 = _f64(h["lr"]), _f64(h["beta1"]), _f64(h["beta2"])
    momentum_decay = _f64(h["momentum_decay"])
    bias_correction2 = 1 - beta2**t
    p, g = _weight_decay(p, g, h, o, decoupled=o["decoupled_weight_decay"])
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
    mu_product = s["mu_product"] * _c(mu, s["mu_product"].dtype)
    exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
    exp_avg_sq = s["exp_avg_sq"] * _c(beta2, dt) + (_c(1 - beta2, dt) * g) * g
    denom = jnp.sqrt(exp_avg_sq / _c(bias_correction2, dt)) + _c(h["eps"], dt)
    mp = _f64(mu_product)
    mu_product_next = mp * mu_next
    p = p + (_c(-lr * (1.0 - mu) / (1.0 - mp), dt) * g) / denom
    p = p + (_c((-lr * mu_next) / (1.0 - mu_product_next), dt) * exp_avg) / denom
    new = {"step": step, "mu_product": mu_product, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    return p, new


def _radam_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    t = _f64(step)
    p, g = _weight_decay(p, g, h, o, decoupled=o["decoupled_weight_decay"])
    lr, beta1, beta2 = _f64(h["lr"]), _f64(h["beta1"]), _f64(h["beta2"])
    exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
    exp_avg_sq = s["exp_avg_sq"] * _c(beta2, dt) + (_c(1 - beta2, dt) * g) * g
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    bias_corrected_exp_avg = exp_avg / _c(bias_correction1, dt)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
    rect = jnp.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    adaptive_lr = _c(jnp.sqrt(bias_correction2), dt) / (jnp.sqrt(exp_avg_sq) + _c(h["eps"], dt))
    plain = bias_corrected_exp_avg * _c(lr, dt)
    # PyTorch branches on the Python value of rho_t; a select keeps this traceable.
    update = jnp.where(rho_t > 5.0, plain * adaptive_lr * _c(rect, dt), plain)
    return p - update, {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}


def _rmsprop_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    new = {"step": s["step"] + 1}
    p, g = _weight_decay(p, g, h, o)
    alpha = _f64(h["alpha"])
    square_avg = s["square_avg"] * _c(alpha, dt) + (_c(1 - alpha, dt) * g) * g
    new["square_avg"] = square_avg
    if o["centered"]:
        grad_avg = lerp(s["grad_avg"], g, 1 - alpha)
        new["grad_avg"] = grad_avg
        avg = jnp.sqrt(square_avg + (-grad_avg) * grad_avg)
    else:
        avg = jnp.sqrt(square_avg)
    avg = avg + _c(h["eps"], dt)
    lr = _c(-_f64(h["lr"]), dt)
    if o["momentum"]:
        buf = s["momentum_buffer"] * _c(h["momentum"], dt) + g / avg
        new["momentum_buffer"] = buf
        p = p + lr * buf
    else:
        p = p + (lr * g) / avg
    return p, new


def _adagrad_single(p, g, s, h, o):
    dt = p.dtype
    step = s["step"] + 1
    if o["maximize"]:
        g = -g
    p, g = _weight_decay(p, g, h, o)
    clr = _f64(h["lr"]) / (1 + (_f64(step) - 1) * _f64(h["lr_decay"]))
    state_sum = s["sum"] + g * g
    std = jnp.sqrt(state_sum) + _c(h["eps"], dt)
    p = p + (_c(-clr, dt) * g) / std
    return p, {"step": step, "sum": state_sum}


def _adadelta_single(p, g, s, h, o):
    dt = p.dtype
    step = s["step"] + 1
    if o["maximize"]:
        g = -g
    p, g = _weight_decay(p, g, h, o)
    rho = _f64(h["rho"])
    eps = _c(h["eps"], dt)
    square_avg = s["square_avg"] * _c(rho, dt) + (_c(1 - rho, dt) * g) * g
    std = jnp.sqrt(square_avg + eps)
    delta = jnp.sqrt(s["acc_delta"] + eps)
    delta = (delta / std) * g
    acc_delta = s["acc_delta"] * _c(rho, dt) + (_c(1 - rho, dt) * delta) * delta
    p = p + _c(-_f64(h["lr"]), dt) * delta
    return p, {"step": step, "square_avg": square_avg, "acc_delta": acc_delta}


def _asgd_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    p, g = _weight_decay(p, g, h, o)
    lr, lambd = _f64(h["lr"]), _f64(h["lambd"])
    eta = _f64(s["eta"])
    p = p * _c(1 - lambd * eta, dt)
    p = p + _c(-eta, dt) * g
    mu = s["mu"]
    # PyTorch copies param into ax while mu == 1 (a Python branch on mu.item()).
    ax = jnp.where(mu == 1, p, s["ax"] + (p - s["ax"]) * mu.astype(dt))
    t = _f64(step)
    new_eta = lr / ((1 + lambd * lr * t) ** _f64(h["alpha"]))
    new_mu = 1 / jnp.maximum(1.0, t - _f64(h["t0"]))
    new = {
        "step": step,
        "eta": new_eta.astype(s["eta"].dtype),
        "mu": new_mu.astype(mu.dtype),
        "ax": ax,
    }
    return p, new


def _rprop_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    etaminus, etaplus = _c(h["etaminus"], dt), _c(h["etaplus"], dt)
    sign = jnp.sign(g * s["prev"])
    sign = jnp.where(
        sign > 0, etaplus, jnp.where(sign < 0, etaminus, jnp.where(sign == 0, 1, sign))
    )
    sign = sign.astype(dt)
    step_size = jnp.clip(
        s["step_size"] * sign, _c(h["step_size_min"], dt), _c(h["step_size_max"], dt)
    )
    g = jnp.where(sign == etaminus, jnp.zeros((), dt), g)
    p = p + (-jnp.sign(g)) * step_size
    return p, {"step": step, "prev": g, "step_size": step_size}


def _norm(x):
    return jnp.sqrt(jnp.sum(x * x))


def _adafactor_single(p, g, s, h, o):
    dt = p.dtype
    if o["maximize"]:
        g = -g
    step = s["step"] + 1
    t = _f64(step)
    eps1 = float(jnp.finfo(dt).eps) if o["eps1_is_none"] else _f64(h["eps1"])
    lr = _f64(h["lr"])
    one_minus_beta2_t = t ** _f64(h["beta2_decay"])
    rho_t = jnp.minimum(lr, 1 / (t**0.5))
    alpha = jnp.maximum(_f64(h["eps2"]), _f64(_norm(p)) / (p.size**0.5)) * rho_t
    if o["weight_decay"]:
        p = p * _c(1 - lr * _f64(h["weight_decay"]), dt)
    new = {"step": step}
    if g.ndim > 1:
        row_mean = jnp.square(jnp.sqrt(jnp.sum(g * g, axis=-1, keepdims=True))) / g.shape[-1]
        row_var = lerp(s["row_var"], row_mean.astype(dt), one_minus_beta2_t)
        col_mean = jnp.square(jnp.sqrt(jnp.sum(g * g, axis=-2, keepdims=True))) / g.shape[-2]
        col_var = lerp(s["col_var"], col_mean.astype(dt), one_minus_beta2_t)
        new["row_var"], new["col_var"] = row_var, col_var
        # row_var @ col_var has an inner dimension of 1: an exact outer product.
        var_estimate = row_var * col_var
        row_mean_var = jnp.mean(row_var, axis=-2, keepdims=True)
        var_estimate = var_estimate / jnp.maximum(row_mean_var, _c(eps1, dt))
    else:
        variance = lerp(s["variance"], g * g, one_minus_beta2_t)
        new["variance"] = variance
        var_estimate = variance
    update = lax.rsqrt(jnp.maximum(var_estimate, _c(eps1 * eps1, dt))) * g
    denom = jnp.maximum(1.0, _f64(_norm(update)) / ((update.size**0.5) * _f64(h["d"])))
    p = p + _c(-alpha / denom, dt) * update
    return p, new


def _zeropower_via_newtonschulz(grad, a, b, c, ns_steps, eps):
    """Muon's Newton-Schulz orthogonalisation in bfloat16 (float32 accumulation)."""
    bf16 = jnp.bfloat16

    def mm(x, y):
        return jnp.matmul(x, y, preferred_element_type=jnp.float32)

    x = grad.astype(bf16)
    transposed = grad.shape[0] > grad.shape[1]
    if transposed:
        x = x.T
    norm = jnp.sqrt(jnp.sum(x.astype(jnp.float32) ** 2)).astype(bf16)
    x = x / jnp.maximum(norm, _c(eps, bf16))
    a, b, c = (_c(v, jnp.float32) for v in (a, b, c))
    for _ in range(ns_steps):
        gram = mm(x, x.T).astype(bf16)
        gram_update = (b * gram.astype(jnp.float32) + c * mm(gram, gram)).astype(bf16)
        x = (a * x.astype(jnp.float32) + mm(gram_update, x)).astype(bf16)
    return x.T if transposed else x


def _muon_single(p, g, s, h, o):
    dt = p.dtype
    momentum = _f64(h["momentum"])
    buf = lerp(s["momentum_buffer"], g, 1 - momentum)
    update = lerp(g, buf, momentum) if o["nesterov"] else buf
    update = _zeropower_via_newtonschulz(update, h["a"], h["b"], h["c"], o["ns_steps"], h["eps"])
    lr = _f64(h["lr"])
    rows, cols = p.shape[:2]
    if o["adjust_lr_fn"] in (None, "original"):
        ratio = max(1, rows / cols) ** 0.5
    elif o["adjust_lr_fn"] == "match_rms_adamw":
        ratio = 0.2 * max(rows, cols) ** 0.5
    else:
        ratio = 1.0
    p = p * _c(1 - lr * _f64(h["weight_decay"]), dt)
    p = p + _c(-lr * ratio, dt) * update.astype(dt)
    return p, {"momentum_buffer": buf}


# --- complex parameters: PyTorch updates view_as_real(param) and its state ---


def _view_as_real(x):
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def _view_as_complex(x):
    return lax.complex(x[..., 0], x[..., 1])


def _apply_single(single, p, g, s, h, o):
    """Run ``single``; complex tensors go through view_as_real as in PyTorch."""
    if jnp.iscomplexobj(p):
        is_elem = {k: jnp.iscomplexobj(v) for k, v in s.items()}
        rs = {k: _view_as_real(v) if is_elem[k] else v for k, v in s.items()}
        np_, ns = single(_view_as_real(p), _view_as_real(g), rs, h, o)
        ns = {
            k: _view_as_complex(v) if is_elem.get(k, True) and v.ndim else v for k, v in ns.items()
        }
        np_ = _view_as_complex(np_)
    else:
        np_, ns = single(p, g, s, h, o)
    # Keep every array's dtype (a stray float64 scalar must never promote state).
    np_ = np_.astype(p.dtype)
    ns = {k: (v.astype(s[k].dtype) if k in s else v) for k, v in ns.items()}
    return np_, ns


def _apply_found_inf(found_inf, old, new):
    """Keep ``old`` where ``found_inf`` is nonzero (GradScaler's skipped step), traceably."""
    keep = jnp.asarray(found_inf) != 0
    return jax.tree.map(lambda a, b: jnp.where(keep, a, b), old, new)


_CACHE: dict = {}

# Updates that act element by element (their 0-d state, such as 'step', only combines with
# hyperparameters): a group's tensors can be updated as one concatenated vector.
ELEMENTWISE = {
    _sgd_single, _adam_single, _adamax_single, _nadam_single, _radam_single, _rmsprop_single,
    _adagrad_single, _adadelta_single, _asgd_single, _rprop_single,
}


def packable(single, params, states):
    """The state names to pack for this group, as (full names, 0-d names), or None.

    A group is packable when its update is elementwise, its tensors are real and of one
    dtype, and each state name holds, for every tensor, either a tensor of its shape or a 0-d
    tensor ('step') of one dtype."""
    if single not in ELEMENTWISE or len(params) < 2 or not states[0]:
        return None
    dt = params[0].dtype
    if jnp.issubdtype(dt, jnp.complexfloating) or any(p.dtype != dt or p.size == 0 for p in params):
        return None
    names = sorted(states[0])
    if any(sorted(s) != names for s in states):
        return None
    full, scalar = [], []
    for k in names:
        vals = [s[k] for s in states]
        if any(v.dtype != vals[0].dtype for v in vals):
            return None
        if all(v.shape == p.shape for v, p in zip(vals, params)):
            full.append(k)
        elif all(v.ndim == 0 for v in vals):
            scalar.append(k)
        else:
            return None
    return tuple(full), tuple(scalar)


def compiled_packed_update(
    single, options: tuple, packed_names: tuple, donate: bool, scalar_names: tuple
):
    """``compiled_update`` for a group whose state is packed: one 1-D array per state name
    (a tensor's 0-d entries, such as 'step', one element each). The math runs on the
    concatenated parameters and gradients, each 0-d entry broadcast over its tensor's
    segment, so the same elementwise formulas apply."""
    key = ("packed", single, options, packed_names, donate, scalar_names)
    fn = _CACHE.get(key)
    if fn is None:
        o = dict(options)

        def update_group(params, grads, flat_states, hyper, found_inf=None):
            hyper = _unpack(hyper, packed_names)
            sizes = [p.size for p in params]
            starts = np.cumsum([0] + sizes[:-1])

            def cat(arrays):
                return jnp.concatenate([a.reshape(-1) for a in arrays])

            def spread(v):  # one element per tensor -> one per parameter element
                return jnp.concatenate([jnp.broadcast_to(v[i], (n,)) for i, n in enumerate(sizes)])

            flat_p = cat(params)
            s = {k: spread(v) if k in scalar_names else v for k, v in flat_states.items()}
            new_p, ns = _apply_single(single, flat_p, cat(grads), s, hyper, o)
            if found_inf is not None:
                new_p, kept = _apply_found_inf(found_inf, (flat_p, s), (new_p, {k: ns[k] for k in s}))
                ns = {**ns, **kept}
            new_params = [
                lax.dynamic_slice_in_dim(new_p, int(st), n).reshape(p.shape)
                for st, n, p in zip(starts, sizes, params)
            ]
            new_states = {k: ns[k][starts] if k in scalar_names else ns[k] for k in flat_states}
            return new_params, new_states

        fn = _CACHE[key] = jax.jit(update_group, donate_argnums=(0, 2) if donate else ())
    return fn


def _unpack(hyper, packed_names):
    if not packed_names:
        return hyper
    packed = hyper["_packed"]
    hyper = {k: v for k, v in hyper.items() if k != "_packed"}
    hyper.update({n: packed[i] for i, n in enumerate(packed_names)})
    return hyper


def _prepared(single, states, hyper):
    """Per parameter, the hyperparameters `single` reads: with `single.prep`, its scalars
    computed for all parameters at once from their stacked 0-d steps (hyper["_pre"])."""
    prep = getattr(single, "prep", None)
    steps = [s.get("step") for s in states]
    if prep is None or len(states) < 2 or any(
            t is None or t.ndim or t.dtype != steps[0].dtype for t in steps):
        return [hyper] * len(states)
    pre = prep(jnp.stack(steps), hyper)
    return [dict(hyper, _pre={k: v[i] for k, v in pre.items()}) for i in range(len(states))]


def compiled_update(single, options: tuple, packed_names: tuple = (), donate: bool = False):
    """One cached ``jax.jit`` that updates a whole parameter group with ``single``.

    ``options`` is a hashable tuple of (name, bool) pairs: the static choices that
    change the program. Every numeric hyperparameter is a traced argument, so a new
    learning rate never recompiles. Python-float hyperparameters may come packed in
    one float64 vector ``hyper["_packed"]`` (one host-to-device transfer per step),
    its entries named by ``packed_names``. With ``donate`` the parameter and state
    buffers are donated, so the update reuses their memory as PyTorch's in-place
    kernels do.
    """
    key = (single, options, packed_names, donate)
    fn = _CACHE.get(key)
    if fn is None:
        o = dict(options)

        def update_group(params, grads, states, hyper, found_inf=None):
            hyper = _unpack(hyper, packed_names)
            hypers = _prepared(single, states, hyper)
            new_params, new_states = [], []
            for p, g, s, h in zip(params, grads, states, hypers):
                np_, ns = _apply_single(single, p, g, s, h, o)
                if found_inf is not None:
                    np_, ns_kept = _apply_found_inf(found_inf, (p, s), (np_, {k: ns[k] for k in s}))
                    ns = {**ns, **ns_kept}
                new_params.append(np_)
                new_states.append(ns)
            return new_params, new_states

        fn = _CACHE[key] = jax.jit(update_group, donate_argnums=(0, 2) if donate else ())
    return fn
