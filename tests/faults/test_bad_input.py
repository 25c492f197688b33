"""Bad input through the real `guiagent` command: one clear line, exit 4, no traceback."""

from __future__ import annotations

import json
import os
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_server import OpenAIServer

from tests.faults.conftest import error_lines, start
from tests.loop.conftest import Script, decide, plan

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[31m\r\x08"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


@pytest.mark.parametrize("task", ["", "   ", "\t\n"])
def test_an_empty_task_is_a_usage_error(task: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["run", task, "--out", str(tmp_path / "run")], capsys)
    assert code == 4, err
    assert error_lines(err) == [
        'guiagent: error: the task is empty: say what to do, e.g. guiagent run "open Settings"']
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_escape_sequences_never_reach_the_terminal(server: OpenAIServer, tmp_path: Path) -> None:
    """The task, the model's plan and thought and an error all carry escape sequences."""
    server.default = Script(
        plan=[plan(f"tap {ESCAPES}Chrome")],
        decision=[decide(type="tap", target=f"No such{ESCAPES} button"),
                  {"thought": f"give up{ESCAPES}", "action": {"type": "fail",
                                                               "text": f"no{ESCAPES}"},
                   "note": None}])
    proc = start("run", f"open {ESCAPES}Chrome", "--base-url", server.base_url,
                 "--model", "test-model", "--out", str(tmp_path / "run"))
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert "give up" in stderr and "No such  button" in stderr
    assert not set(stderr) & set("\x1b\x07\x08\r"), repr(stderr)


def test_printable_removes_sequences_and_controls() -> None:
    from guiagent.terminal import printable

    assert printable(f"a{ESCAPES}b\x9b2Jc\x00d\ne") == "a bcd e"
    assert printable("one\ntwo\x1b[1m", lines=True) == "one\ntwo"
    assert printable("Grüße 日本 ✓") == "Grüße 日本 ✓"


def header_only_png(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` x ``height`` (no pixel data: only the header is read)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                         zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("side", [20000, 10000])
def test_a_huge_image_is_refused_naming_the_limit(side: int, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    big = header_only_png(tmp_path / "big.png", side, side)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": 1, "image": "big.png", "instruction": "x"}) + "\n")
    for args in (("ground", str(big), "x"), ("perceive", str(big)), ("ground", "--jsonl",
                                                                     str(cases))):
        code, err = run_cli(list(args), capsys)
        assert code == 4, (args, err)
        (line,) = error_lines(err)
        assert "too large" in line and "limit is 40 million pixels" in line, line


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in this process (fast): exit code and stderr."""
    from guiagent.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return int(exit_info.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("toml", "says"), [
    ('max_steps = "ten"', "max_steps = 'ten': input should be a valid integer"),
    ('max_cost = "cheap"', "max_cost = 'cheap': input should be a valid number"),
    ('llm_timeout = "slow"', "llm_timeout = 'slow': input should be a valid number"),
    ("safety_policy = 5", "safety_policy = 5: input should be a valid string"),
    ("device = 5", "device = 5: input should be a valid string"),
    ("prices = 5", "prices = 5: input should be a valid dictionary"),
    ('[prices]\n"m" = [1]', "prices.m.1: field required"),
    ("max_steps = 0", "max_steps = 0: input should be greater than 0"),
    ("max_cost = -1", "max_cost = -1: input should be greater than 0"),
    ("llm_timeout = 0", "llm_timeout = 0: input should be greater than 0"),
    ('grounder = "vml"', "grounder = 'vml': input should be 'local' or 'vlm'"),
    ('local_only = "maybe"', "local_only = 'maybe': input should be a valid boolean"),
    ('privacy = ["emial"]', "privacy = ['emial']: unknown personal data classes ['emial']"),
])
def test_a_bad_config_value_is_one_line_naming_the_key(
        toml: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(os.environ["GUIAGENT_CONFIG"])
    config.write_text(toml + "\n", encoding="utf-8")
    code, err = run_cli(["run", "open Chrome", "--dry-run"], capsys)
    assert code == 4, err
    assert err == f"guiagent: error: {config}: {says}" + err.split(says, 1)[1], err
    assert err.count("\n") == 1 and not (Path(os.environ["GUIAGENT_DATA_DIR"]) / "runs").exists()


def test_a_config_file_that_is_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(os.environ["GUIAGENT_CONFIG"])
    config.mkdir()
    code, err = run_cli(["devices"], capsys)
    assert (code, err) == (4, f"guiagent: error: {config}: cannot read the config file (Is a "
                              "directory); it must be a TOML file\n")


def test_bad_values_from_the_environment_and_flags_name_them(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GUIAGENT_OCR_MODELS", "fast")
    code, err = run_cli(["run", "open Chrome"], capsys)
    assert code == 4 and "the environment: GUIAGENT_OCR_MODELS = 'fast'" in err
    monkeypatch.delenv("GUIAGENT_OCR_MODELS")
    code, err = run_cli(["run", "open Chrome", "--max-cost", "0"], capsys)
    assert code == 4 and "the command line: --max-cost = 0.0: input should be greater" in err


def test_an_unknown_key_is_warned_about_with_the_closest_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    Path(os.environ["GUIAGENT_CONFIG"]).write_text("max_step = 1\nmodle = 'x'\n")
    code, err = run_cli(["run", "open Chrome", "--dry-run"], capsys)
    assert code == 0, err
    assert "unknown setting 'max_step' is ignored; did you mean 'max_steps'?" in err
    assert "unknown setting 'modle' is ignored; did you mean 'model'?" in err


FLOW = "name: bad\n{meta}steps:\n  - launch: Settings\n"


@pytest.mark.parametrize(("meta", "says"), [
    ("env: [1, 2]\n", ":2: 'env' must be a mapping NAME: value (env: {CONTACT: Alice})"),
    ("env: x\n", ":2: 'env' must be a mapping NAME: value (env: {CONTACT: Alice})"),
    ("env: {A: [1]}\n", ":2: env A must be a text, not a list"),
    ("tags: 5\n", None),
    ("tags: [a, {b: 1}]\n", ":2: a tag must be a text, not a mapping"),
    ("device: [1]\n", ":2: device must be a text, not a list"),
    ("snapshot: {a: 1}\n", ":2: snapshot must be a text, not a mapping"),
])
def test_flow_metadata_is_checked_with_its_line(meta: str, says: str | None, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from guiagent.flows import load_flow

    path = tmp_path / "f.yaml"
    path.write_text(FLOW.format(meta=meta), encoding="utf-8")
    if says is None:
        assert load_flow(path).tags == ("5",)
        return
    code, err = run_cli(["test", str(path)], capsys)
    assert (code, err) == (4, f"guiagent: error: {path}{says}\n")


def test_a_flow_step_argument_must_be_a_scalar(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("steps:\n  - launch: Settings\n  - tap: {target: [1, 2]}\n")
    code, err = run_cli(["test", str(path)], capsys)
    assert (code, err) == (4, f"guiagent: error: {path}:3: 'tap' target must be a text or "
                              "number, not a list\n")


def test_a_flow_that_is_not_utf8_names_the_line(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"name: x\nsteps:\n  - tap: caf\xe9\n")
    code, err = run_cli(["test", str(path)], capsys)
    assert (code, err) == (4, f"guiagent: error: {path}:3: not UTF-8 text (byte 27); save the "
                              "flow as UTF-8\n")


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 16)]
    path = tmp_path / "bomb.yaml"
    path.write_text("name: bomb\nenv:\n  " + "\n  ".join(rows) + "\nsteps: [back]\n")
    t0 = time.monotonic()
    code, err = run_cli(["test", str(path)], capsys)
    assert (code, err) == (4, f"guiagent: error: {path}:15: more than 100 YAML aliases (*name); "
                              "write the values out\n")
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("body", [b"<html>502</html>", b'{"choices": "x"}'])
def test_a_grounding_server_answering_garbage_is_one_line(
        body: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openai_server import RawReply
    from PIL import Image

    image = tmp_path / "s.png"
    Image.new("RGB", (320, 200), "white").save(image)
    with OpenAIServer([RawReply(200, body)]) as srv:
        code, err = run_cli(["ground", str(image), "the OK button", "--grounder", "vlm",
                             "--model", "m", "--base-url", srv.base_url, "--coord-mode",
                             "pixels"], capsys)
    assert code == 1, err
    (line,) = error_lines(err)
    assert "answered something that is not a chat completion" in line, line


def test_the_tui_step_log_shows_no_escape_sequences() -> None:
    from tui.describe import log_text

    text = log_text("3", {"kind": "decide"}, f"decide: tap {ESCAPES}Next (think{ESCAPES})")
    assert text.plain == "[3] decide: tap  Next (think )", repr(text.plain)


def test_a_yaml_alias_bomb_in_a_maestro_flow_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 16)]
    path = tmp_path / "bomb.yaml"
    path.write_text("appId: com.example\nenv:\n  " + "\n  ".join(rows) + "\n---\n- back\n")
    code, err = run_cli(["test", str(path)], capsys)
    assert (code, err) == (4, f"guiagent: error: {path}:15: more than 100 YAML aliases (*name); "
                              "write the values out\n")
