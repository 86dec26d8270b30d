"""torch.svd_lowrank and torch.pca_lowrank: randomized low-rank SVD (Halko, Martinsson and
Tropp 2009, algorithms 4.4 and 5.1), with PyTorch's steps and random draws, so a seeded call
gives PyTorch's factors (up to float rounding)."""

from . import linalg


def _floating(A):
    from ._core import dtypes
    return A.dtype if A.dtype.is_floating_point or A.dtype.is_complex else dtypes.float32


def get_approximate_basis(A, q, niter=2, M=None):
    """Q with orthonormal columns such that Q Q^H (A - M) approximates A - M: a random
    (n, q) projection refined by `niter` subspace iterations."""
    from . import randn
    niter = 2 if niter is None else niter
    R = randn(A.shape[-1], q, dtype=_floating(A), device=A.device)
    X = A @ R if M is None else A @ R - M @ R
    Q = linalg.qr(X).Q
    for _ in range(niter):
        X = A.mH @ Q if M is None else A.mH @ Q - M.mH @ Q
        Q = linalg.qr(X).Q
        X = A @ Q if M is None else A @ Q - M @ Q
        Q = linalg.qr(X).Q
    return Q


def _svd_lowrank(A, q=6, niter=2, M=None):
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    if m < n:  # work on the tall orientation
        A = A.mH
        M = None if M is None else M.mH
    Q = get_approximate_basis(A, q, niter=niter, M=M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if m < n else (U, S, V)


def svd_lowrank(A, q=6, niter=2, M=None):
    """torch.svd_lowrank: (U, S, V) with A - M ~= U diag(S) V^H, rank q."""
    if A.is_sparse:
        A = A.to_dense()
    return _svd_lowrank(A, q=q, niter=niter, M=M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """torch.pca_lowrank: (U, S, V) of the (centred) data matrix A, rank q."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if A.is_sparse:
        # PyTorch keeps a sparse A sparse and passes its column means as M; the same
        # factors, computed densely here
        if A.dim() != 2:
            raise ValueError("pca_lowrank input is expected to be 2-dimensional tensor")
        A = A.to_dense()
        if not center:
            return _svd_lowrank(A, q, niter=niter)
        M = A.mean(dim=(-2,), keepdim=True).expand(A.shape)
        return _svd_lowrank(A, q, niter=niter, M=M)
    if not center:
        return _svd_lowrank(A, q, niter=niter)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)
