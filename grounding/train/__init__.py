"""Training code for the project's own models (torch; never imported by the runtime)."""
