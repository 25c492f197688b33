"""An int8 version of the PP-OCR recognizer that ships in the rapidocr wheel.

    python -m grounding.train.quantize_ocr [--out grounding/models] [--screens 40]

Static quantization of the convolutions and matrix products (onnxruntime QDQ: int8
per-channel weights, uint8 activations; element-wise ops stay float and fused)
calibrated on the text lines of screens the project draws itself: synthetic UI
screens (``grounding.train.screens``) and the simulated phone's apps. The model is the
wheel's own, converted to opset 17 (per-channel QDQ needs 13+), and keeps its character
table in the ONNX metadata. Needs ``onnx`` (the ``train`` extra). The detector stays
float: int8 detection moved line boxes enough to merge menu-bar words.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from grounding.modelfiles import REC_INT8, REC_MODEL, models_dir
from grounding.ocr import Ocr, OcrConfig, rec_input

SIM_APPS = ("launcher", "settings", "contacts", "messages", "clock", "calculator", "notes")


def calibration_screens(n: int, seed: int = 11) -> Iterator[np.ndarray]:
    """RGB screens to calibrate on: ``n`` synthetic ones, then the simulated phone's apps
    (no screen that a benchmark measures)."""
    from devices.sim.device import SimDevice
    from grounding.train.screens import screen

    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield np.asarray(screen(rng)[0].convert("RGB"))
    dev = SimDevice()
    for app in SIM_APPS:
        if app != "launcher":
            dev.launch_app(app)
        yield np.asarray(dev.observe().image.convert("RGB"))


def calibration_inputs(ocr: Ocr, screens: list[np.ndarray], batch: int = 16) -> list[np.ndarray]:
    """Recognizer batches: the text lines the float detector finds on ``screens``."""
    rec = []
    for rgb in screens:
        crops = ocr.crops(rgb, ocr.detect(rgb))
        rec += [rec_input(crops[i:i + batch])[0] for i in range(0, len(crops), batch)]
    return rec


def quantize(src: Path, dst: Path, inputs: list[np.ndarray],
             ops: list[str] | None = None) -> None:
    """Convert ``src`` to opset 17, quantize ``ops`` (None: all) statically on ``inputs``
    with min/max ranges averaged over batches, keep the metadata."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter({"x": x} for x in inputs)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.it, None)

    model = onnx.load(str(src))
    with tempfile.TemporaryDirectory() as tmp:
        opset17 = Path(tmp) / "opset17.onnx"
        onnx.save(version_converter.convert_version(model, 17), str(opset17))
        quantize_static(str(opset17), str(dst), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"CalibMovingAverage": True},
                        op_types_to_quantize=ops)
    out = onnx.load(str(dst))
    onnx.helper.set_model_props(out, {p.key: p.value for p in model.metadata_props})
    onnx.save(out, str(dst))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "models")
    ap.add_argument("--screens", type=int, default=40, help="synthetic calibration screens")
    ap.add_argument("--ops", default="Conv,MatMul", help="op types to quantize, comma-"
                    "separated ('' for every op onnxruntime can; the element-wise ones then "
                    "run unfused and slower)")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    ocr = Ocr(OcrConfig(int8=False))
    rec = calibration_inputs(ocr, list(calibration_screens(args.screens)))
    print(f"calibration: {len(rec)} line batches")
    quantize(models_dir() / REC_MODEL, args.out / REC_INT8, rec,
             args.ops.split(",") if args.ops else None)
    print(f"wrote {args.out / REC_INT8} ({(args.out / REC_INT8).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
