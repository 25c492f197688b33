"""Without the optional MCP SDK, `guiagent mcp` says how to install it (one line, exit 4)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

BLOCKED = ("import sys; sys.modules['mcp'] = None; from guiagent.cli import main; "
           "main(['mcp'])")


def test_missing_sdk_names_the_extra() -> None:
    done = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 4
    assert done.stderr == ("guiagent: error: `guiagent mcp` needs the MCP SDK: "
                           "pip install 'guiagent[mcp]'\n")
