"""Inside torchlike.compile, built-in module calls are recorded as one op each
(torchlike/nn/modules/_composite.py): the same numbers as op by op, and op by op wherever one
op could not reproduce the call (hooks, user subclasses, in-place writes to inputs, aliasing
results, attribute changes)."""

import numpy as np
import pytest

import torchlike as tl
from torchlike.nn.modules import _composite

nn = tl.nn


def _train(build, steps=3, modules=True, opt_cls=None, x=None, y=None, seed=0):
    """Losses, state_dict and grads after `steps` compiled steps."""
    was = _composite.ENABLED
    _composite.ENABLED = modules
    try:
        tl.manual_seed(seed)
        model = build()
        opt = (opt_cls or (lambda p: tl.optim.SGD(p, lr=0.1, momentum=0.9)))(model.parameters())

        @tl.compile
        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        losses = [step(x, y).item() for _ in range(steps)]
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        grads = [p.grad.numpy().copy() for p in model.parameters()]
        return losses, state, grads, step
    finally:
        _composite.ENABLED = was


def _same(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(a[0], b[0], rtol=rtol, atol=atol)
    assert a[1].keys() == b[1].keys()
    for k in a[1]:
        np.testing.assert_allclose(a[1][k], b[1][k], rtol=rtol, atol=atol, err_msg=k)
    for g, h in zip(a[2], b[2]):
        np.testing.assert_allclose(g, h, rtol=rtol, atol=atol)


def _data(*shape, out=4):
    rs = np.random.RandomState(1)
    return (tl.tensor(rs.randn(*shape).astype(np.float32)),
            tl.tensor(rs.randn(shape[0], out).astype(np.float32)))


def _composites(kind):
    return [k for k, v in _composite._CACHE.items() if k[0][0] is kind and v is not _composite.NO]


def test_sequential_with_dropout_and_batchnorm_is_one_op_with_the_same_numbers():
    """Dropout masks come from the same generator words, BatchNorm's running statistics are
    written back, gradients reach every parameter."""
    def build():
        return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                             nn.Linear(8, 4))

    x, y = _data(5, 6)
    one = _train(build, x=x, y=y)
    per_op = _train(build, modules=False, x=x, y=y)
    _same(one, per_op)
    assert _composites(nn.Sequential)
    assert one[1]["1.num_batches_tracked"] == 3
    assert one[3].compile_count == per_op[3].compile_count


def test_leaf_modules_stay_op_by_op():
    """A module without children runs one or two ops: recording them costs less than
    fingerprinting the module, so it is not made one op."""
    m = nn.Linear(3, 2)
    tl.compile(lambda x: m(x))(tl.randn(4, 3))
    assert not any(k[0][0] is nn.Linear for k in _composite._CACHE)


def test_transformer_layers_share_one_traced_op():
    def build():
        return nn.Sequential(*[nn.TransformerEncoderLayer(8, 2, 16, 0.1, batch_first=True,
                                                          activation="gelu", norm_first=True)
                               for _ in range(2)], nn.Flatten(), nn.Linear(24, 4))

    x, y = _data(2, 3, 8)
    opt = lambda p: tl.optim.AdamW(p, lr=1e-3)  # noqa: E731
    one = _train(build, x=x, y=y, opt_cls=opt)
    per_op = _train(build, modules=False, x=x, y=y, opt_cls=opt)
    _same(one, per_op, rtol=1e-5, atol=1e-6)
    assert not _composites(nn.TransformerEncoderLayer)  # inside the Sequential's one op


class _Mine(nn.Linear):  # a subclass defined outside torchlike: its forward may do anything
    calls = 0

    def forward(self, x):
        type(self).calls += 1
        return super().forward(x)


def test_user_code_in_the_subtree_runs_op_by_op_every_call():
    _Mine.calls = 0

    def build():
        return nn.Sequential(_Mine(6, 8), nn.Tanh(), nn.Linear(8, 4))

    x, y = _data(5, 6)
    _same(_train(build, x=x, y=y), _train(build, modules=False, x=x, y=y))
    assert _Mine.calls == 6  # its Python ran on every call, in both runs


def test_hooks_run_on_every_call():
    seen = []

    def build():
        m = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 4))
        m[1].register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
        return m

    x, y = _data(5, 6)
    _train(build, x=x, y=y)
    assert seen == [tl.Size([5, 8])] * 3


def test_attribute_changes_between_calls_take_effect():
    """A new dropout probability, eval mode, a frozen parameter: each is a different op."""
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.0), nn.Linear(8, 4))
    x, _ = _data(5, 6)
    f = tl.compile(lambda x: model(x))
    ref = model[2](model[0](x))
    np.testing.assert_allclose(f(x).detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    model[1].p = 1.0  # everything dropped: the output is the last layer's bias
    np.testing.assert_allclose(f(x).detach().numpy(),
                               np.broadcast_to(model[2].bias.detach().numpy(), (5, 4)), rtol=1e-6)
    model.eval()  # dropout off again
    np.testing.assert_allclose(f(x).detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    model[0].weight.requires_grad_(False)
    model.train()
    model[1].p = 0.0
    out = f(x)
    out.sum().backward()
    assert model[0].weight.grad is None and model[2].weight.grad is not None


def test_inplace_input_writes_and_aliasing_results_run_op_by_op():
    """ReLU(inplace=True) writes its input, Flatten returns a view of it, Identity the input
    itself: one op could not keep those relations, so these run op by op."""
    x = tl.randn(3, 4)
    f = tl.compile(lambda x: (nn.ReLU(inplace=True)(x), nn.Identity()(x), nn.Flatten(0)(x)))
    a, b, c = f(x)
    assert b is x
    assert (x.numpy() >= 0).all()  # the input was written
    c[0] = 7.0  # a view of x
    assert x[0, 0].item() == 7.0


def test_random_draws_continue_the_stream():
    """The generator advances as op by op: the draws after a compiled call are the same."""
    def run(modules):
        was = _composite.ENABLED
        _composite.ENABLED = modules
        try:
            tl.manual_seed(3)
            m = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Dropout(0.5))
            f = tl.compile(lambda x: m(x))
            out = f(tl.ones(8, 4)).detach().numpy()
            return out, tl.rand(3).numpy()
        finally:
            _composite.ENABLED = was

    (a, ra), (b, rb) = run(True), run(False)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ra, rb)


def test_errors_are_the_op_by_op_errors():
    model = nn.Sequential(nn.Linear(6, 4), nn.ReLU())
    f = tl.compile(lambda x: model(x))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        f(tl.randn(2, 5))


def test_compiled_module_is_one_op():
    tl.manual_seed(0)
    m = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 4))
    cm = tl.compile(m)
    x, y = _data(5, 6)
    loss = nn.functional.mse_loss(cm(x), y)
    loss.backward()
    g = [p.grad.numpy().copy() for p in m.parameters()]
    for p in m.parameters():
        p.grad = None
    nn.functional.mse_loss(m(x), y).backward()
    for a, p in zip(g, m.parameters()):
        np.testing.assert_allclose(a, p.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_lazy_and_parametrized_modules_run_op_by_op():
    """LazyLinear infers its weight on the first call; a parametrized weight is computed by
    user code on every access."""
    from torchlike.nn.utils import parametrize

    class Sym(nn.Module):
        calls = 0

        def forward(self, w):
            Sym.calls += 1
            return (w + w.T) / 2

    tl.manual_seed(0)
    lazy = nn.LazyLinear(3)
    sym = nn.Linear(4, 4)
    parametrize.register_parametrization(sym, "weight", Sym())
    f = tl.compile(lambda x: sym(lazy(x)[:, :1].expand(2, 4)))
    x = tl.randn(2, 5)
    for _ in range(2):
        out = f(x)
    ref = sym(lazy(x)[:, :1].expand(2, 4))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    assert lazy.weight.shape == (3, 5)
    assert Sym.calls >= 3  # every call, compiled ones included, ran the parametrization


def test_compiler_reset_clears_traced_modules():
    m = nn.Sequential(nn.Linear(3, 2))
    tl.compile(lambda x: m(x))(tl.randn(4, 3))
    assert _composites(nn.Sequential)
    tl.compiler.reset()
    assert not _composite._CACHE
