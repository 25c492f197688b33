"""The desktop set's dev *variants* part: dev apps' scenes re-rendered with other looks.

Each look changes how text is drawn (font family, size, weight, hinting and antialiasing,
subpixel order, dark and high-contrast themes, a larger text scale) and re-shoots a few of
generate.py's dev scenes under it, with the same harvester and the same rules. GTK apps read
the look from ``$XDG_CONFIG_HOME/gtk-3.0/settings.ini`` and ``GTK_THEME``; Qt apps from
fontconfig (``$XDG_CONFIG_HOME/fontconfig/fonts.conf``) and ``QT_FONT_DPI``; LibreOffice from
GTK's. Only dev apps are used, so this part is for tuning, not a held-out measure.

Runs under Debian's ``/usr/bin/python3`` like generate.py, whose functions it drives:

    /usr/bin/python3 bench/desktop_devset/variants.py [--looks dark,serif] [--display :70]

writes ``images/variants/<look>-<scene>.png`` and ``variants.jsonl`` (rows of the looks it
redid are replaced, the others kept).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


@dataclass(frozen=True)
class Look:
    """How text is drawn: a font (family, style, points), rendering options, theme, scale."""

    scenes: tuple[str, ...]
    family: str = "Cantarell"
    style: str = ""
    points: int = 11
    antialias: bool = True
    hint: str = "hintslight"
    rgba: str = "none"
    theme: str = "Adwaita"
    scale: float = 1.0


LOOKS = {
    "serif": Look(("featherpad-edit", "gedit-saveas", "gnumeric-cells", "thunar-view"),
                  "DejaVu Serif", points=10),
    "small": Look(("qpdfview-settings", "mousepad-prefs", "widgets-1", "calc-format"),
                  "Liberation Sans", points=9),
    "large": Look(("featherpad-find", "terminal-prefs", "galculator", "evince-find"),
                  "Nimbus Sans", points=12),
    "bold": Look(("qpdfview-view", "gedit-open", "mousepad-file", "thunar-prefs"),
                 "Noto Sans", "Bold", points=10),
    "aliased": Look(("featherpad-file", "galculator-prefs", "widgets-1", "gnumeric-format"),
                    "DejaVu Sans", points=10, antialias=False, hint="hintfull"),
    "aliased-bold": Look(("qpdfview-edit", "mousepad-edit", "thunar-file", "gnumeric-file"),
                         "DejaVu Sans", "Bold", points=9, antialias=False, hint="hintfull"),
    "aliased-small": Look(("featherpad-file", "gedit-open", "terminal-edit", "galculator-view"),
                          "Liberation Sans", points=8, antialias=False, hint="hintfull"),
    "subpixel": Look(("gedit-saveas", "mousepad-search", "calc", "eog-1080"),
                     "Noto Sans", points=11, rgba="rgb", hint="hintfull"),
    "dark": Look(("widgets-1", "gedit-open", "thunar-view", "terminal-prefs", "gnumeric-1080"),
                 theme="Adwaita:dark"),
    "contrast": Look(("mousepad-prefs", "galculator", "evince-find", "gnumeric-cells"),
                     theme="HighContrast"),
    "scaled": Look(("featherpad-edit", "gedit-saveas", "widgets-1", "thunar-prefs",
                    "calc-format"), scale=1.25),
    # greyscale smoothing with no hinting, as Java2D and other self-drawing toolkits do
    "unhinted": Look(("featherpad-find", "mousepad-prefs", "thunar-view", "galculator"),
                     "DejaVu Sans", points=10, hint="hintnone"),
    "light": Look(("qpdfview-view", "gedit-saveas", "gnumeric-cells", "terminal-prefs"),
                  "DejaVu Sans Light", points=11, hint="hintfull"),
    "condensed": Look(("featherpad-edit", "mousepad-search", "thunar-prefs", "galculator-view"),
                      "DejaVu Sans Condensed", points=10),
    "tiny": Look(("qpdfview-settings", "gedit-open", "widgets-1", "gnumeric-format"),
                 "Nimbus Sans", points=8),
    "big": Look(("featherpad-file", "mousepad-file", "evince-find", "thunar-file"),
                "Noto Sans", points=14),
    "mono": Look(("featherpad-find", "galculator-prefs", "terminal-edit", "gedit-open"),
                 "DejaVu Sans Mono", points=10, hint="hintfull"),
}


def settings_ini(look: Look) -> str:
    """GTK 3's settings file for the look (read when no settings daemon runs)."""
    font = " ".join(p for p in (look.family, look.style, str(look.points)) if p)
    return ("[Settings]\n"
            f"gtk-font-name = {font}\n"
            f"gtk-xft-antialias = {int(look.antialias)}\n"
            "gtk-xft-hinting = 1\n"
            f"gtk-xft-hintstyle = {look.hint}\n"
            f"gtk-xft-rgba = {look.rgba}\n")


def fonts_conf(look: Look) -> str:
    """fontconfig's user file: the look's family first for sans-serif, its rendering options."""
    bold = '<match target="pattern"><edit name="weight"><const>bold</const></edit></match>'
    aa = "true" if look.antialias else "false"
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            f"<alias><family>sans-serif</family><prefer><family>{look.family}</family>"
            "</prefer></alias>\n"
            f"{bold if look.style == 'Bold' else ''}\n"
            '<match target="font">'
            f'<edit name="antialias"><bool>{aa}</bool></edit>'
            f'<edit name="hintstyle"><const>{look.hint}</const></edit>'
            f'<edit name="rgba"><const>{look.rgba}</const></edit></match>\n'
            "</fontconfig>\n")


def dress(home: Path, look: Look) -> None:
    """Write the look into ``home``'s config and the environment the apps start with."""
    (home / ".config" / "gtk-3.0").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "fontconfig").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "gtk-3.0" / "settings.ini").write_text(settings_ini(look))
    (home / ".config" / "fontconfig" / "fonts.conf").write_text(fonts_conf(look))
    generate.GTK_ENV["GTK_THEME"] = look.theme   # open_scene passes GTK_ENV over os.environ
    os.environ["GDK_DPI_SCALE"] = str(look.scale)
    os.environ["QT_FONT_DPI"] = str(round(96 * look.scale))


def look_scenes(name: str, look: Look, home: Path) -> list[generate.Scene]:
    """The look's scenes from generate.py, renamed ``variants/<look>-<scene>``."""
    base = generate.scenes(home)
    by_name = {s.name: s for s in base + generate.at_full_hd(base)}
    return [generate.Scene(f"variants/{name}-{s.name}", s.argv, s.app, s.keys, s.maximize,
                           s.size, s.label or s.app)
            for s in (by_name[n] for n in look.scenes if n in by_name)]


def shoot_look(name: str, look: Look, display: str, images: Path) -> list[dict]:
    """Every scene of one look, each screen size on its own Xvfb, in a fresh home."""
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="variants-home-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        generate.sample_files(home)
        dress(home, look)
        todo = look_scenes(name, look, home)
        for size, screen in ((generate.SIZE, display),
                             (generate.FULL_HD, generate.next_display(display))):
            group = [s for s in todo if s.size == size]
            if group:
                rows += generate.shoot_all(group, screen, home, images, None)
    for r in rows:
        r["id"] = r["id"].removeprefix("variants/")
        r["look"] = name
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--looks", default="", help="comma-separated looks (default all)")
    ap.add_argument("--display", default=":70")
    args = ap.parse_args()
    looks = [n for n in args.looks.split(",") if n] or list(LOOKS)
    if unknown := [n for n in looks if n not in LOOKS]:
        sys.exit(f"unknown look {unknown[0]!r}: choose from {', '.join(LOOKS)}")
    if len(looks) > 1 or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        each_in_own_session(looks, args.display)
        return
    os.environ.update(generate.GTK_ENV)
    (HERE / "images" / "variants").mkdir(parents=True, exist_ok=True)
    rows = shoot_look(looks[0], LOOKS[looks[0]], args.display, HERE / "images")
    generate.write_jsonl(HERE / "variants.jsonl", rows, replace={r["image"] for r in rows})


def each_in_own_session(looks: list[str], display: str) -> None:
    """One D-Bus session a look: a Qt app reaches AT-SPI reliably only as a session's first
    Qt app, so each look lists its one Qt scene first."""
    if not shutil.which("dbus-run-session"):
        sys.exit("dbus-run-session not found: apt-get install dbus")
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    for name in looks:
        subprocess.run(["dbus-run-session", "--", sys.executable, __file__, "--looks", name,
                        "--display", display], env=env, check=False)


if __name__ == "__main__":
    main()
