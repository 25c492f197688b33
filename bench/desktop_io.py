"""Desktop driver timings on real Xvfb servers; prints figures, asserts nothing.

    python bench/desktop_io.py            # 1280x800 and 1920x1080, 50 captures, 20 clicks
    python bench/desktop_io.py --captures 200 --clicks 50

capture: ``DesktopDevice.screenshot()`` (mss grab + conversion to an RGB PIL image).
click round trip: from calling ``tap()`` on the Tk test window's button until a
screenshot first shows the button's label changed (the app's reaction, visible).
tree walk: ``DesktopDevice.ui_tree()`` (the AT-SPI walk over D-Bus and its XML) on a
1280x800 Xvfb with a private session bus and openbox: galculator's window, and l3afpad's
Save As dialog (a file chooser listing 200 files); needs dbus, at-spi2-core, openbox and
both apps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import ImageChops

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devices import PixelPoint  # noqa: E402
from devices.desktop import DesktopDevice  # noqa: E402

TEST_APP = ROOT / "tests" / "desktop" / "testapp.tcl"


@contextmanager
def xvfb(size: str, tmp: Path) -> Iterator[dict[str, str | None]]:
    """A fresh Xvfb of ``size``; yields the display environment guiagent would pass."""
    xauth = tmp / f"Xauthority-{size}"
    xauth.touch()
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-screen", "0", f"{size}x24", "-displayfd", str(write_fd),
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = f":{pipe.readline().strip()}"
    try:
        yield {"DISPLAY": display, "XAUTHORITY": str(xauth)}
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def tk_app(env: dict[str, str | None], log: Path) -> Iterator[dict[str, tuple[int, ...]]]:
    """The test window; yields its widget boxes (x, y, w, h) in screen pixels."""
    child_env = dict(os.environ, DISPLAY=str(env["DISPLAY"]), XAUTHORITY=str(env["XAUTHORITY"]))
    log.touch()
    proc = subprocess.Popen(["wish", str(TEST_APP), str(log), "100", "80"], env=child_env)
    try:
        while "ready" not in log.read_text(encoding="utf-8"):
            time.sleep(0.02)
        widgets = {}
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("widget "):
                _, name, *box = line.split()
                widgets[name.lstrip(".")] = tuple(int(v) for v in box)
        yield widgets
    finally:
        proc.terminate()
        proc.wait()


def figures(label: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"{label:<34} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   n={len(ms)}"


def time_captures(desk: DesktopDevice, n: int) -> list[float]:
    desk.screenshot()                       # first grab opens the connection
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        desk.screenshot()
        out.append(time.perf_counter() - t0)
    return out


def time_clicks(desk: DesktopDevice, widgets: dict[str, tuple[int, ...]], n: int) -> list[float]:
    bx, by, bw, bh = widgets["press"]
    sx, sy, sw, sh = bx + 180, by, 200, bh   # the status label, right of the button
    out = []
    for _ in range(n):
        before = desk.screenshot().crop((sx, sy, sx + sw, sy + sh))
        t0 = time.perf_counter()
        desk.tap(PixelPoint(bx + bw // 2, by + bh // 2))
        while True:
            now = desk.screenshot().crop((sx, sy, sx + sw, sy + sh))
            if ImageChops.difference(before, now).getbbox() is not None:
                break
            if time.perf_counter() - t0 > 5:
                raise SystemExit("the app did not react to a click within 5 s")
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=50)
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--walks", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in ("1280x800", "1920x1080"):
            run_one(size, Path(tmp), args.captures, args.clicks)
        tree_walks(Path(tmp), args.walks)


@contextmanager
def session_bus(env: dict[str, str | None], tmp: Path) -> Iterator[dict[str, str | None]]:
    """A private D-Bus session (the AT-SPI bus starts on demand inside it)."""
    runtime = tmp / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    child = dict(os.environ, **{k: str(v) for k, v in env.items()},
                 XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(tmp / "config"))
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            env=child, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    child["DBUS_SESSION_BUS_ADDRESS"] = proc.stdout.readline().decode().strip()
    wm = subprocess.Popen(["openbox"], env=child, stderr=subprocess.DEVNULL)  # focus: "active"
    try:
        yield dict(child)
    finally:
        for p in (wm, proc):
            p.terminate()
            p.wait()


def time_walks(desk: DesktopDevice, n: int) -> tuple[list[float], int]:
    desk.screenshot()
    out, nodes = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        xml = desk.ui_tree() or ""
        out.append(time.perf_counter() - t0)
        nodes = xml.count("<node ")
    return out, nodes


def tree_walks(tmp: Path, n: int) -> None:
    with xvfb("1280x800", tmp) as display, session_bus(display, tmp) as env:
        child = {k: str(v) for k, v in env.items() if v is not None}
        for argv, keys, label in ((["galculator"], None, "galculator window"),
                                  (["l3afpad"], "ctrl+shift+s", "l3afpad Save As dialog")):
            for i in range(200):
                (tmp / f"file-{i:03}.txt").touch()
            app = subprocess.Popen(argv, env=child, cwd=tmp, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            try:
                subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--class",
                                argv[0]], env=child, check=True, timeout=20,
                               capture_output=True)
                time.sleep(1.5)
                if keys:
                    subprocess.run(["xdotool", "key", keys], env=child, check=True)
                    time.sleep(2.0)
                with DesktopDevice.from_spec(None, display_env=env) as desk:
                    seconds, nodes = time_walks(desk, n)
                print(figures(f"tree walk {label} ({nodes} nodes)", seconds))
            finally:
                app.terminate()
                app.wait()


def run_one(size: str, tmp: Path, captures: int, clicks: int) -> None:
    with (xvfb(size, tmp) as env, tk_app(env, tmp / f"{size}.log") as widgets,
          DesktopDevice.from_spec(None, display_env=env) as desk):
        print(figures(f"capture {size}", time_captures(desk, captures)))
        print(figures(f"click round trip {size}", time_clicks(desk, widgets, clicks)))

if __name__ == "__main__":
    main()
