"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode."""

import functools


class _State:
    enabled = True
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


class _DecoratorContextManager:
    """Usable as `with ctx:` and as `@ctx` / `@ctx()`."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return func(*args, **kwargs)

        return wrapper

    def _args(self):
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_DecoratorContextManager):
    """Disable gradient recording."""

    def __new__(cls, orig_func=None):
        if orig_func is None or cls is not no_grad:
            return super().__new__(cls)
        return cls()(orig_func)  # used as a bare decorator: @no_grad

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Enable gradient recording."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set gradient recording on or off; takes effect at once, also as a context manager."""

    def __init__(self, mode: bool):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self.prev


class inference_mode(_DecoratorContextManager):
    """Like no_grad. Differs from PyTorch: tensors made inside are ordinary tensors."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode) if not callable(mode) else True

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        # As PyTorch's InferenceMode guard: grad mode is the opposite of inference mode, so
        # inference_mode(False) re-enables gradients even inside no_grad().
        state.enabled, state.inference = not self.mode, self.mode

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev


def is_inference_mode_enabled() -> bool:
    return state.inference
