"""A minimal phone for protocol and error-path tests: answers the commands the driver sends.

It implements the same interface as devices.sim.phone.Phone (``fs``, ``lock``,
``command(argv)``), with switches for failures the real simulated phone never shows.
"""

from __future__ import annotations

import io
import threading

from PIL import Image

from devices.sim.fs import VirtualFS
from devices.sim.shell import CommandNotFound, ShellResult

WINDOW = ("mCurrentFocus=Window{3f2a u0 com.android.settings/com.android.settings.Settings}\n"
          "mFocusedApp=ActivityRecord{7c1 u0 com.android.settings/.Settings t12}\n")
XML = '<?xml version="1.0"?><hierarchy rotation="0"><node text="Hi"/></hierarchy>'


class TinyPhone:
    """Records input; ``black``, ``broken_capture``, ``busy_dumps``, ``ime`` change answers."""

    def __init__(self, width: int = 1080, height: int = 2400) -> None:
        self.fs = VirtualFS()
        self.lock = threading.RLock()
        self.size = (width, height)
        self.reset()

    def reset(self) -> None:
        """Forget recorded input and switch every failure off."""
        self.events: list[list[str]] = []
        self.black = False
        self.broken_capture = False
        self.busy_dumps = 0
        self.packages = ["com.android.settings", "com.android.chrome"]
        self.ime = "com.android.inputmethod.latin/.LatinIME"

    def command(self, argv: list[str]) -> ShellResult:
        name = argv[0]
        handler = getattr(self, "_" + name, None)
        if handler is None:
            raise CommandNotFound(name)
        result: ShellResult = handler(argv[1:])
        return result

    def _screencap(self, args: list[str]) -> ShellResult:
        if self.broken_capture:
            return ShellResult(b"", b"Capturing failed.\n", 1)
        image = Image.new("RGB", self.size, (0, 0, 0) if self.black else (30, 90, 200))
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return ShellResult(buf.getvalue())

    def _input(self, args: list[str]) -> ShellResult:
        self.events.append(args)
        return ShellResult(b"")

    def _wm(self, args: list[str]) -> ShellResult:
        if args == ["size"]:
            return ShellResult(f"Physical size: {self.size[0]}x{self.size[1]}\n".encode())
        return ShellResult(b"Physical density: 420\n")

    def _dumpsys(self, args: list[str]) -> ShellResult:
        answers = {"display": "mViewports=[DisplayViewport{valid=true, orientation=0}]\n",
                   "window": WINDOW, "input_method": "  mInputShown=true\n"}
        return ShellResult(answers.get(args[0] if args else "", "").encode())

    def _uiautomator(self, args: list[str]) -> ShellResult:
        if self.busy_dumps > 0:
            self.busy_dumps -= 1
            return ShellResult(b"ERROR: could not get idle state.\n")
        self.fs.write(args[1], XML.encode())
        return ShellResult(f"UI hierchary dumped to: {args[1]}\n".encode())

    def _pm(self, args: list[str]) -> ShellResult:
        return ShellResult("".join(f"package:{p}\n" for p in self.packages).encode())

    def _settings(self, args: list[str]) -> ShellResult:
        return ShellResult(f"{self.ime}\n".encode())

    def _am(self, args: list[str]) -> ShellResult:
        self.events.append(["am", *args])
        return ShellResult(b"Broadcasting: Intent { act=ADB_INPUT_B64 }\nBroadcast completed\n")

    def _monkey(self, args: list[str]) -> ShellResult:
        self.events.append(["monkey", *args])
        return ShellResult(b"Events injected: 1\n")
