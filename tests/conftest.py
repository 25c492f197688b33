"""Shared test settings: every test gets its own data dir and config, never the user's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

SHARED_DATA = TESTS.parent.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's data, config and LLM settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("GUIAGENT_CONFIG", str(home / "config.toml"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GUIAGENT_MODEL", "GUIAGENT_DEVICE",
                "GUIAGENT_ADB_SERVER"):
        monkeypatch.delenv(var, raising=False)
