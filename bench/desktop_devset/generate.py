"""Build the desktop grounding dev set: real Debian apps under Xvfb, AT-SPI as ground truth.

Runs under Debian's ``/usr/bin/python3`` (python3-pyatspi, python3-pil), not the project's
interpreter; see README.md here. It starts its own Xvfb and D-Bus session, opens each scene
(an app, maybe a menu or dialog), screenshots it, walks the accessibility tree and writes
``images/<scene>.png`` plus ``devset.jsonl`` (one instruction with its ground-truth box a line).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SIZE = (1280, 800)
FULL_HD = (1920, 1080)
SPLIT = HERE / "split.json"   # which apps are dev and which are held out
GTK_ENV = {"GTK_A11Y": "atspi", "NO_AT_BRIDGE": "0", "GDK_BACKEND": "x11",
           "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1",
           "SAL_USE_VCLPLUGIN": "gtk3", "JAVA_TOOL_OPTIONS":  # libatk-wrapper-java's bridge
           "-Xbootclasspath/a:/usr/share/java/java-atk-wrapper.jar "
           "-Djavax.accessibility.assistive_technologies=org.GNOME.Accessibility.AtkWrapper",
           "GTK_THEME": "Adwaita",
           "GSETTINGS_BACKEND": "memory", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


TRIES, REGISTER_S = 3, 15.0   # starts of an app per scene; seconds to wait for it in AT-SPI
MIN_CHANGE = 1500   # pixels a scene's steps must change: a one-item menu ~5000, a caret ~200


class SceneFailed(RuntimeError):
    """A scene that gave no rows: its app did not show, or its steps did not open anything."""


@dataclass(frozen=True)
class Scene:
    """One screenshot: a command, the AT-SPI app name to wait for, then steps to take.

    A step is an xdotool key name (``ctrl+o``) or a click at a screen point (``@x,y``).
    ``label`` names the app in the rows and split.json when AT-SPI's name is shared by
    several apps (LibreOffice's Writer, Calc and Impress are all ``soffice``).
    ``settle`` is waited before looking for the app's window.
    """

    name: str
    argv: tuple[str, ...]
    app: str
    keys: tuple[str, ...] = ()
    maximize: bool = True
    size: tuple[int, int] = SIZE
    label: str = ""
    settle: float = 0.0   # seconds a slow starter (a splash, then a late main window) needs


def scenes(files: Path) -> list[Scene]:
    """The app states the dev set covers; ``files`` holds a sample text, image and PDF."""
    txt, png, pdf = (str(files / n) for n in ("notes.txt", "photo.png", "report.pdf"))
    gedit, mousepad = ("gedit", "--new-window", txt), ("mousepad", txt)
    term = ("xfce4-terminal", "--disable-server")
    wf = ("gtk3-widget-factory",)
    return [
        Scene("gedit", gedit, "gedit"),
        Scene("gedit-menu", gedit, "gedit", ("F10",)),
        Scene("gedit-open", gedit, "gedit", ("ctrl+o",)),
        Scene("gedit-saveas", gedit, "gedit", ("ctrl+shift+s",)),
        Scene("gedit-prefs", gedit, "gedit", ("F10", "@1120,393")),
        Scene("gedit-sidepanel", gedit, "gedit", ("F9",)),
        Scene("mousepad-file", mousepad, "mousepad", ("alt+f",)),
        Scene("mousepad-edit", mousepad, "mousepad", ("alt+e",)),
        Scene("mousepad-search", mousepad, "mousepad", ("alt+s",)),
        Scene("mousepad-view", mousepad, "mousepad", ("alt+v",)),
        Scene("mousepad-document", mousepad, "mousepad", ("alt+d",)),
        Scene("mousepad-prefs", mousepad, "mousepad", ("alt+e", "Up", "Return")),
        Scene("mousepad-toolbar", mousepad, "mousepad", ("alt+v", "@237,150")),
        Scene("mousepad-find", mousepad, "mousepad", ("alt+v", "@237,150", "ctrl+r")),
        Scene("terminal-file", term, "xfce4-terminal", ("alt+f",)),
        Scene("terminal-edit", term, "xfce4-terminal", ("alt+e",)),
        Scene("terminal-view", term, "xfce4-terminal", ("alt+v",)),
        Scene("terminal-terminal", term, "xfce4-terminal", ("alt+t",)),
        Scene("terminal-prefs", term, "xfce4-terminal", ("alt+e", "Up", "Return")),
        Scene("terminal-toolbar", term, "xfce4-terminal", ("alt+v", "@194,67")),
        Scene("eog", ("eog", png), "eog"),
        Scene("eog-menu", ("eog", png), "eog", ("@1125,27",)),
        Scene("evince", ("evince", pdf), "evince"),
        Scene("evince-menu", ("evince", pdf), "evince", ("@1125,27",)),
        Scene("evince-find", ("evince", pdf), "evince", ("ctrl+f",)),
        Scene("widgets-1", wf, "gtk3-widget-factory"),
        Scene("widgets-2", wf, "gtk3-widget-factory", ("@672,27",)),
        Scene("widgets-3", wf, "gtk3-widget-factory", ("@793,27",)),
        Scene("widgets-menu", wf, "gtk3-widget-factory", ("@1190,27",)),
        *more_scenes(files),
    ]


def more_scenes(files: Path) -> list[Scene]:
    """Apps beyond the first six, across toolkits (GTK 3, Qt, Swing, LibreOffice)."""
    txt = str(files / "notes.txt")
    fp, lo = ("featherpad", txt), ("libreoffice", "--writer", "--norestore", "--nologo")
    return [
        Scene("gnumeric", ("gnumeric",), "gnumeric"),
        Scene("gnumeric-file", ("gnumeric",), "gnumeric", ("alt+f",)),
        Scene("gnumeric-format", ("gnumeric",), "gnumeric", ("alt+o",)),
        Scene("gnumeric-cells", ("gnumeric",), "gnumeric", ("ctrl+1",)),
        Scene("featherpad", fp, "FeatherPad"),
        Scene("featherpad-file", fp, "FeatherPad", ("alt+f",)),
        Scene("featherpad-edit", fp, "FeatherPad", ("alt+e",)),
        Scene("featherpad-find", fp, "FeatherPad", ("ctrl+f",)),
        Scene("kcalc", ("kcalc",), "kcalc"),
        Scene("kcalc-settings", ("kcalc",), "kcalc", ("alt+s",)),
        Scene("qalculate", ("qalculate-gtk",), "qalculate-gtk"),
        Scene("abiword", ("abiword", txt), "abiword"),
        Scene("abiword-format", ("abiword", txt), "abiword", ("alt+o",)),
        Scene("abiword-insert", ("abiword", txt), "abiword", ("alt+i",)),
        Scene("jedit", ("jedit", "-nosplash", txt), "jEdit"),
        Scene("jedit-file", ("jedit", "-nosplash", txt), "jEdit", ("@15,10",)),  # a Swing menu
        Scene("writer", lo, "soffice"),
        Scene("writer-format", lo, "soffice", ("alt+o",)),
        *office_scenes(),
        *toolkit_scenes(files),
        *swing_scenes(),
    ]


def office_scenes() -> list[Scene]:
    """LibreOffice Calc and Impress: toolbars shared with Writer, named apart from it."""
    calc = ("libreoffice", "--calc", "--norestore", "--nologo")
    impress = ("libreoffice", "--impress", "--norestore", "--nologo")
    return [
        Scene("calc", calc, "soffice", label="localc"),
        Scene("calc-format", calc, "soffice", ("alt+o",), label="localc"),
        Scene("impress", impress, "soffice", ("Escape",), label="loimpress"),
        Scene("impress-insert", impress, "soffice", ("Escape", "alt+i"), label="loimpress"),
    ]


SWINGSET = "/usr/lib/jvm/java-17-openjdk-amd64/demo/jfc/SwingSet2/SwingSet2.jar"
NIMBUS = "-Dswing.defaultlaf=javax.swing.plaf.nimbus.NimbusLookAndFeel"
FREEPLANE = "freeplaneFunctions"   # Swing apps are named after their window: the shipped map


def swing_scenes() -> list[Scene]:
    """Java Swing dev apps (Java2D's own text, Metal and Nimbus looks): SwingSet2's widget
    demos, menus, toolbar and tabs (openjdk-17-demo), and Freeplane's mind-map editor. Menus
    are opened by a click: with no window manager, Swing does not take xdotool's Alt keys."""
    metal, nimbus = ("java", "-jar", SWINGSET), ("java", NIMBUS, "-jar", SWINGSET)
    fp, late = ("freeplane",), 25.0
    return [
        Scene("swingset", metal, "SwingSet2", label="swingset2"),
        Scene("swingset-file", metal, "SwingSet2", ("@295,79",), label="swingset2"),
        Scene("swingset-laf", metal, "SwingSet2", ("@348,79",), label="swingset2"),
        Scene("swingset-nimbus", nimbus, "SwingSet2", label="swingset2"),
        Scene("swingset-nimbus-options", nimbus, "SwingSet2", ("@464,79",), label="swingset2"),
        Scene("freeplane", fp, FREEPLANE, label="freeplane", settle=late),
        Scene("freeplane-edit", fp, FREEPLANE, ("@53,11",), label="freeplane", settle=late),
        Scene("freeplane-format", fp, FREEPLANE, ("@144,11",), label="freeplane",
              settle=late),
    ]


def toolkit_scenes(files: Path) -> list[Scene]:
    """Dev apps of other kinds: a calculator's keys (galculator, at its own size), a file
    manager's list, column headings and path bar (Thunar), a Qt document viewer (qpdfview)."""
    calc, thunar = ("galculator",), ("thunar", str(files))
    pdfview = ("qpdfview", "--unique", str(files / "report.pdf"))
    return [
        Scene("galculator", calc, "galculator", maximize=False),
        Scene("galculator-view", calc, "galculator", ("alt+v",), maximize=False),
        Scene("galculator-edit", calc, "galculator", ("alt+e",), maximize=False),
        Scene("galculator-prefs", calc, "galculator", ("alt+e", "Up", "Return"), maximize=False),
        Scene("thunar", thunar, "thunar", ("ctrl+2",)),
        Scene("thunar-file", thunar, "thunar", ("ctrl+2", "alt+f")),
        Scene("thunar-view", thunar, "thunar", ("alt+v",)),
        Scene("thunar-prefs", thunar, "thunar", ("alt+e", "Up", "Return")),
        Scene("qpdfview", pdfview, "qpdfview"),
        Scene("qpdfview-view", pdfview, "qpdfview", ("alt+v",)),
        Scene("qpdfview-edit", pdfview, "qpdfview", ("alt+e",)),
        Scene("qpdfview-settings", pdfview, "qpdfview", ("alt+e", "Up", "Return")),
        *unlike_scenes(files),
    ]


def unlike_scenes(files: Path) -> list[Scene]:
    """Dev apps unlike the others: a second calculator's keypad of symbols and functions
    (mate-calc), a rich-text notebook's formatting toolbar and page (Zim, GTK 3) and a KDE
    Frameworks character table (kcharselect)."""
    mate, zim, kchar = ("mate-calc",), ("zim", str(files / "Notebook")), ("kcharselect",)
    return [
        Scene("matecalc", mate, "mate-calc", maximize=False),
        Scene("matecalc-mode", mate, "mate-calc", ("alt+m",), maximize=False),
        Scene("matecalc-advanced", mate, "mate-calc", ("alt+m", "Down", "Return"),
              maximize=False),
        Scene("matecalc-financial", mate, "mate-calc", ("alt+m", "Down", "Down", "Return"),
              maximize=False),
        Scene("matecalc-menu", mate, "mate-calc", ("alt+c",), maximize=False),
        Scene("zim", zim, "zim"),
        Scene("zim-format", zim, "zim", ("alt+f", "Right", "Right", "Right", "Right")),
        Scene("zim-insert", zim, "zim", ("alt+i",)),
        Scene("zim-prefs", zim, "zim", ("alt+e", "Up", "Return")),
        Scene("kcharselect", kchar, "kcharselect"),
        Scene("kcharselect-file", kchar, "kcharselect", ("alt+f",)),
        Scene("kcharselect-edit", kchar, "kcharselect", ("alt+e",)),
        Scene("kcharselect-settings", kchar, "kcharselect", ("alt+s",)),
    ]


def at_full_hd(all_scenes: list[Scene]) -> list[Scene]:
    """Each scene reached by keys alone, again at 1920x1080 (clicks are placed for 1280x800)."""
    return [Scene(f"{s.name}-1080", s.argv, s.app, s.keys, s.maximize, FULL_HD, s.label,
                  s.settle)
            for s in all_scenes if not any(k.startswith("@") for k in s.keys)]


def sample_files(folder: Path) -> None:
    """A text file, a photo-like image and a two-page PDF for the viewers to open."""
    from PIL import Image, ImageDraw

    (folder / "notes.txt").write_text("Shopping list\n- apples\n- bread\n- coffee\n")
    for sub in ("Documents", "Downloads", "Music", "Pictures"):
        (folder / sub).mkdir(exist_ok=True)
    img = Image.new("RGB", (640, 420), (70, 130, 180))
    draw = ImageDraw.Draw(img)
    draw.ellipse((420, 40, 560, 180), fill=(250, 220, 90))
    draw.polygon([(0, 420), (220, 170), (420, 420)], fill=(60, 110, 60))
    draw.polygon([(260, 420), (470, 210), (640, 420)], fill=(40, 90, 50))
    img.save(folder / "photo.png")
    pages = [Image.new("RGB", (595, 842), "white") for _ in range(2)]
    for i, page in enumerate(pages):
        ImageDraw.Draw(page).text((60, 60), f"Quarterly report, page {i + 1}", fill="black")
    pages[0].save(folder / "report.pdf", save_all=True, append_images=pages[1:])
    notebook(folder / "Notebook")


def notebook(folder: Path) -> None:
    """A Zim notebook of one page with headings, bold, italic and a list."""
    folder.mkdir(exist_ok=True)
    (folder / "notebook.zim").write_text("[Notebook]\nname=Notebook\nhome=Home\n")
    (folder / "Home.txt").write_text(
        "Content-Type: text/x-zim-wiki\nWiki-Format: zim 0.6\n\n====== Home ======\n\n"
        "Plans for the **weekend** trip to the //coast//.\n\n===== Packing =====\n"
        "* sun cream\n* towels\n* a __good__ book\n\nLeave at nine, back on Sunday.\n")


def start_xvfb(display: str, size: tuple[int, int]) -> subprocess.Popen:
    """An Xvfb of ``size`` on ``display``; waits until it answers."""
    if subprocess.run(["xdpyinfo", "-display", display], capture_output=True).returncode == 0:
        sys.exit(f"display {display} is taken: pass --display with a free one")
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size[0]}x{size[1]}x24",
                             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(50):
        if subprocess.run(["xdpyinfo", "-display", display], capture_output=True).returncode == 0:
            return proc
        time.sleep(0.1)
    proc.kill()
    sys.exit(f"Xvfb did not start on {display}: is the display free?")


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True).stdout.strip()


def start(scene: Scene, home: Path) -> tuple[subprocess.Popen, str]:
    """Start the scene's app and size its window to the screen; the process and window."""
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               **GTK_ENV)
    proc = subprocess.Popen(scene.argv, env=env, cwd=home, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(scene.settle)
    try:
        wid = wait_window(proc.pid)
    except RuntimeError:
        close(proc)
        raise
    if scene.maximize:
        xdotool("windowmove", wid, "0", "0")
        xdotool("windowsize", wid, str(scene.size[0]), str(scene.size[1]))
    time.sleep(1.5)
    xdotool("windowfocus", "--sync", wid)
    return proc, wid


def take_steps(scene: Scene, proc: subprocess.Popen, wid: str, display: str) -> None:
    """Press the scene's keys and clicks; fail when they changed nothing on screen (the menu
    or dialog the scene is named after did not open: its shot would be the main window's)."""
    before = grab(display) if scene.keys else None
    size = scene.size
    for step in scene.keys:
        if step.startswith("@"):
            x, y = step[1:].split(",")
            xdotool("mousemove", "--sync", x, y, "click", "1")
            xdotool("mousemove", str(size[0] - 1), str(size[1] - 1))  # no hover highlight
        else:
            xdotool("key", "--clearmodifiers", step)
        time.sleep(1.0)
    fit_windows(proc.pid, wid, size)
    for corner in ((size[0] - 1, size[1] - 1), (size[0] - 2, size[1] - 2)):
        xdotool("mousemove", str(corner[0]), str(corner[1]))  # hides keyboard-mode tooltips
        time.sleep(0.3)
    time.sleep(1.5)
    if before is not None and changed(before, grab(display)) < MIN_CHANGE:
        raise SceneFailed(f"its steps {' '.join(scene.keys)} changed nothing on screen")


def changed(before: Image.Image, after: Image.Image) -> int:
    """How many pixels differ between two screenshots of one screen."""
    a, b = np.asarray(before.convert("RGB")), np.asarray(after.convert("RGB"))
    if a.shape != b.shape:
        return a.shape[0] * a.shape[1]
    return int((a != b).any(axis=2).sum())


def fit_windows(pid: int, main: str, size: tuple[int, int]) -> None:
    """Move dialogs that stick out of the screen (no window manager places them) inside it."""
    for wid in xdotool("search", "--onlyvisible", "--pid", str(pid), "--name", ".").split():
        geo = dict(line.split("=") for line in
                   xdotool("getwindowgeometry", "--shell", wid).splitlines() if "=" in line)
        x, y, w, h = (int(geo[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        if wid == main or (x >= 0 and y >= 0 and x + w <= size[0] and y + h <= size[1]):
            continue
        w, h = min(w, size[0] - 100), min(h, size[1] - 80)
        xdotool("windowsize", wid, str(w), str(h))
        xdotool("windowmove", wid, str((size[0] - w) // 2), str((size[1] - h) // 2))


def wait_window(pid: int, timeout: float = 40.0) -> str:
    """The first visible X window of process ``pid``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ids = xdotool("search", "--onlyvisible", "--pid", str(pid), "--name", ".").split()
        if ids:
            time.sleep(1.0)
            return ids[0]
        time.sleep(0.3)
    raise RuntimeError(f"no window from pid {pid} after {timeout:.0f} s")


def close(proc: subprocess.Popen) -> None:
    """Stop an app started by start (its whole process group)."""
    try:
        os.killpg(proc.pid, 15)
        proc.wait(5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass


def grab(display: str) -> Image.Image:
    from PIL import ImageGrab

    return ImageGrab.grab(xdisplay=display).convert("RGB")


def run(out: Path, display: str, only: set[str], dumps: Path | None) -> list[str]:
    """Every scene: open, screenshot, harvest the tree, close; then write the two parts.
    The scenes that failed, by name."""
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="devset-home-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        sample_files(home)
        todo = [s for s in all_scenes(home) if not only or s.name in only]
        for size, screen in ((SIZE, display), (FULL_HD, next_display(display))):
            group = [s for s in todo if s.size == size]
            if group:
                rows += shoot_all(group, screen, home, images, dumps, failed)
    write_parts(out, rows, replace={r["image"] for r in rows})
    return failed


def all_scenes(home: Path) -> list[Scene]:
    base = scenes(home)
    return base + at_full_hd(base)


def each_in_own_session(names: list[str], argv: list[str]) -> list[str]:
    """Each scene by a run of this script in a D-Bus session, AT-SPI registry and Xvfb of its
    own: one app's leftovers (a registry that stopped listing apps, a Qt app that never
    registered) cannot cost the next scene. The scenes that failed."""
    if not shutil.which("dbus-run-session"):
        sys.exit("dbus-run-session not found: apt-get install dbus")
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    failed = []
    for name in names:
        done = subprocess.run(["dbus-run-session", "--", sys.executable, __file__, *argv,
                               "--scenes", name, "--in-session"], env=env, check=False)
        failed += [name] if done.returncode else []
    return failed


def next_display(display: str) -> str:
    return f":{int(display.lstrip(':')) + 1}"


def shoot_all(group: list[Scene], display: str, home: Path, images: Path,
              dumps: Path | None, failed: list[str] | None = None) -> list[dict]:
    """Scenes of one screen size on their own Xvfb. A scene that gives no rows is named on a
    FAILED line and in ``failed``, never left out silently."""
    xvfb = start_xvfb(display, group[0].size)
    os.environ["DISPLAY"] = display
    rows: list[dict] = []
    try:
        for scene in group:
            try:
                found = scene_rows(scene, display, home, images, dumps)
            except SceneFailed as exc:
                print(f"{scene.name}: FAILED ({exc})", flush=True)
                (failed if failed is not None else []).append(scene.name)
                continue
            rows += [dict(id=f"{scene.name}-{i:03d}", image=f"images/{scene.name}.png",
                          app=scene.label or scene.app, size=list(scene.size), **t)
                     for i, t in enumerate(found)]
            print(f"{scene.name}: {len(found)} instructions "
                  f"({sum(t['icon'] for t in found)} icon)", flush=True)
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    return rows


def scene_rows(scene: Scene, display: str, home: Path, images: Path,
               dumps: Path | None) -> list[dict]:
    """Open the scene, shoot and harvest it. An app that shows no accessible application in
    time (a Qt app sometimes never registers with AT-SPI when it starts) is started anew, up
    to TRIES times; then the scene fails (SceneFailed)."""
    import harvest

    shot = images / f"{scene.name}.new.png"   # replaces the old one once harvested
    why = ""
    for _ in range(TRIES):
        try:
            found = shot_rows(scene, display, home, shot, dumps, harvest)
        except RuntimeError as exc:
            why = str(exc)
            shot.unlink(missing_ok=True)
            print(f"{scene.name}: {why}; starting it again", flush=True)
            continue
        shot.replace(images / f"{scene.name}.png")
        return found
    raise SceneFailed(f"{why}; tried {TRIES} times")


def shot_rows(scene: Scene, display: str, home: Path, shot: Path, dumps: Path | None,
              harvest: object) -> list[dict]:
    """One try at a scene: start the app, wait for it in AT-SPI, take the steps, shoot, walk."""
    proc, wid = start(scene, home)
    try:
        harvest.find_app(scene.app, REGISTER_S)   # type: ignore[attr-defined]
        take_steps(scene, proc, wid, display)
        grab(display).save(shot, optimize=True)
        dump = dumps / f"{scene.name.replace('/', '-')}.txt" if dumps else None
        found = harvest.harvest(scene.app, shot, dump)   # type: ignore[attr-defined]
    finally:
        close(proc)
        time.sleep(0.5)
    if menus_only(scene, found):
        found = [t for t in found if "menu" in t["role"]]
    if not found:
        raise SceneFailed("no instruction came out of its screen")
    return found


def menus_only(scene: Scene, found: list[dict]) -> bool:
    """LibreOffice with a menu open (opened by a key, or its items on screen) keeps only the
    menus' targets: meanwhile it reports everything else (toolbars, sidebar) shifted up by
    the menu bar's height, so their boxes would be wrong."""
    keyed = any(k.startswith("alt+") or k == "F10" for k in scene.keys)
    shown = any(t["role"].endswith("menu item") for t in found)
    return scene.app == "soffice" and (keyed or shown)


def write_parts(out: Path, rows: list[dict], replace: set[str]) -> None:
    """devset.jsonl gets the dev apps' rows, heldout.jsonl the held-out apps' (split.json)."""
    split = json.loads(SPLIT.read_text())
    for part, name in (("dev", "devset.jsonl"), ("heldout", "heldout.jsonl")):
        apps = set(split[part])
        write_jsonl(out / name, [r for r in rows if r["app"] in apps], replace)


def thinned(rows: list[dict], share: float = 0.35) -> list[dict]:
    """At most ``share`` of the rows icon-only: icon rows beyond it dropped evenly over the
    part (by id), so every screen keeps some. Rows already within the share stay as they are."""
    icons = [r for r in rows if r["icon"]]
    most = round(share / (1 - share) * (len(rows) - len(icons)))
    if len(icons) <= most:
        return rows
    step = len(icons) / most
    keep = {icons[int(i * step)]["id"] for i in range(most)}
    return [r for r in rows if not r["icon"] or r["id"] in keep]


def write_jsonl(path: Path, rows: list[dict], replace: set[str]) -> None:
    """Write rows, keeping earlier rows of images this run did not redo."""
    kept = []
    if path.exists():
        kept = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        kept = [r for r in kept if r["image"] not in replace]
    rows = thinned(sorted(kept + rows, key=lambda r: r["id"]))
    tmp = path.with_suffix(".tmp")   # others read the part while it is regenerated
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    tmp.replace(path)
    icons = sum(r["icon"] for r in rows)
    print(f"{path}: {len(rows)} instructions, {icons} icon ({icons / max(len(rows), 1):.0%})")


def relabel(folder: Path) -> None:
    """Give every saved row the kind its screenshot shows now (drawn.kind), without the apps:
    a row whose box draws another kind is phrased anew as that kind, one that draws neither
    is dropped; ids, boxes and the other rows stay as they are. No icon thinning here: the
    rows it would drop are good targets, not an excess of harvested icons."""
    import relabel as rl

    for name in ("devset.jsonl", "heldout.jsonl", "variants.jsonl"):
        path = folder / name
        if name == "variants.jsonl" and not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        out, moved = rl.relabelled(rows, folder)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out))
        tmp.replace(path)
        print(f"{path}: {len(rows)} rows, {moved} changed kind, {len(rows) - len(out)} dropped")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--display", default=":57")
    ap.add_argument("--scenes", default="", help="comma-separated scene names (default all)")
    ap.add_argument("--dump", type=Path, help="write each scene's raw AT-SPI walk here")
    ap.add_argument("--relabel", action="store_true",
                    help="recompute each saved row's kind from its screenshot; no apps run")
    ap.add_argument("--in-session", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    if args.relabel:
        relabel(args.out)
        return
    names = [s for s in args.scenes.split(",") if s]
    known = [s.name for s in all_scenes(Path("home"))]
    if unknown := [n for n in names if n not in known]:
        sys.exit(f"unknown scene {unknown[0]!r}: the scenes are listed in generate.py")
    if args.in_session:
        os.environ.update(GTK_ENV)
        failed = run(args.out, args.display, set(names), args.dump)
    else:
        dump = ["--dump", str(args.dump)] if args.dump else []
        failed = each_in_own_session(names or known, ["--out", str(args.out), "--display",
                                                      args.display, *dump])
    if failed:
        sys.exit(f"{len(failed)} scene(s) FAILED, their rows are not in the set: "
                 f"{','.join(failed)}; redo them with --scenes {','.join(failed)}")


if __name__ == "__main__":
    main()
