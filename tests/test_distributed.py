"""torch.distributed (one rank), DistributedDataParallel and DataParallel against real PyTorch.

PyTorch's gloo backend with world_size 1 runs in this process; DataParallel over two devices
runs in a subprocess started with XLA_FLAGS=--xla_force_host_platform_device_count=2 (this
process's JAX already has its one CPU device).
"""

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import warnings
from datetime import timedelta

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torch.distributed as tdist

import torchlike as tl
import torchlike.distributed as ldist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def groups():
    """Both libraries' default process groups (gloo, world_size 1), destroyed afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tdist.init_process_group(
            "gloo", init_method=f"tcp://127.0.0.1:{free_port()}", rank=0, world_size=1
        )
    ldist.init_process_group("gloo", init_method="tcp://127.0.0.1:29500", rank=0, world_size=1)
    yield
    tdist.destroy_process_group()
    if ldist.is_initialized():
        ldist.destroy_process_group()


def outcome(fn):
    """(result) or (exception type name, message) of fn()."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001
        return (type(e).__name__, str(e))


def both(make):
    """outcome of make(lib, dist) for PyTorch and for torchlike."""
    return outcome(lambda: make(torch, tdist)), outcome(lambda: make(tl, ldist))


def values(obj):
    if isinstance(obj, (torch.Tensor, tl.Tensor)):
        return (str(obj.dtype).split(".")[-1], obj.detach().numpy().tolist())
    if isinstance(obj, (list, tuple)):
        return [values(o) for o in obj]
    return obj


# ---------------------------------------------------------------------- process groups


def test_not_initialized_errors_match():
    assert ldist.is_available() and not ldist.is_initialized()
    for name, args in [
        ("get_rank", ()),
        ("get_world_size", ()),
        ("barrier", ()),
        ("get_backend", ()),
        ("new_group", ()),
        ("destroy_process_group", ()),
    ]:
        ours = outcome(lambda name=name, args=args: getattr(ldist, name)(*args))
        ref = outcome(lambda name=name, args=args: getattr(tdist, name)(*args))
        assert ours == ref, name
    assert (
        both(lambda lib, d: d.all_reduce(lib.ones(2)))
        == (
            (
                "ValueError",
                (
                    "Default process group has not been initialized, please make sure "
                    "to call init_process_group."
                ),
            ),
        )
        * 2
    )


@pytest.mark.parametrize(
    "env,kwargs",
    [
        ({}, {}),
        ({"RANK": "0"}, {}),
        ({"RANK": "0", "WORLD_SIZE": "1"}, {}),
        ({"RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1"}, {}),
        ({}, {"init_method": "tcp://127.0.0.1:29500", "world_size": 1}),
        ({}, {"init_method": "tcp://127.0.0.1", "rank": 0, "world_size": 1}),
        ({}, {"init_method": "tcp://127.0.0.1:29500", "rank": 0}),
        ({}, {"init_method": "foo://127.0.0.1", "rank": 0, "world_size": 1}),
        ({}, {"init_method": "tcp://127.0.0.1:29500?rank=0", "rank": 0, "world_size": 1}),
        ({}, {"init_method": "tcp://127.0.0.1:29500", "rank": 0, "world_size": 1, "timeout": 5}),
    ],
)
def test_init_errors_match(monkeypatch, env, kwargs):
    for var in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ref, ours = both(lambda lib, d: d.init_process_group("gloo", **kwargs))
    assert ref[0] != "ok" and ours == ref
    assert not ldist.is_initialized()


def test_init_from_torchrun_env(monkeypatch):
    port = str(free_port())
    env = {
        "RANK": "0",
        "WORLD_SIZE": "1",
        "LOCAL_RANK": "0",
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": port,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    try:
        tdist.init_process_group(backend=None)
        ldist.init_process_group(backend=None)
        got = lambda d: (
            d.get_rank(),
            d.get_world_size(),
            str(d.get_backend()),
            d.is_initialized(),
            d.get_node_local_rank(),
            d.get_process_group_ranks(d.group.WORLD),
            d.is_torchelastic_launched(),
        )
        assert got(ldist) == got(tdist) == (0, 1, "undefined", True, 0, [0], False)
        assert ldist.GroupMember.WORLD is ldist.group.WORLD
        assert (
            both(lambda lib, d: d.init_process_group("gloo"))
            == (("ValueError", "trying to initialize the default process group twice!"),) * 2
        )
    finally:
        tdist.destroy_process_group()
        ldist.destroy_process_group()
    assert not ldist.is_initialized() and ldist.group.WORLD is None
    assert (
        both(lambda lib, d: d.destroy_process_group())
        == (("AssertionError", "Process group cannot be None"),) * 2
    )


def test_init_with_store_and_backends():
    assert (
        both(lambda lib, d: d.init_process_group("gloo", store=object(), rank=0, world_size=0))
        == (("AssertionError", "world_size must be positive if using store"),) * 2
    )
    ldist.init_process_group(
        "GLOO", store=object(), rank=0, world_size=1, timeout=timedelta(seconds=60)
    )
    try:
        assert ldist.get_backend() == ldist.Backend.GLOO == "gloo"
        assert ldist.Backend("NCCL") == tdist.Backend("NCCL") == "nccl"
        assert str(ldist.ReduceOp.AVG) == str(tdist.ReduceOp.AVG)
        assert [m.name for m in ldist.ReduceOp.RedOpType] == list(
            tdist.ReduceOp.RedOpType.__members__
        )
    finally:
        ldist.destroy_process_group()


def test_nccl_backend_follows_the_hardware():
    kwargs = {"init_method": f"tcp://127.0.0.1:{free_port()}", "rank": 0, "world_size": 1}
    if tl.cuda.is_available():
        ldist.init_process_group("nccl", **kwargs)
        assert ldist.get_backend() == "nccl"
        ldist.destroy_process_group()
    else:  # as PyTorch's CPU build (the oracle here)
        assert not ldist.is_nccl_available() and not tdist.is_nccl_available()
        ref, ours = both(lambda lib, d: d.init_process_group("nccl", **kwargs))
        assert ref[0] == "RuntimeError" and ours == ref
    assert not ldist.is_initialized()


def test_more_than_one_process_is_not_implemented():
    with pytest.raises(NotImplementedError, match="DataParallel"):
        ldist.init_process_group("gloo", init_method="tcp://127.0.0.1:29500", rank=0, world_size=2)
    assert not ldist.is_initialized()


def test_groups_match(groups):
    def make(lib, d):
        g = d.new_group([0])
        return (
            d.get_rank(g),
            d.get_world_size(g),
            g.rank(),
            g.size(),
            d.get_global_rank(g, 0),
            d.get_group_rank(g, 0),
            d.get_process_group_ranks(g),
            str(d.get_backend(g)),
            d.group.WORLD.name(),
        )

    assert both(make) == (("ok", (0, 1, 0, 1, 0, 0, [0], "gloo", "gloo")),) * 2
    ref, ours = both(lambda lib, d: d.new_group([1]))
    assert ours == ref and ref[0] == "ValueError"


# ---------------------------------------------------------------------- collectives

OPS = ["SUM", "AVG", "PRODUCT", "MIN", "MAX"]


@pytest.mark.parametrize("op", OPS)
def test_all_reduce_matches(groups, op):
    def make(lib, d):
        t = lib.tensor([[1.5, -2.0], [3.0, 4.0]])
        alias = t[0]
        res = d.all_reduce(t, op=getattr(d.ReduceOp, op))
        w = d.all_reduce(t, op=getattr(d.ReduceOp, op), async_op=True)
        return (
            res,
            values(t),
            values(alias),
            w.wait(),
            w.is_completed(),
            values(w.result()),
            values(w.get_future().wait()),
        )

    ref, ours = both(make)
    assert ref[0] == "ok" and ours == ref


def test_reduce_and_broadcast_match(groups):
    def make(lib, d):
        t = lib.arange(4.0)
        i = lib.tensor([5, 6])
        return (
            d.reduce(t, 0),
            d.reduce(i, dst=0, op=d.ReduceOp.MAX),
            d.broadcast(t, 0),
            d.broadcast(i, src=0),
            values(t),
            values(i),
            d.barrier(),
        )

    ref, ours = both(make)
    assert ref[0] == "ok" and ours == ref


def test_gathers_and_scatters_match(groups):
    def make(lib, d):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        lst = [lib.zeros(2, 2)]
        d.all_gather(lst, x)
        cat = lib.zeros(2, 2)
        with pytest.warns(FutureWarning, match="all_gather_single"):
            d.all_gather_into_tensor(cat, x * 2)
        rst = lib.zeros(2, 2)
        with pytest.warns(FutureWarning, match="reduce_scatter_single"):
            d.reduce_scatter_tensor(rst, x * 3)
        single = lib.zeros(4, 2)
        d.all_gather_single(single[:2], x * 9)
        d.reduce_scatter_single(single[2:], x * 10)
        rs = lib.zeros(2, 2)
        d.reduce_scatter(rs, [x * 4])
        gl = [lib.zeros(2, 2)]
        d.gather(x * 5, gl, dst=0)
        sc = lib.zeros(2, 2)
        d.scatter(sc, [x * 6], src=0)
        a2a = lib.zeros(2, 2)
        d.all_to_all_single(a2a, x * 7)
        a2l = [lib.zeros(2, 2)]
        d.all_to_all(a2l, [x * 8])
        return values([lst, cat, rst, single, rs, gl, sc, a2a, a2l, x])

    ref, ours = both(make)
    assert ref[0] == "ok" and ours == ref


def test_object_collectives_match(groups):
    def make(lib, d):
        obj = {"a": [1, 2], "b": "s"}
        out = [None]
        d.all_gather_object(out, obj)
        copied = out[0] is not obj and out[0] == obj
        gl = [None]
        d.gather_object(obj, gl, dst=0)
        bl = [3, "x"]
        d.broadcast_object_list(bl, src=0)
        so = [None]
        d.scatter_object_list(so, [7], src=0)
        return out, copied, gl, bl, so

    ref, ours = both(make)
    assert ref[0] == "ok" and ours == ref


@pytest.mark.parametrize(
    "case",
    [
        "ar_list",
        "ar_int",
        "band_float",
        "complex_max",
        "bcast_src1",
        "bcast_src_neg",
        "ag_len",
        "ag_shape",
        "ag_dtype",
        "agit_shape",
        "gather_nolist",
        "scatter_nolist",
        "send_self",
    ],
)
def test_collective_errors_match(groups, case):
    def make(lib, d):
        t = lib.tensor([1.0, 2.0])
        return {
            "ar_list": lambda: d.all_reduce([t]),
            "ar_int": lambda: d.all_reduce(3),
            "band_float": lambda: d.all_reduce(t, op=d.ReduceOp.BAND),
            "complex_max": lambda: d.all_reduce(
                lib.ones(2, dtype=lib.complex64), op=d.ReduceOp.MAX
            ),
            "bcast_src1": lambda: d.broadcast(t, 1),
            "bcast_src_neg": lambda: d.broadcast(t, -1),
            "ag_len": lambda: d.all_gather([lib.zeros(2), lib.zeros(2)], t),
            "ag_shape": lambda: d.all_gather([lib.zeros(3)], t),
            "ag_dtype": lambda: d.all_gather([lib.zeros(2, dtype=lib.float64)], t),
            "agit_shape": lambda: d.all_gather_into_tensor(lib.zeros(1, 2), t),
            "gather_nolist": lambda: d.gather(t),
            "scatter_nolist": lambda: d.scatter(t, None, src=0),
            "send_self": lambda: d.send(t, 0),
        }[case]()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, ours = both(make)
    assert ref[0] != "ok" and ours == ref


def test_collectives_do_not_record_autograd(groups):
    x = tl.ones(2, requires_grad=True)
    out = [tl.zeros(2)]
    ldist.all_gather(out, x * 2)
    assert out[0].grad_fn is None and out[0].tolist() == [2.0, 2.0]
    assert ldist.all_reduce(x) is None and x.grad_fn is None


# ---------------------------------------------------------------------- DistributedDataParallel


def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(
        lib.nn.Linear(3, 5), lib.nn.BatchNorm1d(5), lib.nn.Tanh(), lib.nn.Linear(5, 2)
    )


def _train(lib, model, steps=3, no_sync_first=False):
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    g = np.random.default_rng(0)
    losses = []
    for step in range(steps):
        x = lib.tensor(g.standard_normal((4, 3)), dtype=lib.float32)
        y = lib.tensor(g.standard_normal((4, 2)), dtype=lib.float32)
        opt.zero_grad()
        if no_sync_first:  # a plain module accumulates without the context
            sync = model.no_sync() if hasattr(model, "no_sync") else contextlib.nullcontext()
            with sync:
                lib.nn.functional.mse_loss(model(x), y).backward()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {k: v.detach().numpy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("no_sync_first", [False, True])
def test_ddp_trains_like_torch_ddp_and_plain_module(groups, no_sync_first):
    ref_model = torch.nn.parallel.DistributedDataParallel(_net(torch))
    ours_model = tl.nn.parallel.DistributedDataParallel(_net(tl))
    ours_model.module.load_state_dict(
        {k[len("module.") :]: tl.tensor(v.numpy()) for k, v in ref_model.state_dict().items()}
    )
    ref = _train(torch, ref_model, no_sync_first=no_sync_first)
    ours = _train(tl, ours_model, no_sync_first=no_sync_first)
    assert list(ours[1]) == list(ref[1])
    assert all(k.startswith("module.") for k in ours[1])
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-5, atol=1e-6)
    for k in ref[1]:
        np.testing.assert_allclose(ours[1][k], ref[1][k], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("no_sync_first", [False, True])
def test_ddp_matches_plain_module_exactly(groups, no_sync_first):
    a = _train(tl, tl.nn.parallel.DistributedDataParallel(_net(tl)), no_sync_first=no_sync_first)
    b = _train(tl, _net(tl), no_sync_first=no_sync_first)
    assert a[0] == b[0]
    for k, v in b[1].items():
        assert (a[1]["module." + k] == v).all()


def test_ddp_attributes_and_no_sync(groups):
    def make(lib, d):
        m = lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2))
        flags = [m.require_backward_grad_sync]
        with m.no_sync():
            flags.append(m.require_backward_grad_sync)
        flags.append(m.require_backward_grad_sync)
        return (
            flags,
            m.device_ids,
            m.output_device,
            m.dim,
            str(m.device),
            m.find_unused_parameters,
            type(m.module).__name__,
            sorted(m.state_dict()),
            m.process_group is d.group.WORLD,
        )

    ref, ours = both(make)
    assert ref[0] == "ok" and ours == ref


@pytest.mark.parametrize("case", ["no_grad_params", "device_ids_cpu", "two_device_ids"])
def test_ddp_errors_match(groups, case):
    def make(lib, d):
        DDP = lib.nn.parallel.DistributedDataParallel
        if case == "no_grad_params":
            m = lib.nn.Linear(2, 2).requires_grad_(False)
            return DDP(m)
        if case == "device_ids_cpu":
            return DDP(lib.nn.Linear(2, 2), device_ids=[0])
        return DDP(lib.nn.Linear(2, 2), device_ids=[0, 1])

    ref, ours = both(make)
    assert ref[0] != "ok" and ours == ref


def test_ddp_needs_a_process_group():
    ref, ours = both(lambda lib, d: lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2)))
    assert ref[0] == "ValueError" and ours == ref


# ---------------------------------------------------------------------- DistributedSampler


def test_distributed_sampler_reads_the_process_group(groups):
    ours = tl.utils.data.DistributedSampler(range(11), seed=3)
    ref = torch.utils.data.DistributedSampler(range(11), seed=3)
    for epoch in (0, 2):
        ours.set_epoch(epoch)
        ref.set_epoch(epoch)
        assert (ours.num_replicas, ours.rank) == (ref.num_replicas, ref.rank) == (1, 0)
        assert list(ours) == list(ref)


# ---------------------------------------------------------------------- DataParallel


def test_data_parallel_with_one_device_is_a_passthrough():
    ref_m, ours_m = _net(torch), _net(tl)
    ours_m.load_state_dict({k: tl.tensor(v.numpy()) for k, v in ref_m.state_dict().items()})
    ref, ours = torch.nn.DataParallel(ref_m), tl.nn.DataParallel(ours_m)
    assert ours.device_ids == ref.device_ids == []
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert ours.module is ours_m and tl.nn.parallel.DataParallel is tl.nn.DataParallel
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(
        ours(tl.tensor(x)).detach().numpy(),
        ref(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    ours.load_state_dict({k: tl.tensor(v.numpy()) for k, v in ref.state_dict().items()})


MULTI_DEVICE = r"""
import os
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import json
import numpy as np
import torch
import torchlike as tl

def net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.BatchNorm1d(5), lib.nn.Tanh(),
                             lib.nn.Linear(5, 2))

class Probe(tl.nn.Module):
    # records how many devices hold the input it receives, and takes keyword arguments
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.seen = []

    def forward(self, x, scale=None):
        self.seen.append(len(x._data.devices()))
        out = self.inner(x) * scale
        return out, {"sum": out.sum(1)}

res = {}
ref_m = net(torch)
x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
xt = torch.tensor(x, requires_grad=True)
ref_out = ref_m(xt) * 2.0
ref_out.pow(2).sum().backward()
res["ref"] = [ref_out.detach().numpy().tolist(), xt.grad.numpy().tolist(),
              {n: p.grad.numpy().tolist() for n, p in ref_m.named_parameters()},
              ref_m[1].running_mean.numpy().tolist()]

def run(wrap):
    m = net(tl)
    m.load_state_dict({k: tl.tensor(v.numpy()) for k, v in net(torch).state_dict().items()})
    probe = Probe(m)
    model = wrap(probe)
    xl = tl.tensor(x, requires_grad=True)
    out, extra = model(xl, scale=tl.tensor(2.0))
    out.pow(2).sum().backward()
    return model, probe, [out.detach().numpy().tolist(), xl.grad.numpy().tolist(),
                          {n: p.grad.numpy().tolist() for n, p in m.named_parameters()},
                          m[1].running_mean.numpy().tolist()], out, extra

_, _, res["plain"], _, _ = run(lambda p: p)
dp, probe, res["dp"], out, extra = run(tl.nn.DataParallel)
res["device_ids"] = dp.device_ids
res["seen"] = list(probe.seen)
res["out_devices"] = [len(out._data.devices()), len(extra["sum"]._data.devices())]
res["extra"] = [extra["sum"].detach().numpy().tolist(), out.sum(1).detach().numpy().tolist()]
res["keys"] = list(tl.nn.DataParallel(net(tl)).state_dict())
res["ref_keys"] = list(torch.nn.DataParallel(net(torch)).state_dict())
res["grad_devices"] = len(probe.inner[0].weight.grad._data.devices())

# a batch of 5 does not split over 2 devices: it runs on one
probe.seen.clear()
odd = dp(tl.ones(5, 3), scale=tl.tensor(1.0))[0]
res["odd"] = [list(odd.shape), probe.seen]

# training steps equal the single-device module's
def train(wrap):
    m = net(tl)
    model = wrap(m)
    opt = tl.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    g = np.random.default_rng(1)
    for _ in range(3):
        xb = tl.tensor(g.standard_normal((8, 3)), dtype=tl.float32)
        opt.zero_grad()
        loss = model(xb).pow(2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
res["train"] = [train(lambda m: m), train(tl.nn.DataParallel)]
fn = tl.nn.parallel.data_parallel(net(tl), tl.tensor(x))
res["functional"] = [fn.detach().numpy().tolist(), net(tl)(tl.tensor(x)).detach().numpy().tolist()]
try:
    tl.nn.DataParallel(net(tl), device_ids=[0, 2])
except RuntimeError as e:
    res["bad_id"] = str(e)
# tied weights, an integer output, an LSTM (its hidden state is batch dim 1), dim=1
class Tied(tl.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = tl.nn.Embedding(10, 4)
        self.out = tl.nn.Linear(4, 10, bias=False)
        self.out.weight = self.emb.weight
        self.rnn = tl.nn.LSTM(4, 3, batch_first=True)

    def forward(self, idx):
        h = self.emb(idx)
        seq, (hn, cn) = self.rnn(h)
        return self.out(h), h.argmax(-1), hn


def tied_run(wrap):
    tl.manual_seed(0)
    m = Tied()
    logits, am, hn = wrap(m)(tl.tensor(np.arange(24).reshape(4, 6) % 10))
    (logits.sum() + hn.sum()).backward()
    return [logits.detach().numpy().tolist(), am.tolist(), hn.detach().numpy().tolist(),
            m.emb.weight.grad.numpy().tolist(), m.rnn.weight_hh_l0.grad.numpy().tolist(),
            str(am.dtype), am.requires_grad]


res["tied"] = [tied_run(lambda m: m), tied_run(tl.nn.DataParallel)]
lin = tl.nn.Linear(3, 2)
xd = tl.tensor(np.random.default_rng(2).standard_normal((3, 4, 3)), dtype=tl.float32)
res["dim1"] = [tl.nn.DataParallel(lin, dim=1)(xd).detach().numpy().tolist(),
               lin(xd).detach().numpy().tolist()]
# a tensor placed on one device inside the forward (what device=x.device does on a GPU)
class Placed(tl.nn.Module):
    def forward(self, x):
        import jax
        return x + tl.Tensor._wrap(jax.device_put(np.ones(3, np.float32), jax.devices()[0]))


try:
    tl.nn.DataParallel(Placed())(tl.ones(4, 3))
except RuntimeError as e:
    res["placed"] = str(e)
print("RESULT" + json.dumps(res))
"""


@pytest.fixture(scope="module")
def multi_device():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("XLA_FLAGS", None)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MULTI_DEVICE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


def _close(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k])
    elif isinstance(a, list) and a and isinstance(a[0], (list, dict)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    else:
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-5)


def test_data_parallel_splits_the_batch_across_devices(multi_device):
    r = multi_device
    assert r["device_ids"] == [0, 1]
    assert r["seen"] == [2]  # the module saw its input sharded over both devices
    assert r["out_devices"] == [1, 1]  # outputs gathered on output_device
    assert r["grad_devices"] == 1  # gradients land where the parameters live
    assert r["keys"] == r["ref_keys"]


def test_data_parallel_outputs_and_gradients_match(multi_device):
    r = multi_device
    _close(r["dp"], r["ref"])
    _close(r["dp"], r["plain"])
    _close(r["extra"][0], r["extra"][1])


def test_data_parallel_uneven_batch_training_and_functional(multi_device):
    r = multi_device
    assert r["odd"] == [[5, 2], [1]]
    _close(r["train"][1], r["train"][0])
    _close(r["functional"][0], r["functional"][1])
    assert "Invalid device id 2" in r["bad_id"]


def test_data_parallel_tied_weights_integer_outputs_rnn_and_dim(multi_device):
    plain, dp = multi_device["tied"]
    assert dp[5:] == plain[5:] == ["torch.int64", False]
    assert dp[1] == plain[1]
    _close(dp[:5], plain[:5])
    _close(*multi_device["dim1"])


def test_data_parallel_explains_a_tensor_placed_on_one_device(multi_device):
    assert "Register such a tensor as a buffer" in multi_device["placed"]


# ---------------------------------------------------------------------- drop-in runner


def test_dropin_resolves_distributed_and_parallel(tmp_path):
    script = tmp_path / "ddp_script.py"
    script.write_text(
        textwrap.dedent("""\
        import torch
        import torch.distributed as dist
        from torch.distributed.elastic.multiprocessing.errors import record
        from torch.nn.parallel import DistributedDataParallel as DDP
        from torch.utils.data.distributed import DistributedSampler
        import torchlike

        @record
        def main():
            dist.init_process_group("gloo", init_method="tcp://127.0.0.1:29511", rank=0,
                                    world_size=1)
            model = DDP(torch.nn.Linear(2, 1))
            loss = model(torch.ones(3, 2)).sum()
            loss.backward()
            t = torch.ones(2)
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
            print("same", dist is torchlike.distributed,
                  torch.nn.parallel is torchlike.nn.parallel,
                  torch.nn.DataParallel is torchlike.nn.DataParallel)
            print("values", t.tolist(), list(DistributedSampler(range(4), shuffle=False)),
                  sorted(model.state_dict()))
            dist.destroy_process_group()
            try:
                from torch.distributed.fsdp import FullyShardedDataParallel
                FullyShardedDataParallel(model)
            except NotImplementedError:
                print("fsdp unsupported")

        main()
        """)
    )
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "torchlike", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "same True True True" in proc.stdout
    assert "values [1.0, 1.0] [0, 1, 2, 3] ['module.bias', 'module.weight']" in proc.stdout
    assert "fsdp unsupported" in proc.stdout


def test_record_decorator_passes_results_and_errors():
    from torchlike.distributed.elastic.multiprocessing.errors import record

    assert record(lambda x: x + 1)(2) == 3
    with pytest.raises(KeyError):
        record(lambda: {}["k"])()
