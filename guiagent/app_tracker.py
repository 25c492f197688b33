"""The loop's view of the app models: one AppModel per app, states named ``app/sN``.

Wraps planners.appmodel so that the loop can predict a transition, check
its post-condition, learn from it and plan a rollback without caring which
app a screen belongs to. Models are saved when the run ends.
"""

from __future__ import annotations

from grounding.types import Screen
from planners.actions import Action
from planners.appmodel import AppModel, AppModelStore, State, action_key

UNKNOWN_APP = "unknown"


class AppTracker:
    """Implements guiagent.loop_guard.StateTracker over an AppModelStore."""

    def __init__(self, store: AppModelStore) -> None:
        self.store = store
        self.models: dict[str, AppModel] = {}

    def _model(self, app: str) -> AppModel:
        if app not in self.models:
            self.models[app] = self.store.load(app)
        return self.models[app]

    def _split(self, key: str) -> tuple[AppModel, State]:
        app, _, sid = key.rpartition("/")
        model = self._model(app)
        return model, model.state(sid)

    def locate(self, screen: Screen) -> str:
        app = screen.app or UNKNOWN_APP
        return f"{app}/{self._model(app).locate(screen).id}"

    def predict(self, state: str, action: Action, screen: Screen) -> str | None:
        model, src = self._split(state)
        dst = model.predict(src, action_key(action, screen))
        return f"{model.app}/{dst.id}" if dst is not None else None

    def verify(self, before: str, action: Action, before_screen: Screen, after: str,
               after_screen: Screen) -> bool:
        """True when a known transition predicted ``after`` and its post-conditions hold."""
        if self.predict(before, action, before_screen) != after:
            return False
        model, src = self._split(before)
        t = model.transition(src, action_key(action, before_screen))
        return t is not None and model.check(t, after_screen)

    def known(self, state: str) -> bool:
        _, st = self._split(state)
        return st.visits > 1

    def learn(self, before: str, action: Action, after: str, before_screen: Screen,
              after_screen: Screen, ok: bool) -> None:
        """Record the transition (within one app; a switch of app is not a transition)."""
        model, src = self._split(before)
        other, dst = self._split(after)
        if model is other:
            model.record(src, action, dst, before_screen=before_screen,
                         after_screen=after_screen, ok=ok)

    def rollback(self, state: str) -> tuple[str | None, list[Action]]:
        model, here = self._split(state)
        stable = model.nearest_stable(here)
        target = f"{model.app}/{stable.id}" if stable is not None else None
        return target, model.rollback_plan(here)

    def save(self) -> None:
        for model in self.models.values():
            self.store.save(model)
