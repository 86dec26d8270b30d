"""Anomaly detection: torch.autograd.detect_anomaly / set_detect_anomaly."""

import warnings

from .._core.autograd import _anomaly

# The engine checks `_anomaly.enabled`, which holds "enabled and check_nan"; the two flags
# PyTorch reports are kept here.
_mode = {"enabled": False, "check_nan": True}


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """torch.set_anomaly_enabled."""
    _mode["enabled"], _mode["check_nan"] = bool(enabled), bool(check_nan)
    _anomaly.enabled = _mode["enabled"] and _mode["check_nan"]


def is_anomaly_enabled() -> bool:
    return _mode["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _mode["check_nan"]


class detect_anomaly:
    """Context manager: a backward that produces NaN raises, naming the node."""

    def __init__(self, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Set anomaly detection on or off, now (a function call) or for a `with` block."""

    def __init__(self, mode, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
