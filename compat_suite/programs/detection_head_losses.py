"""A one-stage detection head's losses: pairwise IoU of anchors and boxes by broadcasting,
anchor matching with max/argmax and thresholds, sigmoid focal loss from
binary_cross_entropy_with_logits(reduction='none'), smooth L1 box regression on the positive
anchors only (boolean-mask indexing), plus a triplet-margin and cosine-embedding embedding
head; SGD with weight decay on separate parameter groups."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report

A, G, C = 24, 4, 3  # anchors, ground-truth boxes, classes
ctr = torch.rand(A, 2, generator=torch.Generator().manual_seed(0)) * 10
anchors = torch.cat([ctr - 1.5, ctr + 1.5], 1)
gt = torch.tensor([[1.0, 1.0, 4.0, 4.0], [5.0, 5.0, 9.0, 8.0], [0.0, 6.0, 3.0, 9.5],
                   [6.0, 0.5, 9.0, 3.0]])
gt_cls = torch.tensor([0, 2, 1, 2])
feats = randn(1, A, 10)


def box_iou(a, b):
    area = lambda x: (x[:, 2] - x[:, 0]).clamp(min=0) * (x[:, 3] - x[:, 1]).clamp(min=0)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area(a)[:, None] + area(b)[None] - inter)


iou = box_iou(anchors, gt)
best_iou, best_gt = iou.max(dim=1)
pos = best_iou >= 0.3
neg = best_iou < 0.1
labels = torch.zeros(A, C)
labels[pos, gt_cls[best_gt[pos]]] = 1.0
targets = gt[best_gt] - anchors


def focal(logits, y, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    pt = p * y + (1 - p) * (1 - y)
    w = alpha * y + (1 - alpha) * (1 - y)
    return (w * ce * (1 - pt) ** gamma)


head = det_init(nn.ModuleDict({"cls": nn.Linear(10, C), "box": nn.Linear(10, 4),
                               "emb": nn.Linear(10, 5)}), seed=9)
opt = torch.optim.SGD([{"params": head["cls"].parameters(), "weight_decay": 1e-3},
                       {"params": list(head["box"].parameters()) +
                        list(head["emb"].parameters()), "lr": 0.02}], lr=0.05, momentum=0.9)
anchor_i, pos_i, neg_i = randint(4, A, 8), randint(5, A, 8), randint(6, A, 8)
for step in range(8):
    cls_loss = focal(head["cls"](feats), labels)[pos | neg].sum() / pos.sum().clamp(min=1)
    box_loss = F.smooth_l1_loss(head["box"](feats)[pos], targets[pos], beta=0.5)
    e = F.normalize(head["emb"](feats), dim=-1)
    trip = F.triplet_margin_loss(e[anchor_i], e[pos_i], e[neg_i], margin=0.3, swap=True)
    cos = F.cosine_embedding_loss(e[anchor_i], e[neg_i], -torch.ones(8), margin=0.1)
    loss = cls_loss + box_loss + trip + cos
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, cls=cls_loss, box=box_loss, trip=trip, cos=cos,
           npos=pos.sum(), dist=F.pairwise_distance(e[anchor_i], e[pos_i]).mean())
