"""Contacts: the list with search, a contact's card, the editor (create, edit), delete."""

from __future__ import annotations

from functools import partial

from devices.sim.apps.base import AppInfo, Dialog, Host, Screen
from devices.sim.state import Contact
from devices.sim.ui import kit
from devices.sim.ui.theme import ITEM_H, ROW_H, WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.android.contacts"
MAIN = ".activities.PeopleActivity"


class People(Screen):
    """All contacts, alphabetical, with a search field and the Create new contact button."""

    package = PKG
    activity = MAIN

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        query = self.fields.get("q", "").strip().lower()
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(self.input("q", (40, top + 30, WIDTH - 40, top + 170), "Search contacts",
                            f"{PKG}:id/search_view", rounded=True))
        people = sorted((c for c in self.state.contacts
                         if query in c.name.lower() or query and query in _digits(c.number)),
                        key=lambda c: c.name.lower())
        s = kit.Scroller(self.offsets, self.limits, "list", (0, top + 200, WIDTH, bottom), pal,
                         f"{PKG}:id/list")
        if not query:
            s.add(110, lambda y: kit.text(f"{len(people)} contacts", (60, y, WIDTH, y + 110),
                                          pal, 38, color=pal.on_variant))
        for c in people:
            s.add(ROW_H, partial(self.person_row, c))
        body.add(s.done())
        if not people:
            body.add(kit.text("No contacts found", (0, top + 400, WIDTH, top + 500), pal, 44,
                              color=pal.on_variant, align="center"))
        body.add(kit.fab("add", "Create new contact", bottom, pal,
                         lambda: self.host.open(Editor(self.host, None)),
                         rid=f"{PKG}:id/floating_action_button"))
        return self.root(top, bottom, body)

    def person_row(self, c: Contact, y: int) -> Node:
        return kit.row(c.name, y, self.pal, partial(self.open_contact, c), avatar=c.name,
                       rid=f"{PKG}:id/cliv_name")

    def open_contact(self, c: Contact) -> None:
        self.host.open(Card(self.host, c.id))

    def on_back(self) -> bool:
        if self.fields.get("q"):
            self.fields["q"] = ""
            return True
        return False


class Card(Screen):
    """One contact: name, number with call and message actions, edit, delete in the menu."""

    package = PKG
    activity = ".quickcontact.QuickContactActivity"

    def __init__(self, host: Host, contact_id: int) -> None:
        super().__init__(host)
        self.contact_id = contact_id
        self.menu = False

    def contact(self) -> Contact | None:
        return next((c for c in self.state.contacts if c.id == self.contact_id), None)

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        c = self.contact()
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar("", top, pal, self.back_button(), [
            ("edit", "Edit contact", lambda: self.host.open(Editor(self.host, self.contact_id))),
            ("more_vert", "More options", self.open_menu)], pkg=PKG))
        if c is None:
            return self.root(top, bottom, body)
        cx = WIDTH // 2
        body.add(Node(kit.IMAGE, (cx - 160, top + 220, cx + 160, top + 540), dump=False,
                      text=c.name[:1], paint=Paint("circle", bg=kit.avatar_color(c.name),
                                                   fg="#FFFFFF", size=150)),
                 kit.text(c.name, (40, top + 580, WIDTH - 40, top + 700), pal, 70,
                          align="center", rid=f"{PKG}:id/large_title"))
        y = top + 780
        body.add(kit.row(c.number, y, pal, None, "Mobile", icon="call",
                         trailing=kit.icon_button("message", "Message", WIDTH - 110,
                                                  y + ITEM_H // 2, pal, lambda: self.message(c)),
                         rid=f"{PKG}:id/header"))
        if c.email:
            body.add(kit.row(c.email, y + ITEM_H, pal, None, "Email", icon="email"))
        if self.menu:
            body.add(*kit.popup_menu([("Delete", self.confirm_delete), ("Share", lambda: None)],
                                     WIDTH - 30, top + 40, pal, self.close_menu))
        return self.root(top, bottom, body)

    def open_menu(self) -> None:
        self.menu = True

    def close_menu(self) -> None:
        self.menu = False

    def message(self, c: Contact) -> None:
        from devices.sim.apps.messages import Conversation

        self.host.open(Conversation(self.host, c.number))

    def confirm_delete(self) -> None:
        self.host.show_dialog(Dialog("Delete this contact?", buttons=[
            ("Cancel", lambda: None), ("Delete", self.delete)], package=PKG))

    def delete(self) -> None:
        self.state.contacts = [c for c in self.state.contacts if c.id != self.contact_id]
        self.host.finish(self)
        self.host.toast("Contact deleted")

    def on_back(self) -> bool:
        if self.menu:
            self.menu = False
            return True
        return False


class Editor(Screen):
    """Create contact / Edit contact: name, phone and email fields, Save."""

    package = PKG
    activity = ".activities.ContactEditorActivity"
    numeric_fields = ("phone",)
    FIELDS = (("first", "First name"), ("last", "Last name"), ("phone", "Phone"),
              ("email", "Email"))

    def __init__(self, host: Host, contact_id: int | None) -> None:
        super().__init__(host)
        self.contact_id = contact_id
        c = next((c for c in self.state.contacts if c.id == contact_id), None)
        if c is not None:
            first, _, last = c.name.partition(" ")
            self.fields.update(first=first, last=last, phone=c.number, email=c.email)

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        title = "Edit contact" if self.contact_id is not None else "Create contact"
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar(title, top, pal, self.back_button(), pkg=PKG,
                             nav=("close", "Cancel"), text_button=("Save", self.save)))
        s = kit.Scroller(self.offsets, self.limits, "form", (0, top + 200, WIDTH, bottom), pal)
        for key, hint in self.FIELDS:
            s.add(200, partial(self.field_row, key, hint))
        body.add(s.done())
        return self.root(top, bottom, body)

    def field_row(self, key: str, hint: str, y: int) -> Node:
        return self.input(key, (60, y + 20, WIDTH - 60, y + 180), hint, f"{PKG}:id/{key}")

    def on_enter(self, key: str) -> None:
        keys = [k for k, _ in self.FIELDS]
        nxt = keys.index(key) + 1 if key in keys else len(keys)
        self.host.focus(self, keys[nxt] if nxt < len(keys) else None)

    def save(self) -> None:
        f = {k: self.fields.get(k, "").strip() for k, _ in self.FIELDS}
        name = " ".join(p for p in (f["first"], f["last"]) if p)
        f["phone"] = format_number(f["phone"])
        if not name and not f["phone"]:
            self.host.toast("Contact is empty")
            return
        existing = next((c for c in self.state.contacts if c.id == self.contact_id), None)
        if existing is None:
            self.state.contacts.append(Contact(self.state.new_id(), name or f["phone"],
                                               f["phone"], f["email"]))
        else:
            existing.name, existing.number, existing.email = name, f["phone"], f["email"]
        self.host.finish(self)
        self.host.toast("Contact saved")


def format_number(raw: str) -> str:
    """US formatting as the contact editor applies it while typing: 5550123 -> 555-0123."""
    if not raw.isdigit():
        return raw
    if len(raw) == 7:
        return f"{raw[:3]}-{raw[3:]}"
    if len(raw) == 10:
        return f"({raw[:3]}) {raw[3:6]}-{raw[6:]}"
    if len(raw) == 11 and raw.startswith("1"):
        return f"1 {raw[1:4]}-{raw[4:7]}-{raw[7:]}"
    return raw


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def app() -> AppInfo:
    return AppInfo("Contacts", PKG, "person", MAIN, {
        MAIN: People, ".activities.ContactEditorActivity": lambda h: Editor(h, None)})
