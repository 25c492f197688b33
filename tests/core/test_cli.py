"""The CLI's basics: version, device list, and user mistakes as one line with exit code 4."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guiagent import __version__
from guiagent.cli import main


def guiagent(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m guiagent`` with no display and an adb server address where none runs."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["GUIAGENT_ADB_SERVER"] = "127.0.0.1:9"
    return subprocess.run([sys.executable, "-m", "guiagent", *args], env=env, cwd=cwd,
                          text=True, capture_output=True, timeout=60)


def test_version() -> None:
    done = guiagent("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"guiagent, version {__version__}")


def test_devices_json_lists_the_simulated_phone() -> None:
    done = guiagent("devices", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows == [{"id": "sim", "kind": "sim", "state": "available",
                     "description": rows[0]["description"]}]


def test_devices_table() -> None:
    done = guiagent("devices")
    assert done.returncode == 0 and done.stdout.split()[:2] == ["sim", "available"]


USAGE_ERRORS = [
    (["devises"], "no command 'devises'. Did you mean 'devices'?"),
    (["screenshot", "-d", "andriod"], "unknown device 'andriod'. Did you mean 'android'?"),
    (["screenshot", "-o", "shot.jpg"], "screenshots are written as PNG"),
    (["act", "-d", "sim", "tap", "12"], "'tap' takes 2 numbers"),
    (["act", "-d", "sim", "tap", "1.5", "2"], "'tap' takes whole pixel numbers"),
    (["act", "-d", "sim", "swipe", "sideways"], "'swipe' takes X1 Y1 X2 Y2 or a direction"),
    (["act", "-d", "sim", "jump"], "unknown action 'jump'"),
    (["act"], "Missing argument 'VERB'"),
    (["screenshot", "-d", "desktop"], "no X display"),
]


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS[:2])
def test_usage_errors_exit_4_with_one_line(args: list[str], says: str, tmp_path: Path) -> None:
    done = guiagent(*args, cwd=tmp_path)
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith("guiagent: error: ") and done.stderr.count("\n") == 1
    assert says in done.stderr
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS)
def test_usage_errors_in_process(args: list[str], says: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    assert done.value.code == 4
    assert err.startswith("guiagent: error: ") and err.count("\n") == 1 and says in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ok:
        main(["--version"])
    assert ok.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(["screenshot", "-d", "destkop"])
    err = capsys.readouterr().err
    assert bad.value.code == 4
    assert err == ("guiagent: error: unknown device 'destkop'. Did you mean 'desktop'? Use one of: "
                   "sim, android[:SERIAL[@HOST:PORT]], desktop[:N] (see `guiagent devices`).\n")


def test_unwritable_screenshot_path_is_one_line(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SystemExit) as done:
        main(["screenshot", "-d", "sim", "-o", str(tmp_path / "file" / "x.png")])
    err = capsys.readouterr().err
    assert done.value.code == 4 and err.count("\n") == 1 and "cannot write the screenshot" in err


def test_sim_screenshot_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "phone.png"
    with pytest.raises(SystemExit) as done:
        main(["screenshot", "-d", "sim", "-o", str(out)])
    assert done.value.code == 0
    size = capsys.readouterr().out.split()[-1]
    assert out.stat().st_size > 0 and "x" in size
