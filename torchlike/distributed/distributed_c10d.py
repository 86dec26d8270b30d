"""torch.distributed's process groups and collectives, for a single process (world_size 1).

With one rank every collective is what PyTorch's gloo backend does with one rank: the result
is the input, written in place into the output tensors PyTorch writes. Several processes are
not supported: one process drives every local device through `nn.DataParallel`, which runs
data-parallel with JAX's SPMD sharding instead.
"""

import enum
import os
import pickle
import warnings
from datetime import timedelta

from .._core import grad_mode
from .._core.device import gpus
from .._core.tensor import Tensor
from . import rendezvous as _rendezvous

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_gather_single",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "default_pg_timeout",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_global_rank",
    "get_group_rank",
    "get_node_local_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "irecv",
    "is_available",
    "is_backend_available",
    "is_gloo_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "is_torchelastic_launched",
    "is_ucc_available",
    "is_xccl_available",
    "isend",
    "monitored_barrier",
    "new_group",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_single",
    "reduce_scatter_tensor",
    "scatter",
    "scatter_object_list",
    "send",
]

default_pg_timeout = timedelta(minutes=30)

_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)
_MULTI_PROCESS = (
    "torchlike.distributed runs a single process (world_size=1); got world_size={}. Several "
    "processes are not supported: to train on several local devices from one process, wrap the "
    "model in torch.nn.DataParallel, which splits each batch across the devices with JAX "
    "sharding."
)


def is_available() -> bool:
    return True


def is_gloo_available() -> bool:
    return True


def is_nccl_available() -> bool:
    """Differs from PyTorch: true when JAX sees a GPU (collectives then run on one rank)."""
    return bool(gpus())


def is_mpi_available() -> bool:
    return False


def is_ucc_available() -> bool:
    return False


def is_xccl_available() -> bool:
    return False


def is_backend_available(backend: str) -> bool:
    return {"gloo": True, "nccl": is_nccl_available()}.get(str(backend).lower(), False)


def is_torchelastic_launched() -> bool:
    """Whether this process was started by torchrun (torchelastic)."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


class Backend(str):
    """The name of a collective backend: Backend('GLOO') == 'gloo'."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"
    FAKE = "fake"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError("Backend constructor parameter must be string-ish")  # noqa: TRY004
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return super().__new__(cls, value)


class ReduceOp:
    """The reduction of all_reduce, reduce and reduce_scatter: ReduceOp.SUM, AVG, ..."""

    class RedOpType(enum.Enum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class _Future:
    """A torch.futures.Future that is already done."""

    def __init__(self, value):
        self._value = value

    def done(self) -> bool:
        return True

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def then(self, callback):
        return _Future(callback(self))


class Work:
    """The handle an async_op=True collective returns; with one rank it is already complete."""

    def __init__(self, result=()):
        self._result = list(result)

    def wait(self, timeout=None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True

    def result(self) -> list:
        return self._result

    def get_future(self) -> _Future:
        return _Future(self._result)

    def synchronize(self) -> None:
        pass


class ProcessGroup:
    """A group of ranks that run collectives together (here: the one rank, 0)."""

    def __init__(self, backend: str, ranks=(0,), timeout=default_pg_timeout):
        self._backend = Backend(backend)
        self._ranks = list(ranks)
        self._timeout = timeout

    def rank(self) -> int:
        return 0

    def size(self) -> int:
        return len(self._ranks)

    def name(self) -> str:
        return str(self._backend)

    def __repr__(self):
        return f"<torchlike.distributed.ProcessGroup backend={self._backend!r} ranks={self._ranks}>"


class _World:
    def __init__(self):
        self.default_pg = None
        self.groups = []
        self.init_method = None


_world = _World()


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _world.default_pg


class group(metaclass=_WorldMeta):
    """group.WORLD: the default process group (None before init_process_group)."""


class GroupMember(metaclass=_WorldMeta):
    NON_GROUP_MEMBER = -100


def is_initialized() -> bool:
    return _world.default_pg is not None


def _get_default_group() -> ProcessGroup:
    if _world.default_pg is None:
        raise ValueError(_NOT_INITIALIZED)
    return _world.default_pg


def _group(pg):
    return _get_default_group() if pg is None else pg


def _check_timeout(timeout):
    if not isinstance(timeout, timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}"
        )


def _check_backend(backend):
    if backend == Backend.NCCL and not is_nccl_available():
        raise RuntimeError("Distributed package doesn't have NCCL built in")
    if backend in (Backend.MPI, Backend.UCC, Backend.XCCL):
        raise RuntimeError(f"Distributed package doesn't have {backend.upper()} built in")


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Initialise the default process group, reading rank and world size as PyTorch does.

    Differs from PyTorch: only world_size 1 is supported (NotImplementedError otherwise), and
    no store or socket is created.
    """
    if _world.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None and init_method is not None:
        raise AssertionError("Cannot specify both init_method and store.")
    if store is not None:
        if not world_size > 0:
            raise AssertionError("world_size must be positive if using store")
        if not rank >= 0:
            raise AssertionError("rank must be non-negative if using store")
    elif init_method is None:
        init_method = "env://"
    backend = Backend(backend if backend is not None else Backend.UNDEFINED)
    if timeout is None:
        timeout = default_pg_timeout
    _check_timeout(timeout)
    if store is None:
        rank, world_size = _rendezvous.rendezvous(init_method, rank, world_size)
    if world_size != 1:
        raise NotImplementedError(_MULTI_PROCESS.format(world_size))
    if rank != 0:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, 0]")
    _check_backend(backend)
    _world.default_pg = ProcessGroup(backend, timeout=timeout)
    _world.groups = [_world.default_pg]
    _world.init_method = init_method


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Destroy `group`, or every group (the default one included) when None."""
    if group is None:
        if _world.default_pg is None:
            raise AssertionError("Process group cannot be None")
        _world.default_pg = None
        _world.groups = []
        _world.init_method = None
        return
    if group is _world.default_pg:
        destroy_process_group(None)
    elif group in _world.groups:
        _world.groups.remove(group)
    else:
        raise ValueError("Invalid process group specified")


def new_group(
    ranks=None,
    timeout=None,
    backend=None,
    pg_options=None,
    use_local_synchronization=False,
    group_desc=None,
    device_id=None,
) -> ProcessGroup:
    """A process group of `ranks` (all ranks when None)."""
    default = _get_default_group()
    world_size = default.size()
    ranks = sorted(ranks) if ranks else list(range(world_size))
    for r in ranks:
        if r < 0 or r >= world_size:
            raise ValueError(
                f"Rank {r} is out of range. Valid ranks are 0 to "
                f"{world_size - 1} (world_size={world_size})"
            )
    backend = Backend(backend) if backend is not None else default._backend
    _check_backend(backend)
    if timeout is not None:
        _check_timeout(timeout)
    pg = ProcessGroup(backend, ranks, timeout or default._timeout)
    _world.groups.append(pg)
    return pg


def get_rank(group: ProcessGroup | None = None) -> int:
    return _group(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    return _group(group).size()


def get_backend(group: ProcessGroup | None = None) -> Backend:
    return _group(group)._backend


def get_process_group_ranks(group: ProcessGroup | None) -> list[int]:
    return list(_group(group)._ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    if group is None or group is _world.default_pg:
        return group_rank
    if not 0 <= group_rank < group.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return group._ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    if group is None or group is _world.default_pg:
        return global_rank
    if global_rank not in group._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return group._ranks.index(global_rank)


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    """LOCAL_RANK (as torchrun sets it), else fallback_rank."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError(
        "LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow "
        "`get_node_local_rank` to work, assuming you are not running in a multi-device context "
        "and want the code to run locally instead."
    )


# ---- argument checks (PyTorch's messages) ----


def _check_single_tensor(param, param_name: str) -> None:
    if not isinstance(param, Tensor):
        raise TypeError(
            f"""Invalid function argument. Expected parameter `{param_name}` of type torch.Tensor
             but got {type(param)} instead."""
        )


def _check_tensor_list(param, param_name: str) -> None:
    if not isinstance(param, list):
        raise TypeError(
            f"""Invalid function argument. Expected parameter `{param_name}` of type List[torch.Tensor]
             but got {type(param)} instead."""
        )
    if not all(isinstance(p, Tensor) for p in param):
        raise TypeError(
            f"""Invalid function argument. Expected parameter `{param_name}` of type List[torch.Tensor]
             but got {type(param)} with elements of type {[type(p) for p in param]}."""
        )


def _real_dtype(dtype):
    from .. import complex64, complex128, float32, float64

    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def _ensure_same_dtype(*tensors) -> None:
    flat = [t for x in tensors for t in (x if isinstance(x, list) else [x])]
    last = None
    for t in flat:
        if last is None:
            last = _real_dtype(t.dtype)
        elif last != _real_dtype(t.dtype):
            raise ValueError(
                f"Invalid usage of tensors with different dtypesFound {last} and  {t.dtype}"
            )


def _check_op(op, tensor, name: str) -> None:
    if not isinstance(op, ReduceOp.RedOpType):
        raise TypeError(f"{name}(): op must be a torch.distributed.ReduceOp, got {op!r}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and (
        tensor.dtype.is_floating_point or tensor.dtype.is_complex
    ):
        raise RuntimeError(f"Cannot use ReduceOp.{op.name} with non-integral dtype")
    if op == ReduceOp.PREMUL_SUM:
        raise NotImplementedError("ReduceOp.PREMUL_SUM is not supported by torchlike")
    if tensor.dtype.is_complex and op not in (ReduceOp.SUM, ReduceOp.AVG):
        raise ValueError(f"{name} does not support {op} on complex tensors")


def _check_root(root: int, what: str, group) -> None:
    if not 0 <= root < _group(group).size():
        raise RuntimeError(f"ProcessGroupGloo::{what}: invalid root rank: {root}")


def _check_sizes(expected, got, what: str) -> None:
    if tuple(expected) != tuple(got):
        raise RuntimeError(
            f"ProcessGroupGloo::{what}: invalid tensor size at index 0 (expected "
            f"({', '.join(map(str, expected))}), got ({', '.join(map(str, got))}))"
        )


def _check_list_len(lst, group, what: str, kind: str = "output") -> None:
    n = _group(group).size()
    if len(lst) != n:
        raise RuntimeError(
            f"ProcessGroupGloo::{what}: invalid {kind} tensor list at index 0 "
            f"(expected length {n}, got {len(lst)})"
        )


def _copy(dst: Tensor, src: Tensor) -> None:
    """dst <- src in place, outside autograd (collectives write without recording history)."""
    if dst is src:
        return
    with grad_mode.no_grad():
        dst.copy_(src)


def _done(async_op: bool, result=()):
    return Work(result) if async_op else None


# ---- collectives: with one rank, each returns its input (in place where PyTorch writes) ----


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` across ranks in place."""
    _check_single_tensor(tensor, "tensor")
    _check_op(op, tensor, "all_reduce")
    _group(group)
    return _done(async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce `tensor` across ranks into rank `dst`'s tensor."""
    _check_single_tensor(tensor, "tensor")
    _check_op(op, tensor, "reduce")
    _check_root(_root(dst, group_dst), "reduce", group)
    return _done(async_op, [tensor])


def _root(root, group_root, default=None):
    """The group rank that `root` (a global rank) or `group_root` names."""
    if root is None and group_root is None:
        root = default
    if group_root is not None:
        if root is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        return group_root
    if root is None:
        raise ValueError("Must specify global_rank or group_rank")
    return root


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy rank `src`'s tensor into every rank's tensor."""
    _check_single_tensor(tensor, "tensor")
    _check_root(_root(src, group_src), "broadcast", group)
    return _done(async_op, [tensor])


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] <- rank r's tensor."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    _ensure_same_dtype(tensor_list, tensor)
    _check_list_len(tensor_list, group, "allgather")
    for out in tensor_list:
        _check_sizes(tensor.shape, out.shape, "allgather")
    _copy(tensor_list[0], tensor)
    return _done(async_op, tensor_list)


def all_gather_single(output_tensor, input_tensor, group=None, async_op=False):
    """output_tensor <- every rank's input_tensor, concatenated along dim 0."""
    _check_single_tensor(input_tensor, "input_tensor")
    _check_single_tensor(output_tensor, "output_tensor")
    _ensure_same_dtype(output_tensor, input_tensor)
    n = _group(group).size()
    shape = tuple(input_tensor.shape)
    expected = (shape[0] * n, *shape[1:]) if shape else (n,)
    _check_sizes(expected, output_tensor.shape, "allgather")
    _copy(output_tensor, input_tensor.reshape(expected))
    return _done(async_op, [output_tensor])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output <- the reduction over ranks of each rank's input_list[this rank]."""
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    _ensure_same_dtype(output, input_list)
    _check_op(op, output, "reduce_scatter")
    _check_list_len(input_list, group, "reduce_scatter", "input")
    _check_sizes(output.shape, input_list[0].shape, "reduce_scatter")
    _copy(output, input_list[0])
    return _done(async_op, [output])


def reduce_scatter_single(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """output <- this rank's dim-0 slice of the reduction over ranks of `input`."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _ensure_same_dtype(output, input)
    _check_op(op, output, "reduce_scatter_single")
    n = _group(group).size()
    shape = tuple(output.shape)
    expected = (shape[0] * n, *shape[1:]) if shape else (n,)
    _check_sizes(expected, input.shape, "reduce_scatter")
    _copy(output, input.reshape(shape))
    return _done(async_op, [output])


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    warnings.warn(
        "`torch.distributed.all_gather_into_tensor` is deprecated. "
        "Please use `torch.distributed.all_gather_single` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return all_gather_single(output_tensor, input_tensor, group, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    warnings.warn(
        "`torch.distributed.reduce_scatter_tensor` is deprecated. "
        "Please use `torch.distributed.reduce_scatter_single` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return reduce_scatter_single(output, input, op, group, async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """gather_list[r] <- rank r's tensor, on rank `dst`."""
    _check_single_tensor(tensor, "tensor")
    root = _root(dst, group_dst, 0)
    _check_root(root, "gather", group)
    if not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _check_tensor_list(gather_list, "gather_list")
    _ensure_same_dtype(tensor, gather_list)
    _check_list_len(gather_list, group, "gather")
    _check_sizes(tensor.shape, gather_list[0].shape, "gather")
    _copy(gather_list[0], tensor)
    return _done(async_op, gather_list)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """tensor <- rank `src`'s scatter_list[this rank]."""
    _check_single_tensor(tensor, "tensor")
    root = _root(src, group_src, 0)
    _check_root(root, "scatter", group)
    if not scatter_list:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    _check_tensor_list(scatter_list, "scatter_list")
    _ensure_same_dtype(tensor, scatter_list)
    _check_list_len(scatter_list, group, "scatter", "input")
    _check_sizes(tensor.shape, scatter_list[0].shape, "scatter")
    _copy(tensor, scatter_list[0])
    return _done(async_op, [tensor])


def all_to_all_single(
    output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False
):
    """output <- each rank's slice of `input` meant for this rank."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _ensure_same_dtype(output, input)
    _check_sizes(input.shape, output.shape, "alltoall")
    _copy(output, input)
    return _done(async_op, [output])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """output_tensor_list[r] <- rank r's input_tensor_list[this rank]."""
    _check_tensor_list(output_tensor_list, "output_tensor_list")
    _check_tensor_list(input_tensor_list, "input_tensor_list")
    _ensure_same_dtype(output_tensor_list, input_tensor_list)
    _check_list_len(output_tensor_list, group, "alltoall")
    _check_list_len(input_tensor_list, group, "alltoall", "input")
    _check_sizes(input_tensor_list[0].shape, output_tensor_list[0].shape, "alltoall")
    _copy(output_tensor_list[0], input_tensor_list[0])
    return _done(async_op, output_tensor_list)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank reaches the barrier."""
    _group(group)
    return _done(async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    if get_backend(group) != Backend.GLOO:
        raise ValueError("monitored_barrier is only implemented for GLOO backend.")


def _check_peer(peer: int, what: str) -> None:
    if peer == get_rank():
        raise ValueError(
            f"Invalid {what} rank: {what} rank should not be the same as the rank "
            "of the current process."
        )
    raise RuntimeError(f"Invalid {what} rank {peer}: the process group has one rank")


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    _check_single_tensor(tensor, "tensor")
    _check_peer(_root(dst, group_dst), "destination")


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    _check_single_tensor(tensor, "tensor")
    _check_peer(_root(src, group_src), "source")


isend = send
irecv = recv


# ---- objects (pickled, as PyTorch sends them: the receiver gets a copy) ----


def _roundtrip(obj):
    return pickle.loads(pickle.dumps(obj))


def all_gather_object(object_list, obj, group=None):
    """object_list[r] <- rank r's obj."""
    _check_list_len(object_list, group, "allgather")
    object_list[0] = _roundtrip(obj)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    _check_root(_root(dst, group_dst, 0), "gather", group)
    if not object_gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _check_list_len(object_gather_list, group, "gather")
    object_gather_list[0] = _roundtrip(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """object_list <- rank src's object_list (the source rank's list is unchanged)."""
    _check_root(_root(src, group_src, 0), "broadcast", group)


def scatter_object_list(
    scatter_object_output_list, scatter_object_input_list=None, src=None, group=None, group_src=None
):
    _check_root(_root(src, group_src, 0), "scatter", group)
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError(
            "Expected argument scatter_object_output_list to be a list of size at least 1."
        )
    if not scatter_object_input_list:
        raise ValueError("Argument ``scatter_object_input_list`` must be specified on source rank.")
    scatter_object_output_list[0] = _roundtrip(scatter_object_input_list[0])
