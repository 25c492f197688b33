"""What the LLM client itself costs per step, without a model's thinking time.

    python bench/llm_client.py [-n 30]

Screenshot encoding (PNG vs JPEG, downscaled to 1280 px) on the simulated phone's
screen, personal-data masking of an element list, and one decision round trip
through the real openai client to a local OpenAI-protocol server that answers at once.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the root first: tests/planners is no package

from openai_server import OpenAIServer  # noqa: E402
from PIL import Image  # noqa: E402

from devices.sim.device import SimDevice  # noqa: E402
from planners.agents import DecisionContext, build_agents  # noqa: E402
from planners.llm import LLMConfig, image_data_url  # noqa: E402
from planners.privacy import Masker  # noqa: E402

DECISION = {"thought": "t", "note": None, "action": {
    "type": "tap", "element": 3, "target": None, "x": None, "y": None, "text": None,
    "direction": None, "app": None, "key": None, "seconds": None}}


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def element_list(count: int) -> str:
    lines = [f'[{i}] text "Setting number {i}: on, 42% used"' for i in range(count)]
    lines[5] = '[5] text "Signed in as alice.doe@example.org"'
    lines[9] = '[9] text "Call +1 (555) 123-4567"'
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=30)
    n = parser.parse_args().n
    screen = SimDevice().screenshot()
    print(f"screenshot {screen.width}x{screen.height}, {n} runs each (median / p90)")
    for fmt in ("png", "jpeg"):
        url, scale = image_data_url(screen, 1280, fmt)  # type: ignore[arg-type]
        med, p90 = timed(lambda f=fmt: image_data_url(screen, 1280, f), n)  # type: ignore[misc]
        print(f"  encode {fmt:<4} -> {round(screen.width * scale)}x"
              f"{round(screen.height * scale)}: {med:6.1f} / {p90:6.1f} ms, "
              f"{len(url) / 1024:6.0f} KiB data URL")
    text = element_list(60)
    med, p90 = timed(lambda: Masker().text(text), n)
    print(f"  mask 60-element list: {med:6.2f} / {p90:6.2f} ms")
    with OpenAIServer() as server:
        server.default = DECISION
        agents = build_agents(LLMConfig(base_url=server.base_url, api_key="x"))
        image = screen.convert("RGB")
        ctx = DecisionContext("open Wi-Fi", "", "open Wi-Fi", text, image)
        med, p90 = timed(lambda: agents.decision.decide(ctx), n)
        body = len(server.raw_bodies[-1]) / 1024
        print(f"  decision round trip (png, local server): {med:6.1f} / {p90:6.1f} ms, "
              f"request {body:.0f} KiB")
        no_image = DecisionContext("open Wi-Fi", "", "open Wi-Fi", text, Image.new("RGB", (1, 1)))
        med, p90 = timed(lambda: agents.decision.decide(no_image), n)
        print(f"  decision round trip (1x1 image):         {med:6.1f} / {p90:6.1f} ms")


if __name__ == "__main__":
    main()
