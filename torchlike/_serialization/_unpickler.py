"""The weights_only unpickler: torch._weights_only_unpickler's allowlist interpreter, with the
torch globals a checkpoint names mapped to torchlike's equivalents. Nothing outside the
allowlist is imported or called."""

import pickle
import warnings
from _codecs import encode
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from collections import Counter, OrderedDict
from pickle import UnpicklingError, decode_long
from struct import unpack
from sys import maxsize

from . import _rebuild

# opcodes as ints (a bytes lookup per opcode is most of a pure-Python unpickler's time)
_ADDITEMS = pickle.ADDITEMS[0]
_APPEND = pickle.APPEND[0]
_APPENDS = pickle.APPENDS[0]
_BINBYTES = pickle.BINBYTES[0]
_BINBYTES8 = pickle.BINBYTES8[0]
_BINFLOAT = pickle.BINFLOAT[0]
_BINGET = pickle.BINGET[0]
_BININT = pickle.BININT[0]
_BININT1 = pickle.BININT1[0]
_BININT2 = pickle.BININT2[0]
_BINPERSID = pickle.BINPERSID[0]
_BINPUT = pickle.BINPUT[0]
_BINUNICODE = pickle.BINUNICODE[0]
_BINUNICODE8 = pickle.BINUNICODE8[0]
_BUILD = pickle.BUILD[0]
_EMPTY_DICT = pickle.EMPTY_DICT[0]
_EMPTY_LIST = pickle.EMPTY_LIST[0]
_EMPTY_SET = pickle.EMPTY_SET[0]
_EMPTY_TUPLE = pickle.EMPTY_TUPLE[0]
_FRAME = pickle.FRAME[0]
_FROZENSET = pickle.FROZENSET[0]
_GLOBAL = pickle.GLOBAL[0]
_LONG1 = pickle.LONG1[0]
_LONG4 = pickle.LONG4[0]
_LONG_BINGET = pickle.LONG_BINGET[0]
_LONG_BINPUT = pickle.LONG_BINPUT[0]
_MARK = pickle.MARK[0]
_MEMOIZE = pickle.MEMOIZE[0]
_NEWFALSE = pickle.NEWFALSE[0]
_NEWOBJ = pickle.NEWOBJ[0]
_NEWTRUE = pickle.NEWTRUE[0]
_NONE = pickle.NONE[0]
_PROTO = pickle.PROTO[0]
_REDUCE = pickle.REDUCE[0]
_SETITEM = pickle.SETITEM[0]
_SETITEMS = pickle.SETITEMS[0]
_SHORT_BINBYTES = pickle.SHORT_BINBYTES[0]
_SHORT_BINSTRING = pickle.SHORT_BINSTRING[0]
_SHORT_BINUNICODE = pickle.SHORT_BINUNICODE[0]
_STACK_GLOBAL = pickle.STACK_GLOBAL[0]
_STOP = pickle.STOP[0]
_TUPLE = pickle.TUPLE[0]
_TUPLE1 = pickle.TUPLE1[0]
_TUPLE2 = pickle.TUPLE2[0]
_TUPLE3 = pickle.TUPLE3[0]

_blocklisted_modules = ["sys", "os", "posix", "nt"]
_marked_safe_globals_set = set()

# torch globals in torch's allowlist that torchlike cannot rebuild: a clear error, not a wrong value
_UNSUPPORTED = (
    [
        "torch._utils." + n
        for n in (
            "_rebuild_qtensor",
            "_rebuild_sparse_tensor",
            "_rebuild_meta_tensor_no_storage",
            "_rebuild_nested_tensor",
            "_rebuild_wrapper_subclass",
        )
    ]
    + ["torch.serialization._get_layout", "torch.storage.TypedStorage"]
    + [
        "torch." + n
        for n in (
            "per_tensor_affine",
            "per_tensor_symmetric",
            "per_channel_affine",
            "per_channel_symmetric",
            "per_channel_affine_float_qparams",
            "qint8",
            "quint8",
            "qint32",
            "quint4x2",
            "quint2x4",
            "complex32",
            "float8_e5m2",
            "float8_e4m3fn",
            "float8_e5m2fnuz",
            "float8_e4m3fnuz",
            "float8_e8m0fnu",
            "float4_e2m1fn_x2",
            "bits8",
            "bits16",
            "bits1x8",
            "bits2x4",
            "bits4x2",
            "QInt32Storage",
            "QInt8Storage",
            "QUInt2x4Storage",
            "QUInt4x2Storage",
            "QUInt8Storage",
        )
    ]
    + [f"torch.{p}int{x}" for p in ("", "u") for x in range(1, 8)]
    + [
        f"torch.{s}.{t}Tensor"
        for s in ("sparse", "cuda.sparse")
        for t in ("BFloat16", "Byte", "Char", "Double", "Float", "Half", "Int", "Long", "Short")
    ]
)

_TENSOR_TYPES = (
    "BFloat16",
    "Bool",
    "Byte",
    "Char",
    "Double",
    "Float",
    "Half",
    "Int",
    "Long",
    "Short",
)


def _build_allowed():
    import torchlike as tl

    from ..nn.parameter import Parameter

    rc = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": tl.Size,
        "torch.Tensor": tl.Tensor,
        "torch.device": tl.device,
        "_codecs.encode": encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    for d in tl._dtypes.ALL:
        rc[f"torch.{d._name}"] = d
    for name in _rebuild.STORAGE_DTYPES:
        rc[f"torch.{name}"] = rc[f"torch.cuda.{name}"] = _rebuild.StorageType(name)
    rc["torch.storage.UntypedStorage"] = _rebuild.UNTYPED
    for t in _TENSOR_TYPES:
        for prefix in ("torch.", "torch.cuda."):
            legacy = getattr(tl, f"{t}Tensor", None)
            if legacy is not None:
                rc[f"{prefix}{t}Tensor"] = legacy
    for f in (
        _rebuild._rebuild_tensor,
        _rebuild._rebuild_tensor_v2,
        _rebuild._rebuild_tensor_v3,
        _rebuild._rebuild_parameter,
        _rebuild._rebuild_parameter_with_state,
        _rebuild._rebuild_device_tensor_from_cpu_tensor,
        _rebuild._rebuild_device_tensor_from_numpy,
    ):
        rc[f"torch._utils.{f.__name__}"] = f
    rc["torch._tensor._rebuild_from_type_v2"] = _rebuild._rebuild_from_type_v2
    from ..sparse._coo import _get_layout, _rebuild_sparse_tensor
    rc["torch._utils._rebuild_sparse_tensor"] = _rebuild_sparse_tensor
    rc["torch.serialization._get_layout"] = _get_layout
    for name in _UNSUPPORTED:
        rc.setdefault(name, _rebuild.unsupported(name))
    return rc


_allowed = None


def _get_allowed_globals():
    global _allowed
    if _allowed is None:
        _allowed = _build_allowed()
    return _allowed


def _get_user_allowed_globals():
    rc = {}
    for f in _marked_safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(
                    f"Expected tuple of length 2 (global, str of callable full "
                    f"path), but got tuple of length: {len(f)}"
                )
            if type(f[1]) is not str:
                raise TypeError(
                    f"Expected second item in tuple to be str of callable full "
                    f"path, but got: {type(f[1])}"
                )
            f, name = f
            rc[name] = f
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


def _read_global_instruction(readline):
    module = readline()[:-1].decode("utf-8")
    name = readline()[:-1].decode("utf-8")
    return _map_name(module, name)


def _map_name(module, name):
    # protocol-2 pickles from Python 2 use the old module names
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    return module, name


def _unsupported_global_error(full_path):
    if full_path.startswith("builtins"):
        rest = full_path[len("builtins") :]
        full_path = rest[1:] if rest.startswith(".") else "builtins" + rest
    return UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. Please use "
        f"`torchlike.serialization.add_safe_globals([{full_path}])` or the "
        f"`torchlike.serialization.safe_globals([{full_path}])` context manager to allowlist "
        "this global if you trust this class/function."
    )


def get_globals_in_pkl(file):
    """The full names of every GLOBAL a protocol-2 pickle names, without running it."""
    found = set()
    read, readline = file.read, file.readline
    skip = {
        op[0]: 0
        for op in (
            pickle.NEWOBJ,
            pickle.REDUCE,
            pickle.BUILD,
            pickle.APPEND,
            pickle.APPENDS,
            pickle.SETITEM,
            pickle.SETITEMS,
            pickle.MARK,
            pickle.TUPLE,
            pickle.TUPLE1,
            pickle.TUPLE2,
            pickle.TUPLE3,
            pickle.NONE,
            pickle.NEWFALSE,
            pickle.NEWTRUE,
            pickle.EMPTY_TUPLE,
            pickle.EMPTY_LIST,
            pickle.EMPTY_DICT,
            pickle.EMPTY_SET,
            pickle.BINPERSID,
            pickle.MEMOIZE,
            pickle.ADDITEMS,
            pickle.FROZENSET,
        )
    }
    skip.update(
        {
            _BININT: 4,
            _BININT1: 1,
            _BININT2: 2,
            _BINFLOAT: 8,
            _BINGET: 1,
            _LONG_BINGET: 4,
            _BINPUT: 1,
            _LONG_BINPUT: 4,
            _FRAME: 8,
        }
    )
    while True:
        key = read(1)
        if not key:
            raise EOFError
        k = key[0]
        if k == _GLOBAL:
            module, name = _read_global_instruction(readline)
            found.add(f"{module}.{name}")
        elif k in skip:
            read(skip[k])
        elif k in (_BINUNICODE, _BINBYTES):
            strlen = unpack("<I", read(4))[0]
            if strlen > maxsize:
                raise UnpicklingError("String is too long")
            read(strlen)
        elif k in (
            _SHORT_BINSTRING,
            _LONG1,
            _SHORT_BINUNICODE,
            _SHORT_BINBYTES,
        ):
            read(read(1)[0])
        elif k == _PROTO:
            read(1)
        elif k == _STOP:
            return found
        else:
            raise UnpicklingError(f"Unsupported operand {k}")


class Unpickler:
    """torch's weights_only Unpickler, resolving globals to torchlike objects."""

    def __init__(self, file, *, encoding="bytes"):
        self.encoding = encoding
        self.readline = file.readline
        self.read = file.read
        self.memo = {}
        self.proto = -1

    def _find(self, module, name):
        full_path = f"{module}.{name}"
        if module in _blocklisted_modules:
            raise UnpicklingError(
                f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked."
            )
        if full_path in self._globals:
            return self._globals[full_path]
        if full_path in self._user:
            return self._user[full_path]
        raise _unsupported_global_error(full_path)

    def _allowed(self, obj):
        # identity, as torch's `in dict.values()` amounts to for these objects
        return id(obj) in self._ok

    def load(self):
        import torchlike as tl

        from ..nn.parameter import Parameter

        self._globals = _get_allowed_globals()
        self._user = _get_user_allowed_globals()
        self._ok = {id(v) for v in self._globals.values()} | {id(v) for v in self._user.values()}
        self.metastack = []
        self.stack = []
        self.append = self.stack.append
        read = self.read
        memo = self.memo
        while True:
            key = read(1)
            if not key:
                raise EOFError
            k = key[0]
            # the most frequent opcodes first
            if k == _BINPUT:
                memo[read(1)[0]] = self.stack[-1]
            elif k == _BINGET:
                idx = read(1)[0]
                if idx not in memo:
                    raise UnpicklingError(f"Memo value not found at index {idx}")
                self.append(memo[idx])
            elif k == _GLOBAL:
                self.append(self._find(*_read_global_instruction(self.readline)))
            elif k == _STACK_GLOBAL:
                name, module = self.stack.pop(), self.stack.pop()
                if type(name) is not str or type(module) is not str:
                    raise UnpicklingError("STACK_GLOBAL requires str")
                self.append(self._find(*_map_name(module, name)))
            elif k == _NEWOBJ:
                args = self.stack.pop()
                cls = self.stack.pop()
                if cls is Parameter:
                    self.append(Parameter(*args))
                elif isinstance(cls, type) and self._allowed(cls):
                    self.append(cls.__new__(cls, *args))
                else:
                    raise UnpicklingError(
                        "Can only create new object for nn.Parameter or classes "
                        f"allowlisted via `add_safe_globals` but got {cls}"
                    )
            elif k == _REDUCE:
                args = self.stack.pop()
                func = self.stack[-1]
                if not self._allowed(func):
                    msg = f"Trying to call reduce for unrecognized function {func}"
                    if hasattr(func, "__self__"):
                        msg += f" which belongs to {func.__self__}"
                    raise UnpicklingError(msg)
                if type(args) is not tuple:
                    raise UnpicklingError("REDUCE arguments must be a tuple")
                self.stack[-1] = func(*args)
            elif k == _BUILD:
                state = self.stack.pop()
                inst = self.stack[-1]
                if type(inst) is tl.Tensor:
                    raise NotImplementedError(
                        "torchlike.load: legacy Tensor BUILD (set_) is not supported"
                    )
                elif type(inst) is Parameter or type(inst) is OrderedDict:
                    if state:
                        _rebuild._set_obj_state(inst, state) if type(
                            inst
                        ) is Parameter else inst.__dict__.update(state)
                elif self._allowed(type(inst)):
                    if hasattr(inst, "__setstate__"):
                        inst.__setstate__(state)
                    else:
                        slotstate = None
                        if isinstance(state, tuple) and len(state) == 2:
                            state, slotstate = state
                        if state:
                            inst.__dict__.update(state)
                        if slotstate:
                            for sk, sv in slotstate.items():
                                setattr(inst, sk, sv)
                else:
                    raise UnpicklingError(
                        "Can only build Tensor, Parameter, OrderedDict or types "
                        f"allowlisted via `add_safe_globals`, but got {type(inst)}"
                    )
            elif k == _APPEND:
                item = self.stack.pop()
                if type(self.stack[-1]) is not list:
                    raise UnpicklingError(
                        f"Can only append to lists, but got {type(self.stack[-1])}"
                    )
                self.stack[-1].append(item)
            elif k == _APPENDS:
                items = self.pop_mark()
                if type(self.stack[-1]) is not list:
                    raise UnpicklingError(f"Can only extend lists, but got {type(self.stack[-1])}")
                self.stack[-1].extend(items)
            elif k == _SETITEM:
                v, kk = self.stack.pop(), self.stack.pop()
                self._check_set_item_target("SETITEM")
                self.stack[-1][kk] = v
            elif k == _SETITEMS:
                items = self.pop_mark()
                self._check_set_item_target("SETITEMS")
                for i in range(0, len(items), 2):
                    self.stack[-1][items[i]] = items[i + 1]
            elif k == _ADDITEMS:
                items = self.pop_mark()
                if type(self.stack[-1]) is not set:
                    raise UnpicklingError(f"Can only add to sets, but got {type(self.stack[-1])}")
                self.stack[-1].update(items)
            elif k == _FROZENSET:
                items = self.pop_mark()  # pop first: pop_mark rebinds self.append
                self.append(frozenset(items))
            elif k == _MARK:
                self.metastack.append(self.stack)
                self.stack = []
                self.append = self.stack.append
            elif k == _TUPLE:
                items = self.pop_mark()
                self.append(tuple(items))
            elif k == _TUPLE1:
                self.stack[-1] = (self.stack[-1],)
            elif k == _TUPLE2:
                self.stack[-2:] = [(self.stack[-2], self.stack[-1])]
            elif k == _TUPLE3:
                self.stack[-3:] = [(self.stack[-3], self.stack[-2], self.stack[-1])]
            elif k == _NONE:
                self.append(None)
            elif k == _NEWFALSE:
                self.append(False)
            elif k == _NEWTRUE:
                self.append(True)
            elif k == _EMPTY_TUPLE:
                self.append(())
            elif k == _EMPTY_LIST:
                self.append([])
            elif k == _EMPTY_DICT:
                self.append({})
            elif k == _EMPTY_SET:
                self.append(set())
            elif k == _BININT:
                self.append(unpack("<i", read(4))[0])
            elif k == _BININT1:
                self.append(read(1)[0])
            elif k == _BININT2:
                self.append(unpack("<H", read(2))[0])
            elif k == _BINFLOAT:
                self.append(unpack(">d", read(8))[0])
            elif k in (_BINUNICODE, _SHORT_BINUNICODE, _BINUNICODE8):
                n = self._length(k, pickle.SHORT_BINUNICODE, pickle.BINUNICODE8)
                self.append(str(self._read_exact(n), "utf-8", "surrogatepass"))
            elif k in (_BINBYTES, _SHORT_BINBYTES, _BINBYTES8):
                n = self._length(k, pickle.SHORT_BINBYTES, pickle.BINBYTES8)
                self.append(self._read_exact(n))
            elif k == _SHORT_BINSTRING:
                data = self._read_exact(read(1)[0])
                self.append(
                    data if self.encoding == "bytes" else data.decode(self.encoding, "strict")
                )
            elif k == _BINPERSID:
                pid = self.stack.pop()
                if type(pid) is not tuple and type(pid) is not int:
                    raise UnpicklingError(
                        f"persistent_load id must be tuple or int, but got {type(pid)}"
                    )
                if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != "storage":
                    raise UnpicklingError(
                        f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
                    )
                self.append(self.persistent_load(pid))
            elif k in (_BINGET, _LONG_BINGET):
                idx = read(1)[0] if k == _BINGET else unpack("<I", read(4))[0]
                if idx not in self.memo:
                    raise UnpicklingError(f"Memo value not found at index {idx}")
                self.append(self.memo[idx])
            elif k in (_BINPUT, _LONG_BINPUT):
                i = read(1)[0] if k == _BINPUT else unpack("<I", read(4))[0]
                self.memo[i] = self.stack[-1]
            elif k == _MEMOIZE:
                self.memo[len(self.memo)] = self.stack[-1]
            elif k == _LONG1:
                self.append(decode_long(self._read_exact(read(1)[0])))
            elif k == _LONG4:
                self.append(decode_long(self._read_exact(unpack("<i", read(4))[0])))
            elif k == _FRAME:
                read(8)
            elif k == _PROTO:
                self.proto = read(1)[0]
                if self.proto > 2:
                    warnings.warn(
                        f"Detected pickle protocol {self.proto} in the checkpoint, which was not "
                        "the default pickle protocol used by `torch.load` (2). The weights_only "
                        "Unpickler might not support all instructions implemented by this "
                        "protocol, please file an issue for adding support if you encounter this.",
                        stacklevel=2,
                    )
            elif k == _STOP:
                return self.stack.pop()
            else:
                raise UnpicklingError(f"Unsupported operand {k}")

    def _length(self, k, short, long8):
        if k == short[0]:
            return self.read(1)[0]
        n = unpack("<Q", self.read(8))[0] if k == long8[0] else unpack("<I", self.read(4))[0]
        if n > maxsize:
            raise UnpicklingError("String is too long")
        return n

    def _read_exact(self, n):
        data = self.read(n)
        if len(data) != n:
            raise UnpicklingError("pickle data was truncated")
        return data

    def pop_mark(self):
        if not self.metastack:
            raise UnpicklingError("could not find MARK")
        items = self.stack
        self.stack = self.metastack.pop()
        self.append = self.stack.append
        return items

    def _check_set_item_target(self, opcode):
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(self.stack[-1])}"
            )

    def persistent_load(self, pid):
        raise UnpicklingError("unsupported persistent id encountered")


def _decode_ascii(s):
    return str(s, "ascii") if isinstance(s, bytes) else s
