"""OptimizedModule: what torch.compile(module) returns."""

from .modules.module import Module


class OptimizedModule(Module):
    """Wraps `_orig_mod`; each call runs as a cached XLA program (see torchlike._compile).

    Like PyTorch's, its state_dict keys carry the `_orig_mod.` prefix."""

    def __init__(self, mod, compiled_forward):
        super().__init__()
        self._orig_mod = mod
        from .._compile import CompiledFunction
        call = CompiledFunction(mod.__call__, compiled_forward.fullgraph, compiled_forward.disable)
        call.lazy_backward = True  # backward through its outputs runs as one program too
        self.__dict__["_compiled_call"] = call

    def forward(self, *args, **kwargs):
        return self._compiled_call(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)
