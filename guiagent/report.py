"""The report of one run: the action drawn on its screenshots, and report.html.

Written by the trajectory writer when a run ends and by `guiagent runs open`. Works on a
run that was killed mid-way too: every complete record in steps.jsonl gets its card.

    act-NNN.png   the screen before action NNN, full size, with the action drawn (the
                  target's box and name, a ring at a tap, an arrow for a swipe or scroll,
                  a caption naming the action)
    report.html   the status (a failure's reason in red) and totals on top, then one card
                  per action: plan, decision, grounding, safety, reflection, time, tokens,
                  and the before (annotated) and after screens; images inline as
                  downscaled JPEG (the page stays small), each a link to the full-size
                  PNG beside it
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
from guiagent.naming import RecordLines, action_phrase, at, clean, plural, quoted, target_name
from guiagent.steps import RECORD_TYPES, StepRecord
from planners.actions import parse_action

REPORT = "report.html"
THUMB_LONG_SIDE = 1000   # inline screenshots are shrunk by a whole factor to at most this
JPEG_QUALITY = 72
MARK = (229, 57, 53)
BOX = (255, 193, 7)
ARROWS = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}
Record = dict[str, Any]


def load_record(data: Record) -> StepRecord | None:
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


def record_line(data: Record) -> str:
    """``[3] act: tap "Wi-Fi" at (1, 2)`` for one JSON record on its own (no names that
    later records hold; `guiagent runs show` reads the whole run with RecordLines)."""
    return RecordLines().lines([data])[0]


# -- drawing the action -----------------------------------------------------------------------

def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:   # Pillow < 10.1 has one fixed size
        return ImageFont.load_default()


def annotate(image: Image.Image, act: Record, ground: Record | None = None,
             caption: str | None = None) -> Image.Image:
    """A copy of ``image`` with the action of an ``act`` record drawn on it: the target's
    box and name (from its ``ground`` record), a ring or an arrow, a caption."""
    out = image.convert("RGB") if image.mode != "RGB" else image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    r = max(12, w // 30)
    if ground and isinstance(ground.get("box"), list) and len(ground["box"]) == 4:
        _box(draw, ground["box"], target_name({}, ground), r)
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
    text = caption or f"{act.get('step', '?')}. {action_phrase(action, ground)}{at(act)}"
    _caption(draw, text, w, r)
    return out


def _box(draw: ImageDraw.ImageDraw, box: list[int], name: str, r: int) -> None:
    """The target's box, and its name on a tag above it (below it at the top edge)."""
    x1, y1, x2, y2 = (int(v) for v in box)
    draw.rectangle((x1, y1, x2, y2), outline=BOX, width=max(3, r // 6))
    if not name:
        return
    font = _font(max(14, r))
    left, top, right, bottom = draw.textbbox((0, 0), name, font=font)
    tw, th = right - left + r // 2, bottom - top + r // 2
    ty = y1 - th if y1 - th >= 0 else y2
    draw.rectangle((x1, ty, x1 + tw, ty + th), fill=BOX)
    draw.text((x1 + r // 4 - left, ty + r // 4 - top), name, fill=(0, 0, 0), font=font)


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
    draw.rectangle((0, 0, w, size + r), fill=(0, 0, 0))
    draw.text((r // 2, r // 2), text[:80], fill=(255, 255, 255), font=_font(size))


# -- images ------------------------------------------------------------------------------------

def img_data(image: Image.Image, long_side: int = THUMB_LONG_SIDE) -> str:
    """A downscaled JPEG data URL: the page stays one small file (full size is beside it)."""
    thumb = image if image.mode == "RGB" else image.convert("RGB")
    factor = -(-max(thumb.size) // long_side)
    if factor > 1:
        thumb = thumb.reduce(factor)
    buf = io.BytesIO()
    thumb.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


class Screens:
    """The run's screenshots, each decoded once (an action's "after" is the next "before")."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.cache: dict[str, Image.Image | None] = {}

    def get(self, name: str | None) -> Image.Image | None:
        """The image, or None when it is missing or unreadable (a run killed mid-write)."""
        if not name or not isinstance(name, str) or "/" in name:
            return None
        if name not in self.cache:
            self.cache[name] = self._load(self.dir / name)
        return self.cache[name]

    @staticmethod
    def _load(path: Path) -> Image.Image | None:
        try:
            if not path.is_file():
                return None
            with Image.open(path) as im:
                im.load()
                return im if im.mode == "RGB" else im.convert("RGB")
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
            return None


def figure(image: Image.Image, href: str, caption: str) -> str:
    """A large inline screen that links to its full-size file."""
    cap = html.escape(caption)
    return (f'<figure><a href="{html.escape(href)}" target="_blank" title="full size">'
            f'<img alt="{cap}" src="{img_data(image)}"></a><figcaption>{cap}</figcaption>'
            "</figure>")


# -- the cards ---------------------------------------------------------------------------------

def group_steps(records: list[Record]) -> list[list[Record]]:
    """Records split into cards: each plan starts a new one; the first holds the start."""
    cards: list[list[Record]] = [[]]
    for rec in records:
        if rec.get("kind") == "plan" and cards[-1]:
            cards.append([])
        cards[-1].append(rec)
    return [c for c in cards if c]


class Cards:
    """Turns a run's records into HTML cards, one per step, in order."""

    def __init__(self, screens: Screens) -> None:
        self.screens = screens
        self.names = RecordLines()
        self.last_elapsed = 0.0
        self.last_tokens = 0
        self.screen = ""     # the last screen observed

    def card(self, recs: list[Record]) -> str:
        rows: list[tuple[str, str, str]] = []
        shots: list[str] = []
        ground: Record | None = None
        bad = False
        for rec in recs:
            kind = str(rec.get("kind"))
            ground = rec if kind == "ground" else ground
            for data, line in self.names.feed(rec):
                rows.extend(self._rows(data, line))
            if kind == "act":
                shots.extend(self._act_shots(rec, ground))
            bad = bad or (kind == "ground" and not rec.get("found")) or (
                kind == "reflect" and rec.get("outcome") == "wrong_page") or (
                kind == "result" and rec.get("status") != "success")
            if kind == "observe" and rec.get("image"):
                self.screen = str(rec["image"])
        rows += [r for data, line in self.names.flush() for r in self._rows(data, line)]
        image = self.screens.get(self.screen) if not shots else None
        if image is not None:
            shots.append(figure(image, self.screen, "the screen"))
        body = "".join(f'<dt>{k}</dt><dd class="{css}">{html.escape(v, quote=False)}</dd>'
                       for k, v, css in rows)
        state = " bad" if bad else ""
        return (f'<section class="card{state}"><div class="text"><h2>{self._title(recs)}</h2>'
                f'<dl>{body}</dl></div><div class="shots">{"".join(shots)}</div></section>')

    @staticmethod
    def _title(recs: list[Record]) -> str:
        kinds = {r.get("kind"): r for r in recs}
        if "act" in kinds:
            return f"Step {html.escape(str(kinds['act'].get('step')))}"
        if "plan" in kinds:
            return f"Step {int(recs[0].get('step') or 0) + 1}" + (
                ": the end" if "result" in kinds else "")
        return "The end" if "result" in kinds else "Start"

    def _rows(self, rec: Record, line: str) -> list[tuple[str, str, str]]:
        """(label, text, css class) rows for one record; quiet records give none."""
        kind = str(rec.get("kind"))
        text = line.split(": ", 1)[-1] if ": " in line else line
        if kind == "observe":
            return [("warning", w, "warn") for w in rec.get("warnings") or []]
        if kind == "app_model":
            return []
        if kind == "act":
            return self._act_rows(rec)
        if kind == "ground":
            return [self._ground_row(rec)]
        if kind == "safety":
            css = "" if rec.get("verdict") == "allow" else "bad"
            return [("safety", text, css)]
        if kind == "reflect":
            css = {"ok": "", "no_change": "warn"}.get(str(rec.get("outcome")), "bad")
            return [("reflection", f"{text} (by {rec.get('by', 'model')})", css)]
        if kind == "result":
            return []
        css = "warn" if kind in ("warning", "rollback") else ""
        return [({"plan": "plan", "decide": "decision"}.get(kind, kind), text, css)]

    @staticmethod
    def _ground_row(rec: Record) -> tuple[str, str, str]:
        if not rec.get("found"):
            return ("grounding", f"cannot find {quoted(rec.get('target', ''))}: "
                                 f"{rec.get('reason', '')}", "bad")
        name = target_name({}, rec) or quoted(rec.get("target", ""))
        how, asked = str(rec.get("reason") or ""), str(rec.get("target") or "")
        score = rec.get("score")
        chosen = ("chosen by its number" if how == asked and asked.startswith("element")
                  else f"found for {quoted(asked)}" + (f": {how}" if how else ""))
        scored = f", score {float(score):.2f}" if isinstance(score, int | float) else ""
        return ("grounding", f"{name}{at(rec)}, {chosen}{scored}", "")

    def _act_rows(self, rec: Record) -> list[tuple[str, str, str]]:
        elapsed = float(rec.get("elapsed") or 0)
        tokens = int(rec.get("tokens") or 0)
        spent = elapsed - self.last_elapsed if elapsed else None
        used = tokens - self.last_tokens
        self.last_elapsed, self.last_tokens = elapsed or self.last_elapsed, tokens
        dry = " (dry run: not sent)" if rec.get("dry_run") else ""
        rows = [("action", f"{self.names.phrase(rec)}{at(rec)}{dry}", "act")]
        took = f"{spent:.1f} s for the step, " if spent is not None else ""
        rows.append(("time", f"{took}{float(rec.get('seconds') or 0):.2f} s sending the input",
                     ""))
        rows.append(("tokens", str(used), ""))
        return rows

    def _act_shots(self, act: Record, ground: Record | None) -> list[str]:
        """The annotated 'before' (also saved full size as act-NNN.png) and the 'after'."""
        out = []
        before = self.screens.get(act.get("before"))
        if before is not None:
            caption = f"{act.get('step', '?')}. {self.names.phrase(act)}{at(act)}"
            marked = annotate(before, act, ground, caption)
            buf = io.BytesIO()
            marked.save(buf, format="PNG", compress_level=1)
            name = f"act-{int(act.get('step') or 0):03d}.png"
            atomic_write_bytes(self.screens.dir / name, buf.getvalue())
            out.append(figure(marked, name, "before, with the action"))
        after = self.screens.get(act.get("after"))
        if after is not None:
            out.append(figure(after, str(act["after"]), "after"))
        return out


CSS = """*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;
padding:16px 24px;color:#1d1d1f;background:#f5f5f7}h1{font-size:22px;margin:4px 0 8px}
.banner{padding:10px 16px;border-radius:8px;font-size:18px;font-weight:600;margin:8px 0}
.banner.success{background:#e8f5e9;color:#1b5e20}
.banner.failed,.banner.damaged{background:#ffebee;color:#b71c1c}.banner.stopped,.banner.incomplete{background:#fff3e0;color:#bf360c}
.facts{display:flex;flex-wrap:wrap;gap:6px 24px;margin:8px 0 16px}.facts b{color:#555;
font-weight:600;margin-right:6px}.card{display:grid;grid-template-columns:minmax(320px,1fr) 2.2fr;
gap:20px;background:#fff;border:1px solid #ddd;border-left:6px solid #2e7d32;
border-radius:10px;padding:14px 18px;margin:14px 0}.card.bad{border-left-color:#c62828}
.card h2{font-size:18px;margin:0 0 8px}dl{display:grid;grid-template-columns:max-content 1fr;
gap:4px 12px;margin:0}dt{font-weight:600;color:#555}dd{margin:0;overflow-wrap:anywhere}
dd.act{font-weight:600}dd.bad{color:#c62828;font-weight:600}dd.warn{color:#e65100}
.shots{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}figure{margin:0}
figure img{display:block;max-height:78vh;max-width:100%;border:1px solid #ccc;
border-radius:6px;cursor:zoom-in}figcaption{font-size:13px;color:#666;margin-top:4px}
@media (max-width:900px){.card{grid-template-columns:1fr}}"""


def render_report(run_dir: Path, meta: Record, records: list[Record]) -> str:
    records = [clean(r) for r in records]
    meta = {k: v for k, v in meta.items() if isinstance(v, str | int | float)}
    result = next((r for r in reversed(records) if r.get("kind") == "result"), None)
    status = str(result.get("status")) if result else "incomplete"
    reason = str(result.get("reason", "")) if result else "the run ended before its result"
    facts = [("device", meta.get("device", "")), ("planner", meta.get("planner", "")),
             ("started", meta.get("started", ""))]
    if result:
        facts += [("steps", plural(int(result.get("steps") or 0), "step")),
                  ("time", f"{float(result.get('seconds') or 0):.1f} s"),
                  ("tokens", result.get("tokens", 0)),
                  ("cost", f"${float(result.get('cost_usd') or 0):.4f}")]
    head = "".join(f"<span><b>{k}</b>{html.escape(str(v), quote=False)}</span>" for k, v in facts)
    cards = Cards(Screens(run_dir))
    groups = group_steps(records)
    if len(groups) > 1 and all(r.get("kind") == "observe" and not r.get("warnings")
                               for r in groups[0]):
        groups = groups[1:]    # step 1's card shows the first screen already
    body = "".join(cards.card(c) for c in groups)
    title = html.escape(str(meta.get("task", run_dir.name)))
    return (f"<!doctype html><html lang=en><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>guiagent run: {title}</title><style>{CSS}</style><h1>{title}</h1>"
            f'<div class="banner {html.escape(status)}">{html.escape(status)}: '
            f'{html.escape(reason, quote=False)}</div><div class="facts">{head}</div>{body}</html>')


def write_report(run_dir: Path) -> Path:
    """(Re)write report.html and the annotated screenshots of a run; returns the HTML path."""
    from guiagent.runs import read_run

    run_dir = Path(run_dir)
    meta, records = read_run(run_dir)
    path = run_dir / REPORT
    atomic_write_text(path, render_report(run_dir, meta, records))
    return path
