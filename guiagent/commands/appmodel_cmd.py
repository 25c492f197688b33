"""`guiagent appmodel list | show APP [--dot]`: the screens and transitions learned per app."""

from __future__ import annotations

import click

from guiagent.config import data_dir
from guiagent.errors import UsageError
from planners.appmodel import AppModel, AppModelError, AppModelStore, State, Transition


def model_store() -> AppModelStore:
    return AppModelStore(data_dir() / "appmodels")


def resolve_app(name: str, known: list[str]) -> str:
    """The known app ``name`` means: exact, else the one app whose name contains it."""
    if name in known:
        return name
    close = [app for app in known if name.casefold() in app.casefold()]
    if len(close) == 1:
        return close[0]
    if not known:
        raise UsageError(f"no app model for '{name}': none learned yet (guiagent learns them "
                         "while it runs tasks)")
    choices = close if len(close) > 1 else known
    raise UsageError(f"no app model for '{name}'; known apps: {', '.join(choices)}")


def state_line(model: AppModel, s: State) -> str:
    flags = [f for f, on in (("stable", model.is_stable(s)), ("entry", s.entry),
                             ("dialog", s.dialog), ("keyboard", s.keyboard)) if on]
    return f"  {s.id:<5} {s.name[:40]:<40} visits {s.visits:<4} {' '.join(flags)}".rstrip()


def transition_line(t: Transition) -> str:
    expects = ", ".join(repr(x) for x in t.expect_texts[:3])
    checked = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in t.expect_checked.items())
    post = "; ".join(p for p in (expects, checked) if p)
    return (f"  {t.src} -> {t.dst:<5} {t.key:<36} ok {t.successes}, failed {t.failures}"
            + (f"  expects {post}" if post else ""))


def describe(model: AppModel) -> str:
    lines = [f"{model.app}: {len(model.states)} states, {len(model.transitions)} transitions",
             "states:", *(state_line(model, s) for s in model.states.values()),
             "transitions:", *(transition_line(t) for t in model.transitions)]
    return "\n".join(lines)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(model: AppModel) -> str:
    """Graphviz DOT: states as boxes (stable ones with a double border), transitions as edges."""
    lines = [f'digraph "{_dot_text(model.app)}" {{', "  rankdir=LR;", "  node [shape=box];"]
    for s in model.states.values():
        border = ", peripheries=2" if model.is_stable(s) else ""
        lines.append(f'  "{s.id}" [label="{_dot_text(s.name)}\\nvisits {s.visits}"{border}];')
    for t in model.transitions:
        style = "" if t.reliable else ", style=dashed"
        label = f"{t.key} ({t.successes}/{t.failures})"
        lines.append(f'  "{t.src}" -> "{t.dst}" [label="{_dot_text(label)}"{style}];')
    lines.append("}")
    return "\n".join(lines)


@click.group()
def appmodel() -> None:
    """Show the app models (screens and transitions) guiagent has learned."""


@appmodel.command("list")
def list_models() -> None:
    """List the apps that have a model, with their sizes."""
    store = model_store()
    for app in store.apps():
        try:
            model = store.load(app)
        except AppModelError as exc:
            click.echo(f"{app}  unreadable: {exc}")
            continue
        click.echo(f"{app}  {len(model.states)} states, {len(model.transitions)} transitions")


@appmodel.command("show")
@click.argument("app")
@click.option("--dot", is_flag=True, help="Print Graphviz DOT instead of text.")
def show(app: str, dot: bool) -> None:
    """Print the states and transitions of APP (a package name or part of it)."""
    store = model_store()
    try:
        model = store.load(resolve_app(app, store.apps()))
    except AppModelError as exc:
        raise UsageError(str(exc)) from exc
    click.echo(to_dot(model) if dot else describe(model))
