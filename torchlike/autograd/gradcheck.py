"""gradcheck / gradgradcheck: analytic gradients against finite differences (float64)."""

import numpy as np

from .._core.tensor import Tensor


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


class GradcheckError(RuntimeError):
    pass


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Compare the tape's gradients with central finite differences."""
    from . import grad
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    out = func(*inputs)
    outs = _as_tuple(out)
    for oi, o in enumerate(outs):
        if not (o.dtype.is_floating_point or o.dtype.is_complex):
            continue
        n_out = o.numel()
        for i in diff:
            x = inputs[i]
            base = np.asarray(x.detach()._data).astype(np.float64)
            numeric = np.zeros((base.size, n_out))
            for k in range(base.size):
                for sgn in (1, -1):
                    p = base.copy().reshape(-1)
                    p[k] += sgn * eps
                    xs = list(inputs)
                    from .. import tensor
                    xs[i] = tensor(p.reshape(base.shape), dtype=x.dtype, requires_grad=True)
                    ok = _as_tuple(func(*xs))[oi]
                    numeric[k] += sgn * np.asarray(ok.detach()._data).reshape(-1) / (2 * eps)
            analytic = np.zeros((base.size, n_out))
            flat = o.reshape(-1)
            for j in range(n_out):
                g = grad(flat[j], [x], retain_graph=True, allow_unused=True,
                         materialize_grads=True)[0]
                analytic[:, j] = np.asarray(g._data).reshape(-1)
            if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {oi} with respect to input {i},\n"
                        f"numerical:{numeric}\nanalytical:{analytic}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kw):
    """gradcheck of the gradient function itself."""
    from . import grad
    from .. import ones_like
    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def first(*xs):
        out = _as_tuple(func(*xs))
        dx = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        gs = grad(out, dx, [ones_like(o) for o in out], create_graph=True, allow_unused=True,
                  materialize_grads=True)
        return gs

    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
