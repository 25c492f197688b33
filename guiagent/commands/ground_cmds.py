"""`guiagent perceive` and `guiagent ground`: what is on a screenshot, and where an
instruction points on it (one at a time, or a JSONL batch with the models loaded once)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grounding.errors import ImageError
from guiagent.errors import EXIT_FAILED, EXIT_OK, UsageError
from guiagent.terminal import echo

IMAGE = click.Path(dir_okay=False, path_type=Path)


def _observation(image: Path | Any, tree: Path | None) -> Any:
    """The observation of an image file or a decoded image, with its tree if given."""
    from grounding.images import as_observation

    obs = as_observation(image)
    if tree is not None:
        try:
            obs.ui_tree = tree.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read --tree {tree}: {exc.strerror}") from exc
    return obs


def _element_json(e: Any) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "text": e.text, "label": e.label,
            "box": [e.box.x1, e.box.y1, e.box.x2, e.box.y2], "center": [e.center.x, e.center.y],
            "source": e.source, "confidence": round(e.confidence, 3), "checked": e.checked}


def _live_observation(device: str) -> Any:
    """One observation of a live device, its accessibility tree included."""
    from devices import open_device
    from guiagent.config import device_options, load_settings

    with open_device(device, **device_options(load_settings({"device": device}))) as dev:
        return dev.observe()


@click.command()
@click.argument("image", type=IMAGE, required=False)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of elements on stdout.")
@click.option("--som", type=IMAGE, default=None, metavar="OUT.png",
              help="Also write the screenshot with numbered element boxes.")
@click.option("--tree", type=IMAGE, default=None, metavar="XML",
              help="An Android `uiautomator dump` of the same screen, to fuse with the pixels.")
@click.option("-d", "--device", default=None,
              help="Look at this live device instead of an image (its tree fused in).")
def perceive(image: Path | None, as_json: bool, som: Path | None, tree: Path | None,
             device: str | None) -> None:
    """List the elements found on a screenshot, or on a live device's screen (-d)."""
    if som is not None and som.suffix.lower() != ".png":
        raise UsageError(f"--som {som}: the marked image is written as PNG; name it *.png")
    if (image is None) == (device is None):
        raise UsageError("give an IMAGE or a live device (-d desktop), not both or neither")
    pending = _start(image, tree) if image is not None else None
    from guiagent.config import load_settings

    settings = load_settings()
    if image is not None:
        _preopen(settings, image)
    from grounding.som import element_list, render_som

    obs = pending() if pending is not None else _live_observation(str(device))
    screen = _perceiver(settings).perceive(obs)
    if som is not None:
        render_som(obs.image, screen.elements).save(som, format="PNG")
    if as_json:
        click.echo(json.dumps([_element_json(e) for e in screen.elements], ensure_ascii=False))
    else:
        echo(element_list(screen.elements))
    if pending is not None:
        _done(EXIT_OK)


@click.command()
@click.argument("image", type=IMAGE, required=False)
@click.argument("instruction", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--jsonl", type=IMAGE, default=None, metavar="FILE",
              help='Batch: lines of {"id", "image", "instruction"}; one JSON line out per line.')
@click.option("--tree", type=IMAGE, default=None, metavar="XML",
              help="An Android `uiautomator dump` of the same screen.")
@click.option("--grounder", type=click.Choice(["local", "vlm"]), default=None,
              help="local: the built-in models (default); vlm: a remote grounding model.")
@click.option("--model", default=None, help="The remote grounding model (with --grounder vlm).")
@click.option("--base-url", default=None, help="Its OpenAI-compatible server.")
@click.option("--coord-mode", type=click.Choice(["norm1", "norm1000", "smart_resize", "pixels"]),
              default=None, help="The remote model's coordinate space, when its name does not "
                                 "tell.")
def ground(image: Path | None, instruction: str | None, as_json: bool, jsonl: Path | None,
           tree: Path | None, grounder: str | None, model: str | None, base_url: str | None,
           coord_mode: str | None) -> None:
    """Print the point (x y) an instruction refers to; exit 1 with the reason when not found."""
    one_shot = image is not None and bool(instruction) and jsonl is None
    pending = _start(image, tree) if one_shot and image is not None else None
    from guiagent.config import load_settings

    settings = load_settings({"grounder": grounder, "grounding_model": model,
                              "base_url": base_url, "coord_mode": coord_mode})
    remote = _remote_locate(settings)
    if jsonl is not None:
        if image is not None:
            raise UsageError("give either IMAGE INSTRUCTION or --jsonl FILE, not both")
        _batch(jsonl, _perceiver(settings), remote)
        return
    if image is None or pending is None or not instruction:
        raise UsageError('usage: guiagent ground IMAGE "instruction" (or --jsonl FILE)')
    _preopen(settings, image)
    from grounding.pipeline import ground as ground_on

    obs = pending()
    if remote is None:
        _warm(instruction)
    perceiver = _perceiver(settings)
    if remote is not None:
        target = remote(perceiver.perceive(obs), instruction)
    else:
        _, target = ground_on(perceiver, obs, instruction)
    _report(target, as_json)
    _done(EXIT_OK if target.found else EXIT_FAILED)


def _start(image: Path, tree: Path | None) -> Callable[[], Any]:
    """The observation of ``image``, to wait for: a one-shot command decodes the file and
    opens and runs the text detector on background threads from its first line; its
    settings and the rest of its code load once that run has started (the call returned
    raises what reading the image raised)."""
    if not image.is_file():
        return lambda: _observation(image, tree)
    from concurrent.futures import ThreadPoolExecutor

    from grounding.images import load_image
    from grounding.pipeline import detect_early

    pool = ThreadPoolExecutor(1, thread_name_prefix="guiagent-decode")
    decoding = pool.submit(load_image, image)
    pool.shutdown(wait=False)
    detect_early(decoding.result)
    return lambda: _observation(decoding.result(), tree)


def _done(code: int) -> None:
    """End a one-shot command with ``code``. Run as the ``guiagent`` process itself, it
    ends here once its output is written, its threads are done and the exit handlers have
    run: the interpreter's teardown would only free, object by object, the models and
    arrays the system reclaims at once (30-40 ms after the answer). Called in-process
    (tests, ``guiagent.cli.main([...])``), it returns or raises SystemExit as usual."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not (ctx.find_root().obj or {}).get("process"):
        if code:
            raise SystemExit(code)
        return
    import atexit
    import contextlib
    import os
    import sys
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):   # a reader that went away
            stream.flush()
    os._exit(code)


def _warm(instruction: str) -> None:
    """Make what locating needs first while the text detection runs on the other threads,
    not after it: the instruction's patterns (compiled on a first parse) and numpy.ma (which
    np.median imports on its first call)."""
    import numpy.ma  # noqa: F401 - imported for the side effect

    from grounding.query import parse

    parse(instruction)


def _preopen(settings: Any, image: Path) -> None:
    """Open the other models the settings choose, after the text detector (none for a
    missing image: the command ends at once)."""
    if not image.is_file():
        return
    from grounding.pipeline import preopen

    preopen({"int8": True, "float": False}.get(settings.ocr_models))


def _perceiver(settings: Any) -> Any:
    """A Perceiver as configured (``ocr_models``: auto, int8 or float)."""
    from grounding.perceive import Perceiver
    from guiagent.config import perceive_config

    return Perceiver(perceive_config(settings))


def _remote_locate(settings: Any) -> Any:
    """The remote grounder when flags or config choose it, else None (local grounding)."""
    if settings.grounder != "vlm":
        return None
    from guiagent.remote_grounding import RemoteLocate

    return RemoteLocate(settings)


def _report(target: Any, as_json: bool) -> None:
    if as_json:
        p = target.point
        click.echo(json.dumps({
            "found": target.found, "x": p.x if p else None, "y": p.y if p else None,
            "score": target.score, "reason": target.reason,
            "element": _element_json(target.element) if target.element else None,
            "candidates": [{**_element_json(e), "score": round(s, 3)}
                           for e, s in target.candidates]}, ensure_ascii=False))
    elif target.found:
        click.echo(f"{target.point.x} {target.point.y}")
    else:
        echo(f"not found: {target.reason}", err=True)
        for e, s in target.candidates:
            echo(f"  {s:.2f}  {e.describe()} at {e.center.x},{e.center.y}", err=True)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All lines, checked before any work starts; a bad line is one UsageError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")   # not splitlines: U+2028 is text
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text") from exc
    rows = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise UsageError(f"{path}:{n}: JSON nested too deeply") from exc
        if not isinstance(row, dict) or not isinstance(row.get("image"), str) \
                or not isinstance(row.get("instruction"), str):
            raise UsageError(f'{path}:{n}: each line needs "image" and "instruction" strings')
        row["image"] = path.parent / row["image"]  # relative paths: from the JSONL's folder
        if not row["image"].is_file():
            raise ImageError(f"{path}:{n}: image not found: {row['image']}")
        rows.append(row)
    return rows


def _batch(path: Path, perceiver: Any, remote: Any = None) -> None:
    """Ground every line in input order; consecutive lines on one image share its perception."""
    rows = _read_jsonl(path)
    cache = _ScreenCache(remote)
    for row in rows:
        t0 = time.perf_counter()
        target = cache.target(perceiver, row["image"], row["instruction"])
        p = target.point
        click.echo(json.dumps({"id": row.get("id"), "x": p.x if p else -1, "y": p.y if p else -1,
                               "found": target.found,
                               "ms": round((time.perf_counter() - t0) * 1000, 1)},
                              ensure_ascii=False))


class _ScreenCache:
    """The last image's perceived screen (refined once when a miss asks for it)."""

    def __init__(self, remote: Any = None) -> None:
        self.remote = remote
        self.path: Path | None = None
        self.image: Any = None
        self.screen: Any = None
        self.refined = False

    def target(self, perceiver: Any, path: Path, instruction: str) -> Any:
        from grounding.locate import locate
        from grounding.perceive import load_image

        if path != self.path:
            self.path, self.image, self.refined = path, load_image(path), False
            perceiver.reset()  # unrelated images: nothing of the last one may be reused
            self.screen = perceiver.perceive(self.image)
        if self.remote is not None:
            return self.remote(self.screen, instruction)
        target = locate(self.screen, instruction)
        if not target.found and not self.refined and perceiver.can_refine(self.screen):
            self.screen, self.refined = perceiver.refine(self.image), True
            target = locate(self.screen, instruction)
        return target
