"""A CNN with BatchNorm2d, pooling and train()/eval() switching (running statistics)."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 6, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2)
        self.bn2 = nn.BatchNorm2d(8, momentum=0.2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(self.pool(x).flatten(1))


model = det_init(SmallCNN(), seed=50)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
x, y = randn(51, 16, 2, 12, 12), randint(52, 4, 16)
xv = randn(53, 8, 2, 12, 12)
for step in range(10):
    model.train()
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    model.eval()
    with torch.no_grad():
        val = model(xv).pow(2).mean()
    report(
        step,
        loss=loss,
        val=val,
        running_mean=model.bn1.running_mean.abs().sum(),
        running_var=model.bn2.running_var.sum(),
        batches=model.bn1.num_batches_tracked,
    )
