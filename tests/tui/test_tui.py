"""The terminal UI through Textual's own pilot, driving the simulated phone and the real loop."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from devices import DeviceInfo, open_device
from guiagent.config import load_settings
from guiagent.session import RunOptions, grounding_parts
from tui.app import ApprovalScreen, GuiagentApp
from tui.wiring import make_start_run

TASK = "open Settings, tap Network & internet, turn on Airplane mode"


def make_app(tmp_path: Path, runs_root: Path | None = None) -> GuiagentApp:
    options = RunOptions(planner="offline", out=None, app_models=False)
    return GuiagentApp(
        devices=[DeviceInfo("sim", "sim", description="built-in simulated phone")],
        open_device=lambda spec: open_device(spec),
        start_run=make_start_run(load_settings(), options),
        runs_root=runs_root or tmp_path / "runs",
        device="sim",
        refresh_s=0.5,
        perceive=grounding_parts(False)[0],
    )


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.1)


def state_text(app: GuiagentApp) -> str:
    return str(app.query_one("#state").render())


@pytest.mark.slow
def test_run_a_task_and_see_it_finish(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(140, 50)) as pilot:
            await wait_for(pilot, lambda: app.query_one("#screen").image is not None)
            await pilot.click("#task")
            await pilot.press(*"open ")
            app.query_one("#task").value = TASK
            await pilot.press("enter")
            await wait_for(pilot, lambda: "success" in state_text(app) or "failed" in
                           state_text(app))
            assert "success" in state_text(app), state_text(app)
            assert app.device is not None
            assert app.device.shell("settings get global airplane_mode_on").strip() == "1"
            lines = [str(line.text) for line in app.query_one("#log").lines]
            assert sum("] act: " in line for line in lines) >= 2, lines
            assert any(line.startswith('[3] act: tap "Airplane mode" [') for line in lines)
            listed = app.query_one("#elements").lines          # readable beside the view
            assert any('"Airplane mode"' in line for _, line in listed), listed

    asyncio.run(scenario())


@pytest.mark.slow
def test_step_mode_asks_before_every_action_and_deny_refuses(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(140, 50)) as pilot:
            await wait_for(pilot, lambda: app.device is not None)
            await pilot.press("f4")
            assert app.step_mode
            app.query_one("#task").value = "open Settings"
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
            details = dict(app.screen.details)
            assert details["action"] == 'tap "Settings" [2]'
            assert details["target"].startswith('"Settings" [2] at (')
            assert details["why"] == "step mode"
            view = app.screen_stack[0].query_one("#screen")
            assert view.mark is not None                    # the target is framed meanwhile
            assert app.screen_stack[0].query_one("#elements").target == 2   # and listed
            await pilot.press("n")
            await wait_for(pilot, lambda: app.control is not None and app.control.stopped)
            assert app.device is not None
            focus = app.device.shell("dumpsys window")
            assert "com.android.settings" not in focus.split("mCurrentFocus")[-1].splitlines()[0]
            lines = [str(line.text) for line in app.query_one("#log").lines]
            assert "denied" in lines
            assert app.query_one("#screen").mark is None    # cleared once answered

    asyncio.run(scenario())


def test_take_over_click_taps_the_device(tmp_path: Path) -> None:
    """A click on the screen view while taken over lands as a tap at the matching pixel."""
    from tui.control import RunControl

    app = make_app(tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(140, 50)) as pilot:
            await wait_for(pilot, lambda: app.query_one("#screen").image is not None)
            app.control = RunControl(lambda a: None)
            app.control.take_over()
            assert app.device is not None
            tree = app.device.ui_tree() or ""
            assert 'text="Settings"' in tree
            # Find the Settings icon's box from the tree and click its cell.
            import re

            m = re.search(r'text="Settings"[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"', tree)
            assert m is not None
            x1, y1, x2, y2 = map(int, m.groups())
            view = app.query_one("#screen")
            from tui.screen_view import fit

            cols, rows = fit(view.image.size, view.size.width, view.size.height)
            cx = int((x1 + x2) / 2 * cols / view.image.width)
            cy = int((y1 + y2) / 2 * rows / view.image.height)
            await pilot.click("#screen", offset=(cx, cy))
            await wait_for(pilot, lambda: "com.android.settings" in
                           app.device.shell("dumpsys window"), timeout=10)
            app.control.stop()

    asyncio.run(scenario())


def test_past_runs_screen_lists_runs(tmp_path: Path) -> None:
    from PIL import Image

    run = tmp_path / "runs" / "20260101-000000-open-settings"
    run.mkdir(parents=True)
    (run / "run.json").write_text('{"task": "open settings"}')
    for name, colour in (("screen-000.png", "white"), ("screen-001.png", "navy")):
        Image.new("RGB", (108, 240), colour).save(run / name)
    (run / "steps.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"kind": "plan", "step": 0, "subgoal": "open Settings"},
        {"kind": "decide", "step": 0, "action": {"type": "tap", "element": 2}},
        {"kind": "ground", "step": 1, "found": True, "element": 2, "label": "Settings",
         "x": 50, "y": 100, "box": [30, 80, 70, 120]},
        {"kind": "act", "step": 1, "action": {"type": "tap", "element": 2}, "x": 50, "y": 100,
         "before": "screen-000.png", "after": "screen-001.png"},
        {"kind": "result", "status": "success", "reason": "done", "steps": 1, "seconds": 1.5,
         "step": 1}]) + "\n")
    app = make_app(tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.press("f7")
            table = app.screen.query_one("#runs")
            assert table.row_count == 1
            row = table.get_row_at(0)
            assert row[1] == "success" and row[4] == "open settings"
            steps = app.screen.query_one("#steps")
            await wait_for(pilot, lambda: steps.row_count == 5)
            assert str(steps.get_row_at(1)[1]) == 'decide: tap "Settings" [2]'
            assert str(steps.get_row_at(3)[1]) == 'act: tap "Settings" [2] at (50, 100)'
            steps.focus()
            steps.move_cursor(row=3)
            before = app.screen.query_one("#before")
            await wait_for(pilot, lambda: before.image is not None)
            assert before.mark == (30, 80, 70, 120)
            assert app.screen.query_one("#after").image.getpixel((5, 5)) == (0, 0, 128)
            await pilot.press("escape")
            assert not hasattr(app.screen, "root")

    asyncio.run(scenario())


def test_pixel_graphics_widget_gets_every_screenshot(tmp_path: Path) -> None:
    """Where the terminal shows real pixels, textual-image's widget draws the screen.

    No terminal here speaks sixel or kitty graphics, so the test hands the app
    textual-image's half-cell widget: the same wiring, a renderer every terminal has.
    """
    from textual_image.widget import HalfcellImage

    from tui.screen_view import graphics_widget

    assert graphics_widget("halfblock") is None
    app = make_app(tmp_path)
    app.pixels = HalfcellImage

    async def scenario() -> None:
        async with app.run_test(size=(140, 50)) as pilot:
            view = app.query_one("#screen")
            await wait_for(pilot, lambda: view.image is not None)
            child = view.query_one("#pixels", HalfcellImage)
            await wait_for(pilot, lambda: child.image is view.image)
            assert child.image.size == (1080, 2400)

    asyncio.run(scenario())
