"""Screens that are not one plain 1280x800 monitor: HiDPI, an explicit scale, two monitors;
and the CLI on the desktop (a real subprocess per command)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    XORG_CONF,
    TkApp,
    XServer,
    start_app,
    start_x,
    start_xvfb,
    stop_app,
    use_display,
)
from PIL import Image

from devices import DeviceNotFound, DeviceUnreachable, PixelPoint
from devices.desktop import DesktopDevice

pytestmark = pytest.mark.xvfb


def set_xft_dpi(server: XServer, dpi: int) -> None:
    """Write Xft.dpi into the root window's resource database, as ``xrdb`` does on login.

    Call after ``use_display``: python-xlib reads XAUTHORITY from the environment."""
    from Xlib import Xatom
    from Xlib.display import Display

    conn = Display(server.display)
    conn.screen().root.change_property(conn.get_atom("RESOURCE_MANAGER"), Xatom.STRING, 8,
                                       f"Xft.dpi:\t{dpi}\n".encode())
    conn.sync()  # the server has the property before anyone reads it
    conn.close()


def test_hidpi_x11_screen_clicks_where_the_screenshot_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2560x1600 X screen at 200 % (Xft.dpi 192), as a HiDPI laptop runs X11.

    X11 captures and takes input in the same X pixels; the 200 % lives in the toolkits'
    drawing. So the detected scale is 1.0, the dpi is reported as density, and a click
    on the pixel where the screenshot shows the canvas lands there. It also checks that
    a second display in one process gets pyautogui re-bound to it.
    """
    server = start_xvfb(tmp_path, "-screen", "0", "2560x1600x24")
    try:
        env = use_display(monkeypatch, server)
        set_xft_dpi(server, 192)
        app = start_app(server, tmp_path, x=1700, y=1000)
        with DesktopDevice.from_spec(None, display_env=env) as desk:
            image = desk.screenshot()
            g = desk.geometry()
            assert (image.size, g.scale, g.density) == ((2560, 1600), 1.0, 192)
            x, y, _, _ = app.widgets["canvas"]
            assert image.getpixel((x + 40, y + 30)) == (255, 0, 255)
            desk.tap(PixelPoint(x + 40, y + 30))
            assert app.wait_prefix("canvas ") == f"canvas {x + 40} {y + 30}"
            stop_app(app)
            server.stop()
            with pytest.raises(DeviceUnreachable, match="went away during tap"):
                desk.tap(PixelPoint(x + 40, y + 30))
    finally:
        server.stop()


def test_explicit_scale_sends_logical_points(xenv: dict[str, str | None], tkapp: TkApp) -> None:
    """scale=2.0 on a 1280x800 Xvfb: the conversion path, checked with a real click.

    Xvfb cannot be a Retina screen (capture and input share X pixels), so this does not
    claim the click lands where a screenshot shows it. What is real: the driver sends
    pixel (2x, 2y) to pyautogui as logical (x, y) through ScreenGeometry.to_logical,
    and Tk reports the button press at (x, y) in X pixels.
    """
    with DesktopDevice.from_spec(None, display_env=xenv, scale=2.0) as desk:
        g = desk.geometry()
        assert (g.width, g.height, g.scale, g.logical_width, g.logical_height) == (
            1280, 800, 2.0, 640, 400)
        x, y, _, _ = tkapp.widgets["canvas"]
        desk.tap(PixelPoint(2 * (x + 10), 2 * (y + 10)))
        assert tkapp.wait_prefix("canvas ") == f"canvas {x + 10} {y + 10}"


@pytest.fixture(scope="module")
def two_monitors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XServer]:
    """Xorg's dummy driver: monitor 1 1280x800 at (0, 0), monitor 2 1024x768 at (1280, 0).

    (Debian 12's Xvfb cannot lay out two monitors: its Xinerama screens all sit at 0,0
    and its single RandR output takes no extra monitors.)
    """
    if not (shutil.which("Xorg") and shutil.which("xrandr")
            and Path("/usr/lib/xorg/modules/drivers/dummy_drv.so").exists()):
        pytest.skip("needs xserver-xorg-core, xserver-xorg-video-dummy, x11-xserver-utils")
    if os.geteuid() != 0:
        pytest.skip("Xorg with a config file of its own needs root")
    tmp = tmp_path_factory.mktemp("xorg")
    (tmp / "conf.d").mkdir()
    server = start_x(["Xorg", "-config", str(XORG_CONF), "-configdir", str(tmp / "conf.d"),
                      "-logfile", str(tmp / "xorg.log"), "-novtswitch", "-sharevts"], tmp)
    try:
        server.run("xrandr", "--addmode", "DUMMY1", "1024x768")
        server.run("xrandr", "--fb", "2304x800", "--output", "DUMMY1", "--mode", "1024x768",
                   "--pos", "1280x0")
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


def test_two_monitors(two_monitors: XServer, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    env = use_display(monkeypatch, two_monitors)
    listed = {d.id: d.description for d in DesktopDevice.discover(display_env=env)}
    assert listed["desktop:1"] == "monitor 1 1280x800+0+0"
    assert listed["desktop:2"] == "monitor 2 1024x768+1280+0"
    assert listed["desktop:0"] == "all monitors 2304x800+0+0"
    app = start_app(two_monitors, tmp_path, x=1400, y=100)   # on monitor 2
    try:
        with DesktopDevice.from_spec("2", display_env=env) as desk:
            image = desk.screenshot()
            g = desk.geometry()
            assert (image.size, g.origin.x, g.origin.y) == ((1024, 768), 1280, 0)
            x, y, _, _ = app.widgets["canvas"]          # screen coordinates
            local = PixelPoint(x - 1280 + 25, y + 15)   # the same point in monitor 2's image
            assert image.getpixel((local.x, local.y)) == (255, 0, 255)
            desk.tap(local)
            assert app.wait_prefix("canvas ") == f"canvas {x + 25} {y + 15}"
        with DesktopDevice.from_spec("0", display_env=env) as whole:
            assert whole.screenshot().size == (2304, 800)
        with DesktopDevice.from_spec(None, display_env=env) as primary:
            assert primary.screenshot().size == (1280, 800)
        with pytest.raises(DeviceNotFound, match="monitors 1..2"):
            DesktopDevice.from_spec("3", display_env=env)
    finally:
        stop_app(app)


def guiagent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guiagent", *args], env=env, text=True,
                          capture_output=True, timeout=60)


def test_cli_screenshot_of_the_desktop(xvfb: XServer, tmp_path: Path) -> None:
    out = tmp_path / "desk.png"
    done = guiagent("screenshot", "-d", "desktop", "-o", str(out), env=xvfb.env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{out} 1280x800"
    with Image.open(out) as image:
        assert image.size == (1280, 800)


@pytest.mark.parametrize(("unset", "extra", "says"), [
    (["DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"], {}, "no X display (DISPLAY is not set)"),
    (["DISPLAY"], {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"},
     "this is a Wayland session"),
    ([], {"DISPLAY": ":4999"}, "cannot open X display :4999"),
])
def test_cli_without_a_usable_display_says_so_in_one_line(
        tmp_path: Path, unset: list[str], extra: dict[str, str], says: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in unset} | extra
    done = guiagent("screenshot", "-d", "desktop", "-o", str(tmp_path / "x.png"), env=env)
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and says in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.slow
def test_doctor_checks_the_display(xvfb: XServer) -> None:
    done = guiagent("doctor", env=xvfb.env())
    assert f"ok   display  X11 {xvfb.display}, primary monitor 1280x800" in done.stdout
    env = {k: v for k, v in xvfb.env().items() if k != "DISPLAY"}
    done = guiagent("doctor", env=env)
    assert "FIX  display  no X display (DISPLAY is not set)" in done.stdout
