"""Results of regression flows: JUnit XML for CI systems and a self-contained HTML report."""

from __future__ import annotations

import base64
import html
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from guiagent.files import atomic_write_bytes, atomic_write_text

Status = Literal["passed", "failed", "error"]


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


CSS = """body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:12px;margin:10px 0}
.passed{border-left:6px solid #2e7d32}.failed{border-left:6px solid #c62828}
.error{border-left:6px solid #ef6c00}img{max-height:480px;border:1px solid #ccc}
code{background:#f4f4f4;padding:1px 4px}"""


def _card(r: FlowResult) -> str:
    head = (f"<b>{html.escape(r.flow)}</b> on <code>{html.escape(r.device)}</code> "
            f"— {r.status} in {r.seconds:.1f}s")
    body = ""
    if not r.passed:
        where = f"{html.escape(r.path)}:{r.line}" if r.line else html.escape(r.path)
        body += (f"<p>Failed at <code>{where}</code> step <code>{html.escape(r.step)}</code>: "
                 f"{html.escape(r.message)}</p>")
        if r.screenshot:
            data = base64.b64encode(r.screenshot).decode()
            body += f'<img alt="screen at failure" src="data:image/png;base64,{data}">'
    if r.log:
        body += "<details><summary>steps</summary><pre>" + html.escape("\n".join(r.log))
        body += "</pre></details>"
    return f'<div class="card {r.status}">{head}{body}</div>'


def html_report(results: list[FlowResult]) -> str:
    passed = sum(r.passed for r in results)
    flaky = [(k, v) for k, v in flakiness(results).items() if 0 < v[0] < v[1]]
    flaky_html = "".join(f"<li>{html.escape(k[0])}: passed {p} of {n}</li>"
                         for k, (p, n) in flaky)
    return (
        "<!doctype html><meta charset=utf-8><title>guiagent test report</title>"
        f"<style>{CSS}</style><h1>guiagent test report</h1>"
        f"<p>{passed} of {len(results)} passed.</p>"
        + (f"<h2>Flaky</h2><ul>{flaky_html}</ul>" if flaky else "")
        + "".join(_card(r) for r in results)
    )


def write_reports(results: list[FlowResult], junit: Path | None, html_dir: Path | None) -> None:
    if junit:
        atomic_write_bytes(junit, junit_xml(results))
    if html_dir:
        atomic_write_text(Path(html_dir) / "index.html", html_report(results))
