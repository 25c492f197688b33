"""Where the OCR models are, told without importing numpy, OpenCV or onnxruntime: a one-shot
command starts opening the text detector before the rest of its code has loaded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from grounding.errors import ModelMissing

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
REC_INT8 = "ocr_rec_int8.onnx"   # the recognizer quantized (grounding/models/ocr_rec_int8.md)


def model_paths(int8: bool) -> tuple[Path, Path]:
    """The det and rec model files: the wheel's originals, the recognizer as the package's
    int8 copy when asked (int8 detection shifts line boxes: it stays float)."""
    rec = Path(__file__).parent / "models" / REC_INT8 if int8 else models_dir() / REC_MODEL
    return models_dir() / DET_MODEL, rec


def models_dir() -> Path:
    """Where the rapidocr wheel keeps its ONNX models."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise ModelMissing("the rapidocr package is not installed; pip install guiagent")
    return Path(spec.origin).parent / "models"
