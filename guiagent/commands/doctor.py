"""`guiagent doctor`: check adb, the display, the models and the LLM settings; say what to fix."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable

import click

from guiagent.config import accessibility_env, display_env, load_settings

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


A11Y_HOWTO = ("the desktop is read from pixels only. To add its accessibility tree: "
              "sudo apt-get install at-spi2-core, run inside a D-Bus session (a desktop login, "
              "or dbus-run-session -- CMD); Qt apps need QT_ACCESSIBILITY=1, and "
              "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 where no screen reader is running")


def check_accessibility() -> Check:
    """Whether the desktop's AT-SPI bus answers, and the variables that switch it off."""
    from devices import DeviceError, DisplayUnavailable
    from devices.desktop import DesktopDevice

    try:
        desk = DesktopDevice.from_spec(None, display_env=display_env())
        try:
            line = desk.accessibility()
        finally:
            desk.close()
    except DisplayUnavailable:
        return ("a11y", False, "no desktop display (see above), so no accessibility tree")
    except DeviceError as exc:
        return ("a11y", False, f"{exc}; {A11Y_HOWTO}")
    return ("a11y", True, line + "".join(f"; {p}" for p in a11y_pitfalls(accessibility_env())))


def a11y_pitfalls(env: dict[str, str | None]) -> list[str]:
    """Settings that hide applications from the bus."""
    found = []
    if env.get("NO_AT_BRIDGE") not in (None, "", "0"):
        found.append("NO_AT_BRIDGE is set: GTK apps started with it expose nothing (unset it)")
    modules = env.get("GTK_MODULES") or ""
    if "gail" in modules and "atk-bridge" not in modules:
        found.append("GTK_MODULES names gail without atk-bridge: GTK2 apps expose nothing "
                     "(add atk-bridge or unset it)")
    if env.get("QT_ACCESSIBILITY") != "1":
        found.append("QT_ACCESSIBILITY is not 1: Qt apps may expose nothing (export it, and "
                     "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 without a screen reader)")
    return found


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


CHECKS: tuple[Callable[[], Check], ...] = (check_adb, check_display, check_accessibility,
                                            check_runtime, check_llm)


@click.command()
def doctor() -> None:
    """Check what guiagent needs and say what to fix."""
    bad = 0
    for name, ok, detail in (check() for check in CHECKS):
        bad += not ok
        click.echo(f"{'ok ' if ok else 'FIX'}  {name:<8} {detail}")
    if bad:
        click.echo(f"{bad} thing(s) to fix; everything else works without them.", err=True)
