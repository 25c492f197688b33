"""guiagent: operates phones and desktops the way a person does."""

__version__ = "0.1.0"
