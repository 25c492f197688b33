"""The LLM client: any OpenAI-compatible server through the ``openai`` package.

Structured replies ask for ``response_format: json_schema`` first; a server that
rejects it (HTTP 400 about response_format) is asked in JSON mode, then with the
schema in the prompt and tolerant parsing; the mode that works is remembered per
client. A reply that fails validation is retried once with the error shown to the
model. Every text sent is masked for personal data (planners.privacy).
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import openai
from PIL import Image

from planners.errors import BadModelReply, LLMConfigError, LLMUnavailable, TimeBudgetSpent
from planners.privacy import Masker, PrivacyConfig, is_loopback
from planners.schemas import wire_schema
from planners.templates import render_prompt
from planners.usage import Usage

Role = Literal["planner", "decision", "reflection", "grounding"]
ReplyKind = Literal["plan", "decision", "reflection"]
Message = dict[str, Any]
T = TypeVar("T")

MODES = ("json_schema", "json_object", "prompt")
REJECTED = (openai.BadRequestError, openai.UnprocessableEntityError)  # 400 / 422: the request
MAX_REPLY_CHARS = 256 * 1024   # a longer reply is refused before parsing, as an invalid one
MAX_OBJECT_STARTS = 64          # "{" tried as the start of the JSON object inside prose
FORMAT_WORDS = re.compile(r"response_format|json_schema|json_object|structured output",
                          re.IGNORECASE)


@dataclass(frozen=True)
class LLMConfig:
    """Where the model is and how to talk to it; built by guiagent from its Settings."""

    model: str = "gpt-4o-mini"
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    planner_model: str | None = None
    decision_model: str | None = None
    reflection_model: str | None = None
    grounding_model: str | None = None
    image_max_side: int = 1280
    image_format: Literal["png", "jpeg"] = "png"
    timeout: float = 60.0
    max_retries: int = 2
    strict: bool = True
    prices: Mapping[str, Any] = field(default_factory=dict)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)

    def model_for(self, role: Role) -> str:
        """The model of one role, falling back to ``model``."""
        per_role = {"planner": self.planner_model, "decision": self.decision_model,
                    "reflection": self.reflection_model, "grounding": self.grounding_model}
        return per_role[role] or self.model

    @property
    def where(self) -> str:
        return self.base_url or "api.openai.com"


def image_data_url(image: Image.Image, max_side: int,
                   fmt: Literal["png", "jpeg"] = "png") -> tuple[str, float]:
    """``(data URL, scale)``: the image downscaled to ``max_side``; scale = sent / original."""
    scale = min(1.0, max_side / max(image.width, image.height))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buf, format="JPEG", quality=90)
    else:
        image.save(buf, format="PNG")
    return f"data:image/{fmt};base64,{base64.b64encode(buf.getvalue()).decode()}", scale


def parse_json_reply(content: str) -> dict[str, Any]:
    """The JSON object in a reply: bare, in ``` fences, or the first one inside prose.

    A reply over ``MAX_REPLY_CHARS`` is refused before any parsing; every step is linear
    in the reply's length (a bounded number of ``{`` are tried as the object's start).
    """
    content = content or ""
    if len(content) > MAX_REPLY_CHARS:
        raise ValueError(f"the reply is {len(content)} characters long, more than the "
                         f"{MAX_REPLY_CHARS} allowed; answer with the JSON object alone")
    text = _without_thinking(content).strip()
    for candidate in (text, *(piece.removeprefix("json").strip() for piece in _fenced(text))):
        value = _json_value(candidate)
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    start, tries = text.find("{"), 0
    while start != -1 and tries < MAX_OBJECT_STARTS:
        try:
            value, _ = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return value
        start, tries = text.find("{", start + 1), tries + 1
    raise ValueError(f"no JSON object in the reply: {text[:200]!r}")


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):   # nesting deeper than Python's stack is invalid too
        return None


def _without_thinking(text: str) -> str:
    """The reply without its ``<think>...</think>`` parts (an unclosed one stays)."""
    parts, at = [], 0
    while (start := text.find("<think>", at)) != -1:
        end = text.find("</think>", start)
        if end == -1:
            break
        parts.append(text[at:start])
        at = end + len("</think>")
    return "".join(parts) + text[at:]


def _fenced(text: str) -> list[str]:
    """The insides of ``` fence pairs, in order."""
    pieces, at = [], 0
    while (start := text.find("```", at)) != -1:
        end = text.find("```", start + 3)
        if end == -1:
            break
        pieces.append(text[start + 3:end])
        at = end + 3
    return pieces


def _clip(reply: str, limit: int = 2000) -> str:
    """A reply shown back to the model on a retry: an oversized one only in part."""
    return reply if len(reply) <= MAX_REPLY_CHARS else reply[:limit] + " ..."


def _short(exc: Exception, limit: int = 600) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + " ..."


class LLMClient:
    """One connection to the model server, shared by the agents of a run."""

    def __init__(self, config: LLMConfig, usage: Usage | None = None) -> None:
        self.config = config
        self.usage = usage or Usage()
        self.masker = Masker(config.privacy.classes)
        self.mode = MODES[0] if config.strict else MODES[1]
        self._client = self._connect(config)

    @staticmethod
    def _connect(config: LLMConfig) -> openai.OpenAI:
        if not (config.api_key or config.base_url):
            raise LLMConfigError("no LLM configured: set OPENAI_API_KEY (OpenAI) or "
                                 "OPENAI_BASE_URL (a local OpenAI-compatible server)")
        if config.privacy.local_only and not is_loopback(config.base_url):
            raise LLMConfigError(f"local_only is on and {config.where} is not on this machine: "
                                 "use a server on localhost or turn local_only off")
        return openai.OpenAI(api_key=config.api_key or "not-needed", base_url=config.base_url,
                             timeout=config.timeout, max_retries=config.max_retries)

    def image_part(self, image: Image.Image) -> tuple[Message, float]:
        """A chat content part for an image, and the scale it was sent at."""
        url, scale = image_data_url(image, self.config.image_max_side, self.config.image_format)
        return {"type": "image_url", "image_url": {"url": url}}, scale

    def structured(self, role: Role, kind: ReplyKind, messages: list[Message],
                   convert: Callable[[dict[str, Any]], T]) -> T:
        """Ask for a ``kind`` reply and convert it; one retry on an invalid reply."""
        reply = self.chat(role, messages, kind)
        try:
            return convert(parse_json_reply(reply))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            error = _short(exc)
        retry = [*messages, {"role": "assistant", "content": _clip(reply)},
                 {"role": "user", "content": render_prompt("retry", error=error)}]
        reply = self.chat(role, retry, kind)
        try:
            return convert(parse_json_reply(reply))
        except ValueError as exc:
            raise BadModelReply(f"the {kind} reply was invalid twice: {_short(exc, 300)}") from exc

    def chat(self, role: Role, messages: list[Message], kind: ReplyKind | None = None) -> str:
        """Send masked messages; with ``kind``, ask for that JSON reply. Returns the content."""
        while True:
            try:
                return self._create(role, self._prepare(messages, kind), kind)
            except REJECTED as exc:
                if kind is None or not self._downgrade(exc):
                    raise LLMUnavailable(f"{self.config.where} rejected the request: "
                                         f"{_short(exc, 300)}") from exc

    def _downgrade(self, exc: openai.APIStatusError) -> bool:
        """Move to the next response mode when the server rejected the current one."""
        if self.mode == MODES[-1] or not FORMAT_WORDS.search(str(exc)):
            return False
        self.mode = MODES[MODES.index(self.mode) + 1]
        return True

    def _prepare(self, messages: list[Message], kind: ReplyKind | None) -> list[Message]:
        masked = [self._mask(m) for m in messages]
        if kind is not None and self.mode != "json_schema":
            hint = render_prompt("schema_hint", schema=json.dumps(wire_schema(kind)))
            masked.insert(1 if masked and masked[0]["role"] == "system" else 0,
                          {"role": "system", "content": hint})
        return masked

    def _mask(self, message: Message) -> Message:
        content = message["content"]
        if isinstance(content, str):
            return {**message, "content": self.masker.text(content)}
        parts = [{**p, "text": self.masker.text(p["text"])} if p.get("type") == "text" else p
                 for p in content]
        return {**message, "content": parts}

    def _response_format(self, kind: ReplyKind) -> dict[str, Any] | None:
        if self.mode == "json_schema":
            return {"type": "json_schema", "json_schema": {
                "name": f"guiagent_{kind}", "schema": wire_schema(kind),
                "strict": self.config.strict}}
        return {"type": "json_object"} if self.mode == "json_object" else None

    def _create(self, role: Role, messages: list[Message], kind: ReplyKind | None) -> str:
        model = self.config.model_for(role)
        extra: dict[str, Any] = {}
        fmt = self._response_format(kind) if kind else None
        if fmt is not None:
            extra["response_format"] = fmt
        client, cut = self._client_in_budget()
        try:
            completion = client.chat.completions.create(
                model=model, messages=messages, **extra)  # type: ignore[arg-type,call-overload]
        except REJECTED:
            raise
        except openai.APITimeoutError as exc:
            if cut:
                raise TimeBudgetSpent(self._time_spent()) from exc
            raise self._translate(exc, model) from exc
        except openai.APIError as exc:
            raise self._translate(exc, model) from exc
        except ValueError as exc:   # HTTP 200 with a body that is not JSON
            raise self._garbage(exc) from exc
        content, tokens = self._read_completion(completion)
        self.usage.record(role, model, *tokens)
        return content

    def _client_in_budget(self) -> tuple[openai.OpenAI, bool]:
        """The client with its timeout cut to the run's time left; True when it was cut."""
        left = self.usage.seconds_left()
        if left is None or left >= self.config.timeout * (self.config.max_retries + 1):
            return self._client, False
        if left <= 0:
            raise TimeBudgetSpent(self._time_spent())
        timeout = min(self.config.timeout, left)
        return self._client.with_options(timeout=timeout, max_retries=0), timeout == left

    @staticmethod
    def _time_spent() -> str:
        return "time budget spent while waiting for the model"

    def _garbage(self, exc: Exception) -> LLMUnavailable:
        return LLMUnavailable(f"the model server at {self.config.where} answered something "
                              f"that is not a chat completion: {_short(exc, 200)}")

    def _read_completion(self, completion: Any) -> tuple[str, tuple[int, int]]:
        """(content, (input tokens, output tokens)) of a reply, checked for its shape."""
        try:
            choices = completion.choices
            content = choices[0].message.content if choices else ""
            usage = completion.usage
            tokens = (int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)) \
                if usage else (0, 0)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise self._garbage(exc) from exc
        if not isinstance(content, str | None):
            raise self._garbage(TypeError(f"content is {type(content).__name__}"))
        return content or "", tokens

    def _translate(self, exc: openai.APIError, model: str) -> Exception:
        where = self.config.where
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return LLMConfigError(f"{where} refused the API key ({exc.status_code}): set "
                                  "OPENAI_API_KEY (or api_key in config.toml) to a valid key")
        if isinstance(exc, openai.NotFoundError):
            return LLMConfigError(f"{where} has no model '{model}' (404): set GUIAGENT_MODEL "
                                  "or --model to a model it serves")
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailable(f"cannot reach the model server at {where}: {_short(exc, 200)}")
        status = getattr(exc, "status_code", "?")
        return LLMUnavailable(f"the model server at {where} answered {status}: {_short(exc, 300)}")
