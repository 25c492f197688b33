"""The one place that opens ONNX models: provider choice and thread settings.

CUDA is used when onnxruntime-gpu is installed and a GPU answers, else the CPU.
On the CPU each session uses at most ``cpu_threads()`` intra-op threads (the
physical cores, capped at 4) and no inter-op pool: the models are small and
several sessions share a 2-core machine with the rest of the agent.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from grounding.errors import GroundingError, ModelMissing

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def cpu_threads() -> int:
    """Intra-op threads for CPU inference: the usable cores, at most 4."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


@cache
def providers() -> tuple[str, ...]:
    """Execution providers in order of preference: CUDA when present, then CPU."""
    import onnxruntime

    available = onnxruntime.get_available_providers()
    return (CUDA, CPU) if CUDA in available else (CPU,)


def session_options(threads: int | None = None) -> Any:
    """Session options tuned for small models on a few cores."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = threads or cpu_threads()
    opts.inter_op_num_threads = 1
    opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


def session(model_path: str | Path, threads: int | None = None) -> Any:
    """Open ``model_path`` as an ``onnxruntime.InferenceSession``; ModelMissing if absent."""
    import onnxruntime

    path = Path(model_path)
    if not path.is_file():
        raise ModelMissing(f"model file {path} is missing; reinstall guiagent "
                           "(pip install --force-reinstall guiagent)")
    try:
        return onnxruntime.InferenceSession(str(path), sess_options=session_options(threads),
                                            providers=list(providers()))
    except Exception as exc:  # onnxruntime raises its own untyped Fail/InvalidGraph errors
        raise GroundingError(f"cannot load model {path.name}: {exc}") from exc


def device_name() -> str:
    """``"cuda"`` or ``"cpu"``: where sessions run."""
    return "cuda" if providers()[0] == CUDA else "cpu"
