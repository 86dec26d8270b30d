"""torch.compile: a step's array work runs as one cached XLA program per call.

The step's Python runs on every call, exactly as in eager mode, while every kernel call is
recorded lazily (see torchlike/_lazy.py); at the end of the call the recorded work runs as a
single jitted program whose inputs are the tensors and Python scalars it read (parameters,
`.grad`, optimizer state, learning rates, random masks) and whose outputs are written back
into the same Python objects. Programs are cached by recorded structure (which kernels, which
shapes and dtypes), so a new learning rate never recompiles; a new shape does. Python that
needs a concrete value mid-step (`.item()`, printing, branching on a tensor) splits the step
into several programs — still correct — with one warning naming the cause; with
`fullgraph=True` that is an error.
"""

import functools
import logging
import os
import sys
import warnings

from jax.tree_util import tree_leaves as jax_tree_leaves

from . import _lazy

log = logging.getLogger("torchlike.compile")


class Unsupported(RuntimeError):
    """A compiled step with fullgraph=True needed a concrete value (a graph break)."""


def _user_line():
    f = sys._getframe(1)
    pkg = os.path.dirname(os.path.abspath(__file__))
    while f is not None:
        fn = os.path.abspath(f.f_code.co_filename)
        if not fn.startswith(pkg) and "jax" not in fn.split(os.sep)[-3:-1]:
            return f"{f.f_code.co_filename}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


class CompiledFunction:
    """A function whose calls run as cached XLA programs."""

    def __init__(self, fn, fullgraph=False, disable=False):
        self.fn = fn
        self.fullgraph = fullgraph
        self.disable = disable
        self.programs = {}
        self.spare_choice = {}  # program key -> whether to add spare buffers (_lazy.release)
        self.compile_count = 0
        self.graph_breaks = 0
        self._warned = set()
        self.lazy_backward = False
        functools.update_wrapper(self, fn)

    def graph_break(self, why):
        self.graph_breaks += 1
        where = _user_line()
        if self.fullgraph:
            raise Unsupported(f"torch.compile(fullgraph=True): {why} at {where}; the step cannot "
                              "be one XLA program")
        if (why, where) not in self._warned:
            self._warned.add((why, where))
            warnings.warn(f"torchlike.compile: graph break at {where}: {why}; the step runs as "
                          "several XLA programs", stacklevel=3)

    def on_compile(self, key):
        self.compile_count += 1
        if os.environ.get("TORCHLIKE_LOGS_RECOMPILES"):
            log.warning("torchlike.compile: compiling %s (program %d, %d recorded ops)",
                        getattr(self.fn, "__qualname__", self.fn), self.compile_count, len(key[0]))

    def __call__(self, *args, **kwargs):
        if self.disable or _lazy.state.trace is not None:
            return self.fn(*args, **kwargs)
        tr = _lazy.Trace(self)
        _lazy.state.trace = tr
        try:
            out = self.fn(*args, **kwargs)
        finally:
            _lazy.state.trace = None
            # run what was recorded even on an exception, so no tensor is left half-updated
            tr.materialize()
        if self.lazy_backward:
            _mark_outputs(out, self)
        return out

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)


def _mark_outputs(out, owner):
    """Make a later backward through these outputs run as one program (compiled modules)."""
    from ._core.tensor import Tensor
    leaves = jax_tree_leaves(out, is_leaf=lambda x: isinstance(x, Tensor))
    for t in leaves:
        if isinstance(t, Tensor):
            fn = t.grad_fn
            if fn is not None and hasattr(fn, "metadata"):
                fn.metadata["lazy_owner"] = owner


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """torch.compile. `backend`, `mode`, `dynamic` and `options` are accepted and ignored:
    XLA is the only backend, and shapes are specialised (a new shape compiles anew)."""
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    from .nn.modules.module import Module
    if isinstance(model, Module):
        from .nn._optimized import OptimizedModule
        return OptimizedModule(model, CompiledFunction(model.forward, fullgraph, disable))
    return CompiledFunction(model, fullgraph, disable)
