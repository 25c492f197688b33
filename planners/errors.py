"""Errors of the planning layer.

PlannerError
├── LLMConfigError    no usable model configuration (user must act)
│   └── SecretMissing a type action names a {{secret:NAME}} the user did not provide
├── LLMUnavailable    the model server cannot be reached, refused, or answered garbage (run stops)
├── TimeBudgetSpent   the run's wall-time budget ran out while waiting for the model (run stops)
├── BadModelReply     a reply that fails validation twice (the model; the loop may retry)
└── PromptError       a packaged prompt template is missing or lacks a variable (a bug)
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base of every error raised by the planning layer."""


class LLMConfigError(PlannerError):
    """The LLM settings are missing or contradictory."""


class LLMUnavailable(PlannerError):
    """The model server could not be reached or refused the request."""


class TimeBudgetSpent(PlannerError):
    """The run's ``max_seconds`` ran out during a model call (the request was cut short)."""


class BadModelReply(PlannerError):
    """The model's reply could not be parsed into the expected structure."""


class SecretMissing(LLMConfigError):
    """A type action asks for a secret that was not provided."""


class PromptError(PlannerError):
    """A prompt template is missing, or was rendered with missing or unknown variables."""
