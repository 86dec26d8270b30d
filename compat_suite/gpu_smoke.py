"""GPU smoke check of the drop-in path: torch.cuda answers, a tensor on the GPU, the example.

    PYTHONPATH=. python3 compat_suite/gpu_smoke.py

Runs itself under `python -m torchlike` (so `torch` is torchlike) and prints one line per
check; exits non-zero at the first failure. Meant for a machine with a GPU and jax[cuda].
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def checks():
    import torch

    assert torch.__name__ == "torchlike", torch.__name__
    print("cuda available", torch.cuda.is_available(), "count", torch.cuda.device_count())
    assert torch.cuda.is_available()
    print("device", torch.cuda.get_device_name(), torch.cuda.get_device_capability())
    print("properties", torch.cuda.get_device_properties(0))
    before = torch.cuda.memory_allocated()
    x = torch.ones(1024, 1024, device="cuda")
    y = (x @ x).sum()
    torch.cuda.synchronize()
    print(
        "matmul", y.item(), "device", x.device, "allocated", torch.cuda.memory_allocated() - before
    )
    print("mem_get_info", torch.cuda.mem_get_info())
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(10):
        y = x @ x
    end.record()
    end.synchronize()
    print("10 matmuls ms", round(start.elapsed_time(end), 3))
    torch.backends.cuda.matmul.allow_tf32 = True
    print("tf32", torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.is_available())
    torch.backends.cuda.matmul.allow_tf32 = False


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        checks()
        sys.exit(0)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = [sys.executable, "-m", "torchlike"]
    subprocess.run([*run, os.path.abspath(__file__), "--inner"], env=env, check=True)
    example = os.path.join(ROOT, "examples", "mnist_cnn.py")
    subprocess.run([*run, example, "--epochs", "2"], env=env, check=True)
    print("gpu smoke: OK")
