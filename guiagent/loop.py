"""The agent loop: a generator of typed step records, ending with one ``RunResult``.

One step: observe -> perceive -> app model -> plan -> decide -> ground ->
safety -> act -> observe again -> app model check -> reflect (on demand) ->
loop detectors. Every collaborator comes in through the constructor; the
CLI, the TUI, reports and regression runs consume the same stream.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TypeVar

from devices import Device, Observation, PixelPoint
from devices.errors import DeviceError, InputRefused, Unsupported
from devices.settle import frame_difference
from grounding.errors import RemoteGrounderError
from grounding.types import Screen, Target
from guiagent.executor import Executor
from guiagent.loop_guard import LoopGuard, StateTracker
from guiagent.naming import action_phrase
from guiagent.safety import Safety, scan_injections
from guiagent.steps import (
    Acted,
    Decided,
    Grounded,
    ModelUpdated,
    Observed,
    Planned,
    Reflected,
    RolledBack,
    RunResult,
    SafetyChecked,
    Status,
    StepRecord,
    Warned,
    action_dict,
    describe_action,
)
from guiagent.trajectory import Trajectory
from planners.actions import Action, Back, Done, Fail, Wait
from planners.errors import BadModelReply, LLMConfigError, LLMUnavailable, TimeBudgetSpent
from planners.policy import (
    Context,
    Feedback,
    Plan,
    Policy,
    ReflectInput,
    Reflection,
    compare_screens,
)
from planners.tips import RunStep, TipStore
from planners.usage import Budget

Perceive = Callable[[Observation], Screen]
Locate = Callable[[Screen, str], Target]
Records = Iterator[StepRecord]
T = TypeVar("T")
Gen = Generator[StepRecord, None, T]
MAX_BAD_REPLIES = 3
PIXEL_CHANGE = 0.3   # mean grey-level difference (0-255) above which a screen has changed


@dataclass(frozen=True, slots=True)
class LoopOptions:
    dry_run: bool = False
    reflect: bool = True
    history: int = 8


@dataclass(slots=True)
class Seen:
    """One observation, perceived, with its saved image name and app-model state."""

    obs: Observation
    screen: Screen
    image: str | None = None
    state: str | None = None
    timing: tuple[float, float] = (0.0, 0.0)   # (capture, perceive) seconds


def new_texts(before: Screen, after: Screen, limit: int = 5) -> list[str]:
    """Texts the action made appear: the post-condition a replay checks."""
    seen = set(before.texts())
    return list(dict.fromkeys(t for t in after.texts() if t not in seen))[:limit]


class AgentLoop:
    """Drives one device with one policy; ``run(task)`` yields the records of the run."""

    def __init__(self, device: Device, policy: Policy, *, perceive: Perceive, locate: Locate,
                 safety: Safety, budget: Budget, trajectory: Trajectory | None = None,
                 app_model: StateTracker | None = None, tips: TipStore | None = None,
                 options: LoopOptions = LoopOptions(), executor: Executor | None = None) -> None:
        self.device, self.policy = device, policy
        self.perceive, self.locate = perceive, locate
        self.safety, self.budget, self.trajectory = safety, budget, trajectory
        self.app_model, self.tips, self.options = app_model, tips, options
        self.executor = executor or Executor(device)
        self._stop = threading.Event()
        self.clock: Callable[[], float] = time.monotonic

    def stop(self) -> None:
        """Ask the run to stop after the current action (thread-safe; Ctrl+C and the TUI)."""
        self._stop.set()

    def run(self, task: str) -> Records:
        """Yield every record of the run; the last one is always a ``RunResult``."""
        self._task, self._start = task, self.clock()
        self._history: list[str] = []
        self._outcomes: list[str] = []
        self._warnings: list[str] = []
        self._guard = LoopGuard()
        self._finished = False
        self._last_result = ""
        self._label = ""
        self._worked: list[tuple[Action, Screen, Screen]] = []
        self._refused: list[str] = []     # risky actions safety refused: no "success" after one
        self._unseen = ""     # dry run: the last action whose screen could not be seen
        try:
            yield from self._steps()
        except KeyboardInterrupt as exc:   # Ctrl+C twice, or SIGTERM (its reason says so)
            yield self._finish("stopped", str(exc) or "interrupted by the user")
        except GeneratorExit:  # the consumer closed the stream: the record still gets a result
            if not self._finished:
                self._finish("stopped", "the run was closed before it ended")
            raise
        except (DeviceError, LLMUnavailable) as exc:   # exit 3: what the run needs is gone
            yield self._finish("failed", str(exc) or "the device or model server went away",
                               error="device")
        except LLMConfigError as exc:   # e.g. a {{secret:NAME}} the user did not set
            yield self._finish("failed", str(exc), error="usage")
        except TimeBudgetSpent as exc:  # --max-seconds ran out inside a model call
            yield self._finish("stopped", self.budget.check() or str(exc))

    # -- the step ------------------------------------------------------------------------

    def _steps(self) -> Records:
        seen = yield from self._look(0)
        bad_replies = 0
        while True:
            stop = self._stop_reason()
            if stop:
                yield self._finish("stopped", stop)
                return
            try:
                plan, action = yield from self._think(seen)
            except BadModelReply as exc:
                bad_replies += 1
                self._note_outcome(f"your last reply was invalid ({exc}); answer again")
                yield self._record(Warned(self.budget.steps, "model", str(exc)))
                if bad_replies >= MAX_BAD_REPLIES:
                    yield self._finish("failed", f"the model gave {bad_replies} invalid replies")
                    return
                continue
            bad_replies = 0
            if isinstance(action, Done | Fail):
                yield self._end(action)
                return
            if self._unseen and not isinstance(action, Wait):
                yield self._finish("stopped", self._dry_run_end(plan))
                return
            self.budget.step()
            seen, stuck = yield from self._act(seen, plan, action)
            if stuck:
                yield self._finish("stopped", stuck)
                return
            if self.options.dry_run and not isinstance(action, Wait):
                what = action_phrase(action_dict(action), {"label": self._label})
                self._unseen = f"step {self.budget.steps} ({what})"

    def _dry_run_end(self, plan: Plan) -> str:
        """A dry run sends nothing, so what comes after an action's screen is unknown."""
        where = plan.step or plan.subgoal or "the next step"
        return (f"dry run: stopped before {where!r}: it depends on "
                f"the screen after {self._unseen}, which a dry run cannot see")

    def _end(self, action: Done | Fail) -> RunResult:
        """The model ended the run; "done" after a refused risky action is a failure."""
        if isinstance(action, Fail):
            return self._finish("failed", action.text or "gave up")
        if self._refused:
            return self._finish("failed", "the model said the task is done, but a risky action "
                                          f"was refused: {self._refused[-1]}")
        self._keep_run()
        return self._finish("success", action.text or "task complete", answer=action.text)

    def _think(self, seen: Seen) -> Gen[tuple[Plan, Action]]:
        """Plan and decide; returns (plan, action)."""
        ctx = Context(self._task, seen.screen, self.budget.steps,
                      history=self._history[-self.options.history:],
                      warnings=list(self._warnings), last_outcomes=self._outcomes[-3:],
                      state=seen.state)
        plan = self.policy.plan(ctx)
        yield self._record(Planned(self.budget.steps, plan.progress, plan.subgoal))
        decision = self.policy.decide(ctx, plan)
        yield self._record(Decided(self.budget.steps, decision.action, decision.thought,
                                   decision.note))
        return plan, decision.action

    def _act(self, seen: Seen, plan: Plan, action: Action) -> Gen[tuple[Seen, str]]:
        """Ground, check, execute, look again, judge; returns (new Seen, stop reason or "")."""
        n = self.budget.steps
        target = self._ground(action, seen.screen)
        e = target.element if target is not None else None
        self._label = (e.text or e.label) if e is not None else ""
        if target is not None:
            yield self._record(self._ground_record(n, action, target))
            if not target.found:
                self._feedback(action, "not_found", target.reason, seen)
                return seen, (yield from self._check_loops(seen, action))
        check = self.safety.check(action, seen.screen, target, self._task)
        check = self.safety.resolve(check, action, self.options.dry_run)
        yield self._record(SafetyChecked(n, check.verdict, check.risk, check.reason,
                                         check.confirmed))
        if check.verdict != "allow" and not self.options.dry_run:
            what = f" ({self._label!r})" if self._label else ""
            self._refused.append(f"{describe_action(action)}{what}: {check.reason}")
            self._feedback(action, "refused", f"refused: {check.reason}", seen)
            return seen, (yield from self._check_loops(seen, action))
        point = target.point if target is not None else None
        t0 = self.clock()
        try:
            if not self.options.dry_run:
                self.executor.execute(action, point)
        except (InputRefused, Unsupported) as exc:
            yield self._record(Warned(n, "device", str(exc)))
            self._feedback(action, "error", str(exc), seen)
            return seen, (yield from self._check_loops(seen, action))
        spent = self.clock() - t0
        after = yield from self._look(n, record=False)
        yield self._record(Acted(n, action, point.x if point else None, point.y if point else None,
                                 self.options.dry_run, seen.image, after.image, round(spent, 3),
                                 new_texts(seen.screen, after.screen),
                                 self.budget.usage.total.tokens,
                                 round(self.clock() - self._start, 3)))
        yield self._record(self._observed(n, after))
        after = yield from self._judge(seen, after, plan, action)
        return after, (yield from self._check_loops(seen, action))

    def _judge(self, before: Seen, after: Seen, plan: Plan, action: Action) -> Gen[Seen]:
        """App-model check and reflection; rolls back on a wrong page. Returns the current Seen."""
        matched = yield from self._update_model(before, after, action)
        reflection, by = self._reflect(before, after, plan, action, matched)
        if reflection is not None:
            yield self._record(Reflected(self.budget.steps, reflection.outcome, reflection.reason,
                                         by))
        outcome = reflection.outcome if reflection else "ok"
        self._learn(before, after, action, outcome == "ok")
        if outcome == "ok" and not self.options.dry_run:
            self._worked.append((action, before.screen, after.screen))
        self._feedback(action, outcome, reflection.reason if reflection else "", after)
        if outcome == "wrong_page":
            after = yield from self._rollback(after)
        return after

    def _reflect(self, before: Seen, after: Seen, plan: Plan, action: Action,
                 matched: bool) -> tuple[Reflection | None, str]:
        """Reflection on demand: model-free when nothing changed, skipped when predicted."""
        if self.options.dry_run:
            return Reflection("ok", "dry run: assumed to work"), "dry_run"
        plain = compare_screens(before.screen.elements, after.screen.elements)
        if plain.outcome == "no_change" and self._pixels_moved(before, after):
            plain = Reflection("ok", "the screen changed (no element did)")
        if plain.outcome == "no_change" or isinstance(action, Wait):
            return plain, "screen"   # a lost tap, even where the model predicts "same state"
        if matched:
            return Reflection("ok", "the app model predicted this screen"), "app_model"
        if not self.options.reflect or plain.reason.endswith("(no element did)"):
            return plain, "screen"
        data = ReflectInput(self._task, plan.subgoal, action, before.obs.image, after.obs.image,
                            before.screen.elements, after.screen.elements, before.screen,
                            after.screen)
        try:
            # the LLM agents' reflection is the model's; another planner's is its own
            return self.policy.reflect(data), ("model" if self.policy.name == "llm"
                                               else f"{self.policy.name} planner")
        except BadModelReply as exc:    # judged by the screen instead, and the record says so
            return Reflection("ok", f"the screen changed; the reflection failed: {exc}"), "screen"

    @staticmethod
    def _pixels_moved(before: Seen, after: Seen) -> bool:
        """A keyboard or a cursor that appeared: the elements can stay the same."""
        return frame_difference(before.obs.image, after.obs.image) > PIXEL_CHANGE

    # -- parts ---------------------------------------------------------------------------

    def _look(self, n: int, record: bool = True) -> Gen[Seen]:
        t0 = self.clock()
        obs = self.device.observe()
        t1 = self.clock()
        image = self.trajectory.save_image(n, obs.image) if self.trajectory else None
        seen = Seen(obs, self._scrub(self.perceive(obs)), image)
        if self.app_model is not None:
            seen.state = self.app_model.locate(seen.screen)
        seen.timing = (round(t1 - t0, 3), round(self.clock() - t1, 3))
        self._warnings = [i.warning() for i in scan_injections(seen.screen)]
        if record:
            yield self._record(self._observed(n, seen))
        return seen

    def _scrub(self, screen: Screen) -> Screen:
        """A typed secret read back from the screen becomes its placeholder again."""
        for name, value in self.executor.secrets.items():
            if len(value) < 3:
                continue
            for e in screen.elements:
                e.text = e.text.replace(value, f"{{{{secret:{name}}}}}")
                e.label = e.label.replace(value, f"{{{{secret:{name}}}}}")
        return screen

    def _observed(self, n: int, seen: Seen) -> Observed:
        return Observed(n, seen.obs.app, seen.obs.activity, len(seen.screen.elements),
                        seen.image, list(self._warnings), *seen.timing)

    def _ground(self, action: Action, screen: Screen) -> Target | None:
        """Where a targeted action points: element number, pixel, or a grounded description."""
        element_id = getattr(action, "element", None)
        x, y = getattr(action, "x", None), getattr(action, "y", None)
        if element_id is not None:
            e = screen.by_id(element_id)
            if e is None:
                return Target(False, reason=f"there is no element {element_id} on this screen")
            return Target(True, e.center, e, 1.0, f"element {element_id}")
        if x is not None and y is not None:
            return self._pixel_target(PixelPoint(x, y), screen)
        description = getattr(action, "target", None)
        if not description:
            return None
        try:
            return self.locate(screen, description)
        except RemoteGrounderError as exc:   # a remote grounder's bad answer: the model retries
            return Target(False, reason=str(exc))

    @staticmethod
    def _pixel_target(p: PixelPoint, screen: Screen) -> Target:
        if not screen.geometry.contains(p):
            return Target(False, reason=f"({p.x}, {p.y}) lies outside the "
                                        f"{screen.geometry.width}x{screen.geometry.height} screen")
        under = [e for e in screen.elements if e.box.contains(p)]
        element = min(under, key=lambda e: e.box.area) if under else None
        return Target(True, p, element, 1.0, "pixel")

    @staticmethod
    def _ground_record(n: int, action: Action, t: Target) -> Grounded:
        desc = action.describe_target() if hasattr(action, "describe_target") else ""
        e = t.element
        return Grounded(n, desc, t.found, t.point.x if t.point else None,
                        t.point.y if t.point else None, e.id if e else None,
                        (e.text or e.label) if e else "", round(t.score, 3), t.reason,
                        [e.box.x1, e.box.y1, e.box.x2, e.box.y2] if e else None)

    def _update_model(self, before: Seen, after: Seen, action: Action) -> Gen[bool]:
        """True when the app model predicted this screen and the post-conditions hold."""
        if self.app_model is None or before.state is None or after.state is None:
            return False
        predicted = self.app_model.predict(before.state, action, before.screen)
        matched = self.app_model.verify(before.state, action, before.screen, after.state,
                                        after.screen)
        yield self._record(ModelUpdated(self.budget.steps, after.state, predicted, matched,
                                        not self.app_model.known(after.state)))
        return matched

    def _learn(self, before: Seen, after: Seen, action: Action, ok: bool) -> None:
        if self.app_model is not None and before.state is not None and after.state is not None:
            self.app_model.learn(before.state, action, after.state, before.screen, after.screen,
                                 ok)

    def _rollback(self, seen: Seen) -> Gen[Seen]:
        """Go back to the last stable state: the app model's path there, or one Back."""
        path: list[Action] = []
        to_state = None
        if self.app_model is not None and seen.state is not None:
            to_state, path = self.app_model.rollback(seen.state)
        path = path or [Back()]
        for step in path:
            self.executor.execute(step)
        yield self._record(RolledBack(self.budget.steps, to_state,
                                      [describe_action(a) for a in path]))
        return (yield from self._look(self.budget.steps))

    def _check_loops(self, before: Seen, action: Action) -> Gen[str]:
        """Nudge, then replan, then stop: returns the stop reason or ""."""
        level, reason = self._guard.update(before.screen, action, self._last_result)
        if level == 0:
            return ""
        if level >= 3:
            return f"stuck in a loop: {reason}"
        if level == 1:
            self._warnings.append(f"loop: {reason}; try something different")
            yield self._record(Warned(self.budget.steps, "loop", reason + " (nudge)"))
        else:
            self.policy.replan(reason)
            yield self._record(Warned(self.budget.steps, "loop", reason + " (replanning)"))
        return ""

    def _keep_run(self) -> None:
        """A successful run becomes semantic steps with post-conditions, for later replay."""
        if self.tips is None or not self._worked or self.options.dry_run:
            return
        steps = [RunStep.from_action(a, b, c) for a, b, c in self._worked]
        self.tips.save_run(self._task, steps)

    def _feedback(self, action: Action, result: str, reason: str, seen: Seen) -> None:
        self._last_result = result
        self.policy.feedback(Feedback(action, result, reason, seen.screen))  # type: ignore[arg-type]
        what = f" ({self._label!r})" if self._label and "element" in describe_action(action) else ""
        line = f"step {self.budget.steps}: {describe_action(action)}{what} -> {result}"
        self._history.append(line + (f" ({reason})" if reason and result != "ok" else ""))
        self._note_outcome(line if not reason else f"{line}: {reason}")

    def _note_outcome(self, text: str) -> None:
        self._outcomes.append(text)

    def _stop_reason(self) -> str | None:
        if self._stop.is_set():
            return "stopped by the user"
        return self.budget.check()

    def _record(self, rec: StepRecord) -> StepRecord:
        if self.trajectory is not None:
            self.trajectory.record(rec)
        return rec

    def _finish(self, status: Status, reason: str, answer: str | None = None,
                error: str | None = None) -> RunResult:
        self._finished = True
        if self.app_model is not None:
            self.app_model.save()
        total = self.budget.usage.total
        result = RunResult(self.budget.steps, status, reason, answer, self.budget.steps,
                           total.tokens, round(total.cost, 6), round(self.clock() - self._start, 3),
                           str(self.trajectory.dir) if self.trajectory else None, error)
        self._record(result)
        if self.trajectory is not None:
            self.trajectory.finish(result)
        return result

