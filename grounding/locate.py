"""``locate(screen, instruction) -> Target``: instruction -> element -> point.

Text (quoted or not, fuzzy, partial, any script), synonyms and icon labels,
symbols and the names of keys ("+", "equals", "root"), roles, ordinals, screen
positions, relations to another element, containers ("in the File menu") and
window controls. When
nothing matches well enough the answer is ``found=False`` with the best
candidates and the reason, never a guess.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from devices.geometry import Box, PixelPoint
from grounding.a11y import resource_name
from grounding.glyphs import shape_order
from grounding.names import asked_key, fold, name_joins, opposed, pair_order, shown_key
from grounding.query import ROLES, Query, parse, strip_verb, synonyms, take_container
from grounding.text import compact, has_cjk, normalize, similarity
from grounding.types import Element, Screen, Target
from grounding.within import restrict, title_bar_first, title_controls

MIN_SCORE = 0.6
QUOTED_MIN = 0.75    # quoted text must match closely
LITERAL_MIN = 0.85   # the whole instruction read as on-screen text
PARTIAL_MAX = QUOTED_MIN  # a name lacking some asked words ("Save" for "Save As")
WORDS_SHOWN = 0.03   # a classifier's label holds every asked word (not only a synonym)
NEAR_BEST = 0.12     # matches this close to the best count as equally good (ordinals, positions)
ANCHORS = 5          # elements of the anchor's name tried for "next to" (the best first)
NON_TARGETS = ("container",)
ACTION_ONLY = 0.85   # a classified icon matched by the action word of a two-word name
Scored = list[tuple[Element, float]]
_SPECIFIC_ROLES = {r for r, kinds in ROLES.items() if set(kinds) <= {"input", "toggle", "checkbox",
                                                                      "slider"}}


def locate(screen: Screen, instruction: str, min_score: float = MIN_SCORE) -> Target:
    """The point an instruction refers to, or an honest not-found."""
    query = parse(instruction)
    literal = None
    if not (query.toggle or (query.quoted and _QUOTE_MARKS.search(instruction))):
        literal = _literal(screen, instruction, min_score)  # "Text From File...": a name
        if literal is not None and literal.score >= LITERAL_MIN and (
                query.container is None or query.relation):
            return literal  # a label holding a relation word: "Text beside icons"
        if query.relation:
            literal = None
    if not (query.text or query.role or query.ordinal or query.position):
        return literal or Target(False, reason=f"nothing to look for in {instruction!r}")
    region = _region(screen, query)
    if literal is not None and literal.element is not None and region is not None and \
            literal.element.id not in {e.id for e in region}:  # a title cut from a bar too
        literal = None  # "choose Word Wrap in the Tab Size menu": a sibling outside it
    target = resolve(screen, query, min_score)
    inner = _literal_inside(screen, instruction, query, region, min_score)
    if inner is not None and inner.score > target.score:
        return inner  # "pick Checkbox List from the Insert menu": a name holding a role word
    if literal is not None and not (query.ordinal or query.position) and (
            not target.found or literal.score > target.score):
        return literal  # "click Tabs", "tap 悬浮按钮": on-screen words over a role read into them
    if query.ordinal and (not target.found or target.score < LITERAL_MIN):
        plain = resolve(screen, parse(instruction, ordinals=False), min_score)
        if plain.found and plain.score >= LITERAL_MIN:  # "First to Tip" is a name
            return plain
    return target


_QUOTE_MARKS = re.compile("[\"“”‘’「」『』«»]|(?<!\\w)'|'(?!\\w)")


def _literal(screen: Screen, instruction: str, min_score: float,
             among: list[Element] | None = None) -> Target | None:
    """The instruction minus its verb, read as plain on-screen text ("tap Bottom",
    "tap 悬浮按钮"): it wins over role and position words when it matches closely."""
    words = strip_verb(instruction)
    if not words:
        return None
    elements = screen.elements + stacked(screen) if among is None else among
    scored = sorted(((e, name_score(e, [(words, 1.0)]) + _same_case(e, words)
                      + _same_ellipsis(e, words))
                     for e in elements if e.kind not in NON_TARGETS), key=_rank)
    scored = by_shape(screen, scored, words)
    if not scored or scored[0][1] < max(min_score, MIN_SCORE):
        return None
    return _hit(scored[0][0], scored[0][1], words, "the words as written")


def _region(screen: Screen, q: Query) -> list[Element] | None:
    """The elements in the query's container; None when there is no container, it is a
    relation's anchor, or the screen shows no region for it."""
    if q.container is None or q.relation:
        return None
    inside, where = restrict(screen, q.container, [(e, 1.0) for e in screen.elements])
    return [e for e, _ in inside] if where else None


def _literal_inside(screen: Screen, instruction: str, q: Query,
                    region: list[Element] | None, min_score: float) -> Target | None:
    """The words before or after a container phrase read as one on-screen label inside the
    container's ``region``, when they match closely; None without a region."""
    if region is None or q.quoted or q.container is None or q.container.kind == "title bar":
        return None
    head = strip_verb(take_container(strip_verb(instruction))[0])
    if not head:
        return None
    found = _literal(screen, head, min_score, region)
    return found if found is not None and found.score >= LITERAL_MIN else None


def resolve(screen: Screen, q: Query, min_score: float = MIN_SCORE) -> Target:
    """Locate a parsed query on a perceived screen."""
    if q.relation and q.anchor is not None:
        anchor = resolve(screen, q.anchor, min_score)
        if not anchor.found or anchor.element is None:
            return Target(False, reason=f"cannot find {q.anchor.text or q.anchor.role!r} "
                          f"that the target is {q.relation} of: {anchor.reason}",
                          candidates=anchor.candidates)
        return _relative_to_any(screen, q, anchor)
    pool = _role_pool(screen, q.role)
    if q.container is not None and q.container.kind == "title bar":
        return _window_control(screen, q, pool, min_score)
    if q.container is not None:
        inside, where = restrict(screen, q.container, pool)
        if where:
            target = _by_text(screen, q, inside, min_score, False) if q.text \
                else _by_place(screen, q, inside)
            if q.container.kind == "menu bar" and q.text and target.score <= PARTIAL_MAX:
                # a menu bar's menus open below it: "Column in the menu bar", "the Chart
                # menu" may be an open menu's submenu that the bar lacks (or only half names)
                whole = _by_text(screen, q, pool, min_score)
                if whole.found and (not target.found or whole.score >= LITERAL_MIN):
                    return whole
            return target if target.found else Target(
                False, reason=f"{where}: {target.reason}", candidates=target.candidates,
                score=target.score)
    if q.text:
        return _by_text(screen, q, pool, min_score)
    return _by_place(screen, q, pool)


def _window_control(screen: Screen, q: Query, pool: Scored, min_score: float) -> Target:
    """A title bar's close / maximize / minimize: an icon named so (the topmost, then the
    rightmost), else the button at its place at the end of a window's title row."""
    run = title_controls(screen)
    named = [(e, w) for e, w in pool if e.label == q.text]
    on_bar = [(e, w) for e, w in named if e in run.values()
              or e.center.y < 0.05 * screen.geometry.height]
    if on_bar:
        return _by_text(screen, q, on_bar, min_score, False)
    if q.text in run:
        return _hit(run[q.text], min_score, "", f"the {q.text} button by its place on a "
                    "title bar")
    return _by_text(screen, q, named or pool, min_score, False)


def variants(text: str) -> list[tuple[str, float]]:
    """The asked text plus its synonyms (slightly discounted); symbols stay as written."""
    norm = normalize(text)
    if _SYMBOL.search(text) and (not norm or asked_key(text) is not None):
        return [(text.strip(), 1.0)]  # "+", "M+", "1/x": the symbols are what is asked
    out = [(norm, 1.0)]
    table = synonyms()
    tokens = norm.split()
    for alt in table.get(norm, ()):
        out.append((alt, 0.92))
    for i, word in enumerate(tokens if 1 < len(tokens) <= 3 else []):
        for alt in table.get(word, ()):
            out.append((" ".join([*tokens[:i], alt, *tokens[i + 1:]]), 0.92))
    return out


def name_score(e: Element, asked: list[tuple[str, float]]) -> float:
    """How well an element's text, label or resource name matches the asked text."""
    guessed = e.source in ("proposal", "detector")  # a classifier's label, not the app's
    names = [(n, w) for n, w in ((e.text, 1.0), (e.label, 0.8 if guessed else 1.0),
                                 (resource_name(e.resource_id), 0.85))
             if n and not (asked and opposed(asked[0][0], n))]  # "zoom" for "Zoom In"
    score = max((_pair_score(a, n, wa == 1.0) * wa * wn
                 for a, wa in asked for n, wn in names), default=0.0)
    if guessed and any(n == e.label for n, _ in names):
        score = max(score, ACTION_ONLY * 0.8 * _action_match(asked, e.label))
    return score


def _pair_score(asked: str, name: str, as_asked: bool) -> float:
    """One asked form against one name: 0 when the name says the opposite ("Sort
    Ascending" for "Sort Descending", "Unmerge" for "Merge"); a name that is some of the
    asked words and lacks the others ("Save" for "Save As") is at best acceptable, below
    a full match that a misread letter or a weaker role spoils."""
    if opposed(asked, name):
        return 0.0
    score = max(similarity(asked, name), verbatim(asked, name),
                key_match(asked, name) if as_asked else 0.0)
    a, n = normalize(asked).split(), normalize(name).split()
    if n and len(n) < len(a) and set(n) < set(a) and score < 1.0:
        score = min(score, PARTIAL_MAX)
    return score


def _action_match(asked: list[tuple[str, float]], label: str) -> float:
    """A classified icon names one thing; two-word accessible names add an object or an
    owner ("Close tab", "Annotate document", "File options", "Search for Files" once the
    joining word is left out): each word against the label."""
    return max((w * similarity(word, label) for a, w in asked
                if len(words := _content_words(a)) == 2 and not opposed(a, label)
                for word in words), default=0.0)


def _content_words(text: str) -> list[str]:
    """The words of a name less those joining an action to its object (``name_joins``)
    between them: "Search for Files" is search + files; "Zoom in", "Jump to" keep theirs."""
    words = text.split()
    if len(words) <= 2:
        return words
    inner = [w for w in words[1:-1] if normalize(w) not in name_joins()]
    return [words[0], *inner, words[-1]]


_SYMBOL = re.compile(r"[^\w\s]")


def key_match(asked: str, name: str) -> float:
    """1 when ``name`` shows the asked glyph, 0.95 when it shows another form of the same key
    ("÷" for "divide" or "/", "sqrt" for "root"), else 0."""
    key = asked_key(asked)
    if key is None or shown_key(name) != key:
        return 0.0
    return 1.0 if fold(asked) == fold(name) else 0.95


def verbatim(asked: str, name: str) -> float:
    """0.9..1 when the asked text holds symbols and ``name`` shows it exactly so
    ("{ Carousel }" in a line of code), else 0: the symbols are part of what was asked."""
    a, n = (" ".join(t.casefold().split()) for t in (asked, name))
    if not _SYMBOL.search(a) or not compact(a) or a not in n:
        return 0.0
    return 0.9 + 0.1 * len(a) / len(n)


def _role_pool(screen: Screen, role: str) -> Scored:
    """Elements that can be the role (weight 1), others as a fallback (weight 0.85)."""
    kinds = ROLES.get(role, ())
    pool: Scored = []
    for e in screen.elements:
        if e.kind in NON_TARGETS and role not in ("item", "row", "entry"):
            continue
        fits = not kinds or e.kind in kinds or (role == "button" and bool(e.clickable))
        pool.append((e, 1.0 if fits else _fallback(role, e)))
    return pool


def _fallback(role: str, e: Element) -> float:
    """The weight of an element the role does not name; words are a poor answer to
    "the X icon" (a menu or caption often shares the icon's name)."""
    return 0.75 if role == "icon" and e.kind == "text" else 0.85


def _by_text(screen: Screen, q: Query, pool: Scored, min_score: float,
             stack: bool = True) -> Target:
    strict = q.quoted and q.role != "icon"  # an icon shows no text: quotes only name it
    asked = [(q.text, 1.0)] if strict else variants(q.text)
    if not q.ordinal and stack:
        kinds = ROLES.get(q.role, ())
        pool = pool + [(e, 1.0 if not kinds or "text" in kinds else 0.85)
                       for e in stacked(screen)]
    scored = sorted(((e, _scored(e, asked, q) * w) for e, w in pool), key=_rank)
    best = scored[0][1] if scored else 0.0
    min_score = max(min_score, QUOTED_MIN) if strict else min_score
    if best < min_score:
        if q.ordinal and not q.quoted:  # "the second contact": a noun for list entries
            role = q.role or "item"
            return _by_place(screen, Query(role=role, ordinal=q.ordinal, position=q.position),
                             _role_pool(screen, role))
        prior = _icon_by_convention(screen, q.text, min_score)
        if prior is not None:
            return prior
        only = [(e, w) for e, w in pool if w == 1.0] if q.role in _SPECIFIC_ROLES else []
        if len(only) == 1:  # "the search box" when there is exactly one input
            return _hit(only[0][0], min_score, "", f"the only {q.role} on the screen")
        return _not_found(f"no element matches {q.text!r} well enough", scored)
    good = [(e, s) for e, s in scored if s >= max(min_score, best - NEAR_BEST)]
    target = _pick(screen, q, good, q.text)
    return _to_switch(screen, target) if q.toggle else target


def _scored(e: Element, asked: list[tuple[str, float]], q: Query) -> float:
    """An element's match; a little more for a classifier's label that holds every asked
    word, so "arrow down" beats a label that only means it ("expand") for "the Down icon"."""
    score = name_score(e, asked)
    if 0 < score < 1 and e.source in ("proposal", "detector") and e.label and set(
            normalize(q.text).split()) <= set(normalize(e.label).split()):
        score += WORDS_SHOWN
    return score + (_same_case(e, q.text) if q.quoted else 0)


def stacked(screen: Screen) -> list[Element]:
    """Two read lines that make one label ("REFRESHING" over "DRINKS"), as one element:
    the lower starts right under the upper, as tall, aligned left or centred."""
    lines = sorted((e for e in screen.elements if e.source == "ocr" and e.kind == "text"),
                   key=lambda e: e.box.y1)
    out = []
    for i, a in enumerate(lines):
        h = a.box.height
        for b in lines[i + 1:]:
            if b.box.y1 > a.box.y2 + 0.75 * h:
                break
            if _under(a, b) and not _rows_of_list(a, b, lines):
                box = Box(min(a.box.x1, b.box.x1), a.box.y1, max(a.box.x2, b.box.x2), b.box.y2)
                out.append(Element(a.id, box, "text", f"{a.text} {b.text}",
                                   confidence=min(a.confidence, b.confidence), source="ocr"))
    return out


def _rows_of_list(a: Element, b: Element, lines: list[Element]) -> bool:
    """Whether ``b`` under ``a`` continues into a third line above or below at about the
    same pitch: rows of a menu or a list ("Preferences" over "Keyboard Shortcuts"), each
    an entry of its own, not the two lines of one label."""
    pitch = b.box.y1 - a.box.y1
    return any(c is not a and c is not b and (
        (_under(b, c) and c.box.y1 - b.box.y1 <= 1.3 * pitch)
        or (_under(c, a) and a.box.y1 - c.box.y1 <= 1.3 * pitch)) for c in lines)


def _under(a: Element, b: Element) -> bool:
    h = a.box.height
    return (b.box.y1 >= a.box.y2 - 0.2 * h and 0.7 * h <= b.box.height <= 1.4 * h
            and (abs(a.box.x1 - b.box.x1) < 0.5 * h or abs(a.center.x - b.center.x) < 0.5 * h))


def _to_switch(screen: Screen, target: Target) -> Target:
    """For "turn on X": the switch or checkbox on X's row, when X itself is not one."""
    e = target.element
    if e is None or e.kind in ("toggle", "checkbox"):
        return target
    row = [s for s in screen.elements if s.kind in ("toggle", "checkbox")
           and min(s.box.y2, e.box.y2) - max(s.box.y1, e.box.y1) > 0.5 * min(s.box.height,
                                                                           e.box.height)]
    if not row:
        return target
    s = min(row, key=lambda s: abs(s.center.x - e.center.x))
    return _hit(s, target.score, "", f"the switch of {e.describe()}")


# Where apps put the icons that usually carry no text: (x fraction, which end wins).
_CONVENTIONS = {"back": (0.25, "left"), "menu": (0.25, "left"), "more": (0.75, "right")}


def _icon_by_convention(screen: Screen, text: str, min_score: float) -> Target | None:
    """An icon without a name of its own (none, or only a classifier's guess) in the app bar
    where "back"/"menu" (top left) or "more" (top right) sit by convention; used only when
    nothing on the screen is named like that."""
    names = {alt for alt, _ in variants(text)} & set(_CONVENTIONS)
    if len({_CONVENTIONS[n] for n in names}) != 1:  # "navigate up": back or menu, both top left
        return None
    name = min(names)
    limit, end = _CONVENTIONS[name]
    g = screen.geometry
    bar = [e for e in screen.elements if e.kind in ("icon", "image", "button")
           and not e.text and (not e.label or e.source in ("proposal", "detector"))
           and e.center.y < 0.12 * g.height
           and (g.width > g.height or e.center.y > 0.035 * g.height)  # below a phone's status bar
           and (e.center.x < limit * g.width if end == "left" else e.center.x > limit * g.width)]
    if not bar:
        return None
    e = min(bar, key=lambda e: e.center.x if end == "left" else -e.center.x)
    return _hit(e, min_score, "", f"an unnamed icon where {name!r} usually is (top {end})")


def _same_case(e: Element, text: str) -> float:
    """Text written exactly as on screen ("OFF", not "Off"; "Otto", not "otto") wins a tie."""
    return 0.01 if text in (e.text, e.label) else 0.0


_ELLIPSIS = re.compile(r"(?:\.\.+|…)\s*$")


def _same_ellipsis(e: Element, text: str) -> float:
    """"Format..." (opens a dialog) over the menu "Format" when the ellipsis was asked."""
    return 0.01 if _ELLIPSIS.search(text) and _ELLIPSIS.search(e.text) else 0.0


def _rank(item: tuple[Element, float]) -> tuple[float, float, int, int]:
    e, s = item  # ties: the more confident, then the tighter box, then reading order
    return (-round(s, 3), -e.confidence, e.box.area, e.id)


def _pick(screen: Screen, q: Query, good: Scored, text: str = "") -> Target:
    """Choose among equally good matches by ordinal or position; else the best one."""
    if q.ordinal:
        ordered = sorted(good, key=lambda es: es[0].id)
        if abs(q.ordinal) > len(ordered) or q.ordinal == 0:
            return _not_found(f"asked for #{q.ordinal} but only {len(ordered)} match", good)
        e, s = ordered[q.ordinal - 1 if q.ordinal > 0 else q.ordinal]
        return _hit(e, s, text, f"#{q.ordinal} of {len(ordered)}")
    if q.position:
        return _at_place(screen, good, q.position, text)
    if q.container is not None and q.container.kind == "title bar":
        good = title_bar_first(good)
    good = _in_pair_order(by_shape(screen, good, text), text)
    e, s = good[0]
    return _hit(e, s, text, "best match" + (f" of {len(good)} similar" if len(good) > 1 else ""))


def _by_place(screen: Screen, q: Query, pool: Scored) -> Target:
    """No text: the role, ordinal and position decide (e.g. 'the second contact')."""
    fitting = [(e, w) for e, w in pool if w == 1.0]
    if not fitting and q.role in ("button", "link", "tab"):  # pixels only: a button is its label
        fitting = [(e, w) for e, w in pool if e.kind in ("text", "icon")]
    if q.role in ("item", "row", "entry") or (not q.role and q.ordinal):
        fitting = _list_entries(fitting or pool)
    if not fitting:
        return _not_found(f"no {q.role or 'element'} on the screen", pool)
    if not (q.ordinal or q.position) and len(fitting) > 1:  # any pick would be a guess
        return _not_found(f"{len(fitting)} elements can be the {q.role or 'element'}; say "
                          "which by its text, an ordinal or a position", fitting)
    return _pick(screen, q, [(e, 0.8) for e, _ in fitting])


def _list_entries(pool: Scored) -> Scored:
    """List entries in reading order: tree rows plus the main text column, where a title
    and the summary stacked right under it count as one entry."""
    rows = [(e, w) for e, w in pool if e.kind == "list_item"]
    texts = [(e, w) for e, w in pool if e.kind in ("text", "button") and e.text
             and not any(r.box.contains(e.center) for r, _ in rows)]
    columns: dict[int, Scored] = {}
    for e, w in texts:
        key = next((k for k in columns if abs(k - e.box.x1) <= 12), e.box.x1)
        columns.setdefault(key, []).append((e, w))
    column = [es for c in columns.values() if len(c) >= 2 for es in c]
    if rows:  # a title above the first tree row is a header, not an entry
        top = min(r.box.y1 for r, _ in rows)
        column = [(e, w) for e, w in column if e.center.y > top]
    entries: Scored = []
    for e, w in sorted(rows + column, key=lambda es: es[0].box.y1):
        last = entries[-1][0] if entries else None
        if last is not None and e.kind != "list_item" and last.kind != "list_item" \
                and e.box.y1 - last.box.y2 < 0.25 * last.box.height:
            continue  # a summary line under its title
        entries.append((e, w))
    return entries


def _at_place(screen: Screen, good: Scored, pos: tuple[float | None, float | None],
              text: str) -> Target:
    """The best match in the asked part of the screen (its thirds: "top left", "middle
    right"), the closer to the asked edge among equals; the place narrows the matches, it
    does not outrank the name. With none there, the match closest to the place."""
    inside = [(e, s) for e, s in good if _in_part(screen, e, pos)]
    if not inside:
        e, s = min(good, key=lambda es: _distance(screen, es[0], pos))
        return _hit(e, s, text, "closest to the asked position")
    top = max(s for _, s in inside)
    ties = sorted((es for es in inside if es[1] >= top - 0.02),
                  key=lambda es: _distance(screen, es[0], pos))
    e, s = _in_pair_order(ties, text)[0]
    return _hit(e, s, text, "best match in the asked part of the screen")


def by_shape(screen: Screen, good: Scored, text: str) -> Scored:
    """Equally good single glyphs for one asked character ("0" read for 0, O and o in a
    character table) in the order their ink fits the asked one (``grounding.glyphs``)."""
    if len(text.strip()) != 1 or len(good) < 2:
        return good
    ties = [e for e, s in good if s >= good[0][1] - 0.005]
    if len(ties) < 2:
        return good
    score = {id(e): s for e, s in good}
    ordered = shape_order(screen.image, text, ties)
    return [(e, score[id(e)]) for e in ordered] + good[len(ties):]


def _in_pair_order(good: Scored, text: str) -> Scored:
    """Equally good matches that all lack the asked direction word ("sort", "sort" for
    "Sort Descending"): the first of an ordered pair is the one left of (or above) the
    other, the second the one after it (``ordered_pairs`` in ``phrases.yaml``)."""
    order = pair_order(text)
    ties = [es for es in good if es[1] >= good[0][1] - 0.005] if good else []
    if not order or len(ties) < 2 or any(_names_all(es[0], text) for es in ties):
        return good
    ties.sort(key=lambda es: (es[0].center.x + es[0].center.y) * order)
    return ties + [es for es in good if es not in ties]


def _names_all(e: Element, text: str) -> bool:
    """Whether the element's own name holds every asked word (then its name decides)."""
    return set(normalize(text).split()) <= set(normalize(f"{e.text} {e.label}").split())


def _in_part(screen: Screen, e: Element, pos: tuple[float | None, float | None]) -> bool:
    """Whether ``e``'s center lies in the third of the screen each asked coordinate names."""
    g = screen.geometry
    return _in_third(e.center.x / g.width, pos[0]) and _in_third(e.center.y / g.height, pos[1])


def _in_third(c: float, f: float | None) -> bool:
    """``c`` (0..1) lies in the third that ``f`` names: 0 the first, 0.5 the middle, 1 the last."""
    return f is None or (abs(c - f) <= 1 / 6 if f == 0.5 else abs(c - f) < 1 / 3)


def _distance(screen: Screen, e: Element, pos: tuple[float | None, float | None]) -> float:
    g = screen.geometry
    fx = pos[0] if pos[0] is not None else e.center.x / g.width
    fy = pos[1] if pos[1] is not None else e.center.y / g.height
    return ((e.center.x / g.width - fx) ** 2 + (e.center.y / g.height - fy) ** 2) ** 0.5


def _relative_to_any(screen: Screen, q: Query, anchor: Target) -> Target:
    """The target beside the anchor; when several elements carry the anchor's name (the
    "Find" icon and a "Search" menu), the pair that sits closest, the cost of each
    weighed by how well the anchor matches its words."""
    assert anchor.element is not None and q.anchor is not None
    options = [(anchor.element, max(anchor.score, MIN_SCORE))]
    if q.anchor.text and not q.anchor.ordinal:
        asked = [(q.anchor.text, 1.0)] if q.anchor.quoted else variants(q.anchor.text)
        others = [(e, s) for e in screen.elements if e.kind not in NON_TARGETS
                  and e is not anchor.element and (s := name_score(e, asked)) >= MIN_SCORE]
        options += sorted(others, key=_rank)[:ANCHORS - 1]
    found = [(t, cost / a_score) for a, a_score in options
             for t, cost in [_relative(screen, q, a)] if t.found]
    return min(found, key=lambda tc: tc[1])[0] if found else _relative(screen, q,
                                                                       anchor.element)[0]


def _relative(screen: Screen, q: Query, anchor: Element) -> tuple[Target, float]:
    """The role/text element in the asked direction of the anchor, nearest first, and its
    cost (distance over match)."""
    pool = [(e, w) for e, w in _role_pool(screen, q.role)
            if e.id != anchor.id and not e.box.contains(anchor.center)]
    if q.text:
        asked = variants(q.text)
        pool = [(e, w * name_score(e, asked)) for e, w in pool]
        pool = [(e, w) for e, w in pool if w >= MIN_SCORE]
    elif q.role and any(w == 1.0 for _, w in pool):
        pool = [(e, w) for e, w in pool if w == 1.0]
    elif not q.role:
        pool = [(e, w) for e, w in pool if e.kind != "text"]
    scored = [(e, w, _direction_cost(anchor, e, q.relation)) for e, w in pool]
    scored = [t for t in scored if t[2] is not None]
    if not scored:
        return _not_found(f"nothing {q.relation} {anchor.describe()}", [(anchor, 1.0)]), 0.0
    e, w, cost = min(scored, key=lambda t: (t[2] or 0.0) / t[1])
    return _hit(e, w, "", f"{q.relation} {anchor.describe()}"), (cost or 0.0) / w


def _direction_cost(a: Element, e: Element, relation: str) -> float | None:
    """Distance from anchor to candidate along the relation; None when in the wrong direction."""
    dx, dy = e.center.x - a.center.x, e.center.y - a.center.y
    same_row = min(a.box.y2, e.box.y2) - max(a.box.y1, e.box.y1) > 0
    same_col = min(a.box.x2, e.box.x2) - max(a.box.x1, e.box.x1) > 0
    if relation == "right":
        return dx + 3 * abs(dy) if dx > 0 else None
    if relation == "left":
        return -dx + 3 * abs(dy) if dx < 0 else None
    if relation == "below":
        return dy + 3 * abs(dx) if dy > 0 else None
    if relation == "above":
        return -dy + 3 * abs(dx) if dy < 0 else None
    gap = abs(dx) + 2 * abs(dy)
    return gap * (0.5 if same_row or same_col else 1.0)


def _hit(e: Element, score: float, text: str, why: str) -> Target:
    return Target(True, _point(e, text), e, round(score, 3), f"{e.describe()}: {why}")


def _point(e: Element, text: str) -> PixelPoint:
    """The element's center; for an OCR phrase holding more than the asked text, the
    part where the asked text sits (character widths: CJK 2, space 0.6, others 1)."""
    raw, part = e.text.casefold(), text.casefold().strip()
    if e.source != "ocr" or not part or part == raw:
        return e.center
    start, end = _span(raw, part)
    if start < 0:  # OCR spacing or punctuation differs: locate it without them
        raw, part = compact(e.text), compact(text)
        start, end = _span(raw, part) if part and part != raw else (-1, -1)
    if start < 0:
        return e.center
    widths = [2.0 if has_cjk(c) else 0.6 if c.isspace() else 1.0 for c in raw]
    mid = sum(widths[:start]) + sum(widths[start:end]) / 2
    return PixelPoint(e.box.x1 + round(e.box.width * mid / sum(widths)), e.center.y)


def _span(raw: str, part: str) -> tuple[int, int]:
    """Where ``part`` sits in ``raw``: exactly, else where most of its characters line up
    (OCR misread one: "Splittr" for "Splitter"); (-1, -1) when it does not."""
    start = raw.find(part)
    if start >= 0:
        return start, start + len(part)
    blocks = [b for b in SequenceMatcher(None, raw, part, autojunk=False).get_matching_blocks()
              if b.size]
    if not blocks or sum(b.size for b in blocks) < 0.75 * len(part):
        return -1, -1
    start, end = blocks[0].a, blocks[-1].a + blocks[-1].size
    return (start, end) if end - start <= 1.5 * len(part) else (-1, -1)


def _not_found(reason: str, scored: Scored) -> Target:
    top = sorted(scored, key=_rank)[:5]
    if top:
        reason += "; closest: " + ", ".join(f"{e.describe()} {s:.2f}" for e, s in top[:3])
    return Target(False, reason=reason, candidates=top, score=top[0][1] if top else 0.0)
