"""The utility APIs ordinary training scripts use around the math, against real PyTorch on a CPU.

torch.jit, torch.testing.assert_close, torch.profiler, torch.hub, torch._dynamo.config,
torch.__version__, anomaly detection, checkpointing, settings and grad-mode idioms.
"""

import importlib
import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()
LIBS = pytest.mark.parametrize("lib", [torch, tl], ids=["torch", "torchlike"])


def _outcome(fn):
    """(exception type name, message) or ('ok', repr of the result)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn()
    except Exception as e:  # noqa: BLE001 - the outcome is what is compared
        return type(e).__name__, str(e)


# ---- version -------------------------------------------------------------------------------


def test_version_compares_as_a_version():
    versions = ["2.13.0+cpu", "2.13.0", "2.13", "2.9", "2.13.0rc1", "2.13.0.dev20240101",
                "1.10.0a", "1.2.1", "2.13.0.post1", "parrot"]
    others = ["2.0", "2.9", "2.13", "2.13.0", "1.2", "2.13.0rc2", (2, 13), (1, 2, 1), (2, 14)]
    for v in versions:
        a, b = tl.torch_version.TorchVersion(v), torch.torch_version.TorchVersion(v)
        for o in others:
            if v == "parrot" and not isinstance(o, str):
                continue
            for op in ("__lt__", "__le__", "__eq__", "__ge__", "__gt__"):
                assert getattr(a, op)(o) == getattr(b, op)(o), (v, op, o)
    v = tl.__version__
    assert isinstance(v, str) and v >= "2.0" and v >= "2.9" and v < (2, 14)
    assert v.split("+")[0] == torch.__version__.split("+")[0]
    assert tl.version.__version__ == v and tl.version.cuda is torch.version.cuda is None
    assert tl.version.hip is None and isinstance(tl.version.git_version, str)


# ---- settings ------------------------------------------------------------------------------


def test_settings_reject_bad_input_as_torch():
    cases = [
        lambda lib: lib.use_deterministic_algorithms("x"),
        lambda lib: lib.set_num_threads(2.0),
        lambda lib: lib.set_num_threads(0),
        lambda lib: lib.set_default_dtype(lib.int64),
    ]
    for case in cases:
        got, want = _outcome(lambda c=case: c(tl)), _outcome(lambda c=case: c(torch))
        assert got[0] == want[0] != "ok"
    for lib in (torch, tl):
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            lib.set_float32_matmul_precision("foo")
        assert lib.get_float32_matmul_precision() == "highest"


def test_set_num_interop_threads_only_once():
    from torchlike import _settings

    saved = dict(_settings._threads)
    try:
        _settings._threads.pop("interop_set", None)
        with pytest.raises(RuntimeError, match="expects a positive integer"):
            tl.set_num_interop_threads(0)
        tl.set_num_interop_threads(1)
        assert tl.get_num_interop_threads() == 1
        with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
            tl.set_num_interop_threads(2)
    finally:
        _settings._threads.clear()
        _settings._threads.update(saved)


# ---- anomaly detection ---------------------------------------------------------------------


def test_anomaly_flags_and_message_match_torch():
    for lib in (torch, tl):
        assert lib.is_anomaly_enabled() is False
        lib.set_anomaly_enabled(True, check_nan=False)
        assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        lib.set_anomaly_enabled(False)
        assert lib.is_anomaly_check_nan_enabled()
        with lib.autograd.set_detect_anomaly(True):
            assert lib.is_anomaly_enabled()
        assert not lib.is_anomaly_enabled()

    def nan_backward(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([-1.0], requires_grad=True)
            lib.sqrt(x).sum().backward()

    got, want = _outcome(lambda: nan_backward(tl)), _outcome(lambda: nan_backward(torch))
    assert got == want and want[0] == "RuntimeError"
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        tl.autograd.detect_anomaly()


# ---- grad modes ----------------------------------------------------------------------------


@LIBS
def test_inference_mode_false_enables_grad(lib):
    with lib.no_grad(), lib.inference_mode(False):
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
    with lib.inference_mode(), lib.inference_mode(mode=False):
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
    from_grad_mode = importlib.import_module(lib.__name__ + ".autograd.grad_mode")
    with from_grad_mode.set_grad_enabled(False):
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()


@LIBS
def test_no_grad_decorates_methods_and_hooks_in_loops(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.ones(3))

        @lib.no_grad()
        def predict(self, x):
            return self.w * x

    net = Net()
    assert not net.predict(lib.ones(3)).requires_grad and lib.is_grad_enabled()
    assert Net.predict.__name__ == "predict"
    seen = []
    for i in range(3):
        y = net.w * (i + 1)
        h = y.register_hook(lambda g, i=i: seen.append((i, g.tolist())))
        y.sum().backward()
        h.remove()
    assert seen == [(0, [1.0] * 3), (1, [1.0] * 3), (2, [1.0] * 3)]
    assert net.w.grad.tolist() == [6.0] * 3


# ---- torch.jit -----------------------------------------------------------------------------


def _triple(a):
    return a * 3


def _model(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l = lib.nn.Linear(3, 2)

        def forward(self, x):
            return lib.relu(self.l(x))

        @lib.jit.ignore
        def helper(self, x):
            return x + 1

        @lib.jit.export
        def twice(self, x):
            return x * 2

    # jit.save in torchlike pickles the module, so its class must be importable.
    M.__name__ = M.__qualname__ = f"_M_{lib.__name__}"
    globals()[M.__name__] = M
    m = M()
    with lib.no_grad():
        m.l.weight.copy_(lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5]]))
        m.l.bias.copy_(lib.tensor([0.1, -0.2]))
    return m


def test_jit_script_and_trace_run_the_module(tmp_path):
    x = [[1.0, 2.0, 3.0]]
    for lib in (torch, tl):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            m = _model(lib)
            sm = lib.jit.script(m)
            tm = lib.jit.trace(m, lib.tensor(x))
            assert isinstance(sm, lib.jit.ScriptModule) and isinstance(sm, lib.nn.Module)
            want = m(lib.tensor(x)).tolist()
            assert sm(lib.tensor(x)).tolist() == want and tm(lib.tensor(x)).tolist() == want
            assert sm.helper(lib.tensor(x)).tolist() == [[2.0, 3.0, 4.0]]
            assert sm.twice(lib.tensor(x)).tolist() == [[2.0, 4.0, 6.0]]
            assert list(sm.state_dict()) == ["l.weight", "l.bias"]
            # The scripted module shares its parameters with the original.
            with lib.no_grad():
                m.l.bias.add_(1.0)
            assert sm(lib.tensor(x)).tolist() == m(lib.tensor(x)).tolist()
            path = tmp_path / f"{lib.__name__}.pt"
            sm.save(str(path))
            loaded = lib.jit.load(str(path))
            assert loaded(lib.tensor(x)).tolist() == m(lib.tensor(x)).tolist()
            f = lib.jit.script(_triple)
            assert isinstance(f, lib.jit.ScriptFunction) and f(lib.ones(1)).tolist() == [3.0]
            assert lib.jit.trace(lambda a: a * 2, lib.ones(2))(lib.ones(2)).tolist() == [2.0, 2.0]
            assert lib.jit.wait(lib.jit.fork(lambda a: a + 1, lib.ones(1))).tolist() == [2.0]
            assert lib.jit.annotate(list, []) == [] and not lib.jit.is_tracing()
            assert not lib.jit.is_scripting()
            frozen = lib.jit.freeze(lib.jit.script(m).eval())
            assert frozen(lib.tensor(x)).tolist() == m(lib.tensor(x)).tolist()


@LIBS
def test_jit_scripted_copy_has_its_own_modes_and_copies(lib):
    import copy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        sm = lib.jit.script(m)
        sm.eval()
        lin, bn = (dict(sm.named_children())[k] for k in ("0", "1"))
        assert not sm.training and not bn.training and m.training and m[1].training
        assert isinstance(lin, lib.jit.ScriptModule) and lin.weight is m[0].weight
        d = copy.deepcopy(sm)
        d_lin = dict(d.named_children())["0"]
        assert isinstance(d, lib.jit.ScriptModule) and d_lin.weight is not lin.weight
        assert lib.equal(d_lin.weight, lin.weight)


def test_jit_load_errors(tmp_path):
    sd_path = str(tmp_path / "sd.pt")
    torch.save({"w": torch.ones(1)}, sd_path)
    for lib in (torch, tl):
        got = _outcome(lambda lib=lib: lib.jit.load(str(tmp_path / "missing.pt")))
        assert got == ("ValueError", f"The provided filename {tmp_path / 'missing.pt'} does not exist")
        assert _outcome(lambda lib=lib: lib.jit.load(sd_path))[0] == "RuntimeError"
    # A TorchScript archive written by PyTorch needs TorchScript's interpreter.
    ts_path = str(tmp_path / "ts.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), ts_path)
        with pytest.raises(NotImplementedError, match="TorchScript archive"):
            tl.jit.load(ts_path)


# ---- torch._dynamo / torch.compiler --------------------------------------------------------


def test_dynamo_config_as_torch():
    import torch._dynamo

    for name in ("suppress_errors", "cache_size_limit", "recompile_limit", "verbose",
                 "capture_scalar_outputs", "optimize_ddp", "automatic_dynamic_shapes"):
        assert getattr(tl._dynamo.config, name) == getattr(torch._dynamo.config, name), name
    cfg = tl._dynamo.config
    old = cfg.cache_size_limit
    try:
        cfg.cache_size_limit = 64
        assert cfg.recompile_limit == 64
        cfg.suppress_errors = True
        assert cfg.suppress_errors is True
    finally:
        cfg.cache_size_limit = old
        cfg.suppress_errors = False
    for lib in (torch, tl):
        with pytest.raises(AttributeError, match=r"torch\._dynamo\.config\.not_an_option does not exist"):
            lib._dynamo.config.not_an_option  # noqa: B018
        with pytest.raises(AttributeError, match="does not exist"):
            lib._dynamo.config.not_an_option = 1
        assert lib.compiler.is_compiling() is False and lib._dynamo.is_compiling() is False
        assert lib._dynamo.disable(lambda a: a + 1)(1) == 2
        lib._dynamo.reset()
    tl._inductor.config.coordinate_descent_tuning = True
    assert tl._inductor.config.coordinate_descent_tuning is True


# ---- torch.utils.checkpoint ----------------------------------------------------------------


def _ckpt_case(lib, use_reentrant, sequential=False):
    cp = importlib.import_module(lib.__name__ + ".utils.checkpoint")
    net = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2))
    with lib.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(lib.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1) / 3)
    x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], requires_grad=True)
    if sequential:
        out = cp.checkpoint_sequential(net, 2, x, use_reentrant=use_reentrant)
    else:
        out = cp.checkpoint(net, x, use_reentrant=use_reentrant)
    out.pow(2).sum().backward()
    return [out.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in net.parameters()]


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("sequential", [False, True])
def test_checkpoint_values_and_gradients(use_reentrant, sequential):
    for a, b in zip(_ckpt_case(tl, use_reentrant, sequential),
                    _ckpt_case(torch, use_reentrant, sequential)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_checkpoint_reentrant_rules_as_torch():
    def no_grad_inputs(lib):
        cp = importlib.import_module(lib.__name__ + ".utils.checkpoint")
        lin = lib.nn.Linear(2, 2)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            out = cp.checkpoint(lin, lib.ones(1, 2), use_reentrant=True)
        return out.requires_grad

    assert no_grad_inputs(tl) is no_grad_inputs(torch) is False
    for case in (
        lambda lib, cp: cp.checkpoint(lambda a, b=1: a * b, lib.ones(1), b=2, use_reentrant=True),
        lambda lib, cp: cp.checkpoint_sequential(lib.nn.Sequential(lib.nn.Tanh()), 0, lib.ones(1),
                                                 use_reentrant=False),
    ):
        got = _outcome(lambda c=case: c(tl, importlib.import_module("torchlike.utils.checkpoint")))
        want = _outcome(lambda c=case: c(torch, importlib.import_module("torch.utils.checkpoint")))
        assert got == want and want[0] != "ok"
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        tl.utils.checkpoint.checkpoint(lambda a: a, tl.ones(1, requires_grad=True))


# ---- torch.profiler ------------------------------------------------------------------------


def test_profiler_schedule_and_steps_as_torch():
    kwargs = [{"wait": 1, "warmup": 1, "active": 2, "repeat": 1}, {"wait": 0, "warmup": 1, "active": 1},
              {"wait": 2, "warmup": 1, "active": 3, "repeat": 2, "skip_first": 1}]
    for kw in kwargs:
        a, b = tl.profiler.schedule(**kw), torch.profiler.schedule(**kw)
        assert [str(a(i)) for i in range(14)] == [str(b(i)) for i in range(14)], kw

    def run(lib):
        ready = []
        sched = lib.profiler.schedule(wait=1, warmup=1, active=2, repeat=2)
        with lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU], schedule=sched,
                                  on_trace_ready=lambda p: ready.append(p.step_num)) as prof:
            for _ in range(10):
                with lib.profiler.record_function("work"):
                    lib.ones(2) + 1
                prof.step()
        return ready

    assert run(tl) == run(torch)


def test_profiler_tables_are_strings(tmp_path):
    activities = [tl.profiler.ProfilerActivity.CPU]
    with tl.profiler.profile(activities=activities) as prof, \
            tl.profiler.record_function("model_inference"):
        tl.ones(2) * 2
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    assert isinstance(table, str) and "model_inference" in table
    prof.export_chrome_trace(str(tmp_path / "trace.json"))
    assert (tmp_path / "trace.json").read_text().startswith("{")
    with tl.autograd.profiler.profile() as p2, tl.autograd.profiler.record_function("legacy"):
        pass
    assert "legacy" in p2.key_averages().table()

    @tl.profiler.record_function("deco")
    def f():
        return 2

    assert f() == 2
    if not tl.cuda.is_available():
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"), \
                tl.autograd.profiler.emit_nvtx():
            pass


# ---- torch.testing -------------------------------------------------------------------------

_CLOSE_CASES = [
    ([1.0, 2.0], [1.0, 2.0 + 1e-7], {}),
    ([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], {}),
    ([[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 2.0]], {}),
    ([1.0], [1.1], {"rtol": 0, "atol": 0.2}),
    ([1.0], [1.1], {"msg": "custom"}),
    ([1.0], [1.0], {"rtol": 1e-3}),
    ([1, 2], [1, 3], {}),
    ([True], [False], {}),
    ([float("nan")], [float("nan")], {}),
    ([float("nan")], [float("nan")], {"equal_nan": True}),
    (list(range(10)), [i * 1.1 for i in range(10)], {}),
    (2.0, 3.0, {}),
]


@pytest.mark.parametrize("case", range(len(_CLOSE_CASES)))
def test_assert_close_outcomes_and_messages(case):
    a, b, kw = _CLOSE_CASES[case]
    got = _outcome(lambda: tl.testing.assert_close(tl.tensor(a), tl.tensor(b), **kw))
    want = _outcome(lambda: torch.testing.assert_close(torch.tensor(a), torch.tensor(b), **kw))
    assert got == want


def test_assert_close_structure_dtype_and_scalars():
    pairs = [
        (lambda lib: (lib.ones(1), lib.ones(1, dtype=lib.float64)), {}),
        (lambda lib: (lib.ones(1), lib.ones(1, dtype=lib.float64)), {"check_dtype": False}),
        (lambda lib: (lib.ones(2), lib.ones(3)), {}),
        (lambda lib: ({"a": lib.ones(1)}, {"a": lib.zeros(1)}), {}),
        (lambda lib: ([lib.ones(1), lib.ones(2)], [lib.ones(1), lib.zeros(2)]), {}),
        (lambda lib: (1.0, 1.5), {}),
        (lambda lib: (1.0, 1.0 + 1e-9), {}),
        (lambda lib: (1, 1.0), {}),
        (lambda lib: (lib.tensor(1.0), 1.0), {}),
        (lambda lib: (lib.ones(2), np.ones(2)), {}),
    ]
    for make, kw in pairs:
        got = _outcome(lambda m=make, k=kw: tl.testing.assert_close(*m(tl), **k))
        want = _outcome(lambda m=make, k=kw: torch.testing.assert_close(*m(torch), **k))
        assert got == want, (make, kw)
    t = tl.testing.make_tensor((2, 3), dtype=tl.float32, device="cpu", low=-1, high=1)
    assert t.shape == (2, 3) and t.dtype is tl.float32 and bool((t >= -1).all() & (t <= 1).all())


# ---- torch.hub -----------------------------------------------------------------------------


def test_hub_dir_and_local_repo(tmp_path, monkeypatch):
    monkeypatch.delenv("TORCH_HOME", raising=False)
    assert tl.hub.get_dir() == torch.hub.get_dir()
    (tmp_path / "hubconf.py").write_text("def answer(n=1):\n    'The answer.'\n    return 42 * n\n")
    for lib in (torch, tl):
        assert lib.hub.load(str(tmp_path), "answer", 2, source="local") == 84
        with pytest.raises(ValueError, match="Unknown source"):
            lib.hub.load(str(tmp_path), "answer", source="gitlab")
    old = tl.hub.get_dir()
    try:
        tl.hub.set_dir(str(tmp_path / "hub"))
        assert tl.hub.get_dir() == str(tmp_path / "hub")
        with pytest.raises(RuntimeError, match="could not be found in the cache"):
            tl.hub.load("pytorch/vision", "resnet18")
    finally:
        tl.hub.set_dir(old)


# ---- random and misc -----------------------------------------------------------------------


@LIBS
def test_seeding_idioms(lib):
    g = lib.manual_seed(7)
    assert g is lib.default_generator and isinstance(g, lib.Generator)
    assert lib.initial_seed() == 7
    with lib.random.fork_rng(devices=[]):
        a = lib.rand(3)
    assert lib.equal(a, lib.rand(3))
    assert isinstance(lib.seed(), int)
    assert lib.cuda.is_bf16_supported() is False or lib.cuda.is_available()


# ---- torch.cuda / mps / xpu on a machine without them --------------------------------------

_NO_GPU_CALLS = [
    lambda lib: lib.cuda.reset_peak_memory_stats(),
    lambda lib: lib.cuda.reset_max_memory_allocated(),
    lambda lib: lib.cuda.memory_stats(),
    lambda lib: lib.cuda.memory.memory_allocated(),
    lambda lib: lib.cuda.memory_summary(),
    lambda lib: lib.cuda.max_memory_reserved(),
    lambda lib: lib.cuda.ipc_collect(),
    lambda lib: lib.cuda.get_arch_list(),
    lambda lib: lib.cuda.current_stream(),
    lambda lib: lib.cuda.initial_seed(),
    lambda lib: lib.cuda.get_rng_state(),
    lambda lib: lib.cuda.get_rng_state_all(),
    lambda lib: lib.cuda.set_rng_state(lib.get_rng_state()),
    lambda lib: lib.cuda.Event(enable_timing=True),
    lambda lib: lib.cuda.Stream(),
    lambda lib: lib.cuda.device(0).__enter__(),
    lambda lib: lib.cuda.device(-1).__enter__(),
    lambda lib: lib.cuda.set_device(0),
    lambda lib: lib.cuda.set_device("cuda"),
    lambda lib: lib.cuda.set_device(-1),
    lambda lib: lib.cuda.nvtx.range_push("x"),
    lambda lib: lib.cuda.is_current_stream_capturing(),
    lambda lib: lib.cuda.is_tf32_supported(),
    lambda lib: lib.mps.is_available(),
    lambda lib: lib.mps.device_count(),
    lambda lib: lib.mps.manual_seed(0),
    lambda lib: lib.mps.synchronize(),
    lambda lib: lib.mps.empty_cache(),
    lambda lib: lib.xpu.is_available(),
    lambda lib: lib.xpu.device_count(),
    lambda lib: lib.xpu.empty_cache(),
    lambda lib: lib.xpu.synchronize(),
]


@pytest.mark.skipif(tl.cuda.is_available(), reason="checks the answers without a GPU")
@pytest.mark.parametrize("case", range(len(_NO_GPU_CALLS)))
def test_cuda_mps_xpu_without_devices_as_torch_cpu_build(case):
    import torchlike.mps
    import torchlike.xpu  # noqa: F401

    call = _NO_GPU_CALLS[case]
    got, want = _outcome(lambda: call(tl)), _outcome(lambda: call(torch))
    if want[0] == "ok":
        assert got[0] == "ok" and repr(got[1]) == repr(want[1])
    else:
        # torchlike's AssertionErrors add how to get a GPU (install jax[cuda12]).
        assert got[0] == want[0] and got[1].startswith(want[1]), (got, want)
    with pytest.warns(FutureWarning, match="torch.cuda.amp.autocast"):
        tl.cuda.amp.autocast(enabled=False)


def test_torch_c_jit_switches_return_as_torch():
    calls = [("_jit_set_profiling_executor", (False,)), ("_jit_set_profiling_executor", (True,)),
             ("_jit_set_profiling_mode", (False,)), ("_jit_set_profiling_mode", (True,)),
             ("_jit_override_can_fuse_on_cpu", (True,)), ("_jit_can_fuse_on_cpu", ()),
             ("_jit_can_fuse_on_gpu", ()), ("_jit_texpr_fuser_enabled", ()),
             ("_get_graph_executor_optimize", ()), ("_get_tracing_state", ())]
    for name, args in calls:
        assert getattr(tl._C, name)(*args) == getattr(torch._C, name)(*args), name
    with pytest.raises(AttributeError):
        tl._C._not_a_binding  # noqa: B018


# ---- older idioms and start-up calls -------------------------------------------------------


@LIBS
def test_variable_is_a_detached_tensor(lib):
    from importlib import import_module

    Variable = import_module(lib.__name__ + ".autograd").Variable
    x = lib.ones(2)
    v = Variable(x)
    assert v is not x and not v.requires_grad and isinstance(x, Variable)
    w = Variable(x, requires_grad=True)
    assert w.requires_grad and not x.requires_grad and w.is_leaf
    y = lib.ones(2, requires_grad=True) * 2
    assert Variable(y).grad_fn is None
    assert Variable().shape == (0,)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(x, volatile=True)


def test_default_tensor_type_typename_warn_always():
    cases = [lambda lib: lib.set_default_tensor_type(lib.DoubleTensor),
             lambda lib: lib.set_default_tensor_type("torch.FloatTensor"),
             lambda lib: lib.set_default_tensor_type(lib.float64),
             lambda lib: lib.set_default_tensor_type(lib.IntTensor)]
    if not tl.cuda.is_available():
        cases.append(lambda lib: lib.set_default_tensor_type("torch.cuda.FloatTensor"))
    try:
        for case in cases:
            got, want = _outcome(lambda c=case: c(tl)), _outcome(lambda c=case: c(torch))
            assert got == want and str(tl.get_default_dtype()) == str(torch.get_default_dtype())
    finally:
        for lib in (tl, torch):
            lib.set_default_dtype(lib.float32)
    assert tl.typename(tl.ones(1, dtype=tl.float64)) == "torch.DoubleTensor"
    assert tl.typename(3) == torch.typename(3) == "int"
    assert tl.typename(tl.nn.Linear(1, 1)) == "torch.nn.modules.linear.Linear"
    for lib in (tl, torch):
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled()
        lib.set_warn_always(False)
        assert not lib.is_warn_always_enabled()


def test_start_up_warnings_as_torch():
    if tl.accelerator.is_available():
        pytest.skip("checks the answers without an accelerator")
    for lib in (tl, torch):
        ds = lib.utils.data.TensorDataset(lib.arange(4.0))
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                             "accelerator is found"):
            batch = next(iter(lib.utils.data.DataLoader(ds, batch_size=2, pin_memory=True)))
        assert batch[0].tolist() == [0.0, 1.0]
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported"), \
                lib.autocast("cuda"):
            assert not lib.is_autocast_enabled("cuda")
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not"), \
                lib.autocast("cpu", dtype=lib.float32):
            assert not lib.is_autocast_enabled("cpu")
        with pytest.warns(FutureWarning, match="sdp_kernel\\(\\)` is deprecated"), \
                lib.backends.cuda.sdp_kernel(enable_math=True) as got:
            assert got == {}


def test_model_zoo_and_config():
    import torch.utils.model_zoo as tmz

    import torchlike.utils.model_zoo as lmz

    assert callable(lmz.load_url) and callable(tmz.load_url)
    assert isinstance(tl.__config__.show(), str) and isinstance(tl.__config__.parallel_info(), str)


# ---- torch.utils.benchmark -----------------------------------------------------------------


def test_benchmark_measurement_statistics_and_repr_as_torch():
    from torch.utils.benchmark.utils.common import Measurement, TaskSpec

    import torchlike.utils.benchmark as lb

    raw = [1.2e-3, 1.0e-3, 1.1e-3, 1.6e-3, 0.9e-3, 1.05e-3, 2.5e-3]
    for spec in ({"stmt": "x + 1", "setup": "pass"},
                 {"stmt": "y = x * 2\nz = y + 1", "setup": "x = 1", "label": "mul",
                  "sub_label": "small", "description": "cpu", "num_threads": 2}):
        ours = lb.Measurement(10, raw, lb.TaskSpec(**spec))
        ref = Measurement(10, raw, TaskSpec(**spec))
        for name in ("median", "mean", "iqr", "significant_figures", "has_warnings", "title",
                     "times", "number_per_run"):
            a, b = getattr(ours, name), getattr(ref, name)
            assert a == pytest.approx(b, rel=1e-12) if isinstance(b, float) else a == b, name
        assert repr(ours).splitlines()[1:] == repr(ref).splitlines()[1:]
        assert ours.meets_confidence(0.5) == ref.meets_confidence(0.5)
    single = lb.Measurement(100, [2e-4], lb.TaskSpec("x", "pass"))
    assert repr(single).splitlines()[1:] == \
        repr(Measurement(100, [2e-4], TaskSpec("x", "pass"))).splitlines()[1:]


def test_benchmark_timer_runs_statements():
    from torchlike.utils.benchmark import Compare, Timer

    x = tl.ones(4)
    m = Timer("x + 1", globals={"x": x}, label="add", description="cpu").timeit(20)
    assert m.number_per_run == 20 and len(m.times) == 1 and m.median > 0 and m.title == "add"
    b = Timer("torch.mm(a, a)", setup="a = torch.ones(4, 4)").blocked_autorange(min_run_time=0.01)
    assert b.number_per_run >= 1 and len(b.times) >= 1 and b.mean > 0
    assert "add" in str(Compare([m]))
    with pytest.raises(ValueError, match="only a `str` stmt"):
        Timer(lambda: None)


# ---- torch.utils.tensorboard ---------------------------------------------------------------


def _tensorboard_events(root):
    import glob
    import os

    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    out = {}
    for f in sorted(glob.glob(f"{root}/**/events.out.tfevents.*", recursive=True)):
        events = [e for e in EventFileLoader(f).Load() if not e.HasField("file_version")]
        out[os.path.relpath(os.path.dirname(f), root)] = [e.SerializeToString() for e in events]
    return out


def _log_to_tensorboard(lib, log_dir):
    writer_mod = importlib.import_module(lib.__name__ + ".utils.tensorboard")
    with writer_mod.SummaryWriter(log_dir) as w:
        for i in range(3):
            w.add_scalar("loss", lib.tensor(1.0 / (i + 1)), i, walltime=100.0 + i)
            w.add_scalars("metrics", {"a": i, "b": 2 * i}, i, walltime=200.0 + i)
            w.add_scalar("lr", 0.1 * i, global_step=i, walltime=1.0, new_style=True)
        w.add_histogram("w", lib.arange(10.0), 0, walltime=3.0)
        w.add_histogram("w2", lib.linspace(-1, 1, 50), 1, bins="auto", walltime=3.0)
        w.add_text("note", "hello", 0, walltime=4.0)


def test_tensorboard_writer_as_torch(tmp_path):
    try:
        import tensorboard  # noqa: F401
    except ModuleNotFoundError:
        # As PyTorch: the module needs the tensorboard package.
        for name in ("torch.utils.tensorboard", "torchlike.utils.tensorboard"):
            with pytest.raises(ModuleNotFoundError, match="No module named 'tensorboard'"):
                importlib.import_module(name)
        return
    _log_to_tensorboard(torch, str(tmp_path / "torch"))
    _log_to_tensorboard(tl, str(tmp_path / "tl"))
    ours, ref = _tensorboard_events(tmp_path / "tl"), _tensorboard_events(tmp_path / "torch")
    assert sorted(ours) == sorted(ref) == [".", "metrics_a", "metrics_b"]
    assert ours == ref  # byte-identical events (wall times given)


def test_cuda_amp_grad_scaler_is_the_deprecated_subclass():
    for lib in (tl, torch):
        with pytest.warns(FutureWarning, match=r"torch.cuda.amp.GradScaler\(args...\)` is deprecated"):
            scaler = lib.cuda.amp.GradScaler(enabled=False)
        assert isinstance(scaler, lib.amp.GradScaler) and not scaler.is_enabled()


def test_check_counts_modules_needing_optional_packages_as_present():
    from torchlike._check import check_source

    _, missing, _ = check_source(b"import torch.utils.tensorboard\nimport torch.utils.benchmark\n"
                                 b"torch.jit.script\ntorch.profiler.profile\ntorch.nope\n")
    assert sorted({api for _, api in missing}) == ["torch.nope"]


def test_constants_match_pytorch():
    # torch.inf in masks, torch.pi in positional encodings, torch.newaxis in indexing
    import math

    for name in ("inf", "nan", "pi", "e", "newaxis"):
        got, want = getattr(tl, name), getattr(torch, name)
        assert type(got) is type(want), name
        assert got == want or (math.isnan(got) and math.isnan(want)), name
    assert tuple(tl.ones(3)[tl.newaxis].shape) == tuple(torch.ones(3)[torch.newaxis].shape)
