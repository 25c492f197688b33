"""Bad input through the real `guiagent` command: one clear line, exit 4, no traceback."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_server import OpenAIServer

from tests.faults.conftest import error_lines, guiagent, start
from tests.loop.conftest import Script, decide, plan

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[31m\r\x08"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


@pytest.mark.parametrize("task", ["", "   ", "\t\n"])
def test_an_empty_task_is_a_usage_error(task: str, tmp_path: Path) -> None:
    proc = guiagent("run", task, "--out", str(tmp_path / "run"))
    assert proc.returncode == 4, proc.stderr
    assert error_lines(proc.stderr) == [
        'guiagent: error: the task is empty: say what to do, e.g. guiagent run "open Settings"']
    assert not (tmp_path / "run").exists()


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
def test_a_huge_image_is_refused_naming_the_limit(side: int, tmp_path: Path) -> None:
    big = header_only_png(tmp_path / "big.png", side, side)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": 1, "image": "big.png", "instruction": "x"}) + "\n")
    for args in (("ground", str(big), "x"), ("perceive", str(big)), ("ground", "--jsonl",
                                                                     str(cases))):
        proc = guiagent(*args)
        assert proc.returncode == 4, (args, proc.stderr)
        (line,) = error_lines(proc.stderr)
        assert "too large" in line and "limit is 40 million pixels" in line, line
