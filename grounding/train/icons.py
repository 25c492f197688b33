"""Train the icon classifier: ``python -m grounding.train.icons --out grounding/models/``.

Needs the training fonts: ``pip install -e .[train]``, Debian's
fonts-material-design-icons-iconfont, and ``python -m grounding.train.fonts build/iconfonts``
(Lucide and Tabler webfonts from npm); and the desktop icon themes: the installed ones plus
``python -m grounding.train.themes --fetch`` (Debian theme packages unpacked under build/themes;
SVGs need ``rsvg-convert``, Debian's librsvg2-bin).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from grounding.train import finetune, fonts, icondata, themes
from grounding.train.iconset import labels
from grounding.train.loop import export, predict, seed_everything, train
from grounding.train.nets import IconNet


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--per-class", type=int, default=400)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--other-factor", type=int, default=5, help="times more 'other' samples")
    ap.add_argument("--hidden", type=int, default=192, help="width of the dense layer")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--grow", type=Path, default=None,
                    help="keep this model's convolutions, train its last one and the dense "
                         "layers (grounding.train.finetune): minutes instead of hours")
    ap.add_argument("--npm-fonts", type=Path, default=Path("build/iconfonts"),
                    help="where python -m grounding.train.fonts unpacked the npm icon fonts")
    args = ap.parse_args(argv)
    fonts.use_npm_dir(args.npm_fonts)
    seed_everything(args.seed, args.threads)
    t0 = time.time()
    pics = themes.pictures()
    if empty := icondata.empty_classes(pics):
        raise SystemExit(f"no glyph or theme picture for {', '.join(empty)}: install the fonts "
                         "and themes (see the module docstring)")
    print(f"theme pictures: {sum(map(len, pics.values()))} ({time.time() - t0:.0f} s)", flush=True)
    x, y = icondata.dataset(args.per_class, args.seed, args.other_factor, pics)
    xt, yt = icondata.dataset(max(20, args.per_class // 5), args.seed + 1000, 2, pics)
    print(f"data: {len(y)} train, {len(yt)} held-out ({time.time() - t0:.0f} s)", flush=True)
    if args.grow:
        net, acc = _grow(args.grow, x, y, xt, yt, args)
    else:
        net = IconNet(len(labels()), args.hidden)
        train(net, [x], y, epochs=args.epochs, seed=args.seed)
        probs = predict(net, [xt])
        acc = float((probs.argmax(1) == yt).mean())
        print(f"held-out synthetic top-1 accuracy: {acc:.4f} on {len(yt)} crops")
        _per_class(probs, yt)
    args.out.mkdir(parents=True, exist_ok=True)
    export(net, [x], ["tile"], args.out / "icons.onnx",
           {"labels": labels(), "input": "1x32x32 grounding.icons.preprocess",
            "heldout_top1": round(acc, 4), "seed": args.seed,
            "grown_from": args.grow.name if args.grow else ""})
    print(f"wrote {args.out / 'icons.onnx'} in {time.time() - t0:.0f} s total")


def _grow(old: Path, x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray,
          args: argparse.Namespace) -> tuple[torch.nn.Module, float]:
    """Train the top of ``old`` on the new classes; the whole net and its accuracy."""
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(old)).metadata_props}
    frozen, top = finetune.from_onnx(old, json.loads(meta["labels"]), labels())
    fx, fxt = finetune.features(frozen, x), finetune.features(frozen, xt)
    train(top, [fx], y, epochs=args.epochs, seed=args.seed, shift=False)
    probs = predict(top, [fxt])
    acc = float((probs.argmax(1) == yt).mean())
    print(f"held-out synthetic top-1 accuracy: {acc:.4f} on {len(yt)} crops")
    _per_class(probs, yt)
    return finetune.Whole(frozen, top), acc


def _per_class(probs: np.ndarray, y: np.ndarray) -> None:
    names = labels()
    worst = sorted((float((probs[y == i].argmax(1) == i).mean()), names[i])
                   for i in range(len(names)) if (y == i).any())[:8]
    print("weakest classes:", ", ".join(f"{n} {a:.2f}" for a, n in worst))


if __name__ == "__main__":
    main()
