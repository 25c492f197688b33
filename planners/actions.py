"""Actions are typed data: a pydantic discriminated union whose JSON schema the model is shown.

A target is given one of three ways: ``element`` (a number from the set-of-mark
list), ``target`` (a text description, grounded locally) or ``x``/``y``
(physical pixels of the screenshot). Only the executor in guiagent turns an
Action into device input.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Targeted(_Action):
    target: str | None = Field(default=None,
                               description="What to act on, in words, e.g. 'the Send button'")
    element: int | None = Field(default=None,
                                description="Number of an element in the set-of-mark list")
    x: int | None = Field(default=None, description="Pixel x in the screenshot")
    y: int | None = Field(default=None, description="Pixel y in the screenshot")

    @model_validator(mode="after")
    def _one_target(self) -> _Targeted:
        has_xy = self.x is not None or self.y is not None
        if has_xy and (self.x is None or self.y is None):
            raise ValueError("give both x and y, or neither")
        if not (self.target or self.element is not None or has_xy) and self._needs_target():
            raise ValueError(f"'{self.type}' needs a target, an element number or x and y")  # type: ignore[attr-defined]
        return self

    def _needs_target(self) -> bool:
        return True

    def describe_target(self) -> str:
        if self.element is not None:
            return f"element {self.element}"
        if self.target:
            return repr(self.target)
        if self.x is not None:
            return f"({self.x}, {self.y})"
        return ""


class Tap(_Targeted):
    type: Literal["tap"] = "tap"


class LongPress(_Targeted):
    type: Literal["long_press"] = "long_press"


class Swipe(_Targeted):
    """Swipe from the target (or the screen centre) in a direction."""

    type: Literal["swipe"] = "swipe"
    direction: Literal["up", "down", "left", "right"]

    def _needs_target(self) -> bool:
        return False


class Scroll(_Targeted):
    """Scroll so that content in ``direction`` comes into view (scroll down = see what is below)."""

    type: Literal["scroll"] = "scroll"
    direction: Literal["up", "down", "left", "right"] = "down"

    def _needs_target(self) -> bool:
        return False


class Type(_Targeted):
    """Type text, into the target if one is given (it is tapped first), else the focused field."""

    type: Literal["type"] = "type"
    text: str

    def _needs_target(self) -> bool:
        return False


class Key(_Action):
    type: Literal["key"] = "key"
    key: str = Field(description="back, home, enter, delete, app_switch, tab, escape, or a "
                                 "hotkey such as ctrl+c")


class Back(_Action):
    type: Literal["back"] = "back"


class Home(_Action):
    type: Literal["home"] = "home"


class LaunchApp(_Action):
    type: Literal["launch_app"] = "launch_app"
    app: str = Field(description="App label or package name, e.g. 'Settings'")


class Wait(_Action):
    type: Literal["wait"] = "wait"
    seconds: float = Field(default=1.0, ge=0, le=30)


class Done(_Action):
    type: Literal["done"] = "done"
    text: str | None = Field(default=None,
                             description="The answer, when the task asked a question")


class Fail(_Action):
    type: Literal["fail"] = "fail"
    text: str | None = Field(default=None, description="Why the task cannot be done")


Action = Annotated[
    Tap | LongPress | Swipe | Scroll | Type | Key | Back | Home | LaunchApp | Wait | Done | Fail,
    Field(discriminator="type"),
]
ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)
ACTION_TYPES = ("tap", "long_press", "swipe", "scroll", "type", "key", "back", "home",
                "launch_app", "wait", "done", "fail")


def parse_action(data: object) -> Action:
    """Validate a dict (or JSON string) into an Action; raises pydantic.ValidationError."""
    if isinstance(data, str | bytes):
        return ACTION_ADAPTER.validate_json(data)
    return ACTION_ADAPTER.validate_python(data)


def is_terminal(action: Action) -> bool:
    return isinstance(action, Done | Fail)
