"""The grounding language's YAML tables (keys, phrases, synonyms, icon names), read through a
cache of their parsed form.

Importing the YAML parser and parsing the tables costs a one-shot ``guiagent ground`` ~25 ms
of its ~0.9 s; a parsed table kept as ``marshal`` data under the user cache dir
(``<cache>/guiagent/tables``) loads in microseconds. An entry is keyed by the file's content
and this Python's marshal format, written beside its place and renamed in (a reader never
sees half a file); writing one removes that table's older entries. No usable cache dir (a
read-only home): the table is parsed every time.
"""

from __future__ import annotations

import glob
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from grounding.errors import GroundingError


def load(path: Path) -> Any:
    """The parsed content of the YAML file ``path``; GroundingError when it is not YAML."""
    text = path.read_bytes()
    entry = _entry(path, text)
    if entry is not None:
        try:
            return marshal.loads(entry.read_bytes())
        except FileNotFoundError:
            pass
        except (EOFError, ValueError, TypeError):   # a damaged entry: parse again
            entry.unlink(missing_ok=True)
    value = _parse(path, text)
    if entry is not None:
        _save(entry, value)
    return value


def _parse(path: Path, text: bytes) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when built with it
    try:
        return yaml.load(text.decode("utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise GroundingError(f"{path.name} is not valid YAML: {exc}") from exc


def _entry(path: Path, text: bytes) -> Path | None:
    """Where the parsed ``path`` is kept (``<stem>-<location>-<key>.marshal``); None when the
    cache dir cannot be made or written."""
    import platformdirs

    folder = Path(platformdirs.user_cache_dir("guiagent")) / "tables"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    place = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    key = hashlib.sha256(text + sys.implementation.cache_tag.encode()).hexdigest()[:16]
    return folder / f"{path.stem}-{place}-{key}.marshal"


def _save(entry: Path, value: Any) -> None:
    """Write ``entry`` atomically, then remove the same table's entries under other keys."""
    try:
        data = marshal.dumps(value)
    except ValueError:   # a value marshal cannot hold (a date): parsed each time
        return
    tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, entry)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    prune(entry)


def prune(entry: Path) -> None:
    """Remove the entries of the same table file that ``entry`` replaces (an earlier content
    or Python); never another table's, nor another installation's."""
    stem, place, _ = entry.stem.rsplit("-", 2)
    for old in entry.parent.glob(f"{glob.escape(stem)}-{place}-*.marshal"):
        if old != entry and old.stem.rsplit("-", 2)[0] == stem:
            old.unlink(missing_ok=True)
