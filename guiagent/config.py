"""Settings, merged explicitly: defaults < config file < environment < flags.

This is the only module that reads environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import platformdirs

from guiagent.config_check import check_extra, check_layer
from guiagent.errors import ConfigError

if TYPE_CHECKING:
    from annotated_types import Ge, Gt  # constraints pydantic checks (config_check)

    from grounding.perceive import PerceiveConfig
    from planners.llm import LLMConfig

APP = "guiagent"


def data_dir() -> Path:
    """Where app models, tips and runs live (``GUIAGENT_DATA_DIR`` overrides, for tests)."""
    override = os.environ.get("GUIAGENT_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def config_path() -> Path:
    override = os.environ.get("GUIAGENT_CONFIG")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP)) / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a command may be configured with; flows down through constructors."""

    device: str | None = None
    adb_server: str | None = None          # HOST:PORT of a remote adb server
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    planner_model: str | None = None
    decision_model: str | None = None
    reflection_model: str | None = None
    grounding_model: str | None = None
    grounder: Literal["local", "vlm"] = "local"
    ocr_models: Literal["auto", "int8", "float"] = "auto"  # auto: int8 recognizer on a CPU
    coord_mode: Literal["norm1", "norm1000", "smart_resize", "pixels"] | None = None
    max_steps: Annotated[int, Gt(0)] = 30
    explore_budget: Annotated[int, Ge(0)] | None = None  # offline goals; None: steps-6
    max_cost: Annotated[float, Gt(0)] | None = None
    safety_policy: str | None = None
    image_max_side: Annotated[int, Gt(0)] = 1280  # images sent to a model: long side
    llm_timeout: Annotated[float, Gt(0)] = 60.0
    device_wait: Annotated[float, Ge(0)] = 10.0  # seconds to wait for a device in use
    privacy: list[str] | str | None = None  # classes to mask (default all), or "off"
    local_only: bool = False               # refuse any LLM server that is not on this machine
    desktop_tree: bool = True              # read the desktop's AT-SPI tree (False: pixels only)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # GUIAGENT_SECRET_<NAME>
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def llm_configured(self) -> bool:
        return bool(self.api_key or self.base_url)


ENV_VARS = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "GUIAGENT_MODEL": "model",
    "GUIAGENT_DEVICE": "device",
    "GUIAGENT_ADB_SERVER": "adb_server",
    "GUIAGENT_OCR_MODELS": "ocr_models",
}
SECRET_PREFIX = "GUIAGENT_SECRET_"  # GUIAGENT_SECRET_WIFI_PW fills {{secret:WIFI_PW}}


def _from_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib  # only when there is a file (a one-shot command starts without it)

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or remove the file") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}); it must be "
                          "a TOML file") from exc
    known = {f.name for f in fields(Settings)} - {"extra"}
    values = {k.replace("-", "_"): v for k, v in raw.items() if k.replace("-", "_") in known}
    extra = {k: v for k, v in raw.items() if k.replace("-", "_") not in known}
    check_extra(extra, str(path), known)
    return check_layer(values, str(path)) | {"extra": extra}


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {attr: environ[var] for var, attr in ENV_VARS.items()
                              if environ.get(var)}
    secrets = {k.removeprefix(SECRET_PREFIX): v for k, v in environ.items()
               if k.startswith(SECRET_PREFIX) and len(k) > len(SECRET_PREFIX)}
    return values | ({"secrets": secrets} if secrets else {})


def load_settings(flags: dict[str, Any] | None = None, *, path: Path | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Merge the layers; a flag given as None means "not given"."""
    settings = Settings()
    env_names = {attr: var for var, attr in ENV_VARS.items()}
    for layer in (_from_file(path or config_path()),
                  check_layer(_from_env(dict(environ or os.environ)), "the environment",
                              env_names),
                  check_layer({k: v for k, v in (flags or {}).items() if v is not None},
                              "the command line", {k: "--" + k.replace("_", "-")
                                                   for k in flags or {}})):
        try:
            settings = replace(settings, **layer)
        except TypeError as exc:
            raise ConfigError(f"unknown setting: {exc}") from exc
    return settings


def llm_config(settings: Settings) -> LLMConfig:
    """The LLM client's settings (planners.llm is imported here: openai is slow to import)."""
    from planners.llm import LLMConfig
    from planners.privacy import PII_CLASSES, PrivacyConfig

    chosen = settings.privacy
    classes = PII_CLASSES if chosen is None else () if chosen in ("off", "none") else chosen
    try:
        privacy = PrivacyConfig(frozenset([classes] if isinstance(classes, str) else classes),
                                local_only=bool(settings.local_only))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"privacy: {exc} (or \"off\")") from exc
    return LLMConfig(
        model=settings.model or LLMConfig.model, api_key=settings.api_key,
        base_url=settings.base_url, planner_model=settings.planner_model,
        decision_model=settings.decision_model, reflection_model=settings.reflection_model,
        grounding_model=settings.grounding_model, image_max_side=int(settings.image_max_side),
        timeout=float(settings.llm_timeout), prices=settings.extra.get("prices", {}),
        privacy=privacy)


def perceive_config(settings: Settings) -> PerceiveConfig:
    """Local perception as configured: ``ocr_models`` auto (int8 recognizer on a CPU, float
    with CUDA), int8 or float."""
    from grounding.ocr import OcrConfig
    from grounding.perceive import PerceiveConfig

    choices = {"auto": None, "int8": True, "float": False}
    if settings.ocr_models not in choices:
        raise ConfigError(f"ocr_models '{settings.ocr_models}' is unknown; "
                          "use auto, int8 or float")
    return PerceiveConfig(ocr=OcrConfig(int8=choices[settings.ocr_models]))


def display_env() -> dict[str, str | None]:
    """The display variables the desktop driver and doctor look at."""
    return {k: os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE",
                                           "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
                                           "AT_SPI_BUS_ADDRESS")}


def accessibility_env() -> dict[str, str | None]:
    """The variables that switch desktop applications' accessibility on or off."""
    return {k: os.environ.get(k) for k in ("NO_AT_BRIDGE", "GTK_MODULES", "QT_ACCESSIBILITY",
                                           "QT_LINUX_ACCESSIBILITY_ALWAYS_ON")}


def device_options(settings: Settings) -> dict[str, Any]:
    """What every device driver is opened with; each driver takes the options it knows."""
    options: dict[str, Any] = {"display_env": display_env(),
                               "accessibility": bool(settings.desktop_tree)}
    server = settings.adb_server or adb_env_server()
    if server:
        options["adb_server"] = server
    return options


def adb_env_server() -> str | None:
    """The adb server that adb itself would use: ANDROID_ADB_SERVER_PORT (and
    ANDROID_ADB_SERVER_ADDRESS for its host), when guiagent is not told another one."""
    port = os.environ.get("ANDROID_ADB_SERVER_PORT", "").strip()
    if not port:
        return None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"ANDROID_ADB_SERVER_PORT = {port!r}: a port is a number from 1 to "
                          "65535")
    host = os.environ.get("ANDROID_ADB_SERVER_ADDRESS", "").strip() or "127.0.0.1"
    return f"{host}:{port}"


def mcp_token() -> str | None:
    """The bearer token `guiagent mcp --http` requires (``GUIAGENT_MCP_TOKEN``), if set."""
    return os.environ.get("GUIAGENT_MCP_TOKEN") or None
