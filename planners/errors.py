"""Errors of the planning layer.

PlannerError
├── LLMConfigError    no usable model configuration (user must act)
├── LLMUnavailable    the model server cannot be reached or refused (run stops)
└── BadModelReply     a reply that fails validation twice (the model; the loop may retry)
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base of every error raised by the planning layer."""


class LLMConfigError(PlannerError):
    """The LLM settings are missing or contradictory."""


class LLMUnavailable(PlannerError):
    """The model server could not be reached or refused the request."""


class BadModelReply(PlannerError):
    """The model's reply could not be parsed into the expected structure."""
