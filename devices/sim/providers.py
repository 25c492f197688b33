"""`content query|insert|delete` over the phone's data, in Android's "Row: 0 a=1, b=2" format.

Providers: content://contacts/phones, content://com.android.contacts/contacts,
content://sms (and /sent, /inbox), content://com.android.deskclock/alarms,
content://com.example.notes/notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from devices.sim.state import Alarm, Contact, Message, Note, PhoneState

Row = dict[str, object]


class ContentError(Exception):
    """A bad URI, projection or selection; `content` prints it and exits non-zero."""


@dataclass(frozen=True, slots=True)
class Provider:
    rows: Callable[[PhoneState], list[Row]]
    insert: Callable[[PhoneState, dict[str, str]], None] | None = None
    delete: Callable[[PhoneState, set[int]], None] | None = None
    update: Callable[[PhoneState, set[int], dict[str, str]], None] | None = None


def _contact_rows(s: PhoneState) -> list[Row]:
    return [{"_id": c.id, "name": c.name, "number": c.number, "type": 2, "label": None,
             "person": c.id, "primary_email": c.email} for c in s.contacts]


def _contacts_rows(s: PhoneState) -> list[Row]:
    return [{"_id": c.id, "display_name": c.name, "has_phone_number": 1, "starred": 0}
            for c in s.contacts]


def _insert_contact(s: PhoneState, v: dict[str, str]) -> None:
    s.contacts.append(Contact(s.new_id(), v.get("name", v.get("display_name", "")),
                              v.get("number", ""), v.get("email", "")))


def _delete_contacts(s: PhoneState, ids: set[int]) -> None:
    s.contacts = [c for c in s.contacts if c.id not in ids]


def _update_contacts(s: PhoneState, ids: set[int], v: dict[str, str]) -> None:
    for c in s.contacts:
        if c.id in ids:
            c.name = v.get("name", c.name)
            c.number = v.get("number", c.number)


def _sms_rows(kind: int | None) -> Callable[[PhoneState], list[Row]]:
    def rows(s: PhoneState) -> list[Row]:
        ordered = sorted(s.messages, key=lambda m: m.date, reverse=True)
        threads: dict[str, int] = {}
        out: list[Row] = []
        for m in ordered:
            tid = threads.setdefault(_digits(m.address), len(threads) + 1)
            if kind is None or m.type == kind:
                out.append({"_id": m.id, "thread_id": tid, "address": m.address,
                            "person": None, "date": m.date, "date_sent": m.date if m.type == 1
                            else 0, "read": m.read, "status": -1, "type": m.type,
                            "body": m.body, "seen": 1})
        return out
    return rows


def _insert_sms(kind: int) -> Callable[[PhoneState, dict[str, str]], None]:
    def insert(s: PhoneState, v: dict[str, str]) -> None:
        date = int(v.get("date", max((m.date for m in s.messages), default=0) + 60_000))
        s.messages.append(Message(s.new_id(), v.get("address", ""), v.get("body", ""),
                                  int(v.get("type", kind)), date, int(v.get("read", 1))))
    return insert


def _delete_sms(s: PhoneState, ids: set[int]) -> None:
    s.messages = [m for m in s.messages if m.id not in ids]


def _alarm_rows(s: PhoneState) -> list[Row]:
    return [{"_id": a.id, "hour": a.hour, "minutes": a.minutes, "enabled": int(a.enabled),
             "label": a.label, "vibrate": 1, "daysofweek": 0} for a in s.alarms]


def _insert_alarm(s: PhoneState, v: dict[str, str]) -> None:
    s.alarms.append(Alarm(s.new_id(), int(v.get("hour", 0)), int(v.get("minutes", 0)),
                          v.get("enabled", "1") == "1", v.get("label", "")))


def _delete_alarms(s: PhoneState, ids: set[int]) -> None:
    s.alarms = [a for a in s.alarms if a.id not in ids]


def _update_alarms(s: PhoneState, ids: set[int], v: dict[str, str]) -> None:
    for a in s.alarms:
        if a.id in ids:
            a.enabled = v.get("enabled", "1" if a.enabled else "0") == "1"
            a.label = v.get("label", a.label)


def _note_rows(s: PhoneState) -> list[Row]:
    return [{"_id": n.id, "title": n.title, "body": n.body} for n in s.notes]


def _insert_note(s: PhoneState, v: dict[str, str]) -> None:
    s.notes.append(Note(s.new_id(), v.get("title", ""), v.get("body", "")))


def _delete_notes(s: PhoneState, ids: set[int]) -> None:
    s.notes = [n for n in s.notes if n.id not in ids]


PROVIDERS: dict[str, Provider] = {
    "content://contacts/phones": Provider(_contact_rows, _insert_contact, _delete_contacts,
                                          _update_contacts),
    "content://com.android.contacts/contacts": Provider(_contacts_rows, _insert_contact,
                                                        _delete_contacts),
    "content://sms": Provider(_sms_rows(None), _insert_sms(1), _delete_sms),
    "content://sms/inbox": Provider(_sms_rows(1), _insert_sms(1), _delete_sms),
    "content://sms/sent": Provider(_sms_rows(2), _insert_sms(2), _delete_sms),
    "content://com.android.deskclock/alarms": Provider(_alarm_rows, _insert_alarm,
                                                       _delete_alarms, _update_alarms),
    "content://com.example.notes/notes": Provider(_note_rows, _insert_note, _delete_notes),
}


def content(state: PhoneState, args: list[str]) -> str:
    """Run `content <verb> --uri U [--projection a:b] [--where W] [--bind k:t:v]...`."""
    if not args:
        raise ContentError("usage: content [query|insert|delete|update] --uri <URI> ...")
    verb, opts, binds = args[0], _opts(args[1:]), _binds(args[1:])
    uri = opts.get("--uri", "").rstrip("/")
    provider = PROVIDERS.get(uri)
    if provider is None:
        raise ContentError(f"java.lang.IllegalArgumentException: Unknown URI {uri or '(none)'}")
    rows = provider.rows(state)
    selected = [r for r in rows if _matches(r, opts.get("--where", ""))]
    if verb == "query":
        return _format(selected, opts.get("--projection"), opts.get("--sort"))
    ids = {int(str(r["_id"])) for r in selected}
    if verb == "insert" and provider.insert is not None:
        provider.insert(state, binds)
    elif verb == "delete" and provider.delete is not None:
        provider.delete(state, ids)
    elif verb == "update" and provider.update is not None:
        provider.update(state, ids, binds)
    else:
        raise ContentError(f"java.lang.UnsupportedOperationException: {verb} on {uri}")
    return ""


def _opts(args: list[str]) -> dict[str, str]:
    opts = {}
    for i, a in enumerate(args[:-1]):
        if a.startswith("--") and a != "--bind":
            opts[a] = args[i + 1]
    return opts


def _binds(args: list[str]) -> dict[str, str]:
    """`--bind name:s:Alice` pairs -> {"name": "Alice"}."""
    out = {}
    for i, a in enumerate(args[:-1]):
        if a == "--bind":
            key, _, rest = args[i + 1].partition(":")
            _, _, value = rest.partition(":")
            out[key] = value
    return out


CLAUSE = re.compile(r"\s*(\w+)\s*(=|!=|<>|>=|<=|>|<|\s+LIKE\s+)\s*('(?:[^']|'')*'|\S+)\s*",
                    re.IGNORECASE)


def _matches(row: Row, where: str) -> bool:
    """A tiny SQL subset: ``col OP value`` clauses joined by AND."""
    if not where.strip():
        return True
    for clause in re.split(r"\s+AND\s+", where, flags=re.IGNORECASE):
        m = CLAUSE.fullmatch(clause)
        if m is None or m.group(1) not in row:
            raise ContentError(f"android.database.sqlite.SQLiteException: bad where: {where}")
        if not _compare(row[m.group(1)], m.group(2).strip().upper(), _literal(m.group(3))):
            return False
    return True


def _literal(token: str) -> str:
    if token.startswith("'") and token.endswith("'"):
        return token[1:-1].replace("''", "'")
    return token


def _compare(value: object, op: str, want: str) -> bool:
    have = "" if value is None else str(value)
    if op == "LIKE":
        pattern = "^" + re.escape(want).replace("%", ".*").replace("_", ".") + "$"
        return re.match(pattern, have, re.IGNORECASE) is not None
    if op in ("=", "!=", "<>"):
        return (have == want) == (op == "=")
    try:
        a, b = float(have), float(want)
    except ValueError:
        return False
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _format(rows: list[Row], projection: str | None, sort: str | None) -> str:
    if sort:
        col, _, direction = sort.partition(" ")
        rows = sorted(rows, key=lambda r: (r.get(col) is None, str(r.get(col, ""))),
                      reverse=direction.strip().upper() == "DESC")
    if not rows:
        return "No result found.\n"
    cols = projection.split(":") if projection else None
    lines = []
    for i, r in enumerate(rows):
        keys = cols or list(r)
        missing = [k for k in keys if k not in r]
        if missing:
            raise ContentError(f"android.database.sqlite.SQLiteException: no such column: "
                               f"{missing[0]}")
        cells = ", ".join(f"{k}={'NULL' if r[k] is None else r[k]}" for k in keys)
        lines.append(f"Row: {i} {cells}\n")
    return "".join(lines)


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())[-10:]
