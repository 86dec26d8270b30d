"""Make `import torch` (and every `torch.X.Y`) resolve to torchlike's modules."""

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import types

__all__ = ["install_as_torch", "is_installed", "uninstall_as_torch"]

_ALIAS = "torch"
_TARGET = "torchlike"


def _target_name(fullname: str) -> str:
    return _TARGET + fullname[len(_ALIAS) :]


def _alias_name(target: str) -> str:
    return _ALIAS + target[len(_TARGET) :]


def _is_alias(fullname: str) -> bool:
    return fullname == _ALIAS or fullname.startswith(_ALIAS + ".")


class _Unsupported:
    """Stands for an attribute of a torch submodule torchlike lacks; using it raises.

    Assigning attributes is allowed and remembered (`torch._dynamo.config.x = 1` is common
    set-up code that must not stop a script); calling, iterating or testing it raises.
    """

    __slots__ = ("_attrs", "_name")

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_attrs", {})

    def _fail(self, *args, **kwargs):
        raise NotImplementedError(f"{self._name} is not supported by torchlike yet")

    __call__ = _fail
    __mro_entries__ = _fail
    __iter__ = _fail
    __bool__ = _fail
    __enter__ = _fail

    def __setattr__(self, name, value):
        self._attrs[name] = value

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if name not in self._attrs:
            self._attrs[name] = _Unsupported(f"{self._name}.{name}")
        return self._attrs[name]

    def __repr__(self):
        return f"<unsupported {self._name}>"


class _Placeholder(types.ModuleType):
    """A torch submodule torchlike does not have: importing works, using it raises."""

    def __init__(self, name: str):
        super().__init__(name, f"Placeholder for {name}, which torchlike does not support yet.")
        # A package, so `import torch.X.Y` below a placeholder works too.
        self.__path__ = []

    def __getattr__(self, name):
        # The import system and introspection probe dunders; they must look absent.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _Unsupported(f"{self.__name__}.{name}")
        setattr(self, name, value)  # the same object next time, so assignments on it stick
        return value

    def __repr__(self):
        return f"<placeholder module {self.__name__!r} (not supported by torchlike)>"


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already-imported module instead of executing one."""

    def __init__(self, module):
        self._module = module
        self._spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self._module

    def exec_module(self, module):
        # module_from_spec() overwrote __spec__ with the alias spec; torchlike's own modules
        # must keep theirs (relative imports and reload() read it).
        if self._spec is not None:
            module.__spec__ = self._spec


class _TorchFinder(importlib.abc.MetaPathFinder):
    """Meta path finder that resolves `torch` and `torch.X.Y` to `torchlike`, `torchlike.X.Y`."""

    def find_spec(self, fullname, path=None, target=None):
        if not _is_alias(fullname):
            return None
        module = _resolve(_target_name(fullname))
        is_pkg = hasattr(module, "__path__")
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=is_pkg)


def _resolve(target: str):
    """torchlike's module named `target`, or a placeholder for it when torchlike lacks it."""
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as e:
        # Only a missing *torchlike* module becomes a placeholder; a missing dependency
        # inside an existing one is a real error and must surface.
        missing = e.name or ""
        if not (missing == target or target.startswith(missing + ".")):
            raise
        if not (missing == _TARGET or missing.startswith(_TARGET + ".")):
            raise
    parent_name, _, child = target.rpartition(".")
    parent = sys.modules.get(parent_name)
    attr = getattr(parent, child, None) if parent is not None else None
    if isinstance(attr, types.ModuleType):
        return attr
    placeholder = _Placeholder(_alias_name(target))
    if attr is not None:
        # e.g. torch.version is a plain object in torchlike: serve its attributes.
        for k in dir(attr):
            if not k.startswith("__"):
                setattr(placeholder, k, getattr(attr, k))
    return placeholder


_finder = _TorchFinder()

# What `import torch` alone makes reachable as attributes (torch.nn.functional.relu,
# torch.utils.data.DataLoader, ...): every public subpackage torchlike has, and these.
_EAGER_NESTED = (
    "nn.functional",
    "nn.init",
    "nn.utils",
    "nn.utils.rnn",
    "optim.lr_scheduler",
    "utils.data",
    "utils.checkpoint",
    "cuda.amp",
    "backends.cuda",
    "backends.cudnn",
)


def _import_eager():
    import pkgutil

    top = importlib.import_module(_TARGET)
    subs = [m.name for m in pkgutil.iter_modules(top.__path__) if not m.name.startswith("_")]
    for sub in (*subs, *_EAGER_NESTED):
        name = f"{_TARGET}.{sub}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if not (e.name and (name == e.name or name.startswith(e.name + "."))):
                raise
            continue
        # `torch.X.Y` must be the subpackage even where a star import bound another module
        # of the same name on the parent (as the import system does for `import torch.X.Y`).
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)


# Processes that multiprocessing starts fresh (spawn, forkserver: DataLoader workers, say)
# import the script's modules again; they must see torchlike as torch too. Both start
# methods launch `python -c "from multiprocessing... "` through util.spawnv_passfds.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CHILD_PREFIX = (
    f"import sys; sys.path.insert(0, {_ROOT!r}); "
    "from torchlike._dropin import install_as_torch; install_as_torch(); del sys.path[0]; "
)
_orig_spawnv_passfds = None


def _spawnv_passfds(path, args, passfds):
    args = list(args)
    for i in range(len(args) - 1):
        if args[i] == "-c" and args[i + 1].startswith("from multiprocessing"):
            args[i + 1] = _CHILD_PREFIX + args[i + 1]
            break
    return _orig_spawnv_passfds(path, args, passfds)


def _patch_multiprocessing(on: bool) -> None:
    global _orig_spawnv_passfds
    from multiprocessing import util

    if on and _orig_spawnv_passfds is None:
        _orig_spawnv_passfds = util.spawnv_passfds
        util.spawnv_passfds = _spawnv_passfds
    elif not on and _orig_spawnv_passfds is not None:
        util.spawnv_passfds = _orig_spawnv_passfds
        _orig_spawnv_passfds = None


def is_installed() -> bool:
    """Whether `import torch` currently resolves to torchlike."""
    return _finder in sys.meta_path


def install_as_torch() -> None:
    """Make `import torch` and every `torch.X.Y` import resolve to torchlike's modules.

    Differs from PyTorch: this has no PyTorch counterpart; it is how `python -m torchlike`
    runs an unmodified PyTorch script.
    """
    existing = sys.modules.get(_ALIAS)
    if existing is not None and getattr(existing, "__name__", None) != _TARGET:
        raise RuntimeError(
            "install_as_torch(): the real torch is already imported in this process; "
            "call it before anything imports torch"
        )
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    sys.modules[_ALIAS] = importlib.import_module(_TARGET)
    _import_eager()
    _patch_multiprocessing(True)
    # Submodules torchlike has already imported answer `import torch.X` directly.
    for name, mod in list(sys.modules.items()):
        if name.startswith(_TARGET + ".") and isinstance(mod, types.ModuleType):
            sys.modules.setdefault(_alias_name(name), mod)


def uninstall_as_torch() -> None:
    """Undo install_as_torch(): forget the `torch` aliases."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _patch_multiprocessing(False)
    for name in [n for n in sys.modules if _is_alias(n)]:
        mod = sys.modules[name]
        if isinstance(mod, _Placeholder) or getattr(mod, "__name__", "").startswith(_TARGET):
            del sys.modules[name]
