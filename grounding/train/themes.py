"""The desktop's own icon pictures for training: freedesktop icon themes and LibreOffice's
command-icon archives, gathered per class of ``iconclasses.yaml``.

Themes are read from /usr/share/icons and from Debian packages unpacked under
``build/themes/root`` (``python -m grounding.train.themes`` downloads and unpacks them);
SVG icons are rasterized once at toolbar sizes with ``rsvg-convert`` into ``build/themes/raster``.
Only the trained weights ship; the pictures stay training data (licences: models/icons.md).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from grounding.train.iconset import CLASSES, class_table

BUILD = Path("build/themes")
ROOTS = (Path("/usr/share/icons"), BUILD / "root/usr/share/icons")
THEMES = ("Adwaita", "Papirus", "breeze", "Tango", "elementary-xfce", "nuoveXT2", "oxygen",
          "gnome", "mate", "Faenza", "Numix")
OFFICE_DIRS = (Path("/usr/lib/libreoffice/share/config"),
               BUILD / "root/usr/lib/libreoffice/share/config")
# Colibre is left out: it is what LibreOffice draws by default, and LibreOffice Writer is an
# application of the held-out evaluation set (bench/desktop_devset/split.json).
OFFICE_THEMES = ("images_sifr.zip", "images_breeze.zip", "images_elementary.zip",
                 "images_karasa_jaga.zip")
DEBS = ("oxygen-icon-theme", "gnome-icon-theme", "mate-icon-theme", "faenza-icon-theme",
        "numix-icon-theme", "libreoffice-style-sifr", "libreoffice-style-breeze",
        "libreoffice-style-elementary", "libreoffice-style-karasa-jaga")
# Some themes redraw named applications' own icons; those of the evaluation set's
# applications are left out so that no figure measures an app's own pictures.
EVAL_APPS = re.compile(r"^(gnumeric|abiword|jedit|kcalc|qalculate|featherpad|mousepad|gedit|"
                       r"eog|evince|xfce4-terminal|libreoffice|soffice)")
SIZE_DIR = re.compile(r"^(16|18|22|24)(x\d+)?$")
VECTOR_DIRS = {"scalable", "symbolic"}
OFFICE_CMD = re.compile(r"^cmd/(sc|lc)_([a-z0-9]+)\.png$")


@dataclass(frozen=True)
class Source:
    """One picture file: a theme file (``member`` empty) or a member of a zip archive."""

    path: Path
    member: str = ""
    size: int = 0   # raster size for SVGs


def _stem(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    return stem.removesuffix("-symbolic")


def _size_of(parts: tuple[str, ...]) -> int | None:
    """16/22/24 for a bitmap size folder, 0 for a scalable one, None for other sizes."""
    for p in parts:
        if m := SIZE_DIR.match(p):
            return int(m[1])
    return 0 if VECTOR_DIRS & set(parts) else None


def theme_sources(names: set[str]) -> dict[str, list[Source]]:
    """freedesktop name -> its pictures in every theme, at 16-24 px or scalable."""
    out: dict[str, list[Source]] = {}
    for root in ROOTS:
        for theme in THEMES:
            for folder, _, files in os.walk(root / theme):
                parts = Path(folder).relative_to(root).parts
                size = _size_of(parts)
                if size is None or "apps" in parts:   # application logos, not actions
                    continue
                for f in sorted(files):
                    stem = _stem(f)
                    if stem not in names or ".symbolic." in f or EVAL_APPS.match(stem):
                        continue
                    if f.endswith(".png") and size:
                        out.setdefault(stem, []).append(Source(Path(folder) / f))
                    elif f.endswith(".svg"):
                        sizes = (size,) if size else (16, 24)
                        out.setdefault(stem, []).extend(Source(Path(folder) / f, size=s)
                                                        for s in sizes)
    return out


def office_sources(commands: set[str]) -> dict[str, list[Source]]:
    """office command -> its small and large pictures in every archive but Colibre."""
    out: dict[str, list[Source]] = {}
    for d in OFFICE_DIRS:
        for name in OFFICE_THEMES:
            if not (d / name).is_file():
                continue
            with zipfile.ZipFile(d / name) as z:
                members = set(z.namelist())
                links = _links(z)
            for cmd in commands:
                for kind in ("sc", "lc"):
                    member = f"cmd/{kind}_{cmd}.png"
                    member = member if member in members else links.get(member, "")
                    if member in members:
                        out.setdefault(cmd, []).append(Source(d / name, member))
    return out


def _links(z: zipfile.ZipFile) -> dict[str, str]:
    try:
        text = z.read("links.txt").decode("utf-8", "replace")
    except KeyError:
        return {}
    return {p[0]: p[1] for line in text.splitlines() if len(p := line.split()) == 2}


def load(src: Source, cache: Path = BUILD / "raster") -> np.ndarray | None:
    """The picture as RGBA uint8 (SVGs rasterized once into ``cache``)."""
    if src.member:
        with zipfile.ZipFile(src.path) as z:
            data = np.frombuffer(z.read(src.member), np.uint8)
        return _rgba(cv2.imdecode(data, cv2.IMREAD_UNCHANGED))
    path = src.path
    if path.suffix == ".svg":
        key = hashlib.sha1(str(src.path).encode()).hexdigest()[:16]
        path = cache / f"{key}-{src.size}.png"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            done = subprocess.run(["rsvg-convert", "-w", str(src.size), "-h", str(src.size),
                                   "-o", str(path), str(src.path)], capture_output=True)
            if done.returncode:
                return None
    return _rgba(cv2.imread(str(path), cv2.IMREAD_UNCHANGED))


def _rgba(img: np.ndarray | None) -> np.ndarray | None:
    if img is None or img.ndim != 3 or min(img.shape[:2]) < 8:
        return None
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.shape[2] == 3:
        img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    rgba = img[:, :, [2, 1, 0, 3]]
    return rgba if int(rgba[:, :, 3].max()) > 0 else None


def pictures(cache: Path = BUILD / "pictures") -> dict[str, list[np.ndarray]]:
    """Every class of the table -> RGBA pictures of it from the themes (may be empty); kept
    in ``cache`` per version of the class table (gathering them takes minutes)."""
    key = hashlib.sha1(CLASSES.read_bytes() + repr((ROOTS, THEMES, OFFICE_THEMES)).encode())
    path = cache / f"{key.hexdigest()[:16]}.pkl"
    if path.is_file():
        with path.open("rb") as f:
            return pickle.load(f)  # noqa: S301 (our own build output)
    out = _gather()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(out, f)
    os.replace(tmp, path)
    return out


def _gather() -> dict[str, list[np.ndarray]]:
    table = class_table()
    fd = theme_sources({n for c in table.values() for n in c.get("fd", [])})
    office = office_sources({n for c in table.values() for n in c.get("office", [])})
    out: dict[str, list[np.ndarray]] = {}
    taken: set[Source] = set()   # a file two classes name stays with the first
    for label, entry in table.items():
        srcs = [s for n in entry.get("fd", []) for s in fd.get(n, [])]
        srcs += [s for n in entry.get("office", []) for s in office.get(n, [])]
        srcs = [s for s in dict.fromkeys(srcs) if s not in taken]
        taken |= set(srcs)
        out[label] = _unique([p for s in srcs if (p := load(s)) is not None])
    return out


def _unique(pics: list[np.ndarray]) -> list[np.ndarray]:
    """Drop byte-identical duplicates (themes inherit and copy each other's files)."""
    seen: dict[bytes, np.ndarray] = {}
    for p in pics:
        seen.setdefault(p.tobytes() + bytes(p.shape[:2]), p)
    return list(seen.values())


def fetch(dest: Path = BUILD) -> None:
    """Download the Debian theme packages and unpack them under ``dest/root``."""
    debs = dest / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBS], cwd=debs, check=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(dest / "root")], check=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="fetch the icon themes, or count pictures")
    ap.add_argument("--fetch", action="store_true", help="apt-get download and unpack")
    args = ap.parse_args(argv)
    if args.fetch:
        fetch()
    for label, pics in sorted(pictures().items(), key=lambda kv: len(kv[1])):
        print(f"{label:24s} {len(pics)}")


if __name__ == "__main__":
    main()
