"""Seeded single-thread training, evaluation and ONNX export with metadata."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from grounding.train.nets import Softmax


def seed_everything(seed: int, threads: int = 1) -> None:
    """Deterministic runs on one core or two (the CPU is shared)."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    torch.use_deterministic_algorithms(True)


def _shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random +-2 px translation of a batch (cheap on-line augmentation)."""
    dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=gen))
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


def train(net: nn.Module, inputs: list[np.ndarray], y: np.ndarray, *, epochs: int,
          seed: int, lr: float = 3e-3, batch: int = 128, weights: np.ndarray | None = None,
          shift: bool = True) -> list[float]:
    """Adam + cosine schedule; returns the loss of each epoch."""
    gen = torch.Generator().manual_seed(seed)
    tensors = [torch.from_numpy(a) for a in inputs]
    target = torch.from_numpy(y)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((len(y) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(weight=None if weights is None else torch.from_numpy(weights),
                                  label_smoothing=0.05)
    history = []
    for epoch in range(epochs):
        net.train()
        order, total, t0 = torch.randperm(len(y), generator=gen), 0.0, time.time()
        for i in range(0, len(y), batch):
            idx = order[i:i + batch]
            first = _shift(tensors[0][idx], gen) if shift else tensors[0][idx]
            xb = [first, *(t[idx] for t in tensors[1:])]
            loss = loss_fn(net(*xb), target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        history.append(total / len(y))
        print(f"epoch {epoch + 1}/{epochs} loss {history[-1]:.4f} ({time.time() - t0:.0f} s)",
              flush=True)
    return history


@torch.no_grad()
def predict(net: nn.Module, inputs: list[np.ndarray], batch: int = 512) -> np.ndarray:
    """Class probabilities for every row of ``inputs``."""
    net.eval()
    out = [torch.softmax(net(*(torch.from_numpy(a[i:i + batch]) for a in inputs)), 1).numpy()
           for i in range(0, len(inputs[0]), batch)]
    return np.concatenate(out)


def export(net: nn.Module, examples: list[np.ndarray], names: list[str], path: Path,
           meta: dict[str, object]) -> None:
    """Write ``net`` (+softmax) as ONNX with a dynamic batch axis and JSON metadata."""
    import onnx

    net.eval()
    args = tuple(torch.from_numpy(e[:2]) for e in examples)
    torch.onnx.export(Softmax(net), args, str(path), input_names=names, output_names=["probs"],
                      dynamic_axes={n: {0: "n"} for n in [*names, "probs"]}, opset_version=17,
                      dynamo=False)
    model = onnx.load(str(path))
    for key, value in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value)
    onnx.save(model, str(path))
