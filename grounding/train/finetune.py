"""Grow a trained icon classifier to new classes: its convolutions (read back from the
shipped ONNX graph, batch norm folded in) are kept, the last convolution and the dense
layers are trained on the new data. Hours of CPU become minutes on a shared machine."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import torch
from torch import nn


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True))


class Frozen(nn.Module):
    """IconNet's layers up to the last convolution, as exported (batch norm folded)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(_conv(1, 16), nn.MaxPool2d(2), _conv(16, 32), _conv(32, 32),
                                      nn.MaxPool2d(2), _conv(32, 64), _conv(64, 64),
                                      nn.MaxPool2d(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


class Top(nn.Module):
    """The last convolution and the dense layers: the part that is trained."""

    def __init__(self, classes: int, hidden: int = 128) -> None:
        super().__init__()
        self.conv = _conv(64, 128)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(128 * 16, hidden),
                                  nn.ReLU(inplace=True), nn.Dropout(0.2),
                                  nn.Linear(hidden, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x))


class Whole(nn.Module):
    """Frozen + Top: the net that is exported."""

    def __init__(self, frozen: Frozen, top: Top) -> None:
        super().__init__()
        self.frozen, self.top = frozen, top

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.top(self.frozen(x))


def from_onnx(path: Path, old_labels: list[str], labels: list[str]) -> tuple[Frozen, Top]:
    """The old model's convolutions, and a Top whose known classes start where they were."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = [torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer]
    named = {i.name: w for i, w in zip(model.graph.initializer, weights, strict=True)}
    convs = [w for i, w in zip(model.graph.initializer, weights, strict=True)
             if i.name.startswith("onnx::Conv")]
    frozen, top = Frozen(), Top(len(labels))
    layers = [m for m in frozen.modules() if isinstance(m, nn.Conv2d)]
    layers.append(cast(nn.Conv2d, top.conv[0]))
    fc1, fc2 = cast(nn.Linear, top.head[2]), cast(nn.Linear, top.head[5])
    with torch.no_grad():
        for layer, (w, b) in zip(layers, zip(convs[::2], convs[1::2], strict=True), strict=True):
            layer.weight.copy_(w)
            cast(torch.Tensor, layer.bias).copy_(b)
        fc1.weight.copy_(named["net.head.2.weight"])
        fc1.bias.copy_(named["net.head.2.bias"])
        for new, label in enumerate(labels):
            if label in old_labels:
                fc2.weight[new] = named["net.head.5.weight"][old_labels.index(label)]
                fc2.bias[new] = named["net.head.5.bias"][old_labels.index(label)]
    for p in frozen.parameters():
        p.requires_grad_(False)
    return frozen.eval(), top


@torch.no_grad()
def features(frozen: Frozen, x: np.ndarray, batch: int = 1024) -> np.ndarray:
    """The frozen layers' output (N x 64 x 4 x 4) for every tile."""
    return np.concatenate([frozen(torch.from_numpy(x[i:i + batch])).numpy()
                           for i in range(0, len(x), batch)])
