"""Notes: a list of notes, the editor (title and body, saved on back), delete with a dialog."""

from __future__ import annotations

from functools import partial

from devices.sim.apps.base import AppInfo, Dialog, Host, Screen
from devices.sim.state import Note
from devices.sim.ui import kit
from devices.sim.ui.theme import WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.example.notes"
MAIN = ".MainActivity"
CARD_H = 260


class NoteList(Screen):
    """Note cards, newest last; long-press a card to delete it."""

    package = PKG
    activity = MAIN

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar("Notes", top, pal, None, [
            ("search", "Search notes", lambda: None)], pkg=PKG))
        s = kit.Scroller(self.offsets, self.limits, "notes", (0, top + 180, WIDTH, bottom), pal,
                         f"{PKG}:id/notes_list")
        for n in self.state.notes:
            s.add(CARD_H + 30, partial(self.card, n))
        body.add(s.done())
        if not self.state.notes:
            body.add(kit.text("No notes yet", (0, top + 600, WIDTH, top + 700), pal, 46,
                              color=pal.on_variant, align="center", rid=f"{PKG}:id/empty"))
        body.add(kit.fab("edit", "New note", bottom, pal,
                         lambda: self.host.open(Editor(self.host, None)), rid=f"{PKG}:id/fab"))
        return self.root(top, bottom, body)

    def card(self, n: Note, y: int) -> Node:
        pal = self.pal
        card = Node(kit.LINEAR, (40, y + 15, WIDTH - 40, y + 15 + CARD_H),
                    rid=f"{PKG}:id/note_card", clickable=True, long_clickable=True,
                    on_tap=lambda: self.host.open(Editor(self.host, n.id)),
                    on_long=lambda: confirm_delete(self.host, n.id, None),
                    paint=Paint("rect", bg=pal.surface, radius=36, outline=pal.divider))
        first = n.body.split("\n", 1)[0]
        card.add(kit.text(n.title or "Untitled", (90, y + 50, WIDTH - 90, y + 140), pal, 50,
                          weight="medium", rid=f"{PKG}:id/note_title"),
                 kit.text(first, (90, y + 150, WIDTH - 90, y + 230), pal, 40,
                          color=pal.on_variant, rid=f"{PKG}:id/note_preview"))
        return card


def confirm_delete(host: Host, note_id: int, then: Editor | None) -> None:
    def delete() -> None:
        host.state.notes = [n for n in host.state.notes if n.id != note_id]
        if then is not None:
            then.deleted = True
            host.finish(then)
        host.toast("Note deleted")
    host.show_dialog(Dialog("Delete note?", "This note will be deleted permanently.",
                            [("Cancel", lambda: None), ("Delete", delete)], package=PKG))


class Editor(Screen):
    """Title and body fields; Back or the check mark saves, the bin deletes."""

    package = PKG
    activity = ".EditNoteActivity"

    def __init__(self, host: Host, note_id: int | None) -> None:
        super().__init__(host)
        self.note_id = note_id
        self.deleted = False
        note = self.note()
        if note is not None:
            self.fields.update(title=note.title, body=note.body)
        else:
            host.focus(self, "title")

    def note(self) -> Note | None:
        return next((n for n in self.state.notes if n.id == self.note_id), None)

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        actions = [("check", "Save", self.save_and_close)]
        if self.note_id is not None:
            actions.insert(0, ("delete", "Delete note",
                               lambda: confirm_delete(self.host, self.note_id or 0, self)))
        body.add(kit.app_bar("", top, pal, self.save_and_close, actions, pkg=PKG))
        body.add(self.input("title", (40, top + 190, WIDTH - 40, top + 340), "Title",
                            f"{PKG}:id/title"))
        body.add(self.input("body", (40, top + 370, WIDTH - 40, min(bottom - 40, top + 1400)),
                            "Note", f"{PKG}:id/body"))
        return self.root(top, bottom, body)

    def on_enter(self, key: str) -> None:
        if key == "title":
            self.host.focus(self, "body")
        else:
            self.fields["body"] = self.fields.get("body", "") + "\n"

    def save(self) -> None:
        if self.deleted:
            return
        title = self.fields.get("title", "").strip()
        text = self.fields.get("body", "").strip()
        note = self.note()
        if note is not None:
            note.title, note.body = title, text
        elif title or text:
            note = Note(self.state.new_id(), title, text)
            self.state.notes.append(note)
            self.note_id = note.id

    def save_and_close(self) -> None:
        self.save()
        self.host.finish(self)

    def on_back(self) -> bool:
        self.save()
        return False


def app() -> AppInfo:
    return AppInfo("Notes", PKG, "note", MAIN, {MAIN: NoteList, ".EditNoteActivity":
                                                lambda h: Editor(h, None)})
