"""One module per family of subcommands; registered lazily in guiagent.cli.COMMANDS."""
