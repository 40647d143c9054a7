"""A real `redis-server` on 127.0.0.1 for tests and the benchmark (installed by `make setup-redis`).

Started on a free port with persistence off and a throwaway password (OCI Cache also requires
authentication), in its own temporary directory; `stop()` ends only the process it started.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from router.testing.proxy import free_port

START_TIMEOUT_S = 15.0


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.dir = Path(tempfile.mkdtemp(prefix="genai-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed: run `make setup-redis`")
        conf = self.dir / "redis.conf"
        conf.write_text(
            f"bind 127.0.0.1\nport {self.port}\nrequirepass {self.password}\nsave \"\"\nappendonly no\n"
            f"dir {self.dir}\nprotected-mode yes\n",
            encoding="utf-8",
        )
        conf.chmod(0o600)
        self.proc = subprocess.Popen([exe, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=1)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited early")
            try:
                if client.ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"redis-server did not answer in {START_TIMEOUT_S}s")

    def client(self) -> object:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
