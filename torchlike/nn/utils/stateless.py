"""functional_call: run a module with some parameters and buffers swapped for given tensors."""

import contextlib

__all__ = ["functional_call"]


def _get(module, name):
    *path, attr = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, attr


def _swap(module, attr, tensor):
    """Put tensor in place of module.attr; returns the old value."""
    if attr in module._parameters:
        old = module._parameters[attr]
        module._parameters[attr] = tensor
    elif attr in module._buffers:
        old = module._buffers[attr]
        module._buffers[attr] = tensor
    else:
        old = getattr(module, attr, None)
        object.__setattr__(module, attr, tensor) if old is None else setattr(module, attr, tensor)
    return old


def _untie(module, parameters_and_buffers):
    """Extend the map to every name tied to a given tensor (tie_weights=True)."""
    all_named = dict(module.named_parameters(remove_duplicate=False))
    all_named.update(dict(module.named_buffers(remove_duplicate=False)))
    by_tensor = {}
    for name, t in all_named.items():
        by_tensor.setdefault(id(t), []).append(name)
    out = dict(parameters_and_buffers)
    for names in by_tensor.values():
        if len(names) < 2:
            continue
        given = {n: parameters_and_buffers[n] for n in names if n in parameters_and_buffers}
        if not given:
            continue
        values = list(given.values())
        if any(v is not values[0] for v in values[1:]):
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(given)}, which are "
                "tied. Consider using tie_weights=False"
            )
        for n in names:
            out[n] = values[0]
    return out


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    if tie_weights:
        parameters_and_buffers = _untie(module, parameters_and_buffers)
    if strict:
        keys = set(dict(module.named_parameters(remove_duplicate=False)))
        keys |= set(dict(module.named_buffers(remove_duplicate=False)))
        missing = sorted(keys - set(parameters_and_buffers))
        unexpected = sorted(set(parameters_and_buffers) - keys)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError(
                "Error(s) in reparametrizing for {}:\n\t{}".format(
                    module._get_name() if hasattr(module, "_get_name") else type(module).__name__,
                    "\n\t".join(msgs),
                )
            )
    saved = []
    try:
        for name, tensor in parameters_and_buffers.items():
            sub, attr = _get(module, name)
            saved.append((sub, attr, _swap(sub, attr, tensor)))
        yield
    finally:
        for sub, attr, old in reversed(saved):
            _swap(sub, attr, old)


def functional_call(
    module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    """Call module(*args, **kwargs) with its parameters and buffers replaced by the given ones."""
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged = {}
        for d in parameters_and_buffers:
            for k, v in d.items():
                if k in merged:
                    raise ValueError(
                        f"{k} appeared in multiple dictionaries; behavior of functional call is "
                        "ambiguous"
                    )
                merged[k] = v
        parameters_and_buffers = merged
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(
        module, parameters_and_buffers, tie_weights=tie_weights, strict=strict
    ):
        return module(*args, **kwargs)
