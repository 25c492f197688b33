"""What grounding keeps in the user cache dir besides optimized graphs: parsed name tables and
the icon theme index; each is read back, rebuilt when its source changes, and never piles up."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from grounding import tables, themeicons
from grounding.errors import GroundingError

ADWAITA = Path("/usr/share/icons/Adwaita/16x16/actions")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "guiagent"


def test_a_table_is_parsed_once_then_read_from_the_cache(tmp_path: Path, cache: Path) -> None:
    table = tmp_path / "words.yaml"
    table.write_text("add: [plus, sum]\nclose: [x]\n", encoding="utf-8")
    assert tables.load(table) == {"add": ["plus", "sum"], "close": ["x"]}
    entry, = (cache / "tables").glob("words-*.marshal")
    entry.write_bytes(marshal.dumps({"read": "from the cache"}))
    assert tables.load(table) == {"read": "from the cache"}   # not parsed again

    table.write_text("add: [plus]\n", encoding="utf-8")     # an edited table: parsed afresh
    assert tables.load(table) == {"add": ["plus"]}
    assert [p.name for p in (cache / "tables").glob("words-*")] != [entry.name]
    assert len(list((cache / "tables").glob("words-*"))) == 1, "the old entry is removed"


def test_a_damaged_entry_or_no_cache_dir_still_reads_the_table(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "keys.yaml"
    table.write_text("- shows: ['+']\n  names: [plus]\n", encoding="utf-8")
    want = [{"shows": ["+"], "names": ["plus"]}]
    assert tables.load(table) == want
    entry, = (cache / "tables").glob("keys-*.marshal")
    entry.write_bytes(b"\x00not marshal data")
    assert tables.load(table) == want
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache dir would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert tables.load(table) == want


def test_a_table_that_is_no_yaml_is_one_clear_error(tmp_path: Path, cache: Path) -> None:
    table = tmp_path / "bad.yaml"
    table.write_text("add: [plus\n", encoding="utf-8")
    with pytest.raises(GroundingError, match="bad.yaml is not valid YAML"):
        tables.load(table)


@pytest.mark.parametrize("name", ["keys.yaml", "phrases.yaml", "synonyms.yaml",
                                  "iconnames.yaml", "models/icons.aliases.yaml"])
def test_the_shipped_tables_read_as_yaml_reads_them(name: str, cache: Path) -> None:
    path = Path(themeicons.__file__).parent / name
    want = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert tables.load(path) == want       # parsed
    assert tables.load(path) == want       # and from the cache


@pytest.mark.skipif(not ADWAITA.is_dir(), reason="needs adwaita-icon-theme (.ci/run installs it)")
def test_a_theme_index_replaces_the_ones_it_makes_stale(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "share" / "icons" / "Mine" / "16x16" / "actions"
    folder.mkdir(parents=True)
    for name in ("edit-paste-symbolic.symbolic.png", "edit-copy-symbolic.symbolic.png"):
        shutil.copy(ADWAITA / name, folder)
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    folders = themeicons.theme_dirs(("Mine",))
    first = index_of(folders)
    cache.mkdir(parents=True, exist_ok=True)
    legacy = cache / "theme-icons-0123456789abcdef.npz"       # named before folders were
    writing = first.with_name(first.name + ".999.tmp.npz")    # another process's, unfinished
    others = [cache / f"theme-icons-0000000{i}-{i:016x}.npz" for i in range(5)]
    for i, p in enumerate([legacy, writing, *others]):
        p.write_bytes(b"x")
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    shutil.copy(ADWAITA / "edit-cut-symbolic.symbolic.png", folder)   # an icon installed
    os.utime(folder, ns=(10**18, 10**18))   # the folder's time moves even on a coarse clock
    second = index_of(folders)
    assert second != first and second.is_file() and writing.is_file()
    assert not first.exists() and not legacy.exists(), "the stale indexes are removed"
    assert [p.exists() for p in others] == [False, False, True, True, True]
    with np.load(second) as z:
        assert sorted(str(n) for n in z["names"]) == ["copy", "cut", "paste"]


def index_of(folders: list[Path]) -> Path:
    """Build and save the index of ``folders`` (no office archives) where ``installed`` keeps
    it; its path."""
    path = themeicons.cache_path(folders)
    assert path is not None
    themeicons._save(path, themeicons.ThemeIcons.build(themeicons.theme_files(folders), []))
    return path
