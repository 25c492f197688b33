"""LLM client, planning / decision / reflection agents, memory, the app model, the offline planner."""
