"""torch.Tensor on a jax array.

A tensor is either a root (it owns `_arr`, a jax array) or a view: (`_base` root, `_chain` of
view steps). Writes to a view are scattered back into its root, so all aliases see them.
For autograd a view is relative to `_gbase`, the nearest ancestor that is a root or was
detached (`.detach()`, `.data`): the view's grad_fn is that chain applied to `_gbase`'s history.
"""

import numbers

import jax
import jax.numpy as jnp
import numpy as np

from . import dtypes as _dt
from . import grad_mode, views
from .autograd import AccumulateGrad, _Handle, run_backward
from .device import CPU, canonical, device_of, jax_device, multi_device
from .size import Size
from . import meta as _meta
from .meta import MetaArray
from .._lazy import LazyArray, call as _lazy_call, release as _lazy_release, state as _lazy_state, \
    succeed as _succeed

_BY_NP = _dt._BY_NP


class Tensor:
    """A multi-dimensional array with autograd: torch.Tensor."""

    # defaults, so making a tensor only sets what differs
    _arr = None
    _base = None
    _chain = ()
    _gbase = None
    _gchain = ()
    _vsrc = None
    _varr = None
    _vnode = None
    _requires_grad = False
    _grad = None
    _grad_fn = None
    _out_nr = 0
    _acc = None
    _vcount = 0
    _detached_view = False
    # made in inference mode (set on roots; views and aliases read their root's)
    _inference = False
    # how a view was made, where PyTorch refuses in-place writes to it with grad mode on:
    # "multi" (an output of unbind/split/chunk), "nograd" (made under no_grad from a tensor
    # that requires grad); views of it inherit it
    _creation = None
    # a version counter of its own ([count]): `.data` aliases and their views (PyTorch gives
    # `.data` a new counter; writes through it do not bump the base's and vice versa)
    _vfam = None
    _retains = False
    _post_hooks = None
    is_sparse = False
    is_quantized = False
    is_mkldnn = False
    is_nested = False
    layout = "torch.strided"

    def __new__(cls, *args, **kwargs):
        return _legacy_new(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        pass

    # ---- construction ----
    @classmethod
    def _wrap(cls, arr, device=None):
        t = object.__new__(Tensor)
        t._arr = arr
        t._dtype = _BY_NP[arr.dtype]
        t._device = device or CPU
        if grad_mode.state.inference:
            t._inference = True
        return t

    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        """An instance of subclass `cls` sharing `data`'s storage (as torch's _make_subclass)."""
        if require_grad and data._root()._inference and not grad_mode.state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        t = object.__new__(cls)
        _alias(t, data)
        t._requires_grad = bool(require_grad)
        return t

    # ---- data ----
    @property
    def _data(self):
        b = self._base
        if b is None:
            a = self._arr
            if type(a) is LazyArray and a.value is not None:
                a = self._arr = a.value
            return a
        src = b._data
        if not self._chain:
            return src
        if self._vsrc is not src:
            dev = self._device
            if type(src) is MetaArray:
                fn, pos = views.read_plan(self._chain)
                self._varr = _meta.eval_shape(fn, (src,) + tuple(pos))
                self._vsrc = src
                return self._varr
            fn, pos = views.read_plan(self._chain, None if dev.type == "cpu" else dev)
            self._varr = fn(src, *pos) if type(src) is not LazyArray and \
                _lazy_state.trace is None else _lazy_call(fn, (src,) + pos)
            self._vsrc = src
        v = self._varr
        if type(v) is LazyArray and v.value is not None:
            v = self._varr = v.value
        return v

    def _set_data(self, arr):
        """Overwrite this tensor's value in place (no autograd); visible through all aliases."""
        if grad_mode.INFERENCE_USED[0]:
            _check_inference_write(self)
        b = self._base
        if b is None:
            if type(arr) is LazyArray:
                _succeed(self._arr, arr)
            self._arr = arr
            self._vcount += 1
        elif not self._chain:
            if type(arr) is LazyArray:
                _succeed(b._arr, arr)
            b._arr = arr
            if self._vfam is None:
                b._vcount += 1
            else:
                self._vfam[0] += 1
        else:
            if views.overlap(b._shape(), self._chain) is not None:
                _overlap_error()
            if type(b._arr) is MetaArray:  # no data to write
                self._bump(b)
                return
            tpl, dyn = views.split(self._chain)
            dev = b._device
            pos = views.positions(dyn, None if dev.type == "cpu" else dev)
            old = b._data
            b._arr = new = _lazy_call(views.write_fn(tpl), (old, arr) + pos)
            if type(new) is LazyArray:
                _succeed(old, new)
            if self._vfam is None:
                b._vcount += 1
            else:
                self._vfam[0] += 1
            self._vsrc = None

    def _bump(self, root):
        """Count a modification made through this tensor (root: its root)."""
        if self._vfam is None:
            root._vcount += 1
        else:
            self._vfam[0] += 1

    def _root(self):
        return self._base if self._base is not None else self

    @property
    def _vc(self):
        return self._root()

    def is_inference(self):
        return self._root()._inference

    @property
    def _version(self):
        if self._root()._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        f = self._vfam
        return f[0] if f is not None else self._root()._vcount

    # ---- autograd bookkeeping ----
    def _history(self):
        """This tensor's edge in the graph: (node, output number), or None."""
        g = self._gbase
        if g is None:
            if self._grad_fn is not None:
                return (self._grad_fn, self._out_nr)
            if self._requires_grad:
                acc = self._acc
                if acc is None:
                    acc = self._acc = AccumulateGrad(self)
                return (acc, 0)
            return None
        src = g._history()
        if src is None:
            return None
        vn = self._vnode
        if vn is not None and vn[0] is src[0] and vn[1] == src[1] and vn[3] is g._data:
            return (vn[2], 0)
        from .._ops.kernel import run
        from .._ops.shape_views import view_kernel
        from .._ops.registry import scalar_leaf
        tpl, dyn = views.split(self._gchain)
        with grad_mode.enable_grad():
            out = run(view_kernel(tpl), [g] + [scalar_leaf(k) for k in dyn])
        self._vnode = (src[0], src[1], out._grad_fn, g._data)
        return (out._grad_fn, 0)

    @property
    def grad_fn(self):
        if self._gbase is None:
            return self._grad_fn
        h = self._history()
        return None if h is None else h[0]

    @property
    def requires_grad(self):
        if self._gbase is None:
            return self._requires_grad or self._grad_fn is not None
        return self._gbase.requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                                   "you want to use a computed variable in a subgraph that doesn't "
                                   "require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        if requires_grad and self._root()._inference and not grad_mode.state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        if self._gbase is not None:
            # a non-detached view that is a leaf: make it a root of its own for autograd
            self._gbase = None
            self._gchain = ()
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        g = self._grad
        if g is None and not self._retains and self._grad_fn is not None:
            _warn_non_leaf_grad()
        return g

    @grad.setter
    def grad(self, g):
        if g is not None:
            if not isinstance(g, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(g).__name__}")
            if g.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if tuple(g.shape) != tuple(self.shape):
                raise RuntimeError("assigned grad has data of a different size")
        elif self._grad is not None and _lazy_state.trace is not None:
            _lazy_release(self._grad)
        self._grad = g

    @grad.deleter
    def grad(self):
        if self._grad is not None and _lazy_state.trace is not None:
            _lazy_release(self._grad)
        self._grad = None

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf:
            return
        node, nr = self._history()
        if node.retained is None:
            node.retained = {}
        import weakref
        node.retained[nr] = weakref.ref(self)
        self._retains = True

    @property
    def retains_grad(self):
        return self._retains

    def register_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node, nr = self._history()
        if node.tensor_pre_hooks is None:
            node.tensor_pre_hooks = {}
        return _Handle(node.tensor_pre_hooks.setdefault(nr, {}), hook)

    def register_post_accumulate_grad_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        node, _ = self._history()
        if node.post_hooks is None:
            node.post_hooks = {}
        return _Handle(node.post_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from ..autograd import backward as _backward
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = object.__new__(Tensor)
        _alias(t, self)
        return t

    def detach_(self):
        if self._base is not None and self._gbase is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        t = self.detach()
        t._vfam = [0]  # PyTorch: a new version counter, not shared with this tensor
        return t

    @data.setter
    def data(self, new):
        if not isinstance(new, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(new).__name__}")
        # rebinds this tensor to new's storage (type and shape may change), like PyTorch
        arr = new._data  # read first: `new` may be this tensor itself (t.data = t.to(...))
        if self._base is not None:
            self._base = None
            self._chain = ()
            self._vsrc = self._varr = None
        self._arr = arr
        self._dtype = new._dtype
        self._device = new._device
        self._vcount += 1

    # ---- metadata ----
    def _shape(self):
        """The shape, without computing a view's values."""
        b = self._base
        if b is None:
            return self._arr.shape
        if not self._chain:
            return b._shape()
        return views.layout(b._shape(), self._chain)[0]

    @property
    def shape(self):
        return Size(self._shape())

    def size(self, dim=None):
        s = self._shape()
        if dim is None:
            return Size(s)
        return s[_wrap_dim(dim, len(s))]

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def is_meta(self):
        return self._device.type == "meta"

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    def get_device(self):
        return -1 if self._device.type in ("cpu", "meta") else (self._device.index or 0)

    def dim(self):
        return len(self._shape())

    ndimension = dim

    @property
    def ndim(self):
        return len(self._shape())

    def numel(self):
        n = 1
        for s in self._shape():
            n *= s
        return n

    nelement = numel

    def element_size(self):
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self._dtype.itemsize

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_complex(self):
        return self._dtype.is_complex

    def is_signed(self):
        return self._dtype.is_signed

    def _layout(self):
        if self._base is None:
            s = self._arr.shape
            return s, views.contiguous_strides(s), 0
        return views.layout(self._base._shape(), self._chain)

    def stride(self, dim=None):
        st = self._layout()[1]
        return st if dim is None else st[_wrap_dim(dim, len(st))]

    def storage_offset(self):
        return self._layout()[2]

    def is_contiguous(self, memory_format=None):
        if self._base is None:
            return True
        shape, st, _ = self._layout()
        if 0 in shape:
            return True
        return views.is_contiguous_layout(shape, st)

    def data_ptr(self):
        return id(self._root()) * 16 + self.storage_offset() * self._dtype.itemsize

    def untyped_storage(self):
        return _Storage(self._root())

    def is_shared(self):
        return False

    def is_pinned(self):
        return False

    def pin_memory(self):
        from .device import gpus, _NO_ACCELERATOR
        if not gpus():
            raise RuntimeError(_NO_ACCELERATOR)
        return self

    def share_memory_(self):
        raise NotImplementedError("Tensor.share_memory_ is not supported by torchlike: JAX arrays "
                                  "cannot live in shared memory; pass tensors between processes "
                                  "by pickling them instead")

    # ---- conversion ----
    def numpy(self, *args, force=False, **kwargs):
        """A numpy array of the values. Differs from PyTorch: a read-only view of the values
        (JAX arrays are immutable), not memory shared with the tensor; and force=True gives a
        bfloat16 tensor's values (as an ml_dtypes array), where PyTorch refuses it too."""
        if args:
            raise TypeError(f"numpy() takes 0 positional arguments but {len(args)} "
                            f"{'was' if len(args) == 1 else 'were'} given")
        if kwargs:
            raise TypeError(f"numpy() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if self._dtype._name in ("bfloat16", "complex32") and not force:
            raise TypeError("Got unsupported ScalarType "
                            + _dt.SCALAR_TYPE_NAMES.get(self._dtype._name, self._dtype._name))
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu" and (not force or self._device.type == "meta"):
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return np.asarray(self._data)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            # (what numpy raises for PyTorch's tensors, whose __array__ takes no copy argument)
            raise ValueError(
                "Unable to avoid copy while creating an array as requested.\nIf using "
                "`np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy "
                "when needed (no behavior change in NumPy 1.x).\nFor more details, see "
                "https://numpy.org/devdocs/numpy_2_0_migration_guide.html"
                "#adapting-to-changes-in-the-copy-keyword.")
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """numpy ufuncs of tensors give tensors. Differs from PyTorch: a bool result stays bool
        (PyTorch's is uint8), as `ndarray == tensor` also comes here while Tensor's operators
        decline numpy operands."""
        from .._ops.creation import from_numpy
        return from_numpy(array)

    @property
    def __cuda_array_interface__(self):
        if self._device.type != "cuda":
            raise AttributeError(
                f"Can't get __cuda_array_interface__ on non-CUDA tensor type: {self.type()} If "
                "CUDA data is required use tensor.cuda() to copy tensor to device memory.")
        if self.requires_grad:
            raise RuntimeError("Can't get __cuda_array_interface__ on Variable that requires "
                               "grad. If gradients aren't required, use var.detach() to get "
                               "Variable that doesn't require grad.")
        return self._data.__cuda_array_interface__

    def jax(self):
        """The jax array holding this tensor's values."""
        return self._data

    def item(self):
        a = self._data
        if a.size != 1:
            raise RuntimeError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
        _no_trace(a, "Tensor.item()")
        return np.asarray(a).reshape(()).item()

    def tolist(self):
        a = self._data
        if type(a) is MetaArray:
            raise _meta.no_data()
        _no_trace(a, "Tensor.tolist()")
        return np.asarray(a).tolist()

    def __len__(self):
        s = self._data.shape
        if not s:
            raise TypeError("len() of a 0-d tensor")
        return s[0]

    def __iter__(self):
        s = self._data.shape
        if not s:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        a = self._data
        if a.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if a.size == 0
                               else "Boolean value of Tensor with more than one value is ambiguous")
        _no_trace(a, "bool(Tensor)")
        return bool(np.asarray(a).reshape(()))

    def __float__(self):
        return float(self._real_item("double"))

    def __int__(self):
        return int(self._real_item("int64_t"))

    def _real_item(self, c_type):
        """The one element as a real number: a complex one only if its imaginary part is 0
        (PyTorch's checked conversion to c_type)."""
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        v = self.item()
        if isinstance(v, complex):
            if v.imag != 0:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
            v = v.real
        return v

    def __complex__(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return complex(self.item())

    def __index__(self):
        if self._dtype.is_floating_point or self._dtype.is_complex or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __reversed__(self):
        # (torch.Tensor.__reversed__: the tensor flipped along dim 0, a 0-d tensor unchanged)
        return self if self.dim() == 0 else self.flip(0)

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __str__(self):
        return self.__repr__()

    def __reduce_ex__(self, proto):
        from .. import _pickle_support
        return _pickle_support.reduce_tensor(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = object.__new__(type(self))
        new._arr = self._data
        new._dtype = self._dtype
        new._device = self._device
        new._requires_grad = self._requires_grad
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if k not in _FIELDS})
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        import copy
        for k in list(new.__dict__):
            if k not in _FIELDS:
                new.__dict__[k] = copy.deepcopy(new.__dict__[k], memo)
        return new

    def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
        if self.requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        kw = {} if max_version is None else {"max_version": max_version}
        if copy is not None:
            kw["copy"] = copy
        if dl_device is not None:
            kw["dl_device"] = dl_device
        if stream not in (-1, None) and self._device.type == "cuda":
            kw["stream"] = stream
        return self._data.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    # ---- device / dtype movement ----
    def to(self, *args, **kwargs):
        device, dtype, copy, memory_format = _parse_to_args(args, kwargs)
        t = self
        if device is not None:
            target = canonical(device, moving=True)
            if target != t._device:
                t = _device_put(t, target)
            elif target.type == "cpu" and device_index(device) is not None:
                copy = True  # (PyTorch copies for 'cpu:0', which differs from the tensor's 'cpu')
        if dtype is not None and dtype is not t._dtype:
            from .._ops.pointwise import _to_dtype
            t = _to_dtype(t, dtype)
        if memory_format is not None:
            _check_memory_format(t, memory_format)
        if copy and t is self:
            from .._ops.pointwise import _to_dtype
            t = _to_dtype(self, self._dtype)
        return t

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        from .device import device as _device_cls
        if device is None:
            device = "cuda"
        elif not isinstance(device, (str, int, _device_cls)) or isinstance(device, bool):
            raise TypeError("cuda(): argument 'device' (position 1) must be torch.device, not "
                            + type(device).__name__)
        if _device_cls(device).type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        return self.to(device, non_blocking=non_blocking, memory_format=memory_format)

    def cpu(self, *args, memory_format=None):
        if args:
            raise TypeError(f"cpu() takes 0 positional arguments but {len(args)} "
                            f"{'was' if len(args) == 1 else 'were'} given")
        return self.to("cpu", memory_format=memory_format)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _type_string(self)
        if isinstance(dtype, str):
            from .legacy import TYPE_NAMES
            if dtype.startswith("torch.cuda.") and dtype.replace(".cuda", "", 1) in TYPE_NAMES:
                from .device import _NO_CUDA_LIBRARY, gpus
                if not gpus():
                    raise RuntimeError(_NO_CUDA_LIBRARY)
                return self.to("cuda", TYPE_NAMES[dtype.replace(".cuda", "", 1)])
            if dtype not in TYPE_NAMES:
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to(TYPE_NAMES[dtype])
        if isinstance(dtype, type) and getattr(dtype, "is_cuda", False) is True:
            return self.type(f"torch.cuda.{dtype.__name__}")
        if isinstance(dtype, type) and hasattr(dtype, "_legacy_dtype"):
            return self.to(dtype._legacy_dtype)
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(_dt.float32)

    def double(self, memory_format=None):
        return self.to(_dt.float64)

    def half(self, memory_format=None):
        return self.to(_dt.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dt.bfloat16)

    def long(self, memory_format=None):
        return self.to(_dt.int64)

    def int(self, memory_format=None):
        return self.to(_dt.int32)

    def short(self, memory_format=None):
        return self.to(_dt.int16)

    def char(self, memory_format=None):
        return self.to(_dt.int8)

    def byte(self, memory_format=None):
        return self.to(_dt.uint8)

    def bool(self, memory_format=None):
        return self.to(_dt.bool)

    def cfloat(self):
        return self.to(_dt.complex64)

    def cdouble(self):
        return self.to(_dt.complex128)

    def chalf(self, memory_format=None):
        return self.to(_dt.complex32)  # raises: XLA has no complex32 arrays

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .._ops.creation import tensor
        return tensor(data, dtype=dtype or self._dtype, device=device or self._device,
                      requires_grad=requires_grad, _caller="tensor.new_tensor(sourceTensor)")

    def _new_filled(self, fill, size, dtype, device, requires_grad, fn, kw=None):
        from .._ops.creation import _fill, _factory_size, _fill_number, _checked_fill
        dtype = dtype or self._dtype
        if fn == "new_full":
            fill = _checked_fill(_fill_number(fill, fn), dtype)
        return _fill(_factory_size(size, kw or {}, fn), fill, dtype, device or self._device,
                     requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return self._new_filled(0, size, dtype, device, requires_grad, "new_zeros", kw)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return self._new_filled(1, size, dtype, device, requires_grad, "new_ones", kw)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return self._new_filled(0, size, dtype, device, requires_grad, "new_empty", kw)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kw):
        if not isinstance(size, (tuple, list)):
            kind = "Tensor" if isinstance(size, Tensor) else type(size).__name__
            raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {kind}")
        return self._new_filled(fill_value, (size,), dtype, device, requires_grad, "new_full")

    # arithmetic dunders and methods are installed by torchlike._ops


_FIELDS = frozenset(("_arr", "_base", "_chain", "_gbase", "_gchain", "_vsrc", "_varr", "_vnode",
                     "_requires_grad", "_grad", "_grad_fn", "_out_nr", "_acc", "_vcount", "_vfam", "_creation",
                     "_detached_view", "_dtype", "_device", "_retains", "_post_hooks",
                     "_inference"))


def _alias(t, src):
    """Make `t` a detached alias of `src`'s storage."""
    if src._base is None:
        t._base = src
        t._chain = ()
    else:
        t._base = src._base
        t._chain = src._chain
    if src._vfam is not None:
        t._vfam = src._vfam
    t._dtype = src._dtype
    t._device = src._device
    t._detached_view = True


def _overlap_error():
    raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                       "refers to a single memory location. Please clone() the tensor before "
                       "performing the operation.")


def _no_trace(a, what):
    if type(a) is MetaArray:  # (PyTorch's message names item() for bool(), float(), ...)
        raise RuntimeError("Tensor.item() cannot be called on meta tensors")
    if type(a) is LazyArray and a.value is None:
        a.trace.materialize(what)
        return
    if isinstance(a, jax.core.Tracer):
        from .._compile_errors import GraphBreak
        raise GraphBreak(f"{what} needs a concrete value")


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


_IDENTITY = jax.jit(lambda a: a)


def host_array(a, copy=True):
    """A numpy array as a new jax array on the default device. jit hands numpy arguments over
    on its C++ path (~7 µs; jnp.asarray and jax.device_put take ~50 µs on this CPU) and may
    adopt the buffer, so it gets a private copy unless the caller's array is already one."""
    return _IDENTITY(np.array(a) if copy else a)


def wrap(arr, requires_grad=False, device=None):
    """A Tensor around a jax or numpy array (no copy, no dtype change).

    Without ``device`` the tensor is labelled with the device its array lives on."""
    if isinstance(arr, np.ndarray):
        arr = host_array(arr)
    elif np.isscalar(arr):
        arr = jnp.asarray(arr)
    if device is not None and device.type == "meta" and type(arr) is not MetaArray:
        arr = MetaArray(arr.shape, arr.dtype)  # made on the CPU: only its shape is kept
    t = object.__new__(Tensor)
    t._arr = arr
    t._dtype = _BY_NP[arr.dtype]
    t._device = device or device_of(arr)
    if grad_mode.state.inference:
        t._inference = True
    if requires_grad:
        t.requires_grad_(True)
    return t


def _warn_non_leaf_grad():
    import warnings
    warnings.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the "
        ".grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
        "Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf "
        "Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.",
        UserWarning, stacklevel=3)


def _wrap_out(arr, device, node, nr):
    t = object.__new__(Tensor)
    t._arr = arr
    t._dtype = _BY_NP[arr.dtype]
    t._device = device or CPU
    if node is not None:
        t._grad_fn = node
        t._out_nr = nr
    elif grad_mode.state.inference:
        t._inference = True
    return t


def _check_inference_write(t):
    if t._root()._inference and not grad_mode.state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")


def _from_edge(arr, edge, device=None):
    """A tensor for a node input: the leaf itself, or a tensor carrying that history."""
    if edge is None:
        return wrap(arr, device=device)
    node, nr = edge
    if isinstance(node, AccumulateGrad):
        v = node.variable
        if v is not None:
            return v
    t = wrap(arr, device=device)
    t._grad_fn = node
    t._out_nr = nr
    return t


class _ToDeviceBackward:
    """The node of a device move: its backward moves the gradient back (not a jitted kernel:
    placement is decided outside XLA programs)."""

    pre_hooks = hooks = retained = tensor_pre_hooks = None
    released = False

    def __init__(self, edge, src, arr):
        self.edges = (edge,)
        self.needs = (True,)
        self.out_avals = ((arr.shape, arr.dtype, True),)
        self.metadata = {}
        self._src = src

    def name(self):
        return "ToCopyBackward0"

    @property
    def next_functions(self):
        return ((self.edges[0][0], self.edges[0][1]),)

    def apply(self, grads, create_graph):
        g = grads[0]
        if g is None:
            return [None]
        if create_graph:
            return [g.to(self._src)]
        return [jax.device_put(g, jax_device(self._src))]

    def release(self):
        self.released = True


def _device_put(t, device):
    a = t._data
    if type(a) is MetaArray:
        raise _meta.no_data()
    if device.type == "meta":
        return _wrap_out_dev(_meta.like(a), device)
    arr = jax.device_put(a, jax_device(device))
    out = _wrap_out_dev(arr, device)
    if grad_mode.state.enabled:
        h = t._history()
        if h is not None:
            out._grad_fn = _ToDeviceBackward(h, t._device, arr)
    return out


def _wrap_out_dev(arr, device):
    t = object.__new__(Tensor)
    t._arr = arr
    t._dtype = _BY_NP[arr.dtype]
    t._device = device
    if grad_mode.state.inference:
        t._inference = True
    return t


def _parse_to(args, kwargs):
    device, dtype, copy, _ = _parse_to_args(args, kwargs)
    return dtype, device, copy


_PY_DTYPES = {float: _dt.float64, int: _dt.int64, bool: _dt.bool, complex: _dt.complex128}


def _to_param_ok(name, v):
    from .device import device as _device_cls
    from .layouts import memory_format as _mf
    if name == "device":
        return v is None or isinstance(v, (str, _device_cls)) or (
            isinstance(v, int) and not isinstance(v, bool))
    if name == "dtype":
        return isinstance(v, _dt.dtype) or (isinstance(v, type) and v in _PY_DTYPES)
    if name == "tensor":
        return isinstance(v, Tensor)
    if name == "memory_format":
        return v is None or isinstance(v, _mf)
    return isinstance(v, bool)  # non_blocking, copy


_TO_TYPES = {"device": "torch.device", "dtype": "torch.dtype", "tensor": "Tensor",
             "memory_format": "torch.memory_format", "non_blocking": "bool", "copy": "bool"}
_TO_TAIL = "bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None"
# Tensor.to's overloads: (text, parameters ('*' counted, as PyTorch's messages do), required)
_TO_SIGNATURES = (
    ("torch.device device = None, torch.dtype dtype = None, " + _TO_TAIL,
     ("device", "dtype", "non_blocking", "copy", "*", "memory_format"), ()),
    ("torch.dtype dtype, " + _TO_TAIL, ("dtype", "non_blocking", "copy", "*", "memory_format"),
     ("dtype",)),
    ("Tensor tensor, " + _TO_TAIL, ("tensor", "non_blocking", "copy", "*", "memory_format"),
     ("tensor",)),
)


def _bind_to(sig, args, kwargs):
    """Tensor.to's arguments bound to one overload, or the first problem as an exception."""
    _, params, required = sig
    positional = params[:params.index("*")]
    if len(args) > len(positional):
        return TypeError(f"to() takes from 0 to {len(positional)} positional arguments but "
                         f"{len(args)} were given")
    given = dict(zip(positional, args))
    for k, v in kwargs.items():
        if k not in params or k == "*":
            return TypeError(f"to() got an unexpected keyword argument '{k}'")
        if k in given:
            return TypeError(f"to() got multiple values for argument '{k}'")
        given[k] = v
    for i, name in enumerate(positional + ("memory_format",)):
        if name in given and not (_to_param_ok(name, given[name])
                                  or (name == "dtype" and not required and given[name] is None)):
            where = f" (position {i + 1})" if name not in kwargs else ""
            return TypeError(f"to(): argument '{name}'{where} must be {_TO_TYPES[name]}, not "
                             f"{_typename(given[name])}")
    for name in required:
        if name not in given:
            return TypeError(f"to() missing required argument '{name}'")
    return given


def _parse_to_args(args, kwargs):
    """Tensor.to(...)'s arguments, parsed as PyTorch's three overloads are:
    (device, dtype, copy, memory_format)."""
    if not kwargs and len(args) == 1:  # the common calls, without matching the overloads
        a = args[0]
        if isinstance(a, _dt.dtype):
            return None, a, False, None
        if type(a) is str or isinstance(a, type(CPU)):
            return a, None, False, None
        if isinstance(a, Tensor):
            return a.device, a.dtype, False, None
    from .device import invalid_arguments
    if len(args) > 4:
        raise TypeError(f"to() takes from 0 to 4 positional arguments but {len(args)} were given")
    bound = [_bind_to(sig, args, kwargs) for sig in _TO_SIGNATURES]
    for b in bound:
        if isinstance(b, dict):
            break
    else:
        n = len(args) + len(kwargs)
        plausible = [b for sig, b in zip(_TO_SIGNATURES, bound)
                     if len(sig[2]) <= n <= len(sig[1]) - 1]
        if len(plausible) == 1:
            raise plausible[0]
        sigs = [(text, params, lambda a, params=params: [
            not _to_param_ok(p, v) for p, v in zip(params, a)]) for text, params, _ in
            _TO_SIGNATURES]
        raise invalid_arguments("to", args, kwargs, sigs)
    dtype = b.get("dtype")
    if "tensor" in b:
        device, dtype = b["tensor"].device, b["tensor"].dtype
    else:
        device = b.get("device")
    dtype = _PY_DTYPES.get(dtype, dtype) if not isinstance(dtype, _dt.dtype) else dtype
    return device, dtype, b.get("copy", False), b.get("memory_format")


def _typename(v):
    from .device import typename
    return typename(v)


def device_index(dev):
    """The index a device argument names explicitly (None when it names none)."""
    if isinstance(dev, type(CPU)):
        return dev.index
    if type(dev) is str and ":" not in dev:
        return None
    return type(CPU)(dev).index


def _check_memory_format(t, memory_format):
    rank = {"channels_last": 4, "channels_last_3d": 5}.get(memory_format._name)
    if rank is not None and t.dim() != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")


_TYPE_STR = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
             "float16": "torch.HalfTensor", "bfloat16": "torch.BFloat16Tensor",
             "int64": "torch.LongTensor", "int32": "torch.IntTensor",
             "int16": "torch.ShortTensor", "int8": "torch.CharTensor",
             "uint8": "torch.ByteTensor", "bool": "torch.BoolTensor",
             "complex64": "torch.ComplexFloatTensor", "complex128": "torch.ComplexDoubleTensor",
             "uint16": "torch.UInt16Tensor", "uint32": "torch.UInt32Tensor",
             "uint64": "torch.UInt64Tensor"}


def _type_string(t):
    s = _TYPE_STR.get(t._dtype._name, "torch." + t._dtype._name)
    if t._device.type == "cuda":
        s = s.replace("torch.", "torch.cuda.")
    return s


class _Storage:
    """A minimal untyped storage: identity of the shared data (for data_ptr comparisons)."""

    def __init__(self, root):
        self._root = root

    def data_ptr(self):
        return id(self._root) * 16

    def nbytes(self):
        return self._root.numel() * self._root._dtype.itemsize

    def size(self):
        return self.nbytes()

    def __len__(self):
        return self.nbytes()


def _legacy_new(cls, *args, **kwargs):
    """torch.Tensor(...) / torch.FloatTensor(...): the legacy constructors."""
    from .legacy import legacy_construct
    return legacy_construct(cls, _dt.get_default_dtype(), *args, **kwargs)
