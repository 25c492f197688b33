"""Grounding on a real desktop: a Tk form in Xvfb, captured with mss, clicked with xdotool."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from grounding.perceive import Perceiver
from grounding.pipeline import ground

FORM = Path(__file__).parent / "data" / "form.tcl"


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(DISPLAY, log file) of a running Xvfb with the form shown."""
    if not (shutil.which("Xvfb") and shutil.which("wish") and shutil.which("xdotool")):
        pytest.skip("needs Xvfb, wish and xdotool (apt-get install xvfb tk xdotool)")
    tmp = tmp_path_factory.mktemp("x")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-screen", "0", "1024x640x24", "-displayfd", str(write_fd),
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    log = tmp / "events.log"
    env = dict(os.environ, DISPLAY=display)
    app = subprocess.Popen(["wish", str(FORM), str(log)], env=env)
    try:
        deadline = time.monotonic() + 20
        while "ready" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the Tk form did not start"
            time.sleep(0.1)
        yield display, log
    finally:
        app.terminate()
        app.wait(timeout=5)
        xvfb.terminate()
        xvfb.wait(timeout=5)


def capture(display: str) -> Image.Image:
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss  # mss 10 renamed the factory
    with factory(display=display) as grab:
        shot = grab.grab(grab.monitors[1])
        return Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")


def click(display: str, x: int, y: int) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True,
                   env=dict(os.environ, DISPLAY=display), timeout=10)


@pytest.mark.slow
def test_instructions_click_the_right_widgets(form: tuple[str, Path],
                                              perceiver: Perceiver) -> None:
    display, log = form
    image = capture(display)
    perceiver.reset()
    for instruction, event in (('click "Save changes"', "save"), ("press cancel", "cancel"),
                               ("tick the newsletter box", "newsletter"),
                               ("the button at the top right", "help")):
        _, target = ground(perceiver, image, instruction)
        assert target.found and target.point is not None, f"{instruction}: {target.reason}"
        click(display, target.point.x, target.point.y)
        deadline = time.monotonic() + 5
        while not log.read_text().strip().endswith(event):
            assert time.monotonic() < deadline, f"{instruction!r} hit {target.reason}"
            time.sleep(0.05)
    _, target = ground(perceiver, image, "click Delete account")
    assert not target.found
