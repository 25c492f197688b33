"""A real desktop session for end-to-end tests: Xvfb, a private D-Bus session bus with the
AT-SPI accessibility bus it starts on demand (at-spi2-core), the openbox window manager,
and real Debian applications started in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

NEEDED = ("Xvfb", "dbus-daemon", "openbox", "xdotool", "xclip")


@dataclass
class Session:
    """A running desktop session: the environment that reaches it and what runs in it."""

    env: dict[str, str]
    tmp: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *argv: str, cwd: Path | None = None, window: str) -> subprocess.Popen[bytes]:
        """Start an application and wait until its window (by class) is shown and it has
        registered on the accessibility bus."""
        if not shutil.which(argv[0]):
            pytest.skip(f"{argv[0]} is not installed (sudo apt-get install -y {argv[0]})")
        proc = subprocess.Popen(argv, cwd=cwd, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        self.run("xdotool", "search", "--sync", "--onlyvisible", "--class", window)
        self.wait_registered(argv[0])
        time.sleep(0.5)   # the first frame drawn
        return proc

    def wait_registered(self, name: str, timeout: float = 10.0) -> None:
        from devices.atspi import TreeReader, bus_address

        deadline = time.monotonic() + timeout
        reader = TreeReader(bus_address(dict(self.env), lambda: None))
        try:
            while name not in reader.applications():
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not register on the accessibility bus")
                time.sleep(0.2)
        finally:
            reader.close()

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def run(self, *argv: str, timeout: float = 20) -> str:
        done = subprocess.run(argv, env=self.env, check=True, timeout=timeout,
                              capture_output=True, text=True)
        return done.stdout

    def guiagent(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "guiagent", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def clipboard(self) -> str:
        return self.run("xclip", "-o", "-selection", "clipboard")


def _displayfd_xvfb(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-screen", "0", "1280x800x24", "-displayfd", str(write_fd),
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.fail("Xvfb did not start")
    return proc, f":{number}"


def _session_bus(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    address = proc.stdout.readline().decode().strip()
    if not address:
        proc.kill()
        pytest.fail("dbus-daemon did not start")
    return proc, address


@pytest.fixture(scope="package")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One desktop session shared by this folder's tests."""
    missing = [p for p in NEEDED if not shutil.which(p)]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (see .ci/run's APT_PACKAGES)")
    tmp = tmp_path_factory.mktemp("session")
    runtime = tmp / "run"
    runtime.mkdir(mode=0o700)
    (tmp / "xauth").touch()
    xvfb, display = _displayfd_xvfb(tmp)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_AT_BRIDGE", "AT_SPI_BUS_ADDRESS", "WAYLAND_DISPLAY",
                        "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(DISPLAY=display, XAUTHORITY=str(tmp / "xauth"), XDG_RUNTIME_DIR=str(runtime),
               XDG_CONFIG_HOME=str(tmp / "config"), GUIAGENT_DATA_DIR=str(tmp / "data"),
               GTK_MODULES="gail:atk-bridge", LANG="C.UTF-8")
    bus, address = _session_bus(env)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    session = Session(env, tmp, [xvfb, bus])
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    session.procs.append(wm)
    time.sleep(0.5)
    yield session
    for proc in reversed(session.procs):
        if proc.poll() is None:
            session.stop(proc)
