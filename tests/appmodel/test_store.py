"""App models on disk: round trip, listing, broken files, and a crash in the middle of a save."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from appmodel.screens import load_screen
from appmodel.test_model import yelp_model
from planners.actions import Back, Key
from planners.appmodel import AppModel, AppModelError, AppModelStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model() -> AppModel:
    names = ["yelp_2017-08-11_202533", "yelp_2017-08-11_202351", "yelp_2017-08-11_202619",
             "yelp_2017-08-11_202441", "yelp_2017-08-11_202417"]
    return yelp_model({n: load_screen(n) for n in names})


def test_round_trip_keeps_states_transitions_and_matching(model: AppModel, tmp_path: Path) -> None:
    store = AppModelStore(tmp_path)
    path = store.save(model)
    assert path.parent == tmp_path and json.loads(path.read_text())["app"] == model.app
    again = store.load(model.app)
    assert again.to_json() == model.to_json()
    screen = load_screen("yelp_2017-08-11_202351")
    assert again.match(screen) is not None
    assert again.match(screen).id == model.match(screen).id  # type: ignore[union-attr]
    business = again.match(load_screen("yelp_2017-08-11_202619"))
    assert business is not None
    assert again.rollback_plan(business, "s1") == [Back(), Key(key="back")]


def test_unknown_app_loads_empty_and_odd_names_are_safe(tmp_path: Path) -> None:
    store = AppModelStore(tmp_path)
    assert store.apps() == [] and not store.load("com.example").states
    odd = AppModel("xterm / ../../etc")
    store.save(odd)
    assert [p.parent for p in tmp_path.iterdir()] == [tmp_path]
    assert store.apps() == ["xterm / ../../etc"]
    assert store.load("xterm / ../../etc").app == "xterm / ../../etc"


def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    store = AppModelStore(tmp_path)
    store.path_for("com.example").write_text("{not json", encoding="utf-8")
    with pytest.raises(AppModelError, match="delete the file"):
        store.load("com.example")
    store.path_for("com.example").write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(AppModelError, match="version"):
        store.load("com.example")


CRASHING_SAVE = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    from planners.appmodel import AppModelError, AppModelStore
    store = AppModelStore(Path(sys.argv[1]))
    model = store.load("com.yelp.android")
    for state in model.states.values():
        state.name = state.name + " " + "x" * 200_000      # far past the file-size limit
    limit = int(sys.argv[2])
    if sys.argv[3] == "kill":                              # Python ignores SIGXFSZ by default
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        store.save(model)
    except AppModelError as exc:
        sys.exit(f"save failed: {exc}")
""")


@pytest.mark.parametrize("how", ["kill", "error"])
def test_crash_mid_save_leaves_the_old_file_intact(model: AppModel, tmp_path: Path,
                                                   how: str) -> None:
    """The kernel stops the writer half way through the new file: killed, or a write error."""
    store = AppModelStore(tmp_path)
    path = store.save(model)
    old = path.read_bytes()
    proc = subprocess.run([sys.executable, "-c", CRASHING_SAVE, str(tmp_path), str(len(old) * 2),
                           how], cwd=REPO, capture_output=True, timeout=60)
    leftovers = [p for p in tmp_path.iterdir() if p != path]
    if how == "kill":
        assert proc.returncode == -signal.SIGXFSZ, proc.stderr
        assert len(leftovers) == 1 and leftovers[0].name.startswith(".")   # the half-written temp
        assert leftovers[0].stat().st_size == len(old) * 2
    else:
        assert proc.returncode == 1 and b"save failed: cannot write" in proc.stderr
        assert leftovers == []                                             # cleaned up
    assert path.read_bytes() == old
    assert store.load(model.app).to_json() == model.to_json()
    assert store.apps() == [model.app]
