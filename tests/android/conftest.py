"""A private adb server and simulated devices served over the real ADB protocol."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.android import AndroidDevice
from devices.sim.adbd import AdbDaemon
from devices.sim.shell import ShellPhone

from .tinyphone import TinyPhone

ADB = shutil.which("adb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class AdbServer:
    """Debian's adb server on a private port, with its keys in a private home."""

    def __init__(self, home: Path) -> None:
        assert ADB is not None
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = dict(os.environ, ANDROID_SDK_HOME=str(home), HOME=str(home))

    def adb(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        assert ADB is not None
        return subprocess.run([ADB, "-P", str(self.port), *args], capture_output=True,
                              text=True, timeout=timeout, env=self.env)

    def connect(self, daemon: AdbDaemon) -> None:
        out = self.adb("connect", daemon.serial)
        assert f"connected to {daemon.serial}" in out.stdout, out

    def serve(self, phone: ShellPhone) -> AdbDaemon:
        """Start a device-side server for ``phone`` and connect this adb server to it."""
        daemon = AdbDaemon(phone).start()
        self.connect(daemon)
        return daemon


@pytest.fixture(scope="session")
def adb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdbServer]:
    if ADB is None:
        pytest.skip("Debian's adb is not installed (apt install adb)")
    server = AdbServer(tmp_path_factory.mktemp("adbhome"))
    server.adb("start-server", timeout=30).check_returncode()
    try:
        yield server
    finally:
        server.adb("kill-server", timeout=30)


@pytest.fixture(scope="session")
def tiny_daemon(adb_server: AdbServer) -> Iterator[AdbDaemon]:
    daemon = adb_server.serve(TinyPhone())
    yield daemon
    daemon.stop()


@pytest.fixture()
def tiny(tiny_daemon: AdbDaemon) -> TinyPhone:
    """The TinyPhone behind ``tiny_device``, reset to its defaults."""
    phone = tiny_daemon.phone
    assert isinstance(phone, TinyPhone)
    phone.reset()
    return phone


@pytest.fixture()
def tiny_device(adb_server: AdbServer, tiny_daemon: AdbDaemon,
                tiny: TinyPhone) -> AndroidDevice:
    return AndroidDevice(tiny_daemon.serial, adb_server=adb_server.address)


@pytest.fixture(scope="session")
def sim_daemon(adb_server: AdbServer) -> Iterator[AdbDaemon]:
    """The real simulated phone, served over ADB and connected to the private adb server."""
    from devices.sim.phone import Phone

    daemon = adb_server.serve(Phone(seed=0))
    yield daemon
    daemon.stop()


@pytest.fixture()
def sim_device(adb_server: AdbServer, sim_daemon: AdbDaemon) -> AndroidDevice:
    """AndroidDevice on the simulated phone, starting from the home screen."""
    dev = AndroidDevice(sim_daemon.serial, adb_server=adb_server.address)
    dev.press_key("home")
    return dev
