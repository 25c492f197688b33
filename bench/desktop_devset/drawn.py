"""What a control's box draws: its name as text, a picture (icon-only), or neither.

Plain numpy (no pyatspi), so the harvester and ``generate.py relabel`` judge a row alike from
the screenshot, the box and the row's role and name. The rule (measured on the dev part only):

- Ink is the colour edges in the box; long straight lines of one colour (frames, underlines
  of a tab, slide outlines) are left out. Ink is grouped into *words*: column runs with gaps
  of at most 6 px. A *span* is a run of consecutive words; its height is its ink's height.
- **Text**: some span is one line of text that is the name written out: height 8-20 px (UI
  fonts here, edges included); width 0.36-1.0 heights per character of the name (a square
  picture named "New" is 0.33, the narrowest text, "File", 0.38); drawn with strokes, at
  least 1.4 per letter (the most crossings of ink in one row plus the vertical stems; a
  picture has few: the Undo arrow 1.0, text 1.7 or more) and at least one stem. A button's
  label keeps 2 px off its sides: ink running out of a button is something drawn over it.
- **Icon-only**: a button, toggle, check box or list item whose box shows no text line at
  all (by the same test, letters counted from the width) and some ink, none of it cut off
  at the sides: a picture of any size, in any number of pieces.
- Anything else (other text than the name, text cut off, nothing drawn) is neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BUTTON_ROLES = {"push button", "toggle button", "button", "toggle", "menu button"}
ICON_ROLES = BUTTON_ROLES | {"check box", "list item"}
TEXT_HEIGHT = (8, 20)          # px: a line of UI text, edge pixels included
CHAR_WIDTH = (0.3, 1.25)       # a character's width, in line heights (a combo's arrow too)
STROKES_PER_LETTER = 1.4
MIN_ASPECT = 1.2               # width / height of three letters or more: a picture is ~1
AVERAGE_CHAR = 0.55            # line heights: to count the letters of unnamed text
WORD_GAP, MARGIN, EDGE_STEP = 6, 2, 40


@dataclass(frozen=True)
class Span:
    """A run of consecutive words: its extent in the box and its strokes."""

    x0: int
    x1: int
    y0: int
    y1: int
    crossings: int   # the most separate ink runs along one row
    stems: int       # columns of ink at least half the span's height, grouped

    @property
    def width(self) -> int:
        return self.x1 - self.x0 + 1

    @property
    def height(self) -> int:
        return self.y1 - self.y0 + 1


def kind(pixels: np.ndarray, box: tuple[int, int, int, int], role: str, name: str) -> str:
    """"text", "icon" or "" for the control ``role`` named ``name`` drawn at ``box`` in an
    RGB screenshot array (height x width x 3)."""
    x1, y1, x2, y2 = box
    crop = np.asarray(pixels[y1:y2, x1:x2], dtype=np.int16)
    m = edges(crop)
    spans = all_spans(m, crop)
    button = role in BUTTON_ROLES
    if any(spells(s, name) and (not button or inside(s, m.shape[1])) for s in spans):
        return "text"
    if role in ICON_ROLES and picture(crop, m) and not any(looks_like_text(s) for s in spans):
        return "icon"
    return ""


def edges(crop: np.ndarray) -> np.ndarray:
    """Colour steps in the box, long one-colour lines (frames, outlines) left out."""
    h, w = crop.shape[:2]
    m = np.zeros((h, w), bool)
    m[:, :-1] |= np.abs(crop[:, 1:] - crop[:, :-1]).max(axis=2) > EDGE_STEP
    m[:-1, :] |= np.abs(crop[1:] - crop[:-1]).max(axis=2) > EDGE_STEP
    clear_lines(m, crop)
    clear_lines(m.T, crop.transpose(1, 0, 2))
    return m


def clear_lines(m: np.ndarray, crop: np.ndarray, share: float = 0.6) -> None:
    """Unmark each row's longest run of ink when it spans ``share`` of the row in nearly
    one colour: a line, not letters (``m`` is changed in place; pass transposes for columns)."""
    for y in range(m.shape[0]):
        start, end = longest_run(m[y])
        if end - start >= share * m.shape[1]:
            seg = crop[y, start:end]
            if (np.abs(seg - np.median(seg, axis=0)).max(axis=1) <= EDGE_STEP).mean() >= 0.9:
                m[y, start:end] = False


def longest_run(row: np.ndarray) -> tuple[int, int]:
    """Start and end (exclusive) of the longest run of True in ``row``."""
    rs = runs(row, 1)
    start, end = max(rs, key=lambda r: r[1] - r[0], default=(0, -1))
    return start, end + 1


def runs(occupied: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of occupied indices (first, last), gaps shorter than ``gap`` bridged."""
    out: list[tuple[int, int]] = []
    for i in np.nonzero(occupied)[0]:
        if out and i - out[-1][1] <= gap:
            out[-1] = (out[-1][0], int(i))
        else:
            out.append((int(i), int(i)))
    return out


def words(m: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Column runs of ink (gaps up to WORD_GAP bridged), each with its main band of rows."""
    out = []
    for x0, x1 in runs(m.any(axis=0), WORD_GAP):
        rows = runs(m[:, x0:x1 + 1].any(axis=1), 2)
        y0, y1 = max(rows, key=lambda r: m[r[0]:r[1] + 1, x0:x1 + 1].sum())
        out.append((x0, x1, y0, y1))
    return out


def all_spans(m: np.ndarray, crop: np.ndarray, most: int = 8) -> list[Span]:
    """Every run of up to ``most`` consecutive words, with its strokes."""
    ws = words(m)
    out = []
    for i in range(len(ws)):
        for j in range(i, min(i + most, len(ws))):
            y0, y1 = min(w[2] for w in ws[i:j + 1]), max(w[3] for w in ws[i:j + 1])
            sub = m[y0:y1 + 1, ws[i][0]:ws[j][1] + 1]
            out.append(Span(ws[i][0], ws[j][1], y0, y1, crossings(sub), stems(sub)))
    return out


def crossings(sub: np.ndarray) -> int:
    return max((len(runs(row, 1)) for row in sub), default=0)


def stems(sub: np.ndarray) -> int:
    """Groups of columns whose longest vertical run of ink is half the height or more."""
    tall = [longest_run(col)[1] - longest_run(col)[0] >= sub.shape[0] / 2 for col in sub.T]
    return len(runs(np.array(tall, bool), 1))


def spells(s: Span, name: str) -> bool:
    """Whether span ``s`` is one line of text as long as ``name`` written out."""
    per_char = s.width / (s.height * len(name))
    if len(name) >= 3 and s.width < MIN_ASPECT * s.height:
        return False
    return CHAR_WIDTH[0] <= per_char <= CHAR_WIDTH[1] and text_line(s, letters(name))


def text_line(s: Span, n_letters: float) -> bool:
    """Text-high and drawn with about the strokes of ``n_letters`` letters."""
    if not TEXT_HEIGHT[0] <= s.height <= TEXT_HEIGHT[1] or s.stems < 1:
        return False
    return s.crossings + s.stems >= STROKES_PER_LETTER * n_letters


def looks_like_text(s: Span) -> bool:
    """A line of some text, four letters or more, whatever it says."""
    n = s.width / (AVERAGE_CHAR * s.height)
    return n >= 4 and text_line(s, n)


def letters(name: str) -> int:
    return max(1, sum(not ch.isspace() for ch in name))


def inside(s: Span, width: int) -> bool:
    """Off the box's sides: a button's label, not ink running out of it."""
    return s.x0 >= MARGIN and s.x1 <= width - 1 - MARGIN


def picture(crop: np.ndarray, m: np.ndarray) -> bool:
    """Something drawn inside the box, none of it running out of the sides."""
    h, w = m.shape
    inner = crop[MARGIN:h - MARGIN, MARGIN:w - MARGIN]
    if inner.size == 0 or np.ptp(inner.reshape(-1, 3), axis=0).max() <= EDGE_STEP:
        return False
    return not any(cut(word, w) for word in words(m))


def cut(word: tuple[int, int, int, int], width: int) -> bool:
    """A drawing (wider and taller than a frame line) that runs out of the box's side."""
    x0, x1, y0, y1 = word
    big = x1 - x0 > 3 and y1 - y0 > 3
    return big and (x0 < MARGIN or x1 > width - 1 - MARGIN)
