"""Padding layers: constant/zero, reflection, replication and circular, 1d/2d/3d."""

from torchlike.nn import functional as F

from .module import Module
from .utils import _ntuple, _pair, _quadruple

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]

_sextuple = _ntuple(6)


class _CircularPadNd(Module):
    __constants__ = "padding"

    def _check_input_dim(self, input):
        raise NotImplementedError

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, "circular")

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _circular(tup, dims):
    class _Pad(_CircularPadNd):
        def __init__(self, padding) -> None:
            super().__init__()
            self.padding = tup(padding)

        def _check_input_dim(self, input) -> None:
            if input.dim() not in dims:
                raise ValueError(
                    f"expected {dims[0]}D or {dims[1]}D input (got {input.dim()}D input)"
                )

    return _Pad


class CircularPad1d(_circular(_pair, (2, 3))):
    """Circular padding of the last dimension."""


class CircularPad2d(_circular(_quadruple, (3, 4))):
    """Circular padding of the last 2 dimensions."""


class CircularPad3d(_circular(_sextuple, (4, 5))):
    """Circular padding of the last 3 dimensions."""


class _ConstantPadNd(Module):
    __constants__ = ("padding", "value")

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


def _constant(tup):
    class _Pad(_ConstantPadNd):
        def __init__(self, padding, value: float) -> None:
            super().__init__(value)
            self.padding = tup(padding)

    return _Pad


class ConstantPad1d(_constant(_pair)):
    """Pad the last dimension with a constant."""


class ConstantPad2d(_constant(_quadruple)):
    """Pad the last 2 dimensions with a constant."""


class ConstantPad3d(_constant(_sextuple)):
    """Pad the last 3 dimensions with a constant."""


class _ReflectionPadNd(Module):
    __constants__ = "padding"

    def forward(self, input):
        return F.pad(input, self.padding, "reflect")

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReplicationPadNd(Module):
    __constants__ = "padding"

    def forward(self, input):
        return F.pad(input, self.padding, "replicate")

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _simple(base, tup):
    class _Pad(base):
        def __init__(self, padding) -> None:
            super().__init__()
            self.padding = tup(padding)

    return _Pad


class ReflectionPad1d(_simple(_ReflectionPadNd, _pair)):
    """Reflection padding of the last dimension."""


class ReflectionPad2d(_simple(_ReflectionPadNd, _quadruple)):
    """Reflection padding of the last 2 dimensions."""


class ReflectionPad3d(_simple(_ReflectionPadNd, _sextuple)):
    """Reflection padding of the last 3 dimensions."""


class ReplicationPad1d(_simple(_ReplicationPadNd, _pair)):
    """Edge-replication padding of the last dimension."""


class ReplicationPad2d(_simple(_ReplicationPadNd, _quadruple)):
    """Edge-replication padding of the last 2 dimensions."""


class ReplicationPad3d(_simple(_ReplicationPadNd, _sextuple)):
    """Edge-replication padding of the last 3 dimensions."""


class ZeroPad1d(ConstantPad1d):
    """Zero padding of the last dimension."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Zero padding of the last 2 dimensions."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Zero padding of the last 3 dimensions."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"
