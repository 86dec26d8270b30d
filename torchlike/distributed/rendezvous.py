"""Rendezvous: read rank and world size from an init_method URL or torchrun's environment.

Differs from PyTorch: no store is created and nothing is bound or connected; torchlike runs
one process (world_size 1), which needs no peer to meet.
"""

import numbers
import os
from urllib.parse import urlparse

__all__ = ["rendezvous"]


def _error(msg: str) -> ValueError:
    return ValueError("Error initializing torch.distributed using " + msg)


def _query_to_dict(query: str) -> dict:
    return {k: v for k, v in (p.split("=") for p in filter(None, query.split("&")))}


def _tcp(result, query, rank, world_size):
    if result.port is None:
        raise _error("tcp:// rendezvous: port number missing")
    return query


def _file(result, query, rank, world_size):
    if not result.path:
        raise _error("file:// rendezvous: path missing")
    return query


def _env(result, query, rank, world_size):
    def get(var):
        value = os.environ.get(var)
        if not value:
            raise _error(f"env:// rendezvous: environment variable {var} expected, but not set")
        return value

    if "rank" not in query:
        query["rank"] = get("RANK")
    if "world_size" not in query:
        query["world_size"] = get("WORLD_SIZE")
    get("MASTER_ADDR")
    int(get("MASTER_PORT"))
    return query


_HANDLERS = {"tcp": _tcp, "env": _env, "file": _file}


def rendezvous(url: str, rank: int = -1, world_size: int = -1) -> tuple[int, int]:
    """(rank, world_size) that `url` (tcp://, file://, env://) and the arguments describe."""
    if not isinstance(url, (str, bytes)):
        raise RuntimeError(f"`url` must be a string. {type(url)}: {url}")  # noqa: TRY004
    if not isinstance(rank, numbers.Integral):
        raise RuntimeError(f"`rank` must be an integer. {rank}")  # noqa: TRY004
    if not isinstance(world_size, numbers.Integral):
        raise RuntimeError(f"`world_size` must be an integer. {world_size}")  # noqa: TRY004
    result = urlparse(url)
    query = _query_to_dict(result.query)
    if rank != -1 or world_size != -1:
        if "rank" in query or "world_size" in query:
            raise AssertionError(
                f"The url: {url} has node-specific arguments(rank, world_size) already."
            )
        if rank != -1:
            query["rank"] = str(rank)
        if world_size != -1:
            query["world_size"] = str(world_size)
    handler = _HANDLERS.get(result.scheme)
    if handler is None:
        raise RuntimeError(f"No rendezvous handler for {result.scheme}://")
    query = handler(result, query, rank, world_size)
    scheme = result.scheme
    if "rank" not in query:
        raise _error(f"{scheme}:// rendezvous: rank parameter missing")
    if "world_size" not in query:
        raise _error(f"{scheme}:// rendezvous: world size parameter missing")
    return int(query["rank"]), int(query["world_size"])
