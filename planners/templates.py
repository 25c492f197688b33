"""Strict prompt templates: ``{{name}}`` placeholders, every one filled, nothing unused.

Prompts are package data (planners/prompts/*.md). Only ``{{identifier}}`` is a
placeholder, so prose such as ``{{secret:NAME}}`` passes through untouched.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from planners.errors import PromptError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render(template: str, values: dict[str, str], *, name: str = "template") -> str:
    """Fill every placeholder; a missing or an unused variable is a PromptError."""
    wanted = set(PLACEHOLDER.findall(template))
    missing = sorted(wanted - values.keys())
    unused = sorted(values.keys() - wanted)
    if missing or unused:
        raise PromptError(f"{name}: missing variables {missing}, unknown variables {unused}")
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


@cache
def load_prompt(name: str) -> str:
    """The text of planners/prompts/<name>.md."""
    try:
        return (resources.files("planners.prompts") / f"{name}.md").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise PromptError(f"prompt '{name}' is not in the package (broken install?)") from exc


def render_prompt(name: str, **values: str) -> str:
    """Load a packaged prompt and render it strictly."""
    return render(load_prompt(name), values, name=f"{name}.md").strip()
