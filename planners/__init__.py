"""LLM client; planning, decision and reflection agents; memory; the app model; offline planner."""
