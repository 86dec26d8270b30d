"""Devices, process-wide settings and numpy/DLPack interop, compared with real PyTorch on a
machine without a GPU: results, identities, and the exception type and message of misuse."""

import pickle
import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl  # noqa: E402

no_gpu = pytest.mark.skipif(tl.cuda.is_available(),
                            reason="compares with PyTorch's CPU build, which has no CUDA")


def _desc(r, lib):
    """What a call returned, in library-neutral terms."""
    if isinstance(r, lib.Tensor):
        return ("tensor", str(r.dtype), tuple(r.shape), r.requires_grad, str(r.device),
                repr(r.detach().tolist()))
    if isinstance(r, np.ndarray):
        return ("ndarray", str(r.dtype), r.shape, repr(r.tolist()))
    if isinstance(r, lib.device):
        return ("device", repr(r), str(r), r.type, r.index)
    if isinstance(r, (list, tuple)):
        return (type(r).__name__, [_desc(x, lib) for x in r])
    return (type(r).__name__, repr(r))


def _outcome(call, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", _desc(call(lib), lib))
        except Exception as e:  # noqa: BLE001 (the oracle's exception is the expectation)
            return ("error", type(e).__name__, str(e))


def same(call):
    """call(torch) and call(torchlike) agree: the same result, or the same error and message."""
    assert _outcome(call, tl) == _outcome(call, torch)


# ---- torch.device ----------------------------------------------------------------------------

DEVICE_ARGS = [
    ("cpu",), ("cuda",), ("cuda:1",), ("cuda", 0), ("cuda", 1), ("cpu", 0), ("cpu:0",), ("meta",),
    ("mps",), ("xpu",), ("hpu",), ("privateuseone:3",), ("xla",), ("lazy",), ("ipu",),
    ("cuda:-1",), ("foo",), ("cpu:0:1",), ("cuda:01",), ("cuda: 1",), ("",), ("CUDA",), (" cuda",),
    (":1",), ("cuda:",), ("cuda::1",), ("foo:1",), ("float64",), ("cuda:2147483648",),
    ("cuda:1", 1), ("cuda", -1), ("cuda", "1"), ("cpu", 1.5), ("cpu", True), ("cuda", None),
    (1.0,), (None,), (True,), ([1],), ("cpu", 1, 2), (),
]


@pytest.mark.parametrize("args", DEVICE_ARGS, ids=repr)
def test_device_constructor(args):
    same(lambda L: L.device(*args))


@pytest.mark.parametrize("kwargs", [
    {"type": "cuda"}, {"type": "cuda", "index": 2}, {"index": 1}, {"device": "cpu"},
    {"type": "cuda:1", "index": 1}, {"foo": 1}, {"type": "cpu", "device": "cpu"},
], ids=repr)
def test_device_keywords(kwargs):
    same(lambda L: L.device(**kwargs))


def test_device_from_device_and_tensor_errors():
    same(lambda L: L.device(L.device("cuda:2")))
    same(lambda L: L.device(L.device("cpu"), 1))
    same(lambda L: L.device(L.zeros(1)))
    same(lambda L: L.device(L.float32))


@no_gpu
def test_device_from_an_index_needs_an_accelerator():
    same(lambda L: L.device(0))
    same(lambda L: L.device(3))


def test_device_equality_hash_and_immutability():
    same(lambda L: L.device("cuda:1") == L.device("cuda", 1))
    same(lambda L: L.device("cuda") == L.device("cuda:0"))
    same(lambda L: L.device("cpu") == L.device("cpu", 0))
    same(lambda L: L.device("cpu") == "cpu")
    same(lambda L: L.device("cpu") != "cpu")
    same(lambda L: L.device("cpu") == 0)
    same(lambda L: hash(L.device("cuda:1")) == hash(L.device("cuda", 1)))
    same(lambda L: len({L.device("cpu"), L.device("cpu"), L.device("cuda")}))
    same(lambda L: setattr(L.device("cpu"), "index", 3))
    same(lambda L: setattr(L.device("cpu"), "type", "cuda"))
    same(lambda L: L.device("cpu") < L.device("cpu"))
    same(lambda L: pickle.loads(pickle.dumps(L.device("cuda:1"))))
    same(lambda L: f"{L.device('cuda', 1)}")
    same(lambda L: type(L.device("cpu")).__name__)


def test_default_device_context_and_setting():
    def block(L):
        with L.device("meta") as d:
            inside = (d, str(L.zeros(2).device), L.get_default_device())
        return inside, str(L.zeros(1).device), L.get_default_device()

    same(block)

    def set_meta(L):
        L.set_default_device("meta")
        try:
            return (str(L.zeros(2).device), L.get_default_device(), str(L.arange(3).device),
                    str(L.tensor([1.0]).device))
        finally:
            L.set_default_device(None)

    same(set_meta)
    same(lambda L: (L.set_default_device(None), L.get_default_device()))
    same(lambda L: (L.set_default_device("cpu"), L.get_default_device(), L.zeros(1).device,
                    L.set_default_device(None))[1:3])


@no_gpu
def test_default_device_cuda_without_gpu():
    def set_cuda(L):
        L.set_default_device("cuda")
        L.set_default_device(None)

    same(set_cuda)


# ---- Tensor.to, .cpu(), .cuda() ----------------------------------------------------------------

def _t(L):
    return L.arange(6.0).reshape(2, 3)


TO_CALLS = {
    "dtype": lambda L, t: t.to(L.float64),
    "device_dtype": lambda L, t: t.to("cpu", L.int64),
    "keywords": lambda L, t: t.to(device="cpu", dtype=L.int64),
    "dtype_kw": lambda L, t: t.to(dtype=L.int64),
    "device_str_dtype_kw": lambda L, t: t.to("cpu", dtype=L.float16),
    "other_tensor": lambda L, t: t.to(L.zeros(1, dtype=L.int32)),
    "tensor_kw": lambda L, t: t.to(tensor=L.zeros(1, dtype=L.float64)),
    "python_float": lambda L, t: t.to(float),
    "python_int": lambda L, t: t.to(int),
    "python_bool": lambda L, t: t.to(bool),
    "python_complex": lambda L, t: t.to(complex),
    "none_dtype": lambda L, t: t.to(None, L.float64),
    "contiguous_format": lambda L, t: t.to(L.float64, memory_format=L.contiguous_format),
}


@pytest.mark.parametrize("name", TO_CALLS)
def test_to_forms(name):
    same(lambda L: TO_CALLS[name](L, _t(L)))


IDENTITY_CALLS = {
    "same_dtype": lambda L, t: t.to(t.dtype),
    "cpu_str": lambda L, t: t.to("cpu"),
    "cpu_device": lambda L, t: t.to(L.device("cpu")),
    "cpu_0": lambda L, t: t.to("cpu:0"),
    "other_same": lambda L, t: t.to(L.zeros(1)),
    "nothing": lambda L, t: t.to(),
    "none_none": lambda L, t: t.to(None, None),
    "keywords_none": lambda L, t: t.to(device=None, dtype=None),
    "non_blocking": lambda L, t: t.to("cpu", non_blocking=True),
    "non_blocking_only": lambda L, t: t.to(non_blocking=True),
    "memory_format": lambda L, t: t.to(memory_format=L.contiguous_format),
    "preserve_format": lambda L, t: t.to(memory_format=L.preserve_format),
    "copy_kw": lambda L, t: t.to(t.dtype, copy=True),
    "copy_positional": lambda L, t: t.to(t.dtype, False, True),
    "copy_only": lambda L, t: t.to(copy=True),
    "copy_other": lambda L, t: t.to(t, copy=True),
    "copy_device": lambda L, t: t.to("cpu", copy=True),
    "all_arguments": lambda L, t: t.to(L.device("cpu"), L.float64, False, True,
                                       memory_format=L.preserve_format),
    "cpu": lambda L, t: t.cpu(),
    "double_of_double": lambda L, t: t.double().double(),
}


@pytest.mark.parametrize("name", IDENTITY_CALLS)
def test_to_returns_self_only_when_nothing_changes(name):
    def call(L):
        t = _t(L)
        r = IDENTITY_CALLS[name](L, t)
        return r is t, _desc(r, L)

    same(call)


def test_to_copy_is_independent_and_keeps_the_graph():
    same(lambda L: (lambda t: (t.to(copy=True).add_(1), t.tolist())[1])(_t(L)))
    for call in (lambda t: t.to(t.dtype, copy=True), lambda t: t.to("cpu", copy=True),
                 lambda t: t.to(tl.float64 if isinstance(t, tl.Tensor) else torch.float64)):
        def grad_fn(L, call=call):
            t = L.ones(2, requires_grad=True)
            r = call(t)
            r.sum().backward()
            return r.grad_fn.name(), r.requires_grad, t.grad.tolist()

        same(grad_fn)
    same(lambda L: L.ones(2, requires_grad=True).to(L.int64).requires_grad)
    same(lambda L: (lambda t: t.to(L.float32) is t)(L.ones(2, requires_grad=True)))


TO_ERRORS = {
    "bad_keyword": lambda L, t: t.to(foo=1),
    "bad_keywords": lambda L, t: t.to(foo=1, bar=2, baz=3),
    "dtype_bad_keywords": lambda L, t: t.to(L.float32, foo=1, bar=2),
    "bad_string": lambda L, t: t.to("foo"),
    "dtype_string": lambda L, t: t.to("float64"),
    "list": lambda L, t: t.to([1]),
    "numpy_type": lambda L, t: t.to(np.float64),
    "numpy_dtype": lambda L, t: t.to(np.dtype("float32")),
    "object": lambda L, t: t.to(object),
    "layout": lambda L, t: t.to(L.strided),
    "layout_memory_format": lambda L, t: t.to(memory_format=L.strided),
    "two_dtypes": lambda L, t: t.to(L.float64, L.int32),
    "dtype_device": lambda L, t: t.to(L.float64, "cpu"),
    "dtype_twice": lambda L, t: t.to(L.float16, dtype=L.float64),
    "dtype_device_kw": lambda L, t: t.to(L.float64, device="cpu"),
    "device_twice": lambda L, t: t.to("cpu", device="cpu"),
    "tensor_device_kw": lambda L, t: t.to(t, device="cpu"),
    "tensor_dtype": lambda L, t: t.to(t, L.float32),
    "other_kw": lambda L, t: t.to(other=t),
    "tensor_kw_dtype_kw": lambda L, t: t.to(tensor=t, dtype=L.float64),
    "str_str": lambda L, t: t.to("cpu", "cpu"),
    "five_positional": lambda L, t: t.to("cpu", L.float32, True, True, True),
    "memory_format_int": lambda L, t: t.to("cpu", L.float32, True, True, memory_format=1),
    "non_blocking_int": lambda L, t: t.to(L.float32, non_blocking=1),
    "copy_none": lambda L, t: t.to(L.float32, copy=None),
    "dtype_int": lambda L, t: t.to(L.float32, 1),
    "dtype_three_bools": lambda L, t: t.to(L.float32, True, True, True),
    "channels_last_2d": lambda L, t: t.to(memory_format=L.channels_last),
    "channels_last_3d_2d": lambda L, t: t.to(memory_format=L.channels_last_3d),
    "cpu_positional": lambda L, t: t.cpu(1),
    "cpu_channels_last": lambda L, t: t.cpu(memory_format=L.channels_last),
    "cuda_float": lambda L, t: t.cuda(1.5),
    "cuda_cpu": lambda L, t: t.cuda("cpu"),
    "cuda_cpu_device": lambda L, t: t.cuda(L.device("cpu")),
    "cuda_meta": lambda L, t: t.cuda("meta"),
    "cuda_bad_string": lambda L, t: t.cuda("foo"),
}


@pytest.mark.parametrize("name", TO_ERRORS)
def test_to_errors(name):
    same(lambda L: TO_ERRORS[name](L, _t(L)))


NO_CUDA_CALLS = {
    "to_cuda": lambda L: _t(L).to("cuda"),
    "to_cuda_1": lambda L: _t(L).to("cuda:1"),
    "to_index": lambda L: _t(L).to(0),
    "to_xpu": lambda L: _t(L).to("xpu"),
    "to_mps": lambda L: _t(L).to("mps"),
    "to_xla": lambda L: _t(L).to("xla"),
    "to_hpu": lambda L: _t(L).to("hpu"),
    "cuda": lambda L: _t(L).cuda(),
    "cuda_index": lambda L: _t(L).cuda(1),
    "cuda_string": lambda L: _t(L).cuda("cuda:0"),
    "cuda_non_blocking": lambda L: _t(L).cuda(non_blocking=True),
    "zeros": lambda L: L.zeros(2, device="cuda"),
    "zeros_1": lambda L: L.zeros(2, device="cuda:1"),
    "zeros_device": lambda L: L.zeros(2, device=L.device("cuda")),
    "zeros_index": lambda L: L.zeros(2, device=0),
    "zeros_xpu": lambda L: L.zeros(2, device="xpu"),
    "zeros_hpu": lambda L: L.zeros(2, device="hpu"),
    "tensor": lambda L: L.tensor([1.0, 2.0], device="cuda"),
    "ones": lambda L: L.ones(2, device="cuda"),
    "randn": lambda L: L.randn(2, device="cuda"),
    "arange": lambda L: L.arange(2, device="cuda"),
    "full": lambda L: L.full((2,), 1.0, device="cuda"),
    "zeros_like": lambda L: L.zeros_like(_t(L), device="cuda"),
    "new_zeros": lambda L: _t(L).new_zeros(2, device="cuda"),
    "as_tensor": lambda L: L.as_tensor([1, 2], device="cuda"),
    "type_cuda": lambda L: _t(L).type("torch.cuda.FloatTensor"),
    "type_cuda_class": lambda L: _t(L).type(L.cuda.DoubleTensor),
    "legacy_constructor": lambda L: L.cuda.FloatTensor([1.0]),
    "legacy_isinstance": lambda L: isinstance(L.zeros(1), L.cuda.FloatTensor),
    "pin_memory": lambda L: _t(L).pin_memory(),
}


@no_gpu
@pytest.mark.parametrize("name", NO_CUDA_CALLS)
def test_cuda_tensors_without_gpu(name):
    same(NO_CUDA_CALLS[name])


@pytest.mark.parametrize("device", ["mps", "xla", "lazy", "vulkan"])
def test_factory_on_a_backend_torchlike_lacks(device):
    # PyTorch's message goes on to list its build's kernels: compare its type and first sentence
    with pytest.raises(Exception) as want:
        torch.zeros(2, device=device)
    with pytest.raises(type(want.value)) as got:
        tl.zeros(2, device=device)
    first = str(want.value).split(". ")[0]
    assert str(got.value).split(". ")[0] == first


def test_device_queries():
    same(lambda L: (_t(L).is_cuda, _t(L).is_cpu, _t(L).get_device(), _t(L).is_meta,
                    _t(L).device))
    same(lambda L: (L.zeros(2, device="meta").get_device(), L.zeros(2, device="meta").is_cpu))
    same(lambda L: str(_t(L).to("meta").device))
    same(lambda L: L.zeros(2, device="meta").to("cpu"))
    same(lambda L: L.zeros(1, device="cpu:0").device)
    same(lambda L: L.zeros(1, device="meta:1").device)


# ---- torch.cuda, torch.accelerator, torch.mps without a GPU ------------------------------------

CUDA_ARGS = {"manual_seed": (1,), "manual_seed_all": (1,), "set_device": (0,),
             "set_per_process_memory_fraction": (0.5,), "set_sync_debug_mode": (0,),
             "can_device_access_peer": (0, 1), "caching_allocator_alloc": (10,),
             "set_stream": (None,), "set_rng_state": (None,), "set_rng_state_all": ([],),
             "is_bf16_supported": (False,), "memory_allocated": (0,),
             "get_device_name": (0,), "synchronize": (0,), "get_rng_state": ("cpu",)}
CUDA_NAMES = [
    "is_available", "device_count", "current_device", "get_device_name", "synchronize",
    "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
    "max_memory_reserved", "reset_peak_memory_stats", "memory_stats", "memory_summary",
    "manual_seed", "manual_seed_all", "seed", "seed_all", "get_rng_state", "get_rng_state_all",
    "set_rng_state", "set_rng_state_all", "initial_seed", "is_bf16_supported", "is_initialized",
    "init", "get_device_capability", "get_device_properties", "mem_get_info", "ipc_collect",
    "get_arch_list", "get_gencode_flags", "is_tf32_supported", "current_stream",
    "default_stream", "Event", "Stream", "is_current_stream_capturing", "set_sync_debug_mode",
    "get_sync_debug_mode", "set_per_process_memory_fraction", "get_per_process_memory_fraction",
    "set_device", "list_gpu_processes", "host_memory_stats", "get_allocator_backend",
    "can_device_access_peer", "caching_allocator_alloc", "current_blas_handle", "set_stream",
    "CUDAGraph", "_is_compiled",
]


@no_gpu
@pytest.mark.parametrize("name", CUDA_NAMES)
def test_torch_cuda_without_gpu(name):
    same(lambda L: getattr(L.cuda, name)(*CUDA_ARGS.get(name, ())))


@no_gpu
def test_torch_cuda_details_without_gpu():
    same(lambda L: L.cuda.set_device(None))
    same(lambda L: L.cuda.set_device("cuda"))
    same(lambda L: L.cuda.set_device(-1))
    same(lambda L: L.cuda.set_device("cpu"))
    same(lambda L: L.cuda.device(0).__enter__())
    same(lambda L: L.cuda.device(-1).__enter__())
    same(lambda L: L.cuda.set_rng_state(L.get_rng_state()))
    same(lambda L: L.cuda.device_count() + 0)

    def seeds_leave_the_cpu_stream(L):
        L.manual_seed(3)
        L.cuda.manual_seed(99)
        L.cuda.manual_seed_all(99)
        L.cuda.seed()
        return L.rand(3)

    same(seeds_leave_the_cpu_stream)
    for name in ("memory_cached", "max_memory_cached"):
        with pytest.warns(FutureWarning) as want:
            getattr(torch.cuda, name)()
        with pytest.warns(FutureWarning) as got:
            assert getattr(tl.cuda, name)() == 0
        assert str(got[0].message) == str(want[0].message)


ACCELERATOR_CALLS = {
    "is_available": lambda L: L.accelerator.is_available(),
    "current_accelerator": lambda L: L.accelerator.current_accelerator(),
    "current_accelerator_checked": lambda L: L.accelerator.current_accelerator(True),
    "device_count": lambda L: L.accelerator.device_count(),
    "current_device_index": lambda L: L.accelerator.current_device_index(),
    "synchronize": lambda L: L.accelerator.synchronize(),
    "synchronize_index": lambda L: L.accelerator.synchronize(0),
    "synchronize_cpu": lambda L: L.accelerator.synchronize("cpu"),
    "set_device_index": lambda L: L.accelerator.set_device_index(0),
    "set_device_index_cpu": lambda L: L.accelerator.set_device_index("cpu"),
    "device_index": lambda L: L.accelerator.device_index(0).__enter__(),
    "device_index_none": lambda L: L.accelerator.device_index(None).__enter__(),
    "current_stream": lambda L: L.accelerator.current_stream(),
    "current_stream_cpu": lambda L: L.accelerator.current_stream("cpu"),
    "memory_allocated": lambda L: L.accelerator.memory_allocated(),
    "memory_stats": lambda L: L.accelerator.memory_stats(),
    "max_memory_allocated": lambda L: L.accelerator.max_memory_allocated(),
    "memory_reserved": lambda L: L.accelerator.memory_reserved(),
    "max_memory_reserved": lambda L: L.accelerator.max_memory_reserved(),
    "reset_peak_memory_stats": lambda L: L.accelerator.reset_peak_memory_stats(),
    "get_memory_info": lambda L: L.accelerator.get_memory_info(),
    "empty_cache": lambda L: L.accelerator.empty_cache(),
    "empty_host_cache": lambda L: L.accelerator.empty_host_cache(),
    "get_device_capability": lambda L: L.accelerator.get_device_capability(),
    "mps": lambda L: (L.mps.is_available(), L.mps.device_count(), L.mps.manual_seed(1)),
    "mps_synchronize": lambda L: L.mps.synchronize(),
    "mps_empty_cache": lambda L: L.mps.empty_cache(),
    "xpu": lambda L: (L.xpu.is_available(), L.xpu.device_count()),
    "xpu_current_device": lambda L: L.xpu.current_device(),
}


@no_gpu
@pytest.mark.parametrize("name", ACCELERATOR_CALLS)
def test_accelerator_without_gpu(name):
    same(ACCELERATOR_CALLS[name])


@no_gpu
def test_accelerator_deprecated_names_warn():
    with pytest.warns(FutureWarning, match="Use `current_device_index` instead."):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
            tl.accelerator.current_device_idx()


# ---- torch.backends and process-wide settings -------------------------------------------------

def _get(path):
    def call(L):
        o = L
        for p in path.split("."):
            o = getattr(o, p)
        return o() if callable(o) else o
    return call


BACKEND_VALUES = [
    "backends.cudnn.enabled", "backends.cudnn.benchmark", "backends.cudnn.deterministic",
    "backends.cudnn.allow_tf32", "backends.cudnn.is_available", "backends.cudnn.version",
    "backends.cudnn.benchmark_limit", "backends.cuda.matmul.allow_tf32",
    "backends.cuda.matmul.allow_fp16_reduced_precision_reduction",
    "backends.cuda.matmul.allow_bf16_reduced_precision_reduction",
    "backends.cuda.matmul.allow_fp16_reduced_precision_reduction_split_k",
    "backends.cuda.matmul.allow_fp16_accumulation", "backends.cuda.matmul.no_such_flag",
    "backends.cuda.is_built", "backends.mps.is_available", "backends.mps.is_built",
    "backends.cpu.get_cpu_capability", "backends.opt_einsum.enabled",
    "backends.opt_einsum.strategy", "backends.opt_einsum.is_available",
    "backends.cuda.flash_sdp_enabled", "backends.cuda.mem_efficient_sdp_enabled",
    "backends.cuda.math_sdp_enabled", "backends.cuda.cudnn_sdp_enabled",
    "backends.cuda.preferred_linalg_library", "backends.cuda.preferred_blas_library",
    "backends.cuda.is_flash_attention_available", "backends.cuda.cufft_plan_cache.size",
    "backends.cuda.cufft_plan_cache.max_size", "backends.mha.get_fastpath_enabled",
    "get_float32_matmul_precision", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
]


@no_gpu
@pytest.mark.parametrize("path", BACKEND_VALUES)
def test_backend_values(path):
    same(_get(path))


def _setting(obj_path, name, value):
    def call(L):
        obj = _get(obj_path)(L) if obj_path else L
        old = getattr(obj, name)
        try:
            setattr(obj, name, value)
            return getattr(obj, name), L.get_float32_matmul_precision()
        finally:
            setattr(obj, name, old)
    return call


@pytest.mark.parametrize("name", ["enabled", "benchmark", "deterministic", "allow_tf32"])
@pytest.mark.parametrize("value", [True, False, 0, "x"], ids=repr)
def test_cudnn_flags_are_checked(name, value):
    same(_setting("backends.cudnn", name, value))


@pytest.mark.parametrize("name", ["allow_tf32", "allow_fp16_reduced_precision_reduction",
                                  "allow_bf16_reduced_precision_reduction", "no_such_flag"])
@pytest.mark.parametrize("value", [True, False, 1, "x", (True, False), [False], (), (1,),
                                   (True, True, True)], ids=repr)
def test_matmul_flags_are_checked(name, value):
    same(_setting("backends.cuda.matmul", name, value))


def test_cudnn_flags_context():
    def call(L):
        c = L.backends.cudnn
        with c.flags(enabled=False, benchmark=True):
            inside = (c.enabled, c.benchmark, c.deterministic, c.allow_tf32)
        return inside, (c.enabled, c.benchmark, c.deterministic, c.allow_tf32)

    same(call)
    same(lambda L: type(L.backends.cudnn).__name__)


@pytest.mark.parametrize("value", ["highest", "high", "medium", "bad", "HIGH", 1, None], ids=repr)
def test_float32_matmul_precision(value):
    def call(L):
        old = L.get_float32_matmul_precision()
        try:
            L.set_float32_matmul_precision(value)
            return (L.get_float32_matmul_precision(), L.backends.cuda.matmul.allow_tf32,
                    L.backends.cudnn.allow_tf32)
        finally:
            L.set_float32_matmul_precision(old)

    same(call)


@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True, None], ids=repr)
def test_thread_setting_errors(value):
    same(lambda L: L.set_num_threads(value))
    same(lambda L: L.set_num_interop_threads(value))


def test_threads_round_trip():
    def call(L):
        n = L.get_num_threads()
        L.set_num_threads(2)
        try:
            return L.get_num_threads(), L.get_num_interop_threads() > 0
        finally:
            L.set_num_threads(n)

    same(call)


@pytest.mark.parametrize("mode", [True, False, 1, None, "x"], ids=repr)
@pytest.mark.parametrize("warn_only", [False, True, 1], ids=repr)
def test_deterministic_algorithms(mode, warn_only):
    def call(L):
        try:
            L.use_deterministic_algorithms(mode, warn_only=warn_only)
            return (L.are_deterministic_algorithms_enabled(),
                    L.is_deterministic_algorithms_warn_only_enabled())
        finally:
            L.use_deterministic_algorithms(False)

    same(call)


@pytest.mark.parametrize("mode", [0, 1, 2, "default", "warn", "error", 5, "x", 1.5], ids=repr)
def test_deterministic_debug_mode(mode):
    # (torchlike._settings holds it; the torch.* re-export lives in torchlike/__init__.py)
    lib = tl._settings

    def call(L, lib):
        try:
            lib.set_deterministic_debug_mode(mode)
            return (lib.get_deterministic_debug_mode(), L.are_deterministic_algorithms_enabled(),
                    L.is_deterministic_algorithms_warn_only_enabled())
        finally:
            lib.set_deterministic_debug_mode(0)

    assert _outcome(lambda L: call(L, lib), tl) == _outcome(lambda L: call(L, L), torch)


PRINT_OPTIONS = [
    {"precision": 2}, {"precision": 8}, {"precision": 0}, {"sci_mode": True}, {"sci_mode": False},
    {"linewidth": 30}, {"threshold": 5}, {"threshold": 5, "edgeitems": 1},
    {"edgeitems": 2, "threshold": 10}, {"profile": "short"}, {"profile": "full"},
    {"profile": "default"}, {"profile": "short", "precision": 6},
]


@pytest.mark.parametrize("options", PRINT_OPTIONS, ids=repr)
def test_printoptions_change_repr(options):
    def call(L):
        tensors = [L.arange(12.0).reshape(3, 4) / 7, L.tensor([1e-8, 1.0, 1e8]),
                   L.arange(1200.0), L.arange(30).reshape(3, 10), L.tensor(3.14159),
                   L.tensor([1 + 2j, 3.5 - 1j]), L.ones(3, dtype=L.float64) / 3,
                   L.arange(100.0).reshape(10, 10)]
        L.set_printoptions(**options)
        try:
            return [repr(t) for t in tensors]
        finally:
            L.set_printoptions(profile="default", sci_mode=None)

    same(call)


def test_printoptions_errors_and_reset():
    same(lambda L: L.set_printoptions(profile="x"))
    same(lambda L: L.set_printoptions(foo=1))

    def accumulate(L):
        L.set_printoptions(precision=2)
        L.set_printoptions(sci_mode=True)
        first = repr(L.tensor([1.23456]))
        L.set_printoptions(profile="default")
        L.set_printoptions(sci_mode=None)
        return first, repr(L.tensor([1.23456]))

    same(accumulate)


# ---- numpy interop ------------------------------------------------------------------------------

NUMPY_CALLS = {
    "requires_grad": lambda L: L.arange(3.0).requires_grad_().numpy(),
    "requires_grad_force": lambda L: L.arange(3.0).requires_grad_().numpy(force=True),
    "non_leaf": lambda L: (L.arange(3.0).requires_grad_() * 2).numpy(),
    "detached": lambda L: L.arange(3.0).requires_grad_().detach().numpy(),
    "bfloat16": lambda L: L.ones(2, dtype=L.bfloat16).numpy(),
    "float16": lambda L: L.ones(2, dtype=L.float16).numpy(),
    "bool": lambda L: L.ones(2, dtype=L.bool).numpy(),
    "uint16": lambda L: L.ones(2, dtype=L.uint16).numpy(),
    "uint64": lambda L: L.ones(2, dtype=L.uint64).numpy(),
    "complex64": lambda L: L.ones(2, dtype=L.complex64).numpy(),
    "zero_dim": lambda L: L.tensor(3.0).numpy(),
    "transposed": lambda L: L.arange(6.0).reshape(2, 3).t().numpy(),
    "meta": lambda L: L.zeros(2, device="meta").numpy(),
    "positional": lambda L: L.zeros(2).numpy(True),
    "bad_keyword": lambda L: L.zeros(2).numpy(foo=True),
    "asarray_requires_grad": lambda L: np.asarray(L.arange(3.0).requires_grad_()),
    "array_requires_grad": lambda L: np.array(L.arange(3.0).requires_grad_()),
    "asarray_parameter": lambda L: np.asarray(L.nn.Parameter(L.ones(2))),
    "asarray": lambda L: np.asarray(L.arange(3)),
    "asarray_dtype": lambda L: np.asarray(L.arange(3), dtype=np.float32),
    "array_dtype": lambda L: np.array(L.arange(3), dtype=np.float16),
    "__array__": lambda L: L.arange(3).__array__(),
    "__array___dtype": lambda L: L.arange(3).__array__(np.float64),
    "asarray_bfloat16": lambda L: np.asarray(L.ones(2, dtype=L.bfloat16)),
    "asarray_bfloat16_to_float32": lambda L: np.asarray(L.ones(2, dtype=L.bfloat16),
                                                        dtype=np.float32),
    "array_copy_false": lambda L: np.array(L.arange(3), copy=False),
    "asarray_zero_dim": lambda L: np.asarray(L.tensor(2.5)),
    "asarray_list_of_tensors": lambda L: np.asarray([L.tensor(1.0), L.tensor(2.0)]),
    "ufunc_add": lambda L: np.add(L.ones(2), L.ones(2)),
    "ufunc_exp": lambda L: np.exp(L.ones(2)),
    "ufunc_sum": lambda L: np.sum(L.ones(2)),
    "ufunc_mean": lambda L: np.mean(L.ones(2)),
    "concatenate": lambda L: np.concatenate([L.ones(2), L.ones(1)]),
    "tensor_plus_ndarray": lambda L: L.ones(2) + np.array([1, 2]),
    "tensor_plus_zero_dim_ndarray": lambda L: L.ones(2) + np.array(2.0),
    "index_with_numpy_int": lambda L: L.arange(3)[np.int64(1)],
    "cuda_array_interface": lambda L: L.ones(2).__cuda_array_interface__,
    "has_array_wrap": lambda L: hasattr(L.ones(2), "__array_wrap__"),
}


@pytest.mark.parametrize("name", NUMPY_CALLS)
def test_numpy_interop(name):
    same(NUMPY_CALLS[name])


def _read_only(a):
    a.setflags(write=False)
    return a


FROM_NUMPY_CALLS = {
    "int64": lambda L: L.from_numpy(np.arange(3)),
    "float32": lambda L: L.from_numpy(np.arange(3, dtype=np.float32)),
    "uint16": lambda L: L.from_numpy(np.arange(3, dtype=np.uint16)),
    "uint32": lambda L: L.from_numpy(np.arange(3, dtype=np.uint32)),
    "uint64": lambda L: L.from_numpy(np.arange(3, dtype=np.uint64)),
    "float16": lambda L: L.from_numpy(np.array([1], dtype=np.float16)),
    "bool": lambda L: L.from_numpy(np.array([True])),
    "int8": lambda L: L.from_numpy(np.array([1], dtype=np.int8)),
    "object": lambda L: L.from_numpy(np.array([1, "a"], dtype=object)),
    "str": lambda L: L.from_numpy(np.array(["a"])),
    "datetime": lambda L: L.from_numpy(np.array([1], dtype="datetime64[s]")),
    "longdouble": lambda L: L.from_numpy(np.array([1], dtype=np.longdouble)),
    "read_only": lambda L: L.from_numpy(_read_only(np.arange(3.0))),
    "list": lambda L: L.from_numpy([1, 2]),
    "zero_dim": lambda L: L.from_numpy(np.array(1.5)),
    "reversed": lambda L: L.from_numpy(np.arange(3.0)[::-1]),
    "strided": lambda L: L.from_numpy(np.arange(6.0)[::2]),
    "tensor": lambda L: L.from_numpy(L.zeros(2)),
    "empty": lambda L: L.from_numpy(np.zeros((0, 3), dtype=np.float32)),
    "as_tensor": lambda L: L.as_tensor(np.arange(3)),
    "as_tensor_dtype": lambda L: L.as_tensor(np.arange(3.0), dtype=L.float32),
    "as_tensor_uint16": lambda L: L.as_tensor(np.arange(3, dtype=np.uint16)),
    "as_tensor_object": lambda L: L.as_tensor(np.array([1, 2], dtype=object)),
    "as_tensor_read_only": lambda L: L.as_tensor(_read_only(np.arange(3.0))),
    "tensor_read_only": lambda L: L.tensor(_read_only(np.arange(3.0))),
}


@pytest.mark.parametrize("name", FROM_NUMPY_CALLS)
def test_from_numpy(name):
    same(FROM_NUMPY_CALLS[name])


DLPACK_CALLS = {
    "from_numpy_array": lambda L: L.from_dlpack(np.arange(3.0)),
    "from_int32_array": lambda L: L.from_dlpack(np.arange(3, dtype=np.int32)),
    "utils_from_numpy_array": lambda L: L.utils.dlpack.from_dlpack(np.arange(3.0)),
    "from_read_only_array": lambda L: L.from_dlpack(_read_only(np.arange(3.0))),
    "from_list": lambda L: L.from_dlpack([1, 2]),
    "from_own_tensor_is_new": lambda L: (lambda t: L.from_dlpack(t) is t)(L.ones(2)),
    "from_own_tensor": lambda L: L.from_dlpack(L.ones(2)),
    "from_own_tensor_requiring_grad": lambda L: L.from_dlpack(L.ones(2, requires_grad=True)),
    "to_dlpack_type": lambda L: type(L.utils.dlpack.to_dlpack(L.ones(2))).__name__,
    "capsule_round_trip": lambda L: L.utils.dlpack.from_dlpack(
        L.utils.dlpack.to_dlpack(L.arange(3.0))),
    "capsule_of_requires_grad": lambda L: L.utils.dlpack.from_dlpack(
        L.utils.dlpack.to_dlpack(L.ones(2, requires_grad=True))),
    "capsule_used_twice": lambda L: (lambda c: (L.utils.dlpack.from_dlpack(c),
                                                L.utils.dlpack.from_dlpack(c)))(
        L.utils.dlpack.to_dlpack(L.arange(3.0))),
    "numpy_from_tensor": lambda L: np.from_dlpack(L.arange(3.0)),
    "numpy_from_transposed": lambda L: np.from_dlpack(L.arange(6.0).reshape(2, 3).t()),
    "numpy_copy": lambda L: np.from_dlpack(L.arange(3.0), copy=True),
    "numpy_from_bool": lambda L: np.from_dlpack(L.ones(2, dtype=L.bool)),
    "numpy_from_requires_grad": lambda L: np.from_dlpack(L.arange(3.0).requires_grad_()),
    "dlpack_device": lambda L: tuple(int(v) for v in L.ones(2).__dlpack_device__()),
    "dlpack_capsule": lambda L: type(L.ones(2).__dlpack__()).__name__,
    "dlpack_requires_grad": lambda L: L.arange(3.0).requires_grad_().__dlpack__(),
    "dlpack_max_version": lambda L: type(L.ones(2).__dlpack__(max_version=(1, 0))).__name__,
    "dlpack_copy": lambda L: type(L.ones(2).__dlpack__(copy=True)).__name__,
    "dlpack_stream_none": lambda L: type(L.ones(2).__dlpack__(stream=None)).__name__,
}


@pytest.mark.parametrize("name", DLPACK_CALLS)
def test_dlpack(name):
    same(DLPACK_CALLS[name])


def test_dlpack_between_the_two_libraries():
    a = tl.from_dlpack(torch.arange(3.0))
    assert a.tolist() == [0.0, 1.0, 2.0] and a.dtype is tl.float32
    b = torch.from_dlpack(tl.tensor([1.0, 2.0]))
    assert b.tolist() == [1.0, 2.0] and b.dtype is torch.float32
    c = tl.utils.dlpack.from_dlpack(
        torch.utils.dlpack.to_dlpack(torch.arange(4, dtype=torch.int16)))
    assert c.tolist() == [0, 1, 2, 3] and c.dtype is tl.int16
    d = torch.utils.dlpack.from_dlpack(tl.utils.dlpack.to_dlpack(tl.arange(3)))
    assert d.tolist() == [0, 1, 2] and d.dtype is torch.int64
    with pytest.raises(BufferError, match="require gradient"):
        tl.from_dlpack(torch.ones(2, requires_grad=True))


SCALAR_CALLS = {
    "tolist_float": lambda L: L.tensor([1.5, 2.0]).tolist(),
    "tolist_int_types": lambda L: [type(x).__name__ for x in L.tensor([1, 2]).tolist()],
    "tolist_bool": lambda L: L.tensor([True]).tolist(),
    "tolist_complex": lambda L: L.tensor([1 + 2j]).tolist(),
    "tolist_bfloat16": lambda L: L.tensor([1.1], dtype=L.bfloat16).tolist(),
    "tolist_float16": lambda L: L.tensor([1.1], dtype=L.float16).tolist(),
    "tolist_zero_dim": lambda L: L.tensor(3).tolist(),
    "tolist_uint8_type": lambda L: type(L.tensor([3], dtype=L.uint8).tolist()[0]).__name__,
    "tolist_requires_grad": lambda L: L.tensor([1.5], requires_grad=True).tolist(),
    "item_types": lambda L: [type(L.tensor(v).item()).__name__ for v in (1, 1.5, True, 1j)],
    "item_float32": lambda L: L.tensor(1.1).item(),
    "item_bfloat16": lambda L: L.tensor(1.1, dtype=L.bfloat16).item(),
    "item_requires_grad": lambda L: L.tensor(1.5, requires_grad=True).item(),
    "item_many": lambda L: L.ones(2).item(),
    "item_empty": lambda L: L.ones(0).item(),
}


@pytest.mark.parametrize("name", SCALAR_CALLS)
def test_tolist_and_item(name):
    same(SCALAR_CALLS[name])


NUMPY_OPERANDS = [
    "t * np.float32(2)", "np.float32(2) * t", "t / np.sqrt(4.0)", "np.float64(2) + t",
    "t * np.int64(3)", "(t.long() * np.float32(2.5))", "(t.long() * np.int32(2))",
    "t + np.bool_(True)", "t.half() * np.float64(2)", "t ** np.float64(2)", "np.int64(2) ** t",
    "np.float32(3) / t", "np.float32(3) // t", "np.float32(2) - t", "t == np.float32(1)",
    "np.float32(1) == t", "np.float32(1) < t", "np.array([1., 2.]) == t", "t + np.array([1., 2.])",
    "np.array([1., 2.]) + t", "np.array([1., 2.], dtype=np.float32) - t", "np.array([1., 2.]) < t",
    "t < np.array([1., 2.])", "t @ np.ones(2, dtype=np.float32)", "t.clone().mul_(np.float32(2))",
    "np.float32(2) * r", "r * np.float64(0.5)",
]


@pytest.mark.parametrize("expr", NUMPY_OPERANDS)
def test_numpy_operands_as_pytorch(expr):
    # a numpy scalar is a Python number to PyTorch's operators (t * np.float32(2) is a tensor
    # of t's dtype, on the tape); numpy operands on the left defer to the tensor
    def run(lib):
        env = {"np": np, "t": lib.ones(2), "r": lib.ones(2, requires_grad=True)}
        try:
            v = eval(expr, env)  # noqa: S307 (the table above)
        except TypeError:
            return "TypeError"
        assert isinstance(v, lib.Tensor), type(v)
        return (str(v.dtype).split(".")[-1], v.detach().tolist(), v.requires_grad)
    assert run(tl) == run(torch)
