"""Instruction -> a structured query: the words to match, a role, an ordinal, a position,
a relation to an anchor, a container to look in. English phrasing; the matched text itself
may be in any script. Symbols are targets ("click +"); the tables of key names, container
nouns and window-control words are data (``keys.yaml``, ``phrases.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grounding import tables
from grounding.names import (
    asked_key,
    container_nouns,
    has_opposite,
    is_key_name,
    phrases,
    shown_key,
    window_verbs,
)
from grounding.text import normalize

# Opening quote -> the marks that close it; other quotes may sit inside ("以“橙”为媒").
_PAIRS = {'"': '"', "“": "”\"", "„": "“”\"", "«": "»", "「": "」", "『": "』", "‘": "’"}
# The quoted part never holds its own opening mark: each match scans to the next mark only,
# so a target of many unclosed quotes (a model's reply) is read in linear time.
_QUOTED = re.compile("|".join([*(f"{re.escape(o)}([^{c}{o}]+)[{c}]" for o, c in _PAIRS.items()),
                               r"(?<!\w)'([^']+)'(?!\w)"]))
_VERBS = re.compile(r"^(?:please\s+)?(?:(?:double|long)[\s-]?(?:tap|click|press)|tap|click|press|"
                    r"hit|touch|select|choose|pick|activate|open|toggle|turn on|turn off|enable|"
                    r"disable|check|"
                    r"uncheck|tick|untick|type(?:\s.+?)?\s(?:in|into)|enter(?:\s.+?)?\s(?:in|into)|"
                    r"go to|switch to|change to|find|locate|focus|point at|scroll to|switch on|"
                    r"switch off|(?:show|display)(?=\s+the\b))\b\s*", re.I)
_TOGGLE = re.compile(r"^(?:please\s+)?(?:turn|switch)\s+(?:on|off)\b|^(?:please\s+)?(?:enable|"
                     r"disable|toggle|check|uncheck|tick|untick)\b", re.I)
_CJK_VERBS = re.compile(r"^(?:请)?(?:点击|单击|双击|长按|轻触|打开|选择|按下|按|进入|找到)\s*")
_FILLER = {"the", "a", "an", "on", "at", "in", "of", "to", "that", "which", "is", "says",
           "labelled", "labeled", "called", "named", "with", "text", "option", "entry",
           "field's", "please", "one"}
_NOUN_FILLER = {"text", "option", "entry"}   # capitalised, a name: "Text at the top right"
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7,
            "eighth": 8, "8th": 8, "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": -1,
            "second last": -2, "second-to-last": -2}
# role word -> element kinds it may be
ROLES: dict[str, tuple[str, ...]] = {
    "button": ("button", "icon", "list_item"), "icon": ("icon", "image", "button"),
    "switch": ("toggle",), "toggle": ("toggle",), "checkbox": ("checkbox",),
    "check box": ("checkbox",), "radio button": ("checkbox",), "tab": ("tab", "text", "button"),
    "search box": ("input",), "search bar": ("input",), "search field": ("input",),
    "text field": ("input",), "text box": ("input",), "input": ("input",), "field": ("input",),
    "box": ("input", "checkbox"), "edit box": ("input",), "slider": ("slider",),
    "image": ("image", "icon"),
    "picture": ("image",), "photo": ("image",), "link": ("text", "button"),
    "item": ("list_item", "text"), "row": ("list_item", "text"), "entry": ("list_item", "text"),
    "key": ("button", "text", "icon"),
    "menu": ("text", "button", "list_item", "icon"), "menu item": ("text", "list_item", "button"),
}
_POSITIONS = {"top": (None, 0.0), "bottom": (None, 1.0), "left": (0.0, None),
              "right": (1.0, None), "middle": (0.5, 0.5), "center": (0.5, 0.5),
              "centre": (0.5, 0.5), "upper": (None, 0.0), "lower": (None, 1.0)}
_RELATIONS = {"next to": "near", "beside": "near", "near": "near",
              "right of": "right", "to the right of": "right", "left of": "left",
              "to the left of": "left", "below": "below", "under": "below",
              "underneath": "below", "above": "above"}


@dataclass(frozen=True, slots=True)
class Container:
    """Where an instruction says to look, apart from the target's own text.

    ``kind`` is one of the kinds in ``phrases.yaml`` (``menu``, ``menu bar``, ``toolbar``,
    ``column header``, ``list``, ``dialog``, ``keypad``, ``title bar``) or ``next to``;
    ``text`` names it ("File" in "Save As in the File menu"; "" for "in the menu bar").
    """

    kind: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    """What an instruction asks for, before looking at the screen."""

    text: str = ""                       # words to match against element names
    quoted: bool = False                 # the text was quoted: match it closely
    role: str = ""                       # a key of ROLES
    ordinal: int = 0                     # 1-based; negative counts from the end; 0 none
    position: tuple[float | None, float | None] | None = None  # fractions of the screen
    relation: str = ""                   # near/right/left/below/above
    anchor: Query | None = None          # what the relation refers to
    toggle: bool = False                 # "turn on/off", "enable": aim at the row's switch
    container: Container | None = None   # "in the File menu": where to look (see Container)


@cache
def synonyms() -> dict[str, set[str]]:
    """Each word -> the set of words interchangeable with it (from synonyms.yaml, and the
    icon classifier's aliases: what people call each icon label)."""
    table: dict[str, set[str]] = {}
    for path in ("synonyms.yaml", "models/icons.aliases.yaml"):
        raw = tables.load(Path(__file__).parent / path) or {}
        for key, aliases in raw.items():
            group = {normalize(str(key).replace("_", " ")), *(normalize(str(a)) for a in aliases)}
            for word in group:
                table.setdefault(word, set()).update(group)
    return table


# A sentence's stop, not a "." key nor the ellipsis of a label ("click Format...").
_END = re.compile(r"(?<=[\w'\"”’»」』])(?:\.|[!?]+)$")


def _stop(instruction: str) -> str:
    """The instruction without a sentence's closing stop ("press ." keeps its dot)."""
    return _END.sub("", instruction.strip())


def strip_verb(instruction: str) -> str:
    """The instruction without its leading verb ("tap", "click", "点击"...)."""
    text = _stop(instruction)
    return _CJK_VERBS.sub("", _VERBS.sub("", text, count=1), count=1).strip()


def parse(instruction: str, ordinals: bool = True) -> Query:
    """Parse an instruction such as 'tap the switch next to "Wi-Fi"'; ``ordinals=False``
    reads "first"/"second" as plain words ("First to Tip")."""
    text = _stop(instruction)
    window = window_control(text)
    if window is not None:
        return window
    toggle = bool(_TOGGLE.match(text))
    text, container = take_container(strip_verb(text))
    unquoted = _QUOTED.sub(lambda m: "\0" * len(m.group(0)), text)  # relations outside quotes
    for phrase, rel in sorted(_RELATIONS.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"\b{re.escape(phrase)}\b", unquoted, re.I)
        if m and m.start() > 0 and text[m.end():].strip():
            head = _parse_head(text[:m.start()], ordinals)
            anchor = _parse_head(text[m.end():], ordinals)
            near = container or Container("next to", anchor.text) if rel == "near" else container
            return Query(head.text, head.quoted, head.role, head.ordinal, head.position,
                         rel, anchor, toggle, near)
    head = _parse_head(text, ordinals)
    return Query(head.text, head.quoted, head.role, head.ordinal, head.position, toggle=toggle,
                 container=container)


def window_control(text: str) -> Query | None:
    """"close the window", "minimise it", "the maximise button": the title bar's control."""
    words = normalize(re.sub(r"^(?:please\s+)", "", text, flags=re.I)).split()
    table, objects = window_verbs(), {normalize(o) for o in phrases()["window_objects"]}
    nouns = {normalize(n) for n in phrases()["window_nouns"]}
    control = table.get(words[0]) if words else None
    rest = " ".join(words[1:])
    if control is not None and (rest in objects or (not rest and words[0] in nouns)):
        return Query(control, role="button", container=Container("title bar"))
    plain = [w for w in normalize(strip_verb(text)).split()
             if w not in ("the", "window", "window's", "button", "icon", "control")]
    if len(plain) == 1 and plain[0] in nouns:
        return Query(table[plain[0]], role="button", container=Container("title bar"))
    return None


@cache
def _container_re() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(trailing "... in the File menu", leading "in the File menu, ...", whole "the
    Tools menu") patterns over the container nouns and joins of ``phrases.yaml``."""
    nouns = "|".join(re.escape(n).replace("\\ ", r"[\s-]+") for n, _ in container_nouns())
    joins = "|".join(re.escape(j) for j in phrases()["joins"])
    name = r"(?P<name>(?:[^\s,;]+\s+){0,4}?)"
    return (re.compile(rf"\s+(?:{joins})\s+{name}(?P<noun>{nouns})s?$", re.I),
            re.compile(rf"^(?:{joins})\s+{name}(?P<noun>{nouns})s?\s*[,;:]?\s*(?:then\s+)?",
                       re.I),
            re.compile(rf"^{name}(?P<noun>{nouns})s?$", re.I))


def take_container(text: str) -> tuple[str, Container | None]:
    """The text without its container phrase, and the container it names."""
    does = _DOES.match(text.strip())
    if does is not None:  # "the button that does heading": the container is looked for
        what, container = take_container(does.group("what"))  # in what it does only
        return text.strip()[:does.start("what")] + what, container
    trailing, leading, whole = _container_re()
    masked = _QUOTED.sub(lambda m: "\0" * len(m.group(0)), text)
    for pattern, part in ((trailing, "before"), (leading, "after"), (whole, "name")):
        m = pattern.search(masked)
        if m is None:
            continue
        kind = dict(container_nouns())[normalize(m.group("noun"))]
        name = _container_name(text[m.start("name"):m.end("name")])
        if part == "name":  # "open the Tools menu": Tools is the target, in the menu bar
            if kind not in ("menu", "column header") or not name:
                continue
            return name, Container("menu bar" if kind == "menu" else kind)
        rest = text[:m.start()] if part == "before" else strip_verb(text[m.end():])
        noun = normalize(m.group("noun"))
        if rest.strip():  # "in the sidebar": the noun names which list
            return rest.strip(), Container(kind, name or (noun if noun != kind else ""))
    return text, None


def _container_name(words: str) -> str:
    filler = {normalize(w) for w in phrases()["container_filler"]}
    kept = [w for w in words.split() if normalize(w) not in filler]
    return " ".join(kept).strip("'\"“”‘’")


def _parse_head(text: str, ordinals: bool = True) -> Query:
    shown = _NAMED.match(text.strip())
    if shown:  # "click on the text Row 3": what follows is the shown text, role words included
        return Query(shown.group("name").strip(" '\"“”‘’"), True)
    text, role_asked = _does(text)
    text, at = _take_at(text)
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    rest = _QUOTED.sub(" ", text) if quoted else text
    key = _key_phrase(rest)
    if key and not quoted:  # "delete the last digit", "plus/minus": a key's spoken name
        return Query(key, False, "key")
    rest, cjk_ordinal, cjk_position, cjk_role = _take_cjk(rest)
    words = _words(rest)
    named = _capitalised(rest, set(_POSITIONS) | set(ORDINALS))
    ordinal, words = _take_ordinal(words) if ordinals and not named & set(ORDINALS) else (
        0, words)
    position, words = (at, words) if at else _take_position(words, named)
    role, words = _take_role(words) if role_asked is None else (role_asked, words)
    ordinal, position, role = ordinal or cjk_ordinal, position or cjk_position, role or cjk_role
    if quoted:
        return Query(" ".join(quoted).strip(), True, role, ordinal, position)
    remaining = [w for i, w in enumerate(words) if w not in _FILLER
                 or (0 < i == len(words) - 1 and _ends_name(w, words[i - 1]))]
    if role in ("key", "button") or any(shown_key(w) is not None for w in remaining):
        remaining = [w for w in remaining if w not in _KEY_WORDS] or remaining
    if not remaining and not ordinal:  # "press center", "click Row": the only word is a name
        remaining = _bare_name(words, role, position, rest)
        position = None if remaining and not role and not set(remaining) <= _NOUN_FILLER \
            else position
    return Query(" ".join(remaining), False, role, ordinal, position)


# "the text X", "the word X", "the label X": X is the shown text, whatever words it holds.
_NAMED = re.compile(r"^(?:on\s+)?(?:the\s+)?(?:text|word|words|label|caption)\s+"
                    r"(?!(?:field|box|area|input|entry|editor|view|bar)s?\b)"
                    r"(?!(?:at|in|on|near|next|beside|above|below|under|left|right)\b)"
                    r"(?P<name>\S.*)$",
                    re.I)
# "the button that does save/restore session": a role, then what the control does.
_DOES = re.compile(r"^(?:the\s+|a\s+)?(?P<role>button|icon|key|control|tool|one|thing)s?\s+"
                   r"(?:that|which)\s+(?:does|do|will|can|lets you|is for|is used to|"
                   r"is used for)\s+(?P<what>\S.*)$", re.I)


def _does(text: str) -> tuple[str, str | None]:
    """("save/restore session", "button") for "the button that does save/restore session";
    ``text`` and None when the phrase is not of that shape."""
    m = _DOES.match(text.strip())
    if m is None:
        return text, None
    role = normalize(m.group("role"))
    return m.group("what"), role if role in ROLES else ""


_POSITION_WORDS = r"(?:top|bottom|left|right|middle|center|centre|upper|lower)"
# "Middle at the top left": a trailing place phrase holds the position, the rest is the name.
_AT = re.compile(rf"\s+(?:at|in|on|towards?)\s+(?:the\s+)?(?:very\s+)?(?P<where>"
                 rf"{_POSITION_WORDS}(?:[\s-]+{_POSITION_WORDS})*)(?:\s+(?:corner|side|edge|"
                 r"part|half|area))?(?:\s+of\s+(?:the\s+)?(?:screen|window|page))?\s*$", re.I)


def _take_at(text: str) -> tuple[str, tuple[float | None, float | None] | None]:
    """The text without a trailing place phrase ("at the top left") and the place."""
    m = _AT.search(text)
    if m is None or not text[:m.start()].strip():
        return text, None
    position, _ = _take_position(normalize(m.group("where")).split())
    return text[:m.start()], position


def _bare_name(words: list[str], role: str, position: tuple[float | None, float | None] | None,
               rest: str) -> list[str]:
    """The words to match when the parse left none: lone place words ("press center"), a
    filler noun written as a name ("Text at the middle right") or a lone role word
    written as a name ("click Row", "click Tabs") are the target's name;
    nothing for a role alone ("tick the box") or a place said as one ("the top left corner")."""
    said = [w for w in normalize(rest).split() if w not in _FILLER] or [
        normalize(w) for w in rest.split() if w[:1].isupper() and normalize(w) in _NOUN_FILLER]
    if position is not None and not role and not any(w in _PLACE_FRAME for w in said):
        return said
    capital = re.search(rf"\b{re.escape(role)}", rest, re.I)
    if role and position is None and capital and capital.group(0)[0].isupper() \
            and re.fullmatch(rf"{re.escape(role)}(?:es|s)?", " ".join(said)):
        return said
    return []


def _ends_name(word: str, before: str) -> bool:
    """A filler word that ends a name after one of its words: "Zoom In", "Sign in" (it has
    an opposite), "Jump to", "Send to" (a preposition with nothing after it)."""
    return before not in _FILLER and (has_opposite(word) or word in ("to", "on", "in", "at",
                                                                     "of", "with"))


_KEY_WORDS = {"letter", "digit", "symbol", "sign", "glyph", "character", "number"}


def _key_phrase(text: str) -> str:
    """``text`` as a key's spoken name, once words that frame a key are dropped."""
    frame = {normalize(w) for w in phrases()["key_words"]} | _FILLER
    words = normalize(text).split()
    for phrase in (" ".join(words), " ".join(w for w in words if w not in frame)):
        if len(phrase.split()) > 1 and is_key_name(phrase):
            return phrase
    return ""


def _words(text: str) -> list[str]:
    """Normalized words; a token of symbols ("+", "<-", "1/x", "M+") is kept as written."""
    out: list[str] = []
    for token in text.split():
        bare = token.strip(",;")
        symbolic = bool(re.search(r"[^\w\s]", bare)) and (
            not re.search(r"\w", bare) or asked_key(bare) is not None)
        out.extend([bare] if symbolic and bare else normalize(token).split())
    return out


_CJK_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
            "九": 9, "十": 10}
_CJK_ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]|\d+)\s*[个项条张位行]?|(最后一[个项条])")
_CJK_POSITIONS = {"左上角": (0.0, 0.0), "右上角": (1.0, 0.0), "左下角": (0.0, 1.0),
                  "右下角": (1.0, 1.0), "顶部": (None, 0.0), "底部": (None, 1.0),
                  "最上面": (None, 0.0), "最下面": (None, 1.0), "最左侧": (0.0, None),
                  "最右侧": (1.0, None), "最中间": (0.5, 0.5)}
_CJK_ROLES = {"搜索框": "search box", "输入框": "input", "复选框": "checkbox",
              "勾选框": "checkbox", "勾选按钮": "checkbox", "开关": "switch", "按钮": "button",
              "图标": "icon", "链接": "link", "图片": "image", "标签页": "tab"}
_CJK_FILLER = re.compile(r"的|区域|里面|中的|一种")


def _take_cjk(text: str) -> tuple[str, int, tuple[float | None, float | None] | None, str]:
    """Chinese ordinals (第二个), corners (右下角) and role words (按钮) out of ``text``."""
    ordinal, position, role = 0, None, ""
    m = _CJK_ORDINAL.search(text)
    if m:
        ordinal = -1 if m.group(2) else (_CJK_NUM.get(m.group(1)) or int(m.group(1)))
        text = text[:m.start()] + " " + text[m.end():]
    for word, pos in _CJK_POSITIONS.items():
        if word in text:
            position, text = pos, text.replace(word, " ")
            break
    for word, name in _CJK_ROLES.items():
        if word in text:
            role, text = name, text.replace(word, " " if name != "search box" else " 搜索 ")
            break
    if role or ordinal or position:
        text = _CJK_FILLER.sub(" ", text)
    return text, ordinal, position, role


def _take_ordinal(words: list[str]) -> tuple[int, list[str]]:
    joined = " ".join(words)
    for name, n in sorted(ORDINALS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(name)}\b", joined):
            return n, re.sub(rf"\b{re.escape(name)}\b", " ", joined).split()
    m = re.search(r"(?:number|no|#)\s*(\d+)", joined)
    if m:
        return int(m.group(1)), (joined[:m.start()] + joined[m.end():]).split()
    return 0, words


def _capitalised(text: str, words: set[str]) -> set[str]:
    """Which of ``words`` (places, ordinals) are written as part of a capitalised name
    ("Right to Left Document", "the First Page icon"): any capitalised one but the first
    word, which may start a sentence ("Top left button", "Bottom right Customer service
    button", "Second item")."""
    tokens = text.split()
    return {normalize(t) for t in tokens[1:] if t[:1].isupper() and normalize(t) in words}


def _take_position(words: list[str], names: set[str] | None = None) -> tuple[
        tuple[float | None, float | None] | None, list[str]]:
    """The place the words ask for, and the words without it; ``names`` are place words
    that belong to the target's name instead."""
    x: float | None = None
    y: float | None = None
    kept: list[str] = []
    for i, w in enumerate(words):
        if w in _POSITIONS and w not in (names or set()) and not (i and _names(words[i - 1])):
            px, py = _POSITIONS[w]
            x = px if px is not None else x
            y = py if py is not None else y
        else:
            kept.append(w)
    if x is None and y is None:  # "the Side-Pane icon": no place asked, the words are a name
        return None, words
    return (x, y), [w for w in kept if w not in _PLACE_FRAME]


def _names(word: str) -> bool:
    """Whether a place word right after ``word`` is part of a name ("align left", "zoom
    center"): a name's word, not a filler, a role noun or another place word."""
    return not (word in _FILLER or word in _POSITIONS or word in _PLACE_FRAME
                or word in ROLES or word.removesuffix("s") in ROLES or word in ORDINALS)


_PLACE_FRAME = {"corner", "side", "edge", "screen", "of", "half", "part", "hand", "from"}


def _take_role(words: list[str]) -> tuple[str, list[str]]:
    """The role noun; with several ("the Image icon"), the last is the head, the rest is text."""
    joined = " ".join(words)
    found = [(m.start(), m.end(), role) for role in ROLES
             for m in re.finditer(rf"\b{re.escape(role)}(?:es|s)?\b", joined)]
    if not found:
        return "", words
    start, end, role = max(found, key=lambda f: (f[0], f[1] - f[0]))
    start = min(f[0] for f in found if f[1] == end and f[0] <= start)  # longest phrase ending there
    role = next(f[2] for f in found if f[0] == start and f[1] == end)
    rest = (joined[:start] + " " + joined[end:]).split()
    if role in ("search box", "search bar", "search field"):
        rest = ["search", *rest]
    return role, rest
