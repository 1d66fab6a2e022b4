"""The six assertions of issue #12's multi-replica proof. Each returns its timings for the
summary; any assertion that does not hold raises `Failure`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from harness import (CLIENT_TIMEOUT, DRAIN_SECONDS, REPLICAS, REPO, Cluster, Failure, Load,
                     call, check, expect, login, say, token_of, wait_for)

PASSWORD = "Cluster-test-password-1"
NEW_PASSWORD = "Cluster-test-password-2"
SUPER = ("cluster-super@example.org", "Cluster-super-password-1")
ADMIN = ("cluster-admin@example.org", "Cluster-admin-password-1")
LETTERS = 1000
MAIL_DOMAIN = "mail.cluster-test.example.org"
# Failed logins per (email, client address) before 429 (domain ThrottleLimits::login, docs/api.md),
# password-reset requests per email per hour (ThrottleLimits::reset_requests).
FREE_LOGIN_FAILURES = 10
FREE_RESET_REQUESTS = 5
# After pg_terminate_backend: every request must succeed again within this many seconds.
RECOVERY_LIMIT = 15


def timed(start: float) -> float:
    return round(time.monotonic() - start, 2)


# --- 1. concurrent migrations ------------------------------------------------------------------


def migrate_at_once(c: Cluster) -> dict:
    """All replicas run `genascope migrate` at the same moment against the empty database."""
    started = time.monotonic()
    procs = []
    for i in range(REPLICAS):
        log = open(c.log_path(i), "ab")  # noqa: SIM115
        procs.append(subprocess.Popen([c.binary, "migrate"], env=c.env(i), stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=subprocess.STDOUT))
        log.close()
    codes = [p.wait(180) for p in procs]
    took = timed(started)
    check(codes == [0] * REPLICAS, f"migrate exit statuses {codes}, expected all 0")
    dirs = sum(1 for d in (REPO / "migrations" / "postgres").iterdir() if (d / "up.sql").is_file())
    rows, distinct = c.sql("SELECT count(*), count(DISTINCT version) FROM __diesel_schema_migrations").split("|")
    check(int(rows) == dirs == int(distinct),
          f"__diesel_schema_migrations holds {rows} rows ({distinct} distinct), {dirs} migrations exist")
    say(f"PASS migrations: 3 concurrent `migrate` exited 0; {rows} rows = {dirs} migrations ({took} s)")
    return {"migrations": dirs, "seconds": took}


# --- fixtures ----------------------------------------------------------------------------------


def bring_up(c: Cluster) -> dict:
    """The super admin (CLI), the replicas, HAProxy, an account with its admin, 20 patients."""
    done = c.run_command(0, ["create-super-admin", "--email", SUPER[0], "--name", "Cluster Super"],
                         {"GENASCOPE_ADMIN_PASSWORD": SUPER[1]})
    check(done.returncode == 0, "create-super-admin failed")
    started = time.monotonic()
    for i in range(REPLICAS):
        c.start(i)
    for i in range(REPLICAS):
        c.wait_ready(i)
    c.start_haproxy()
    for i in range(REPLICAS):
        c.wait_lb(i, "UP", 20)
    took = timed(started)
    lb = c.lb_port
    super_token = token_of(lb, *SUPER)
    expect(call(lb, "POST", "/api/admin/create_account", token=super_token, json_body={
        "name": "Cluster Clinic", "admin_email": ADMIN[0], "admin_name": "Cluster Admin",
        "admin_password": ADMIN[1]}), 201, "create_account")
    admin = token_of(lb, *ADMIN)
    patients = [{"first_name": "Load", "last_name": f"Patient{n}", "email": f"load{n}@example.org"}
                for n in range(20)]
    report = expect(call(lb, "POST", "/api/patients/bulk", token=admin,
                         json_body={"patients": patients}), 200, "20 patients").body
    check(report["successful_count"] == 20, f"patients/bulk: {report}")
    listed = expect(call(lb, "GET", "/api/patients/?limit=20", token=admin), 200, "patients").body
    say(f"cluster up: replicas on {c.ports}, HAProxy on {lb}, all UP ({took} s)")
    return {"admin": admin, "patients": [p["id"] for p in listed], "start_seconds": took}


def mixed_load(port: int, admin: str, patients: list[str], threads: int) -> Load:
    """Reads, and writes that HAProxy never repeats (PUT: see deploy/haproxy/haproxy.cfg), each
    thread updating its own patient."""
    return Load(port, admin, [
        ("GET", "/api/auth/me", None),
        ("GET", "/api/patients/?limit=20", None),
        ("PUT", "/api/patients/{id}", {"notes": "updated under load"}),
    ], threads=threads, ids=patients).start()


def new_user(c: Cluster, admin: str, name: str) -> tuple[str, str]:
    email = f"{name}@example.org"
    created = expect(call(c.lb_port, "POST", "/api/users", token=admin, json_body={
        "email": email, "name": f"Cluster {name}", "role": "clinician", "password": PASSWORD}),
        201, f"creating user {name}").body
    return email, created["id"]


def me(c: Cluster, i: int, token: str) -> int:
    return call(c.ports[i], "GET", "/api/auth/me", token=token).status


# --- 3. revocation across replicas -------------------------------------------------------------


def refused_elsewhere(c: Cluster, token: str, what: str, others=(1, 2)) -> None:
    """The very next request with `token` on each of `others` is 401 (no polling)."""
    for i in others:
        status = me(c, i, token)
        check(status == 401, f"{what}: replica {i + 1} answered {status} to the next request, not 401")


def warm(c: Cluster, token: str, what: str) -> None:
    for i in range(REPLICAS):
        check(me(c, i, token) == 200, f"{what}: replica {i + 1} refused a fresh token")


def revocation(c: Cluster, admin: str, label: str = "") -> dict:
    started = time.monotonic()
    # Logout through A.
    email, _ = new_user(c, admin, f"logout{label}")
    token = token_of(c.ports[0], email, PASSWORD)
    warm(c, token, "logout")
    expect(call(c.ports[0], "POST", "/api/auth/logout", token=token, json_body={}), 200, "logout on A")
    refused_elsewhere(c, token, "logged-out token")
    # Deactivation by an admin through A.
    email, user_id = new_user(c, admin, f"deactivated{label}")
    token = token_of(c.ports[1], email, PASSWORD)
    warm(c, token, "deactivation")
    expect(call(c.ports[0], "PUT", f"/api/users/{user_id}", token=admin,
                json_body={"is_active": False}), 200, "deactivating on A")
    refused_elsewhere(c, token, "deactivated user's token")
    expect(login(c.ports[2], email, PASSWORD), 400, "deactivated user's login on C")
    # Password change through A: the other session's token and the old password stop working.
    email, _ = new_user(c, admin, f"password{label}")
    mine = token_of(c.ports[0], email, PASSWORD)
    other = token_of(c.ports[1], email, PASSWORD)
    warm(c, other, "password change")
    fresh = expect(call(c.ports[0], "POST", "/api/auth/change-password", token=mine, json_body={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD}), 200, "changing the password on A").body["access_token"]
    refused_elsewhere(c, other, "token of another session after a password change")
    refused_elsewhere(c, mine, "the changing session's old token")
    for i in (1, 2):
        check(me(c, i, fresh) == 200, f"replica {i + 1} refused the token issued by the change")
    expect(login(c.ports[2], email, PASSWORD), 401, "the old password on C")
    expect(login(c.ports[1], email, NEW_PASSWORD), 200, "the new password on B")
    took = timed(started)
    say(f"PASS revocation{label}: logout, deactivation and password change on A refused by B and C "
        f"on their next request ({took} s)")
    return {"seconds": took}


# --- 4. the shared login and reset limits -----------------------------------------------------


def shared_limits(c: Cluster, admin: str) -> dict:
    started = time.monotonic()
    email, _ = new_user(c, admin, "limited")
    statuses = []
    for n in range(FREE_LOGIN_FAILURES + 1):
        statuses.append(login(c.ports[n % REPLICAS], email, "Wrong-password-123").status)
    want = [401] * FREE_LOGIN_FAILURES + [429]
    check(statuses == want, f"wrong passwords round-robin over A, B, C answered {statuses}, want {want}")
    # The delay holds on every replica, also for the right password.
    right = login(c.ports[(FREE_LOGIN_FAILURES + 1) % REPLICAS], email, PASSWORD)
    check(right.status == 429 and "retry-after" in right.headers,
          f"the right password during the delay answered {right.status}, want 429 with Retry-After")
    # Password-reset requests: 5 per email per hour, the 6th refused wherever it lands.
    resets = []
    for n in range(FREE_RESET_REQUESTS + 1):
        resets.append(call(c.ports[n % REPLICAS], "POST", "/api/auth/password-reset/request",
                           json_body={"email": email}).status)
    want = [200] * FREE_RESET_REQUESTS + [429]
    check(resets == want, f"reset requests round-robin answered {resets}, want {want}")
    took = timed(started)
    say(f"PASS limits: failed login {FREE_LOGIN_FAILURES + 1} is 429 across A, B, C (and the right "
        f"password during the delay); reset request {FREE_RESET_REQUESTS + 1} is 429 ({took} s)")
    return {"seconds": took}


# --- 2. rolling restart under load -------------------------------------------------------------


def rolling_restart(c: Cluster, admin: str, patients: list[str]) -> dict:
    load = mixed_load(c.lb_port, admin, patients, threads=6)
    steps = []
    try:
        wait_for(lambda: load.count() >= 300, 60, "300 requests of warm-up load")
        started = time.monotonic()
        for i in range(REPLICAS):
            t0 = time.monotonic()
            old_pid = c.procs[i].pid
            c.procs[i].send_signal(signal.SIGTERM)
            out = c.wait_lb(i, "DOWN", 10)
            code = c.procs[i].wait(DRAIN_SECONDS + 45)
            check(code == 0, f"replica {i + 1} exited with {code} after SIGTERM")
            stopped = time.monotonic() - t0
            c.start(i)
            c.wait_ready(i)
            back = c.wait_lb(i, "UP", 30)
            steps.append({"replica": i + 1, "out_of_lb_s": round(out, 2), "exited_s": round(stopped, 2),
                          "back_in_lb_s": round(time.monotonic() - t0, 2)})
            check(c.procs[i].pid != old_pid, "the replica was not restarted")
            say(f"replica {i + 1}: out of HAProxy after {out:.2f} s, exited 0 after {stopped:.2f} s, "
                f"back UP after {time.monotonic() - t0:.2f} s (rise took {back:.2f} s)")
        restarted = time.monotonic()
        before = {n: int(r["hrsp_2xx"]) for n, r in c.haproxy_stats().items() if n.startswith("replica")}
        # Each restarted replica takes traffic again.
        wait_for(lambda: all(int(c.haproxy_stats()[n]["hrsp_2xx"]) > before[n] + 20 for n in before),
                 30, "every restarted replica answering requests")
    finally:
        load.stop()
    stats = c.haproxy_stats()
    retried = {n: (int(r["wretr"] or 0), int(r["wredis"] or 0)) for n, r in stats.items()
               if n.startswith("replica")}
    summary = load.summary(started, restarted)
    failed = load.failures()
    check(not failed, f"{len(failed)} failed requests during the rolling restart, e.g. "
                      f"{[f.detail for f in failed[:5]]}")
    total = load.summary()
    check(total["requests"] >= 1000, f"only {total['requests']} requests: the load did not run")
    say(f"PASS rolling restart: {total['requests']} requests, 0 failed; during the restarts "
        f"{summary}; HAProxy retries/redispatches per replica {retried}")
    return {"restart_seconds": round(restarted - started, 2), "steps": steps, "during": summary,
            "total": total, "retries_redispatches": retried}


# --- 5. 1,000 emails through an SMTP outage ----------------------------------------------------


def pending_emails(c: Cluster) -> int:
    return int(c.sql("SELECT count(*) FROM outbox WHERE kind = 'email' "
                     "AND sent_at IS NULL AND dead_at IS NULL"))


def outbox_outage(c: Cluster, admin: str, sink) -> dict:
    lb = c.lb_port
    check(not sink_listening(c), "something already listens on the sink's port")
    started = time.monotonic()
    people = [{"first_name": "Mail", "last_name": f"Patient{n}", "email": f"letter{n:04d}@{MAIL_DOMAIN}"}
              for n in range(LETTERS)]
    report = expect(call(lb, "POST", "/api/patients/bulk", token=admin, json_body={"patients": people},
                         timeout=120), 200, "1,000 patients").body
    check(report["successful_count"] == LETTERS, f"patients/bulk: {report['successful_count']} created")
    listed = expect(call(lb, "GET", f"/api/patients/?limit=1000&query={MAIL_DOMAIN}", token=admin,
                         timeout=60), 200, "listing the 1,000").body
    ids = [p["id"] for p in listed]
    check(len(ids) == LETTERS, f"listed {len(ids)} patients, want {LETTERS}")
    for k in range(0, LETTERS, 100):
        sent = expect(call(lb, "POST", "/api/bulk_invite", token=admin, timeout=120, json_body={
            "patients": [{"patient_id": p} for p in ids[k:k + 100]], "send_emails": True}),
            200, "bulk_invite").body
        check(sent["total_sent"] == 100 and sent["total_failed"] == 0, f"bulk_invite: {sent['failed'][:3]}")
    queued = timed(started)
    check(pending_emails(c) >= LETTERS, "fewer than 1,000 emails pending in the outbox")
    # The workers meet the outage: some letters have failed attempts before the sink exists.
    wait_for(lambda: int(c.sql("SELECT count(*) FROM outbox WHERE kind = 'email' AND attempts > 0 "
                               "AND sent_at IS NULL")) >= 1, 30, "a failed delivery attempt while the sink is down")
    failed_before = int(c.sql("SELECT count(*) FROM outbox WHERE kind = 'email' AND attempts > 0"))
    offsets = [c.log_path(i).stat().st_size for i in range(REPLICAS)]
    sink.start()
    back = time.monotonic()

    def ours() -> dict[str, int]:
        return {r: n for r, n in sink.snapshot()[1].items() if r.endswith("@" + MAIL_DOMAIN)}

    wait_for(lambda: len(ours()) >= LETTERS, 300, "1,000 letters at the sink", interval=0.2)
    delivered = timed(back)
    try:
        wait_for(lambda: pending_emails(c) == 0, 60, "an outbox with nothing pending", interval=0.2)
    except Exception:
        # Say what is left (no payloads: they hold addresses and links).
        say("pending: " + c.sql("SELECT string_agg(concat_ws(' ', attempts, next_attempt_at, "
                                "locked_until, last_error, now()), ' | ') FROM outbox WHERE kind = 'email' "
                                "AND sent_at IS NULL AND dead_at IS NULL"))
        raise
    drained = timed(back)
    got = ours()
    twice = {r: n for r, n in got.items() if n != 1}
    check(len(got) == LETTERS and not twice,
          f"{len(got)} distinct letters, {len(twice)} delivered more than once: {list(twice.items())[:5]}")
    messages, _ = sink.snapshot()
    sent_rows = int(c.sql("SELECT count(*) FROM outbox WHERE kind = 'email' AND sent_at IS NOT NULL"))
    dead = int(c.sql("SELECT count(*) FROM outbox WHERE dead_at IS NOT NULL"))
    check(messages == sent_rows, f"the sink received {messages} messages, the outbox marked {sent_rows} sent")
    check(dead == 0, f"{dead} dead letters")
    # Every replica's worker took part (each logs one line per message it delivered).
    by_replica = [delivered_since(c.log_path(i), offsets[i]) for i in range(REPLICAS)]
    check(all(by_replica) and sum(by_replica) == messages,
          f"deliveries per replica {by_replica}, {messages} messages at the sink")
    rate = round(LETTERS / max(delivered, 0.001), 1)
    say(f"PASS outbox: 1,000 letters queued in {queued} s while the sink was down ({failed_before} "
        f"had failed attempts); all delivered exactly once {delivered} s after it came back "
        f"({rate}/s), outbox empty after {drained} s; {messages} messages = {sent_rows} rows sent, "
        f"by replica {by_replica}")
    return {"queue_seconds": queued, "deliver_seconds": delivered, "per_second": rate,
            "drained_seconds": drained, "failed_attempts_before": failed_before,
            "delivered_by_replica": by_replica}


def delivered_since(log: Path, offset: int) -> int:
    with open(log, "rb") as f:
        f.seek(offset)
        return f.read().count(b"outbox message delivered")


def sink_listening(c: Cluster) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", c.smtp_port)) == 0


# --- 6. PostgreSQL's connections killed under load --------------------------------------------


class ReadyWatch:
    """Polls each replica's /ready directly; records when it answered other than 200."""

    def __init__(self, c: Cluster):
        import threading

        self.c = c
        self.not_ready: list[list[float]] = [[] for _ in range(REPLICAS)]
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(REPLICAS)]
        for t in self.threads:
            t.start()

    def _run(self, i: int) -> None:
        while not self.stopping.is_set():
            if not self.c.ready(i):
                self.not_ready[i].append(time.monotonic())
            self.stopping.wait(0.05)

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(5)

    def seen_since(self, since: float) -> list[float | None]:
        """Per replica: seconds from `since` to its first non-200 /ready, or None."""
        return [next((t - since for t in times if t >= since), None) for times in self.not_ready]


def database_kill(c: Cluster, admin: str, patients: list[str]) -> dict:
    """Under load: (1) every backend of the database terminated, the database up; (2) an outage:
    new connections refused (ALLOW_CONNECTIONS false) and every backend terminated, until each
    replica's /ready says 503, then connections allowed again."""
    pids = [p.pid for p in c.procs]
    through_lb = mixed_load(c.lb_port, admin, patients[:4], threads=4)
    direct = [mixed_load(port, admin, [patients[4 + i]], threads=1) for i, port in enumerate(c.ports)]
    loads = [through_lb, *direct]
    watch = ReadyWatch(c)
    retries_before = lb_retries(c)
    try:
        wait_for(lambda: through_lb.count() >= 200 and all(d.count() >= 50 for d in direct), 60,
                 "warm-up load")
        killed_at = time.monotonic()
        killed = terminate_backends(c)
        check(killed >= REPLICAS, f"only {killed} backends terminated")
        kill = recovery(loads, killed_at, killed_at, "after the kill")
        kill.update(backends=killed, ready_not_200=watch.seen_since(killed_at))

        outage_at = time.monotonic()
        c.admin_sql(f'ALTER DATABASE "{c.db_name}" WITH ALLOW_CONNECTIONS false')
        c.db_refusing = True
        terminate_backends(c)
        wait_for(lambda: all(watch.seen_since(outage_at)), 20, "every replica's /ready answering 503")
        seen = [round(t, 2) for t in watch.seen_since(outage_at)]
        all_down = wait_for(lambda: all(c.lb_status(i) == "DOWN" for i in range(REPLICAS)) and time.monotonic(),
                            20, "HAProxy marking every replica DOWN")
        restored_at = time.monotonic()
        c.admin_sql(f'ALTER DATABASE "{c.db_name}" WITH ALLOW_CONNECTIONS true')
        c.db_refusing = False
        outage = recovery(loads, outage_at, restored_at, "after the outage")
        back_up = wait_for(lambda: all(c.lb_status(i) == "UP" for i in range(REPLICAS)) and time.monotonic(),
                           RECOVERY_LIMIT, "HAProxy marking every replica UP again")
        outage.update(ready_503_after_s=seen, all_down_after_s=round(all_down - outage_at, 2),
                      outage_s=round(restored_at - outage_at, 2),
                      all_up_after_restore_s=round(back_up - restored_at, 2))
    finally:
        for load in loads:
            load.stop()
        watch.stop()
    retried = lb_retries(c) - retries_before
    slowest = max(load.summary(killed_at).get("max_ms", 0) for load in loads)
    timeouts = [f for load in loads for f in load.failures() if "timed out" in f.detail]
    check(not timeouts, f"{len(timeouts)} requests hung until the client's {CLIENT_TIMEOUT} s timeout")
    check(slowest < CLIENT_TIMEOUT * 1000, f"a request took {slowest} ms")
    check([p.pid for p in c.procs] == pids and all(p.poll() is None for p in c.procs),
          "a replica exited or was restarted")
    for i in range(REPLICAS):
        check(c.ready(i), f"replica {i + 1} not ready after the recovery")
    say(f"PASS database kill: {killed} backends terminated with the database up: {kill}")
    say(f"PASS database outage: /ready 503 on every replica after {seen} s, all DOWN in HAProxy "
        f"after {outage['all_down_after_s']} s; connections allowed again after {outage['outage_s']} s: "
        f"{outage}; slowest request {slowest} ms (client timeout {CLIENT_TIMEOUT} s); "
        f"{retried} HAProxy retries; same processes")
    return {"kill": kill, "outage": outage, "slowest_ms": slowest, "lb_retried": retried}


def terminate_backends(c: Cluster) -> int:
    return int(c.admin_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           f"WHERE datname = '{c.db_name}' AND pid <> pg_backend_pid()"))


def recovery(loads: list[Load], since: float, cleared: float, what: str) -> dict:
    """Wait until every load has succeeded for 3 s on end after its last failure (started after
    `since`); that failure must end within RECOVERY_LIMIT of `cleared`."""

    def last_failure():
        return max((f.ended for load in loads for f in load.failures(since)), default=since)

    def quiet():
        last = last_failure()
        fresh = [load.count(last) for load in loads]
        return time.monotonic() - last >= 3 and fresh[0] >= 100 and all(n >= 20 for n in fresh[1:])

    wait_for(quiet, RECOVERY_LIMIT + 30, f"all requests succeeding again {what}")
    last = last_failure()
    took = round(max(0.0, last - cleared), 2)
    check(took <= RECOVERY_LIMIT, f"failures went on for {took} s {what}")
    failed = [len(load.failures(since)) for load in loads]
    kinds = sorted({f.detail.split(" (")[0].split(" /")[0] for load in loads for f in load.failures(since)})
    return {"last_failure_s": took, "failed_lb": f"{failed[0]}/{loads[0].count(since)}",
            "failed_direct": failed[1:], "kinds": kinds}


def lb_retries(c: Cluster) -> int:
    """Retries plus redispatches HAProxy made, all replicas."""
    return sum(int(r["wretr"] or 0) + int(r["wredis"] or 0)
               for n, r in c.haproxy_stats().items() if n.startswith("replica"))


def machine() -> dict:
    load1, load5, load15 = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(load1, 2), round(load5, 2), round(load15, 2)]}


__all__ = ["Failure", "bring_up", "database_kill", "machine", "migrate_at_once", "outbox_outage",
           "revocation", "rolling_restart", "shared_limits"]
