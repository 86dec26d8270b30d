"""torch._inductor.config: options scripts set (coordinate_descent_tuning, ...).

Differs from PyTorch: torchlike compiles with XLA, not Inductor, so any option may be set
and is recorded only; reading one that was never set raises AttributeError. One is read:
`fallback_random` (see torchlike/_ops/random_ops.py, bernoulli_).
"""

import contextlib
import sys
import types


class _ConfigModule(types.ModuleType):
    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name.startswith("_") or name not in values:
            raise AttributeError(f"torch._inductor.config.{name}: torchlike records the "
                                 "Inductor options a script sets, and this one was not set")
        return values[name]

    def __setattr__(self, name, value):
        if name.startswith("_"):
            super().__setattr__(name, value)
        else:
            self._values[name] = value

    def patch(self, arg1=None, arg2=None, **kwargs):
        changes = dict(arg1) if isinstance(arg1, dict) else ({arg1: arg2} if arg1 else {})
        changes.update(kwargs)

        @contextlib.contextmanager
        def ctx():
            old = dict(self._values)
            try:
                self._values.update(changes)
                yield
            finally:
                self._values.clear()
                self._values.update(old)

        return ctx()


_mod = sys.modules[__name__]
_mod.__class__ = _ConfigModule
# fallback_random (PyTorch's default False): compiled code draws its random numbers from its own
# stream (in torchlike: JAX keys taken from the generator); True draws eager mode's numbers
_mod._values = {"fallback_random": False}
