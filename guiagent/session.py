"""Wiring: Settings and run options -> an AgentLoop with all its parts.

`guiagent run`, `guiagent replay`, the TUI and regression flows build their
loops here, so that every one of them gets the same planner choice, budget,
safety policy, app models and trajectory folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PIL import Image

from devices import Device, Observation
from grounding.types import Screen
from guiagent.app_tracker import AppTracker
from guiagent.config import Settings, config_path, data_dir, llm_config, perceive_config
from guiagent.errors import ConfigError
from guiagent.executor import Executor
from guiagent.loop import AgentLoop, Locate, LoopOptions, Perceive
from guiagent.replay import ReplayPolicy
from guiagent.safety import Confirm, Safety, load_policy
from guiagent.steps import StepRecord
from guiagent.trajectory import Trajectory
from planners.appmodel import AppModelStore
from planners.policy import Policy
from planners.tips import TipStore
from planners.usage import Budget, PriceTable, Usage

if TYPE_CHECKING:
    from grounding.perceive import PerceiveConfig, Perceiver

PlannerName = Literal["auto", "llm", "offline"]


@dataclass(frozen=True)
class RunOptions:
    """What a command line (or the TUI) decides about one run."""

    planner: PlannerName = "auto"
    dry_run: bool = False
    assume_yes: bool = False
    out: Path | None = None
    max_steps: int | None = None
    max_tokens: int | None = None
    max_seconds: float | None = None
    record: bool = True
    app_models: bool = True
    ocr: bool = False


def choose_planner(settings: Settings, planner: PlannerName) -> Literal["llm", "offline"]:
    """auto: the LLM loop when a model is configured, else the offline planner."""
    if planner == "llm" and not settings.llm_configured:
        raise ConfigError("--planner llm needs a model server: set OPENAI_API_KEY and/or "
                          "OPENAI_BASE_URL (or pass --base-url)")
    if planner == "auto":
        return "llm" if settings.llm_configured else "offline"
    return planner


class TreeFirstPerceiver:
    """Perception that trusts the accessibility tree where the platform gives one with texts.

    OCR costs seconds per new screen on a CPU, the element detector and the icon-blob
    proposals a tenth of a second each; a phone's tree (and the simulated phone's)
    already names every text and clickable box. Screens without a tree (desktops,
    games, web canvases) or ``ocr=True`` get the full pipeline.
    """

    def __init__(self, ocr: bool = False, config: PerceiveConfig | None = None) -> None:
        from grounding.perceive import PerceiveConfig, Perceiver

        self.ocr, self.config = ocr, config or PerceiveConfig()
        self.tree = Perceiver(PerceiveConfig(use_ocr=False, use_detector=False, proposals=False))

    @cached_property
    def full(self) -> Perceiver:
        """OCR and detector models, loaded the first time a screen needs them."""
        from grounding.perceive import Perceiver

        return Perceiver(self.config)

    def __call__(self, obs: Observation) -> Screen:
        tree = obs.ui_tree or ""
        has_texts = 'text="' in tree.replace('text=""', "")
        # A desktop tree covers the focused windows only: the pixels read the rest.
        whole = has_texts and 'partial="true"' not in tree[:200]
        return (self.full if self.ocr or not whole else self.tree).perceive(obs)


def grounding_parts(ocr: bool = False, settings: Settings | None = None,
                    time_left: Callable[[], float | None] | None = None
                    ) -> tuple[Perceive, Locate]:
    """Local perception; local grounding, or the remote VLM grounder when configured (its
    requests wait no longer than ``time_left``, the run's time budget)."""
    from grounding.locate import locate

    config = perceive_config(settings) if settings is not None else None
    if settings is not None and settings.grounder == "vlm":
        from guiagent.remote_grounding import RemoteLocate

        return TreeFirstPerceiver(ocr, config), RemoteLocate(settings, time_left)
    if settings is not None and settings.grounder != "local":
        raise ConfigError(f"grounder '{settings.grounder}' is unknown; use local or vlm")
    return TreeFirstPerceiver(ocr, config), locate


def safety_policy_path(settings: Settings) -> Path | None:
    """``safety_policy`` from the settings, else ``safety.yaml`` beside config.toml if present."""
    if settings.safety_policy:
        return Path(settings.safety_policy).expanduser()
    default = config_path().parent / "safety.yaml"
    return default if default.is_file() else None


def make_policy(kind: str, settings: Settings, usage: Usage, locate: Locate,
                max_steps: int | None = None) -> Policy:
    if kind == "offline":
        from planners.offline import OfflinePlanner

        steps = max_steps or settings.max_steps   # exploring leaves room to act at the end
        budget = settings.explore_budget
        return OfflinePlanner(locate, store=AppModelStore(data_dir() / "appmodels"),
                              explore_budget=max(0, steps - 6) if budget is None else budget)
    from planners.agent_policy import AgentPolicy
    from planners.agents import build_agents

    config = llm_config(settings)  # privacy, local_only, image size and timeout included
    return AgentPolicy(build_agents(config, usage), marks=set_of_marks)


def set_of_marks(screen: Screen) -> tuple[str, Image.Image | None]:
    """The numbered element list and the screenshot with those numbers drawn on it."""
    from grounding.som import element_list, render_som

    image = render_som(screen.image, screen.elements) if screen.image is not None else None
    return element_list(screen.elements), image


def with_shortcut(task: str, policy: Policy, tips: TipStore | None) -> Policy:
    """An LLM policy starts by replaying a stored run of the same task, if there is one."""
    if tips is None or policy.name != "llm":
        return policy
    stored = tips.find(task)
    return ReplayPolicy(stored, fallback=policy) if stored is not None else policy


def build_loop(task: str, device: Device, settings: Settings, options: RunOptions,
               confirm: Confirm | None = None, policy: Policy | None = None,
               wrap: Callable[[Policy], Policy] | None = None) -> AgentLoop:
    """Everything one run needs; ``policy`` overrides the planner choice (tests, benches),
    ``wrap`` puts the chosen planner behind another policy (a replay with fallback)."""
    usage = Usage(PriceTable(settings.extra.get("prices", {})))
    budget = Budget(usage, max_steps=options.max_steps or settings.max_steps,
                    max_tokens=options.max_tokens, max_cost=settings.max_cost,
                    max_seconds=options.max_seconds)
    perceive, locate = grounding_parts(options.ocr, settings, usage.seconds_left)
    tips = TipStore(data_dir() / "tips") if options.app_models else None
    kind = choose_planner(settings, options.planner) if policy is None else policy.name
    if policy is None:
        policy = make_policy(kind, settings, usage, locate, options.max_steps)
        policy = wrap(policy) if wrap is not None else with_shortcut(task, policy, tips)
        kind = policy.name
    safety = Safety(load_policy(safety_policy_path(settings)), confirm=confirm,
                    assume_yes=options.assume_yes)
    trajectory = (Trajectory.create(task, options.out, planner=kind, device=device.id,
                                    dry_run=options.dry_run) if options.record else None)
    tracker = AppTracker(AppModelStore(data_dir() / "appmodels")) if options.app_models else None
    return AgentLoop(device, policy, perceive=perceive, locate=locate, safety=safety,
                     budget=budget, trajectory=trajectory, app_model=tracker, tips=tips,
                     options=LoopOptions(dry_run=options.dry_run),
                     executor=Executor(device, secrets=settings.secrets))


def start_run(task: str, device: Device, settings: Settings, options: RunOptions,
              confirm: Confirm | None = None) -> Iterator[StepRecord]:
    """The record stream of one run (what the TUI and flows iterate)."""
    return build_loop(task, device, settings, options, confirm).run(task)
