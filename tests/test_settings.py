"""Process-wide settings, devices and torch.accelerator as PyTorch reports them on a CPU machine."""

import os

import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


def test_matmul_precision_round_trip():
    for lib in (torch, tl):
        assert lib.get_float32_matmul_precision() == "highest"
        lib.set_float32_matmul_precision("high")
        assert lib.get_float32_matmul_precision() == "high"
        lib.set_float32_matmul_precision("highest")


def test_threads_and_determinism():
    n = tl.get_num_threads()
    tl.set_num_threads(1)
    assert tl.get_num_threads() == 1
    tl.set_num_threads(n)
    tl.use_deterministic_algorithms(True)
    assert tl.are_deterministic_algorithms_enabled()
    tl.use_deterministic_algorithms(False)


def test_devices_on_a_cpu_machine():
    if tl.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert tl.accelerator.is_available() is False and tl.accelerator.current_accelerator() is None
    assert tl.device("cuda:1") == tl.device("cuda", 1)
    assert str(tl.device("cuda", 0)) == str(torch.device("cuda", 0)) == "cuda:0"
    assert repr(tl.device("cpu")) == repr(torch.device("cpu"))
    x = tl.ones(2)
    assert x.device == tl.device("cpu") and x.to("cpu") is x and x.cpu() is x
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        tl.ones(2, device="cuda")  # (PyTorch's CPU build's error)
    with pytest.raises(RuntimeError):
        tl.device("tpu")


def test_dlpack_and_jax_interop():
    import numpy as np
    a = tl.from_dlpack(torch.arange(3.0))
    assert a.tolist() == [0.0, 1.0, 2.0] and a.dtype is tl.float32
    b = torch.from_dlpack(tl.tensor([1.0, 2.0]))
    assert b.tolist() == [1.0, 2.0]
    assert np.asarray(tl.tensor([1, 2])).tolist() == [1, 2]
    assert tl.from_jax(tl.tensor([3.0]).jax()).tolist() == [3.0]


_CACHE_SCRIPT = """
import jax.monitoring
hits = []
jax.monitoring.register_event_listener(
    lambda name, **kw: hits.append(name) if name == "/jax/compilation_cache/cache_hits" else None)
import jax
import torchlike as tl
x = tl.linspace(0, 1, 12).reshape(3, 4)
(x.tanh() @ x.T).sum().item()
print(jax.config.jax_compilation_cache_dir, len(hits))
"""


def test_compiled_kernels_are_kept_across_runs(tmp_path):
    """A script's second run loads its eager kernels from the on-disk cache instead of
    compiling them again; TORCHLIKE_COMPILATION_CACHE=0 turns the cache off."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "TORCHLIKE_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path)

    def run(**extra):
        out = subprocess.run([sys.executable, "-c", _CACHE_SCRIPT], env={**env, **extra},
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        where, hits = out.stdout.split()
        return where, int(hits)

    where, hits = run()
    assert where == str(tmp_path / "torchlike" / "xla") and hits == 0
    assert any(f.name.endswith("-cache") for f in (tmp_path / "torchlike" / "xla").iterdir())
    assert run()[1] > 0
    assert run(TORCHLIKE_COMPILATION_CACHE="0") == ("None", 0)


def test_deterministic_debug_mode_matches():
    out = []
    for lib in (torch, tl):
        lib.set_deterministic_debug_mode("warn")
        got = (lib.get_deterministic_debug_mode(), lib.are_deterministic_algorithms_enabled(),
               lib.is_deterministic_algorithms_warn_only_enabled())
        lib.set_deterministic_debug_mode(0)
        out.append(got + (lib.get_deterministic_debug_mode(),))
    assert out[0] == out[1]
