"""The remote VLM grounder against a real OpenAI-protocol HTTP server, via the real client."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import openai
import pytest
from openai_server import HTTPError, OpenAIServer
from PIL import Image

from devices.geometry import PixelPoint
from grounding.errors import RemoteGrounderError
from grounding.vlm import (
    ClientConfig,
    CoordMode,
    GrounderConfigError,
    SmartResize,
    VLMGrounder,
    family,
    parse_reply,
)

W, H = 1080, 2400          # a phone screenshot
TARGET = PixelPoint(540, 600)


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def grounder(srv: OpenAIServer, model: str = "test-vlm", mode: CoordMode | None = "norm1000"
             ) -> VLMGrounder:
    return VLMGrounder(ClientConfig(base_url=srv.base_url, api_key="k", max_retries=0), model,
                       mode)


def phone() -> Image.Image:
    return Image.new("RGB", (W, H), (240, 240, 240))


def sent_image(body: dict) -> Image.Image:
    url = body["messages"][0]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


@pytest.mark.parametrize(("size", "expected"), [
    ((1920, 1080), (1932, 1092)),
    ((1080, 2400), (1092, 2408)),
    ((1440, 2560), (1428, 2548)),
    ((20, 20), (56, 56)),
])
def test_smart_resize_matches_qwen25vl_defaults(size: tuple[int, int],
                                                expected: tuple[int, int]) -> None:
    assert SmartResize().size(*size) == expected


def test_smart_resize_with_a_pixel_cap() -> None:
    capped = SmartResize(min_pixels=256 * 28 * 28, max_pixels=1280 * 28 * 28)
    assert capped.size(1920, 1080) == (1316, 728)
    for w, h in [(3840, 2160), (720, 1280), (100, 3000), (57, 29)]:
        sw, sh = capped.size(w, h)
        assert sw % 28 == 0 and sh % 28 == 0
        assert 256 * 28 * 28 <= sw * sh <= 1280 * 28 * 28


@pytest.mark.parametrize(("mode", "reply"), [
    ("norm1", "(0.5, 0.25)"),
    ("norm1000", "(500, 250)"),
    ("pixels", "(540, 600)"),
    ("smart_resize", "(546, 602)"),   # the centre-ish pixel of the 1092x2408 image sent
])
def test_every_coord_mode_lands_on_the_same_pixel(server: OpenAIServer, mode: CoordMode,
                                                  reply: str) -> None:
    server.replies.append(reply)
    target = grounder(server, mode=mode).locate(phone(), "the search field")
    assert target.found and target.point == TARGET
    expected = SmartResize().size(W, H) if mode == "smart_resize" else (W, H)
    assert sent_image(server.requests[0]).size == expected


@pytest.mark.parametrize("reply", [
    "(500, 250)",
    "[500, 250]",
    "<point>500 250</point>",
    "Thought: the search bar is at the top.\nAction: click(start_box='(500,250)')",
    "click(start_box='<|box_start|>(500,250)<|box_end|>')",
    '{"x": 500, "y": 250}',
    '```json\n{"point": [500, 250]}\n```',
    "<|box_start|>(400,200),(600,300)<|box_end|>",
    '```json\n[{"bbox_2d": [400, 200, 600, 300], "label": "search"}]\n```',
    '{"point_2d": [500, 250], "label": "search box"}',
    '{"x": "500", "y": "250"}',
    "The element is at [400, 200, 600, 300].",
])
def test_reply_formats(server: OpenAIServer, reply: str) -> None:
    server.replies.append(reply)
    assert grounder(server).locate(phone(), "search").point == TARGET


def test_the_request_carries_model_prompt_and_image(server: OpenAIServer) -> None:
    server.replies.append("(500, 250)")
    grounder(server, model="OS-Atlas-Base-7B", mode=None).locate(phone(), "Search settings")
    body = server.requests[0]
    assert body["model"] == "OS-Atlas-Base-7B"
    parts = body["messages"][0]["content"]
    assert parts[0]["type"] == "image_url"
    assert "Search settings" in parts[1]["text"]
    assert sent_image(body).size == (W, H)


def test_http_500_is_a_remote_grounder_error(server: OpenAIServer) -> None:
    server.replies.append(HTTPError(500, "model crashed"))
    with pytest.raises(RemoteGrounderError, match="failed") as info:
        grounder(server).locate(phone(), "search")
    assert isinstance(info.value.__cause__, openai.APIStatusError)


def test_unreachable_server_is_a_remote_grounder_error() -> None:
    with OpenAIServer() as srv:
        url = srv.base_url
    g = VLMGrounder(ClientConfig(base_url=url, max_retries=0, timeout=2), "x", "norm1")
    with pytest.raises(RemoteGrounderError):
        g.locate(phone(), "search")


@pytest.mark.parametrize("reply", ["I cannot see any search field.", "",
                                   "(1500, 250)", "(-3, 40)"])
def test_garbage_or_out_of_range_is_a_remote_grounder_error(server: OpenAIServer,
                                                            reply: str) -> None:
    server.replies.append(reply)
    with pytest.raises(RemoteGrounderError):
        grounder(server).locate(phone(), "search")


@pytest.mark.parametrize(("model", "mode"), [
    ("ByteDance-Seed/UI-TARS-1.5-7B", "smart_resize"),
    ("ui-tars-7b-sft", "norm1000"),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "smart_resize"),
    ("qwen2.5vl:7b", "smart_resize"),
    ("Qwen2-VL-7B-Instruct", "norm1000"),
    ("osunlp/UGround-V1-7B", "norm1000"),
    ("OS-Copilot/OS-Atlas-Pro-7B", "norm1000"),
    ("showlab/ShowUI-2B", "norm1"),
    ("cckevinn/SeeClick", "norm1"),
])
def test_default_coord_mode_table(model: str, mode: str) -> None:
    known = family(model)
    assert known is not None and known[0] == mode


def test_the_default_mode_can_be_overridden(server: OpenAIServer) -> None:
    server.replies.append("(540, 600)")
    g = grounder(server, model="UI-TARS-1.5-7B", mode="pixels")
    assert g.coord_mode == "pixels"
    assert g.locate(phone(), "x").point == TARGET


def test_unknown_model_without_mode_says_what_to_do() -> None:
    with pytest.raises(GrounderConfigError, match="--coord-mode"):
        VLMGrounder(ClientConfig(base_url="http://127.0.0.1:9/v1"), "my-own-model")


def test_parse_reply_prefers_the_action_over_the_thought() -> None:
    assert parse_reply("Thought: near (1, 2).\nAction: click(start_box='(7,8)')") == (7.0, 8.0)
