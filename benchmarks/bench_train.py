"""Training-step speed: PyTorch eager, PyTorch torch.compile, torchlike eager, torchlike.compile
and a hand-written pure-JAX jitted step of the same model, from the same initial weights.

Each mode runs in its own worker process (so its peak memory can be read alone); the driver
sets the workers up one at a time (timing the first step, i.e. compilation), then runs them
interleaved in rounds of a few steps each and reports medians over all timed steps: the machines
these run on are shared and noisy, and interleaving spreads the noise over every mode alike.

Ratios are `other_time / this_time`: higher means this mode is faster than the other one.

Runs unchanged on a GPU: each library picks `'cuda' if torch.cuda.is_available() else 'cpu'`
(torchlike through its own torch.cuda), pure JAX its default device.

Run: python benchmarks/bench_train.py [--quick] [--workloads mlp,cnn,resnet,gpt,lstm]
         [--modes torch,torch_compile,tl,tl_compile,jax] [--rounds R] [--steps K] [--threads 1]
         [--compile-timeout S] [--no-write]
On a loaded CPU machine prefer --threads 1 (every library on one thread): PyTorch's OpenMP
threads degrade badly when the cores are oversubscribed (see benchmarks/ANALYSIS.md).
Writes benchmarks/results_<platform>.md and benchmarks/bench_train_<platform>.png (with
--threads N: results_<platform>_threadsN.md and its chart; the chart needs matplotlib: `pip install torchlike[bench]`).
"""

import argparse
import json
import math
import os
import platform
import queue
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

MODES = {
    "torch": "PyTorch eager",
    "torch_compile": "PyTorch torch.compile",
    "tl": "torchlike eager",
    "tl_compile": "torchlike.compile",
    "jax": "pure JAX jit",
}

# name: full-size and --quick configurations; for the full run: steps per mode per round,
# interleaved rounds and untimed warm-up steps after the first (few for the big ones: the whole
# run should stay near 10 minutes on a 2-core machine)
WORKLOADS = {
    "mlp": {
        "full": {"batch": 128},
        "quick": {"batch": 128},
        # 40 steps a turn: a turn's first steps after another library's run slower (its Python
        # starts with cold caches), which 6 steps let dominate the median
        "steps": 40, "rounds": 5, "warmup": 2,
        "desc": "MLP 784-512-512-10, batch 128, SGD momentum 0.9",
    },
    "cnn": {
        "full": {"batch": 64},
        "quick": {"batch": 16},
        "steps": 3, "rounds": 5, "warmup": 2,
        "desc": "CNN 1x28x28 (conv32-pool-conv64-pool-fc128-fc10), batch 64, Adam",
    },
    "resnet": {
        "full": {"batch": 32, "size": 32, "width": 64},
        "quick": {"batch": 4, "size": 16, "width": 8},
        "steps": 1, "rounds": 3, "warmup": 1,
        "desc": "ResNet-18 (CIFAR-style, BatchNorm) 3x32x32, batch 32, SGD momentum + wd",
    },
    "gpt": {
        "full": {"batch": 16, "seq": 128, "d": 256, "heads": 4, "layers": 4, "vocab": 2048},
        "quick": {"batch": 2, "seq": 16, "d": 32, "heads": 2, "layers": 1, "vocab": 64},
        "steps": 1, "rounds": 4, "warmup": 1,
        "desc": "GPT decoder (TransformerEncoderLayer + causal mask, pre-norm, exact GELU), "
        "4 layers, d=256, 4 heads, seq 128, batch 16, vocab 2048, dropout 0.1, AdamW",
    },
    "lstm": {
        "full": {"batch": 32, "seq": 64, "emb": 128, "hidden": 256, "vocab": 2048},
        "quick": {"batch": 2, "seq": 8, "emb": 16, "hidden": 32, "vocab": 64},
        "steps": 2, "rounds": 4, "warmup": 2,
        "desc": "2-layer LSTM LM, emb 128, hidden 256, seq 64, batch 32, vocab 2048, Adam, "
        "clip_grad_norm_ 1.0",
    },
}


# ---------------------------------------------------------------------------------------------
# models, written once for both torch and torchlike (`lib` is the module)


def _mlp(lib, cfg):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )


def _cnn(lib, cfg):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def _resnet(lib, cfg):
    nn = lib.nn
    F = nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class ResNet18(nn.Module):
        def __init__(self, w):
            super().__init__()
            self.conv1 = nn.Conv2d(3, w, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(w)
            layers, cin = [], w
            for i, stride in enumerate((1, 2, 2, 2)):
                cout = w * 2**i
                layers.append(nn.Sequential(BasicBlock(cin, cout, stride),
                                            BasicBlock(cout, cout, 1)))
                cin = cout
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.fc = nn.Linear(cin, 10)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
            out = F.adaptive_avg_pool2d(out, 1).flatten(1)
            return self.fc(out)

    return ResNet18(cfg["width"])


def _gpt(lib, cfg):
    nn = lib.nn

    class GPT(nn.Module):
        def __init__(self, vocab, d, heads, layers, seq, p):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(seq, d)
            self.drop = nn.Dropout(p)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(d, heads, 4 * d, p, activation="gelu",
                                           batch_first=True, norm_first=True)
                for _ in range(layers)
            )
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)
            mask = nn.Transformer.generate_square_subsequent_mask(seq)
            self.register_buffer("mask", mask, persistent=False)
            self.register_buffer("positions", lib.arange(seq), persistent=False)

        def forward(self, idx):
            h = self.drop(self.tok(idx) + self.pos(self.positions))
            for blk in self.blocks:
                h = blk(h, src_mask=self.mask, is_causal=True)
            return self.head(self.ln(h))

    return GPT(cfg["vocab"], cfg["d"], cfg["heads"], cfg["layers"], cfg["seq"], 0.1)


def _lstm(lib, cfg):
    nn = lib.nn

    class LSTMLM(nn.Module):
        def __init__(self, vocab, emb, hidden):
            super().__init__()
            self.emb = nn.Embedding(vocab, emb)
            self.rnn = nn.LSTM(emb, hidden, 2, batch_first=True)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, idx):
            out, _ = self.rnn(self.emb(idx))
            return self.head(out)

    return LSTMLM(cfg["vocab"], cfg["emb"], cfg["hidden"])


BUILDERS = {"mlp": _mlp, "cnn": _cnn, "resnet": _resnet, "gpt": _gpt, "lstm": _lstm}
LM = {"gpt", "lstm"}
CLIP = {"lstm": 1.0}


def _optimizer(lib, name, params):
    if name == "mlp":
        return lib.optim.SGD(params, lr=0.01, momentum=0.9)
    if name == "resnet":
        return lib.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)
    if name == "gpt":
        return lib.optim.AdamW(params, lr=3e-4)
    return lib.optim.Adam(params, lr=1e-3)


def _data(name, cfg):
    rs = np.random.RandomState(0)
    b = cfg["batch"]
    if name in LM:
        x = rs.randint(0, cfg["vocab"], (b, cfg["seq"])).astype(np.int64)
        y = rs.randint(0, cfg["vocab"], (b, cfg["seq"])).astype(np.int64)
        return x, y
    shape = {"mlp": (784,), "cnn": (1, 28, 28), "resnet": (3, cfg.get("size"), cfg.get("size"))}
    x = rs.randn(b, *shape[name]).astype(np.float32)
    return x, rs.randint(0, 10, b).astype(np.int64)


def _lib_step(lib, name, model, opt):
    F = lib.nn.functional
    params = list(model.parameters())
    clip = CLIP.get(name)

    def step(x, y):
        opt.zero_grad()
        out = model(x)
        if name in LM:
            out, y = out.reshape(-1, out.shape[-1]), y.reshape(-1)
        loss = F.cross_entropy(out, y)
        loss.backward()
        if clip:
            lib.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        return loss

    return step


# ---------------------------------------------------------------------------------------------
# the same models and updates written by hand in JAX + optax (params keyed by state_dict names)


def _jax_program(name, cfg):
    """(loss_fn(params, buffers, x, y, key) -> (loss, new_buffers), optax transform)."""
    import jax
    import jax.numpy as jnp
    import optax

    def linear(p, k, x):
        y = x @ p[k + ".weight"].T
        return y + p[k + ".bias"] if k + ".bias" in p else y

    def conv(p, k, x, stride=1, pad=1):
        y = jax.lax.conv_general_dilated(x, p[k + ".weight"], (stride, stride),
                                         ((pad, pad), (pad, pad)),
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + p[k + ".bias"][None, :, None, None] if k + ".bias" in p else y

    def pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                     "VALID")

    def batchnorm(p, b, nb, k, x):
        mean = x.mean((0, 2, 3))
        var = x.var((0, 2, 3))
        n = x.size // x.shape[1]
        nb[k + ".running_mean"] = 0.9 * b[k + ".running_mean"] + 0.1 * mean
        nb[k + ".running_var"] = 0.9 * b[k + ".running_var"] + 0.1 * var * (n / (n - 1))
        nb[k + ".num_batches_tracked"] = b[k + ".num_batches_tracked"] + 1
        xh = (x - mean[None, :, None, None]) * jax.lax.rsqrt(var + 1e-5)[None, :, None, None]
        return xh * p[k + ".weight"][None, :, None, None] + p[k + ".bias"][None, :, None, None]

    def layernorm(p, k, x):
        mean = x.mean(-1, keepdims=True)
        var = x.var(-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(var + 1e-5) * p[k + ".weight"] + p[k + ".bias"]

    def dropout(key, x, rate=0.1):
        keep = jax.random.bernoulli(key, 1 - rate, x.shape)
        return jnp.where(keep, x / (1 - rate), 0)

    def mlp(p, b, x, key):
        h = jax.nn.relu(linear(p, "0", x))
        h = jax.nn.relu(linear(p, "2", h))
        return linear(p, "4", h), b

    def cnn(p, b, x, key):
        h = pool(jax.nn.relu(conv(p, "0", x)))
        h = pool(jax.nn.relu(conv(p, "3", h)))
        h = jax.nn.relu(linear(p, "7", h.reshape(h.shape[0], -1)))
        return linear(p, "9", h), b

    def resnet(p, b, x, key):
        nb = {}
        out = jax.nn.relu(batchnorm(p, b, nb, "bn1", conv(p, "conv1", x)))
        for i, stride in enumerate((1, 2, 2, 2)):
            for j in range(2):
                k = f"layer{i + 1}.{j}"
                s = stride if j == 0 else 1
                h = jax.nn.relu(batchnorm(p, b, nb, k + ".bn1", conv(p, k + ".conv1", out, s)))
                h = batchnorm(p, b, nb, k + ".bn2", conv(p, k + ".conv2", h))
                sc = out
                if k + ".shortcut.0.weight" in p:
                    sc = batchnorm(p, b, nb, k + ".shortcut.1",
                                   conv(p, k + ".shortcut.0", out, s, 0))
                out = jax.nn.relu(h + sc)
        out = out.mean((2, 3))
        return linear(p, "fc", out), nb

    def gpt(p, b, idx, key):
        B, T = idx.shape
        d, H = cfg["d"], cfg["heads"]
        keys = iter(jax.random.split(key, 1 + 4 * cfg["layers"]))
        mask = jnp.where(jnp.tril(jnp.ones((T, T), bool)), 0.0, -jnp.inf)
        h = p["tok.weight"][idx] + p["pos.weight"][jnp.arange(T)]
        h = dropout(next(keys), h)
        for i in range(cfg["layers"]):
            k = f"blocks.{i}"
            x = layernorm(p, k + ".norm1", h)
            qkv = x @ p[k + ".self_attn.in_proj_weight"].T + p[k + ".self_attn.in_proj_bias"]
            q, kk, v = (t.reshape(B, T, H, d // H).transpose(0, 2, 1, 3)
                        for t in jnp.split(qkv, 3, -1))
            att = jax.nn.softmax(q @ kk.transpose(0, 1, 3, 2) / math.sqrt(d // H) + mask, -1)
            att = dropout(next(keys), att)
            a = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, d)
            h = h + dropout(next(keys), linear(p, k + ".self_attn.out_proj", a))
            x = layernorm(p, k + ".norm2", h)
            x = dropout(next(keys), jax.nn.gelu(linear(p, k + ".linear1", x), approximate=False))
            h = h + dropout(next(keys), linear(p, k + ".linear2", x))
        return layernorm(p, "ln", h) @ p["head.weight"].T, b

    def lstm(p, b, idx, key):
        x = p["emb.weight"][idx].transpose(1, 0, 2)  # time-major for the scan
        for layer in range(2):
            wih, whh = p[f"rnn.weight_ih_l{layer}"], p[f"rnn.weight_hh_l{layer}"]
            xw = x @ wih.T + p[f"rnn.bias_ih_l{layer}"] + p[f"rnn.bias_hh_l{layer}"]
            hdim = whh.shape[1]
            zeros = jnp.zeros((x.shape[1], hdim), x.dtype)

            def cell(carry, xt, whh=whh):
                h, c = carry
                g = xt + h @ whh.T
                i, f, gg, o = jnp.split(g, 4, -1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(gg)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h

            _, x = jax.lax.scan(cell, (zeros, zeros), xw)
        return linear(p, "head", x.transpose(1, 0, 2)), b

    forward = {"mlp": mlp, "cnn": cnn, "resnet": resnet, "gpt": gpt, "lstm": lstm}[name]

    def loss_fn(p, b, x, y, key):
        logits, nb = forward(p, b, x, key)
        logits = logits.reshape(-1, logits.shape[-1])
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y.reshape(-1)).mean()
        return loss, nb

    tx = {
        "mlp": lambda: optax.sgd(0.01, momentum=0.9),
        "cnn": lambda: optax.adam(1e-3),
        "resnet": lambda: optax.chain(optax.add_decayed_weights(5e-4),
                                      optax.sgd(0.01, momentum=0.9)),
        "gpt": lambda: optax.adamw(3e-4, weight_decay=0.01),
        "lstm": lambda: optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-3)),
    }[name]()
    return loss_fn, tx


# ---------------------------------------------------------------------------------------------
# worker: one mode in its own process, driven over stdin/stdout


def _rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _setup_lib(mode, name, cfg, sd, x, y):
    if mode.startswith("torch"):
        import torch as lib

        if os.environ.get("BENCH_THREADS"):
            lib.set_num_threads(int(os.environ["BENCH_THREADS"]))
    else:
        import torchlike as lib
    base = _rss_mib()
    device = "cuda" if lib.cuda.is_available() else "cpu"
    lib.manual_seed(0)
    model = BUILDERS[name](lib, cfg)
    model.load_state_dict({k: lib.tensor(v) for k, v in sd.items()})
    if device != "cpu":  # (torchlike: Module.to('cpu') on a CPU model breaks Parameters)
        model.to(device)
    model.train()
    opt = _optimizer(lib, name, model.parameters())
    run_model = model
    if mode == "torch_compile":
        run_model = lib.compile(model)
    step = _lib_step(lib, name, run_model, opt)
    if mode == "tl_compile":
        step = lib.compile(step)
    tx, ty = lib.tensor(x).to(device), lib.tensor(y).to(device)
    params = list(model.parameters())

    if mode.startswith("torch"):
        def sync(loss):
            if device == "cuda":
                lib.cuda.synchronize()
    else:
        def sync(loss):
            loss._data.block_until_ready()
            for p in params:
                p._data.block_until_ready()

    def peak_device():
        if device != "cuda":
            return None
        if mode.startswith("torch"):
            return lib.cuda.max_memory_allocated() / 2**20
        import jax
        return (jax.devices()[0].memory_stats() or {}).get("peak_bytes_in_use", 0) / 2**20

    if mode.startswith("torch"):
        dev_name = lib.cuda.get_device_name() if device == "cuda" else platform.processor()
        versions = f"torch {lib.__version__}"
    else:
        import jax
        dev_name = jax.devices()[0].device_kind
        versions = f"jax {jax.__version__}"
    info = {"device": device, "device_name": dev_name, "versions": versions, "base_rss": base}
    return (lambda: step(tx, ty)), sync, (lambda loss: float(loss.item())), peak_device, info


def _setup_jax(name, cfg, sd, param_names, x, y):
    import jax
    import jax.numpy as jnp

    # torch (and torchlike) compute float32 matmuls and convolutions in full float32
    jax.config.update("jax_default_matmul_precision", "highest")
    base = _rss_mib()
    loss_fn, tx = _jax_program(name, cfg)
    params = {k: jnp.asarray(sd[k]) for k in param_names}
    bufs = {k: jnp.asarray(v) for k, v in sd.items() if k not in params}
    state = {"p": params, "b": bufs, "s": tx.init(params), "key": jax.random.key(0)}

    def step(p, b, s, key, x, y):
        key, sub = jax.random.split(key)
        (loss, nb), g = jax.value_and_grad(loss_fn, has_aux=True)(p, b, x, y, sub)
        upd, s = tx.update(g, s, p)
        return jax.tree_util.tree_map(lambda a, u: a + u, p, upd), nb, s, key, loss

    jstep = jax.jit(step, donate_argnums=(0, 1, 2))
    jx, jy = jax.device_put(x), jax.device_put(y)

    def run():
        state["p"], state["b"], state["s"], state["key"], loss = jstep(
            state["p"], state["b"], state["s"], state["key"], jx, jy)
        return loss

    def sync(loss):
        jax.block_until_ready((loss, state["p"]))

    def peak_device():
        dev = jax.devices()[0]
        if dev.platform == "cpu":
            return None
        return (dev.memory_stats() or {}).get("peak_bytes_in_use", 0) / 2**20

    dev = jax.devices()[0]
    info = {"device": dev.platform, "device_name": dev.device_kind,
            "versions": f"jax {jax.__version__}", "base_rss": base}
    return run, sync, (lambda loss: float(loss)), peak_device, info


def _emit(obj):
    sys.stdout.write("@@BENCH " + json.dumps(obj) + "\n")
    sys.stdout.flush()


def worker(mode, spec_dir):
    with open(os.path.join(spec_dir, "spec.json")) as f:
        spec = json.load(f)
    arrays = np.load(os.path.join(spec_dir, "arrays.npz"))
    sd = {k: arrays["sd." + k] for k in spec["sd_keys"]}
    x, y = arrays["x"], arrays["y"]
    name, cfg = spec["name"], spec["cfg"]
    if mode == "jax":
        run, sync, value, peak_device, info = _setup_jax(name, cfg, sd, spec["param_names"], x, y)
    else:
        run, sync, value, peak_device, info = _setup_lib(mode, name, cfg, sd, x, y)
    _emit({"ready": True, **info})
    loss = None
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "first":
            t0 = time.perf_counter()
            loss = run()
            sync(loss)
            first = time.perf_counter() - t0
            for _ in range(cmd["warmup"]):
                loss = run()
                sync(loss)
            _emit({"first": first})
        elif cmd["op"] == "run":
            times = []
            for _ in range(cmd["steps"]):
                t = time.perf_counter()
                loss = run()
                sync(loss)
                times.append(time.perf_counter() - t)
            _emit({"times": times})
        elif cmd["op"] == "final":
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            _emit({"loss": value(loss), "peak_rss": peak, "peak_device": peak_device()})
            return


# ---------------------------------------------------------------------------------------------
# driver


class Worker:
    def __init__(self, mode, spec_dir, env):
        self.mode = mode
        self.err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives with the worker)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", mode, "--spec", spec_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True, env=env)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("@@BENCH "):
                self.lines.put(json.loads(line[8:]))
        self.lines.put(None)

    def ask(self, cmd, timeout):
        if cmd is not None:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        try:
            msg = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise TimeoutError(f"no answer within {timeout:.0f} s") from None
        if msg is None:
            self.proc.wait()
            raise RuntimeError(self.error_line())
        return msg

    def error_line(self):
        self.err.seek(0)
        lines = [ln.strip() for ln in self.err.read().splitlines() if ln.strip()]
        errors = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Unsupported)\b", ln)]
        lines = errors or lines
        return lines[-1][:200] if lines else f"worker exited with {self.proc.returncode}"

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def bench(name, args, modes, env):
    """Run one workload in every mode; {mode: result dict or {'na': reason}}."""
    import torch

    cfg = WORKLOADS[name]["quick" if args.quick else "full"]
    k = args.steps or (2 if args.quick else WORKLOADS[name]["steps"])
    rounds = args.rounds or (2 if args.quick else WORKLOADS[name]["rounds"])
    warmup = 2 if args.quick else WORKLOADS[name]["warmup"]
    torch.manual_seed(0)
    model = BUILDERS[name](torch, cfg)
    sd = {key: v.detach().numpy() for key, v in model.state_dict().items()}
    x, y = _data(name, cfg)
    spec_dir = tempfile.mkdtemp(prefix=f"bench_{name}_")
    with open(os.path.join(spec_dir, "spec.json"), "w") as f:
        json.dump({"name": name, "cfg": cfg, "sd_keys": list(sd),
                   "param_names": [n for n, _ in model.named_parameters()]}, f)
    np.savez(os.path.join(spec_dir, "arrays.npz"), x=x, y=y,
             **{"sd." + key: v for key, v in sd.items()})

    results, workers = {}, {}
    for mode, label in MODES.items():
        if mode not in modes:
            results[mode] = {"na": modes_skipped_reason(mode, args)}
            continue
        w = Worker(mode, spec_dir, env)
        timeout = args.compile_timeout if mode == "torch_compile" else args.timeout
        try:
            info = w.ask(None, args.timeout)
            t = time.perf_counter()
            first = w.ask({"op": "first", "warmup": warmup}, timeout)["first"]
            results[mode] = {"first": first, "times": [], **info}
            workers[mode] = w
            print(f"  {name}: {label} ready (first step {first:.2f} s, "
                  f"setup {time.perf_counter() - t:.1f} s)", file=sys.stderr, flush=True)
        except (TimeoutError, RuntimeError) as e:
            w.close()
            why = (f"first step did not finish within {timeout:.0f} s"
                   if isinstance(e, TimeoutError) else f"failed: {e}")
            results[mode] = {"na": why}
            print(f"  {name}: {label} n/a ({why})", file=sys.stderr, flush=True)
    order = list(workers)
    for r in range(rounds):
        if not order:
            break
        for mode in order[r % len(order):] + order[:r % len(order)]:
            try:
                results[mode]["times"] += workers[mode].ask({"op": "run", "steps": k},
                                                            args.timeout)["times"]
            except (TimeoutError, RuntimeError) as e:
                results[mode] = {"na": f"failed while timing: {e}"}
                workers.pop(mode).close()
        order = [m for m in order if m in workers]
    for mode, w in workers.items():
        try:
            results[mode].update(w.ask({"op": "final"}, args.timeout))
        except (TimeoutError, RuntimeError) as e:
            results[mode] = {"na": f"failed at the end: {e}"}
        w.close()
    results["_steps"] = 1 + warmup + rounds * k
    results["_plan"] = f"{rounds}x{k}"
    return results


def modes_skipped_reason(mode, args):
    if mode == "torch_compile" and args.quick:
        return "skipped by --quick (inductor's first compile takes ~1 min on this machine)"
    return "not selected (--modes)"


def _fmt_ms(s):
    return f"{s * 1e3:.1f}" if s >= 0.01 else f"{s * 1e3:.2f}"


def table(all_results):
    lines = [
        ("| workload | mode | step ms (median) | min ms | first step s | ratio vs PyTorch eager "
         "| ratio vs pure JAX | peak RSS MiB (after import) | peak device MiB | final loss |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, res in all_results.items():
        med = {m: statistics.median(r["times"]) for m, r in res.items()
               if not m.startswith("_") and "na" not in r and r["times"]}
        for mode, label in MODES.items():
            r = res[mode]
            if mode not in med:
                lines.append(f"| {name} | {label} | n/a: {r.get('na', 'no timing')} "
                             "| | | | | | | |")
                continue
            t = med[mode]

            def ratio(ref, t=t, med=med):
                return f"{med[ref] / t:.2f}" if ref in med else "n/a"

            dev = f"{r['peak_device']:.0f}" if r.get("peak_device") is not None else "-"
            lines.append(
                f"| {name} | {label} | {_fmt_ms(t)} | {_fmt_ms(min(r['times']))} "
                f"| {r['first']:.2f} | {ratio('torch')} "
                f"| {ratio('jax')} | {r['peak_rss']:.0f} ({r['base_rss']:.0f}) | {dev} "
                f"| {r['loss']:.6f} |")
    return "\n".join(lines)


def loss_checks(all_results):
    out = []
    for name, res in all_results.items():
        a, b = res.get("tl", {}), res.get("tl_compile", {})
        if "loss" in a and "loss" in b:
            diff = abs(a["loss"] - b["loss"])
            out.append(f"loss check {name}: torchlike eager {a['loss']!r} vs torchlike.compile "
                       f"{b['loss']!r} after {res['_steps']} steps (|diff| = {diff:.3g})")
    return out


def chart(all_results, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart (pip install torchlike[bench])",
              file=sys.stderr)
        return None
    names = list(all_results)
    fig, ax = plt.subplots(figsize=(1.9 * len(names) + 3, 4.2))
    width = 0.8 / len(MODES)
    for i, (mode, label) in enumerate(MODES.items()):
        vals = []
        for name in names:
            res = all_results[name]
            ok = [m for m in ("torch", mode) if "na" not in res[m] and res[m]["times"]]
            vals.append(statistics.median(res["torch"]["times"]) /
                        statistics.median(res[mode]["times"]) if len(ok) == 2 else 0)
        xs = [j + (i - (len(MODES) - 1) / 2) * width for j in range(len(names))]
        ax.bar(xs, vals, width, label=label)
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(names)), names)
    ax.set_yscale("log")
    ax.set_ylabel("speed vs PyTorch eager (higher = faster)")
    ax.set_title("training step, median (missing bar = n/a)")
    ax.legend(fontsize=8, ncols=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny workloads, few steps")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--modes", default=None,
                    help=f"comma list of {','.join(MODES)} (default: all; --quick: all but "
                         "torch_compile)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="interleaved rounds (default: per workload, 3-5; --quick: 2)")
    ap.add_argument("--steps", type=int, default=None, help="steps per mode per round")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per worker answer")
    ap.add_argument("--compile-timeout", type=float, default=120,
                    help="seconds for torch.compile's first step")
    ap.add_argument("--threads", type=int, default=None,
                    help="CPU threads per library (torch.set_num_threads; for XLA only 1 is "
                         "supported: --xla_cpu_multi_thread_eigen=false)")
    ap.add_argument("--no-write", action="store_true", help="print only; write no files")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.spec)
    if args.modes is None:
        modes = [m for m in MODES if not (args.quick and m == "torch_compile")]
    else:
        modes = args.modes.split(",")
    names = args.workloads.split(",")
    for n in names + modes:
        if n not in WORKLOADS and n not in MODES:
            ap.error(f"unknown workload or mode {n!r}")
    env = dict(os.environ)
    env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"  # several JAX workers share one GPU
    if args.threads:
        env["BENCH_THREADS"] = str(args.threads)
        if args.threads == 1:
            env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") +
                                " --xla_cpu_multi_thread_eigen=false").strip()
    cache = tempfile.mkdtemp(prefix="inductor_")
    env["TORCHINDUCTOR_CACHE_DIR"] = cache  # torch.compile's first step is a cold compile
    env["TORCHLIKE_COMPILATION_CACHE"] = "0"  # and so is torchlike's (no kernels from disk)
    t0 = time.time()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    all_results = {}
    for name in names:
        print(f"{name}: {WORKLOADS[name]['desc']}" + (" (--quick sizes)" if args.quick else ""),
              file=sys.stderr, flush=True)
        all_results[name] = bench(name, args, modes, env)
    info = next((r for res in all_results.values() for m, r in res.items()
                 if m in ("jax", "tl", "tl_compile") and "device" in r), {})
    tinfo = next((r for res in all_results.values() for m, r in res.items()
                  if m.startswith("torch") and "versions" in r), {})
    xla_flags = os.environ.get("XLA_FLAGS")
    plans = ", ".join(f"{n} {r['_plan']}" for n, r in all_results.items())
    plat = {"cuda": "gpu"}.get(info.get("device"), info.get("device", "cpu"))
    head = [
        f"# Training-step benchmark ({plat})",
        "",
        (f"{started}; {info.get('device_name', '?')}, {os.cpu_count()} CPU cores "
         f"(load average {load:.1f} at start); {info.get('versions', '')}, "
         f"{tinfo.get('versions', '')}; interleaved rounds x steps per mode: {plans}"
         f"{f'; --threads {args.threads}' if args.threads else ''}"
         f"{'; XLA_FLAGS=' + repr(xla_flags) if xla_flags else ''}"
         f"{' (--quick)' if args.quick else ''}; run took {time.time() - t0:.0f} s."),
        "",
        ("Ratios are `other_time / this_time` (higher = this mode is faster). Step time: "
         "median over all timed steps, each step synchronised (loss and parameters ready); "
        "min: the fastest step (less sensitive to other load on the machine). "
        "First step: the first call, compilation included. Peak RSS: the worker process's "
        "ru_maxrss (one process per mode: Python, the library, compiler, weights, activations); "
        "in brackets its RSS right after importing the library. Peak device: on a GPU, "
        "torch.cuda.max_memory_allocated or JAX's peak_bytes_in_use. Final loss: after the "
        "same number of steps from the same weights and batch (dropout masks differ between "
        "libraries)."),
        "",
    ]
    body = table(all_results)
    checks = loss_checks(all_results)
    text = "\n".join(head + [body, ""] + checks) + "\n"
    print(text)
    for name in names:
        print(f"{name}: {WORKLOADS[name]['desc']}")
    if not args.no_write:
        suffix = f"{plat}_threads{args.threads}" if args.threads else plat
        md = os.path.join(HERE, f"results_{suffix}.md")
        workloads = "\n".join(f"- {n}: {WORKLOADS[n]['desc']}" for n in names)
        with open(md, "w") as f:
            f.write(text + "\nWorkloads:\n\n" + workloads + "\n")
        png = chart(all_results, os.path.join(HERE, f"bench_train_{suffix}.png"))
        print(f"wrote {md}" + (f" and {png}" if png else ""))


if __name__ == "__main__":
    main()
