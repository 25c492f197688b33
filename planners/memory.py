"""The memory unit: short notes the decision agent asks to keep, shown in later prompts."""

from __future__ import annotations

import re


def _key(note: str) -> str:
    return re.sub(r"\s+", " ", note).strip().casefold()


class Memory:
    """Notes in insertion order, deduplicated (case and spacing ignored), oldest dropped first."""

    def __init__(self, max_notes: int = 20, max_chars: int = 300) -> None:
        self.max_notes = max_notes
        self.max_chars = max_chars
        self._notes: list[str] = []

    def add(self, note: str | None) -> bool:
        """Keep a note; False when it is empty or already known (a repeat moves to the end)."""
        text = re.sub(r"\s+", " ", note or "").strip()[: self.max_chars]
        if not text:
            return False
        known = [n for n in self._notes if _key(n) == _key(text)]
        for old in known:
            self._notes.remove(old)
        self._notes.append(text)
        del self._notes[: max(0, len(self._notes) - self.max_notes)]
        return not known

    @property
    def notes(self) -> list[str]:
        return list(self._notes)

    def __len__(self) -> int:
        return len(self._notes)

    def render(self) -> str:
        """Bullet lines for a prompt."""
        return render_list(self._notes)


def render_list(items: list[str], empty: str = "(none)") -> str:
    """Items as ``- item`` lines, or ``empty`` when there are none."""
    lines = [f"- {item}" for item in items if item and item.strip()]
    return "\n".join(lines) if lines else empty
