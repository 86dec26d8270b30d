"""Helpers for DataLoader: collation, fetching, worker processes (mirrors torch.utils.data._utils)."""

import sys

IS_WINDOWS = sys.platform == "win32"

# How often a worker checks that the main process is still alive.
MP_STATUS_CHECK_INTERVAL = 5.0

# How often the main process checks that its workers are alive while it waits for data.
# PyTorch learns of a dead worker from a SIGCHLD handler in C; polling is our substitute.
WORKER_POLL_INTERVAL = 0.1

# How long shutdown waits for a worker to exit by itself before terminating it; an idle worker
# exits at once, one stuck in user code (a slow __getitem__) is not worth waiting for.
WORKER_JOIN_TIMEOUT = 1.0

from torchlike.utils.data._utils import collate, fetch, worker  # noqa: F401
