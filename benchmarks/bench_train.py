"""Training-step speed: PyTorch eager, torchlike eager, torchlike.compile and a hand-written
pure-JAX jitted step of the same model, interleaved in one run (ratios are what count: these
machines are shared and noisy). Runs unchanged on a GPU when JAX has one.

Run: python benchmarks/bench_train.py [--steps N] [--workloads mlp,cnn]
"""

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import torch

import torchlike as tl


def _lib_mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def _lib_cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


MODES = 1
WORKLOADS = {
    # name: (model builder, input shape, batch, optimizer builder)
    "mlp": (_lib_mlp, (784,), 128, lambda lib, ps: lib.optim.SGD(ps, lr=0.01, momentum=0.9)),
    "cnn": (_lib_cnn, (1, 28, 28), 64, lambda lib, ps: lib.optim.Adam(ps, lr=1e-3)),
}


def _step_fn(lib, model, opt):
    F = lib.nn.functional

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _jax_step(name, params_np, batch_shape):
    """A hand-written jax.jit step of the same model (weights from the torch model)."""
    def conv(x, w, b):
        y = jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]

    def pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    def forward(p, x):
        if name == "mlp":
            h = jax.nn.relu(x @ p[0].T + p[1])
            h = jax.nn.relu(h @ p[2].T + p[3])
            return h @ p[4].T + p[5]
        h = pool(jax.nn.relu(conv(x, p[0], p[1])))
        h = pool(jax.nn.relu(conv(h, p[2], p[3])))
        h = h.reshape(h.shape[0], -1)
        h = jax.nn.relu(h @ p[4].T + p[5])
        return h @ p[6].T + p[7]

    def loss_fn(p, x, y):
        logits = forward(p, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    tx = optax.sgd(0.01, momentum=0.9) if name == "mlp" else optax.adam(1e-3)
    params = [jnp.asarray(a) for a in params_np]
    opt_state = tx.init(params)

    @jax.jit
    def step(params, opt_state, x, y):
        loss, g = jax.value_and_grad(loss_fn)(params, x, y)
        upd, opt_state = tx.update(g, opt_state, params)
        return optax.apply_updates(params, upd), opt_state, loss

    state = {"p": params, "s": opt_state}

    def run(x, y):
        state["p"], state["s"], loss = step(state["p"], state["s"], x, y)
        return loss

    return run


def _time(run, sync, steps):
    t0 = time.perf_counter()
    sync(run())
    first = time.perf_counter() - t0
    for _ in range(2):
        sync(run())
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        sync(run())
        times.append(time.perf_counter() - t)
    return statistics.median(times), first


def bench(name, steps):
    build, shape, batch, make_opt = WORKLOADS[name]
    rs = np.random.RandomState(0)
    xn = rs.randn(batch, *shape).astype(np.float32)
    yn = rs.randint(0, 10, batch).astype(np.int64)
    torch.manual_seed(0)
    tm = build(torch)
    sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    results = {}

    topt = make_opt(torch, tm.parameters())
    tstep = _step_fn(torch, tm, topt)
    tx, ty = torch.tensor(xn), torch.tensor(yn)
    results["PyTorch eager"] = _time(lambda: tstep(tx, ty), lambda r: r.item(), steps)

    lx, ly = tl.tensor(xn), tl.tensor(yn)
    for label, compiled in (("torchlike eager", False), ("torchlike.compile", True))[:MODES]:
        lm = build(tl)
        lm.load_state_dict({k: tl.tensor(v) for k, v in sd.items()})
        lopt = make_opt(tl, lm.parameters())
        lstep = _step_fn(tl, lm, lopt)
        if compiled:
            lstep = tl.compile(lstep)
        results[label] = _time(lambda: lstep(lx, ly), lambda r: r._data.block_until_ready(), steps)

    jstep = _jax_step(name, list(sd.values()), shape)
    jx, jy = jnp.asarray(xn), jnp.asarray(yn)
    results["pure JAX jit"] = _time(lambda: jstep(jx, jy), lambda r: r.block_until_ready(), steps)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--workloads", default="mlp,cnn")
    args = ap.parse_args()
    print(f"device: {jax.devices()[0].platform}")
    print("| workload | mode | step ms (median) | first step s | vs PyTorch eager | vs pure JAX |")
    print("|---|---|---|---|---|---|")
    for name in args.workloads.split(","):
        r = bench(name, args.steps)
        tt = r["PyTorch eager"][0]
        jt = r["pure JAX jit"][0]
        for mode, (med, first) in r.items():
            print(f"| {name} | {mode} | {med * 1e3:.2f} | {first:.2f} | "
                  f"{tt / med:.2f}x | {jt / med:.2f}x |")


if __name__ == "__main__":
    main()
