"""Classical orthogonal polynomials P_n(x) as PyTorch's CPU kernels evaluate them: n truncated to
an integer (a non-finite or out-of-range n counts as negative, as the C++ cast gives), their
special cases (n < 0, |x| == 1, ...), a trigonometric closed form for large n inside (-1, 1),
and otherwise the three-term recurrence, run to the largest n that needs it. Pure jax on arrays
of one floating type."""

import jax
import jax.numpy as jnp

_I64_MIN = jnp.iinfo(jnp.int64).min


def _degree(n):
    """n as the C++ kernel's static_cast<int64_t>: truncation; NaN, inf and out-of-range n
    become INT64_MIN (x86's conversion result)."""
    ok = jnp.isfinite(n) & (jnp.abs(n) < 2.0 ** 63)
    return jnp.where(ok, jnp.where(ok, n, 0).astype(jnp.int64), _I64_MIN)


def _recurrence(x, n, q, step, need):
    """Iterate q_{j+1} = step(j, x, q_{j-1}, q_j) for j = 1 .. n-1 from (1, q), where `need`."""
    p = jnp.ones_like(x)
    nmax = jnp.max(jnp.where(need, n, 0), initial=0)

    def body(c):
        j, p, q = c
        r = step(j.astype(x.dtype), x, p, q)
        upd = need & (j < n)
        return j + 1, jnp.where(upd, q, p), jnp.where(upd, r, q)

    _, _, q = jax.lax.while_loop(lambda c: c[0] < nmax, body, (jnp.int64(1), p, q))
    return q


def _cheb_step(j, x, p, q):
    return (x + x) * q - p


def _poly(x, n, first, step, closed=None, special=None):
    """The shared frame: 0 for n < 0, `special` cases (a list of (mask, value), first wins),
    1 at n == 0, first(x) at n == 1, `closed` = (mask, value) for large n, else the recurrence."""
    x, n = jnp.broadcast_arrays(x, n)
    first = first(x)
    n = _degree(n)
    nf = n.astype(x.dtype)
    cases = [(n < 0, 0.0)] + list(special(x, n, nf) if special else [])
    cases += [(n == 0, 1.0), (n == 1, first)]
    if closed is not None:
        cases.append(closed(x, n, nf))
    done = jnp.zeros(x.shape, bool)
    for m, _ in cases:
        done = done | m
    r = _recurrence(x, n, first, step, ~done)
    for m, v in reversed(cases):
        r = jnp.where(m, v, r)
    return r


def _odd(n):
    return n % 2 != 0


def chebyshev_polynomial_t(x, n):
    def special(x, n, nf):
        return [(jnp.abs(x) == 1, jnp.where((x > 0) | ~_odd(n), 1.0, -1.0))]

    def closed(x, n, nf):
        return (n > 6) & (jnp.abs(x) < 1), jnp.cos(nf * jnp.arccos(x))
    return _poly(x, n, lambda x: x, _cheb_step, closed, special)


def chebyshev_polynomial_u(x, n):
    def special(x, n, nf):
        return [(jnp.abs(x) == 1, jnp.where((x > 0) | ~_odd(n), nf + 1, -(nf + 1)))]

    def closed(x, n, nf):
        t = jnp.arccos(x)
        s = jnp.sin(t)
        v = jnp.where(s != 0, jnp.sin((nf + 1) * t) / s, (nf + 1) * jnp.cos((nf + 1) * t) / x)
        return (n > 8) & (jnp.abs(x) < 1), v
    return _poly(x, n, lambda x: x + x, _cheb_step, closed, special)


def chebyshev_polynomial_v(x, n):
    def special(x, n, nf):
        odd = jnp.where(_odd(n), -(nf + nf + 1), nf + nf + 1)
        return [(jnp.abs(x) == 1, jnp.where(x > 0, 1.0, odd))]

    def closed(x, n, nf):
        t = jnp.arccos(x)
        v = jnp.where(jnp.sin(t / 2) != 1, jnp.cos((nf + 0.5) * t) / jnp.cos(t / 2),
                      jnp.where(_odd(n), -(nf + nf + 1), nf + nf + 1))
        return (n > 8) & (jnp.abs(x) < 1), v
    return _poly(x, n, lambda x: x + x - 1, _cheb_step, closed, special)


def chebyshev_polynomial_w(x, n):
    def edge(x, n, nf):
        return jnp.where(x > 0, nf + nf + 1, jnp.where(_odd(n), -1.0, 1.0))

    def special(x, n, nf):
        return [(jnp.abs(x) == 1, edge(x, n, nf))]

    def closed(x, n, nf):
        t = jnp.arccos(x)
        v = jnp.where(jnp.cos(t / 2) != 1, jnp.sin((nf + 0.5) * t) / jnp.sin(t / 2),
                      edge(x, n, nf))
        return (n > 8) & (jnp.abs(x) < 1), v
    return _poly(x, n, lambda x: x + x + 1, _cheb_step, closed, special)


def _shifted_step(j, x, p, q):
    y = x + x - 1
    return (y + y) * q - p


def shifted_chebyshev_polynomial_t(x, n):
    def special(x, n, nf):
        return [(x == 1, 1.0), (x == 0, jnp.where(_odd(n), -1.0, 1.0))]

    def closed(x, n, nf):
        y = x + x - 1
        return (n > 6) & (jnp.abs(y) < 1), jnp.cos(nf * jnp.arccos(y))
    return _poly(x, n, lambda x: x + x - 1, _shifted_step, closed, special)


def shifted_chebyshev_polynomial_u(x, n):
    def special(x, n, nf):
        return [(x == 1, nf + 1), (x == 0, jnp.where(_odd(n), -(nf + 1), nf + 1))]

    def closed(x, n, nf):
        y = x + x - 1
        t = jnp.arccos(y)
        s = jnp.sin(t)
        v = jnp.where(s != 0, jnp.sin((nf + 1) * t) / s, (nf + 1) * jnp.cos((nf + 1) * t) / y)
        return (n > 6) & (jnp.abs(y) < 1), v
    return _poly(x, n, lambda x: (x + x - 1) + (x + x - 1), _shifted_step, closed, special)


def shifted_chebyshev_polynomial_v(x, n):
    def special(x, n, nf):
        return [(x == 1, 1.0), (x == 0, jnp.where(_odd(n), -(nf + nf + 1), nf + nf + 1))]

    def closed(x, n, nf):
        t = jnp.arccos(x + x - 1)
        v = jnp.where(jnp.sin(t / 2) != 1, jnp.cos((nf + 0.5) * t) / jnp.cos(t / 2),
                      jnp.where(_odd(n), -(nf + nf + 1), nf + nf + 1))
        return (n > 6) & (jnp.abs(x + x - 1) < 1), v
    return _poly(x, n, lambda x: (x + x - 1) + (x + x - 1) - 1, _shifted_step, closed, special)


def shifted_chebyshev_polynomial_w(x, n):
    def special(x, n, nf):
        return [(x == 1, nf + nf + 1), (x == 0, jnp.where(_odd(n), -1.0, 1.0))]

    def closed(x, n, nf):
        t = jnp.arccos(x + x - 1)
        v = jnp.where(jnp.cos(t / 2) != 1, jnp.sin((nf + 0.5) * t) / jnp.sin(t / 2),
                      jnp.where(_odd(n), -1.0, 1.0))
        return (n > 4) & (jnp.abs(x + x - 1) < 1), v
    return _poly(x, n, lambda x: (x + x - 1) + (x + x - 1) + 1, _shifted_step, closed, special)


def _hermite_limit(x, n, nf):
    """PyTorch gives NaN past degree 128 (float32) or 512 (float64)."""
    return n > (128 if x.dtype == jnp.float32 else 512), jnp.nan


def hermite_polynomial_h(x, n):
    return _poly(x, n, lambda x: x + x, lambda j, x, p, q: (x + x) * q - (j + j) * p,
                 _hermite_limit)


def hermite_polynomial_he(x, n):
    return _poly(x, n, lambda x: x, lambda j, x, p, q: x * q - j * p, _hermite_limit)


def laguerre_polynomial_l(x, n):
    def special(x, n, nf):
        return [(x == 0, 1.0)]
    def step(j, x, p, q):
        return ((j + j + (1 - x)) * q - j * p) / (j + 1)
    return _poly(x, n, lambda x: 1 - x, step, special=special)


def legendre_polynomial_p(x, n):
    def special(x, n, nf):
        return [(jnp.abs(x) == 1, jnp.where((x > 0) | ~_odd(n), 1.0, -1.0))]
    return _poly(x, n, lambda x: x, lambda j, x, p, q: ((j + j + 1) * x * q - j * p) / (j + 1),
                 special=special)
