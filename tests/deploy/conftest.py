"""A hubs folder holding the tiny fixture hub, and a real HTTP receiver standing in for a chat webhook."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"


def make_hubs_folder(folder: Path) -> Path:
    """`folder` as a config/hubs folder: the fixture hub as `small-test.toml`, its dfe/ and exports/ beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / "hub.toml", folder / "small-test.toml")
    for name in ("dfe", "exports"):
        shutil.copytree(FIXTURE / name, folder / name)
    return folder


@pytest.fixture
def hubs(tmp_path: Path) -> Path:
    return make_hubs_folder(tmp_path / "hubs")


class Receiver:
    """Collects the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.arrived = threading.Condition()
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(204)
                self.end_headers()
                with received.arrived:
                    received.messages.append(json.loads(body or b"{}"))
                    received.arrived.notify_all()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait_for(self, count: int, timeout: float) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
