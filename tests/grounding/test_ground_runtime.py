"""The one place that opens ONNX models, and the OCR models that ship with rapidocr."""

from __future__ import annotations

from pathlib import Path

import pytest

from grounding import runtime
from grounding.errors import ModelMissing
from grounding.modelfiles import DET_MODEL, REC_MODEL, models_dir


def test_missing_model_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="reinstall"):
        runtime.session(tmp_path / "absent.onnx")


def test_cpu_session_with_bounded_threads() -> None:
    s = runtime.session(models_dir() / DET_MODEL)
    assert s.get_providers()[0] in runtime.providers()
    assert 1 <= runtime.cpu_threads() <= 4
    assert runtime.device_name() in ("cpu", "cuda")


def test_ocr_models_ship_in_the_rapidocr_wheel() -> None:
    for name in (DET_MODEL, REC_MODEL):
        assert (models_dir() / name).stat().st_size > 1_000_000
