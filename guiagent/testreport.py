"""Results of regression flows: JUnit XML for CI systems and an HTML report.

The HTML report (``DIR/index.html``) lists failures first; per flow its start time and
duration, and each step with a thumbnail of the screen after it, its time, and for
``do:`` steps a link to the agent's own run report. A failure's full-size screenshot is
written beside the page.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from guiagent.files import atomic_write_bytes, atomic_write_text
from guiagent.naming import plural

Status = Literal["passed", "failed", "error"]
THUMB_WIDTH = 200


@dataclass
class StepShot:
    """One step of a flow as run: where it is written, what it did, and the screen after."""

    line: int
    text: str
    status: Literal["passed", "failed"]
    seconds: float
    detail: str = ""
    thumbnail: bytes | None = None   # JPEG (see ``thumbnail``)
    run_dir: str | None = None       # a do: step's agent run


@dataclass
class FlowResult:
    """One run of one flow on one device (``attempt`` counts --repeat runs from 1)."""

    flow: str
    path: str
    device: str
    status: Status
    seconds: float
    message: str = ""
    step: str = ""
    line: int | None = None
    screenshot: bytes | None = None
    attempt: int = 1
    log: list[str] = field(default_factory=list)
    started: str = ""                # local time the flow started, ISO 8601
    steps: list[StepShot] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def flakiness(results: list[FlowResult]) -> dict[tuple[str, str], tuple[int, int]]:
    """(flow, path) -> (passes, runs) over repeated runs."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        c = counts[(r.flow, r.path)]
        c[0] += r.passed
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def junit_xml(results: list[FlowResult], suite_name: str = "guiagent") -> bytes:
    """testsuites/testsuite (one per device)/testcase with failure or error elements."""
    root = ET.Element("testsuites", name=suite_name)
    by_device: dict[str, list[FlowResult]] = defaultdict(list)
    for r in results:
        by_device[r.device].append(r)
    for device, rs in by_device.items():
        suite = ET.SubElement(
            root, "testsuite", name=f"{suite_name}.{device}", tests=str(len(rs)),
            failures=str(sum(r.status == "failed" for r in rs)),
            errors=str(sum(r.status == "error" for r in rs)),
            time=f"{sum(r.seconds for r in rs):.3f}",
        )
        for r in rs:
            name = r.flow if r.attempt == 1 else f"{r.flow} [run {r.attempt}]"
            case = ET.SubElement(suite, "testcase", name=name, classname=Path(r.path).stem,
                                 file=r.path, time=f"{r.seconds:.3f}")
            if r.status != "passed":
                where = f"{r.path}:{r.line}: " if r.line else ""
                tag = "failure" if r.status == "failed" else "error"
                el = ET.SubElement(case, tag, message=f"{where}{r.step}: {r.message}".strip())
                el.text = "\n".join(r.log)
    root.set("tests", str(len(results)))
    root.set("failures", str(sum(r.status == "failed" for r in results)))
    root.set("errors", str(sum(r.status == "error" for r in results)))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def thumbnail(image: Image.Image, width: int = THUMB_WIDTH) -> bytes:
    """A small JPEG of a screen for a step's tile (a phone screen: about 10 KB)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    factor = max(1, rgb.width // width)
    small = rgb.reduce(factor) if factor > 1 else rgb
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=70, optimize=True)
    return buf.getvalue()


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


def _png_thumbnail(png: bytes, width: int) -> bytes | None:
    try:
        with Image.open(io.BytesIO(png)) as im:
            im.load()
            return thumbnail(im, width)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


CSS = """*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;
padding:16px 24px;color:#1d1d1f;background:#f5f5f7}h1{font-size:22px;margin:4px 0}
.summary{font-size:18px;font-weight:600;margin:6px 0 14px}.summary .bad{color:#b71c1c}
.flow{background:#fff;border:1px solid #ddd;border-left:6px solid #2e7d32;border-radius:10px;
padding:12px 18px;margin:14px 0}.flow.failed{border-left-color:#c62828}
.flow.error{border-left-color:#ef6c00}.flow h2{font-size:18px;margin:0 0 4px}
.meta{color:#555;margin-bottom:8px}.why{color:#b71c1c;font-weight:600;margin:6px 0}
.failure{display:flex;gap:16px;align-items:flex-start}.failure img{max-height:70vh;
border:1px solid #ccc;border-radius:6px}.steps{display:grid;gap:10px;
grid-template-columns:repeat(auto-fill,minmax(170px,1fr));margin-top:10px}
.step{border:1px solid #e0e0e0;border-radius:8px;padding:6px;font-size:13px;background:#fafafa}
.step.failed{border-color:#c62828;background:#ffebee}.step img{display:block;width:100%;
border-radius:4px;margin-bottom:4px}.step .t{color:#666}code{background:#f0f0f0;padding:1px 4px}
details{margin-top:8px}pre{white-space:pre-wrap;font-size:12px}"""
ORDER = {"error": 0, "failed": 1, "passed": 2}


def _step_tile(s: StepShot, base: Path | None) -> str:
    img = f'<img alt="screen after the step" src="{_data_url(s.thumbnail)}">' \
        if s.thumbnail else ""
    link = ""
    if s.run_dir:
        report = Path(s.run_dir) / "report.html"
        href = os.path.relpath(report, base) if base else str(report)
        link = f'<br><a href="{html.escape(href)}">the agent\'s run report</a>'
    short = s.detail if len(s.detail) <= 100 else s.detail[:97] + "..."
    detail = f" ({html.escape(short)})" if short else ""
    return (f'<div class="step {s.status}">{img}<b>line {s.line}</b>: '
            f'{html.escape(s.text)}{detail}<br><span class="t">{s.status}, '
            f"{s.seconds:.1f} s</span>{link}</div>")


def _card(r: FlowResult, shot_name: str | None, base: Path | None) -> str:
    started = f"started {html.escape(r.started)}, " if r.started else ""
    run = f", run {r.attempt}" if r.attempt > 1 else ""
    head = (f"<h2>{html.escape(r.flow)}</h2><div class=meta>{r.status} on "
            f"<code>{html.escape(r.device)}</code>{run} — {started}{r.seconds:.1f} s — "
            f"<code>{html.escape(r.path)}</code></div>")
    body = ""
    if not r.passed:
        where = f"{html.escape(r.path)}:{r.line}" if r.line else html.escape(r.path)
        body += (f'<div class="why">{r.status} at <code>{where}</code> '
                 f"<code>{html.escape(r.step)}</code>: {html.escape(r.message)}</div>")
        small = _png_thumbnail(r.screenshot, 480) if r.screenshot else None
        if small is not None:
            img = f'<img alt="the screen at the failure" src="{_data_url(small)}">'
            body += (f'<div class="failure"><a href="{html.escape(shot_name)}">{img}</a></div>'
                     if shot_name else f'<div class="failure">{img}</div>')
    if r.steps:
        body += '<div class="steps">' + "".join(_step_tile(s, base) for s in r.steps) + "</div>"
    if r.log:
        body += "<details><summary>log</summary><pre>" + html.escape("\n".join(r.log))
        body += "</pre></details>"
    return f'<section class="flow {r.status}">{head}{body}</section>'


def shot_file(index: int, r: FlowResult) -> str:
    """The name of a failure's full-size screenshot beside index.html."""
    slug = re.sub(r"[^a-z0-9]+", "-", r.flow.lower()).strip("-")[:40] or "flow"
    return f"failure-{index:03d}-{slug}.png"


def html_report(results: list[FlowResult], shots: dict[int, str] | None = None,
                base: Path | None = None) -> str:
    """The whole page: failures first, each flow with its steps; ``shots`` names the
    full-size failure screenshots written beside it (by result index)."""
    shots = shots or {}
    passed = sum(r.passed for r in results)
    flaky = [(k, v) for k, v in flakiness(results).items() if 0 < v[0] < v[1]]
    flaky_html = "".join(f"<li>{html.escape(k[0])}: passed {p} of {n}</li>"
                         for k, (p, n) in flaky)
    order = sorted(range(len(results)), key=lambda i: (ORDER[results[i].status], i))
    bad = len(results) - passed
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<title>guiagent test report</title>"
        f"<style>{CSS}</style><h1>guiagent test report</h1>"
        f'<div class="summary">{passed} of {plural(len(results), "flow run")} passed'
        + (f', <span class="bad">{bad} did not</span>' if bad else "") + "</div>"
        + (f"<h2>Flaky</h2><ul>{flaky_html}</ul>" if flaky else "")
        + "".join(_card(results[i], shots.get(i), base) for i in order) + "</html>"
    )


def write_reports(results: list[FlowResult], junit: Path | None, html_dir: Path | None) -> None:
    if junit:
        atomic_write_bytes(junit, junit_xml(results))
    if html_dir:
        html_dir = Path(html_dir)
        shots = {i: shot_file(i, r) for i, r in enumerate(results) if r.screenshot}
        for i, name in shots.items():
            atomic_write_bytes(html_dir / name, results[i].screenshot or b"")
        atomic_write_text(html_dir / "index.html",
                          html_report(results, shots, html_dir.resolve()))
