"""torch.multiprocessing: tensors cross process boundaries by pickling."""

import pickle

import pytest

import torchlike as tl
import torchlike.multiprocessing as mp


def _double(q_in, q_out):
    t = q_in.get()
    q_out.put((t * 2).tolist())


def test_tensor_through_a_queue():
    ctx = mp.get_context("spawn")
    q_in, q_out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_double, args=(q_in, q_out))
    p.start()
    q_in.put(tl.tensor([1.0, 2.0]))
    assert q_out.get(timeout=120) == [2.0, 4.0]
    p.join(60)
    assert p.exitcode == 0


def test_pickle_round_trip_and_shared_memory_error():
    w = tl.nn.Parameter(tl.tensor([1.0, 2.0]))
    w2 = pickle.loads(pickle.dumps(w))
    assert isinstance(w2, tl.nn.Parameter) and w2.requires_grad and w2.tolist() == [1.0, 2.0]
    with pytest.raises(NotImplementedError, match="shared memory"):
        tl.ones(2).share_memory_()
