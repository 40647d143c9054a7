"""A real `redis-server` on 127.0.0.1 for tests and the benchmark (installed by `make setup-redis`).

Started on a free port with persistence off and a throwaway password, in its own temporary
directory; `stop()` ends only the process it started. With ``tls=True`` it listens with TLS only,
as OCI Cache does (core/ocicache.py), on a certificate for 127.0.0.1 from a throwaway CA written
to ``ca_file`` (point a client's SSL_CERT_FILE at it), and without a password, as OCI Cache's
system-defined ``default`` user has none.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from router.testing.proxy import free_port

START_TIMEOUT_S = 15.0


class RedisServer:
    def __init__(self, tls: bool = False) -> None:
        self.port = free_port()
        self.tls = tls
        self.password = "" if tls else secrets.token_hex(16)
        self.dir = Path(tempfile.mkdtemp(prefix="genai-redis-"))
        self.ca_file = self.dir / "ca.pem"
        self.proc: subprocess.Popen[bytes] | None = None

    def _tls_conf(self) -> str:
        """A throwaway CA and a server certificate for 127.0.0.1 (cryptography, as in the router venv)."""
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.UTC)
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "genai-test-ca")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .sign(ca_key, hashes.SHA256()))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        self.ca_file.write_bytes(ca.public_bytes(pem))
        (self.dir / "server.pem").write_bytes(cert.public_bytes(pem))
        key_file = self.dir / "server.key"
        key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        key_file.chmod(0o600)
        return (f"port 0\ntls-port {self.port}\ntls-cert-file {self.dir / 'server.pem'}\n"
                f"tls-key-file {key_file}\ntls-ca-cert-file {self.ca_file}\ntls-auth-clients no\n")

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed: run `make setup-redis`")
        conf = self.dir / "redis.conf"
        listen = self._tls_conf() if self.tls else f"port {self.port}\nrequirepass {self.password}\n"
        # Without a password protected mode would refuse clients; bind keeps it to loopback anyway.
        conf.write_text(
            f"bind 127.0.0.1\n{listen}save \"\"\nappendonly no\n"
            f"dir {self.dir}\nprotected-mode {'no' if self.tls else 'yes'}\n",
            encoding="utf-8",
        )
        conf.chmod(0o600)
        self.proc = subprocess.Popen([exe, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        import redis

        client = self.client(socket_timeout=1)
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

    def client(self, **kw: object) -> Any:
        import redis

        if self.tls:
            return redis.Redis(host="127.0.0.1", port=self.port, ssl=True, ssl_ca_certs=str(self.ca_file), **kw)
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, **kw)

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
