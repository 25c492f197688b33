"""`--device sim`: the built-in simulated phone as an in-process Device (no adb involved)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from devices.base import Device
from devices.errors import CaptureFailed, DeviceSpecError, InputRefused, Unsupported
from devices.geometry import PixelPoint, ScreenGeometry
from devices.registry import DeviceInfo
from devices.settle import SettleConfig
from devices.sim.perturb import Perturbations
from devices.sim.phone import Phone
from devices.sim.shell import run_shell

KEYS = {
    "back": 4, "home": 3, "enter": 66, "delete": 67, "backspace": 67, "app_switch": 187,
    "recent": 187, "tab": 61, "escape": 111, "esc": 111, "space": 62, "up": 19, "down": 20,
    "left": 21, "right": 22, "menu": 82, "search": 84, "power": 26, "volume_up": 24,
    "volume_down": 25, "forward_delete": 112,
}
LABELS = {"messaging": "Messages", "sms": "Messages", "people": "Contacts", "alarm": "Clock",
          "deskclock": "Clock", "calc": "Calculator", "note": "Notes", "launcher": "Launcher",
          "browser": "Chrome", "dialer": "Phone", "gallery": "Photos"}


class SimDevice(Device):
    """A ``Phone`` driven in process: what ``guiagent ... -d sim`` talks to."""

    settle_config = SettleConfig(timeout_s=2.0, interval_s=0.05)

    def __init__(self, phone: Phone | None = None, seed: int = 0,
                 perturbations: Perturbations | None = None) -> None:
        self.phone = phone or Phone(seed=seed, perturbations=perturbations)
        self.id = f"sim:{self.phone.seed}" if self.phone.seed else "sim"

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> SimDevice:
        """``sim`` or ``sim:SEED``; a ``perturbations`` option is passed on."""
        seed = 0
        if arg:
            try:
                seed = int(arg)
            except ValueError as exc:
                raise DeviceSpecError(
                    f"'sim:{arg}': the simulated phone takes a whole-number seed, "
                    "e.g. sim:42") from exc
        return cls(seed=seed, perturbations=options.get("perturbations"))

    @classmethod
    def discover(cls, **options: Any) -> list[DeviceInfo]:
        return [DeviceInfo("sim", "sim", description="built-in simulated phone")]

    # --- looking ---------------------------------------------------------------------

    def screenshot(self) -> Image.Image:
        try:
            return self.phone.render()
        except OSError as exc:
            raise CaptureFailed(f"the simulated phone could not draw its screen: {exc}") from exc

    def geometry(self) -> ScreenGeometry:
        return ScreenGeometry(self.phone.width, self.phone.height, density=self.phone.density)

    def current_app(self) -> tuple[str | None, str | None]:
        package, activity = self.phone.foreground()
        return package, package + activity if activity.startswith(".") else activity

    def ui_tree(self) -> str | None:
        return self.phone.dump_hierarchy()

    def keyboard_shown(self) -> bool | None:
        return self.phone.keyboard_shown()

    # --- touching --------------------------------------------------------------------

    def tap(self, p: PixelPoint) -> None:
        self._check(p)
        self.phone.tap(p.x, p.y)

    def long_press(self, p: PixelPoint, duration_s: float = 0.8) -> None:
        self._check(p)
        self.phone.long_press(p.x, p.y)

    def swipe(self, start: PixelPoint, end: PixelPoint, duration_s: float = 0.3) -> None:
        self._check(start)
        self._check(end)
        self.phone.swipe(start.x, start.y, end.x, end.y, max(1, round(duration_s * 1000)))

    def type_text(self, text: str) -> None:
        """Any Unicode text goes straight to the focused field (no IME needed in process)."""
        self.phone.text(text)

    def press_key(self, key: str) -> None:
        name = key.strip().lower()
        if "+" in name and len(name) > 1:
            raise Unsupported(f"the simulated phone has no key combinations ('{key}')")
        if name in KEYS:
            self.phone.keyevent(KEYS[name])
            return
        try:
            self.phone.keyevent(key)
        except ValueError as exc:
            raise Unsupported(f"unknown key '{key}'; use one of {', '.join(sorted(KEYS))}, "
                              "a letter, a digit or KEYCODE_*") from exc

    def launch_app(self, app: str) -> None:
        """Start an app by label ("Settings") or package ("com.android.settings")."""
        package = self.resolve_app(app)
        self.phone.start(package)

    def resolve_app(self, app: str) -> str:
        wanted = app.strip()
        if wanted in self.phone.packages:
            return wanted
        label = LABELS.get(wanted.lower(), wanted).lower()
        for info in self.phone.apps.values():
            if info.label.lower() == label:
                return info.package
        names = ", ".join(sorted(a.label for a in self.phone.apps.values() if a.in_launcher))
        raise InputRefused(f"the simulated phone has no app '{app}'; it has {names}")

    def shell(self, cmd: str) -> str:
        """Run a command line on the phone's shell; stdout and stderr as text, like adb."""
        result = run_shell(cmd, self.phone)
        return (result.stdout + result.stderr).decode("utf-8", errors="replace")

    def _check(self, p: PixelPoint) -> None:
        if not (0 <= p.x < self.phone.width and 0 <= p.y < self.phone.height):
            raise InputRefused(f"({p.x}, {p.y}) is outside the simulated phone's "
                               f"{self.phone.width}x{self.phone.height} screen")
