"""The device side of the ADB transport protocol, over TCP, serving a simulated phone.

Debian's real ``adb`` server connects to it with ``adb connect 127.0.0.1:PORT`` and
then sees an ordinary device: ``shell:`` (legacy, stdout and stderr merged),
``shell,v2,...:`` (separate streams and the exit code), ``exec:`` and ``sync:``
(STAT/LIST/SEND/RECV/QUIT). Each TCP connection is served by a reader thread;
each opened stream runs its service in a thread of its own.

Wire format (protocol.txt in AOSP's adb): 24-byte little-endian header
``command, arg0, arg1, data_length, data_checksum, command ^ 0xffffffff``, then data.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.sim.fs import FSError, normpath
from devices.sim.shell import CommandNotFound, Shell, ShellPhone, run_shell

log = logging.getLogger(__name__)

A_SYNC, A_CNXN, A_OPEN = 0x434E5953, 0x4E584E43, 0x4E45504F
A_OKAY, A_CLSE, A_WRTE, A_AUTH = 0x59414B4F, 0x45534C43, 0x45545257, 0x48545541
VERSION = 0x01000001            # the version that lets peers skip the checksum
MAX_PAYLOAD = 1024 * 1024
HEADER = struct.Struct("<6I")
FEATURES = ("shell_v2", "fixed_push_mkdir")
DEFAULT_PROPS = {"ro.product.name": "guiagent_sim", "ro.product.model": "guiagent_sim",
                 "ro.product.device": "guiagent_sim"}

# shell v2 packet ids
SV2_STDIN, SV2_STDOUT, SV2_STDERR, SV2_EXIT, SV2_CLOSE_STDIN = 0, 1, 2, 3, 4
SYNC_DATA_MAX = 64 * 1024
PROMPT = b"guiagent_sim:/ $ "


class StreamClosed(Exception):
    """The peer closed the stream, or the connection went away."""


class ProtocolError(Exception):
    """The peer sent something that is not ADB."""


def packet(command: int, arg0: int, arg1: int, data: bytes = b"") -> bytes:
    """One ADB message: header with checksum and magic, then the payload."""
    return HEADER.pack(command, arg0, arg1, len(data), sum(data) & 0xFFFFFFFF,
                       command ^ 0xFFFFFFFF) + data


def banner(props: dict[str, str], features: tuple[str, ...] = FEATURES) -> bytes:
    """The CNXN payload a device sends: ``device::key=value;...;features=a,b``."""
    fields = "".join(f"{k}={v};" for k, v in props.items())
    return f"device::{fields}features={','.join(features)}".encode()


# --- streams -----------------------------------------------------------------------


@dataclass(eq=False)
class Stream:
    """One opened service: bytes in from the host, flow-controlled WRTEs out."""

    conn: _Connection
    local_id: int
    remote_id: int
    inbox: queue.Queue[bytes | None] = field(default_factory=queue.Queue)
    closed: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    _pending: bytearray = field(default_factory=bytearray)

    def write(self, data: bytes) -> None:
        """Send data in WRTE packets of at most the peer's maxdata, waiting for each OKAY."""
        size = self.conn.max_payload
        for start in range(0, len(data), size):
            while not self.ready.wait(0.5):
                if self.closed.is_set():
                    raise StreamClosed("stream closed by the host")
            if self.closed.is_set():
                raise StreamClosed("stream closed by the host")
            self.ready.clear()
            self.conn.send(A_WRTE, self.local_id, self.remote_id, data[start:start + size])

    def read_some(self) -> bytes:
        """The next chunk the host wrote; StreamClosed at the end."""
        if self._pending:
            chunk = bytes(self._pending)
            self._pending.clear()
            return chunk
        got = self.inbox.get()
        if got is None:
            self.inbox.put(None)      # stay closed for later readers
            raise StreamClosed("stream closed by the host")
        return got

    def read_exact(self, n: int) -> bytes:
        while len(self._pending) < n:
            chunk = self.inbox.get()
            if chunk is None:
                self.inbox.put(None)
                raise StreamClosed("stream closed by the host")
            self._pending += chunk
        data = bytes(self._pending[:n])
        del self._pending[:n]
        return data

    def close(self) -> None:
        """Close from our side: tell the host, once."""
        if not self.closed.is_set():
            self.closed.set()
            self.conn.send(A_CLSE, self.local_id, self.remote_id)
        self.conn.forget(self)

    def on_host_close(self) -> None:
        self.closed.set()
        self.ready.set()
        self.inbox.put(None)


# --- services ------------------------------------------------------------------------

Service = Callable[[Stream, ShellPhone, str], None]


def shell_v1(stream: Stream, phone: ShellPhone, command: str) -> None:
    """``shell:CMD`` and ``exec:CMD``: stdout then stderr, no exit code, then close."""
    if not command.strip():
        return interactive(stream, phone, v2=False, pty=True)
    result = run_shell(command, phone)
    stream.write(result.stdout + result.stderr)


def shell_v2(stream: Stream, phone: ShellPhone, command: str, pty: bool = False) -> None:
    """``shell,v2,OPTS:CMD``: framed stdout/stderr packets, then the exit code."""
    if not command.strip():
        return interactive(stream, phone, v2=True, pty=pty)
    result = run_shell(command, phone)
    stream.write(_v2(SV2_STDOUT, result.stdout) + _v2(SV2_STDERR, result.stderr)
                 + _v2(SV2_EXIT, bytes([result.exit_code & 0xFF])))


def _v2(kind: int, data: bytes) -> bytes:
    return struct.pack("<BI", kind, len(data)) + data if data else b""


def interactive(stream: Stream, phone: ShellPhone, v2: bool, pty: bool) -> None:
    """``adb shell`` with no command: a prompt until ``exit`` or EOF; a pty echoes keys."""
    term = _Terminal(Shell(phone), pty)
    for data in _stdin(stream, v2):
        going = all(term.key(bytes([b])) for b in data)
        _say(stream, term.out, v2, pty)
        if not going:
            break
    _say(stream, term.out, v2, pty)
    stream.write(_v2(SV2_EXIT, bytes([term.sh.status])) if v2 else b"")


class _Terminal:
    """Line editing for the interactive shell: what it echoes and runs, key by key."""

    def __init__(self, sh: Shell, pty: bool) -> None:
        self.sh, self.pty = sh, pty
        self.line = bytearray()
        self.out = bytearray(PROMPT)

    def key(self, ch: bytes) -> bool:
        """Take one byte of input; False once the user ends the session."""
        pty = self.pty
        if ch == b"\n" or (pty and ch == b"\r"):
            return self._enter()
        if pty and ch in (b"\x7f", b"\x08"):
            self.out += b"\x08 \x08" if self.line else b""
            del self.line[-1:]
        elif pty and ch == b"\x03":
            self.line.clear()
            self.out += b"^C\n" + PROMPT
        elif pty and ch == b"\x04" and not self.line:
            return False
        elif ch != b"\r":
            self.line += ch
            self.out += ch if pty else b""
        return True

    def _enter(self) -> bool:
        self.out += b"\n" if self.pty else b""
        r = self.sh.run(self.line.decode(errors="replace"))
        self.line.clear()
        self.out += r.stdout + r.stderr + (b"" if self.sh.exited else PROMPT)
        return not self.sh.exited


def _say(stream: Stream, out: bytearray, v2: bool, pty: bool) -> None:
    """Send what the shell printed (a pty turns \\n into \\r\\n) and empty the buffer."""
    data = bytes(out).replace(b"\n", b"\r\n") if pty else bytes(out)
    out.clear()
    if data:
        stream.write(_v2(SV2_STDOUT, data) if v2 else data)


def _stdin(stream: Stream, v2: bool):  # noqa: ANN202 - a generator of bytes
    """What the user types: raw chunks (v1) or the payload of stdin packets (v2)."""
    try:
        while True:
            if not v2:
                yield stream.read_some()
                continue
            kind, size = struct.unpack("<BI", stream.read_exact(5))
            data = stream.read_exact(size)
            if kind == SV2_CLOSE_STDIN:
                return
            if kind == SV2_STDIN:
                yield data
    except StreamClosed:
        return


def sync(stream: Stream, phone: ShellPhone, _arg: str) -> None:
    """``sync:``: file transfer requests until QUIT or close."""
    handlers = {b"STAT": _sync_stat, b"LIST": _sync_list, b"SEND": _sync_send,
                b"RECV": _sync_recv}
    while True:
        ident, size = struct.unpack("<4sI", stream.read_exact(8))
        if ident == b"QUIT":
            return
        handler = handlers.get(ident)
        if handler is None or size > 1024:
            stream.write(_fail(f"unknown sync request {ident!r}"))
            return
        handler(stream, phone, stream.read_exact(size).decode(errors="replace"))


def _fail(message: str) -> bytes:
    data = message.encode()
    return b"FAIL" + struct.pack("<I", len(data)) + data


def _sync_stat(stream: Stream, phone: ShellPhone, path: str) -> None:
    try:
        st = phone.fs.stat(path)
        stream.write(b"STAT" + struct.pack("<III", st.mode, st.size, st.mtime))
    except FSError:
        stream.write(b"STAT" + struct.pack("<III", 0, 0, 0))


def _sync_list(stream: Stream, phone: ShellPhone, path: str) -> None:
    fs = phone.fs
    out = bytearray()
    try:
        names = [".", ".."] + fs.listdir(path) if fs.stat(path).is_dir else []
    except FSError:
        names = []
    for name in names:
        st = fs.stat(normpath(f"{path}/{name}"))
        raw = name.encode()
        out += b"DENT" + struct.pack("<IIII", st.mode, st.size, st.mtime, len(raw)) + raw
    stream.write(bytes(out) + b"DONE" + bytes(16))


def _sync_send(stream: Stream, phone: ShellPhone, spec: str) -> None:
    path, _, mode_text = spec.rpartition(",")
    if not path:
        path, mode_text = spec, "33188"
    data = bytearray()
    while True:
        ident, arg = struct.unpack("<4sI", stream.read_exact(8))
        if ident == b"DONE":
            break
        if ident != b"DATA" or arg > SYNC_DATA_MAX:
            stream.write(_fail(f"bad sync data packet {ident!r}"))
            return
        data += stream.read_exact(arg)
    try:
        parent = normpath(path).rsplit("/", 1)[0] or "/"
        phone.fs.mkdir(parent, parents=True)
        phone.fs.write(path, bytes(data), mode=int(mode_text or "33188"), mtime=arg)
        stream.write(b"OKAY" + bytes(4))
    except (FSError, ValueError) as exc:
        stream.write(_fail(f"couldn't create file: {getattr(exc, 'strerror', None) or exc}"))


def _sync_recv(stream: Stream, phone: ShellPhone, path: str) -> None:
    try:
        data = phone.fs.read(path)
    except FSError as exc:
        stream.write(_fail(f"remote object '{path}' does not exist ({exc.strerror})"))
        return
    out = bytearray()
    for start in range(0, len(data), SYNC_DATA_MAX):
        chunk = data[start:start + SYNC_DATA_MAX]
        out += b"DATA" + struct.pack("<I", len(chunk)) + chunk
    stream.write(bytes(out) + b"DONE" + bytes(4))


def find_service(destination: str) -> tuple[Service, str] | None:
    """Map an OPEN destination to (service, argument); None for services we do not offer."""
    name, sep, arg = destination.partition(":")
    if not sep:
        return None
    if name in ("shell", "exec"):
        return shell_v1, arg
    options = name.split(",")[1:]
    if name.startswith("shell,") and "v2" in options:
        return functools.partial(shell_v2, pty="pty" in options), arg
    if name == "sync":
        return sync, arg
    return None


# --- connections ---------------------------------------------------------------------


class _Connection:
    """One TCP peer (an adb server): reads packets and dispatches them to streams."""

    def __init__(self, sock: socket.socket, phone: ShellPhone, props: dict[str, str]) -> None:
        self.sock = sock
        self.phone = phone
        self.props = props
        self.max_payload = 4096
        self.streams: dict[int, Stream] = {}
        self._send_lock = threading.Lock()
        self._ids = iter(range(1, 1 << 31))
        self._rfile = sock.makefile("rb")

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        try:
            with self._send_lock:
                self.sock.sendall(packet(command, arg0, arg1, data))
        except OSError as exc:
            raise StreamClosed(f"connection lost: {exc}") from exc

    def forget(self, stream: Stream) -> None:
        self.streams.pop(stream.local_id, None)

    def run(self) -> None:
        """Serve until the peer hangs up or the daemon closes the socket."""
        try:
            while True:
                command, arg0, arg1, data = self._read_packet()
                self._dispatch(command, arg0, arg1, data)
        except (OSError, ValueError, StreamClosed, ProtocolError, EOFError) as exc:
            log.debug("adb connection ended: %s", exc)
        finally:
            self.shutdown()
            self._rfile.close()
            self.sock.close()

    def shutdown(self) -> None:
        """Hang up: wake every stream and the reader; ``run`` releases the socket."""
        for stream in list(self.streams.values()):
            stream.on_host_close()
        self.streams.clear()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def _read_packet(self) -> tuple[int, int, int, bytes]:
        header = self._rfile.read(HEADER.size)
        if len(header) < HEADER.size:
            raise EOFError("peer closed the connection")
        command, arg0, arg1, length, _checksum, magic = HEADER.unpack(header)
        if magic != command ^ 0xFFFFFFFF:
            raise ProtocolError(f"bad magic in packet {command:#x}")
        if length > MAX_PAYLOAD:
            raise ProtocolError(f"packet of {length} bytes exceeds {MAX_PAYLOAD}")
        data = self._rfile.read(length) if length else b""
        if len(data) < length:
            raise EOFError("peer closed the connection mid-packet")
        return command, arg0, arg1, data

    def _dispatch(self, command: int, arg0: int, arg1: int, data: bytes) -> None:
        if command == A_CNXN:
            self.max_payload = max(256, min(arg1, MAX_PAYLOAD))
            self.send(A_CNXN, min(arg0, VERSION), MAX_PAYLOAD, banner(self.props))
        elif command == A_OPEN:
            self._open(arg0, data.rstrip(b"\x00").decode(errors="replace"))
        elif command == A_OKAY and (stream := self.streams.get(arg1)):
            stream.ready.set()
        elif command == A_WRTE and (stream := self.streams.get(arg1)):
            stream.inbox.put(data)
            self.send(A_OKAY, arg1, arg0)
        elif command == A_CLSE and (stream := self.streams.pop(arg1, None)):
            stream.on_host_close()

    def _open(self, remote_id: int, destination: str) -> None:
        found = find_service(destination)
        if found is None:
            log.info("refusing adb service %r", destination)
            self.send(A_CLSE, 0, remote_id)
            return
        service, arg = found
        stream = Stream(self, next(self._ids), remote_id)
        self.streams[stream.local_id] = stream
        stream.ready.set()
        self.send(A_OKAY, stream.local_id, remote_id)
        threading.Thread(target=self._serve_stream, args=(service, stream, arg),
                         name=f"adbd-{destination[:20]}", daemon=True).start()

    def _serve_stream(self, service: Service, stream: Stream, arg: str) -> None:
        try:
            service(stream, self.phone, arg)
        except StreamClosed:
            pass
        except Exception:
            log.exception("adb service failed")
        with contextlib.suppress(StreamClosed):
            stream.close()


# --- the daemon ----------------------------------------------------------------------


class AdbDaemon:
    """A device-side ADB server for one phone; ``port=0`` picks a free port.

    Use as a context manager, or ``start()`` / ``stop()``. ``stop()`` closes every
    connection, so the adb server on the other side sees the device disappear.
    """

    def __init__(self, phone: ShellPhone, host: str = "127.0.0.1", port: int = 0,
                 props: dict[str, str] | None = None) -> None:
        self.phone = phone
        self.props = dict(DEFAULT_PROPS, **self._phone_props(), **(props or {}))
        self._listener = socket.create_server((host, port), reuse_port=False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._connections: set[_Connection] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="adbd-accept", daemon=True)

    def _phone_props(self) -> dict[str, str]:
        """The banner says what the phone's own ``getprop`` says, so `adb devices -l` agrees."""
        found: dict[str, str] = {}
        for key in DEFAULT_PROPS:
            try:
                result = self.phone.command(["getprop", key])
            except CommandNotFound:
                return found
            value = result.stdout.decode(errors="replace").strip()
            if result.exit_code == 0 and value:
                found[key] = value
        return found

    @property
    def serial(self) -> str:
        """The serial the adb server gives this device after ``adb connect``."""
        return f"{self.host}:{self.port}"

    def start(self) -> AdbDaemon:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._accept_loop()

    def stop(self) -> None:
        """Stop accepting and drop every connection."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.shutdown()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def __enter__(self) -> AdbDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                sock, _addr = self._listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(sock, self.phone, self.props)
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=self._run_connection, args=(conn,), name="adbd-conn",
                             daemon=True).start()

    def _run_connection(self, conn: _Connection) -> None:
        try:
            conn.run()
        finally:
            with self._lock:
                self._connections.discard(conn)


def serve(phone: ShellPhone, host: str = "127.0.0.1", port: int = 5555,
          ready: Callable[[AdbDaemon], None] | None = None) -> None:
    """Serve ``phone`` on HOST:PORT until interrupted."""
    daemon = AdbDaemon(phone, host, port)
    if ready is not None:
        ready(daemon)
    try:
        daemon.serve_forever()
    finally:
        daemon.stop()
