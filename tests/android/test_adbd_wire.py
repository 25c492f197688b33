"""The device-side server at the wire level: headers, maxdata, refused services."""

from __future__ import annotations

import socket
import struct

from devices.sim.adbd import A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_WRTE, HEADER, AdbDaemon, packet

from .tinyphone import TinyPhone


class RawHost:
    """The host side of the protocol, by hand, announcing a small maxdata."""

    def __init__(self, port: int, maxdata: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.sock.sendall(packet(A_CNXN, 0x01000000, maxdata, b"host::\x00"))

    def read(self) -> tuple[int, int, int, bytes]:
        cmd, a0, a1, length, checksum, magic = HEADER.unpack(self.file.read(HEADER.size))
        data = self.file.read(length)
        assert magic == cmd ^ 0xFFFFFFFF and checksum == sum(data) & 0xFFFFFFFF
        return cmd, a0, a1, data

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_banner_maxdata_and_refusal() -> None:
    phone = TinyPhone()
    phone.fs.write("/sdcard/f", b"x" * 10000)
    with AdbDaemon(phone) as daemon:
        host = RawHost(daemon.port, maxdata=1024)
        cmd, version, _maxdata, banner = host.read()
        assert cmd == A_CNXN and version == 0x01000000
        assert banner.startswith(b"device::") and b"features=shell_v2" in banner

        host.sock.sendall(packet(A_OPEN, 7, 0, b"reboot:\x00"))
        assert host.read()[:3] == (A_CLSE, 0, 7)

        host.sock.sendall(packet(A_OPEN, 8, 0, b"shell:cat /sdcard/f\x00"))
        cmd, local, remote, _ = host.read()
        assert (cmd, remote) == (A_OKAY, 8)
        got = b""
        while True:
            cmd, a0, a1, data = host.read()
            if cmd == A_CLSE:
                break
            assert cmd == A_WRTE and len(data) <= 1024
            got += data
            host.sock.sendall(packet(A_OKAY, 8, local))
        assert got == b"x" * 10000
        host.close()


def test_sync_request_split_across_writes() -> None:
    phone = TinyPhone()
    with AdbDaemon(phone) as daemon:
        host = RawHost(daemon.port, maxdata=4096)
        host.read()
        host.sock.sendall(packet(A_OPEN, 3, 0, b"sync:\x00"))
        _, local, _, _ = host.read()
        request = b"SEND" + struct.pack("<I", 13) + b"/sdcard/a,420"
        request += b"DATA" + struct.pack("<I", 3) + b"abc" + b"DONE" + struct.pack("<I", 1)
        for start in range(0, len(request), 5):          # the host may cut anywhere
            host.sock.sendall(packet(A_WRTE, 3, local, request[start:start + 5]))
            assert host.read()[0] == A_OKAY
        cmd, _, _, data = host.read()
        assert cmd == A_WRTE and data == b"OKAY" + bytes(4)
        assert phone.fs.read("/sdcard/a") == b"abc"
        assert phone.fs.stat("/sdcard/a").mode & 0o777 == 0o644
        host.close()
