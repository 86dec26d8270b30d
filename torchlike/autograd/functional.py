"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp (via the tape)."""

from .._core.tensor import Tensor


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prep(inputs):
    return tuple(i.detach().requires_grad_(True) for i in _tuple(inputs))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    single = isinstance(inputs, Tensor)
    xs = _prep(inputs)
    out = func(*xs)
    outs = _tuple(out)
    vs = _tuple(v) if v is not None else (None,) * len(outs)
    g = grad(outs, xs, vs, create_graph=create_graph, allow_unused=True, materialize_grads=True)
    res = tuple(gi if create_graph else gi.detach() for gi in g)
    out_d = out if create_graph else (out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out))
    return out_d, (res[0] if single else res)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    from .. import stack, zeros_like
    from . import grad
    single_in = isinstance(inputs, Tensor)
    xs = _prep(inputs)
    out = func(*xs)
    single_out = isinstance(out, Tensor)
    outs = _tuple(out)
    jac = []
    for o in outs:
        flat = o.reshape(-1)
        rows = []
        for k in range(flat.numel()):
            g = grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True,
                     materialize_grads=True)
            rows.append(g)
        per_in = []
        for j, x in enumerate(xs):
            if rows:
                J = stack([r[j] for r in rows]).reshape(*o.shape, *x.shape)
            else:
                J = zeros_like(x).reshape(*o.shape, *x.shape)
            per_in.append(J if create_graph else J.detach())
        jac.append(per_in[0] if single_in else tuple(per_in))
    return jac[0] if single_out else tuple(jac)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    from . import grad
    single = isinstance(inputs, Tensor)

    def gradf(*xs):
        out = func(*xs)
        g = grad(out, xs, create_graph=True, allow_unused=True, materialize_grads=True)
        return g[0] if single else g

    return jacobian(gradf, inputs, create_graph=create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    # double-vjp trick: J v = d/du (u^T J v)... computed column by column via the jacobian
    J = jacobian(func, inputs, create_graph=create_graph)
    single = isinstance(inputs, Tensor)
    xs = _tuple(inputs)
    vs = _tuple(v)
    out = func(*xs)
    outs = _tuple(out)
    Js = (J,) if isinstance(out, Tensor) else J
    res = []
    for o, Jo in zip(outs, Js):
        Jo = (Jo,) if single else Jo
        acc = None
        for Jx, x, vx in zip(Jo, xs, vs):
            t = (Jx.reshape(o.numel(), x.numel()) @ vx.reshape(-1)).reshape(o.shape)
            acc = t if acc is None else acc + t
        res.append(acc)
    return (out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in outs)), (
        res[0] if isinstance(out, Tensor) else tuple(res))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    single = isinstance(inputs, Tensor)
    xs = _prep(inputs)
    out = func(*xs)
    g = grad(out, xs, create_graph=True)
    vs = _tuple(v)
    dot = sum((gi * vi).sum() for gi, vi in zip(g, vs))
    h = grad(dot, xs, create_graph=create_graph, allow_unused=True, materialize_grads=True)
    h = tuple(x if create_graph else x.detach() for x in h)
    return out.detach(), (h[0] if single else h)


hvp = vhp  # the Hessian is symmetric
