"""Real applications driven end to end through the CLI with the offline planner, each with
the accessibility tree and with the tree disabled (pixels only): a keypad calculator whose
result is read back through the clipboard, a text editor saving through its own save
dialog, a file manager that opens a folder and creates one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.desktop_apps.conftest import Session

pytestmark = [pytest.mark.slow, pytest.mark.xvfb]
TREE = [pytest.param(True, id="tree"), pytest.param(False, id="pixels")]


def run_task(desktop: Session, task: str, tree: bool) -> dict[str, object]:
    args = ["run", "-d", "desktop", "--planner", "offline", "--yes", "--json", task]
    done = desktop.guiagent(*args, *([] if tree else ["--no-tree"]))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "success", result
    return result


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """The app finishes what the last step started (a save dialog writes the file after
    guiagent's run has ended): poll for the outcome a little while."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return check()


@pytest.mark.parametrize("tree", TREE)
def test_keypad_calculator_sums(desktop: Session, tree: bool) -> None:
    app = desktop.start("galculator", window="galculator")
    try:
        task, expected = (("click 4, click ×, click 3, click =", "12") if tree else
                          ("click 7, click +, click 8, click =", "15"))
        run_task(desktop, f"{task}, press ctrl+c", tree)
        assert eventually(lambda: desktop.clipboard().strip() == expected), desktop.clipboard()
    finally:
        desktop.stop(app)


@pytest.mark.parametrize("tree", TREE)
def test_editor_saves_through_its_dialog(desktop: Session, tree: bool, tmp_path: Path) -> None:
    app = desktop.start("l3afpad", cwd=tmp_path, window="l3afpad")
    try:
        run_task(desktop, "type 'Hello from guiagent', choose Save As in the File menu, "
                          "type 'notes.txt' as the file name, press enter", tree)
        saved = tmp_path / "notes.txt"
        assert eventually(saved.exists)
        assert eventually(lambda: saved.read_text(encoding="utf-8").strip()
                          == "Hello from guiagent")
    finally:
        desktop.stop(app)


@pytest.mark.parametrize("tree", TREE)
def test_file_manager_opens_a_folder_and_creates_one(desktop: Session, tree: bool,
                                                     tmp_path: Path) -> None:
    (tmp_path / "projects").mkdir()
    (tmp_path / "music").mkdir()
    app = desktop.start("pcmanfm", str(tmp_path), window="pcmanfm")
    try:
        run_task(desktop, "click projects, press enter, choose File > Create New > Folder, "
                          "type 'reports', press enter", tree)
        assert eventually((tmp_path / "projects" / "reports").is_dir)
        assert not (tmp_path / "reports").exists()
    finally:
        desktop.stop(app)
