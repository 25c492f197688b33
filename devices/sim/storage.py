"""Files apps keep in shared storage, so checks can read them with `ls` and `cat`.

Notes writes each note to /sdcard/Documents/Notes/<title>.txt, as a notes app that
saves plain-text files would.
"""

from __future__ import annotations

import re

from devices.sim.fs import FSError, VirtualFS
from devices.sim.state import Note, PhoneState

NOTES_DIR = "/sdcard/Documents/Notes"


def note_file(note: Note) -> str:
    """The file name of a note: its title made safe for a path, or Untitled-<id>."""
    name = re.sub(r"[/\\\\:*?\"<>|\x00-\x1f]", "_", note.title.strip())
    return f"{name or f'Untitled-{note.id}'}.txt"


def sync_notes(state: PhoneState, fs: VirtualFS) -> None:
    """Make the notes folder hold exactly the app's notes."""
    fs.mkdir(NOTES_DIR, parents=True)
    wanted = {note_file(n): n.body.encode() for n in state.notes}
    for name in fs.listdir(NOTES_DIR):
        if name not in wanted:
            try:
                fs.remove(f"{NOTES_DIR}/{name}")
            except FSError:
                continue      # a directory someone made there: not ours to remove
    for name, data in wanted.items():
        path = f"{NOTES_DIR}/{name}"
        if not fs.exists(path) or fs.read(path) != data:
            fs.write(path, data)
