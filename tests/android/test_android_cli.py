"""`guiagent screenshot/devices -d android:...` and `guiagent sim serve`, as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from android.tinyphone import TinyPhone
from devices.sim.adbd import AdbDaemon

from .conftest import AdbServer, free_port

pytestmark = pytest.mark.adb


def guiagent(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guiagent", *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_screenshot_command_over_adb(adb_server: AdbServer, tiny_daemon: AdbDaemon,
                                     tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    r = guiagent("screenshot", "-d", f"android:{tiny_daemon.serial}",
                 "--adb-server", adb_server.address, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert Image.open(out).size == (1080, 2400)
    r = guiagent("devices", "--json", "--adb-server", adb_server.address)
    assert f"android:{tiny_daemon.serial}" in [d["id"] for d in json.loads(r.stdout)]


def test_unknown_serial_is_one_line_exit_4(adb_server: AdbServer, tiny_daemon: AdbDaemon,
                                           tmp_path: Path) -> None:
    r = guiagent("screenshot", "-d", "android:NOPE", "--adb-server", adb_server.address,
                 "-o", str(tmp_path / "x.png"))
    assert r.returncode == 4
    assert r.stderr.count("\n") == 1 and "no Android device 'NOPE'" in r.stderr
    assert tiny_daemon.serial in r.stderr


def test_busy_port_is_a_usage_error() -> None:
    with AdbDaemon(TinyPhone()) as taken:
        r = guiagent("sim", "serve", "--port", str(taken.port))
    assert r.returncode == 4 and "pick another --port" in r.stderr


@pytest.mark.slow
def test_sim_serve_then_connect(adb_server: AdbServer, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "guiagent", "sim", "serve", "--port",
                             str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert f"127.0.0.1:{port}" in proc.stdout.readline()
        out = tmp_path / "sim.png"
        r = guiagent("screenshot", "-d", f"android:127.0.0.1:{port}",
                     "--adb-server", adb_server.address, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert Image.open(out).size == (1080, 2400)
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
        adb_server.adb("disconnect", f"127.0.0.1:{port}")


def test_adb_server_port_from_the_environment(adb_server: AdbServer, tiny_daemon: AdbDaemon,
                                              tmp_path: Path) -> None:
    """ANDROID_ADB_SERVER_PORT chooses the adb server, as it does for adb itself."""
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(adb_server.port))
    env.pop("GUIAGENT_ADB_SERVER", None)
    listed = subprocess.run([sys.executable, "-m", "guiagent", "devices", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert f"android:{tiny_daemon.serial}" in [d["id"] for d in json.loads(listed.stdout)]
    shot = subprocess.run([sys.executable, "-m", "guiagent", "screenshot", "-d",
                           f"android:{tiny_daemon.serial}", "-o", str(tmp_path / "x.png")],
                          env=env, capture_output=True, text=True, timeout=60)
    assert shot.returncode == 0, shot.stderr
    env["ANDROID_ADB_SERVER_PORT"] = "fifty"
    bad = subprocess.run([sys.executable, "-m", "guiagent", "devices"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 4 and "ANDROID_ADB_SERVER_PORT = 'fifty'" in bad.stderr
