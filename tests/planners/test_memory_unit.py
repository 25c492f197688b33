"""The memory unit: notes deduplicated, capped, rendered for prompts."""

from __future__ import annotations

from planners.memory import Memory, render_list


def test_notes_are_deduplicated_ignoring_case_and_spacing() -> None:
    memory = Memory()
    assert memory.add("Wi-Fi password is on the router")
    assert not memory.add("  wi-fi   password is on the ROUTER ")
    assert not memory.add("")
    assert not memory.add(None)
    assert memory.notes == ["wi-fi password is on the ROUTER"]


def test_oldest_notes_go_first_and_repeats_move_to_the_end() -> None:
    memory = Memory(max_notes=3, max_chars=10)
    for note in ("one", "two", "three", "one", "four", "a very long note indeed"):
        memory.add(note)
    assert memory.notes == ["one", "four", "a very lon"]
    assert len(memory) == 3


def test_rendering() -> None:
    memory = Memory()
    assert memory.render() == "(none)"
    memory.add("price is 12 EUR")
    memory.add("seat 14C")
    assert memory.render() == "- price is 12 EUR\n- seat 14C"
    assert render_list(["", " "], empty="(nothing)") == "(nothing)"
