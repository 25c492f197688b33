"""Both HTML reports rendered by a real browser (headless Chromium from Debian's package).

The pictures are checked where the design says something must be seen: the failure's
reason in red at the top, large screenshots beside each step, the target's box drawn.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from guiagent.report import BOX

from .conftest import cli, write_flow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install "
                                                           "chromium)")]
RED_BANNER = (255, 235, 238)     # .banner.failed background
RED_TEXT = (183, 28, 28)         # failure text


def render(page: Path, out: Path, size: str = "1400,2200") -> np.ndarray:
    """The page as Chromium draws it, as an RGB array."""
    assert CHROMIUM is not None
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={out}", f"--window-size={size}",
                    page.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    with Image.open(out) as im:
        return np.asarray(im.convert("RGB"))


def near(pixels: np.ndarray, color: tuple[int, int, int], tol: int = 12) -> np.ndarray:
    return np.all(np.abs(pixels.astype(int) - np.array(color)) <= tol, axis=-1)


def test_run_report_in_a_browser(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    done = cli("run", "open Settings, tap Network & internet, tap Zebra", "--out", run_dir)
    assert done.returncode == 1, done.stderr
    pixels = render(run_dir / "report.html", tmp_path / "run.png")
    banner_rows = np.nonzero(near(pixels, RED_BANNER).sum(axis=1) > 600)[0]
    assert len(banner_rows) and banner_rows[0] < 150          # a wide red banner at the top
    assert near(pixels[:200], RED_TEXT, 30).sum() > 200       # with the reason in red text
    # Step 1's screenshots: a phone screen shown at least 700 px tall in the right part
    right = pixels[:, 400:]
    tall = np.nonzero((right < 250).any(axis=2).sum(axis=1) > 200)[0]
    assert len(tall) > 700
    # the target's box (and its name tag) is drawn on the before image, kept full size
    with Image.open(run_dir / "act-002.png") as marked:
        assert near(np.asarray(marked.convert("RGB")), BOX, 8).sum() > 2000
    assert (run_dir / "report.html").stat().st_size < 1_000_000


def test_flow_report_in_a_browser(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "flows", "broken.yaml", """
        name: broken on purpose
        steps:
          - do: "open Settings"
          - tap: "Network & internet"
          - assert_visible: "Zebra mode"
        """)
    done = cli("test", flow, "-d", "sim", "--html", tmp_path / "report")
    assert done.returncode == 1, done.stderr
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="step passed"') == 2 and page.count('class="step failed"') == 1
    link = re.search(r'<a href="([^"]+report\.html)">the agent\'s run report</a>', page)
    assert link and (tmp_path / "report" / link.group(1)).is_file()   # the do: step's report
    assert (tmp_path / "report" / "failure-000-broken-on-purpose.png").is_file()
    pixels = render(tmp_path / "report" / "index.html", tmp_path / "flows.png", "1400,2000")
    assert near(pixels[:300], RED_TEXT, 30).sum() > 200       # the reason, in red, on top
    tiles = near(pixels, RED_BANNER, 6)                        # the failed step's tile
    assert tiles.sum() > 5000
