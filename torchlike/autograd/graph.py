"""torch.autograd.graph (the parts scripts use)."""

from .._core.autograd import AccumulateGrad, Node

GradientEdge = tuple


class saved_tensors_hooks:
    """Accepted; torchlike keeps saved arrays as they are (hooks are not called)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass
