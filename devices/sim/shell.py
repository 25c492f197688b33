"""A small POSIX-like shell for the simulated phone: what ``adb shell`` runs on the device.

It understands quoting, ``;`` ``&&`` ``||`` ``|``, ``$?``, ``$VAR``, ``> file`` / ``>> file`` /
``2>/dev/null`` / ``2>&1``, and a few builtins (echo, cat, ls, rm, mkdir, true, false,
sleep, exit, grep, pwd, cd). Every other command goes to ``phone.command(argv)``, under
``phone.lock``; unknown commands answer like Android's ``/system/bin/sh`` (exit 127).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from devices.sim.fs import FileStat, FSError, VirtualFS

log = logging.getLogger(__name__)

SH = "/system/bin/sh"
STATUS = "\x00?"          # placeholder for an unquoted or double-quoted ``$?``
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|([A-Za-z_]\w*))")
ENV = {"HOME": "/", "SHELL": "/system/bin/sh", "USER": "shell", "HOSTNAME": "localhost",
       "PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/vendor/bin",
       "EXTERNAL_STORAGE": "/sdcard", "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system",
       "TMPDIR": "/data/local/tmp"}
OPERATORS = ("&&", "||", ">>", "2>&1", "2>", ";", "|", ">", "&")


@dataclass(slots=True)
class ShellResult:
    """What one shell command line produced."""

    stdout: bytes
    stderr: bytes = b""
    exit_code: int = 0


class ShellPhone(Protocol):
    """What the shell needs from a phone."""

    fs: VirtualFS
    lock: threading.RLock

    def command(self, argv: list[str]) -> ShellResult: ...


class ShellSyntaxError(ValueError):
    """The command line cannot be parsed (unterminated quote, dangling operator)."""


class CommandNotFound(LookupError):
    """Raised by ``phone.command`` for a program the phone does not have (sh answers 127)."""


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@dataclass(slots=True)
class _Op:
    text: str


@dataclass(slots=True)
class _Command:
    argv: list[str] = field(default_factory=list)
    stdout_to: str | None = None
    append: bool = False
    stderr_to: str | None = None      # a path, or "&1"


Token = str | _Op


def tokenize(line: str) -> list[Token]:
    """Words (str, quotes removed, ``$?`` as a placeholder) and operators (_Op)."""
    tokens: list[Token] = []
    word: list[str] = []
    in_word = False
    i = 0
    while i < len(line):
        c = line[i]
        if c in " \t\n":
            if in_word:
                tokens.append("".join(word))
                word, in_word = [], False
            i += 1
            continue
        op = _operator_at(line, i, in_word, word)
        if op:
            if in_word:
                tokens.append("".join(word))
                word, in_word = [], False
            tokens.append(_Op(op))
            i += len(op)
            continue
        in_word = True
        i = _word_char(line, i, word)
    if in_word:
        tokens.append("".join(word))
    return tokens


def _operator_at(line: str, i: int, in_word: bool, word: list[str]) -> str | None:
    for op in OPERATORS:
        if line.startswith(op, i):
            if op.startswith("2") and in_word:
                return None       # "a2>b" is a word followed by ">"
            return op
    return None


def _word_char(line: str, i: int, word: list[str]) -> int:
    """Consume one unit of a word (a char, an escape, a quoted string); return the next index."""
    c = line[i]
    if c == "\\":
        if i + 1 < len(line):
            word.append(line[i + 1])
        return i + 2
    if c == "'":
        end = line.find("'", i + 1)
        if end < 0:
            raise ShellSyntaxError("unterminated '")
        word.append(line[i + 1:end])
        return end + 1
    if c == '"':
        return _double_quoted(line, i + 1, word)
    if c == "$":
        return _dollar(line, i, word)
    word.append(c)
    return i + 1


def _dollar(line: str, i: int, word: list[str]) -> int:
    """``$?`` (kept as a placeholder until run time), ``$NAME`` and ``${NAME}`` from ENV."""
    if line.startswith("$?", i):
        word.append(STATUS)
        return i + 2
    m = VARIABLE.match(line, i)
    if m is None:
        word.append("$")
        return i + 1
    word.append(ENV.get(m.group(1) or m.group(2), ""))
    return m.end()


def _double_quoted(line: str, i: int, word: list[str]) -> int:
    while i < len(line):
        c = line[i]
        if c == '"':
            return i + 1
        if c == "\\" and i + 1 < len(line) and line[i + 1] in '"\\$`\n':
            word.append(line[i + 1])
            i += 2
        elif c == "$":
            i = _dollar(line, i, word)
        else:
            word.append(c)
            i += 1
    raise ShellSyntaxError('unterminated "')


def parse(tokens: list[Token]) -> list[tuple[str, list[_Command]]]:
    """Split into (connector, pipeline) pairs; the first connector is ``;``."""
    items: list[tuple[str, list[_Command]]] = []
    connector = ";"
    pipeline: list[_Command] = [_Command()]
    it = iter(tokens)
    for tok in it:
        cmd = pipeline[-1]
        if isinstance(tok, str):
            cmd.argv.append(tok)
        elif tok.text in (">", ">>", "2>"):
            target = next(it, None)
            if not isinstance(target, str):
                raise ShellSyntaxError(f"syntax error: '{tok.text}' needs a file name")
            if tok.text == "2>":
                cmd.stderr_to = target
            else:
                cmd.stdout_to, cmd.append = target, tok.text == ">>"
        elif tok.text == "2>&1":
            cmd.stderr_to = "&1"
        elif tok.text == "|":
            if not cmd.argv:
                raise ShellSyntaxError("syntax error: unexpected '|'")
            pipeline.append(_Command())
        else:
            _close_pipeline(items, connector, pipeline, tok.text)
            connector, pipeline = ("&&" if tok.text == "&&" else
                                   "||" if tok.text == "||" else ";"), [_Command()]
    if pipeline[-1].argv or len(pipeline) > 1:
        _close_pipeline(items, connector, pipeline, "end")
    return items


def _close_pipeline(items: list[tuple[str, list[_Command]]], connector: str,
                    pipeline: list[_Command], op: str) -> None:
    if not pipeline[-1].argv:
        if op in (";", "&") and len(pipeline) == 1 and connector == ";":
            return                # empty statement: "a; ; b" or trailing ";"
        raise ShellSyntaxError(f"syntax error: unexpected '{op}'")
    items.append((connector, pipeline))


class Shell:
    """Runs command lines against one phone; keeps ``$?`` between commands of a line."""

    def __init__(self, phone: ShellPhone) -> None:
        self.phone = phone
        self.status = 0
        self.exited = False           # set by ``exit``: an interactive session ends
        self.cwd = "/"
        self.builtins: dict[str, Callable[[list[str], bytes], ShellResult]] = {
            "echo": self._echo, "cat": self._cat, "ls": self._ls, "rm": self._rm,
            "mkdir": self._mkdir, "true": lambda a, i: ShellResult(b""),
            "false": lambda a, i: ShellResult(b"", b"", 1), "sleep": self._sleep,
            "exit": self._exit, "grep": self._grep, "pwd": lambda a, i: ShellResult(b"/\n"),
            "cd": lambda a, i: ShellResult(b""),
        }

    def run(self, line: str) -> ShellResult:
        try:
            items = parse(tokenize(line))
        except ShellSyntaxError as exc:
            return ShellResult(b"", f"{SH}: {exc}\n".encode(), 2)
        out, err = bytearray(), bytearray()
        try:
            for connector, pipeline in items:
                if (connector == "&&" and self.status != 0) or (
                        connector == "||" and self.status == 0):
                    continue
                self.status = self._pipeline(pipeline, out, err)
        except _Exit as stop:
            self.status = stop.code
            self.exited = True
        return ShellResult(bytes(out), bytes(err), self.status)

    def _pipeline(self, pipeline: list[_Command], out: bytearray, err: bytearray) -> int:
        data = b""
        code = 0
        for n, cmd in enumerate(pipeline):
            last = n == len(pipeline) - 1
            result = self._command(cmd, data)
            data = self._redirect(cmd, result, err)
            code = result.exit_code
            if last:
                out += data
        return code

    def _redirect(self, cmd: _Command, result: ShellResult, err: bytearray) -> bytes:
        """Apply redirections; return what goes on down the pipe or to stdout."""
        stdout, stderr = result.stdout, result.stderr
        if cmd.stderr_to == "&1":
            stdout, stderr = stdout + stderr, b""
        elif cmd.stderr_to is not None:
            stderr = self._write_to(cmd.stderr_to, stderr, False, err)
        if cmd.stdout_to is not None:
            stdout = self._write_to(cmd.stdout_to, stdout, cmd.append, err)
        err += stderr
        return stdout

    def _write_to(self, path: str, data: bytes, append: bool, err: bytearray) -> bytes:
        if path == "/dev/null":
            return b""
        try:
            (self.phone.fs.append if append and self.phone.fs.exists(path)
             else self.phone.fs.write)(path, data)
        except FSError as exc:
            err += f"{SH}: can't create {exc.strerror}\n".encode()
        return b""

    def _command(self, cmd: _Command, stdin: bytes) -> ShellResult:
        argv = [a.replace(STATUS, str(self.status)) for a in cmd.argv]
        builtin = self.builtins.get(argv[0])
        if builtin is not None:
            return builtin(argv, stdin)
        with self.phone.lock:
            try:
                return self.phone.command(argv)
            except CommandNotFound:
                return not_found(argv[0])
            except Exception as exc:  # a bug in the simulated phone must not kill adbd
                log.exception("simulated command failed: %s", argv)
                return ShellResult(b"", f"{argv[0]}: {type(exc).__name__}: {exc}\n".encode(), 1)

    # --- builtins -------------------------------------------------------------------

    def _echo(self, argv: list[str], stdin: bytes) -> ShellResult:
        args = argv[1:]
        newline = "\n"
        if args and args[0] == "-n":
            args, newline = args[1:], ""
        return ShellResult((" ".join(args) + newline).encode())

    def _cat(self, argv: list[str], stdin: bytes) -> ShellResult:
        if len(argv) == 1:
            return ShellResult(stdin)
        return self._each_file(argv[0], argv[1:], self.phone.fs.read)

    def _each_file(self, name: str, paths: list[str],
                   fn: Callable[[str], bytes | None]) -> ShellResult:
        out, err, code = bytearray(), bytearray(), 0
        for path in paths:
            try:
                out += fn(path) or b""
            except FSError as exc:
                err += f"{name}: {exc.strerror}\n".encode()
                code = 1
        return ShellResult(bytes(out), bytes(err), code)

    def _ls(self, argv: list[str], stdin: bytes) -> ShellResult:
        flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
        paths = [a for a in argv[1:] if not a.startswith("-")] or ["/"]
        return self._each_file("ls", paths, lambda p: self._ls_one(p, "l" in flags))

    def _ls_one(self, path: str, long: bool) -> bytes:
        fs = self.phone.fs
        st = fs.stat(path)
        if not st.is_dir:
            names = [(path, path)]
        else:
            names = [(n, path.rstrip("/") + "/" + n) for n in fs.listdir(path)]
        if not long:
            return b"".join(f"{n}\n".encode() for n, _ in names)
        return b"".join(_long_line(n, fs.stat(full)) for n, full in names)

    def _rm(self, argv: list[str], stdin: bytes) -> ShellResult:
        flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
        paths = [a for a in argv[1:] if not a.startswith("-")]
        if "f" in flags:
            paths = [p for p in paths if self.phone.fs.exists(p)]
        return self._each_file("rm", paths, lambda p: self._rm_one(p, "r" in flags))

    def _rm_one(self, path: str, recursive: bool) -> None:
        fs = self.phone.fs
        if fs.stat(path).is_dir:
            if not recursive:
                raise FSError(21, f"{path}: Is a directory")
            for name in fs.listdir(path):
                self._rm_one(path.rstrip("/") + "/" + name, True)
        fs.remove(path)

    def _mkdir(self, argv: list[str], stdin: bytes) -> ShellResult:
        parents = "-p" in argv[1:]
        paths = [a for a in argv[1:] if not a.startswith("-")]
        return self._each_file("mkdir", paths,
                               lambda p: self.phone.fs.mkdir(p, parents=parents))

    def _sleep(self, argv: list[str], stdin: bytes) -> ShellResult:
        try:
            seconds = float(argv[1]) if len(argv) > 1 else -1.0
        except ValueError:
            seconds = -1.0
        if seconds < 0:
            return ShellResult(b"", b"sleep: need a number of seconds\n", 1)
        time.sleep(seconds)
        return ShellResult(b"")

    def _exit(self, argv: list[str], stdin: bytes) -> ShellResult:
        try:
            code = int(argv[1]) if len(argv) > 1 else self.status
        except ValueError:
            raise _Exit(2) from None
        raise _Exit(code & 0xFF)

    def _grep(self, argv: list[str], stdin: bytes) -> ShellResult:
        flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
        rest = [a for a in argv[1:] if not a.startswith("-")]
        if not rest:
            return ShellResult(b"", b"grep: no pattern\n", 2)
        try:
            pattern = re.compile(rest[0], re.IGNORECASE if "i" in flags else 0)
        except re.error as exc:
            return ShellResult(b"", f"grep: bad regex '{rest[0]}': {exc}\n".encode(), 2)
        text = stdin.decode(errors="replace").splitlines(keepends=True)
        hits = [ln for ln in text if bool(pattern.search(ln)) != ("v" in flags)]
        return ShellResult("".join(hits).encode(), b"", 0 if hits else 1)


def _long_line(name: str, st: FileStat) -> bytes:
    kind = "d" if st.is_dir else "-"
    perm = "".join(c if st.mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime(st.mtime))
    return f"{kind}{perm} 1 root root {st.size:>8} {stamp} {name}\n".encode()


def not_found(name: str) -> ShellResult:
    """What Android's sh answers for a command it does not know."""
    return ShellResult(b"", f"{SH}: {name}: not found\n".encode(), 127)


def run_shell(line: str, phone: ShellPhone) -> ShellResult:
    """Run one command line on the simulated phone."""
    return Shell(phone).run(line)
