"""torch.autograd.graph (the parts scripts use)."""

from .._core import autograd as _engine
from .._core.autograd import AccumulateGrad, Node

GradientEdge = tuple

_DISABLED = []  # disable_saved_tensors_hooks' messages, innermost last


class saved_tensors_hooks:
    """Within this context, each tensor an op saves for its backward goes through
    pack_hook(tensor) -> packed, and the backward reads unpack_hook(packed) -> tensor (for
    offloading or compressing activations). torchlike's backward reads an op's inputs (it
    recomputes what it needs from them), so the tensors packed are the inputs each backward
    reads, plus the residuals of ops that keep them, which can differ from PyTorch's choice of
    saved tensors; values and gradients are the same."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _DISABLED:
            raise RuntimeError(_DISABLED[-1])
        _engine.SAVED_HOOKS.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _engine.SAVED_HOOKS.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors live on the CPU until the backward needs them (PyTorch's activation
    offloading); on a CPU-only machine they stay where they are."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            return t.device, t.cpu()

        def unpack(packed):
            device, t = packed
            return t.to(device, non_blocking=pin_memory)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Entering saved_tensors_hooks within this context raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if _engine.SAVED_HOOKS:
            raise RuntimeError(self.error_message)
        _DISABLED.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _DISABLED.pop()
