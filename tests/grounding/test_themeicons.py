"""Icons named by the installed icon theme, and the runtime's saved optimized graphs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from grounding import icons, runtime, themeicons
from grounding.modelfiles import DET_MODEL, models_dir
from grounding.ocr import Ocr, OcrConfig

ADWAITA = Path("/usr/share/icons/Adwaita/16x16/actions")


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private user cache dir, and no index remembered from an earlier test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    themeicons.installed.cache_clear()
    yield tmp_path / "cache"
    themeicons.installed.cache_clear()


def test_file_names_become_the_words_people_use() -> None:
    table = themeicons.name_table()
    assert themeicons.words("format-text-bold-symbolic.symbolic.png", table) == "bold"
    assert themeicons.words("window-close-symbolic.png", table) == "close"
    assert themeicons.words("object-rotate-left.png", table) == "rotate left"
    assert themeicons.words("zoom-fit-best-symbolic.symbolic.png", table) == "best fit"


def drawn(icon: Path, background: tuple[int, int, int], scale: int = 1,
          ink: tuple[int, int, int] | None = None) -> np.ndarray:
    """The icon as an app draws it: over a window background, in a button-sized crop; a
    symbolic icon recoloured to ``ink`` (as a dark theme does)."""
    img = cv2.imread(str(icon), cv2.IMREAD_UNCHANGED)
    assert img is not None, icon
    a = img[:, :, 3:4].astype(np.float32) / 255
    fg = np.array(ink, np.float32) if ink else img[:, :, 2::-1].astype(np.float32)
    mixed = fg * a + np.array(background, np.float32) * (1 - a)
    rgb = cv2.resize(mixed.astype(np.uint8), None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_NEAREST)
    return cv2.copyMakeBorder(rgb, 6, 6, 6, 6, cv2.BORDER_CONSTANT, value=background)


@pytest.mark.skipif(not ADWAITA.is_dir(), reason="needs adwaita-icon-theme (.ci/run installs it)")
def test_installed_theme_names_its_own_bitmaps(fresh_cache: Path) -> None:
    index = themeicons.installed()
    assert index is not None and len(index.names) > 100
    assert list(fresh_cache.glob("guiagent/theme-icons-*.npz")), "the index is cached"
    files = ["edit-paste-symbolic.symbolic.png", "format-text-bold-symbolic.symbolic.png",
             "zoom-in-symbolic.symbolic.png", "document-save-symbolic.symbolic.png"]
    crops = [drawn(ADWAITA / f, (246, 245, 244)) for f in files]
    crops.append(drawn(ADWAITA / files[0], (53, 53, 53), 1, (238, 238, 236)))  # dark theme
    names = [n for n, score in index.match(crops) if score >= icons.THEME_SCORE]
    assert names == ["paste", "bold", "zoom in", "save", "paste"]
    (hidpi, _), = index.match([drawn(ADWAITA / files[1], (246, 245, 244), 2)])
    assert hidpi == "bold"     # drawn twice as large: still closest, if less sure
    themeicons.installed.cache_clear()
    again = themeicons.installed()    # read back from the cache: the same index
    assert again is not None and again.names == index.names


def test_no_theme_installed_means_the_classifier_alone(
        tmp_path: Path, fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "nothing"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(themeicons, "OFFICE_DIRS", ())
    assert themeicons.installed() is None
    crop = np.full((24, 24, 3), 255, np.uint8)
    assert icons.theme_names([crop]) == [("", 0.0)]


def test_optimized_graph_is_saved_once_and_reused(fresh_cache: Path) -> None:
    model = models_dir() / DET_MODEL
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 64, 96)).astype(np.float32)
    first = runtime.session(model)
    saved = runtime.optimized_path(model)
    assert saved is not None and saved.is_file() and saved.parent.parent == fresh_cache / "guiagent"
    second = runtime.session(model)          # opened from the saved graph
    name = first.get_inputs()[0].name
    np.testing.assert_allclose(first.run(None, {name: x})[0], second.run(None, {name: x})[0],
                               atol=1e-5)
    saved.write_bytes(b"not a model")        # a damaged cache entry is rebuilt, not an error
    runtime.session(model)
    assert saved.stat().st_size > 1_000_000


def test_a_saved_graph_replaces_the_same_models_older_ones(fresh_cache: Path) -> None:
    """Saving a model's graph removes its entries under other keys (an earlier copy of the
    file, another onnxruntime) and under the names used before; other models' entries,
    another installation's and files still being written stay."""
    model = Path(icons.__file__).parent / "models" / "detector.onnx"
    saved = runtime.optimized_path(model)
    assert saved is not None
    stem, place, key = saved.stem.rsplit("-", 2)
    stale = [saved.with_name(f"{stem}-{place}-{'0' * 16}.onnx"),
             saved.with_name(f"{stem}-{'1' * 16}.onnx")]
    kept = [saved.with_name(f"{stem}-{'f' * 8}-{'0' * 16}.onnx"),
            saved.with_name(f"icons-{place}-{'0' * 16}.onnx"),
            saved.with_name(f"{stem}-{place}-{key}.onnx.123.tmp")]
    for f in stale + kept:
        f.write_bytes(b"an entry")
    assert runtime.session(model).get_inputs()
    assert saved.stat().st_size > 100_000
    assert [f.exists() for f in stale + kept] == [False, False, True, True, True]
    runtime.session(model)                   # read back: nothing more is removed
    assert saved.is_file() and all(f.exists() for f in kept)


def test_no_usable_cache_dir_still_opens_models(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache dir would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    model = models_dir() / DET_MODEL
    assert runtime.optimized_path(model) is None
    assert runtime.session(model).get_inputs()


def test_int8_recognizer_only_where_the_cpu_runs_it_fast(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert not runtime.fast_int8()
    if runtime.device_name() == "cpu":
        assert Ocr(OcrConfig()).int8 is False
    monkeypatch.setattr(runtime, "cpu_flags", lambda: frozenset({"avx2", "avx512_vnni"}))
    assert runtime.fast_int8()
    assert Ocr(OcrConfig(int8=False)).int8 is False   # an explicit choice wins


def test_office_command_names_are_split_into_words() -> None:
    vocab = frozenset({"align", "left", "insert", "table", "zoom", "in", "out"})
    assert themeicons.segment("alignleft", vocab) == "align left"
    assert themeicons.segment("zoomout", vocab) == "zoom out"
    assert themeicons.segment("insertxyzzy", vocab) == "insert xyzzy"


@pytest.mark.skipif(not themeicons.office_archives(), reason="LibreOffice is not installed")
def test_office_archive_icons_are_read_with_their_links() -> None:
    pictures = dict(themeicons.office_icons(themeicons.office_archives()[0]))
    assert {"bold", "italic", "save"} <= set(pictures)
    assert all(p.ndim == 3 and p.shape[2] == 3 for p in pictures.values())


def _toolbar_strip(archive: Path, prefix: str, commands: list[str]) -> tuple[np.ndarray, list]:
    """A LibreOffice-like toolbar row: the archive's ``prefix`` pictures of ``commands``
    over the GTK toolbar's grey, a button's padding around each; and each button's box."""
    import zipfile

    with zipfile.ZipFile(archive) as z:
        pics = [cv2.imdecode(np.frombuffer(z.read(f"cmd/{prefix}{c}.png"), np.uint8),
                             cv2.IMREAD_UNCHANGED) for c in commands]
    side, pad = pics[0].shape[0], 6
    strip = np.full((side + 2 * pad, len(pics) * (side + 2 * pad), 3), (246, 245, 244), np.uint8)
    boxes = []
    for i, bgra in enumerate(pics):
        x = i * (side + 2 * pad) + pad
        cell = strip[pad:pad + side, x:x + side].astype(np.float32)
        alpha = bgra[:, :, 3:4].astype(np.float32) / 255
        strip[pad:pad + side, x:x + side] = (bgra[:, :, 2::-1] * alpha + cell * (1 - alpha))
        boxes.append((x - pad, 0, x + side + pad, side + 2 * pad))
    return strip, boxes


@pytest.mark.skipif(not themeicons.office_archives(), reason="LibreOffice is not installed")
@pytest.mark.parametrize("prefix", ["sc_", "lc_"])   # small (16 px) and large (24 px) toolbars
def test_office_toolbar_buttons_are_named_at_each_size(fresh_cache: Path, prefix: str) -> None:
    commands = ["bold", "italic", "underline", "save", "print", "copy", "paste", "undo",
                "alignleft", "sortascending", "defineprintarea", "entirerow"]
    strip, boxes = _toolbar_strip(themeicons.office_archives()[0], prefix, commands)
    index = themeicons.installed()
    assert index is not None
    found = index.match([strip[y1:y2, x1:x2] for x1, y1, x2, y2 in boxes])
    assert [n for n, _ in found] == ["bold", "italic", "underline", "save", "print", "copy",
                                     "paste", "undo", "align left", "sort ascending",
                                     "print area", "select row"]   # LibreOffice's labels
    assert min(score for _, score in found) >= icons.THEME_SCORE


@pytest.mark.skipif(not themeicons.office_archives(), reason="LibreOffice is not installed")
def test_office_commands_take_the_labels_libreoffice_shows() -> None:
    labels = themeicons.office_labels(themeicons.office_archives()[0])
    assert labels["bold"] == "bold"
    assert labels["insertannotation"] == "comment"          # 'Comme~nt'
    assert labels["insertgraphic"] == "image"               # '~Image...'
    assert labels["numberformatcurrency"] == "currency"     # Calc's, shorter than Writer's
    assert labels["splitcell"] == "unmerge cells"           # Calc's own over the generic
    assert labels["setborderstyle"] == "borders"            # 'Borders (Shift to overwrite)'


@pytest.mark.skipif(not themeicons.office_archives(), reason="LibreOffice is not installed")
def test_libreoffice_screenshot_buttons_are_named_enabled_or_disabled(fresh_cache: Path) -> None:
    """Calc as LibreOffice drew it under Xvfb (the desktop dev set): toolbar buttons at the
    boxes AT-SPI gave; the three merge buttons are disabled (greyed) there."""
    shot = Path(__file__).parents[2] / "bench/desktop_devset/images/calc.png"
    rgb = cv2.cvtColor(cv2.imread(str(shot)), cv2.COLOR_BGR2RGB)
    buttons = {"italic": (361, 68, 394, 103), "align left": (542, 68, 575, 103),
               "pivot table": (915, 29, 948, 64), "headers and footers": (1066, 29, 1099, 64),
               "merge and center cells": (797, 68, 830, 103), "merge cells": (830, 68, 863, 103),
               "unmerge cells": (863, 68, 896, 103)}
    index = themeicons.installed()
    assert index is not None
    found = index.match([rgb[y1:y2, x1:x2] for x1, y1, x2, y2 in buttons.values()])
    assert [n for n, _ in found] == list(buttons)
    assert min(score for _, score in found) >= icons.THEME_SCORE
