import os
import sys

# Tests import the checkout, wherever pytest is started from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# tests/emulated_cuda needs XLA flags set before jax is imported: test_cuda_emulated.py runs it
# in a subprocess
collect_ignore = [] if os.environ.get("TORCHLIKE_EMULATE_CUDA", "0") not in ("", "0") \
    else ["emulated_cuda"]

# JAX compiles each op once per shape and dtype; keep compiled programs across test runs.
import jax  # noqa: E402

jax.config.update("jax_compilation_cache_dir",
                  os.path.join(os.path.expanduser("~"), ".cache", "torchlike", "jax"))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
