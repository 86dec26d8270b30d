"""torch.utils.checkpoint: trade compute for memory.

The checkpointed function's activations are not kept for the backward: they are recomputed
from its inputs when the backward needs them, with the random state and autocast state of the
forward, so values and gradients are those of an ordinary call. Inside torchlike.compile the
function runs once and XLA schedules the step's memory itself.
"""

import contextlib
import warnings

from .._core import autograd as _engine
from .._core import grad_mode
from .._core.tensor import Tensor
from .._lazy import state as _lazy_state

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "detach_variable", "check_backward_validity", "noop_context_fn",
           "set_checkpoint_early_stop"]

_EARLY_STOP = [True]


class CheckpointError(RuntimeError):
    pass


def detach_variable(inputs):
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(isinstance(inp, Tensor) and inp.requires_grad for inp in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=3)


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


class set_checkpoint_early_stop:
    """Whether non-reentrant recomputation stops once it has every tensor the backward needs."""

    def __init__(self, enable):
        self.enable = bool(enable)

    def __enter__(self):
        self.prev = _EARLY_STOP[0]
        _EARLY_STOP[0] = self.enable

    def __exit__(self, *exc):
        _EARLY_STOP[0] = self.prev


class _ForwardState:
    """The random and autocast state at the forward, re-entered for the recomputation."""

    def __init__(self, preserve_rng_state):
        from ..amp import autocast_mode as ac
        from ..random import default_generator
        self.rng = default_generator._get_state_bytes() if preserve_rng_state else None
        self.autocast = [(d, ac.is_autocast_enabled(d), ac.get_autocast_dtype(d))
                         for d in ("cpu", "cuda") if ac.is_autocast_available(d)]

    @contextlib.contextmanager
    def restored(self):
        from ..amp import autocast_mode as ac
        from ..random import default_generator
        saved = default_generator._get_state_bytes() if self.rng is not None else None
        try:
            if self.rng is not None:
                default_generator._set_state_bytes(self.rng)
            with contextlib.ExitStack() as stack:
                for d, enabled, dtype in self.autocast:
                    stack.enter_context(ac.autocast(d, dtype=dtype, enabled=enabled))
                yield
        finally:
            if saved is not None:
                default_generator._set_state_bytes(saved)


def _checkpoint_valid():
    return _engine.CHECKPOINT_VALID[0]


def _function_cls():
    from ..autograd.function import Function

    class CheckpointFunction(Function):
        """The reentrant variant: the forward runs without a graph; the backward recomputes
        it with gradients on and runs a backward of its own through the recomputed graph."""

        @staticmethod
        def forward(ctx, run_function, preserve_rng_state, *args):
            check_backward_validity(args)
            ctx.run_function = run_function
            ctx.state = _ForwardState(preserve_rng_state)
            ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
            ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
            ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
            with grad_mode.no_grad():
                return run_function(*args)

        @staticmethod
        def backward(ctx, *grads):
            if not _checkpoint_valid():
                raise RuntimeError(
                    "When use_reentrant=True, torch.utils.checkpoint is incompatible with "
                    ".grad() or passing an `inputs` parameter to .backward(). To resolve this "
                    "error, you can either set use_reentrant=False, or call .backward() without "
                    "passing the `inputs` argument.")
            inputs = list(ctx.inputs)
            for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
                inputs[i] = t
            with ctx.state.restored():
                detached = detach_variable(tuple(inputs))
                with grad_mode.enable_grad():
                    outputs = ctx.run_function(*detached)
            if isinstance(outputs, Tensor):
                outputs = (outputs,)
            pairs = [(o, g) for o, g in zip(outputs, grads)
                     if isinstance(o, Tensor) and o.requires_grad]
            if not pairs:
                raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                                   "not necessary")
            from ..autograd import backward as _backward
            _backward([o for o, _ in pairs], [g for _, g in pairs])
            return (None, None) + tuple(
                d.grad if isinstance(d, Tensor) else None for d in detached)

    return CheckpointFunction


CheckpointFunction = _function_cls()


class _StopRecomputation(Exception):
    pass


class _Frame:
    """One non-reentrant checkpoint call: the forward's saved-tensor placeholders, and the
    tensors the recomputation produced for them."""

    def __init__(self, function, args, kwargs, state, recompute_ctx, check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.state, self.recompute_ctx, self.check = state, recompute_ctx, check
        self.metas = []  # (shape, dtype) of each tensor the forward packed
        self.values = None

    def pack(self, t):
        self.metas.append((tuple(t.shape), t.dtype))
        return len(self.metas) - 1

    def unpack(self, i):
        if self.values is None:
            self.recompute()
        return self.values[i]

    def recompute(self):
        values = []
        need = len(self.metas)
        early = _EARLY_STOP[0]

        def pack(t):
            values.append(t)
            if early and len(values) == need:
                raise _StopRecomputation
            return None

        from ..autograd.graph import saved_tensors_hooks
        try:
            with self.state.restored(), grad_mode.enable_grad(), self.recompute_ctx, \
                    saved_tensors_hooks(pack, lambda x: x):
                self.function(*self.args, **self.kwargs)
        except _StopRecomputation:
            pass
        got = [(tuple(t.shape), t.dtype) for t in values[:need]]
        if self.check and got != self.metas:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass.\n"
                f"saved metadata: {self.metas}\nrecomputed metadata: {got}")
        if len(values) < need:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {need}\n"
                f"Number of tensors saved during recomputation: {len(values)}")
        self.values = values


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, args,
                                  kwargs):
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    fwd_ctx, recompute_ctx = context_fn()
    frame = _Frame(function, args, kwargs, _ForwardState(preserve), recompute_ctx,
                   determinism_check == "default")
    from ..autograd.graph import saved_tensors_hooks
    with fwd_ctx, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """Run `function(*args, **kwargs)` without keeping its activations for the backward."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
    if _lazy_state.trace is not None:
        # compiled: one program for the whole step, whose memory XLA plans; run it once
        if use_reentrant:
            check_backward_validity(args)
            if grad_mode.is_grad_enabled() and not any(
                    isinstance(a, Tensor) and a.requires_grad for a in args):
                with grad_mode.no_grad():
                    return function(*args)
        return function(*args, **kwargs)
    if use_reentrant:
        return CheckpointFunction.apply(function, preserve, *args)
    with set_checkpoint_early_stop(early_stop and _EARLY_STOP[0]):
        return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                             args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed segments."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
            "passed. use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
            "the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    mods = list(functions.children()) if hasattr(functions, "children") else list(functions)
    segment_size = len(mods) // segments  # PyTorch's split (ZeroDivisionError for 0 segments)
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        seg = mods[start:end + 1]
        input = checkpoint(lambda x, seg=seg: _run(seg, x), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return _run(mods[end + 1:], input)


def _run(mods, x):
    for m in mods:
        x = m(x)
    return x
