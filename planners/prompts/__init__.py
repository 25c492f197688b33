"""Prompt templates of the agents (package data, rendered by planners.templates)."""
