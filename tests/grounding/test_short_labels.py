"""Perception reads every label: the one- to three-character keys a text detector skips.

A keypad drawn with real fonts (DejaVu Sans, Liberation Sans) in framed keys, as GTK
calculators draw them; and, marked slow, galculator itself under Xvfb, driven by what
``ground`` answers until its display shows the sum.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.locate import locate
from grounding.perceive import PerceiveConfig, Perceiver
from grounding.types import Screen

FONTS = Path("/usr/share/fonts/truetype")
KEYS = [["(", ")", "%", "AC", "C"], ["7", "8", "9", "/", "ln"], ["4", "5", "6", "*", "="],
        ["1", "2", "3", "-", "+"], ["0", ".", "±", "√", "π"]]
SKIPPED = ["=", "(", ")", ".", "*", "%", "+", "-", "/"]  # what the text detector misses


def draw_keypad(font: Path) -> tuple[Image.Image, dict[str, Box]]:
    """A calculator's display and a 5x5 grid of framed keys with 16 px labels."""
    im = Image.new("RGB", (420, 360), (246, 245, 244))
    d = ImageDraw.Draw(im)
    face = ImageFont.truetype(str(font), 16)
    d.rectangle((10, 10, 410, 60), fill="white", outline=(190, 190, 190))
    d.text((380, 22), "0", font=ImageFont.truetype(str(font), 22), fill="black")
    boxes = {}
    for r, row in enumerate(KEYS):
        for c, label in enumerate(row):
            box = (10 + 80 * c, 80 + 54 * r, 84 + 80 * c, 124 + 54 * r)
            d.rounded_rectangle(box, 5, fill=(252, 252, 252), outline=(205, 199, 194))
            d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), label, font=face,
                   fill=(46, 52, 54), anchor="mm")
            boxes[label] = Box(*box)
    return im, boxes


@pytest.fixture(scope="module", params=["dejavu/DejaVuSans.ttf",
                                        "liberation/LiberationSans-Regular.ttf"])
def keypad(request: pytest.FixtureRequest,
           perceiver: Perceiver) -> tuple[Screen, dict[str, Box]]:
    font = FONTS / request.param
    if not font.is_file():
        pytest.skip(f"font {font} is not installed (fonts-dejavu-core, fonts-liberation)")
    image, boxes = draw_keypad(font)
    perceiver.reset()
    return perceiver.perceive(image), boxes


def test_every_key_label_is_an_element(keypad: tuple[Screen, dict[str, Box]]) -> None:
    screen, boxes = keypad
    for label in SKIPPED + ["AC", "C", "√", "±"]:
        inside = [e for e in screen.elements if boxes[label].contains(e.center)]
        assert any(e.text == label for e in inside), \
            f"{label!r} key: {[e.describe() for e in inside]}"


@pytest.mark.parametrize(("instruction", "key"), [
    ("click +", "+"), ("press *", "*"), ("=", "="), ("click (", "("), ("press )", ")"),
    ("press .", "."), ("press -", "-"), ("press divide", "/"), ("hit the equals key", "="),
    ("percent", "%"), ("the dot key", "."), ("root", "√"), ("plus/minus", "±"),
    ("press ×", "*"), ("press ÷", "/"), ("press 4 on the number pad", "4"),
    ("natural log", "ln"), ("click ln", "ln"), ("all clear", "AC"), ("pi", "π"),
])
def test_symbols_and_key_names_land_in_their_key(keypad: tuple[Screen, dict[str, Box]],
                                                instruction: str, key: str) -> None:
    screen, boxes = keypad
    t = locate(screen, instruction)
    assert t.found and t.point is not None and boxes[key].contains(t.point), t.reason


def test_short_labels_can_be_turned_off() -> None:
    image, boxes = draw_keypad(FONTS / "dejavu/DejaVuSans.ttf")
    plain = Perceiver(PerceiveConfig(short_labels=False, use_detector=False)).perceive(image)
    assert not any(e.text == "=" for e in plain.elements)  # what the text detector alone sees


# ---- galculator under Xvfb -------------------------------------------------------------

@pytest.fixture(scope="module")
def galculator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DISPLAY of an Xvfb showing galculator (basic mode) at the top left."""
    if not all(shutil.which(p) for p in ("Xvfb", "galculator", "xdotool")):
        pytest.skip("needs Xvfb, galculator and xdotool (apt-get install xvfb galculator "
                    "xdotool)")
    home = tmp_path_factory.mktemp("home")  # galculator's own config starts fresh
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-screen", "0", "1024x640x24", "-displayfd", str(write_fd),
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    env = dict(os.environ, DISPLAY=display, HOME=str(home), XDG_CONFIG_HOME=str(home),
               NO_AT_BRIDGE="1")
    app = subprocess.Popen(["galculator"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["xdotool", "search", "--name", "galculator"], env=env,
                             capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "galculator did not open a window"
            time.sleep(0.2)
        time.sleep(1.0)
        yield display
    finally:
        app.terminate()
        app.wait(timeout=5)
        xvfb.terminate()
        xvfb.wait(timeout=5)


def capture(display: str) -> Image.Image:
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss
    with factory(display=display) as grab:
        shot = grab.grab(grab.monitors[1])
        return Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")


@pytest.mark.slow
@pytest.mark.xvfb
def test_galculator_keys_are_read_and_pressed(galculator: str, perceiver: Perceiver) -> None:
    perceiver.reset()
    screen = perceiver.perceive(capture(galculator))
    texts = {e.text for e in screen.elements}
    assert {"=", "(", ")", ".", "*", "%", "+", "-", "/"} <= texts, sorted(texts)
    env = dict(os.environ, DISPLAY=galculator)
    for step in ("press 7", "click +", "hit the 2", "hit the equals key"):
        t = locate(screen, step)
        assert t.found and t.point is not None, f"{step}: {t.reason}"
        subprocess.run(["xdotool", "mousemove", str(t.point.x), str(t.point.y), "click", "1"],
                       env=env, check=True, timeout=10)
        time.sleep(0.3)
    subprocess.run(["xdotool", "mousemove", "1000", "600"], env=env, check=True, timeout=10)
    time.sleep(0.5)
    perceiver.reset()
    after = perceiver.perceive(capture(galculator))
    keys_top = min(e.box.y1 for e in screen.elements if e.text == "C")
    display = max((e for e in after.elements if e.text and e.center.y < keys_top),
                  key=lambda e: e.box.height)  # the display's digits are the largest text
    assert display.text == "9", [e.describe() for e in after.elements[:10]]


@pytest.mark.slow
@pytest.mark.xvfb
def test_close_the_window_on_an_openbox_frame(tmp_path: Path, perceiver: Perceiver) -> None:
    """galculator in a window framed by openbox, away from the screen's corner: "close the
    window" clicks the frame's close button and the app exits."""
    if not all(shutil.which(p) for p in ("Xvfb", "openbox", "galculator", "xdotool")):
        pytest.skip("needs Xvfb, openbox, galculator and xdotool")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-screen", "0", "1280x800x24", "-displayfd", str(write_fd),
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    env = dict(os.environ, DISPLAY=display, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               NO_AT_BRIDGE="1")
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    app = None
    try:
        time.sleep(1.0)
        app = subprocess.Popen(["galculator"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(3.0)
        subprocess.run(["xdotool", "mousemove", "5", "795"], env=env, check=True, timeout=10)
        time.sleep(0.5)
        perceiver.reset()
        screen = perceiver.perceive(capture(display))
        t = locate(screen, "close the window")
        assert t.found and t.point is not None, t.reason
        assert 0.1 * 1280 < t.point.x < 0.9 * 1280, t.reason  # the frame's, not a corner's
        subprocess.run(["xdotool", "mousemove", str(t.point.x), str(t.point.y), "click", "1"],
                       env=env, check=True, timeout=10)
        assert app.wait(timeout=10) is not None
    finally:
        for proc in (app, wm, xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=5)


@pytest.mark.slow
@pytest.mark.xvfb
def test_galculator_menu_container_then_scientific_keys(galculator: str,
                                                          perceiver: Perceiver) -> None:
    """"open the View menu", "choose Scientific mode in the View menu": the mode's keys
    appear and are found by their names (sine, natural log, factorial, x squared)."""
    env = dict(os.environ, DISPLAY=galculator)

    def look() -> Screen:
        perceiver.reset()
        return perceiver.perceive(capture(galculator))

    for step in ("open the View menu", "choose Scientific mode in the View menu"):
        t = locate(look(), step)
        assert t.found and t.point is not None, f"{step}: {t.reason}"
        subprocess.run(["xdotool", "mousemove", str(t.point.x), str(t.point.y), "click", "1"],
                       env=env, check=True, timeout=10)
        time.sleep(0.8)
    screen = look()
    for step, shown in (("click the sine button", "sin"), ("natural log", "ln"),
                        ("factorial", "n!"), ("press x squared", "x^2")):
        t = locate(screen, step)
        assert t.found and t.element is not None, f"{step}: {t.reason}"
        assert t.element.text.replace("I", "l") == shown, t.reason
