"""torch.nn.parameter: Parameter, Buffer and the uninitialized (lazy) variants."""

from collections import OrderedDict

import torchlike as torch
from torchlike._core.tensor import Tensor

__all__ = [
    "Buffer",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "UninitializedTensorMixin",
    "is_lazy",
]


class _ParameterMeta(type(Tensor)):
    # `isinstance(t, Parameter)` is also true for tensors flagged `_is_param`, as in torch.
    def __instancecheck__(self, instance) -> bool:
        if (
            self is Parameter
            and isinstance(instance, Tensor)
            and getattr(instance, "_is_param", False)
        ):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A Tensor that is a module parameter when assigned as a Module attribute."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = torch.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        return Tensor._make_subclass(cls, data.detach(), requires_grad)

    def __init__(self, *args, **kwargs):
        # Tensor._make_subclass already built the instance; nothing to initialise.
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach(), self.requires_grad, OrderedDict()))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return Parameter(data, requires_grad)


class UninitializedTensorMixin:
    """Shared behaviour of parameters and buffers whose shape is not known yet."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Create a tensor of `shape` and turn this object into a normal Parameter/Buffer."""
        if device is None:
            device = self._uninit_device
        if dtype is None:
            dtype = self._uninit_dtype
        self.data = torch.empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. "
            "This error usually happens in `load_state_dict` when trying to load "
            "an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes."
        )

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is set later by a Lazy module's first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        t = Tensor._make_subclass(cls, torch.empty(0, device=device, dtype=dtype), requires_grad)
        t._uninit_device = device
        t._uninit_dtype = dtype
        t._uninit_requires_grad = requires_grad
        return t

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self._uninit_requires_grad, self._uninit_device, self._uninit_dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is set later by a Lazy module's first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = Tensor._make_subclass(cls, torch.empty(0, device=device, dtype=dtype), requires_grad)
        t._uninit_device = device
        t._uninit_dtype = dtype
        t._uninit_requires_grad = requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, *args, **kwargs):
        pass


def is_lazy(param) -> bool:
    """Whether `param` is an uninitialized (lazy) parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class _BufferMeta(type):
    # `isinstance(t, Buffer)` is true for any tensor flagged `_is_buffer`, as in torch.
    def __instancecheck__(self, instance) -> bool:
        if self is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """A Tensor marked to be registered as a module buffer when assigned as an attribute."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = torch.empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
