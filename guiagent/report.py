"""The report of one run: the action drawn on its screenshots, and a self-contained report.html.

Written by the trajectory writer when a run ends and by `guiagent runs open`. Works on a
run that was killed mid-way too: every complete record in steps.jsonl gets its card.

    act-NNN.png   the screen before action NNN with the action drawn (a ring at a tap,
                  an arrow for a swipe or scroll, a caption for keys and app launches)
    report.html   one card per action: plan, decision, grounding, safety, the annotated
                  screen (inline, downscaled), reflection, timings; tokens and cost on top
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import fields
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from pydantic import ValidationError

from guiagent.files import atomic_write_bytes, atomic_write_text
from guiagent.naming import RecordLines
from guiagent.steps import RECORD_TYPES, StepRecord, describe_action
from planners.actions import parse_action

REPORT = "report.html"
THUMB_HEIGHT = 800     # inline screenshots are shrunk by a whole factor to about this
MARK = (229, 57, 53)
ARROWS = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}


def load_record(data: dict[str, Any]) -> StepRecord | None:
    """A step record back from its JSON form; None for a kind this version does not know."""
    cls = RECORD_TYPES.get(str(data.get("kind")))
    if cls is None:
        return None
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    if isinstance(values.get("action"), dict):
        try:
            values["action"] = parse_action(values["action"])
        except ValidationError:
            values["action"] = None
    try:
        return cls(**values)
    except TypeError:
        return None


def record_line(data: dict[str, Any]) -> str:
    """``[3] act: tap "Wi-Fi" at (1, 2)`` for one JSON record on its own (no names that
    later records hold; `guiagent runs show` reads the whole run with RecordLines)."""
    return RecordLines().lines([data])[0]


# -- drawing the action -----------------------------------------------------------------------

def annotate(image: Image.Image, act: dict[str, Any]) -> Image.Image:
    """A copy of ``image`` with the action of an ``act`` record drawn on it."""
    out = image.convert("RGB") if image.mode != "RGB" else image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    r = max(12, w // 30)
    action = act.get("action") or {}
    kind = action.get("type", "")
    x, y = act.get("x"), act.get("y")
    if kind in ("swipe", "scroll"):
        _arrow(draw, (x if x is not None else w // 2, y if y is not None else h // 2),
               action.get("direction", "down"), kind, w, h, r)
    elif x is not None and y is not None:
        for i in range(3):
            draw.ellipse((x - r - i * 2, y - r - i * 2, x + r + i * 2, y + r + i * 2),
                         outline=MARK, width=max(3, r // 5))
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=MARK)
    _caption(draw, _describe(act), w, r)
    return out


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[int, int], direction: str, kind: str,
           w: int, h: int, r: int) -> None:
    """A finger swipe goes in ``direction``; a scroll shows the finger (opposite way)."""
    dx, dy = ARROWS.get(direction, (0, 1))
    if kind == "scroll":
        dx, dy = -dx, -dy
    length = int(0.3 * (w if dx else h))
    x0, y0 = start
    x1, y1 = x0 + dx * length, y0 + dy * length
    draw.line((x0, y0, x1, y1), fill=MARK, width=max(4, r // 3))
    head = (x1 + dx * r, y1 + dy * r)
    side = [(x1 - dy * r, y1 + dx * r), (x1 + dy * r, y1 - dx * r)]
    draw.polygon([head, *side], fill=MARK)
    draw.ellipse((x0 - r // 2, y0 - r // 2, x0 + r // 2, y0 + r // 2), outline=MARK,
                 width=max(3, r // 5))


def _caption(draw: ImageDraw.ImageDraw, text: str, w: int, r: int) -> None:
    size = max(14, w // 30)
    try:
        font: Any = ImageFont.load_default(size=size)
    except TypeError:   # Pillow < 10.1 has one fixed size
        font = ImageFont.load_default()
    draw.rectangle((0, 0, w, size + r), fill=(0, 0, 0))
    draw.text((r // 2, r // 2), text[:80], fill=(255, 255, 255), font=font)


def _describe(act: dict[str, Any]) -> str:
    rec = load_record(act)
    action = getattr(rec, "action", None)
    where = f" at ({act['x']}, {act['y']})" if act.get("x") is not None else ""
    return f"{act.get('step', '?')}. {describe_action(action)}{where}"


# -- the HTML ----------------------------------------------------------------------------------

CSS = """body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
.card{border:1px solid #ddd;border-radius:8px;padding:12px;margin:12px 0;display:flex;gap:16px}
.card .text{flex:1}.shots img{max-height:480px;border:1px solid #ccc;margin-right:6px}
.success{border-left:6px solid #2e7d32}.failed{border-left:6px solid #c62828}
.stopped,.incomplete{border-left:6px solid #ef6c00}.warn{color:#ef6c00}.bad{color:#c62828}
code{background:#f4f4f4;padding:1px 4px}dt{font-weight:600}dd{margin:0 0 6px 0}"""


def _img_data(image: Image.Image) -> str:
    """A downscaled JPEG data URL, so the report is one file that can be mailed."""
    thumb = image if image.mode == "RGB" else image.convert("RGB")
    factor = -(-thumb.height // THUMB_HEIGHT)
    if factor > 1:
        thumb = thumb.reduce(factor)
    buf = io.BytesIO()
    thumb.save(buf, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


class Screens:
    """The run's screenshots, each decoded once (an action's "after" is the next "before")."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.cache: dict[str, Image.Image | None] = {}

    def get(self, name: str | None) -> Image.Image | None:
        """The image, or None when it is missing or unreadable (a run killed mid-write)."""
        if not name:
            return None
        if name not in self.cache:
            self.cache[name] = self._load(self.dir / name)
        return self.cache[name]

    @staticmethod
    def _load(path: Path) -> Image.Image | None:
        if not path.is_file():
            return None
        try:
            with Image.open(path) as im:
                im.load()
                return im if im.mode == "RGB" else im.convert("RGB")
        except (OSError, UnidentifiedImageError):
            return None


def group_steps(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Records split into cards: each plan starts a new one; the first holds the start."""
    cards: list[list[dict[str, Any]]] = [[]]
    for rec in records:
        if rec.get("kind") == "plan" and cards[-1]:
            cards.append([])
        cards[-1].append(rec)
    return [c for c in cards if c]


def _card(screens: Screens, recs: list[dict[str, Any]]) -> str:
    rows, shots = [], []
    for rec in recs:
        kind = rec.get("kind")
        if kind == "act":
            shots.extend(_act_shots(screens, rec))
        if kind in ("observe", "app_model") and not rec.get("warnings"):
            continue
        css = " class=warn" if kind in ("warning", "rollback") else (
            " class=bad" if kind == "ground" and not rec.get("found") else "")
        rows.append(f"<dt>{html.escape(str(kind))}</dt><dd{css}>"
                    f"{html.escape(_detail(rec))}</dd>")
    if not shots and recs[0].get("kind") == "observe":
        image = screens.get(recs[0].get("image"))
        if image is not None:
            shots.append(f'<img alt="first screen" src="{_img_data(image)}">')
    return (f'<div class="card"><div class="text"><h3>{_title(recs)}</h3><dl>{"".join(rows)}'
            f'</dl></div><div class="shots">{"".join(shots)}</div></div>')


def _title(recs: list[dict[str, Any]]) -> str:
    kinds = {r.get("kind"): r for r in recs}
    if "act" in kinds:
        return f"Step {kinds['act'].get('step')}"
    if "result" in kinds:
        return "End"
    return f"Step {int(recs[0].get('step', 0)) + 1}" if "plan" in kinds else "Start"


def _detail(rec: dict[str, Any]) -> str:
    kind = rec.get("kind")
    if kind == "plan":
        return f"{rec.get('subgoal', '')} (progress: {rec.get('progress', '')})"
    text = record_line(rec).split("] ", 1)[-1]
    text = text.removeprefix("would do: ").removeprefix(f"{kind}: ")
    if kind == "decide" and rec.get("thought"):
        return f"{text} because {rec['thought']}"
    if kind == "act":
        where = f" at ({rec['x']}, {rec['y']})" if rec.get("x") is not None else ""
        dry = " (dry run: not sent)" if rec.get("dry_run") else ""
        return f"{text}{where} in {float(rec.get('seconds') or 0):.2f} s{dry}"
    return text


def _act_shots(screens: Screens, act: dict[str, Any]) -> list[str]:
    """The annotated 'before' (also saved as act-NNN.png) and the 'after' screen."""
    out = []
    before = screens.get(act.get("before"))
    if before is not None:
        marked = annotate(before, act)
        buf = io.BytesIO()
        marked.save(buf, format="PNG", compress_level=1)
        name = f"act-{int(act.get('step', 0)):03d}.png"
        atomic_write_bytes(screens.dir / name, buf.getvalue())
        out.append(f'<a href="{name}"><img alt="before, with the action" '
                   f'src="{_img_data(marked)}"></a>')
    after = screens.get(act.get("after"))
    if after is not None:
        out.append(f'<img alt="after" src="{_img_data(after)}">')
    return out


def render_report(run_dir: Path, meta: dict[str, Any], records: list[dict[str, Any]]) -> str:
    result = next((r for r in reversed(records) if r.get("kind") == "result"), None)
    status = str(result.get("status")) if result else "incomplete"
    reason = str(result.get("reason", "")) if result else "the run ended before its result"
    facts = [("task", meta.get("task", "")), ("device", meta.get("device", "")),
             ("planner", meta.get("planner", "")), ("started", meta.get("started", "")),
             ("status", f"{status}: {reason}")]
    if result:
        facts += [("steps", result.get("steps")), ("time", f"{result.get('seconds', 0):.1f} s"),
                  ("tokens", result.get("tokens", 0)),
                  ("cost", f"${float(result.get('cost_usd') or 0):.4f}")]
    head = "".join(f"<dt>{k}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts)
    screens = Screens(run_dir)
    body = "".join(_card(screens, c) for c in group_steps(records))
    title = html.escape(str(meta.get("task", run_dir.name)))
    return (f"<!doctype html><meta charset=utf-8><title>guiagent run: {title}</title>"
            f"<style>{CSS}</style><h1>{title}</h1>"
            f'<div class="card {status}"><dl>{head}</dl></div>{body}')


def write_report(run_dir: Path) -> Path:
    """(Re)write report.html and the annotated screenshots of a run; returns the HTML path."""
    from guiagent.runs import read_run

    run_dir = Path(run_dir)
    meta, records = read_run(run_dir)
    path = run_dir / REPORT
    atomic_write_text(path, render_report(run_dir, meta, records))
    return path
