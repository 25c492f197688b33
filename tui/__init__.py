"""The Textual application (`guiagent tui`)."""
