"""`guiagent doctor`: check adb, the display, the models and the LLM settings; say what to fix."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable

import click

from guiagent.config import display_env, load_settings

Check = tuple[str, bool, str]


def check_adb() -> Check:
    path = shutil.which("adb")
    if not path:
        return ("adb", False, "not found; install it: sudo apt-get install -y adb")
    return ("adb", True, path)


def check_display() -> Check:
    """Open the desktop as ``-d desktop`` would: no DISPLAY, Wayland or a dead server say why."""
    from devices import DeviceError
    from devices.desktop import DesktopDevice

    try:
        desk = DesktopDevice.from_spec(None, display_env=display_env())
        with desk:
            g = desk.geometry()
    except DeviceError as exc:
        return ("display", False, f"{exc} (desktop control is off; phones still work)")
    return ("display", True, f"X11 {desk.target.display}, primary monitor {g.width}x{g.height}")


def check_runtime() -> Check:
    missing = [m for m in ("onnxruntime", "cv2", "rapidocr") if importlib.util.find_spec(m) is None]
    if missing:
        return ("models", False, f"missing {', '.join(missing)}; reinstall: pip install guiagent")
    import onnxruntime

    providers = onnxruntime.get_available_providers()
    where = "CUDA" if "CUDAExecutionProvider" in providers else "CPU"
    return ("models", True, f"onnxruntime {onnxruntime.__version__} on {where}")


def check_llm() -> Check:
    s = load_settings()
    if not s.llm_configured:
        return ("llm", True, "none configured: the offline planner runs step-wise tasks. "
                             "Set OPENAI_API_KEY and/or OPENAI_BASE_URL for the LLM loop")
    where = s.base_url or "api.openai.com"
    return ("llm", True, f"model {s.model or '(default)'} at {where}")


CHECKS: tuple[Callable[[], Check], ...] = (check_adb, check_display, check_runtime, check_llm)


@click.command()
def doctor() -> None:
    """Check what guiagent needs and say what to fix."""
    bad = 0
    for name, ok, detail in (check() for check in CHECKS):
        bad += not ok
        click.echo(f"{'ok ' if ok else 'FIX'}  {name:<8} {detail}")
    if bad:
        click.echo(f"{bad} thing(s) to fix; everything else works without them.", err=True)
