"""torchlike.optim.swa_utils against torch.optim.swa_utils: averaged weights, SWALR, update_bn."""

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl
import torchlike.nn as tnn
import torchlike.optim
from torchlike.optim import swa_utils


def _models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    lm = tnn.Sequential(tnn.Linear(3, 4), tnn.BatchNorm1d(4), tnn.Linear(4, 2))
    lm.load_state_dict({k: tl.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, lm


def _batch(i):
    return np.random.default_rng(i).standard_normal((5, 3)).astype(np.float32)


AVERAGERS = {
    "swa": lambda S, m, ub: S.AveragedModel(m, use_buffers=ub),
    "ema-multi": lambda S, m, ub: S.AveragedModel(
        m, multi_avg_fn=S.get_ema_multi_avg_fn(0.9), use_buffers=ub
    ),
    "ema": lambda S, m, ub: S.AveragedModel(m, avg_fn=S.get_ema_avg_fn(0.9), use_buffers=ub),
    "swa-multi": lambda S, m, ub: S.AveragedModel(m, multi_avg_fn=S.get_swa_multi_avg_fn()),
}


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", sorted(AVERAGERS))
def test_averaged_model_matches_torch(kind, use_buffers):
    tm, lm = _models()
    ta = AVERAGERS[kind](torch.optim.swa_utils, tm, use_buffers)
    la = AVERAGERS[kind](swa_utils, lm, use_buffers)
    for i in range(3):
        with torch.no_grad():
            for p in tm.parameters():
                p.mul_(0.9).add_(0.1)
        for p in lm.parameters():
            p._set_data(p._data * np.float32(0.9) + np.float32(0.1))
        tm(torch.tensor(_batch(i)))
        lm(tl.tensor(_batch(i)))
        ta.update_parameters(tm)
        la.update_parameters(lm)
    t_sd, l_sd = ta.state_dict(), la.state_dict()
    assert list(l_sd) == list(t_sd)
    for k, v in t_sd.items():
        np.testing.assert_allclose(l_sd[k].numpy(), v.numpy(), rtol=1e-6, atol=1e-6, err_msg=k)
    x = _batch(9)
    ta.eval()
    la.eval()
    np.testing.assert_allclose(
        la(tl.tensor(x)).detach().numpy(),
        ta(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_update_bn_matches_torch():
    tm, lm = _models()
    batches = [_batch(i) for i in range(3)]
    torch.optim.swa_utils.update_bn([torch.tensor(b) for b in batches], tm)
    swa_utils.update_bn([(tl.tensor(b), 0) for b in batches], lm)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(
            getattr(lm[1], name).numpy(), getattr(tm[1], name).numpy(), rtol=1e-5
        )
    assert lm[1].momentum == tm[1].momentum
    assert lm.training


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 5])
def test_swalr_matches_torch(anneal_strategy, anneal_epochs):
    t_opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)
    l_opt = tl.optim.SGD([tl.zeros(2, requires_grad=True)], lr=0.5)
    kw = {"swa_lr": 0.05, "anneal_epochs": anneal_epochs, "anneal_strategy": anneal_strategy}
    t_s = torch.optim.swa_utils.SWALR(t_opt, **kw)
    l_s = swa_utils.SWALR(l_opt, **kw)
    for _ in range(12):
        t_opt.step()
        l_opt.step()
        t_s.step()
        l_s.step()
        assert l_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-12)
    assert l_s.state_dict().keys() == t_s.state_dict().keys()


def test_swalr_errors():
    opt = tl.optim.SGD([tl.zeros(2, requires_grad=True)], lr=0.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="decay"):
        swa_utils.get_ema_avg_fn(1.5)
