#!/usr/bin/env python3
"""The multi-replica proof of issue #12 (`just cluster-test`; docs/operations.md "Multi-replica
proof").

    python3 scripts/cluster_test/main.py PATH_TO_RELEASE_GENASCOPE

Three `genascope serve` replicas on free loopback ports, one fresh PostgreSQL database
(CLUSTER_PG_URL or GENASCOPE_TEST_PG_URL names the server; default
postgres://postgres@127.0.0.1:5432/postgres), HAProxy with deploy/haproxy/haproxy.cfg in front,
an aiosmtpd sink. Exits 0 only when every assertion held; every process and the database are
removed whatever happens (CLUSTER_KEEP=1 keeps the logs' directory).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import scenarios
from harness import Cluster, Failure, Sink, say


def main() -> int:
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print(__doc__, file=sys.stderr)
        return 2
    # SIGTERM (CI's timeout) unwinds like Ctrl-C, through the `finally` below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    admin_url = os.environ.get("CLUSTER_PG_URL") or os.environ.get(
        "GENASCOPE_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    work = Path(tempfile.mkdtemp(prefix="genascope-cluster."))
    cluster = Cluster(sys.argv[1], work, admin_url)
    sink = Sink(cluster.smtp_port)
    results: dict = {"machine_before": scenarios.machine()}
    started = time.monotonic()
    ok = False
    try:
        cluster.create_database()
        say(f"database {cluster.db_name}; work directory {work}")
        results["migrate"] = scenarios.migrate_at_once(cluster)
        up = scenarios.bring_up(cluster)
        admin, patients = up.pop("admin"), up.pop("patients")
        results["start"] = up
        results["revocation"] = scenarios.revocation(cluster, admin)
        results["limits"] = scenarios.shared_limits(cluster, admin)
        results["rolling_restart"] = scenarios.rolling_restart(cluster, admin, patients)
        results["outbox"] = scenarios.outbox_outage(cluster, admin, sink)
        results["database_kill"] = scenarios.database_kill(cluster, admin, patients)
        # The same revocation checks once more: whatever a replica keeps between requests must
        # have survived the killed connections.
        results["revocation_after_kill"] = scenarios.revocation(cluster, admin, "-after-kill")
        ok = True
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        results["machine_after"] = scenarios.machine()
        results["total_seconds"] = round(time.monotonic() - started, 1)
        if not ok:
            cluster.tail_logs()
        try:
            cluster.close()
        finally:
            sink.stop()
            if os.environ.get("CLUSTER_KEEP") == "1":
                print(f"logs kept in {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=1))
    say("cluster-test " + ("passed" if ok else "FAILED") + f" in {results['total_seconds']} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
