"""Fast checks of the parts: what counts as visible, the drawn action, records back from JSON,
how flows are spread over devices, and one flow run in process on the simulated phone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console

from devices import Box, ScreenGeometry
from devices.sim.device import SimDevice
from grounding.types import Element, Screen
from guiagent.config import Settings
from guiagent.flowqueue import FlowQueue, Job, _run_job, fits, worker_specs
from guiagent.flowrun import FlowConfig, FlowRunner, check_flows, visible
from guiagent.flows import FlowError, load_flow
from guiagent.progress import RunProgress
from guiagent.report import annotate, load_record, record_line
from guiagent.session import RunOptions, build_loop
from guiagent.steps import Acted

from .conftest import write_flow


def screen(*texts: str, labels: tuple[str, ...] = ()) -> Screen:
    elements = [Element(i, Box(0, 100 * i, 500, 100 * i + 80), "text", text=t)
                for i, t in enumerate(texts)]
    elements += [Element(len(texts) + i, Box(600, 0, 680, 80), "icon", label=lab)
                 for i, lab in enumerate(labels)]
    return Screen(elements, ScreenGeometry(1080, 2400))


def test_visible_is_fuzzy_for_ocr_but_honest() -> None:
    s = screen("Network & internet", "Alice Johnson", "Wi Fi", "Your code is 482913",
               labels=("Create contact",))
    assert visible(s, "Network & internet") and visible(s, "network and internet")
    assert not visible(s, "Network settings")
    assert visible(s, "Your code is 482913") and visible(s, "Your code ls 482913")
    assert not visible(s, "Your code is 482914")              # digits must match exactly
    assert visible(s, "Alice") and visible(s, "Alice Johnson")
    assert visible(s, "Wi-Fi") and visible(s, "WiFi")          # OCR splits and dashes
    assert visible(s, "Create contact")                       # icon labels count
    assert not visible(s, "Ali")                              # part of a word is not shown
    assert not visible(s, "Bluetooth") and not visible(s, "Johnson Alice")


def test_annotate_draws_a_ring_at_the_tap_and_an_arrow_for_a_swipe() -> None:
    blank = Image.new("RGB", (1080, 2400), "white")
    tap = annotate(blank, {"kind": "act", "step": 2, "action": {"type": "tap", "target": "OK"},
                           "x": 500, "y": 1200})
    r = 1080 // 30
    assert tap.getpixel((500 + r, 1200))[0] > 200 and tap.getpixel((500 + r, 1200))[1] < 100
    assert tap.getpixel((500 + 3 * r, 1200)) == (255, 255, 255)
    assert tap.getpixel((5, 5)) == (0, 0, 0)                  # the caption bar
    swipe = annotate(blank, {"kind": "act", "step": 3, "action": {"type": "swipe",
                                                                 "direction": "up"}})
    assert swipe.getpixel((540, 1200 - 300))[1] < 100        # the arrow goes up from the centre
    assert swipe.getpixel((540, 1200 + 300)) == (255, 255, 255)
    assert blank.getpixel((500 + r, 1200)) == (255, 255, 255)  # the original is untouched


def test_records_come_back_from_json() -> None:
    data = {"kind": "act", "step": 4, "action": {"type": "tap", "target": "Wi-Fi"}, "x": 1,
            "y": 2, "before": "screen-003.png", "future_field": True}
    rec = load_record(data)
    assert isinstance(rec, Acted) and rec.x == 1
    assert record_line(data) == '[4] act: tap "Wi-Fi" at (1, 2)'
    assert load_record({"kind": "something new", "step": 1}) is None
    assert record_line({"kind": "something new", "step": 1}).startswith("[1] something new: ")


def test_workers_and_the_queue(tmp_path: Path) -> None:
    assert worker_specs(["sim"], 3) == ["sim", "sim", "sim"]
    assert worker_specs(["sim", "sim"], None) == ["sim", "sim"]
    assert worker_specs(["android:a", "android:a", "sim"], None) == ["android:a", "sim"]
    assert worker_specs(["android:a"], 4) == ["android:a"]
    short = load_flow(write_flow(tmp_path, "s.yaml", "steps: [back]\n"))
    long = load_flow(write_flow(tmp_path, "l.yaml", "device: android\nsteps: [back, home]\n"))
    assert fits(short, "sim") and fits(long, "android:x@h:1") and not fits(long, "sim")
    queue = FlowQueue([short, long], repeat=2)
    assert [(j.flow.path.name, j.attempt) for j in queue.jobs] == [
        ("l.yaml", 1), ("s.yaml", 1), ("l.yaml", 2), ("s.yaml", 2)]
    job = queue.take("sim")
    assert job is not None and job.flow is short
    queue.done(job)


def test_a_flow_in_process_and_its_failure_screenshot(tmp_path: Path) -> None:
    flow = load_flow(write_flow(tmp_path, "f.yaml", """
        name: in process
        snapshot: clean-boot
        steps:
          - launch: Settings
          - tap: "Network & internet"
          - assert_visible: "Airplane mode"
          - retry: {times: 2, steps: [{assert_visible: "Teleporter"}]}
        """))
    lines: list[str] = []
    with SimDevice() as phone:
        result = FlowRunner(phone, FlowConfig(), lines.append, "phone").run(flow)
    assert (result.status, result.line, result.step) == ("failed", 7, "assert_visible: "
                                                                         "Teleporter")
    assert result.message.startswith("still failing after 2 tries: 'Teleporter' is not on")
    assert result.screenshot is not None
    assert Image.open(io.BytesIO(result.screenshot)).size == (1080, 2400)
    assert sum("line 7: try" in line for line in lines) == 2
    assert lines[0] == ("snapshot 'clean-boot': skipped, sim is not an Android emulator "
                        "(only emulators have snapshots)")


def test_progress_renders_a_real_run(tmp_path: Path) -> None:
    out = io.StringIO()
    with SimDevice() as phone:
        loop = build_loop("open Settings, tap Nothing-like-this", phone, Settings(),
                          RunOptions(out=tmp_path / "run", app_models=False))
        show = RunProgress(Console(file=out, width=200), tokens=lambda: 0)
        for rec in loop.run("open Settings, tap Nothing-like-this"):
            show(rec)
    text = out.getvalue()
    assert "step 1 plan: open Settings" in text and "outcome: ok" in text
    assert "status   failed" in text and f"saved in {tmp_path / 'run'}" in text


def test_type_into_names_the_field_not_its_label(tmp_path: Path) -> None:
    flow = load_flow(write_flow(tmp_path, "alarm.yaml", """
        steps:
          - launch: Clock
          - tap: "Add alarm"
          - type: {text: "6", into: "Hour"}
          - type: {text: "45", into: "Minute"}
          - tap: "OK"
          - assert_shell: {command: "content query --uri content://com.android.deskclock/alarms",
                           contains: "hour=6, minutes=45"}
        """))
    with SimDevice() as phone:
        result = FlowRunner(phone, FlowConfig()).run(flow)
    assert result.status == "passed", result.log


class BrokenPhone(SimDevice):
    """A simulated phone whose keys hit a bug (not a device error)."""

    def press_key(self, key: str) -> None:
        raise RuntimeError("a bug in a driver")


def test_a_bug_is_reported_as_an_error_and_never_hangs_the_queue(tmp_path: Path) -> None:
    flow = load_flow(write_flow(tmp_path, "b.yaml", "steps: [home, back]\n"))
    lines: list[str] = []
    result, broken = _run_job(FlowRunner(BrokenPhone(), FlowConfig()), Job(flow, 1),
                              lines.append)
    assert result is not None and broken
    assert (result.status, result.message, result.line) == ("error",
                                                            "RuntimeError: a bug in a driver", 1)
    assert "Traceback (most recent call last):" in result.log
    bad = load_flow(write_flow(tmp_path, "i.yaml", "steps: [{tap: {target: OK, index: 0}}]\n"))
    with pytest.raises(FlowError, match=r"i.yaml:1: 'index' is a whole number from 1"):
        check_flows([bad])
