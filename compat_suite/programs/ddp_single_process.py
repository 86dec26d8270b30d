"""What a torchrun script does on one process: init_process_group('gloo') over TCP on a free
port, DistributedDataParallel, a DistributedSampler feeding a DataLoader (set_epoch each
epoch), gradient accumulation under no_sync, all_reduce of the loss for logging, an
all_gather_object of per-rank counts, an evaluation pass, destroy_process_group."""

import os
import socket

import torch
import torch.distributed as dist
import torch.nn as nn
from _common import det_init, randn, report
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

ACCUMULATE = 2


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@record
def main():
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{free_port()}", rank=0, world_size=1
    )
    assert dist.is_initialized() and dist.get_backend() == "gloo"
    rank, world = dist.get_rank(), dist.get_world_size()
    x = randn(41, 43, 6)
    y = (x[:, :3].sum(1) > 0).long()
    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=7)
    loader = DataLoader(data, batch_size=8, sampler=sampler)
    net = det_init(nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 2)), seed=42)
    model = DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for i, (xb, yb) in enumerate(loader):
            if (i + 1) % ACCUMULATE:
                with model.no_sync():  # the usual accumulation idiom: no all-reduce this micro-step
                    (nn.functional.cross_entropy(model(xb), yb) / ACCUMULATE).backward()
                continue
            loss = nn.functional.cross_entropy(model(xb), yb) / ACCUMULATE
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            logged = loss.detach().clone()
            dist.all_reduce(logged, op=dist.ReduceOp.SUM)
            logged /= world
            report(step, loss=logged, grad_norm=grad_norm, first_y=yb[0], local_rank=local_rank)
            step += 1
    seen = [None] * world
    dist.all_gather_object(seen, {"rank": rank, "n": len(sampler)})
    model.eval()
    eval_sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=False)
    correct = torch.zeros(())
    with torch.no_grad():
        for xb, yb in DataLoader(data, batch_size=16, sampler=eval_sampler):
            correct += (model(xb).argmax(1) == yb).sum()
    dist.all_reduce(correct)
    weights = torch.cat([p.detach().flatten() for p in model.module.parameters()])
    dist.broadcast(weights, src=0)
    report(step, accuracy=correct / len(data), seen=seen[0]["n"], weight_sum=weights.sum())
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
