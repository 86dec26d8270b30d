"""gradcheck / gradgradcheck: analytic gradients against finite differences (float64).

Complex numbers follow PyTorch's convention: for a real-valued output L of a complex input
z = x + iy the gradient is dL/dx + i dL/dy; a complex output is checked as its real and its
imaginary part."""

import warnings

import numpy as np

from .._core.tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


class GradcheckError(RuntimeError):
    pass


def _parts(o):
    """The real-valued views of output o checked: (name, flat real tensor) pairs."""
    flat = o.reshape(-1)
    if o.dtype.is_complex:
        return [flat.real, flat.imag]
    return [flat]


def _numpy_parts(o):
    a = np.asarray(o.detach()._data).reshape(-1)
    if np.iscomplexobj(a):
        return [a.real.astype(np.float64), a.imag.astype(np.float64)]
    return [a.astype(np.float64)]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Compare the tape's gradients with central finite differences."""
    from . import grad
    from .. import tensor
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in diff:
        x = inputs[i]
        if x.dtype not in (_float64(), _complex128()):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", UserWarning,
                          stacklevel=2)
    out = func(*inputs)
    outs = _as_tuple(out)
    for oi, o in enumerate(outs):
        if not isinstance(o, Tensor) or not (o.dtype.is_floating_point or o.dtype.is_complex):
            continue
        parts = _parts(o)
        n_out = o.numel()
        for i in diff:
            x = inputs[i]
            base = np.asarray(x.detach()._data)
            cplx = np.iscomplexobj(base)
            flat_base = base.reshape(-1)
            # numerical: one row per input element (complex: dL/dx + i dL/dy)
            numeric = [np.zeros((base.size, n_out), dtype=np.complex128 if cplx else np.float64)
                       for _ in parts]
            for k in range(base.size):
                for direction in ((1.0, 1j) if cplx else (1.0,)):
                    for sgn in (1, -1):
                        p = flat_base.copy()
                        p[k] = p[k] + sgn * eps * direction
                        xs = list(inputs)
                        xs[i] = tensor(p.reshape(base.shape), dtype=x.dtype, requires_grad=True)
                        ok = _as_tuple(func(*xs))[oi]
                        for n, part in zip(numeric, _numpy_parts(ok)):
                            n[k] += direction * sgn * part / (2 * eps)
            analytic = [np.zeros_like(n) for n in numeric]
            for a, part in zip(analytic, parts):
                for j in range(n_out):
                    if not part.requires_grad:
                        continue
                    g = grad(part[j], [x], retain_graph=True, allow_unused=True,
                             materialize_grads=True)[0]
                    a[:, j] = np.asarray(g._data).reshape(-1)
            for n, a in zip(numeric, analytic):
                if not np.allclose(a, n, rtol=rtol, atol=atol):
                    if raise_exception:
                        raise GradcheckError(
                            f"Jacobian mismatch for output {oi} with respect to input {i},\n"
                            f"numerical:{n}\nanalytical:{a}\n")
                    return False
    return True


def _float64():
    from .._core.dtypes import float64
    return float64


def _complex128():
    from .._core.dtypes import complex128
    return complex128


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kw):
    """gradcheck of the gradient function itself, in the inputs and the grad_outputs (which
    require grad here, as in PyTorch)."""
    from . import grad
    from .. import randn
    inputs = _as_tuple(inputs)
    n_in = len(inputs)
    if grad_outputs is None:
        outs = _as_tuple(func(*inputs))
        grad_outputs = tuple(randn(tuple(o.shape), dtype=o.dtype).requires_grad_(True) for o in outs
                             if isinstance(o, Tensor) and o.requires_grad)
    else:
        grad_outputs = tuple(g.detach().requires_grad_(True) for g in _as_tuple(grad_outputs))

    def first(*args):
        xs, gos = args[:n_in], args[n_in:]
        out = [o for o in _as_tuple(func(*xs)) if isinstance(o, Tensor) and o.requires_grad]
        dx = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        return grad(out, dx, gos, create_graph=True, allow_unused=True, materialize_grads=True)

    return gradcheck(first, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
