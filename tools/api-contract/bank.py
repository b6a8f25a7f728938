"""A throwaway Simple Bank for contract checks: a uniquely named database on a local
PostgreSQL server, the release binary serving it on free loopback ports, and a few
HTTP helpers. Standard library only, so it runs before any client is generated.

The database and the server are removed on exit, also when a check fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `make` builds the release binary; SIMPLEBANK_BIN points elsewhere (e.g. a debug build).
BINARY = Path(os.environ.get("SIMPLEBANK_BIN", ROOT / "target" / "release" / "simplebank"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(server_url: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-w", "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{server_url}/postgres", "-c", sql],
        check=True,
    )


class Bank:
    """`with Bank(...) as bank:` gives a ready server at `bank.url`."""

    def __init__(self, name: str, server_url: str, log_dir: Path, extra_env: dict[str, str] | None = None):
        self.server_url = server_url.rstrip("/")
        self.database = f"simplebank_{name}_{os.getpid()}_{secrets.token_hex(4)}"
        self.db_source = f"{self.server_url}/{self.database}"
        self.log_path = log_dir / f"{name}-server.log"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> "Bank":
        if not BINARY.exists():
            raise SystemExit(f"{BINARY} is missing: run cargo build --release --locked first")
        psql(self.server_url, f'CREATE DATABASE "{self.database}"')
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        http_port, grpc_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{http_port}"
        env = {
            **os.environ,
            "DB_SOURCE": self.db_source,
            "HTTP_SERVER_ADDRESS": f"127.0.0.1:{http_port}",
            "GRPC_SERVER_ADDRESS": f"127.0.0.1:{grpc_port}",
            "ENVIRONMENT": "development",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
            **self.extra_env,
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(BINARY), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server was not ready within 60 s; see {self.log_path}")

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        psql(self.server_url, f'DROP DATABASE IF EXISTS "{self.database}"')

    def cli(self, *args: str) -> None:
        """`simplebank ARGS` on this bank's database."""
        env = {**os.environ, "DB_SOURCE": self.db_source, "RUST_LOG": "warn"}
        subprocess.run([str(BINARY), *args], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)

    def request(self, method: str, path: str, body: object = None, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else None

    def expect(self, status: int, method: str, path: str, body: object = None, token: str | None = None):
        got, answer = self.request(method, path, body, token)
        if got != status:
            raise SystemExit(f"{method} {path}: expected {status}, got {got}: {answer}")
        return answer

    def user(self, username: str, password: str, full_name: str, banker: bool = False) -> str:
        """Signs a user up (a banker if asked) and returns an access token."""
        self.expect(
            201,
            "POST",
            "/users",
            {"username": username, "password": password, "full_name": full_name, "email": f"{username}@example.com"},
        )
        if banker:
            self.cli("user", "set-role", username, "banker")
        login = self.expect(200, "POST", "/users/login", {"username": username, "password": password})
        return login["access_token"]
