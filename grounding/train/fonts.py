"""Where the training fonts are, and which glyphs each icon class is drawn from.

Icon fonts: Debian's Material Icons (Apache-2.0), the fonts that the
``qtawesome`` wheel ships (Font Awesome Free 5/6: OFL/CC-BY-4.0; Material
Design Icons; Phosphor: MIT; Remix Icon: Apache-2.0; Codicons: CC-BY-4.0) and
two line-icon webfonts from npm (Lucide: ISC; Tabler Icons: MIT), fetched by
``python -m grounding.train.fonts DIR``. Only the trained weights ship; the
fonts stay training data.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grounding.train.iconset import FAMILIES, parse_table

MATERIAL_TTF = Path("/usr/share/fonts/truetype/material-design-icons-iconfont/"
                    "MaterialIcons-Regular.ttf")
MATERIAL_CODEPOINTS = Path("/usr/share/fonts-material-design-icons-iconfont/scss/"
                           "_variables.scss")
TEXT_FONT_DIRS = (Path("/usr/share/fonts/truetype/roboto"),
                  Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
QTA_FONTS = {
    "fa": ("fontawesome5-solid-webfont", "fontawesome5-regular-webfont",
           "fontawesome6-solid-webfont", "fontawesome6-regular-webfont"),
    "mdi": ("materialdesignicons6-webfont",),
    "ph": ("phosphor",),
    "ri": ("remixicon",),
    "msc": ("codicon",),
}
TEXT_FONT_NAME = re.compile(r"(Roboto-|RobotoCondensed-|DejaVuSans[.-]|NotoSans-|NotoSerif-)")
EXTRA_OTHER = ("elusiveicons-webfont", "fontawesome6-brands-webfont")
VARIANTS = {"ph": ("", "-bold", "-fill", "-light", "-thin"), "ri": ("-line", "-fill", ""),
            "mdi": ("", "-outline")}
# npm webfonts: package -> (folder inside the package, font files)
NPM = {"lucide-static@1.62.0": ("package/font", ("lucide.ttf",)),
       "@tabler/icons-webfont@3.49.0": ("package/dist", ("tabler-icons.ttf", "tabler-icons-300.ttf",
                                                         "tabler-icons-200.ttf",
                                                         "tabler-icons-filled.ttf"))}
_npm_dir = Path("build/iconfonts")


@dataclass(frozen=True)
class Glyph:
    """One drawable icon: a font file and the character that draws it."""

    font: str
    char: str
    name: str


class FontsMissing(RuntimeError):
    """The training fonts are not installed (see the model card for the setup)."""


def _qta_dir() -> Path:
    spec = importlib.util.find_spec("qtawesome")
    if spec is None or not spec.submodule_search_locations:
        raise FontsMissing("training needs the qtawesome wheel's fonts: pip install --no-deps "
                           "qtawesome")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts"


def _qta_font(stem: str) -> tuple[Path, dict[str, str]]:
    fonts = _qta_dir()
    ttf = next(fonts.glob(f"{stem}-[0-9]*.ttf"), None)
    charmap = next(fonts.glob(f"{stem}-charmap-*.json"), None)
    if ttf is None or charmap is None:
        raise FontsMissing(f"qtawesome has no font {stem}")
    raw = json.loads(charmap.read_text())
    return ttf, {k: chr(int(v, 16)) for k, v in raw.items()}


def _material() -> tuple[Path, dict[str, str]]:
    if not MATERIAL_TTF.is_file():
        raise FontsMissing("apt-get install fonts-material-design-icons-iconfont")
    pairs = re.findall(r'"(\w+)":\s*([0-9a-f]+)', MATERIAL_CODEPOINTS.read_text())
    return MATERIAL_TTF, {k: chr(int(v, 16)) for k, v in pairs}


def use_npm_dir(path: Path) -> None:
    """Where ``python -m grounding.train.fonts DIR`` unpacked the npm icon fonts."""
    global _npm_dir
    _npm_dir = path
    family_fonts.cache_clear()
    resolve.cache_clear()
    other_glyphs.cache_clear()


def _unpacked(package: str) -> Path:
    return _npm_dir / package.rsplit("@", 1)[0].replace("/", "+")


def _lucide() -> tuple[Path, dict[str, str]]:
    root = _unpacked("lucide-static@") / "package/font"
    if not (root / "lucide.ttf").is_file():
        raise FontsMissing(f"no Lucide font in {root}: python -m grounding.train.fonts {_npm_dir}")
    raw = json.loads((root / "codepoints.json").read_text())
    return root / "lucide.ttf", {k: chr(int(v)) for k, v in raw.items()}


def _tabler() -> list[tuple[Path, dict[str, str]]]:
    root = _unpacked("@tabler/icons-webfont@") / "package/dist"
    out = []
    for ttf in NPM["@tabler/icons-webfont@3.49.0"][1]:
        css = root / ttf.replace(".ttf", ".css")
        if not css.is_file():
            raise FontsMissing(f"no Tabler font in {root}: python -m grounding.train.fonts "
                               f"{_npm_dir}")
        pairs = re.findall(r'\.ti-([\w-]+):before\s*{\s*content:\s*"\\([0-9a-f]+)"',
                           css.read_text())
        out.append((root / "fonts" / ttf, {k: chr(int(v, 16)) for k, v in pairs}))
    return out


@cache
def family_fonts() -> dict[str, list[tuple[Path, dict[str, str]]]]:
    """Each family's fonts with their name -> character maps."""
    out: dict[str, list[tuple[Path, dict[str, str]]]] = {"material": [_material()]}
    for fam, stems in QTA_FONTS.items():
        out[fam] = [_qta_font(s) for s in stems]
    out["lucide"], out["tabler"] = [_lucide()], _tabler()
    out["extra"] = [_qta_font(s) for s in EXTRA_OTHER]
    return out


def _names(fam: str, base: str) -> list[str]:
    return [base + suffix for suffix in VARIANTS.get(fam, ("",))]


@cache
def resolve() -> dict[str, list[Glyph]]:
    """Every class label -> the glyphs that draw it, across all families."""
    out: dict[str, list[Glyph]] = {}
    for label, per_family in parse_table().items():
        glyphs = []
        for fam in FAMILIES:
            for ttf, cmap in family_fonts()[fam]:
                for base in per_family[fam]:
                    glyphs += [Glyph(str(ttf), cmap[n], n) for n in _names(fam, base) if n in cmap]
        out[label] = glyphs
    return out


def _taken(name: str, bases: set[str]) -> bool:
    parts = re.split(r"[-_]", name)
    return any("-".join(parts[:i]) in bases or "_".join(parts[:i]) in bases
               for i in range(1, len(parts) + 1))


@cache
def other_glyphs() -> list[Glyph]:
    """Glyphs of no class (their names share no prefix with any class glyph name)."""
    bases = {n for per in parse_table().values() for names in per.values() for n in names}
    bases |= {g.name for gs in resolve().values() for g in gs}
    out = []
    for fonts in family_fonts().values():
        for ttf, cmap in fonts:
            out += [Glyph(str(ttf), ch, n) for n, ch in cmap.items() if not _taken(n, bases)]
    return out


@cache
def text_fonts() -> list[str]:
    """Sans/serif text fonts for labels, buttons and clutter."""
    found = [str(p) for d in TEXT_FONT_DIRS if d.is_dir() for p in sorted(d.rglob("*.ttf"))
             if TEXT_FONT_NAME.match(p.name) and "Italic" not in p.name]
    if not found:
        raise FontsMissing("apt-get install fonts-roboto")
    return found


def fetch(dest: Path) -> None:
    """Download the npm icon webfonts with ``npm pack`` and unpack them under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for package in NPM:
        out = subprocess.run(["npm", "pack", package, "--pack-destination", str(dest)],
                             check=True, capture_output=True, text=True).stdout.split()[-1]
        target = dest / package.rsplit("@", 1)[0].replace("/", "+")
        with tarfile.open(dest / out) as tar:
            tar.extractall(target, filter="data")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="fetch the npm icon fonts used for training")
    ap.add_argument("dest", type=Path, nargs="?", default=_npm_dir)
    fetch(ap.parse_args().dest)
