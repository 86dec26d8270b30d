"""torch.jit: TorchScript's entry points, for scripts that use them for speed or export.

Differs from PyTorch: torchlike has no TorchScript compiler. `script` and `trace` return a
module (or function) that runs the original Python code and shares its parameters, where
PyTorch would succeed; `torch.compile` is torchlike's way to compile a model. `jit.save`
writes the scripted module with `torch.save` (a pickled module, readable by torchlike's
`jit.load`), and TorchScript archives written by PyTorch cannot be loaded.
"""

import functools
import os
import warnings
from typing import Any, Final  # noqa: F401 - torch.jit.Final is typing.Final

__all__ = [
    "Attribute", "Error", "Final", "ScriptFunction", "ScriptModule", "annotate", "enable_onednn_fusion",
    "export", "fork", "freeze", "ignore", "interface", "is_scripting", "is_tracing", "isinstance",
    "load", "onednn_fusion_enabled", "optimize_for_inference", "save", "script", "script_if_tracing",
    "script_method", "set_fusion_strategy", "strict_fusion", "trace", "trace_module", "unused", "wait",
]

_builtin_isinstance = isinstance


def _deprecated(name, instead="Please switch to `torch.compile` or `torch.export`."):
    # PyTorch 2.13 deprecates TorchScript; its warnings point at torch's own frames, so they
    # are hidden by Python's default filters, as these are.
    warnings.warn(f"`torch.jit.{name}` is deprecated. {instead}", DeprecationWarning, stacklevel=2)


class Error(RuntimeError):
    """torch.jit.Error."""


# ---- markers: what TorchScript's compiler reads; here they leave the function as it is ----


def ignore(drop=False, **kwargs):
    """Leave a method to Python (TorchScript would not compile it); usable with or without ()."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """Mark a method TorchScript would replace with a raise; it still runs in Python here."""
    return fn


def export(fn):
    """Mark a method TorchScript compiles as an entry point."""
    return fn


def interface(obj):
    return obj


def script_method(fn):
    _deprecated("script_method")
    return fn


def is_scripting() -> bool:
    """False: code never runs under TorchScript's compiler in torchlike."""
    return False


def is_tracing() -> bool:
    return False


def annotate(the_type, the_value):
    return the_value


def isinstance(obj, target_type):
    return _builtin_isinstance(obj, target_type)


class Attribute:
    """torch.jit.Attribute(value, type): the value itself, as in eager PyTorch."""

    def __new__(cls, value, type=None):
        return value


# ---- script / trace ------------------------------------------------------------------------


class ScriptModule:
    """Base of what `torch.jit.script(module)` returns (mixed into the module's own class)."""

    @property
    def code(self):
        raise NotImplementedError("ScriptModule.code: torchlike has no TorchScript compiler, so "
                                  "there is no TorchScript code to show")

    graph = code
    inlined_graph = code

    def save(self, f, **kwargs):
        """Write the module as `torch.jit.save(self, f)` does."""
        save(self, f, **kwargs)

    def __reduce_ex__(self, protocol):
        # Pickle the plain module (its class is importable; the scripted one is made on the fly).
        plain = object.__new__(type(self).__bases__[1])
        plain.__dict__.update(self.__dict__)
        return (_script_again, (plain,))


RecursiveScriptModule = ScriptModule
_SCRIPTED_CLASSES = {}


def _scripted_class(cls):
    sub = _SCRIPTED_CLASSES.get(cls)
    if sub is None:
        sub = type(cls.__name__, (ScriptModule, cls), {"__module__": cls.__module__,
                                                       "__qualname__": cls.__qualname__})
        _SCRIPTED_CLASSES[cls] = sub
    return sub


def _script_again(module, memo=None):
    """A scripted copy of `module`: its parameters and buffers are the module's own (as in
    PyTorch), each submodule a scripted copy, so train()/eval() on one leaves the other alone."""
    if _builtin_isinstance(module, ScriptModule):
        return module
    memo = {} if memo is None else memo
    if id(module) in memo:
        return memo[id(module)]
    scripted = object.__new__(_scripted_class(type(module)))
    memo[id(module)] = scripted
    scripted.__dict__.update(module.__dict__)
    modules = module.__dict__.get("_modules")
    if modules:
        scripted.__dict__["_modules"] = {
            name: None if child is None else _script_again(child, memo)
            for name, child in modules.items()}
    return scripted


class ScriptFunction:
    """What `torch.jit.script(fn)` returns: calls `fn`."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self._fn = fn

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    code = ScriptModule.code
    graph = ScriptModule.code

    def save(self, f, **kwargs):
        save(self, f, **kwargs)


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """torch.jit.script: a module/function running the same Python code (see the module doc)."""
    from ..nn import Module

    _deprecated("script")
    if _builtin_isinstance(obj, (ScriptModule, ScriptFunction)):
        return obj
    if _builtin_isinstance(obj, Module):
        return _script_again(obj)
    if _builtin_isinstance(obj, type):
        return obj  # a TorchScript class is an ordinary class
    if callable(obj):
        return ScriptFunction(obj)
    raise RuntimeError(f"torch.jit.script: cannot script an object of type {type(obj).__name__}")


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """torch.jit.trace: the module (as `script` returns it) or function, not run here.

    Differs from PyTorch: the example inputs are not run through `func`, so tracing consumes
    no random numbers and does not update BatchNorm statistics.
    """
    from ..nn import Module

    _deprecated("trace")
    if _builtin_isinstance(func, Module):
        return _script_again(func)
    return ScriptFunction(func)


def trace_module(mod, inputs, **kwargs):
    _deprecated("trace_module")
    return _script_again(mod)


def script_if_tracing(fn):
    return fn


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """torch.jit.freeze: the eval-mode scripted module (nothing to inline without TorchScript)."""
    _deprecated("freeze", "Please use `torch.compile` instead.")
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    return mod


def optimize_for_inference(mod, other_methods=None):
    _deprecated("optimize_for_inference", "Please use `torch.compile` instead.")
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    return mod.eval() if mod.training else mod


# ---- save / load ---------------------------------------------------------------------------


def save(m, f, _extra_files=None):
    """Write a scripted module (torchlike's format: a pickled module; see the module doc)."""
    from ..serialization import save as _save

    _deprecated("save", "Please switch to `torch.export`.")
    if not _builtin_isinstance(m, (ScriptModule, ScriptFunction)):
        raise AttributeError(f"'{type(m).__name__}' object has no attribute 'save'")
    _save(m, f)


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """Read what `jit.save` wrote; a TorchScript archive from PyTorch raises NotImplementedError."""
    import zipfile

    from ..serialization import load as _load

    _deprecated("load", "Please switch to `torch.export`.")
    if _builtin_isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
    if _builtin_isinstance(f, (str, os.PathLike)) or hasattr(f, "seek"):
        pos = f.tell() if hasattr(f, "tell") else None
        try:
            with zipfile.ZipFile(f) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            names = []
        if pos is not None:
            f.seek(pos)
        if any(n.endswith("/constants.pkl") for n in names):
            raise NotImplementedError(
                "torch.jit.load: this is a TorchScript archive written by PyTorch; torchlike has "
                "no TorchScript interpreter. Save the model's state_dict with torch.save in "
                "PyTorch and load it into the Python model with torch.load")
    obj = _load(f, map_location=map_location, weights_only=False)
    if not _builtin_isinstance(obj, (ScriptModule, ScriptFunction)):
        raise RuntimeError("PytorchStreamReader failed locating file constants.pkl: file not "
                           "found (torch.jit.load reads what torch.jit.save wrote; use "
                           "torch.load for other files)")
    return obj


# ---- async and fuser settings --------------------------------------------------------------


class Future:
    """torch.jit.Future of `fork`: the value, computed when forked."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True


def fork(func, *args, **kwargs):
    """Run `func` now (PyTorch may run it on its inter-op pool; the values are the same)."""
    _deprecated("fork", "Please use `torch.compile` instead.")
    return Future(func(*args, **kwargs))


def wait(future):
    _deprecated("wait", "Please use `torch.compile` instead.")
    return future.wait()


_fusion = {"onednn": False, "strategy": [("STATIC", 2), ("DYNAMIC", 10)]}


def enable_onednn_fusion(enabled: bool) -> None:
    _fusion["onednn"] = bool(enabled)


def onednn_fusion_enabled() -> bool:
    return _fusion["onednn"]


def set_fusion_strategy(strategy):
    _deprecated("set_fusion_strategy", "Please use `torch.compile` instead.")
    old, _fusion["strategy"] = _fusion["strategy"], list(strategy)
    return old


class strict_fusion:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class optimized_execution:
    def __init__(self, should_optimize):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


fuser = optimized_execution
