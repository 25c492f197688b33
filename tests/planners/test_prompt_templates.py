"""Prompts are package data rendered strictly: every variable filled, nothing unknown."""

from __future__ import annotations

from importlib import resources

import pytest

from planners.errors import PromptError
from planners.templates import PLACEHOLDER, load_prompt, render, render_prompt

PROMPTS = sorted(p.name.removesuffix(".md") for p in resources.files("planners.prompts").iterdir()
                 if p.name.endswith(".md"))


def test_the_agent_prompts_are_packaged() -> None:
    assert {"plan_system", "plan_user", "decision_system", "decision_user", "reflection_system",
            "reflection_user", "retry", "schema_hint"} <= set(PROMPTS)


@pytest.mark.parametrize("name", PROMPTS)
def test_every_prompt_renders_with_its_variables(name: str) -> None:
    names = set(PLACEHOLDER.findall(load_prompt(name)))
    text = render_prompt(name, **{n: f"<<{n}>>" for n in names})
    assert not PLACEHOLDER.search(text)
    assert all(f"<<{n}>>" in text for n in names)


def test_missing_variable_is_an_error() -> None:
    with pytest.raises(PromptError, match=r"missing variables \['elements'\]"):
        render_prompt("decision_user", task="t", progress="p", subgoal="s", memory="m", tips="t",
                      last_outcomes="o", warnings="w", image_note="i")


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(PromptError, match=r"unknown variables \['colour'\]"):
        render("Hello {{name}}", {"name": "x", "colour": "red"})


def test_secret_syntax_is_prose_not_a_placeholder() -> None:
    assert render("type {{secret:PIN}} for {{who}}", {"who": "me"}) == "type {{secret:PIN}} for me"
    assert "{{secret:NAME}}" in render_prompt("decision_system")


def test_missing_prompt_file_is_an_error() -> None:
    with pytest.raises(PromptError, match="not in the package"):
        load_prompt("no_such_prompt")
