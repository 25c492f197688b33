"""Messages: conversation list, start a chat with a contact or a number, send texts."""

from __future__ import annotations

import time
from functools import partial

from devices.sim.apps.base import AppInfo, Host, Screen
from devices.sim.state import BASE_TIME_MS, Contact, Message
from devices.sim.ui import kit
from devices.sim.ui.render import wrap
from devices.sim.ui.theme import ITEM_H, WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.google.android.apps.messaging"
MAIN = ".ui.ConversationListActivity"


def _when(ms: int) -> str:
    stamp = time.gmtime(ms / 1000)
    return f"{stamp.tm_hour % 12 or 12}:{stamp.tm_min:02d} {'AM' if stamp.tm_hour < 12 else 'PM'}"


class Conversations(Screen):
    """Threads, newest first, and the Start chat button."""

    package = PKG
    activity = MAIN

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.searching = False

    def build(self, top: int, bottom: int) -> list[Node]:
        pal, st = self.pal, self.state
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        if self.searching:
            body.add(kit.icon_button("arrow_back", "Navigate up", 84, top + 88, pal,
                                     self.stop_search),
                     self.input("q", (176, top + 18, WIDTH - 40, top + 158),
                                "Search conversations", f"{PKG}:id/search_text", rounded=True))
        else:
            body.add(kit.app_bar("Messages", top, pal, None, [
                ("search", "Search conversations", self.start_search),
                ("more_vert", "More options", lambda: None)], pkg=PKG))
        s = kit.Scroller(self.offsets, self.limits, "list", (0, top + 180, WIDTH, bottom), pal,
                         f"{PKG}:id/conversation_list")
        threads = self.threads()
        for address, last in threads:
            name = st.display_name(address)
            snippet = ("You: " if last.type == 2 else "") + last.body
            s.add(ITEM_H, partial(self.thread_row, address, name, snippet, last))
        body.add(s.done())
        if not threads:
            empty = "No results" if self.searching else "No conversations yet"
            body.add(kit.text(empty, (0, top + 600, WIDTH, top + 700), pal,
                              46, color=pal.on_variant, align="center"))
        body.add(kit.fab("sms", "Start chat", bottom, pal,
                         lambda: self.host.open(NewConversation(self.host)), label="Start chat",
                         rid=f"{PKG}:id/start_chat_fab"))
        return self.root(top, bottom, body)

    def threads(self) -> list[tuple[str, Message]]:
        """Conversations; while searching, those whose name or any message matches."""
        st = self.state
        query = self.fields.get("q", "").strip().lower() if self.searching else ""
        if not query:
            return st.threads()
        return [(a, m) for a, m in st.threads() if query in st.display_name(a).lower()
                or any(query in x.body.lower() for x in st.conversation(a))]

    def start_search(self) -> None:
        self.searching = True
        self.fields["q"] = ""
        self.host.focus(self, "q")

    def stop_search(self) -> None:
        self.searching = False
        self.host.focus(self, None)

    def on_back(self) -> bool:
        if self.searching:
            self.stop_search()
            return True
        return False

    def thread_row(self, address: str, name: str, snippet: str, last: Message, y: int) -> Node:
        item = kit.row(name, y, self.pal, lambda: self.host.open(Conversation(self.host, address)),
                       snippet, avatar=name if not name.startswith("+") else "#",
                       rid=f"{PKG}:id/swipeableContainer")
        item.add(kit.text(_when(last.date), (WIDTH - 260, y + 28, WIDTH - 48, y + 100), self.pal,
                          34, color=self.pal.on_variant, align="right",
                          rid=f"{PKG}:id/conversation_timestamp"))
        return item


class NewConversation(Screen):
    """To: a name or number; matching contacts below; Enter on a number starts the chat."""

    package = PKG
    activity = ".ui.conversation.NewConversationActivity"

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        host.focus(self, "to")

    def build(self, top: int, bottom: int) -> list[Node]:
        pal, st = self.pal, self.state
        query = self.fields.get("to", "").strip().lower()
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar("New conversation", top, pal, self.back_button(), pkg=PKG))
        body.add(kit.text("To", (60, top + 190, 150, top + 330), pal, 44),
                 self.input("to", (150, top + 190, WIDTH - 40, top + 330),
                            "Type a name, phone number, or email",
                            f"{PKG}:id/recipient_text_view"))
        s = kit.Scroller(self.offsets, self.limits, "list", (0, top + 360, WIDTH, bottom), pal,
                         f"{PKG}:id/contact_list")
        digits = "".join(ch for ch in query if ch.isdigit())
        if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in query):
            s.add(ITEM_H, lambda y: kit.row(f"Send to {self.fields['to'].strip()}", y, pal,
                                            lambda: self.start(self.fields["to"].strip()),
                                            avatar="#"))
        people = sorted((c for c in st.contacts if query in c.name.lower()
                         or (digits and digits in "".join(ch for ch in c.number if ch.isdigit()))),
                        key=lambda c: c.name.lower())
        for c in people:
            s.add(ITEM_H, partial(self.contact_row, c))
        body.add(s.done())
        return self.root(top, bottom, body)

    def contact_row(self, c: Contact, y: int) -> Node:
        return kit.row(c.name, y, self.pal, partial(self.start, c.number), c.number,
                       avatar=c.name, rid=f"{PKG}:id/contact_name")

    def on_enter(self, key: str) -> None:
        to = self.fields.get("to", "").strip()
        if not to:
            return
        if any(ch.isalpha() for ch in to):
            match = [c for c in self.state.contacts if to.lower() in c.name.lower()]
            if len(match) == 1:
                self.start(match[0].number)
            return
        self.start(to)

    def start(self, number: str) -> None:
        self.host.finish(self)
        self.host.open(Conversation(self.host, number))


class Conversation(Screen):
    """One thread: bubbles, the compose field and the send button."""

    package = PKG
    activity = ".ui.conversation.ConversationActivity"

    def __init__(self, host: Host, address: str) -> None:
        super().__init__(host)
        self.address = address
        self.state.mark_read(address)

    def build(self, top: int, bottom: int) -> list[Node]:
        pal, st = self.pal, self.state
        st.mark_read(self.address)          # an open conversation has nothing unread
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        name = st.display_name(self.address)
        body.add(kit.app_bar(name, top, pal, self.back_button(), [
            ("call", "Call", lambda: None), ("more_vert", "More options", lambda: None)],
            pkg=PKG))
        compose_top = bottom - 190
        s = kit.Scroller(self.offsets, self.limits, "thread", (0, top + 180, WIDTH, compose_top),
                         pal, f"{PKG}:id/messages_list")
        msgs = st.conversation(self.address)
        for m in msgs:
            lines = wrap(m.body, 44, 640)
            s.add(len(lines) * 62 + 110, partial(self.bubble, m, len(lines)))
        node = s.done()
        limit = self.limits.get("thread", 0)
        if self.offsets.get("thread") is None and limit:
            self.offsets["thread"] = limit     # a thread opens at its newest message
            return self.build(top, bottom)
        body.add(node)
        body.add(self.input("compose", (40, compose_top + 25, WIDTH - 190, compose_top + 165),
                            "Text message", f"{PKG}:id/compose_message_text", rounded=True))
        text = self.fields.get("compose", "").strip()
        body.add(kit.icon_button("send", "Send SMS", WIDTH - 100, compose_top + 95, pal,
                                 self.send if text else None, f"{PKG}:id/send_message_button",
                                 color=pal.primary if text else pal.on_variant))
        return self.root(top, bottom, body)

    def bubble(self, m: Message, lines: int, y: int) -> Node:
        pal = self.pal
        h = lines * 62 + 60
        width = min(720, 80 + max(len(m.body) * 23, 120))
        x1 = WIDTH - 40 - width if m.type == 2 else 40
        box = Node(kit.FRAME, (x1, y + 20, x1 + width, y + 20 + h),
                   rid=f"{PKG}:id/message_content",
                   paint=Paint("rect", bg=pal.bubble_out if m.type == 2 else pal.bubble_in,
                               radius=44))
        box.add(Node(kit.TEXT, (x1 + 40, y + 50, x1 + width - 30, y + 20 + h), text=m.body,
                     rid=f"{PKG}:id/message_text", paint=Paint("lines", fg=pal.on_bg, size=44)))
        return box

    def send(self) -> None:
        text = self.fields.get("compose", "").strip()
        if not text:
            return
        st = self.state
        date = max([BASE_TIME_MS, *(m.date for m in st.messages)]) + 60_000
        st.messages.append(Message(st.new_id(), self.address, text, 2, date))
        self.fields["compose"] = ""
        self.offsets.pop("thread", None)

    def on_enter(self, key: str) -> None:
        self.send()


def app() -> AppInfo:
    return AppInfo("Messages", PKG, "message", MAIN, {
        MAIN: Conversations, ".ui.conversation.NewConversationActivity": NewConversation})
