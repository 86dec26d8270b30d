import os
import sys

# Tests import the checkout, wherever pytest is started from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# JAX compiles each op once per shape and dtype; keep compiled programs across test runs.
import jax  # noqa: E402

jax.config.update("jax_compilation_cache_dir",
                  os.path.join(os.path.expanduser("~"), ".cache", "torchlike", "jax"))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
