"""The whole configuration checked once, with pydantic, before a command does anything.

Each layer (the config file, the environment, the flags) is validated on its own so that
an error names where the bad value came from; keys nobody reads are warned about, with
the closest known key, because a typo would otherwise be ignored in silence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import click

from guiagent.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

TYPE_NAME = re.compile(r"^(\w+\[.*|str|int|float|bool|PriceMapping|function-.*|literal\[.*)$")
EXTRA_KEYS = {"prices"}   # known keys that live in Settings.extra
_warned: set[tuple[str, str]] = set()


# pydantic is imported when there is something to check (a one-shot command with no config
# file and no settings in the environment starts without it).
@cache
def _settings_adapter() -> TypeAdapter[Any]:
    from annotated_types import Ge, Gt  # noqa: F401 - the names Settings' annotations use
    from pydantic import TypeAdapter

    from guiagent.config import Settings

    return TypeAdapter(Settings)   # resolves those names from this frame too


@cache
def _prices_adapter() -> TypeAdapter[Any]:
    """``prices``: each model's [input, output] or {input = .., output = ..}, in USD per 1M
    tokens."""
    from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

    non_negative = Annotated[float, Field(ge=0)]

    class PriceMapping(BaseModel):
        model_config = ConfigDict(extra="forbid")
        input: non_negative  # type: ignore[valid-type]
        output: non_negative  # type: ignore[valid-type]

    return TypeAdapter(dict[str, tuple[non_negative, non_negative] | PriceMapping])


def check_layer(values: Mapping[str, Any], source: str,
                names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``values`` validated and converted; ConfigError naming ``source`` and the key.

    ``names`` maps a setting to what the user wrote (an environment variable's name)."""
    plain = {k: v for k, v in values.items() if k != "extra"}
    if not plain:
        return {"extra": values["extra"]} if "extra" in values else {}
    from pydantic import ValidationError

    try:
        checked = _settings_adapter().validate_python(plain)
    except ValidationError as exc:
        raise ConfigError(_message(exc, source, names or {})) from exc
    if plain.get("privacy") is not None:
        _check_privacy(checked.privacy, source, (names or {}).get("privacy", "privacy"))
    return {k: getattr(checked, k, v) for k, v in plain.items()} | (
        {"extra": values["extra"]} if "extra" in values else {})


def _check_privacy(value: list[str] | str, source: str, key: str) -> None:
    """Only known classes of personal data (or "off"); planners is imported only when set."""
    from planners.privacy import PII_CLASSES

    chosen = [value] if isinstance(value, str) else value
    unknown = sorted(set(chosen) - set(PII_CLASSES) - ({"off", "none"} if isinstance(value, str)
                                                       else set()))
    if unknown:
        raise ConfigError(f"{source}: {key} = {value!r}: unknown personal data classes "
                          f"{unknown}; choose from {', '.join(PII_CLASSES)} (or \"off\")")


def check_extra(extra: Mapping[str, Any], source: str, known: set[str]) -> None:
    """``prices`` checked; any other key warned about once (with a did-you-mean)."""
    if "prices" in extra:
        from pydantic import ValidationError

        try:
            _prices_adapter().validate_python(extra["prices"])
        except ValidationError as exc:
            raise ConfigError(_message(exc, source, {}, prefix="prices") +
                              " (each model: [input, output] in USD per 1M tokens)") from exc
    for key in sorted(set(extra) - EXTRA_KEYS):
        if (source, key) in _warned:
            continue
        _warned.add((source, key))
        close = difflib.get_close_matches(key, sorted(known | EXTRA_KEYS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        click.echo(f"guiagent: warning: {source}: unknown setting '{key}' is ignored{hint}",
                   err=True)


def _message(exc: ValidationError, source: str, names: Mapping[str, str],
             prefix: str = "") -> str:
    """One line for the first error: where, which key, what it was, what it must be."""
    error = exc.errors()[0]
    loc = [str(p) for p in error["loc"] if not TYPE_NAME.match(str(p))]
    key = ".".join([prefix, *loc] if prefix else loc) or prefix
    key = names.get(key, key)
    value = error.get("input")
    shown = f" = {value!r}" if not isinstance(value, dict | list) else ""
    return f"{source}: {key}{shown}: {error['msg'].lower()}"
