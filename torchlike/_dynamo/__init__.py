"""torch._dynamo: the entry points scripts call around torch.compile.

Differs from PyTorch: torchlike's compile is not Dynamo (see torchlike/_compile.py); these
keep scripts that configure or reset Dynamo running.
"""

from ..compiler import allow_in_graph, disable, is_compiling, reset  # noqa: F401
from . import config  # noqa: F401


def is_dynamo_supported() -> bool:
    return True


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    """Recorded by nothing: torchlike recompiles per shape and needs no hint."""


def mark_static(t, index=None):
    """See mark_dynamic."""


def maybe_mark_dynamic(t, index):
    """See mark_dynamic."""


def mark_static_address(t, guard=True):
    """See mark_dynamic."""


def explain(f, *extra_args, **extra_kwargs):
    raise NotImplementedError("torch._dynamo.explain: torchlike's compile is not Dynamo; it "
                              "warns when it falls back to eager, naming the reason")


def optimize(*args, **kwargs):
    raise NotImplementedError("torch._dynamo.optimize is not supported by torchlike; use "
                              "torch.compile")


def list_backends(exclude_tags=("debug", "experimental")):
    return ["cudagraphs", "inductor", "onnxrt", "openxla", "tvm"]
