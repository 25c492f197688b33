"""Cold starts: a new screen after ``reset`` is perceived cold (nothing read on an earlier
screen is reused), and a one-shot command opens its models in the background.

Uses a gtk3-widget-factory screenshot of the desktop dev set: it has text lines, short
labels in empty buttons and nameless icons, so every per-content cache has work to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grounding import runtime
from grounding.errors import ModelMissing
from grounding.modelfiles import DET_MODEL, REC_INT8, REC_MODEL, models_dir
from grounding.perceive import Perceiver, load_image
from grounding.pipeline import ground, preopen
from grounding.types import Screen
from guiagent.cli import main

SHOT = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images" / \
    "widgets-1.png"


@pytest.fixture(autouse=True)
def nothing_preopened() -> None:
    """Start from no pending sessions: an earlier in-process command (``main(["ground",
    ...])`` in another module) may have preopened a model its screen never needed."""
    with runtime._OPENING_LOCK:
        pending = list(runtime._OPENING.values())
        runtime._OPENING.clear()
        runtime._EARLY.clear()
    for future in pending:
        future.exception()   # wait: nothing keeps loading into the next test


def _elements(screen: Screen) -> list[tuple[str, str, str, tuple[int, int, int, int]]]:
    return [(e.kind, e.text, e.label, (e.box.x1, e.box.y1, e.box.x2, e.box.y2))
            for e in screen.elements]


@pytest.mark.slow
def test_reset_forgets_lines_short_labels_and_icon_names(perceiver: Perceiver) -> None:
    image = load_image(SHOT)
    perceiver.reset()
    first = perceiver.perceive(image)
    assert perceiver.ocr is not None and perceiver.labels is not None
    assert perceiver.icons is not None
    caches = [perceiver.ocr._cache, perceiver.labels._seen, perceiver.icons._seen]
    assert all(len(c) for c in caches), [len(c) for c in caches]
    perceiver.reset()
    assert [len(c) for c in caches] == [0, 0, 0]
    again = perceiver.perceive(image)
    assert _elements(again) == _elements(first)
    assert all(len(c) for c in caches)


def test_a_preopened_session_is_taken_once_and_errors_are_handed_over(tmp_path: Path) -> None:
    det = models_dir() / DET_MODEL
    runtime.preopen([det, tmp_path / "absent.onnx"])
    first = runtime.session(det)        # the one opened in the background
    second = runtime.session(det)       # nothing left to take: opened here
    assert first is not second
    assert [i.name for i in first.get_inputs()] == [i.name for i in second.get_inputs()]
    with pytest.raises(ModelMissing, match="reinstall"):
        runtime.session(tmp_path / "absent.onnx")
    assert not runtime._OPENING


@pytest.mark.slow
def test_one_shot_ground_opens_its_models_beforehand_and_answers_alike(
        perceiver: Perceiver, capsys: pytest.CaptureFixture[str]) -> None:
    """``guiagent ground`` preopens the models; the answer is the in-process one."""
    with pytest.raises(SystemExit) as done:
        main(["ground", str(SHOT), "click Inset"])
    out, _ = capsys.readouterr()
    perceiver.reset()
    _, target = ground(perceiver, load_image(SHOT), "click Inset")
    assert done.value.code in (0, None) and target.found and target.point is not None
    assert out.split() == [str(target.point.x), str(target.point.y)]
    assert not runtime._OPENING   # every preopened session was taken
    assert not runtime._EARLY     # and the early text detection with it


@pytest.mark.parametrize("int8", [True, False])
def test_preopen_opens_the_recognizer_the_settings_choose(int8: bool) -> None:
    preopen(int8)
    opening = [path for path, _ in runtime._OPENING]
    names = [p.name for p in opening]
    assert names[:2] == [DET_MODEL, REC_INT8 if int8 else REC_MODEL]
    assert REC_MODEL in names and (REC_INT8 in names) is int8
    for path in opening:   # taken, as a Perceiver would
        runtime.session(path)
    assert not runtime._OPENING


def test_the_early_detection_is_fed_what_the_perceiver_feeds(perceiver: Perceiver) -> None:
    """The one-shot commands' early text detection is made from the same input as the
    Perceiver's first detection, so that the Perceiver takes its result."""
    import numpy as np

    from grounding import pipeline

    image = load_image(SHOT)
    assert perceiver.ocr is not None
    [early] = pipeline._det_feed(image)
    assert np.array_equal(early, perceiver.ocr.det_input(np.asarray(image)))


def test_bad_image_ends_the_process_with_one_line_while_models_open(tmp_path: Path) -> None:
    """The models are still opening when the image turns out unreadable: the process waits
    for them and exits with the usage code, instead of aborting inside onnxruntime."""
    bad = tmp_path / "shot.png"
    bad.write_text("not an image")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "guiagent", "ground", str(bad), "x"],
                              capture_output=True, text=True, check=False, timeout=120,
                              cwd=SHOT.parents[3])
        assert done.returncode == 4, done.stderr
        assert done.stderr.count("\n") == 1 and "cannot read image" in done.stderr


def test_a_one_shot_process_ends_with_all_its_output(
        perceiver: Perceiver, tmp_path: Path) -> None:
    """Run as the ``guiagent`` process itself, ground and perceive end without the
    interpreter's teardown: their whole output, their exit code and the marked image are
    there, and the answer is the in-process one."""
    import json

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "guiagent", *args], capture_output=True,
                              text=True, check=False, timeout=120, cwd=SHOT.parents[3])

    found, missed = run("ground", str(SHOT), "click Inset", "--json"), \
        run("ground", str(SHOT), "the purple elephant")
    perceiver.reset()
    _, target = ground(perceiver, load_image(SHOT), "click Inset")
    assert found.returncode == 0 and target.point is not None, found.stderr
    assert (json.loads(found.stdout)["x"], json.loads(found.stdout)["y"]) == \
        (target.point.x, target.point.y)
    assert missed.returncode == 1 and missed.stderr.startswith("not found:"), missed.stderr
    listed = run("perceive", str(SHOT), "--json", "--som", str(tmp_path / "marked.png"))
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) > 10, listed.stderr
    assert (tmp_path / "marked.png").read_bytes()[:4] == b"\x89PNG"


def test_sessions_share_one_arena_and_answer_alike() -> None:
    """Every session allocates from the one registered arena; the detector's output is the
    same as from a session with an arena of its own."""
    import numpy as np
    import onnxruntime

    assert runtime.shared_arena()
    opts = runtime.session_options()
    assert opts.get_session_config_entry("session.use_env_allocators") == "1"
    det, cpu = str(models_dir() / DET_MODEL), [runtime.CPU]
    shared = onnxruntime.InferenceSession(det, sess_options=opts, providers=cpu)
    opts.add_session_config_entry("session.use_env_allocators", "0")
    own = onnxruntime.InferenceSession(det, sess_options=opts, providers=cpu)
    x = np.random.default_rng(0).random((1, 3, 64, 96), dtype=np.float32)
    name = shared.get_inputs()[0].name
    assert np.array_equal(shared.run(None, {name: x})[0], own.run(None, {name: x})[0])


def test_an_early_run_answers_the_first_equal_run_only(tmp_path: Path) -> None:
    """``prerun`` runs the detector in the background; the session handed over answers a
    first run with equal inputs from it, and runs anything else (other inputs, a second
    run, a feed that failed) itself, with the same outputs as a plain session."""
    import numpy as np

    det = models_dir() / DET_MODEL
    rng = np.random.default_rng(1)
    x, other = (rng.random((1, 3, 64, 96), dtype=np.float32) for _ in range(2))
    runtime.preopen([det])
    runtime.prerun(det, lambda: [x.copy()])
    sess = runtime.session(det)
    plain = runtime._open(det, None)
    name = plain.get_inputs()[0].name
    early = sess._early.outputs.result()
    first = sess.run(None, {name: x})
    assert first is early and np.array_equal(first[0], plain.run(None, {name: x})[0])
    again = sess.run(None, {name: x})
    assert again is not early and np.array_equal(again[0], first[0])
    runtime.preopen([det])
    runtime.prerun(det, lambda: [x])
    sess = runtime.session(det)
    assert np.array_equal(sess.run(None, {name: other})[0], plain.run(None, {name: other})[0])
    runtime.preopen([det])
    runtime.prerun(det, lambda: 1 / 0)   # a feed that fails: no early run
    assert np.array_equal(runtime.session(det).run(None, {name: x})[0], first[0])
    assert not runtime._OPENING and not runtime._EARLY
