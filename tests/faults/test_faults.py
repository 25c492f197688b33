"""Faults injected into real runs of the `guiagent` command: the model server hangs, answers
garbage or dies; the device or X server goes away; signals; a disk that cannot be written.

Every case asserts a finished run record (run.json with the result, ``result`` as the last
step record, every file a record names on disk), the right exit code and no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from android.conftest import ADB, AdbServer
from desktop.conftest import start_xvfb
from openai_server import Drop, Hang, OpenAIServer, RawReply

from devices.sim.phone import Phone
from tests.faults.conftest import TRACEBACK, cli_env, error_lines, finished, guiagent, start
from tests.loop.conftest import Script, decide, plan, tap_text

pytestmark = pytest.mark.slow   # each test starts the real command (1-5 s)

TASK = "open Chrome"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def llm_run(srv: OpenAIServer, out: Path, *extra: str) -> tuple[str, ...]:
    return ("run", TASK, "--base-url", srv.base_url, "--model", "test-model", "--out", str(out),
            *extra)


def test_max_seconds_cuts_a_model_call_that_never_answers(server: OpenAIServer,
                                                          tmp_path: Path) -> None:
    hang = Hang()
    server.default = Script(plan=[plan("tap Chrome")], decision=[lambda body: hang])  # type: ignore[list-item]
    out = tmp_path / "run"
    t0 = time.monotonic()
    proc = start(*llm_run(server, out, "--max-seconds", "3"))
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        hang.release()
        proc.kill()
    spent = time.monotonic() - t0
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 2, stderr
    assert run.result["status"] == "stopped"
    assert run.result["reason"].startswith("time budget spent"), run.result
    assert spent < 20, f"the run took {spent:.0f} s with --max-seconds 3"


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"[1, 2]",
                                  b'{"choices": "x"}', b'{"choices": [{"message": null}]}'])
def test_a_reply_that_is_not_a_chat_completion_ends_the_run_cleanly(
        server: OpenAIServer, tmp_path: Path, body: bytes) -> None:
    server.default = RawReply(200, body)
    out = tmp_path / "run"
    proc = start(*llm_run(server, out))
    _, stderr = proc.communicate(timeout=60)
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 3, stderr
    assert "not a chat completion" in run.result["reason"], run.result


def test_a_model_server_that_dies_mid_run_ends_the_run_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "run"
    srv = OpenAIServer().__enter__()

    def die(body: dict[str, Any]) -> Drop:
        """The second plan request: the server goes away and drops the request."""
        threading.Thread(target=srv.__exit__).start()
        return Drop()

    srv.default = Script(plan=[plan("tap Chrome"), die],  # type: ignore[list-item]
                         decision=[tap_text("Chrome")])
    proc = start(*llm_run(srv, out))
    _, stderr = proc.communicate(timeout=90)
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 3, stderr
    assert any(r["kind"] == "act" for r in run.records)
    assert "model server" in run.result["reason"], run.result


def wait_for_record(out: Path, kind: str, timeout: float = 60, poll: float = 0.002) -> None:
    """Return as soon as steps.jsonl holds a record of ``kind``."""
    steps = out / "steps.jsonl"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if steps.exists() and f'"kind": "{kind}"' in steps.read_text(encoding="utf-8"):
            return
        time.sleep(poll)
    pytest.fail(f"no {kind} record in {timeout} s")


def test_sigterm_finishes_the_run_record(server: OpenAIServer, tmp_path: Path) -> None:
    hang = Hang()
    server.default = Script(plan=[plan("tap Chrome")], decision=[lambda body: hang])  # type: ignore[list-item]
    out = tmp_path / "run"
    proc = start(*llm_run(server, out))
    try:
        wait_for_record(out, "plan")
        time.sleep(0.3)                       # inside the decision request
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        hang.release()
        proc.kill()
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 2, stderr
    assert (run.result["status"], run.result["reason"]) == ("stopped", "terminated (SIGTERM)")
    assert run.meta["status"] == "stopped"


def test_sigkill_never_leaves_a_record_naming_a_missing_screen(server: OpenAIServer,
                                                               tmp_path: Path) -> None:
    """Killed the moment the act record appears: the screen it names is already on disk."""
    server.default = Script(plan=[plan("tap Chrome")], decision=[tap_text("Chrome")])
    out = tmp_path / "run"
    proc = start(*llm_run(server, out))
    try:
        wait_for_record(out, "act")
        proc.kill()
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    records = [json.loads(line) for line in
               (out / "steps.jsonl").read_text(encoding="utf-8").splitlines()]
    act = next(r for r in records if r["kind"] == "act")
    assert (out / act["before"]).is_file() and (out / act["after"]).is_file(), act


@pytest.mark.xvfb
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_an_x_server_that_dies_mid_run_is_a_lost_device(server: OpenAIServer,
                                                        tmp_path: Path) -> None:
    """The X server is killed while the model decides; the next look finds it gone."""
    x = start_xvfb(tmp_path)

    def kill_x(body: dict[str, Any]) -> dict[str, Any]:
        x.proc.kill()
        x.proc.wait()
        return decide(type="wait", seconds=0.5)

    server.default = Script(plan=[plan("wait")], decision=[kill_x])
    out = tmp_path / "run"
    env = cli_env(DISPLAY=x.display, XAUTHORITY=str(x.xauthority))
    proc = start("run", "wait a moment", "-d", "desktop", "--base-url", server.base_url,
                 "--model", "test-model", "--out", str(out), env=env)
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        x.stop()
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 3, stderr
    assert "went away" in run.result["reason"], run.result


def test_out_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "run"
    proc = guiagent("run", TASK, "--out", str(out))
    assert proc.returncode == 4, proc.stderr
    assert error_lines(proc.stderr) == [f"guiagent: error: --out {out}: cannot write there (Not "
                                        "a directory); name a folder you can write to"]


@contextlib.contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``where`` (root only; the test is skipped elsewhere)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs",
                              str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_out_on_a_read_only_file_system_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "ro", "size=1m") as ro:
        proc = guiagent("run", TASK, "--out", str(ro / "run"))
    assert proc.returncode == 4, proc.stderr
    assert error_lines(proc.stderr) == [f"guiagent: error: --out {ro / 'run'}: cannot write "
                                        "there (Read-only file system); name a folder you can "
                                        "write to"]


def test_a_full_disk_mid_run_stops_the_run(server: OpenAIServer, tmp_path: Path) -> None:
    """The disk fills while the model decides: the run stops with one line, the tap is not
    made, and nothing claims the task was done."""
    go = threading.Event()

    def after_the_disk_is_full(body: dict[str, Any]) -> dict[str, Any]:
        go.wait(60)
        return tap_text("Chrome")(body)

    server.default = Script(plan=[plan("tap Chrome")], decision=[after_the_disk_is_full])
    with tmpfs(tmp_path / "disk", "size=4m") as disk:
        out = disk / "run"
        proc = start(*llm_run(server, out))
        try:
            wait_for_record(out, "plan")
            with open(disk / "filler", "wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
            go.set()
            _, stderr = proc.communicate(timeout=60)
        finally:
            go.set()
            proc.kill()
        records = (out / "steps.jsonl").read_text(encoding="utf-8")
    assert TRACEBACK not in stderr, stderr
    assert proc.returncode == 1, stderr
    (line,) = error_lines(stderr)
    assert line.startswith(f"guiagent: error: cannot write the run record in {out}"), line
    assert "No space left on device" in line and "the run stops" in line
    assert '"kind": "act"' not in records and "success" not in stderr


@pytest.mark.xvfb
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_a_second_run_on_a_device_in_use_names_the_holder(server: OpenAIServer,
                                                          tmp_path: Path) -> None:
    """The first run holds the desktop while its model thinks; the second waits its
    device_wait (1 s here), then stops naming the first one's pid and task."""
    x = start_xvfb(tmp_path)
    hang = Hang()
    server.default = Script(plan=[plan("wait")], decision=[lambda body: hang])  # type: ignore[list-item]
    Path(os.environ["GUIAGENT_CONFIG"]).write_text("device_wait = 1\n")
    env = cli_env(DISPLAY=x.display, XAUTHORITY=str(x.xauthority))
    first = start(*llm_run(server, tmp_path / "first", "-d", "desktop"), env=env)
    try:
        wait_for_record(tmp_path / "first", "plan")
        proc = guiagent(*llm_run(server, tmp_path / "second", "-d", "desktop"), env=env)
    finally:
        hang.release()
        first.kill()
        first.communicate()
        x.stop()
    assert proc.returncode == 3, proc.stderr
    (line,) = error_lines(proc.stderr)
    assert re.fullmatch(rf"guiagent: error: desktop is in use by another guiagent run \(pid "
                        rf"{first.pid}, task '{TASK}', since [-0-9: ]+\); wait for it to end "
                        r"or use another device", line), line


def test_two_runs_given_one_empty_out_folder(tmp_path: Path) -> None:
    """Both start at once on an empty folder: exactly one gets it."""
    out = tmp_path / "shared"
    out.mkdir()
    procs = [start("run", "open Chrome", "--out", str(out)) for _ in range(2)]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    assert sorted(rc for rc, _ in results) == [0, 4], results
    loser = next(err for rc, err in results if rc == 4)
    # The loser either lost the exclusive create or looked after the winner had written more.
    assert error_lines(loser) in ([f"guiagent: error: --out {out}: {why}; name a new folder"]
                                  for why in ("another run took the folder",
                                              "the folder is not empty")), loser
    finished(0, "", out)


@pytest.mark.adb
@pytest.mark.slow
@pytest.mark.skipif(ADB is None, reason="needs Debian's adb")
def test_a_phone_unplugged_mid_run_is_a_lost_device(server: OpenAIServer,
                                                    tmp_path: Path) -> None:
    """The simulated phone behind a real adb server goes away while the model decides."""
    adb = AdbServer(tmp_path / "adbhome")
    (tmp_path / "adbhome").mkdir()
    adb.adb("start-server", timeout=30).check_returncode()
    daemon = adb.serve(Phone(seed=0))

    def unplug(body: dict[str, Any]) -> dict[str, Any]:
        reply = tap_text("Chrome")(body)
        daemon.stop()
        return reply

    server.default = Script(plan=[plan("tap Chrome")], decision=[unplug])
    out = tmp_path / "run"
    try:
        proc = start(*llm_run(server, out, "-d", f"android:{daemon.serial}@{adb.address}"))
        _, stderr = proc.communicate(timeout=120)
    finally:
        daemon.stop()
        adb.adb("kill-server", timeout=30)
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 3, stderr
    assert run.result["error"] == "device" and "lost during" in run.result["reason"], run.result


def test_out_in_an_immutable_folder_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system with flags)")
    try:
        proc = guiagent("run", TASK, "--out", str(locked / "run"))
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert proc.returncode == 4, proc.stderr
    assert error_lines(proc.stderr) == [f"guiagent: error: --out {locked / 'run'}: cannot write "
                                        "there (Operation not permitted); name a folder you can "
                                        "write to"]


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_flows_leave_a_device_another_run_holds(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from guiagent.devlock import DeviceLock

    x = start_xvfb(tmp_path)
    flow = tmp_path / "f.yaml"
    flow.write_text("name: f\nsteps:\n  - wait: 0.1\n")
    Path(os.environ["GUIAGENT_CONFIG"]).write_text("device_wait = 0.5\n")
    desktop = SimpleNamespace(id="desktop", target=SimpleNamespace(display=x.display))
    held = DeviceLock(desktop, "another run")
    held.acquire()
    try:
        proc = guiagent("test", str(flow), "-d", "desktop",
                        env=cli_env(DISPLAY=x.display, XAUTHORITY=str(x.xauthority)))
    finally:
        held.release()
        x.stop()
    assert proc.returncode != 0, proc.stderr
    assert re.search(rf"\[desktop\] leaving its flows to others: desktop is in use by another "
                     rf"guiagent run \(pid {os.getpid()}, task 'another run'", proc.stderr), \
        proc.stderr


def test_max_seconds_cuts_a_grounding_model_that_never_answers(server: OpenAIServer,
                                                               tmp_path: Path) -> None:
    """--grounder vlm: the grounding request hangs; the run stops on its time budget."""
    hang = Hang()
    agents = Script(plan=[plan("tap Chrome")], decision=[decide(type="tap", target="Chrome")])
    server.default = lambda body: agents(body) if "response_format" in body else hang
    out = tmp_path / "run"
    t0 = time.monotonic()
    proc = start(*llm_run(server, out, "--max-seconds", "4", "--grounder", "vlm",
                          "--coord-mode", "pixels"))
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        hang.release()
        proc.kill()
    run = finished(proc.returncode, stderr, out)
    assert run.rc == 2, stderr
    assert run.result["reason"].startswith("time budget spent"), run.result
    assert time.monotonic() - t0 < 25
