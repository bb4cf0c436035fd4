"""The README's way of starting the product: `diagflow setup --demo` (twice) then `serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DIAGFLOW = Path(sys.executable).with_name("diagflow")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL
        return response.status, response.read().decode()


def test_setup_is_idempotent_and_serve_answers(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": "test-secret"}
    first = subprocess.run([DIAGFLOW, "setup", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run([DIAGFLOW, "setup", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "deployed diagnosis_project version 1" in second.stdout

    port = free_port()
    server = subprocess.Popen([DIAGFLOW, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer within 30 s"
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok" and health["scheduler"] == "running"
        status, page = fetch(f"http://127.0.0.1:{port}/login")
        assert status == 200 and 'lang="zh-CN"' in page and "登录" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
