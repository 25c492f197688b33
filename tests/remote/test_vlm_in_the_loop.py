"""`--grounder vlm`: the loop asks a remote grounding model (a real HTTP server speaking the
OpenAI protocol) where a target is, with personal data masked and local_only honoured."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer

from devices.sim.device import SimDevice

TASK = "open Settings, tap Network & internet"


def centre(dev: SimDevice, text: str) -> tuple[float, float]:
    """Where ``text`` is on the device's screen, as fractions of the screen."""
    tree = dev.ui_tree() or ""
    m = re.search(rf'text="{text}"[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"', tree)
    assert m, f"{text} is on the screen"
    x1, y1, x2, y2 = map(int, m.groups())
    g = dev.geometry()
    return (x1 + x2) / 2 / g.width, (y1 + y2) / 2 / g.height


def true_points() -> dict[str, tuple[float, float]]:
    """What a perfect grounding model would answer on a fresh phone, target by target."""
    dev = SimDevice()
    points = {"Settings": centre(dev, "Settings")}
    dev.launch_app("Settings")
    points["Network & internet"] = centre(dev, "Network &amp; internet")
    return points


def guiagent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guiagent", *args], capture_output=True,
                          text=True, env=env, timeout=180)


def base_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["GUIAGENT_DATA_DIR"] = str(tmp_path / "data")
    env["GUIAGENT_CONFIG"] = str(tmp_path / "config.toml")
    return env


@pytest.mark.slow
def test_offline_steps_grounded_by_a_remote_model(tmp_path: Path) -> None:
    points = true_points()
    asked: list[str] = []

    def answer(body: dict[str, Any]) -> str:
        content = body["messages"][-1]["content"]
        text = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        assert any(p.get("type") == "image_url" for p in content if isinstance(p, dict))
        target = text.strip().splitlines()[-1].strip()
        asked.append(target)
        fx, fy = points.get(target, (0.5, 0.02))  # an unknown target: the status bar
        return f"({fx:.4f}, {fy:.4f})"

    with OpenAIServer() as server:
        server.default = answer
        r = guiagent("run", TASK, "--planner", "offline", "--grounder", "vlm", "--model",
                     "showui-2b", "--base-url", server.base_url, "--json",
                     env=base_env(tmp_path))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["status"] == "success", result
    assert "Network & internet" in asked, asked


def test_local_only_refuses_a_remote_grounding_server(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    Path(env["GUIAGENT_CONFIG"]).write_text("local_only = true\n")
    r = guiagent("run", TASK, "--planner", "offline", "--grounder", "vlm", "--model",
                 "showui-2b", "--base-url", "https://models.example.com/v1", env=env)
    assert r.returncode == 4
    assert "local_only" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_unknown_model_needs_a_coord_mode(tmp_path: Path) -> None:
    r = guiagent("run", TASK, "--planner", "offline", "--grounder", "vlm", "--model",
                 "my-own-model", "--base-url", "http://127.0.0.1:9/v1", env=base_env(tmp_path))
    assert r.returncode == 4 and "--coord-mode" in r.stderr and "Traceback" not in r.stderr


def test_ground_command_with_a_remote_model(tmp_path: Path) -> None:
    image = tmp_path / "home.png"
    SimDevice().screenshot().save(image)
    with OpenAIServer(["(0.5, 0.25)", '{"x": 100, "y": 200}']) as server:
        common = ["--grounder", "vlm", "--base-url", server.base_url]
        r = guiagent("ground", str(image), "the clock", "--model", "showui-2b", *common,
                     env=base_env(tmp_path))
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["540", "600"]  # 0.5 x 1080, 0.25 x 2400
        r = guiagent("ground", str(image), "the clock", "--model", "mine", "--coord-mode",
                     "pixels", *common, env=base_env(tmp_path))
        assert r.stdout.split() == ["100", "200"], r.stderr
    assert len(server.requests) == 2
