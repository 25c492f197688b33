"""`guiagent appmodel list | show APP [--dot]` over models saved in the user data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from appmodel.screens import load_screen
from appmodel.test_model import yelp_model
from guiagent.cli import main
from planners.appmodel import AppModelStore


@pytest.fixture()
def saved() -> Path:
    names = ["yelp_2017-08-11_202533", "yelp_2017-08-11_202351", "yelp_2017-08-11_202619",
             "yelp_2017-08-11_202441", "yelp_2017-08-11_202417"]
    store = AppModelStore(Path(os.environ["GUIAGENT_DATA_DIR"]) / "appmodels")
    return store.save(yelp_model({n: load_screen(n) for n in names}))


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_list_and_show(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["appmodel", "list"], capsys)
    assert code == 0 and out.strip() == "com.yelp.android  5 states, 6 transitions"
    code, out, _ = run_cli(["appmodel", "show", "yelp"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "com.yelp.android: 5 states, 6 transitions"
    assert any(line.split()[:2] == ["s1", "Give"] and "entry" in line for line in lines)
    assert any("s1 -> s2" in line and "tap:'Hair Salons'" in line and "ok 1" in line
               for line in lines)


def test_show_dot(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["appmodel", "show", "com.yelp.android", "--dot"], capsys)
    assert code == 0
    assert out.startswith('digraph "com.yelp.android" {') and out.rstrip().endswith("}")
    assert '"s1" -> "s2" [label="tap:\'Hair Salons\' (1/0)"];' in out
    assert '"s3" [label="Hair by G & E\\nvisits 1"];' in out
    assert out.count(" -> ") == 6


def test_unknown_app_is_one_line_with_known_apps(saved: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["appmodel", "show", "com.android.settings"], capsys)
    assert code == 4 and out == ""
    assert err == ("guiagent: error: no app model for 'com.android.settings'; "
                   "known apps: com.yelp.android\n")


def test_no_models_yet(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["appmodel", "list"], capsys)
    assert code == 0 and out == ""
    code, _, err = run_cli(["appmodel", "show", "settings"], capsys)
    assert code == 4 and "none learned yet" in err and err.count("\n") == 1


def test_broken_model_file_is_one_line(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = saved.with_name("com.example.json")
    good.write_bytes(saved.read_bytes().replace(b'"com.yelp.android"', b'"com.example"'))
    saved.write_text("{oops", encoding="utf-8")
    code, _, err = run_cli(["appmodel", "show", "com.yelp.android"], capsys)
    assert code == 4 and "delete the file" in err and "Traceback" not in err
    assert err.count("\n") == 1
    code, out, _ = run_cli(["appmodel", "show", "com.example"], capsys)
    assert code == 0 and out.startswith("com.example: 5 states")
    code, out, _ = run_cli(["appmodel", "list"], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and lines[0].startswith("com.example  5 states")
    assert lines[1].startswith("com.yelp.android  unreadable: ") and "delete the file" in lines[1]


def test_console_script_runs(saved: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "guiagent", "appmodel", "show", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.startswith("guiagent: error: no app model for 'nope'")
    proc = subprocess.run([sys.executable, "-m", "guiagent", "appmodel", "list"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "com.yelp.android" in proc.stdout
