"""Saved runs read back by `runs show|open|list` and `replay`: names, damaged files, refusals."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from guiagent.cli import main as guiagent_main
from guiagent.naming import RecordLines, action_phrase
from guiagent.trajectory import runs_root

from .conftest import cli

TASK = "open Settings, tap Network & internet, turn on Airplane mode"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real run of the offline planner on the simulated phone."""
    out = tmp_path_factory.mktemp("recorded") / "run"
    done = cli("run", TASK, "--out", out)
    assert done.returncode == 0, done.stderr
    assert re.search(r'act: tap "Airplane mode" \[\d+\] at \(540, \d+\)', done.stderr)
    return out



CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "bad run.json": (lambda d: (d / "run.json").write_text("{task", encoding="utf-8"),
                     "run.json: not valid JSON"),
    "run.json a list": (lambda d: (d / "run.json").write_text("[1]", encoding="utf-8"),
                        "run.json holds a JSON object"),
    "non-UTF-8 line": (lambda d: edit_line(d, 4, lambda b: b"\xff\xfe" + b),
                       "steps.jsonl:4: not UTF-8"),
    "non-object line": (lambda d: edit_line(d, 4, lambda b: b"[1, 2]"),
                        "steps.jsonl:4: a record is a JSON object"),
    "corrupt middle line": (lambda d: edit_line(d, 6, lambda b: b[:20]),
                            "steps.jsonl:6: not a JSON record"),
}


def edit_line(run_dir: Path, number: int, change: Callable[[bytes], bytes]) -> None:
    path = run_dir / "steps.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[number - 1] = change(lines[number - 1])
    path.write_bytes(b"\n".join(lines))


def main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The CLI's entry point in this process (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        guiagent_main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.parametrize("case", list(CASES))
def test_damaged_records_are_one_line_errors(recorded: Path, tmp_path: Path, case: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = tmp_path / "damaged"
    shutil.copytree(recorded, run_dir)
    make, words = CASES[case]
    make(run_dir)
    for args in (["runs", "show", run_dir], ["runs", "open", run_dir], ["replay", run_dir]):
        code, _, err = main(capsys, *args)
        assert code == 4, (args, err)
        assert words in err and len(err.strip().splitlines()) == 1, err
    code, out, _ = main(capsys, "runs", "list", "--root", tmp_path)
    assert code == 0 and "damaged" in out


def test_damaged_run_from_the_shell(recorded: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "damaged"
    shutil.copytree(recorded, run_dir)
    edit_line(run_dir, 4, lambda b: b"\xff" + b)
    done = cli("replay", run_dir)
    assert done.returncode == 4 and "steps.jsonl:4: not UTF-8" in done.stderr
    assert "Traceback" not in done.stderr


def test_replay_refuses_a_cut_short_or_failed_run_unless_forced(recorded: Path,
                                                                 tmp_path: Path) -> None:
    torn = tmp_path / "torn"
    shutil.copytree(recorded, torn)
    data = (torn / "steps.jsonl").read_bytes()
    (torn / "steps.jsonl").write_bytes(data[: len(data) * 2 // 3])   # cut mid-line
    shown = cli("runs", "show", torn)
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[-1].startswith("incomplete: its record file is cut short")
    refused = cli("replay", torn)
    assert refused.returncode == 4 and "Traceback" not in refused.stderr
    assert "did not succeed (incomplete" in refused.stderr and "--force replays the 2 steps" \
        in refused.stderr
    forced = cli("replay", torn, "--force", "--json", "--out", tmp_path / "again")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["steps"] == 2

    failed = tmp_path / "failed"
    shutil.copytree(recorded, failed)
    records = (failed / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    result = json.loads(records[-1])
    result.update(status="failed", reason="the model gave up")
    (failed / "steps.jsonl").write_text("\n".join([*records[:-1], json.dumps(result)]) + "\n",
                                        encoding="utf-8")
    refused = cli("replay", failed)
    assert refused.returncode == 4
    assert "did not succeed (failed: the model gave up)" in refused.stderr


def test_last_names_the_newest_run_everywhere(recorded: Path) -> None:
    root = runs_root()
    for name, started in (("b-older", "2026-01-01T10:00:00+0000"),
                          ("a-newer", "2026-01-02T10:00:00+0000")):
        shutil.copytree(recorded, root / name)
        meta = json.loads((root / name / "run.json").read_text(encoding="utf-8"))
        (root / name / "run.json").write_text(json.dumps({**meta, "started": started}),
                                              encoding="utf-8")
    listing = cli("runs", "list").stdout.splitlines()
    assert listing[0].split() == ["RUN", "STATUS", "STEPS", "SECONDS", "TASK"]
    assert listing[1].startswith("a-newer ") and listing[2].startswith("b-older ")
    assert {line.index("success") for line in listing[1:]} == {listing[0].index("STATUS")}
    assert cli("runs", "show", "last").stdout.startswith("a-newer: ")
    assert cli("runs", "open", "last").stdout.strip() == str(root / "a-newer" / "report.html")
    replayed = cli("replay", "last", "--json", "--out", root.parent / "replayed")
    assert replayed.returncode == 0 and json.loads(replayed.stdout)["steps"] == 3
    shutil.rmtree(root)
    empty = cli("replay", "last")
    assert empty.returncode == 4 and "no runs in" in empty.stderr


def test_runs_show_names_targets_and_numbers_a_step_alike(recorded: Path) -> None:
    lines = cli("runs", "show", recorded).stdout.splitlines()
    step3 = [line for line in lines if line.startswith("[3] ")]
    kinds = [line.split()[1] for line in step3]
    assert kinds[:5] == ["plan:", "decide:", "ground:", "safety:", "act:"]
    named = r'"Airplane mode" \[\d+\] at \(540, \d+\)'
    assert re.match(r'\[3\] decide: tap "Airplane mode" \[\d+\]', step3[1])
    assert re.match(rf"\[3\] ground: {named}", step3[2])
    assert re.match(rf"\[3\] act: tap {named}", step3[4])
    assert lines[-1] == "success: all 3 steps done"


def test_action_phrases() -> None:
    tap = {"type": "tap", "element": 14}
    assert action_phrase(tap, {"label": "Airplane mode"}) == 'tap "Airplane mode" [14]'
    assert action_phrase(tap) == "tap element 14"
    typed = {"type": "type", "text": "on my way", "target": "Message"}
    assert action_phrase(typed) == 'type "on my way" into "Message"'
    scroll = {"type": "scroll", "direction": "down"}
    assert action_phrase(scroll, subgoal="scroll down until Bluetooth") == \
        'scroll down looking for "Bluetooth"'
    assert action_phrase({"type": "launch_app", "app": "Settings"}) == 'open "Settings"'
    lines = RecordLines().lines([
        {"kind": "plan", "step": 0, "subgoal": "send it"},
        {"kind": "decide", "step": 0, "action": {"type": "tap", "element": 3}},
        {"kind": "ground", "step": 1, "found": True, "element": 3, "label": "Send", "x": 5,
         "y": 6, "reason": "element 3", "score": 1.0},
        {"kind": "something new", "step": 1, "value": 2}])
    assert lines == ['[1] plan: send it', '[1] decide: tap "Send" [3]',
                     '[1] ground: "Send" [3] at (5, 6) (element 3, score 1.00)',
                     "[1] something new: value=2"]


def test_a_refused_message_says_what_who_and_how_to_allow(tmp_path: Path) -> None:
    task = "open Messages, tap David Brown, type 'on my way' into the message field, tap Send"
    done = cli("run", task, "--json", "--out", tmp_path / "run")
    assert done.returncode == 1
    said = "refused: send message 'on my way' to David Brown (rerun with --yes to allow)"
    assert json.loads(done.stdout)["reason"] == said
    assert "acted on" not in done.stderr
    assert 'act: type "on my way" into "Text message"' in done.stderr


def test_dry_run_says_where_it_stops(tmp_path: Path) -> None:
    done = cli("run", TASK, "--dry-run", "--json", "--out", tmp_path / "dry")
    assert done.returncode == 2, done.stderr
    reason = json.loads(done.stdout)["reason"]
    assert reason.startswith("dry run: stopped before 'tap Network & internet': it depends "
                             'on the screen after step 1 (tap "Settings" [')
    assert reason.endswith("which a dry run cannot see") and "loop" not in done.stderr


def test_one_is_singular(tmp_path: Path) -> None:
    done = cli("run", "open Settings", "--json", "--out", tmp_path / "one")
    assert json.loads(done.stdout)["reason"] == "the step is done"
    shown = cli("runs", "show", tmp_path / "one").stdout
    assert shown.endswith("success: the step is done\n") and "1 steps" not in shown
    flow = tmp_path / "one.yaml"
    flow.write_text("name: one\nsteps: [home]\n", encoding="utf-8")
    tested = cli("test", flow, "-d", "sim")
    assert "guiagent test: 1 flow x 1 on sim" in tested.stderr
    assert "1 passed, 0 failed, 0 errors (1 run)" in tested.stderr


def test_an_unreachable_model_server_is_one_plain_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:      # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = cli("run", "open Settings", "--json", "--base-url", f"http://127.0.0.1:{port}/v1",
               "--model", "m", "--out", tmp_path / "run")
    assert done.returncode == 3     # README: the device or the model server cannot be reached
    reason = json.loads(done.stdout)["reason"]
    assert reason.startswith(f"cannot reach the model server at http://127.0.0.1:{port}/v1")
    assert "LLMUnavailable" not in done.stderr and "Traceback" not in done.stderr


def test_records_with_fields_of_the_wrong_type_still_render(recorded: Path) -> None:
    """A hand-edited record (a string where a number goes, a list for a name) is shown as far
    as it can be; the page and the lines never break."""
    from guiagent.report import render_report

    records = [json.loads(line) for line in (recorded / "steps.jsonl").open(encoding="utf-8")]
    for rec in records:
        rec.update(step=None, x="x", label=[1], elapsed="soon", before="../" + "9" * 300)
    page = render_report(recorded, {"task": ["not text"]}, records)
    assert page.startswith("<!doctype html>") and "success: " in page
    assert len(RecordLines().lines(records)) == len(records)
