"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode."""

import functools
import inspect
import sys


class _State:
    enabled = True
    inference = False


state = _State()
# set once inference_mode(True) was first entered: inference tensors may exist, so in-place
# writes and recorded ops check for them (a list read on the hot paths until then)
INFERENCE_USED = [False]


def is_grad_enabled() -> bool:
    return state.enabled


def _wrap_generator(ctx_factory, func):
    """Each step of the generator runs inside a fresh context (as PyTorch's decorators do)."""
    @functools.wraps(func)
    def generator_context(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with ctx_factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with ctx_factory():
                        gen.close()
                    raise
                except BaseException:
                    with ctx_factory():
                        response = gen.throw(*sys.exc_info())
                else:
                    with ctx_factory():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return generator_context


class _DecoratorContextManager:
    """Usable as `with ctx:` and as `@ctx` / `@ctx()`."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError(
                "Cannot decorate classes; it is ambiguous whether or not only the constructor or "
                "all methods should have the context manager applied; additionally, decorating "
                "a class at definition-site will prevent use of the identifier as a "
                "conventional type.  To specify which methods to decorate, decorate each of "
                "them individually.")
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.clone, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
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
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self.prev = state.enabled
        self.mode = mode
        state.enabled = mode

    def __call__(self, func):
        state.enabled = self.prev  # used as a decorator: no lasting effect (as PyTorch)
        return super().__call__(func)

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class set_multithreading_enabled(_DecoratorContextManager):
    """Enable or disable multithreaded backward; torchlike's backward runs on the calling
    thread either way, so only the flag is kept."""

    _enabled = True

    def __init__(self, mode: bool):
        self.prev = set_multithreading_enabled._enabled
        self.mode = bool(mode)
        set_multithreading_enabled._enabled = self.mode

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_multithreading_enabled._enabled = self.prev


class inference_mode(_DecoratorContextManager):
    """no_grad, and tensors made inside are inference tensors: they keep no version counter,
    cannot be written in place outside inference mode, and cannot be saved for backward."""

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
        if self.mode:
            INFERENCE_USED[0] = True

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev


def is_inference_mode_enabled() -> bool:
    return state.inference
