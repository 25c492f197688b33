"""The device-side ADB server, driven by Debian's real adb server, its CLI and adbutils."""

from __future__ import annotations

import subprocess
import threading
import time

import adbutils
import pytest

from devices.sim.adbd import AdbDaemon

from .conftest import AdbServer
from .tinyphone import TinyPhone

pytestmark = pytest.mark.adb


def client_device(adb_server: AdbServer, daemon: AdbDaemon) -> adbutils.AdbDevice:
    return adbutils.AdbClient("127.0.0.1", adb_server.port).device(daemon.serial)


def test_adb_lists_the_device_with_its_banner(adb_server: AdbServer,
                                              tiny_daemon: AdbDaemon) -> None:
    out = adb_server.adb("devices", "-l").stdout
    line = next(ln for ln in out.splitlines() if ln.startswith(tiny_daemon.serial))
    assert "device" in line.split() and "model:guiagent_sim" in line


def test_shell_v2_exit_codes_and_streams(adb_server: AdbServer, tiny_daemon: AdbDaemon) -> None:
    dev = client_device(adb_server, tiny_daemon)
    r = dev.shell2("echo out; nosuchcmd; exit 7", v2=True)
    assert (r.returncode, r.stdout) == (7, "out\n")
    assert r.stderr == "/system/bin/sh: nosuchcmd: not found\n"
    assert dev.shell2("false", v2=True).returncode == 1
    assert dev.shell("echo legacy 'shell'") == "legacy shell"


def test_adb_cli_shell_exit_code_and_exec_out(adb_server: AdbServer,
                                              tiny_daemon: AdbDaemon) -> None:
    r = adb_server.adb("-s", tiny_daemon.serial, "shell", "echo hi; exit 42")
    assert (r.returncode, r.stdout) == (42, "hi\n")
    r = adb_server.adb("-s", tiny_daemon.serial, "exec-out", "echo", "raw")
    assert (r.returncode, r.stdout) == (0, "raw\n")


def test_output_larger_than_maxdata_arrives_whole(adb_server: AdbServer,
                                                  tiny_daemon: AdbDaemon, tiny: TinyPhone) -> None:
    payload = bytes(range(256)) * 12000          # ~3 MB: several WRTE packets
    tiny.fs.write("/sdcard/big.bin", payload)
    dev = client_device(adb_server, tiny_daemon)
    assert dev.shell("cat /sdcard/big.bin", encoding=None) == payload
    assert dev.sync.read_bytes("/sdcard/big.bin") == payload


def test_sync_push_stat_list_pull(adb_server: AdbServer, tiny_daemon: AdbDaemon,
                                  tiny: TinyPhone, tmp_path) -> None:  # noqa: ANN001
    src = tmp_path / "in.bin"
    src.write_bytes(b"\x00\x01data" * 50000)
    r = adb_server.adb("-s", tiny_daemon.serial, "push", str(src), "/sdcard/new/dir/in.bin")
    assert r.returncode == 0, r.stderr
    assert tiny.fs.read("/sdcard/new/dir/in.bin") == src.read_bytes()
    dev = client_device(adb_server, tiny_daemon)
    info = dev.sync.stat("/sdcard/new/dir/in.bin")
    assert info.size == src.stat().st_size
    assert "in.bin" in [f.path for f in dev.sync.list("/sdcard/new/dir")]
    dst = tmp_path / "out.bin"
    r = adb_server.adb("-s", tiny_daemon.serial, "pull", "/sdcard/new/dir/in.bin", str(dst))
    assert r.returncode == 0 and dst.read_bytes() == src.read_bytes()
    r = adb_server.adb("-s", tiny_daemon.serial, "pull", "/sdcard/missing", str(dst))
    assert r.returncode != 0 and "does not exist" in r.stdout + r.stderr


def test_concurrent_shells_on_one_connection(adb_server: AdbServer,
                                             tiny_daemon: AdbDaemon) -> None:
    dev = client_device(adb_server, tiny_daemon)
    results: dict[int, str] = {}

    def work(n: int) -> None:
        results[n] = dev.shell2(f"sleep 0.2; echo {n}", v2=True).stdout

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {n: f"{n}\n" for n in range(6)}


def test_stopping_the_server_mid_command_ends_the_client_call(adb_server: AdbServer) -> None:
    daemon = adb_server.serve(TinyPhone())
    dev = client_device(adb_server, daemon)
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            dev.shell2("sleep 30", v2=True, timeout=20)
        except (adbutils.AdbError, EOFError, OSError) as exc:
            errors.append(exc)

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)
    daemon.stop()
    t.join(10)
    assert not t.is_alive() and errors, "the client must see the device go"
    adb_server.adb("disconnect", daemon.serial)


def test_interactive_shell_raw_and_pty(adb_server: AdbServer, tiny_daemon: AdbDaemon) -> None:
    r = subprocess.run(["adb", "-P", str(adb_server.port), "-s", tiny_daemon.serial, "shell"],
                       input=b"echo hi\nfalse\n", capture_output=True, timeout=20,
                       env=adb_server.env)
    assert r.returncode == 1
    assert r.stdout == b"guiagent_sim:/ $ hi\nguiagent_sim:/ $ guiagent_sim:/ $ "
    r = subprocess.run(["adb", "-P", str(adb_server.port), "-s", tiny_daemon.serial, "shell",
                        "-tt"], input=b"echo ab\x7fc\rexit 5\r", capture_output=True,
                       timeout=20, env=adb_server.env)
    assert r.returncode == 5
    assert b"echo ab\x08 \x08c\r\nac\r\n" in r.stdout     # echoed keys, erased b, CRLF
