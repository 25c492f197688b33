"""A real HTTP server that speaks the OpenAI chat-completions protocol, with scripted replies.

Tests call it through the real ``openai`` client. Each request is recorded
(parsed JSON body and raw bytes) so tests can assert on what was sent.

    with OpenAIServer(["first reply", {"progress": "..."}]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")

A scripted reply may be a string (the message content), a dict (sent as its
JSON text), a callable ``(request_body) -> str | dict | HTTPError``, an
``HTTPError`` (answered with that status and message), a ``RawReply`` (sent
byte for byte), a ``Hang`` (no answer until released) or a ``Drop`` (the
connection closed unanswered).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HTTPError:
    status: int
    message: str = "error"


@dataclass
class RawReply:
    """An answer sent exactly as given: a status, a body and its content type."""

    status: int
    body: bytes
    content_type: str = "application/json"


class Hang:
    """A reply that never comes, until ``release()`` (a model server stuck on a request)."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def release(self) -> None:
        self.released.set()


class Drop:
    """No answer: the connection is closed (a server that crashed while handling it)."""


Reply = (str | dict[str, Any] | RawReply | Hang | Drop
         | Callable[[dict[str, Any]], "str | dict[str, Any] | HTTPError | RawReply | Hang | Drop"])


class OpenAIServer:
    def __init__(self, replies: Iterable[Reply | HTTPError] = (), *,
                 usage: tuple[int, int] = (100, 20), model: str = "test-model") -> None:
        self.replies: list[Reply | HTTPError] = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.usage = usage
        self.model = model
        self.default: Reply | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, body: dict[str, Any]) -> Reply | HTTPError:
        with self._lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.pop(0)
        if self.default is not None:
            return self.default
        return HTTPError(500, "no scripted reply left")

    def _completion(self, content: str) -> dict[str, Any]:
        prompt, completion = self.usage
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [
                        {"id": outer.model, "object": "model", "owned_by": "test"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.raw_bodies.append(raw)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                body = json.loads(raw)
                reply = outer._next_reply(body)
                if callable(reply):
                    reply = reply(body)
                if isinstance(reply, Drop):
                    self.close_connection = True
                    return
                if isinstance(reply, Hang):
                    reply.released.wait()
                    return
                if isinstance(reply, RawReply):
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                if isinstance(reply, HTTPError):
                    self._send(reply.status, {"error": {"message": reply.message,
                                                        "type": "server_error"}})
                    return
                content = reply if isinstance(reply, str) else json.dumps(reply)
                self._send(200, outer._completion(content))

        return Handler
