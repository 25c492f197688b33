"""Name icons by the desktop's own icon theme: the very bitmaps the apps on this machine draw.

Linux apps take toolbar and title-bar icons from the installed icon theme, whose files are
named after the freedesktop Icon Naming Specification (``document-save``, ``edit-paste``,
``format-text-bold``, ``window-close`` ...). The small bitmaps of the themes in use (the
user's configured theme, Adwaita, hicolor) are indexed once, as ``icons.preprocess`` tiles,
into the user cache dir; a nameless icon crop whose tile matches one closely enough takes
that file's name, in words ("format-text-bold" -> "bold", "media-playback-start" -> "play").
No theme installed (not Linux, a bare server): no index, and the classifier alone names icons.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import zipfile
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from grounding import tables
from grounding.icons import preprocess

SIZES = ("16x16", "16", "24x24", "24", "22x22", "22")
CONTEXTS = ("actions", "legacy", "ui", "places")   # status icons are not buttons

MAX_FILES = 6000
INDEX_FORMAT = "5"   # what an index holds (4: LibreOffice's sizes, labels, disabled look); a new
# format in a new file, so an index built before is rebuilt
NAMES = Path(__file__).parent / "iconnames.yaml"   # freedesktop name -> word people use
# LibreOffice draws its toolbars from its own theme archives, one PNG per command and size
# (cmd/sc_bold.png 16 px "small", cmd/lc_bold.png 24 px "large", the default toolbar size
# with the GTK 3 plugin); links.txt gives commands that share a picture. Each size is its
# own drawing, not a rescaled copy, so both are indexed (a HiDPI screen scales the large
# ones; "extra large", cmd/32/, is left out to keep the index small).
OFFICE_DIRS = (Path("/usr/lib/libreoffice/share/config"), Path("/opt/libreoffice/share/config"))
OFFICE_THEMES = ("images_colibre.zip", "images_sifr.zip", "images_breeze.zip",
                 "images_elementary.zip")
SHORT_WORDS = frozenset({"in", "up", "to", "on", "of", "by", "go"})
COMMAND_PNG = re.compile(r"^cmd/(sc_|lc_)([a-z0-9]+)\.png$")
# The registry beside the archives gives each command's label, the very name LibreOffice
# shows in menus and tooltips and gives its toolbar buttons (.uno:DefinePrintArea "Print Area").
COMMAND_NODE = re.compile(r'<node oor:name="\.uno:([A-Za-z0-9]+)"[^>]*>(.*?)</node>', re.S)
COMMAND_LABEL = re.compile(r'<prop oor:name="Label"[^>]*>\s*<value[^>]*>([^<]*)</value>')


def icon_dirs() -> list[Path]:
    """Where icon themes are installed (XDG data dirs, then ~/.local/share and ~/.icons)."""
    data = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    home = Path.home()
    roots = [Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share"),
             *(Path(d) for d in data.split(":") if d)]
    return [home / ".icons", *(r / "icons" for r in roots)]


def configured_theme() -> str:
    """The icon theme the user set for GTK (settings.ini) or KDE (kdeglobals), or ''."""
    conf = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for path, section, key in ((conf / "gtk-3.0" / "settings.ini", "Settings",
                                "gtk-icon-theme-name"), (conf / "kdeglobals", "Icons", "Theme")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path, encoding="utf-8")
            if parser.has_option(section, key):
                return parser.get(section, key).strip()
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
    return ""


def theme_dirs(themes: tuple[str, ...]) -> list[Path]:
    """The folders of small action-like icons of ``themes`` that exist, in lookup order."""
    out = []
    for root in icon_dirs():
        for theme in themes:
            base = root / theme
            if base.is_dir():
                out += [d for size in SIZES for ctx in CONTEXTS
                        for d in (base / size / ctx, base / ctx / size) if d.is_dir()]
    return out


def theme_files(folders: list[Path]) -> list[Path]:
    """The PNG icons in ``folders``, a file name once (the first folder's wins)."""
    seen: dict[str, Path] = {}
    for folder in folders:
        for f in sorted(folder.glob("*.png")):
            if "-rtl" not in f.name:   # mirrored for right-to-left locales
                seen.setdefault(f.name, f)
    return list(seen.values())[:MAX_FILES]


def words(file_name: str, table: dict[str, str]) -> str:
    """An icon file's name as the words people use: the table's, else the name without its
    category prefix ("object-rotate-left" -> "rotate left")."""
    name = file_name.split(".")[0]
    for tail in ("-symbolic", "-rtl", "-ltr"):
        name = name.replace(tail, "")
    if name in table:
        return table[name]
    parts = name.split("-")
    if len(parts) > 1 and parts[0] in table.get("_prefixes", "").split():
        parts = parts[1:]
    return " ".join(parts)


@cache
def name_table() -> dict[str, str]:
    """iconnames.yaml: freedesktop icon name -> the word people use for it."""
    raw = tables.load(NAMES) or {}
    return {str(k): str(v) for k, v in raw.items()}


def tile_vector(rgb: np.ndarray) -> np.ndarray:
    """A crop as a unit-length, mean-free ``preprocess`` tile (cosine = template match)."""
    v = cv2.GaussianBlur(preprocess(rgb), (3, 3), 0).ravel()  # 1 px shifts, hi-dpi redraws
    v = v - v.mean()
    return (v / max(float(np.linalg.norm(v)), 1e-6)).astype(np.float32)


def _on_white(path: Path) -> np.ndarray | None:
    return _composite(cv2.imread(str(path), cv2.IMREAD_UNCHANGED))


def _composite(img: np.ndarray | None) -> np.ndarray | None:
    """A decoded (BGR or BGRA) icon as RGB over white, with a white margin."""
    if img is None or img.ndim != 3 or min(img.shape[:2]) < 8:
        return None
    rgb = img[:, :, 2::-1].astype(np.float32)
    if img.shape[2] == 4:
        a = img[:, :, 3:4].astype(np.float32) / 255.0
        rgb = rgb * a + 255.0 * (1 - a)
    pad = max(2, img.shape[0] // 6)  # preprocess reads the background at the border
    return cv2.copyMakeBorder(rgb.astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT,
                              value=(255, 255, 255))


def office_archives() -> list[Path]:
    """The installed LibreOffice icon theme archives, the default (Colibre) first."""
    return [d / n for n in OFFICE_THEMES for d in OFFICE_DIRS if (d / n).is_file()]


def office_icons(archive: Path) -> list[tuple[str, np.ndarray]]:
    """(command, RGB on white) for each command icon of a LibreOffice archive, in each of
    its sizes, as drawn and as drawn disabled, and for each command that links to one of
    them (linked commands share the very arrays)."""
    with zipfile.ZipFile(archive) as z:
        files = {(m[1], m[2]): n for n in z.namelist() if (m := COMMAND_PNG.match(n))}
        links = _links(z)
        pictures = {key: _decode(z.read(name)) for key, name in files.items()}
    for key, target in links.items():
        if key not in pictures and target in pictures:
            pictures[key] = pictures[target]
    return [(cmd, rgb) for (_, cmd), both in pictures.items() for rgb in both]


def _links(z: zipfile.ZipFile) -> dict[tuple[str, str], tuple[str, str]]:
    """(size, command) -> the (size, command) whose picture it shares, from links.txt."""
    try:
        text = z.read("links.txt").decode("utf-8", "replace")
    except KeyError:
        return {}
    pairs = (line.split() for line in text.splitlines())
    return {(a[1], a[2]): (b[1], b[2]) for p in pairs if len(p) == 2
            and (a := COMMAND_PNG.match(p[0])) and (b := COMMAND_PNG.match(p[1]))}


def office_labels(archive: Path) -> dict[str, str]:
    """command -> its label in LibreOffice's registry beside ``archive`` (share/registry),
    lower case, without mnemonic marks or a trailing ellipsis. A module's own label (Calc's
    "Unmerge Cells") wins over the generic one in main.xcd ("Split Cells"), as it does in
    that module; of modules that differ (Calc "Currency", Writer "Number Format: Currency"),
    the shortest. Empty when there is no registry."""
    generic: dict[str, str] = {}
    labels: dict[str, str] = {}
    for xcd in sorted((archive.parent.parent / "registry").glob("*.xcd")):
        try:
            text = xcd.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        into = generic if xcd.name == "main.xcd" else labels
        for node in COMMAND_NODE.finditer(text):
            found = COMMAND_LABEL.search(node[2])
            label = _label_words(found[1]) if found else ""
            cmd = node[1].lower()
            if label and len(label) < len(into.get(cmd, label + " ")):
                into[cmd] = label
    return {**generic, **labels}


def _label_words(label: str) -> str:
    """'Comme~nt' -> 'comment', '~Image...' -> 'image', 'Number Format: Date' -> 'number
    format date', 'Borders (Shift to overwrite)' -> 'borders'."""
    import html  # only when an index is built

    text = re.sub(r"\(.*?\)", "", html.unescape(label))
    text = text.replace("~", "").replace("…", "").strip().rstrip(". ")
    return " ".join(text.replace(":", " ").lower().split())


def _decode(data: bytes) -> tuple[np.ndarray, ...]:
    """A command picture as drawn and as drawn disabled, each RGB on white; () if unusable."""
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.ndim != 3:
        return ()
    return tuple(p for p in (_composite(img), _composite(_disabled(img))) if p is not None)


def _disabled(bgr: np.ndarray) -> np.ndarray:
    """LibreOffice's look of a disabled button (its disabled-image filter): each pixel's
    luminance mapped onto greys 160-224, alpha kept. Greyed this flat, a coloured icon's
    shape reads differently, so a disabled Paste or Merge Cells matched nothing."""
    lum = bgr[:, :, :3].astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)
    out = bgr.copy()
    out[:, :, :3] = (lum / 4 + 160).astype(np.uint8)[:, :, None]
    return out


def segment(word: str, vocab: frozenset[str]) -> str:
    """A run-together command name split into known words ("alignleft" -> "align left");
    what is not a known word stays one piece. Known words of three letters or more (and a
    few short ones) cost 1, an unknown piece more the longer it is: fewest, best pieces."""
    n = len(word)
    nothing: list[str] = []
    best: list[tuple[float, list[str]]] = [(0.0, nothing)] + [(1e9, nothing)] * n
    for j in range(1, n + 1):
        for i in range(max(0, j - 24), j):
            piece = word[i:j]
            known = piece in vocab and (len(piece) > 2 or piece in SHORT_WORDS)
            cost = best[i][0] + (1.0 if known else 3.0 + 0.3 * len(piece))
            if cost < best[j][0]:
                best[j] = (cost, [*best[i][1], piece])
    return " ".join(best[n][1])


class ThemeIcons:
    """The installed theme's icons as tiles; ``match`` names crops by the closest one."""

    def __init__(self, names: list[str], vectors: np.ndarray) -> None:
        self.names = names
        self.vectors = vectors

    @classmethod
    def build(cls, files: list[Path], archives: list[Path]) -> ThemeIcons:
        table = name_table()
        names, vecs = [], []
        for f in files:
            rgb = _on_white(f)
            if rgb is not None:
                names.append(words(f.name, table))
                vecs.append(tile_vector(rgb))
        vocab = frozenset(w for n in names for w in n.split()) | frozenset(
            table.get("_words", "").split())
        for archive in archives[:1]:   # the default theme; others only when it is absent
            seen: set[int] = set()   # a picture linked to several commands: its own first
            labels = office_labels(archive)
            for cmd, rgb in office_icons(archive):
                if id(rgb) not in seen:   # a second name for the same tile could never win
                    seen.add(id(rgb))
                    names.append(table.get(cmd) or labels.get(cmd) or segment(cmd, vocab))
                    vecs.append(tile_vector(rgb))
        return cls(names, np.stack(vecs) if vecs else np.zeros((0, 1024), np.float32))

    def match(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop -> (words of the closest theme icon, cosine); ("", 0) with no index."""
        if not crops or not len(self.names):
            return [("", 0.0)] * len(crops)
        sims = np.stack([tile_vector(c) for c in crops]) @ self.vectors.T
        best = sims.argmax(axis=1)
        return [(self.names[b], float(sims[i, b])) for i, b in enumerate(best)]


def cache_path(sources: list[Path]) -> Path | None:
    """The index file for these icon folders and office archives
    (``theme-icons-<sources>-<key>.npz``): the key holds each one's size and modification
    time (a folder's time changes when icons come or go), so a changed theme gets a new file."""
    import platformdirs

    place = hashlib.sha256("|".join(map(str, sources)).encode())
    h = hashlib.sha256(NAMES.read_bytes() + INDEX_FORMAT.encode())
    for f in sources:
        st = f.stat()
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    folder = Path(platformdirs.user_cache_dir("guiagent"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"theme-icons-{place.hexdigest()[:8]}-{h.hexdigest()[:16]}.npz"


@cache
def installed() -> ThemeIcons | None:
    """The index of the installed themes' icons (built once, then read from the cache);
    None when no theme is installed."""
    themes = tuple(dict.fromkeys(t for t in (configured_theme(), "Adwaita", "hicolor") if t))
    folders, archives = theme_dirs(themes), office_archives()
    if not folders and not archives:
        return None
    path = cache_path(folders + archives)
    if path is not None and path.is_file():
        try:
            with np.load(path) as z:
                return ThemeIcons([str(n) for n in z["names"]], z["vectors"].astype(np.float32))
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)
    index = ThemeIcons.build(theme_files(folders), archives)
    if path is not None:
        _save(path, index)
    return index


def _save(path: Path, index: ThemeIcons) -> None:
    """Write the index beside its place and rename it in (a reader never sees half a file),
    then remove the indexes it replaces (``prune``)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, names=np.array(index.names), vectors=index.vectors.astype(np.float16))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    prune(path)


KEEP_OTHERS = 3   # indexes of other theme sets kept (another configured theme, XDG dirs)


def prune(path: Path) -> None:
    """Remove the indexes ``path`` makes stale: the same icon folders' earlier ones (icons
    installed or removed since, an older index format), those named before the folders were
    part of the name, and beyond the ``KEEP_OTHERS`` newest of other theme sets."""
    place = path.stem.split("-")[2]
    others = []
    for old in path.parent.glob("theme-icons-*.npz"):
        parts = old.stem.split("-")[2:]
        if old == path or len(parts) > 2 or ".tmp" in old.name:   # another's, being written
            continue
        if len(parts) == 1 or parts[0] == place:
            old.unlink(missing_ok=True)
        else:
            others.append(old)
    others.sort(key=_mtime, reverse=True)
    for old in others[KEEP_OTHERS:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:   # removed meanwhile by another process
        return 0.0
