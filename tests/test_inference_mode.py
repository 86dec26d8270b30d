"""torch.inference_mode's inference tensors, compared with real PyTorch: which tensors are
inference tensors, and the errors for writing them in place or saving them for backward."""

import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl  # noqa: E402


def _outcome(f):
    try:
        r = f()
    except Exception as e:  # noqa: BLE001 (the oracle's exception is the expectation)
        return ("raises", type(e).__name__, str(e))
    if hasattr(r, "tolist") and not isinstance(r, (bool, int, float)):
        r = (r.tolist(), r.is_inference(), r.requires_grad)
    return ("returns", r)


def _scenario(lib):
    """(name, outcome) for each step of a script using inference mode."""
    out = []
    x = lib.ones(3)
    p = lib.ones(3, requires_grad=True)
    with lib.inference_mode():
        a = lib.ones(3)
        b = lib.full((3,), 5.0)  # never written: PyTorch refuses some writes after making them
        c = p * 2
        out += [("made inside", a.is_inference()), ("op result", (x * 2).is_inference()),
                ("number op", (x + 1).is_inference()), ("method", x.exp().is_inference()),
                ("view of normal", x[:2].is_inference()), ("view()", x.view(3).is_inference()),
                ("from grad input", (c.is_inference(), c.requires_grad, c.grad_fn is None)),
                ("mode on", lib.is_inference_mode_enabled())]
        out.append(("write normal", _outcome(lambda: (x.add_(1), x._version)[1])))
        out.append(("write inference inside", _outcome(lambda: a.add_(1))))
        out.append(("version", _outcome(lambda: a._version)))
        out.append(("requires_grad_ inside", _outcome(lambda: lib.ones(2).requires_grad_())))
        w = lib.ones(2, requires_grad=True)
        out.append(("leaf inside", (w.requires_grad, w.is_inference(), w.is_leaf)))
        with lib.inference_mode(False):
            out += [("nested off", lib.ones(2).is_inference()),
                    ("nested op", (a * 2).is_inference())]
            out.append(("saved in nested", _outcome(lambda: (a * p).sum().backward())))
    out += [("outside", a.is_inference()), ("op outside", (a * 2).is_inference()),
            ("mixed", (a + x).is_inference()), ("clone", a.clone().is_inference()),
            ("detach", a.detach().is_inference()), ("view outside", a.view(3).is_inference()),
            ("slice outside", a[:2].is_inference()), ("to dtype", a.to(lib.float64).is_inference()),
            ("tolist", a.tolist()), ("function", lib.is_inference(a)),
            ("normal", lib.is_inference(x)), ("mode off", lib.is_inference_mode_enabled())]
    for name, f in [
            ("add_ outside", lambda: a.add_(1)), ("setitem outside", lambda: a.__setitem__(0, 1.0)),
            ("copy_ into", lambda: a.copy_(x)), ("zero_", lambda: a.zero_()),
            ("fill_ view", lambda: a[:2].fill_(0)), ("copy_ from", lambda: x.copy_(b)),
            ("write normal with", lambda: x.add_(b)),
            ("mul saves it", lambda: (a * p).sum().backward()),
            ("add saves nothing", lambda: (b + p).sum()),
            ("saved by matmul", lambda: (lib.ones(3, 3, requires_grad=True) @ a).sum()),
            ("saved by exp*", lambda: (p.exp() * a).sum()),
            ("requires_grad_", lambda: a.requires_grad_()),
            ("Parameter", lambda: lib.nn.Parameter(a)),
            ("is_inference(1)", lambda: lib.is_inference(1))]:
        out.append((name, _outcome(f)))
    with lib.no_grad():
        out.append(("no_grad write", _outcome(lambda: a.add_(1))))
    m = lib.nn.Linear(3, 2)
    with lib.inference_mode():
        o = m(lib.ones(1, 3))
    out.append(("module output", (o.is_inference(), o.requires_grad)))
    out.append(("target saved", _outcome(
        lambda: lib.nn.functional.mse_loss(m(lib.ones(1, 3)), o).backward())))

    @lib.inference_mode()
    def f(t):
        return t * 2
    out.append(("decorator", f(x).is_inference()))
    return out


def test_inference_tensors_match_pytorch():
    got, want = _scenario(tl), _scenario(torch)
    assert [n for n, _ in got] == [n for n, _ in want]
    for (name, g), (_, w) in zip(got, want):
        assert g == w, name


def test_inference_outputs_feed_a_normal_step():
    # the common pattern: evaluate under inference_mode, then train on clones of the outputs
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 1)
        with lib.inference_mode():
            target = m(lib.ones(4, 3)) * 2
        loss = lib.nn.functional.mse_loss(m(lib.ones(4, 3)), target.clone())
        loss.backward()
        return m.weight.grad.flatten().tolist()
    assert run(tl) == pytest.approx(run(torch))
