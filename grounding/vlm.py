"""Remote VLM grounder: ask an OpenAI-compatible server where an instruction points.

Model families answer in different coordinate spaces; ``coord_mode`` names it
and this module is the one boundary where a reply becomes a ``PixelPoint``:

- ``norm1``: fractions 0..1 (SeeClick, ShowUI)
- ``norm1000``: 0..1000 on each axis (OS-Atlas, UGround-V1, UI-TARS v1, Qwen2-VL)
- ``smart_resize``: pixels of the image after Qwen2.5-VL's smart resize, which
  is what we send (UI-TARS-1.5, Qwen2.5-VL)
- ``pixels``: pixels of the image as sent, unchanged
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any, Literal, cast, get_args

import numpy as np
import yaml
from PIL import Image

from devices.geometry import NormPoint, PixelPoint, ScreenGeometry
from grounding.errors import GrounderConfigError, ImageError, RemoteGrounderError
from grounding.types import Target

CoordMode = Literal["norm1", "norm1000", "smart_resize", "pixels"]
COORD_MODES: tuple[str, ...] = get_args(CoordMode)
PROMPTS = Path(__file__).parent / "prompts"

# Model name pattern (searched, case-insensitive) -> (coordinate mode, prompt template).
# The first match wins, so specific names come before their family.
MODEL_FAMILIES: tuple[tuple[str, CoordMode, str], ...] = (
    (r"ui-?tars-?1[._]5", "smart_resize", "vlm_uitars"),
    (r"ui-?tars", "norm1000", "vlm_uitars"),
    (r"qwen2[._]5-?vl", "smart_resize", "vlm_point"),
    (r"qwen2-?vl", "norm1000", "vlm_point"),
    (r"uground", "norm1000", "vlm_uground"),
    (r"os-?atlas", "norm1000", "vlm_osatlas"),
    (r"showui", "norm1", "vlm_showui"),
    (r"seeclick", "norm1", "vlm_point"),
)

NUM = r"(-?\d+(?:\.\d+)?)"
SEP = r"(?:\s*,\s*|\s+)"   # one way to read each separator: no backtracking blow-up


@dataclass(frozen=True)
class ClientConfig:
    """Where the OpenAI-compatible server is and how patiently to call it."""

    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 60.0
    max_retries: int = 1


@dataclass(frozen=True)
class SmartResize:
    """Qwen2.5-VL's resize rule: sides multiples of ``factor``, area within bounds."""

    factor: int = 28
    min_pixels: int = 4 * 28 * 28
    max_pixels: int = 16384 * 28 * 28
    max_ratio: float = 200.0

    def size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) the model sees for an image of ``width`` x ``height``."""
        if max(width, height) / min(width, height) > self.max_ratio:
            raise ImageError(f"image {width}x{height} is too elongated for smart resize")
        f = self.factor
        h_bar, w_bar = max(f, round(height / f) * f), max(f, round(width / f) * f)
        if h_bar * w_bar > self.max_pixels:
            beta = math.sqrt(height * width / self.max_pixels)
            h_bar = max(f, math.floor(height / beta / f) * f)
            w_bar = max(f, math.floor(width / beta / f) * f)
        elif h_bar * w_bar < self.min_pixels:
            beta = math.sqrt(self.min_pixels / (height * width))
            h_bar, w_bar = math.ceil(height * beta / f) * f, math.ceil(width * beta / f) * f
        return w_bar, h_bar


def family(model: str) -> tuple[CoordMode, str] | None:
    """The default (coordinate mode, prompt template) for a model name, if it is known."""
    for pattern, mode, prompt in MODEL_FAMILIES:
        if re.search(pattern, model, re.IGNORECASE):
            return mode, prompt
    return None


@cache
def _template(name: str) -> Template:
    return Template((PROMPTS / f"{name}.md").read_text(encoding="utf-8"))


@cache
def _hints() -> dict[str, str]:
    return dict(yaml.safe_load((PROMPTS / "vlm_coord_hints.yaml").read_text(encoding="utf-8")))


def render_prompt(template: str, instruction: str, mode: CoordMode) -> str:
    """The prompt text; a template that names an unknown field is an error, not a blank."""
    try:
        return _template(template).substitute(instruction=instruction,
                                              coord_hint=_hints()[mode]).strip()
    except (KeyError, ValueError, OSError) as exc:
        raise GrounderConfigError(f"bad VLM prompt template {template!r}: {exc}") from exc


def data_url(image: Image.Image) -> str:
    """The image as a base64 PNG data URL."""
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _box_or_point(nums: list[float]) -> tuple[float, float]:
    if len(nums) >= 4:
        return (nums[0] + nums[2]) / 2, (nums[1] + nums[3]) / 2
    return nums[0], nums[1]


def _from_json(reply: str) -> tuple[float, float] | None:
    start, end = reply.find("{"), reply.rfind("}")   # what r"\{.*\}" finds, in linear time
    if start == -1 or end < start:
        return None
    try:
        obj = json.loads(reply[start:end + 1])
    except (ValueError, RecursionError):
        return None
    if isinstance(obj, dict) and {"x", "y"} <= obj.keys():
        return float(obj["x"]), float(obj["y"])
    for key in ("point_2d", "bbox_2d", "point", "coordinate", "coordinates", "position",
                "bbox", "box"):
        value = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(value, list) and len(value) in (2, 4):
            return _box_or_point([float(v) for v in value])
    return None


def _between(text: str, opening: str, closing: str) -> str | None:
    """The text between the first ``opening`` and the next ``closing`` (linear time)."""
    start = text.find(opening)
    end = text.find(closing, start + len(opening)) if start != -1 else -1
    return text[start + len(opening):end] if end != -1 else None


def parse_reply(reply: str) -> tuple[float, float]:
    """The (x, y) a reply names, in the model's own space; a box gives its centre."""
    text = reply.split("Action:", 1)[-1]
    m = re.search(r"start_box\s*=\s*['\"]([^'\"]*)['\"]", text)
    for inside in (m.group(1) if m else None, _between(text, "<point>", "</point>"),
                   _between(text, "<|box_start|>", "<|box_end|>")):
        nums = [float(v) for v in re.findall(NUM, inside)] if inside is not None else []
        if len(nums) in (2, 4):
            return _box_or_point(nums)
    found = _from_json(text)
    if found is not None:
        return found
    m = re.search(rf"[(\[]\s*{NUM}{SEP}{NUM}(?:{SEP}{NUM}{SEP}{NUM})?\s*[)\]]", text)
    if m:
        return _box_or_point([float(v) for v in m.groups() if v is not None])
    raise RemoteGrounderError(f"no coordinates in the grounder's reply: {reply[:200]!r}")


class VLMGrounder:
    """``locate(image, instruction)`` through a remote vision-language model."""

    def __init__(self, client: ClientConfig, model: str, coord_mode: CoordMode | None = None,
                 *, prompt: str | None = None, smart_resize: SmartResize = SmartResize(),
                 max_tokens: int = 256):
        known = family(model)
        mode = coord_mode or (known[0] if known else None)
        if mode not in COORD_MODES:
            raise GrounderConfigError(
                f"don't know the coordinate space of model {model!r}: pass --coord-mode with one "
                f"of {', '.join(COORD_MODES)}")
        self.model, self.coord_mode = model, cast(CoordMode, mode)
        self.prompt = prompt or (known[1] if known else "vlm_point")
        self.smart_resize, self.max_tokens = smart_resize, max_tokens
        self._client = _openai_client(client)
        self._patience = client.timeout * (client.max_retries + 1)
        self.time_left: Callable[[], float | None] | None = None   # a run's time budget

    def _client_in_time(self) -> Any:
        """The client, its timeout cut to what ``time_left`` allows (no retries then)."""
        left = self.time_left() if self.time_left is not None else None
        if left is None or left >= self._patience:
            return self._client
        if left <= 0:
            raise RemoteGrounderError("time budget spent before the grounding model was asked")
        return self._client.with_options(timeout=left, max_retries=0)

    def locate(self, image: Image.Image | np.ndarray, instruction: str) -> Target:
        """Where ``instruction`` points on ``image``, in the image's pixels."""
        pil = image if isinstance(image, Image.Image) else Image.fromarray(image)
        screen = ScreenGeometry(pil.width, pil.height)
        sent = self._image_to_send(pil)
        reply = self._ask(sent, render_prompt(self.prompt, instruction, self.coord_mode))
        x, y = parse_reply(reply)
        point = self.to_pixel(x, y, screen, ScreenGeometry(sent.width, sent.height))
        return Target(found=True, point=point, score=1.0, reason=f"{self.model}: {reply.strip()}")

    def _image_to_send(self, image: Image.Image) -> Image.Image:
        image = image.convert("RGB")
        if self.coord_mode != "smart_resize":
            return image
        size = self.smart_resize.size(image.width, image.height)
        return image if size == image.size else image.resize(size, Image.Resampling.BICUBIC)

    def to_pixel(self, x: float, y: float, screen: ScreenGeometry, sent: ScreenGeometry
                 ) -> PixelPoint:
        """A point in this model's coordinate space -> a pixel of the original screen."""
        try:
            if self.coord_mode == "norm1":
                return screen.to_pixel(NormPoint(x, y))
            if self.coord_mode == "norm1000":
                return screen.to_pixel(NormPoint(x / 1000, y / 1000))
            pixel = PixelPoint(round(x), round(y))
            if not sent.contains(pixel):
                raise ValueError(f"pixel ({x}, {y}) outside the {sent.width}x{sent.height} image")
            return screen.to_pixel(sent.to_norm(pixel))
        except ValueError as exc:
            raise RemoteGrounderError(f"{self.model} answered a point outside the screen in "
                                      f"{self.coord_mode} coordinates: {exc}") from exc

    def _ask(self, image: Image.Image, prompt: str) -> str:
        import openai

        messages: list[Any] = [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": data_url(image)}},
            {"type": "text", "text": prompt}]}]
        try:
            resp = self._client_in_time().chat.completions.create(
                model=self.model, messages=messages, max_tokens=self.max_tokens, temperature=0.0)
        except openai.OpenAIError as exc:
            raise RemoteGrounderError(f"grounding model {self.model} failed: {exc}") from exc
        except ValueError as exc:   # HTTP 200 whose body is not JSON
            raise _not_a_completion(self.model, exc) from exc
        try:
            content = resp.choices[0].message.content if resp.choices else None
        except (AttributeError, IndexError, KeyError, TypeError) as exc:
            raise _not_a_completion(self.model, exc) from exc
        if not content:
            raise RemoteGrounderError(f"grounding model {self.model} sent an empty reply")
        return str(content)


def _not_a_completion(model: str, exc: Exception) -> RemoteGrounderError:
    return RemoteGrounderError(f"the server of grounding model {model} answered something that "
                               f"is not a chat completion: {str(exc)[:200]}")


def _openai_client(cfg: ClientConfig) -> Any:
    import openai

    return openai.OpenAI(base_url=cfg.base_url, api_key=cfg.api_key or "not-needed",
                         timeout=cfg.timeout, max_retries=cfg.max_retries)
