"""Tips and shortcuts learned from past runs (Mobile-Agent-E style).

After a successful run the loop stores it as semantic steps (an action that
names its target in words, never raw pixels, plus what the screen should
show afterwards), keyed by app and normalised task text. Free-text tips
("Airplane mode is under Network & internet") are kept per app::

    store = TipStore(data_dir / "tips")
    store.save_run("Set an alarm for 7:30", [RunStep.from_action(a, before, after, app)], app)
    run = store.find("set an alarm for 6:45")   # StoredRun with 7:30 rebound to 6:45, or None
    store.add_tip("com.android.settings", "Airplane mode is under Network & internet")
    store.tips_for("turn on airplane mode", "com.android.settings")

Task matching: texts are lower-cased and stripped of punctuation; quoted
strings, numbers (and times), e-mail addresses and URLs become slots. Two
tasks match exactly when their templates are equal, closely when the word
similarity (difflib ratio) of the templates is at least ``min_score`` (0.85)
and both have the same number of slots. A match rebinds slot values in the
stored steps (the number typed last time becomes this task's number).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grounding.types import Screen
from planners.actions import Action, parse_action
from planners.appmodel import (
    AppModelError,
    action_key,
    read_json,
    semantic_action,
    write_json_atomic,
)
from planners.fingerprint import fingerprint, normalize_text

_SLOT = re.compile(
    r"""(?P<q>"[^"]+"|'[^']+'|“[^”]+”)"""
    r"|(?P<e>[\w.+-]+@[\w-]+\.[\w.]+)"
    r"|(?P<u>https?://\S+)"
    r"|(?P<n>\d+(?:[:.,]\d+)*)"
)
_WORD = re.compile(r"[\w{}]+")
MAX_TIPS = 50
RUNS_FILE = "runs.json"
TIPS_FILE = "tips.json"


def task_template(task: str) -> tuple[str, list[str]]:
    """``('set an alarm for {}', ['7:30'])`` for ``'Set an alarm for 7:30'``."""
    values: list[str] = []

    def slot(m: re.Match[str]) -> str:
        values.append(m.group(0).strip("\"'“”"))
        return " {} "

    text = _SLOT.sub(slot, task.strip())
    words = _WORD.findall(text.casefold())
    return " ".join(words), values


@dataclass
class RunStep:
    """One semantic step of a stored run: the action and what should show afterwards."""

    action: dict[str, Any]
    key: str
    app: str | None = None
    expect_texts: list[str] = field(default_factory=list)
    fingerprint: str | None = None

    def to_action(self) -> Action:
        return parse_action(self.action)

    @classmethod
    def from_action(cls, action: Action, before: Screen | None, after: Screen | None,
                    app: str | None = None, max_texts: int = 5) -> RunStep:
        """A step from what the loop saw: element numbers and pixels become target names."""
        stored = semantic_action(action, before).model_dump(exclude_none=True)
        seen = set() if before is None else {e.text.strip() for e in before.elements}
        texts = [] if after is None else [e.text.strip() for e in after.elements
                                          if e.text.strip() and e.text.strip() not in seen]
        texts = list(dict.fromkeys(texts))[:max_texts]
        digest = None if after is None else fingerprint(after).digest
        return cls(action=stored, key=action_key(action, before),
                   app=app or (before.app if before else None), expect_texts=texts,
                   fingerprint=digest)


@dataclass
class StoredRun:
    """A successful run: task, app and steps; ``score`` says how well it matched a query."""

    task: str
    app: str | None
    steps: list[RunStep]
    slots: list[str] = field(default_factory=list)
    uses: int = 0
    score: float = 1.0

    @property
    def exact(self) -> bool:
        return self.score >= 1.0

    @property
    def key(self) -> str:
        return _run_key(self.app, task_template(self.task)[0])

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "app": self.app, "slots": self.slots, "uses": self.uses,
                "steps": [vars(s) for s in self.steps]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredRun:
        return cls(task=data["task"], app=data["app"], slots=data["slots"], uses=data["uses"],
                   steps=[RunStep(**s) for s in data["steps"]])

    def rebind(self, values: list[str], score: float) -> StoredRun:
        """A copy whose steps use ``values`` where this run used its own slot values."""
        pairs = [(old, new) for old, new in zip(self.slots, values, strict=False) if old != new]
        steps = [replace(s, action=_substitute(s.action, pairs),
                         expect_texts=[_swap(t, pairs) for t in s.expect_texts])
                 for s in self.steps]
        return replace(self, steps=steps, slots=list(values), score=score)


def _run_key(app: str | None, template: str) -> str:
    return f"{app or ''}\n{template}"


def _swap(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _substitute(action: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {k: _swap(v, pairs) if isinstance(v, str) and k != "type" else v
            for k, v in action.items()}


class TipStore:
    """Stored runs and tips under ``root`` (``runs.json`` and ``tips.json``, written atomically)."""

    def __init__(self, root: Path, min_score: float = 0.85) -> None:
        self.root = Path(root)
        self.min_score = min_score

    # ---- runs ---------------------------------------------------------------------------

    def _runs(self) -> dict[str, StoredRun]:
        raw = self._read(RUNS_FILE)
        try:
            return {key: StoredRun.from_json(value) for key, value in raw.items()}
        except (KeyError, TypeError) as exc:
            raise AppModelError(f"{self.root / RUNS_FILE}: not a run store ({exc}); delete "
                                "the file to start afresh") from exc

    def save_run(self, task: str, steps: list[RunStep], app: str | None = None) -> StoredRun:
        """Keep a successful run; a later run of the same task and app replaces it."""
        template, values = task_template(task)
        app = app or next((s.app for s in steps if s.app), None)
        runs = self._runs()
        old = runs.get(_run_key(app, template))
        run = StoredRun(task=task, app=app, steps=list(steps), slots=values,
                        uses=old.uses if old else 0)
        runs[run.key] = run
        self._write(RUNS_FILE, {k: v.to_json() for k, v in runs.items()})
        return run

    def find(self, task: str, app: str | None = None) -> StoredRun | None:
        """The stored run for this task (exact or close template match), rebound to its slots."""
        template, values = task_template(task)
        best: tuple[float, StoredRun] | None = None
        for key, run in self._runs().items():
            run_app, _, run_template = key.partition("\n")
            if app is not None and run_app != app or len(run.slots) != len(values):
                continue
            score = difflib.SequenceMatcher(None, run_template.split(), template.split()).ratio()
            if score >= self.min_score and (best is None or score > best[0]):
                best = (score, run)
        return None if best is None else best[1].rebind(values, round(best[0], 3))

    def mark_used(self, run: StoredRun) -> None:
        """Count one reuse of a stored run."""
        runs = self._runs()
        if run.key not in runs:
            return
        runs[run.key].uses += 1
        self._write(RUNS_FILE, {k: v.to_json() for k, v in runs.items()})

    # ---- tips ---------------------------------------------------------------------------

    def add_tip(self, app: str, text: str) -> bool:
        """Remember a lesson for ``app``; False when an equal tip is already known."""
        tips = self._read(TIPS_FILE)
        known = tips.setdefault(app, [])
        if normalize_text(text, 500) in {normalize_text(t, 500) for t in known}:
            return False
        known.append(text.strip())
        del known[:-MAX_TIPS]
        self._write(TIPS_FILE, tips)
        return True

    def tips_for(self, task: str, app: str | None, limit: int = 5) -> list[str]:
        """Tips of ``app`` (and app-independent ones), those sharing words with the task first."""
        tips = self._read(TIPS_FILE)
        pool = [*tips.get(app or "", []), *([] if app is None else tips.get("", []))]
        words = set(_WORD.findall(task.casefold()))

        def overlap(tip: str) -> int:
            return len(words & set(_WORD.findall(tip.casefold())))

        return sorted(pool, key=overlap, reverse=True)[:limit]

    # ---- files --------------------------------------------------------------------------

    def _read(self, name: str) -> dict[str, Any]:
        path = self.root / name
        if not path.exists():
            return {}
        data = read_json(path)
        if not isinstance(data, dict):
            raise AppModelError(f"{path}: expected a JSON object; delete the file to start afresh")
        return data

    def _write(self, name: str, data: dict[str, Any]) -> None:
        try:
            write_json_atomic(self.root / name, data)
        except OSError as exc:
            raise AppModelError(f"cannot write {self.root / name}: {exc}") from exc
