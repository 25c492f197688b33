"""Bad input through the real `guiagent` command: one clear line, exit 4, no traceback."""

from __future__ import annotations

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
