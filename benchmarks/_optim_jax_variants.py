"""Hand-written JAX optimizer steps over the same 100 tensors, in four layouts.

They bound what a jitted update can reach on a device, whichever way the group's
buffers are laid out: one array per tensor (``list``), one array per tensor but the
math done on one concatenated vector (``concat``), optimizer state kept as one flat
vector per kind (``flat_state``), and everything flat (``flat``). All donate their
buffers, as torchlike's update does.
"""

import jax
import jax.numpy as jnp
import numpy as np


def _sgd(p, g, m, lr):
    m = m * 0.9 + g
    return p - lr * m, (m,)


def _adamw(p, g, m, v, step, lr):
    p = p * (1 - lr * 0.01)
    m = m + (g - m) * 0.1
    v = v * 0.999 + 0.001 * g * g
    bc1 = 1 - 0.9**step
    bc2 = 1 - 0.999**step
    return p - (lr / bc1) * m / (jnp.sqrt(v) / jnp.sqrt(bc2) + 1e-8), (m, v)


def variants(name, data, grads, device=None):
    """{layout: (step, sync)} for optimizer ``name`` ('SGD' or 'AdamW') on ``device``.

    The device must be explicit: importing torchlike makes the CPU JAX's default device.
    """
    device = device or jax.devices()[0]
    shapes = [d.shape for d in data]
    sizes = [int(np.prod(s)) for s in shapes]
    offs = np.cumsum([0] + sizes)
    n_state = 1 if name == "SGD" else 2
    lr = np.float32(1e-3)

    def update(p, g, states, step):
        if name == "SGD":
            return _sgd(p, g, states[0], lr)
        return _adamw(p, g, states[0], states[1], step, lr)

    def split(flat):
        return [flat[offs[i]:offs[i + 1]].reshape(shapes[i]) for i in range(len(shapes))]

    def cat(arrays):
        return jnp.concatenate([a.ravel() for a in arrays])

    @jax.jit
    def list_step(ps, gs, ss, steps):
        out_p, out_s, out_t = [], [], []
        for i, (p, g) in enumerate(zip(ps, gs)):
            t = steps[i] + 1
            np_, ns = update(p, g, [s[i] for s in ss], t)
            out_p.append(np_)
            out_s.append(ns)
            out_t.append(t)
        return out_p, [list(x) for x in zip(*out_s)], out_t

    @jax.jit
    def concat_step(ps, gs, ss, steps):
        t = jnp.stack(steps) + 1
        tt = jnp.concatenate([jnp.broadcast_to(t[i], (sizes[i],)) for i in range(len(sizes))])
        np_, ns = update(cat(ps), cat(gs), [cat(s) for s in ss], tt)
        return split(np_), [split(s) for s in ns], list(t)

    @jax.jit
    def flat_state_step(ps, gs, ss, step):
        t = step + 1
        np_, ns = update(cat(ps), cat(gs), ss, t)
        return split(np_), list(ns), t

    @jax.jit
    def flat_step(p, g, ss, step):
        t = step + 1
        np_, ns = update(p, g, ss, t)
        return np_, list(ns), t

    donating = {
        "list": jax.jit(list_step.__wrapped__, donate_argnums=(0, 2, 3)),
        "concat": jax.jit(concat_step.__wrapped__, donate_argnums=(0, 2, 3)),
        "flat_state": jax.jit(flat_state_step.__wrapped__, donate_argnums=(0, 2, 3)),
        "flat": jax.jit(flat_step.__wrapped__, donate_argnums=(0, 2, 3)),
    }
    out = {}
    for layout, fn in donating.items():
        flat_p = layout == "flat"
        flat_s = layout in ("flat", "flat_state")
        box = jax.device_put({
            "p": np.asarray(np.concatenate([d.ravel() for d in data])) if flat_p
            else [np.asarray(d) for d in data],
            "g": np.asarray(np.concatenate([d.ravel() for d in grads])) if flat_p
            else [np.asarray(d) for d in grads],
            "s": [np.zeros(offs[-1], np.float32) if flat_s
                  else [np.zeros(s, np.float32) for s in shapes] for _ in range(n_state)],
            "t": np.float32(0) if flat_s else [np.float32(0) for _ in shapes],
        }, device)

        def step(box=box, fn=fn):
            box["p"], box["s"], box["t"] = fn(box["p"], box["g"], box["s"], box["t"])

        def sync(box=box):
            jax.block_until_ready(box["p"])

        out[layout] = (step, sync)
    return out
