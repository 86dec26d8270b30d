"""torch.cuda.amp: the deprecated CUDA spellings of torch.amp's autocast and GradScaler."""

import importlib

_NAMES = ("autocast", "GradScaler", "custom_fwd", "custom_bwd")


def __getattr__(name):
    # Resolved on use, from torchlike.amp, so importing this module never fails.
    if name in _NAMES:
        try:
            amp = importlib.import_module("torchlike.amp")
            value = getattr(amp, name)
        except (ImportError, AttributeError):
            if name == "GradScaler":
                from torchlike.amp.grad_scaler import GradScaler as value
            else:
                raise NotImplementedError(
                    f"torch.cuda.amp.{name} is not supported by torchlike yet"
                ) from None
        if name == "autocast":
            return _cuda_autocast(value)
        if name == "GradScaler":
            # torch.cuda.amp.GradScaler: a GradScaler('cuda') subclass that warns deprecated.
            from torchlike.amp.grad_scaler import _DeprecatedCudaGradScaler

            return _DeprecatedCudaGradScaler
        return value
    raise AttributeError(f"module 'torch.cuda.amp' has no attribute '{name}'")


def _cuda_autocast(autocast):
    """torch.cuda.amp.autocast(...) == torch.autocast('cuda', ...)."""

    def cuda_autocast(enabled=True, dtype=None, cache_enabled=True):
        import warnings

        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        kwargs = {"enabled": enabled, "cache_enabled": cache_enabled}
        if dtype is not None:
            kwargs["dtype"] = dtype
        return autocast("cuda", **kwargs)

    return cuda_autocast
