"""Settings flow into the LLM config: privacy classes, local_only, secrets, prices."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from guiagent.config import llm_config, load_settings
from guiagent.errors import ConfigError
from planners.privacy import PII_CLASSES, resolve_secrets


def test_defaults_mask_everything(tmp_path: Path) -> None:
    settings = load_settings(path=tmp_path / "none.toml",
                             environ={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    config = llm_config(settings)
    assert config.base_url == "http://127.0.0.1:9/v1"
    assert config.privacy.classes == frozenset(PII_CLASSES)
    assert not config.privacy.local_only


def test_config_file_sets_privacy_models_and_prices(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "qwen2.5-vl"\ndecision_model = "gpt-4o"\nprivacy = ["email"]\n'
                    'local_only = true\nimage_max_side = 896\n[prices]\n"qwen" = [0, 0]\n')
    config = llm_config(load_settings(path=path, environ={}))
    assert (config.model, config.model_for("decision"), config.model_for("planner")) == (
        "qwen2.5-vl", "gpt-4o", "qwen2.5-vl")
    assert config.privacy.classes == {"email"} and config.privacy.local_only
    assert config.image_max_side == 896 and config.prices == {"qwen": [0, 0]}


def test_privacy_off_and_bad_classes(tmp_path: Path) -> None:
    settings = load_settings(path=tmp_path / "none.toml", environ={})
    assert llm_config(replace(settings, privacy="off")).privacy.classes == frozenset()
    with pytest.raises(ConfigError, match="unknown personal data classes"):
        llm_config(replace(settings, privacy=["ssn"]))


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(path=tmp_path / "none.toml",
                             environ={"GUIAGENT_SECRET_WIFI_PW": "hunter2"})
    assert "hunter2" not in repr(settings)
    assert resolve_secrets("{{secret:wifi_pw}}", settings.secrets) == "hunter2"
