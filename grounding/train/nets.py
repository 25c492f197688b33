"""The two small CNNs, written out (there is no torchvision here)."""

from __future__ import annotations

import torch
from torch import nn


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class IconNet(nn.Module):
    """1x32x32 "distance from background" tile -> class logits (0.4-0.8 M weights)."""

    def __init__(self, classes: int, hidden: int = 128):
        super().__init__()
        self.features = nn.Sequential(
            _conv(1, 16), nn.MaxPool2d(2),
            _conv(16, 32), _conv(32, 32), nn.MaxPool2d(2),
            _conv(32, 64), _conv(64, 64), nn.MaxPool2d(2),
            _conv(64, 128))  # 4x4
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(128 * 16, hidden),
                                  nn.ReLU(inplace=True), nn.Dropout(0.2),
                                  nn.Linear(hidden, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class KindNet(nn.Module):
    """3x24x48 proposal crop (with context) + 4 box features -> element-kind logits."""

    def __init__(self, classes: int, geom: int = 4):
        super().__init__()
        self.features = nn.Sequential(
            _conv(3, 16), nn.MaxPool2d(2), _conv(16, 32), nn.MaxPool2d(2),
            _conv(32, 48), nn.MaxPool2d(2), nn.Flatten())
        self.geom = nn.Sequential(nn.Linear(geom, 16), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(48 * 3 * 6 + 16, 96),
                                  nn.ReLU(inplace=True), nn.Linear(96, classes))

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return self.head(torch.cat([self.features(x), self.geom(g)], dim=1))


class Softmax(nn.Module):
    """Wraps a net so the exported graph answers probabilities."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(*inputs), dim=1)
