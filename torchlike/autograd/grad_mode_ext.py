"""Anomaly detection."""

from .._core.autograd import _anomaly


class detect_anomaly:
    """NaN in a backward raises, naming the node that produced it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = _anomaly.enabled
        _anomaly.enabled = self.check_nan

    def __exit__(self, *exc):
        _anomaly.enabled = self.prev

    def __call__(self, fn):
        def wrapper(*a, **k):
            with self:
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self.prev = _anomaly.enabled
        _anomaly.enabled = bool(mode) and check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _anomaly.enabled = self.prev


def is_anomaly_enabled():
    return _anomaly.enabled
