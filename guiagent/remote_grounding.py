"""The remote VLM grounder behind the loop's ``locate``: personal data masked, local-only kept.

grounding.vlm knows how to ask a model and read its coordinates; it cannot see
the privacy rules (planners) or the settings (guiagent), so the wiring is here.
"""

from __future__ import annotations

from collections.abc import Callable

from grounding.types import Element, Screen, Target
from guiagent.config import Settings, llm_config
from guiagent.errors import ConfigError


def innermost(screen: Screen, target: Target) -> Element | None:
    """The smallest element under the model's point, so records name what was hit."""
    if target.point is None:
        return None
    hits = [e for e in screen.elements if e.box.contains(target.point)]
    return min(hits, key=lambda e: e.box.area, default=None)


class RemoteLocate:
    """``locate(screen, instruction)`` answered by a remote grounding model."""

    def __init__(self, settings: Settings,
                 time_left: Callable[[], float | None] | None = None) -> None:
        from grounding.vlm import ClientConfig, VLMGrounder
        from planners.privacy import Masker, is_loopback

        model = settings.grounding_model or settings.model
        if not (settings.base_url or settings.api_key):
            raise ConfigError("--grounder vlm needs a model server: set OPENAI_BASE_URL "
                              "(and OPENAI_API_KEY if it wants one)")
        if not model:
            raise ConfigError("--grounder vlm needs a model name: set grounding_model in the "
                              "config or pass --model")
        privacy = llm_config(settings).privacy
        if privacy.local_only and not is_loopback(settings.base_url):
            raise ConfigError(f"local_only is set, so screenshots may not go to "
                              f"{settings.base_url or 'api.openai.com'}; use a server on this "
                              "machine or turn local_only off")
        client = ClientConfig(settings.base_url, settings.api_key,
                              timeout=float(settings.llm_timeout))
        self.vlm = VLMGrounder(client, model, settings.coord_mode)  # type: ignore[arg-type]
        self.vlm.time_left = time_left   # a request waits no longer than the run has left
        self.masker = Masker(privacy.classes)

    def __call__(self, screen: Screen, instruction: str) -> Target:
        if screen.image is None:
            return Target(False, reason="no screenshot to send to the grounding model")
        target = self.vlm.locate(self.masker.image(screen.image, screen), instruction)
        target.element = innermost(screen, target)
        return target
