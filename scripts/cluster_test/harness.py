"""The pieces of the multi-replica proof (issue #12): a throwaway PostgreSQL database, three
`genascope serve` replicas, HAProxy in front of them (deploy/haproxy/haproxy.cfg as shipped), an
SMTP sink (aiosmtpd) and a load generator. Python 3 standard library plus aiosmtpd only.

Nothing here sleeps to synchronise: every wait is a poll with a deadline (`wait_for`).
"""

from __future__ import annotations

import base64
import csv
import http.client
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HAPROXY_CFG = REPO / "deploy" / "haproxy" / "haproxy.cfg"
REPLICAS = 3
# SIGTERM drain of the replicas in this test (production default 10 s): must exceed HAProxy's
# detection (fall 2 x inter 1 s + a check timeout of 2 s at worst), see deploy/haproxy/README.md.
DRAIN_SECONDS = 5
# A request waits at most this long for a database connection; nothing else bounds a request
# on the server side, so clients give up after it plus a margin.
DB_CONNECT_TIMEOUT = 5
CLIENT_TIMEOUT = DB_CONNECT_TIMEOUT + 5


class Failure(Exception):
    """An assertion of the proof did not hold."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: object
    headers: dict


def call(port: int, method: str, path: str, *, token: str | None = None, json_body=None,
         form: dict | None = None, timeout: float = CLIENT_TIMEOUT) -> Reply:
    """One request on a new connection; the body parsed as JSON when it is JSON."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        return Reply(r.status, body, {k.lower(): v for k, v in r.getheaders()})
    finally:
        conn.close()


def expect(reply: Reply, status: int, what: str) -> Reply:
    check(reply.status == status, f"{what}: expected {status}, got {reply.status} {reply.body}")
    return reply


def login(port: int, email: str, password: str) -> Reply:
    return call(port, "POST", "/api/auth/token",
                form={"username": email, "password": password, "grant_type": "password"})


def token_of(port: int, email: str, password: str) -> str:
    return expect(login(port, email, password), 200, f"login of {email}").body["access_token"]


# --- PostgreSQL (through psql: no driver in the standard library) ------------------------------


def psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise Failure(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


# --- the SMTP sink -----------------------------------------------------------------------------


class Sink:
    """aiosmtpd on a loopback port, recording every message's recipients."""

    def __init__(self, port: int):
        self.port = port
        self.lock = threading.Lock()
        self.messages = 0
        self.recipients: dict[str, int] = {}
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                with sink.lock:
                    sink.messages += 1
                    for rcpt in envelope.rcpt_tos:
                        key = rcpt.lower()
                        sink.recipients[key] = sink.recipients.get(key, 0) + 1
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def snapshot(self) -> tuple[int, dict[str, int]]:
        with self.lock:
            return self.messages, dict(self.recipients)


# --- load --------------------------------------------------------------------------------------


@dataclass
class Sample:
    started: float
    ended: float
    ok: bool
    detail: str


@dataclass
class Load:
    """Threads sending requests in a loop on kept-alive connections, every request recorded.
    `requests` are (method, path, JSON body or None); thread k starts at the k-th and takes them
    in turn. `{id}` in a path is replaced by the thread's own item of `ids` (each thread writes
    its own record, so no two writes race)."""

    port: int
    token: str
    requests: list[tuple[str, str, object]]
    threads: int
    ids: list[str] = field(default_factory=lambda: [""])
    timeout: float = CLIENT_TIMEOUT
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> "Load":
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.workers.append(t)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for t in self.workers:
            t.join(self.timeout + 5)

    def _run(self, index: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        conn = None
        n = index
        while not self.stopping.is_set():
            method, path, body = self.requests[n % len(self.requests)]
            path = path.replace("{id}", self.ids[index % len(self.ids)])
            data = None if body is None else json.dumps(body).encode()
            n += 1
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request(method, path, body=data, headers=headers)
                r = conn.getresponse()
                r.read()
                ok, detail = r.status == 200, f"{r.status} {method} {path}"
                if r.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                ok, detail = False, f"{type(e).__name__}: {e} ({method} {path})"
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.samples.append(Sample(started, time.monotonic(), ok, detail))
        if conn is not None:
            conn.close()

    def count(self, since: float = 0.0) -> int:
        with self.lock:
            return sum(1 for s in self.samples if s.started >= since)

    def failures(self, since: float = 0.0) -> list[Sample]:
        with self.lock:
            return [s for s in self.samples if not s.ok and s.started >= since]

    def summary(self, since: float = 0.0, until: float = float("inf")) -> dict:
        with self.lock:
            window = [s for s in self.samples if since <= s.started < until]
        if not window:
            return {"requests": 0, "failed": 0}
        latencies = sorted(s.ended - s.started for s in window)
        span = max(s.ended for s in window) - min(s.started for s in window)
        return {
            "requests": len(window),
            "failed": sum(1 for s in window if not s.ok),
            "rps": round(len(window) / span, 1) if span > 0 else None,
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
            "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1),
        }


# --- the cluster -------------------------------------------------------------------------------


class Cluster:
    """One throwaway database, three replicas, HAProxy; `close` undoes everything."""

    def __init__(self, binary: str, work: Path, admin_url: str):
        self.binary = binary
        self.work = work
        self.admin_url = admin_url
        self.db_name = "genascope_cluster_" + secrets.token_hex(4)
        self.db_url = with_database(admin_url, self.db_name)
        self.ports = [free_port() for _ in range(REPLICAS)]
        self.lb_port = free_port()
        self.smtp_port = free_port()
        self.stats_socket = work / "haproxy.sock"
        self.procs: list[subprocess.Popen | None] = [None] * REPLICAS
        self.haproxy: subprocess.Popen | None = None
        self.db_created = False
        self.db_refusing = False
        self.jwt_secret = base64.b64encode(secrets.token_bytes(48)).decode()

    # database
    def create_database(self) -> None:
        psql(self.admin_url, f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

    def drop_database(self) -> None:
        if self.db_refusing:
            psql(self.admin_url, f'ALTER DATABASE "{self.db_name}" WITH ALLOW_CONNECTIONS true')
        if self.db_created:
            psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.db_created = False

    def sql(self, query: str) -> str:
        return psql(self.db_url, query)

    def admin_sql(self, query: str) -> str:
        return psql(self.admin_url, query)

    # replicas
    def env(self, i: int) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GENASCOPE_", "DATABASE_", "SMTP_", "OUTBOX_", "MAIL_", "S3_"))}
        data_dir = self.work / f"replica{i + 1}"
        data_dir.mkdir(exist_ok=True)
        env.update({
            "APP_ENV": "production",
            "HOST": "127.0.0.1",
            "PORT": str(self.ports[i]),
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": self.db_url,
            "DATABASE_POOL_SIZE": "10",
            "DATABASE_CONNECT_TIMEOUT": str(DB_CONNECT_TIMEOUT),
            "JWT_SECRET": self.jwt_secret,
            "FRONTEND_BASE_URL": "https://cluster-test.example.org",
            "TRUSTED_PROXIES": "127.0.0.1",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "SMTP_TLS": "none",
            "FROM_EMAIL": "no-reply@cluster-test.example.org",
            # Short retry intervals, so delivery resumes within seconds of the sink's return,
            # and enough attempts that nothing goes dead while it is down.
            "OUTBOX_BACKOFF_BASE_MS": "250",
            "OUTBOX_BACKOFF_MAX_SECONDS": "2",
            "OUTBOX_MAX_ATTEMPTS": "100",
            "OUTBOX_POLL_SECONDS": "1",
            # A worker stopped by the rolling restart leaves the messages it had claimed leased
            # until the lease ends (default 120 s: longer than the outbox scenario's 60 s drain
            # wait, which once failed on it). 10 s stays far above a loopback send.
            "OUTBOX_LEASE_SECONDS": "10",
            "SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
            # One admin token drives the whole load: no per-user read limit (as in bench-http).
            "READ_RATE_LIMIT": "0",
            "RUST_LOG": "info",
        })
        return env

    def log_path(self, i: int) -> Path:
        return self.work / f"replica{i + 1}.log"

    def run_command(self, i: int, args: list[str], extra_env: dict | None = None,
                    timeout: float = 120) -> subprocess.CompletedProcess:
        env = self.env(i)
        env.update(extra_env or {})
        with open(self.log_path(i), "ab") as log:
            return subprocess.run([self.binary, *args], env=env, stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)

    def start(self, i: int) -> None:
        log = open(self.log_path(i), "ab")  # noqa: SIM115 (owned by the child from here on)
        self.procs[i] = subprocess.Popen([self.binary, "serve"], env=self.env(i),
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def ready(self, i: int) -> bool:
        try:
            return call(self.ports[i], "GET", "/ready", timeout=2).status == 200
        except OSError:
            return False

    def wait_ready(self, i: int, timeout: float = 60) -> None:
        def up():
            proc = self.procs[i]
            if proc is not None and proc.poll() is not None:
                raise Failure(f"replica {i + 1} exited with {proc.returncode} during start-up")
            return self.ready(i)
        wait_for(up, timeout, f"replica {i + 1} answering /ready")

    def terminate(self, i: int, timeout: float) -> int:
        """SIGTERM, then wait for the exit; SIGKILL (and fail) after `timeout`."""
        proc = self.procs[i]
        assert proc is not None
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Failure(f"replica {i + 1} did not exit within {timeout:.0f} s of SIGTERM")

    # HAProxy
    def start_haproxy(self) -> None:
        env = dict(os.environ)
        env.update({
            "GENASCOPE_LB_BIND": f"127.0.0.1:{self.lb_port}",
            "HAPROXY_STATS_SOCKET": str(self.stats_socket),
            **{f"GENASCOPE_REPLICA_{i + 1}": f"127.0.0.1:{p}" for i, p in enumerate(self.ports)},
        })
        checked = subprocess.run(["haproxy", "-c", "-q", "-f", str(HAPROXY_CFG)], env=env,
                                 capture_output=True, text=True, check=False)
        check(checked.returncode == 0, f"haproxy -c refused the config: {checked.stderr}")
        log = open(self.work / "haproxy.log", "ab")  # noqa: SIM115
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(HAPROXY_CFG)], env=env,
                                        stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: self.stats_socket.exists(), 10, "HAProxy's stats socket")

    def haproxy_stats(self) -> dict[str, dict]:
        """`show stat` of the backend's servers, by name (replica1..3)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.stats_socket))
            s.sendall(b"show stat\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        text = b"".join(chunks).decode().lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {r["svname"]: r for r in rows if r["pxname"] == "genascope"}

    def lb_status(self, i: int) -> str:
        return self.haproxy_stats()[f"replica{i + 1}"]["status"]

    def wait_lb(self, i: int, want: str, timeout: float) -> float:
        """Until HAProxy reports replica i exactly `want` (UP or DOWN); returns the time taken."""
        started = time.monotonic()
        wait_for(lambda: self.lb_status(i) == want, timeout,
                 f"HAProxy marking replica {i + 1} {want}")
        return time.monotonic() - started

    # teardown
    def close(self) -> None:
        for i, proc in enumerate(self.procs):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc is not None:
                try:
                    proc.wait(DRAIN_SECONDS + 40)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.terminate()
            try:
                self.haproxy.wait(10)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
                self.haproxy.wait()
        self.drop_database()

    def tail_logs(self, lines: int = 25) -> None:
        for path in sorted(self.work.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"--- last lines of {path.name} ---")
            print("\n".join(text))
