"""Perceive then locate, with one retry at full resolution on large screens.

Importing this module is cheap (perception and locating are imported on first use), so
that a one-shot command can ``preopen`` the models before it imports the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from devices.base import Observation
    from grounding.perceive import Perceiver
    from grounding.types import Screen, Target


def preopen(int8: bool | None = None, image: Callable[[], Image.Image] | None = None) -> None:
    """Start opening, on a background thread, what perceiving a first screen takes: the
    text detector (run early on ``image``, see ``detect_early``), the line recognizer
    (``int8`` as in ``OcrConfig``), the element detector and icon classifier that ship, the
    float recognizer (short labels) and the installed icon theme's index. The caller
    imports and decodes meanwhile; a Perceiver takes these."""
    import threading

    from grounding import runtime
    from grounding.modelfiles import model_paths

    detect_early(image)
    if int8 is None:   # as Ocr decides, without importing onnxruntime here
        int8 = runtime.fast_int8() and not runtime.cuda_installed()
    models = Path(__file__).parent / "models"
    paths = [model_paths(int8)[1], models / "detector.onnx", models / "icons.onnx",
             model_paths(False)[1]]
    runtime.preopen([p for p in paths if p.is_file()])   # what does not ship is not asked for
    # not a daemon: a process that ends early (bad input) waits for it, as for the models
    threading.Thread(target=_theme_index, name="guiagent-themes").start()


def detect_early(image: Callable[[], Image.Image] | None = None) -> None:
    """Start opening the text detector, first of all models, and (``image``: the screen to
    come, waited for) run it on that screen as soon as it is in, its input made while it
    opens: a Perceiver's first detection of the same screen takes that run. Returns when
    that run has started: until then the interpreter is left to the imports and the
    decoding it waits for. A one-shot command calls this before it reads its settings:
    every configuration detects text with the same model."""
    from grounding import runtime
    from grounding.modelfiles import model_paths

    runtime.import_native()
    det = model_paths(False)[0]
    runtime.preopen([det])
    if image is not None:
        import cv2  # noqa: F401 - loaded here, while the detector opens, not by two threads

        runtime.prerun(det, lambda: _det_feed(image()))
        runtime.started(det)


def _det_feed(image: Image.Image) -> list[Any]:
    """The text detector's input for a full screen as a default Perceiver gives it."""
    import numpy as np

    from grounding.ocr import Ocr, OcrConfig

    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    holder = SimpleNamespace(config=OcrConfig())   # det_input reads only the config
    return [Ocr.det_input(holder, rgb)]  # type: ignore[arg-type]


def _theme_index() -> None:
    from grounding import themeicons

    themeicons.installed()


def ground(perceiver: Perceiver, source: Observation | Image.Image | str | Path,
           instruction: str, min_score: float | None = None) -> tuple[Screen, Target]:
    """The screen and the target; a miss on a large screen re-reads its dense regions
    at full resolution (small targets) and tries once more. ``min_score``: locate's
    default unless given."""
    from grounding.locate import MIN_SCORE, locate

    score = MIN_SCORE if min_score is None else min_score
    screen = perceiver.perceive(source)
    target = locate(screen, instruction, score)
    if target.found or not perceiver.can_refine(screen):
        return screen, target
    screen = perceiver.refine(source)
    return screen, locate(screen, instruction, score)
