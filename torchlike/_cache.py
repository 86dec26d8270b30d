"""The on-disk cache of compiled XLA programs, and its size bound.

JAX can bound the cache itself (jax_compilation_cache_max_size), but then every write lists
and stats every entry to choose what to evict: with tens of thousands of entries (eager mode
makes one per op, shape and dtype) each new compilation took about a second instead of a few
milliseconds. The cache is left unbounded for JAX, and pruned here at most once a day, in a
background thread, oldest entries first.
"""

import os
import threading
import time

MAX_BYTES = 2**30
_PERIOD = 24 * 3600
_STAMP = ".torchlike-pruned"


def prune(path, max_bytes=MAX_BYTES, keep=0.8):
    """Delete the oldest entries until the directory holds at most keep * max_bytes (when it
    holds more than max_bytes)."""
    entries, total = [], 0
    with os.scandir(path) as it:
        for e in it:
            if e.name.startswith(".") or not e.is_file(follow_symlinks=False):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, e.path))
            total += st.st_size
    if total <= max_bytes:
        return 0
    entries.sort()
    removed = 0
    for _, size, p in entries:
        if total <= keep * max_bytes:
            break
        try:
            os.unlink(p)
        except OSError:
            continue
        total -= size
        removed += 1
    return removed


def prune_in_background(path):
    """prune(path) in a daemon thread, if it has not run in the last day."""
    stamp = os.path.join(path, _STAMP)
    try:
        if time.time() - os.stat(stamp).st_mtime < _PERIOD:
            return None
    except OSError:
        pass
    try:
        with open(stamp, "w"):
            pass
    except OSError:
        return None
    t = threading.Thread(target=_prune_quietly, args=(path,), name="torchlike-cache-prune",
                         daemon=True)
    t.start()
    return t


def _prune_quietly(path):
    try:
        prune(path)
    except OSError:
        pass  # a cache we cannot tidy still works
