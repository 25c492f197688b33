"""Real X servers for the desktop driver tests: Xvfb, and Xorg's dummy driver for two monitors."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from guiagent.config import display_env

HERE = Path(__file__).parent
TEST_APP = HERE / "testapp.tcl"
XORG_CONF = HERE / "xorg-dummy.conf"


@dataclass
class XServer:
    """A running X server: its display name, its (empty) authority file and its process."""

    display: str
    xauthority: Path
    proc: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        return dict(os.environ, DISPLAY=self.display, XAUTHORITY=str(self.xauthority))

    def run(self, *argv: str) -> None:
        subprocess.run(argv, env=self.env(), check=True, timeout=20, capture_output=True)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_x(argv: list[str], tmp: Path) -> XServer:
    """Start an X server with ``-displayfd``: it picks a free display and names it when ready."""
    xauth = tmp / "Xauthority"
    xauth.touch()
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([*argv, "-displayfd", str(write_fd), "-nolisten", "tcp", "-noreset"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.fail(f"X server did not start: {' '.join(argv)}")
    return XServer(f":{number}", xauth, proc)


def start_xvfb(tmp: Path, *screen: str) -> XServer:
    return start_x(["Xvfb", *(screen or ("-screen", "0", "1280x800x24"))], tmp)


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XServer]:
    """One 1280x800 Xvfb shared by the tests of this folder."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (sudo apt-get install xvfb)")
    server = start_xvfb(tmp_path_factory.mktemp("xvfb"))
    yield server
    server.stop()


def use_display(monkeypatch: pytest.MonkeyPatch, server: XServer) -> dict[str, str | None]:
    """Make ``server`` this test's display and return what guiagent passes to the driver."""
    monkeypatch.setenv("DISPLAY", server.display)
    monkeypatch.setenv("XAUTHORITY", str(server.xauthority))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    return display_env()


@pytest.fixture
def xenv(monkeypatch: pytest.MonkeyPatch, xvfb: XServer) -> dict[str, str | None]:
    return use_display(monkeypatch, xvfb)


@dataclass
class TkApp:
    """The Tk test window (testapp.tcl): widget boxes in screen pixels and its event log."""

    log: Path
    proc: subprocess.Popen[bytes]
    widgets: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    seen: int = 0

    def center(self, name: str) -> tuple[int, int]:
        x, y, w, h = self.widgets[name]
        return x + w // 2, y + h // 2

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()

    def wait_for(self, match: Callable[[str], bool], timeout: float = 5.0) -> str:
        """The first new log line that ``match`` accepts; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.lines()
            for i in range(self.seen, len(lines)):
                if match(lines[i]):
                    self.seen = i + 1
                    return lines[i]
            time.sleep(0.02)
        pytest.fail(f"no matching event in the app's log; it holds: {self.lines()[self.seen:]}")

    def wait_prefix(self, prefix: str) -> str:
        return self.wait_for(lambda line: line.startswith(prefix))


def start_app(server: XServer, tmp: Path, x: int = 100, y: int = 80) -> TkApp:
    """Start testapp.tcl at (x, y) on ``server`` and read where its widgets are."""
    if not shutil.which("wish"):
        pytest.skip("wish (Tk) is not installed (sudo apt-get install tk)")
    log = tmp / f"app-{x}-{y}.log"
    log.touch()
    proc = subprocess.Popen(["wish", str(TEST_APP), str(log), str(x), str(y)], env=server.env())
    app = TkApp(log, proc)
    app.wait_prefix("ready")
    for line in app.lines():
        if line.startswith("widget "):
            _, name, *box = line.split()
            app.widgets[name.lstrip(".")] = (int(box[0]), int(box[1]), int(box[2]), int(box[3]))
    return app


def stop_app(app: TkApp) -> None:
    app.proc.terminate()
    app.proc.wait(timeout=5)


@pytest.fixture
def tkapp(xvfb: XServer, xenv: dict[str, str | None], tmp_path: Path) -> Iterator[TkApp]:
    app = start_app(xvfb, tmp_path)
    yield app
    stop_app(app)
