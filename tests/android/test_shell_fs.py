"""The simulated phone's shell and filesystem, without any adb in between."""

from __future__ import annotations

import pytest

from devices.sim.fs import FSError, VirtualFS
from devices.sim.shell import run_shell

from .tinyphone import TinyPhone


@pytest.fixture()
def phone() -> TinyPhone:
    return TinyPhone()


def out(line: str, phone: TinyPhone) -> tuple[str, str, int]:
    r = run_shell(line, phone)
    return r.stdout.decode(), r.stderr.decode(), r.exit_code


def test_fs_write_read_stat_list_remove() -> None:
    fs = VirtualFS()
    fs.write("/sdcard/a.txt", b"hello", mode=0o600)
    st = fs.stat("/sdcard/a.txt")
    assert (st.size, st.mode & 0o777, st.is_dir) == (5, 0o600, False)
    assert fs.read("/sdcard/a.txt") == b"hello"
    assert fs.listdir("/sdcard") == ["a.txt"]
    fs.mkdir("/sdcard/x/y", parents=True)
    assert fs.listdir("/sdcard") == ["a.txt", "x"]
    with pytest.raises(FSError, match="Directory not empty"):
        fs.remove("/sdcard/x")
    fs.remove("/sdcard/a.txt")
    assert not fs.exists("/sdcard/a.txt")
    with pytest.raises(FSError, match="No such file"):
        fs.read("/sdcard/a.txt")
    with pytest.raises(FSError, match="No such file"):
        fs.write("/nowhere/f", b"")


def test_quoting_and_status(phone: TinyPhone) -> None:
    assert out("echo 'a;b' \"c d\" e\\ f", phone) == ("a;b c d e f\n", "", 0)
    assert out("false; echo $?; true; echo \"$?\" '$?'", phone)[0] == "1\n0 $?\n"
    assert out("false && echo no || echo yes", phone)[0] == "yes\n"
    assert out("exit 3; echo never", phone) == ("", "", 3)
    assert out("echo $EXTERNAL_STORAGE \"${HOME}x\" '$HOME' $", phone)[0] == "/sdcard /x $HOME $\n"


def test_unknown_command_is_127_like_android(phone: TinyPhone) -> None:
    assert out("frobnicate --now", phone) == ("", "/system/bin/sh: frobnicate: not found\n", 127)
    assert out("frobnicate 2>/dev/null; echo $?", phone) == ("127\n", "", 0)


def test_files_through_the_shell(phone: TinyPhone) -> None:
    line = "mkdir -p /sdcard/d && echo one > /sdcard/d/f; echo two >> /sdcard/d/f; cat /sdcard/d/f"
    assert out(line, phone)[0] == "one\ntwo\n"
    assert out("ls /sdcard/d", phone)[0] == "f\n"
    assert out("rm /sdcard/d/f && ls /sdcard/d", phone) == ("", "", 0)
    assert out("rm /sdcard/d/f", phone)[2] == 1
    assert out("rm -f /sdcard/d/f", phone)[2] == 0
    assert out("cat /nope", phone) == ("", "cat: /nope: No such file or directory\n", 1)


def test_phone_commands_get_argv_and_pipes(phone: TinyPhone) -> None:
    run_shell("input text 'it'\\''s a%stest'", phone)
    assert phone.events == [["text", "it's a%stest"]]
    assert out("dumpsys window | grep mCurrentFocus", phone)[0].startswith("mCurrentFocus=")
    assert out("pm list packages | grep -v chrome", phone)[0] == "package:com.android.settings\n"


def test_syntax_errors_do_not_run_anything(phone: TinyPhone) -> None:
    assert out("echo 'open", phone)[2] == 2
    assert out("input tap 1 2 && ; input tap 3 4", phone)[2] == 2
    assert phone.events == []
