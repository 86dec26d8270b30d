"""torchlike._cache: the on-disk program cache is pruned by torchlike, oldest first, at most
once a day, instead of by JAX on every write."""

import os

import jax

import torchlike  # noqa: F401  (sets up the cache)
from torchlike import _cache


def _files(tmp_path, n, size):
    paths = []
    for i in range(n):
        p = tmp_path / f"entry{i}-cache"
        p.write_bytes(b"x" * size)
        os.utime(p, (1000 + i, 1000 + i))  # entry0 is the oldest
        paths.append(p)
    return paths


def test_prune_removes_oldest_entries_down_to_the_bound(tmp_path):
    paths = _files(tmp_path, 10, 100)
    assert _cache.prune(str(tmp_path), max_bytes=1000) == 0  # at the bound: nothing goes
    assert all(p.exists() for p in paths)
    removed = _cache.prune(str(tmp_path), max_bytes=500, keep=0.8)
    assert removed == 6
    assert [p.exists() for p in paths] == [False] * 6 + [True] * 4


def test_prune_runs_at_most_once_a_day(tmp_path):
    _files(tmp_path, 3, 10)
    t = _cache.prune_in_background(str(tmp_path))
    assert t is not None
    t.join()
    assert (tmp_path / _cache._STAMP).exists()
    assert _cache.prune_in_background(str(tmp_path)) is None


def test_jax_does_not_scan_the_cache_on_every_write():
    # JAX's own bound lists every entry on each write (seconds per compile on a full cache)
    assert jax.config.jax_compilation_cache_max_size == -1
