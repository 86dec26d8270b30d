"""DataLoader on a machine with a GPU: workers after JAX claimed the GPU, and workers off the GPU."""

import gc
import multiprocessing

import pytest

import torchlike as tl
import torchlike.cuda
import torchlike.nn.functional as F
import torchlike.utils.data as tld
from torchlike import nn

if not tl.cuda.is_available():
    pytest.skip("needs a GPU", allow_module_level=True)

pytestmark = [
    pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:This process:DeprecationWarning"),
]


def test_fork_workers_serve_a_gpu_training_loop():
    x = tl.arange(40, dtype=tl.float32).reshape(20, 2).cuda()
    y = (tl.arange(20) % 3).cuda()
    loader = tld.DataLoader(tld.TensorDataset(x, y), batch_size=8, shuffle=True, num_workers=2)
    model = nn.Linear(2, 3).cuda()
    seen = []
    for xb, yb in loader:
        assert xb.device.type == "cpu" and yb.dtype == tl.int64  # as PyTorch's loader
        xb, yb = xb.cuda(), yb.cuda()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        assert model.weight.grad.device.type == "cuda"
        seen += (xb[:, 0] / 2).cpu().tolist()
    assert sorted(seen) == [float(i) for i in range(20)]
    gc.collect()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("context", ["spawn", "forkserver"])
def test_fresh_workers_compute_on_the_cpu(context):
    from tests.test_data_helpers import ReportsBackend

    (tl.ones(2).cuda() * 2).sum()  # JAX holds the GPU here
    loader = tld.DataLoader(
        ReportsBackend(), batch_size=2, num_workers=2, multiprocessing_context=context, timeout=120
    )
    assert [b for batch in loader for b in batch] == ["cpu"] * 4
    gc.collect()
    assert multiprocessing.active_children() == []
