"""Android phones and emulators through an adb server, driven with adbutils.

Every adbutils or socket error leaves this module as a ``devices.errors`` error.
Commands run through shell v2 when the device offers it, so exit codes are real.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import re
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adbutils
from PIL import Image, UnidentifiedImageError

from devices.base import Device
from devices.errors import (
    BlankFrame,
    CaptureFailed,
    DeviceError,
    DeviceNotFound,
    DeviceSpecError,
    DeviceUnreachable,
    InputMethodMissing,
    InputRefused,
    Unsupported,
)
from devices.geometry import PixelPoint, ScreenGeometry
from devices.registry import DeviceInfo

log = logging.getLogger(__name__)

DEFAULT_SERVER = ("127.0.0.1", 5037)
ADB_KEYBOARD = "com.android.adbkeyboard"
ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME"
DUMP_PATH = "/data/local/tmp/guiagent_window_dump.xml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

KEYCODES = {
    "back": 4, "home": 3, "enter": 66, "delete": 67, "backspace": 67, "app_switch": 187,
    "recent": 187, "tab": 61, "escape": 111, "esc": 111, "space": 62, "up": 19, "down": 20,
    "left": 21, "right": 22, "menu": 82, "search": 84, "power": 26, "volume_up": 24,
    "volume_down": 25, "forward_delete": 112, "page_up": 92, "page_down": 93,
    "ctrl": 113, "shift": 59, "alt": 57, "meta": 117,
}
KEYCODES.update({chr(c): 29 + c - ord("a") for c in range(ord("a"), ord("z") + 1)})
KEYCODES.update({str(d): 7 + d for d in range(10)})

# Common app labels -> packages (stock Android, Pixel and AOSP variants).
APP_LABELS: dict[str, tuple[str, ...]] = {
    "settings": ("com.android.settings",),
    "chrome": ("com.android.chrome",),
    "camera": ("com.google.android.GoogleCamera", "com.android.camera2", "com.android.camera"),
    "phone": ("com.google.android.dialer", "com.android.dialer"),
    "messages": ("com.google.android.apps.messaging", "com.android.messaging"),
    "contacts": ("com.google.android.contacts", "com.android.contacts"),
    "calendar": ("com.google.android.calendar", "com.android.calendar"),
    "clock": ("com.google.android.deskclock", "com.android.deskclock"),
    "calculator": ("com.google.android.calculator", "com.android.calculator2"),
    "gmail": ("com.google.android.gm",),
    "maps": ("com.google.android.apps.maps",),
    "youtube": ("com.google.android.youtube",),
    "play store": ("com.android.vending",),
    "files": ("com.google.android.documentsui", "com.android.documentsui"),
    "photos": ("com.google.android.apps.photos", "com.android.gallery3d"),
    "gallery": ("com.android.gallery3d", "com.google.android.apps.photos"),
    "browser": ("com.android.chrome", "com.android.browser"),
}


class _Connection(adbutils.AdbConnection):
    """adbutils' connection without its habit of spawning ``adb start-server`` on port 5037."""

    def _safe_connect(self) -> socket.socket:
        sock: socket.socket = self._create_socket()
        return sock

    def close(self) -> None:
        """Close at once; adbutils sleeps 10 ms here, most of a command's round trip."""
        sock = self.__dict__.get("_AdbConnection__conn")
        if sock is not None:
            sock.close()
            self.__dict__["_AdbConnection__conn"] = None


class _Client(adbutils.AdbClient):
    """An adb client that never starts a server behind the caller's back."""

    def __init__(self, host: str, port: int, socket_timeout: float) -> None:
        super().__init__(host, port, socket_timeout)
        self._timeout = socket_timeout
        self._version: int | None = None

    def server_version(self) -> int:
        """Asked once per client: adbutils asks before every command that names a serial."""
        if self._version is None:
            self._version = int(super().server_version())
        return self._version

    def make_connection(self, timeout: float | None = None) -> adbutils.AdbConnection:
        conn = _Connection(self.host, self.port)
        conn.conn.settimeout(timeout or self._timeout)
        return conn


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What one shell command on the device produced."""

    exit_code: int
    stdout: bytes
    stderr: bytes = b""

    @property
    def text(self) -> str:
        return (self.stdout + self.stderr).decode("utf-8", errors="replace")


def parse_server(text: str | None) -> tuple[str, int]:
    """``HOST:PORT`` (or ``PORT``) of an adb server; the local default when None."""
    if not text:
        return DEFAULT_SERVER
    host, sep, port = text.strip().rpartition(":")
    try:
        return (host if sep and host else "127.0.0.1"), int(port)
    except ValueError:
        raise DeviceSpecError(
            f"bad adb server address '{text}': write HOST:PORT, e.g. 192.168.1.5:5037") from None


def parse_arg(arg: str | None, adb_server: str | None) -> tuple[str | None, tuple[str, int]]:
    """``SERIAL`` or ``SERIAL@HOST:PORT`` -> (serial, server); ``@`` wins over the option."""
    if arg and "@" in arg:
        serial, _, server = arg.rpartition("@")
        return (serial or None), parse_server(server)
    return (arg or None), parse_server(adb_server)


def server_running(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts connections on the adb server's port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def escape_input_text(text: str) -> list[str]:
    """ASCII text -> shell-quoted arguments for successive ``input text`` calls.

    ``input text`` turns ``%s`` into a space, so spaces are sent as ``%s`` and a
    literal ``%s`` is split across two calls (a ``%`` at the end is typed as is).
    """
    parts = text.split("%s")
    out = []
    for n, part in enumerate(parts):
        piece = ("s" if n else "") + part + ("%" if n < len(parts) - 1 else "")
        if piece:
            out.append(shlex.quote(piece.replace(" ", "%s")))
    return out


@contextlib.contextmanager
def _adb_errors(what: str, serial: str) -> Iterator[None]:
    """adbutils / socket errors -> DeviceUnreachable, raised from the original."""
    try:
        yield
    except DeviceError:
        raise
    except adbutils.AdbTimeout as exc:
        raise DeviceUnreachable(f"{serial}: no answer to {what} ({exc})") from exc
    except (adbutils.AdbError, OSError, EOFError) as exc:
        reason = str(exc) or type(exc).__name__
        raise DeviceUnreachable(f"{serial}: lost during {what}: {reason}") from exc


class AndroidDevice(Device):
    """One Android device behind an adb server (local by default, or HOST:PORT)."""

    def __init__(self, serial: str | None = None, adb_server: str | None = None,
                 timeout_s: float = 30.0, dump_retries: int = 3,
                 dump_delay_s: float = 0.3) -> None:
        serial, (self.host, self.port) = parse_arg(serial, adb_server)
        self.timeout_s = timeout_s
        self.dump_retries = dump_retries
        self.dump_delay_s = dump_delay_s
        _ensure_server(self.host, self.port)
        self._client = _Client(self.host, self.port, socket_timeout=timeout_s)
        self.serial = self._pick_serial(serial)
        self.id = f"android:{self.serial}"
        self._dev = self._client.device(self.serial)
        with _adb_errors("features", self.serial):
            self._v2 = "shell_v2" in self._dev.get_features().split(",")
        self._packages: set[str] | None = None
        self._physical: tuple[int, int] | None = None
        self._density: int | None = None
        self._last_size: tuple[int, int] | None = None

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> AndroidDevice:
        return cls(arg, adb_server=options.get("adb_server"))

    @classmethod
    def discover(cls, **options: Any) -> list[DeviceInfo]:
        """Every device of the adb server; [] at once when no server runs."""
        host, port = parse_server(options.get("adb_server"))
        if not server_running(host, port):
            return []
        client = _Client(host, port, socket_timeout=5)
        with _adb_errors("listing devices", f"adb server {host}:{port}"):
            rows = client.list(extended=True)
        return [DeviceInfo(id=f"android:{r.serial}", kind="android",
                           state="available" if r.state == "device" else r.state,
                           description=r.tags.get("model", "").replace("_", " "))
                for r in rows]

    # --- choosing the device ---------------------------------------------------------

    def _pick_serial(self, wanted: str | None) -> str:
        where = f"the adb server at {self.host}:{self.port}"
        with _adb_errors("listing devices", where):
            rows = {r.serial: r.state for r in self._client.list()}
        if wanted and wanted not in rows and _looks_like_address(wanted):
            rows = self._connect(wanted, where)
        if wanted is None:
            ready = [s for s, st in rows.items() if st == "device"]
            if len(ready) != 1:
                known = ", ".join(f"android:{s}" for s in rows) or "none"
                raise DeviceNotFound(
                    f"{len(ready)} Android devices ready on {where} (known: {known}); "
                    + ("name one with -d android:SERIAL" if ready else
                       "plug one in with USB debugging on, or `adb connect HOST:PORT`"))
            return ready[0]
        return self._check_state(wanted, rows, where)

    def _check_state(self, serial: str, rows: dict[str, str], where: str) -> str:
        state = rows.get(serial)
        if state is None:
            known = ", ".join(f"android:{s}" for s in rows) or "none"
            raise DeviceNotFound(f"no Android device '{serial}' on {where}; known: {known}")
        if state == "unauthorized":
            raise DeviceNotFound(f"{serial} is unauthorized: accept the USB debugging prompt "
                                 "on the phone, then retry")
        if state != "device":
            raise DeviceUnreachable(f"{serial} is {state} on {where}; reconnect it and retry")
        return serial

    def _connect(self, address: str, where: str) -> dict[str, str]:
        """``adb connect`` a HOST:PORT serial that the server does not know yet."""
        with _adb_errors("adb connect", where):
            answer = self._client.connect(address, timeout=10)
            rows = {r.serial: r.state for r in self._client.list()}
        if address not in rows:
            known = ", ".join(f"android:{s}" for s in rows) or "none"
            raise DeviceNotFound(f"no Android device '{address}' on {where}: adb connect "
                                 f"said '{answer.strip()}'; known: {known}")
        return rows

    # --- running commands ------------------------------------------------------------

    def run(self, command: str, timeout_s: float | None = None) -> CommandResult:
        """Run a shell command line on the device; DeviceUnreachable if the device is gone."""
        with _adb_errors(f"`{command[:40]}`", self.serial):
            r = self._dev.shell2(command, timeout=timeout_s or self.timeout_s, encoding=None,
                                 v2=self._v2)
        if not self._v2:
            return CommandResult(r.returncode, r.output)
        return CommandResult(r.returncode, r.stdout, r.stderr)

    def shell(self, command: str) -> str:
        """Run a command line; its stdout and stderr as text (like ``adb shell``)."""
        return self.run(command).text

    def _check(self, p: PixelPoint) -> None:
        """Android ignores input outside the screen without a word; say it instead."""
        if self._last_size is not None:
            width, height = self._last_size
        else:
            width = height = max(self._physical_size())   # either orientation
        if not (0 <= p.x < width and 0 <= p.y < height):
            raise InputRefused(f"({p.x}, {p.y}) is outside the {width}x{height} screen "
                               f"of {self.serial}")

    def _input(self, command: str) -> None:
        r = self.run(command)
        if r.exit_code != 0 or b"Error" in r.stderr or b"Exception" in r.stderr:
            raise InputRefused(f"{self.serial} refused `{command[:60]}` "
                               f"(exit {r.exit_code}): {r.text.strip()[:200]}")

    def push(self, src: str | Path | bytes, dst: str) -> int:
        """Copy a local file (or bytes) to the device; returns the size sent."""
        data = src if isinstance(src, bytes) else Path(src).read_bytes()
        with _adb_errors(f"push to {dst}", self.serial):
            try:
                return int(self._dev.sync.push(data, dst, mode=0o644))
            except adbutils.AdbError as exc:
                if "FAIL" in str(exc) or "couldn't" in str(exc):
                    raise InputRefused(f"{self.serial} refused push to {dst}: {exc}") from exc
                raise

    def pull(self, src: str, dst: str | Path | None = None) -> bytes:
        """Copy a device file here (to ``dst`` when given); returns its bytes."""
        with _adb_errors(f"pull of {src}", self.serial):
            try:
                data = self._dev.sync.read_bytes(src)
            except adbutils.AdbError as exc:
                if "does not exist" in str(exc) or "No such" in str(exc):
                    raise InputRefused(f"{self.serial}: cannot pull {src}: {exc}") from exc
                raise
        if dst is not None:
            Path(dst).write_bytes(data)
        return data

    # --- looking ---------------------------------------------------------------------

    def screenshot(self) -> Image.Image:
        """``screencap -p``; CaptureFailed on any failure, BlankFrame for all-black frames."""
        r = self.run("screencap -p")
        if r.exit_code != 0 or not r.stdout.startswith(PNG_MAGIC):
            detail = (r.stderr or r.stdout[:120]).decode(errors="replace").strip()
            raise CaptureFailed(f"screencap failed on {self.serial} (exit {r.exit_code}): "
                                f"{detail or 'no PNG data'}")
        try:
            with Image.open(io.BytesIO(r.stdout)) as png:
                image = png.convert("RGB")
        except (UnidentifiedImageError, OSError) as exc:
            raise CaptureFailed(f"screencap on {self.serial} sent a broken PNG: {exc}") from exc
        if image.getbbox() is None:
            raise BlankFrame(
                f"the screen of {self.serial} is entirely black: the app forbids capture "
                "(FLAG_SECURE: banking, DRM video) or the display is off; wake and unlock "
                "the phone, or leave that app")
        self._last_size = image.size
        return image

    def geometry(self) -> ScreenGeometry:
        """Size in current orientation (from ``wm size``), density and rotation."""
        width, height = self._physical_size()
        rotation = self.rotation()
        if rotation in (1, 3):
            width, height = height, width
        return ScreenGeometry(width, height, density=self._density_dpi(), rotation=rotation)

    def _physical_size(self) -> tuple[int, int]:
        if self._physical is None:
            out = self.shell("wm size")
            m = re.search(r"Override size: (\d+)x(\d+)", out) or re.search(
                r"Physical size: (\d+)x(\d+)", out)
            if not m:
                raise CaptureFailed(f"{self.serial}: `wm size` gave no size: {out.strip()!r}")
            self._physical = int(m.group(1)), int(m.group(2))
        return self._physical

    def _density_dpi(self) -> int | None:
        if self._density is None:
            out = self.shell("wm density")
            m = re.search(r"Override density: (\d+)", out) or re.search(
                r"Physical density: (\d+)", out)
            self._density = int(m.group(1)) if m else None
        return self._density

    def rotation(self) -> int:
        """0, 1, 2 or 3 quarter turns, from ``dumpsys display``."""
        m = re.search(r"orientation=(\d)", self.shell("dumpsys display"))
        return int(m.group(1)) if m else 0

    def current_app(self) -> tuple[str | None, str | None]:
        """(package, activity) of the focused window, from ``dumpsys window``."""
        return parse_focus(self.shell("dumpsys window"))

    def keyboard_shown(self) -> bool | None:
        m = re.search(r"mInputShown=(true|false)", self.shell("dumpsys input_method"))
        return (m.group(1) == "true") if m else None

    def ui_tree(self) -> str | None:
        """uiautomator's XML; retried while the screen is animating, None if it never settles."""
        for attempt in range(self.dump_retries):
            r = self.run(f"rm -f {DUMP_PATH}; uiautomator dump {DUMP_PATH}")
            if r.exit_code == 0 and b"ERROR" not in r.stdout + r.stderr:
                xml = self.run(f"cat {DUMP_PATH}")
                if xml.exit_code == 0 and b"<hierarchy" in xml.stdout:
                    return xml.stdout.decode("utf-8", errors="replace")
            log.info("uiautomator dump on %s failed (try %d): %s", self.serial, attempt + 1,
                     r.text.strip()[:200])
            if attempt + 1 < self.dump_retries:
                time.sleep(self.dump_delay_s * (attempt + 1))
        log.warning("no UI tree from %s after %d tries: the screen never settled",
                    self.serial, self.dump_retries)
        return None

    # --- touching --------------------------------------------------------------------

    def tap(self, p: PixelPoint) -> None:
        self._check(p)
        self._input(f"input tap {int(p.x)} {int(p.y)}")

    def swipe(self, start: PixelPoint, end: PixelPoint, duration_s: float = 0.3) -> None:
        self._check(start)
        self._check(end)
        ms = max(1, round(duration_s * 1000))
        self._input(f"input swipe {int(start.x)} {int(start.y)} {int(end.x)} {int(end.y)} {ms}")

    def type_text(self, text: str) -> None:
        """ASCII through ``input text``; anything else through ADBKeyboard's broadcast."""
        if not text:
            return
        if not text.isascii():
            return self._type_unicode(text)
        for n, line in enumerate(text.split("\n")):
            if n:
                self.press_key("enter")
            for k, chunk in enumerate(line.split("\t")):
                if k:
                    self.press_key("tab")
                for arg in escape_input_text(chunk):
                    self._input(f"input text {arg}")

    def _type_unicode(self, text: str) -> None:
        if ADB_KEYBOARD not in self.packages():
            raise InputMethodMissing(
                f"typing non-ASCII text on {self.serial} needs ADBKeyboard: install it "
                "(adb install ADBKeyboard.apk, from github.com/senzhk/ADBKeyBoard), then "
                f"`adb shell ime enable {ADB_KEYBOARD_IME}` and "
                f"`adb shell ime set {ADB_KEYBOARD_IME}`")
        ime = self.shell("settings get secure default_input_method").strip()
        if ADB_KEYBOARD not in ime:
            raise InputMethodMissing(
                f"ADBKeyboard is installed on {self.serial} but the active keyboard is "
                f"'{ime}'; run `adb shell ime enable {ADB_KEYBOARD_IME}` and "
                f"`adb shell ime set {ADB_KEYBOARD_IME}`")
        msg = base64.b64encode(text.encode("utf-8")).decode("ascii")
        self._input(f"am broadcast -a ADB_INPUT_B64 --es msg {msg}")

    def press_key(self, key: str) -> None:
        """A name from ``KEYS``, ``KEYCODE_*``, a number, or a combination like ``ctrl+a``."""
        names = [k.strip().lower() for k in key.split("+")] if len(key) > 1 else [key.lower()]
        codes = [_keycode(name) for name in names]
        if len(codes) == 1:
            self._input(f"input keyevent {codes[0]}")
        else:
            self._input("input keycombination " + " ".join(map(str, codes)))

    def launch_app(self, app: str) -> None:
        """Start an app by package name or by label (``Settings``, ``Chrome``, ...)."""
        package = self.resolve_app(app)
        r = self.run(f"monkey -p {shlex.quote(package)} -c android.intent.category.LAUNCHER 1")
        if r.exit_code != 0 or b"aborted" in r.stdout + r.stderr:
            raise InputRefused(f"{self.serial} could not launch {package}: {r.text.strip()[:200]}")

    def resolve_app(self, app: str) -> str:
        """Label or package -> an installed package; InputRefused with suggestions otherwise."""
        installed = self.packages()
        wanted = app.strip()
        if wanted in installed:
            return wanted
        label = wanted.lower()
        for package in APP_LABELS.get(label, ()):
            if package in installed:
                return package
        word = re.sub(r"[^a-z0-9]", "", label)
        hits = sorted((p for p in installed if word and word in p.lower().replace("_", "")),
                      key=len)
        if hits:
            return hits[0]
        raise InputRefused(f"no app '{app}' on {self.serial}; give a package name "
                           "(see `adb shell pm list packages`) or a label such as "
                           + ", ".join(sorted(APP_LABELS)[:6]))

    def packages(self, refresh: bool = False) -> set[str]:
        """Installed package names, from ``pm list packages`` (cached)."""
        if self._packages is None or refresh:
            out = self.shell("pm list packages")
            self._packages = {ln.split(":", 1)[1].strip() for ln in out.splitlines()
                              if ln.startswith("package:")}
        return self._packages

    def close(self) -> None:
        """Nothing is held open between commands; kept for the Device contract."""


def parse_focus(dumpsys_window: str) -> tuple[str | None, str | None]:
    """(package, activity) from ``dumpsys window`` text; (None, None) when nothing has focus."""
    for pattern in (r"mCurrentFocus=Window\{\S+ \S+ ([\w.]+)/([\w.$]+)\}",
                    r"mFocusedApp=.*?ActivityRecord\{\S+ \S+ ([\w.]+)/([\w.$]+)"):
        m = re.search(pattern, dumpsys_window)
        if m:
            package, activity = m.group(1), m.group(2)
            return package, (package + activity if activity.startswith(".") else activity)
    return None, None


def _keycode(name: str) -> int:
    if name.isdigit() and len(name) > 1:
        return int(name)
    if name.upper().startswith("KEYCODE_"):
        name = name[len("KEYCODE_"):].lower()
    if name in KEYCODES:
        return KEYCODES[name]
    named = sorted(k for k in KEYCODES if len(k) > 1)
    raise Unsupported(f"unknown key '{name}'; use a letter, a digit, KEYCODE_* or one of "
                      + ", ".join(named))


def _looks_like_address(serial: str) -> bool:
    return re.fullmatch(r"[\w.\-]+:\d{1,5}", serial) is not None


def _ensure_server(host: str, port: int) -> None:
    """Start the local adb server if it is not running, as ``adb`` itself does."""
    if server_running(host, port):
        return
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise DeviceUnreachable(f"no adb server answers at {host}:{port}; start it there "
                                f"with `adb -a -P {port} server nodaemon`")
    adb = shutil.which("adb")
    if adb is None:
        raise DeviceNotFound("no adb server is running and the `adb` program is missing; "
                             "install Android platform-tools (Debian: apt install adb)")
    try:
        subprocess.run([adb, "-P", str(port), "start-server"], capture_output=True,
                       timeout=20, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        raise DeviceUnreachable(f"could not start the adb server on port {port}: {exc}") from exc
