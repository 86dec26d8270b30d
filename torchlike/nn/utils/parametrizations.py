"""torch.nn.utils.parametrizations: orthogonal, weight_norm and spectral_norm."""

from enum import Enum, auto

import jax
import jax.numpy as jnp
from jax._src.lax.linalg import geqrf as _geqrf  # not re-exported by jax.lax.linalg

from torchlike._core.tensor import Tensor, wrap
from torchlike._ops.creation import _finish
from torchlike._ops.registry import op
from torchlike.nn.modules.module import Module

from . import parametrize
from ._norms import _normalize_vector, _power_method, _spectral_vdot, _weight_norm, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _tl():
    import torchlike

    return torchlike


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _mT(x):
    return jnp.swapaxes(x, -2, -1)


def _householder_product(A, tau):
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H (differentiable)."""
    n, k = A.shape[-2], A.shape[-1]
    rows = jnp.arange(n)
    Q = jnp.broadcast_to(jnp.eye(n, dtype=A.dtype), A.shape[:-2] + (n, n))
    for i in range(k - 1, -1, -1):
        v = jnp.where(rows > i, A[..., :, i], jnp.where(rows == i, 1, 0).astype(A.dtype))
        # Q <- H_i Q, applied right to left so that Q = H_1 ... H_k at the end.
        vq = jnp.einsum("...n,...nm->...m", jnp.conj(v), Q)
        Q = Q - tau[..., i, None, None] * v[..., :, None] * vq[..., None, :]
    return Q[..., :, :k]


@op(tensor_args=("X", "base"), method=False, name="_orthogonal")
def _orthogonal(X, base=None, orthogonal_map="matrix_exp"):
    """The orthogonal (unitary) matrix parametrized by X, as torch's _Orthogonal.forward."""
    n, k = X.shape[-2], X.shape[-1]
    transposed = n < k
    if transposed:
        X = _mT(X)
        n, k = k, n
    if orthogonal_map in ("matrix_exp", "cayley"):
        X = jnp.tril(X)
        if n != k:
            X = jnp.concatenate([X, jnp.zeros(X.shape[:-2] + (n, n - k), X.dtype)], axis=-1)
        A = X - jnp.conj(_mT(X))
        if orthogonal_map == "matrix_exp":
            Q = jax.scipy.linalg.expm(A)
        else:
            Id = jnp.eye(n, dtype=A.dtype)
            Q = jnp.linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
        if n != k:
            Q = Q[..., :k]
    else:
        A = jnp.tril(X, -1)
        tau = 2.0 / (1.0 + jnp.sum(A * A, axis=-2))
        Q = _householder_product(A, tau)
        diag = jnp.diagonal(X, axis1=-2, axis2=-1)
        Q = Q * jnp.trunc(diag).astype(jnp.int32).astype(Q.dtype)[..., None, :]
    if base is not None:
        Q = base @ Q
    if transposed:
        Q = _mT(Q)
    return Q


def _make_orthogonal(A):
    X, tau = _geqrf(A)
    Q = _householder_product(X, tau)
    return Q * jnp.sign(jnp.diagonal(X, axis1=-2, axis2=-1))[..., None, :]


def _is_orthogonal(Q):
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * float(jnp.finfo(Q.dtype).eps)
    return bool(jnp.allclose(jnp.conj(_mT(Q)) @ Q, jnp.eye(k, dtype=Q.dtype), atol=eps))


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        return _orthogonal(X, getattr(self, "base", None), self.orthogonal_map.name)

    def right_inverse(self, Q):
        with _tl().no_grad():
            if Q.shape != self.shape:
                raise ValueError(
                    f"Expected a matrix or batch of matrices of shape {self.shape}. Got a "
                    f"tensor of shape {Q.shape}."
                )
            Q_init = Q
            q = Q._data
            n, k = q.shape[-2], q.shape[-1]
            transpose = n < k
            if transpose:
                q = _mT(q)
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False."
                    )
                A, tau = _geqrf(q)
                d = jnp.sign(jnp.diagonal(A, axis1=-2, axis2=-1))
                d = jnp.where(tau == 0.0, -d, d)
                idx = jnp.arange(min(n, k))
                A = A.at[..., idx, idx].set(d)
                return _finish(_mT(A) if transpose else A, Q.device, False)
            if n == k:
                q = q if _is_orthogonal(q) else _make_orthogonal(q)
            else:
                N = _tl().randn(*(tuple(q.shape[:-2]) + (n, n - k)), dtype=Q.dtype,
                                device=Q.device)._data
                q = _make_orthogonal(jnp.concatenate([q, N], axis=-1))
            self.base = _finish(q, Q.device, False)
            neg_id = jnp.zeros(Q_init.shape, q.dtype)
            m = min(Q_init.shape[-2], Q_init.shape[-1])
            neg_id = neg_id.at[..., jnp.arange(m), jnp.arange(m)].set(-1.0)
            return _finish(neg_id, Q.device, False)  # made on the host: placed on Q's device


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain module.<name> to be orthogonal (unitary) by a parametrization."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        orthogonal_map = (
            "matrix_exp"
            if weight.size(-2) == weight.size(-1) or weight.is_complex()
            else "householder"
        )
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    def __init__(self, dim=0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize module.<name> as g * v / ||v|| (original0 = g, original1 = v)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(
        state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but "
                f"got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with _tl().no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", _normalize_vector(u, float(self.eps)))
                self.register_buffer("_v", _normalize_vector(v, float(self.eps)))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        with _tl().no_grad():
            u, v = _power_method(
                weight_mat, self._u, self._v, int(n_power_iterations), float(self.eps)
            )
            # torch writes into the buffers in place (out=).
            self._u._set_data(u._data)
            self._v._set_data(v._data)

    def forward(self, weight):
        if weight.ndim == 1:
            return _normalize_vector(weight, float(self.eps))
        if self.training:
            self._power_method(self._reshape_weight_to_matrix(weight), self.n_power_iterations)
        return _spectral_vdot(weight, self._u.clone(), self._v.clone(), self.dim)

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Normalise module.<name> by its spectral norm, as a parametrization."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from torchlike.nn.modules import conv

        transposed = tuple(
            getattr(conv, n)
            for n in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
            if hasattr(conv, n)
        )
        dim = 1 if transposed and isinstance(module, transposed) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module
