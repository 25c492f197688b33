"""The X11 CLIPBOARD owned from Python, so that a paste can be waited for.

X11 has no clipboard store: the owner of the CLIPBOARD selection answers each
paste itself. Owning it here (instead of leaving an ``xclip`` process behind)
tells the desktop driver when the focused window has fetched the text, so the
next keystroke cannot overtake the paste.
"""

from __future__ import annotations

import select
import threading
from typing import Any

from devices.errors import InputRefused

MAX_BYTES = 256 * 1024  # one property write; larger pastes would need the INCR protocol


class ClipboardOwner:
    """Holds ``text`` on the CLIPBOARD of ``conn``'s display until ``close()`` or another owner."""

    def __init__(self, conn: Any, text: str) -> None:
        from Xlib import X, Xatom

        self.data = text.encode("utf-8")
        if len(self.data) > MAX_BYTES:
            raise InputRefused(f"text too long to paste ({len(self.data)} bytes)")
        self.conn = conn
        self.served = threading.Event()   # a data request came in after arm()
        self._armed = threading.Event()
        self._stop = threading.Event()
        atom = conn.get_atom
        self.clipboard, self.targets = atom("CLIPBOARD"), atom("TARGETS")
        self.utf8 = atom("UTF8_STRING")
        self.text_targets = {self.utf8: self.data, Xatom.STRING: text.encode("latin-1", "replace"),
                             atom("TEXT"): self.data, atom("text/plain;charset=utf-8"): self.data}
        self.window = conn.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        self.window.set_selection_owner(self.clipboard, X.CurrentTime)
        if conn.get_selection_owner(self.clipboard) != self.window:
            raise InputRefused("could not take the X clipboard to paste text")
        self._thread = threading.Thread(target=self._serve, name="x11-clipboard", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from Xlib import X

        while not self._stop.is_set():
            if not self.conn.pending_events():
                select.select([self.conn], [], [], 0.05)
                continue
            event = self.conn.next_event()
            if event.type == X.SelectionClear:
                return
            if event.type == X.SelectionRequest:
                self._answer(event)

    def _answer(self, request: Any) -> None:
        """Write the text (or the list of targets) on the requestor's window and notify it."""
        from Xlib import X, Xatom
        from Xlib.protocol import event as xevent

        prop = request.property or request.target   # pre-ICCCM clients name no property
        if request.target == self.targets:
            atoms = [self.targets, *self.text_targets]
            request.requestor.change_property(prop, Xatom.ATOM, 32, atoms)
        elif request.target in self.text_targets:
            request.requestor.change_property(prop, request.target, 8,
                                              self.text_targets[request.target])
        else:
            prop = X.NONE
        reply = xevent.SelectionNotify(time=request.time, requestor=request.requestor,
                                       selection=request.selection, target=request.target,
                                       property=prop)
        request.requestor.send_event(reply)
        self.conn.flush()
        if prop != X.NONE and request.target != self.targets and self._armed.is_set():
            self.served.set()

    def arm(self) -> None:
        """Count only requests from now on (a clipboard manager copies the text at once)."""
        self._armed.set()

    def close(self) -> None:
        """Stop answering; the clipboard is empty afterwards, as when any X client exits."""
        self._stop.set()
        self._thread.join(timeout=1.0)
        self.conn.close()
