#!/usr/bin/python3
"""bench/http_load.py - the HTTP API under load while the nightly chain
runs (issue 8), side by side with the same chain without load, in one run:

    bench/http_load.py [--persons 400000] [--clients 200] [--rounds 3] [--out BENCHMARKS.md]
                       [--mysql-url URL] [--es-url URL] [--amqp-url URL] [--smoke]

On `demo-data --persons N` (2026 schema, after one chain so every run is a
night), one `tis-sync serve` runs the chain of eleven through
POST /api/v1/chain/runs, ROUNDS times without HTTP load and ROUNDS times
with it, alternating. The load is CLIENTS clients (asyncio, one keep-alive
connection each), half calling GET /api/v1/jobs and half GET /metrics with a
viewer token, each once a second at its own phase, from ten loopback
addresses (the service allows http.max_connections_per_address = 32 from
one address); it starts before the chain and lasts at least 30 s. Reported:
the chain's time (first start to last end, from the run history) per
round and the median of each side, and the latency p50 / p99 / max and the
errors of every request made while the chain ran.

It starts the servers it is not given (private to the run, as bench.py).
CI runs it with --smoke (600 persons, no engine or broker, 20 clients, one
round) only to keep it working: its figures mean nothing.
"""

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (BIN, ROOT, SEARCH_JOBS, TODAY, WORK, Database, add_server_args, start_servers,  # noqa: E402
                   stop_started, tis)

SECTION = "## The HTTP API under load while the chain runs"
MIN_LOAD_S = 30
ADDRESSES = 10


class Service:
    """One `tis-sync serve` on the bench database, its API on a free port."""

    def __init__(self, db, services):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIS_SYNC_", "DB", "ES_URLS", "RABBITMQ"))}
        env.update({"LOG_DIR": str(WORK), "TIS_SYNC_DB": db.url, "TIS_SYNC_HTTP_LISTEN": "127.0.0.1:0",
                    "TIS_SYNC_OWNER_MODE": "native", "TIS_SYNC_TODAY": TODAY, "TIS_SYNC_OUT_OF_DATE_POLICY": "skip",
                    "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00", "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00",
                    **services.env()})
        if not services.es_url:  # --smoke: the index jobs fail at once
            env.update({"TIS_SYNC_ES_URL": "http://127.0.0.1:1", "TIS_SYNC_ES_RETRIES": "0"})
        self.may_fail = set() if services.es_url else SEARCH_JOBS
        self.err = open(WORK / "http_load.serve.log", "w")
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = re.search(r"HTTP API on port (\d+)", Path(self.err.name).read_text())
            if m:
                self.port = int(m.group(1))
                return
            time.sleep(0.1)
        sys.exit("bench: serve did not start; see " + self.err.name)

    def api(self, method, path, token):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, data=b"" if method == "POST"
                                     else None, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.err.close()


def run_chain(service, token):
    """Runs the chain through the API; returns its seconds (from the history)."""
    runs = service.api("POST", "/api/v1/chain/runs", token)["runs"]
    ended = {}
    while len(ended) < len(runs):
        time.sleep(0.5)
        for r in runs:
            if r["id"] not in ended:
                run = service.api("GET", f"/api/v1/runs/{r['id']}", token)
                if run["status"] not in ("queued", "running"):
                    ended[r["id"]] = run
    bad = [r for r in ended.values() if r["status"] != "succeeded" and r["job"] not in service.may_fail]
    if bad:
        sys.exit(f"bench: the chain did not succeed: {bad}")
    first = min(r["startedAt"] for r in ended.values())
    last = max(r["finishedAt"] for r in ended.values())
    return iso_seconds(last) - iso_seconds(first), iso_seconds(first), iso_seconds(last)


def iso_seconds(text):
    from datetime import datetime
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


async def client(n, port, token, path, stop_at, samples, errors):
    """One client: a keep-alive connection, one GET a second at its own phase."""
    await asyncio.sleep(random.random())
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    reader = writer = None
    while time.time() < stop_at:
        tick = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                               local_addr=(f"127.0.1.{2 + n % ADDRESSES}", 0))
            sent = time.time()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
            await reader.readexactly(length)
            samples.append((sent, time.time() - sent, head.startswith(b"HTTP/1.1 200")))
        except (OSError, asyncio.IncompleteReadError, AttributeError, asyncio.LimitOverrunError) as e:
            errors.append((time.time(), repr(e)))
            if writer:
                writer.close()
            reader = writer = None
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    if writer:
        writer.close()


async def load(port, token, clients, seconds, samples, errors):
    stop_at = time.time() + seconds
    paths = ["/api/v1/jobs", "/metrics"]
    await asyncio.gather(*(client(i, port, token, paths[i % 2], stop_at, samples, errors) for i in range(clients)))


def loaded_chain(service, viewer, operator, clients, estimate):
    """The chain under load (the clients with the VIEWER token, the chain
    started with the OPERATOR's); returns (seconds, samples during the
    chain, errors during it)."""
    import threading
    samples, errors = [], []
    seconds = max(MIN_LOAD_S, estimate * 1.5 + 5)
    t = threading.Thread(target=lambda: asyncio.run(load(service.port, viewer, clients, seconds, samples, errors)))
    t.start()
    time.sleep(2)  # every client connected and calling
    took, first, last = run_chain(service, operator)
    t.join()
    during = [s for s in samples if first <= s[0] <= last]
    return took, during, [e for e in errors if first <= e[0] <= last]


def new_token(db, name, role):
    cp = subprocess.run([BIN, "token", "new", name, "--role", role], capture_output=True, text=True, check=True,
                        env={**os.environ, "TIS_SYNC_DB": db.url, "LOG_DIR": str(WORK)})
    return cp.stdout.strip().splitlines()[-1]


def ms(values, p):
    """The P-th percentile (nearest rank) of VALUES, as text."""
    if not values:
        return "-"
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]:.1f} ms"


def report(args, counts, quiet, loaded, samples, errors, command):
    p, pl, pm, po = counts
    lat = [s[1] * 1000 for s in samples]
    non_200 = sum(1 for s in samples if not s[2])
    q, l_ = statistics.median(quiet), statistics.median(loaded)
    lines = [SECTION, "",
             f"{p:,} persons ({pl:,} placements, {pm:,} programme memberships, {po:,} posts), 2026 schema, every "
             f"chain a night; {args.clients} clients, half on GET /api/v1/jobs and half on GET /metrics, each once "
             "a second on a keep-alive connection, from ten loopback addresses. Produced by:", "",
             f"    {command}", "",
             "| round | chain without HTTP load | chain under load |", "|---|---|---|"]
    lines += [f"| {i + 1} | {a:.2f} s | {b:.2f} s |" for i, (a, b) in enumerate(zip(quiet, loaded))]
    lines += [f"| median | {q:.2f} s | {l_:.2f} s ({l_ / q:.3f}x; target <= 1.05x) |", "",
              "| requests while the chain ran | p50 | p99 | max | errors (no answer or not 200) | target |",
              "|---|---|---|---|---|---|",
              f"| {len(lat):,} | {ms(lat, 50)} | {ms(lat, 99)} | {ms(lat, 100)} | {len(errors) + non_200} | "
              "no errors, p99 < 50 ms |", ""]
    return "\n".join(lines)


def write_section(path, text):
    """Replaces (or appends) the section in BENCHMARKS.md."""
    old = Path(path).read_text(encoding="utf-8") if Path(path).exists() else "# Benchmarks\n"
    parts = old.split(SECTION)
    if len(parts) > 1:
        rest = parts[1].split("\n## ", 1)
        old = parts[0] + (("## " + rest[1]) if len(rest) > 1 else "")
    Path(path).write_text(old.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=400000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    add_server_args(ap)
    args = ap.parse_args()
    if args.smoke:
        args.persons, args.clients, args.rounds = 600, 20, 1
    WORK.mkdir(parents=True, exist_ok=True)
    try:
        server, services = start_servers(args)
        db = Database(server, f"bench_http_{args.persons}")
        tis(db.url, "init-db", "--tcs")
        tis(db.url, "demo-data", "--persons", str(args.persons), "--seed", "42")
        counts = db.query("SELECT (SELECT COUNT(*) FROM Person), (SELECT COUNT(*) FROM Placement), "
                          "(SELECT COUNT(*) FROM ProgrammeMembership), (SELECT COUNT(*) FROM Post)")[0]
        env = {**services.env(), "TIS_SYNC_OWNER_MODE": "native"}
        viewer, operator = (new_token(db, name, role) for name, role in (("bench", "viewer"), ("bench-op", "operator")))
        tis(db.url, "run", *services.jobs(), "--today", TODAY, env=env)  # from now on every chain is a night
        service = Service(db, services)
        quiet, loaded, samples, errors = [], [], [], []
        try:
            for _ in range(args.rounds):
                quiet.append(run_chain(service, operator)[0])
                took, during, errs = loaded_chain(service, viewer, operator, args.clients, quiet[-1])
                loaded.append(took)
                samples += during
                errors += errs
        finally:
            service.stop()
        db.drop()
    finally:
        stop_started(args.keep_servers)
    command = "bench/http_load.py --smoke" if args.smoke else \
        f"bench/http_load.py --persons {args.persons} --clients {args.clients} --rounds {args.rounds}"
    text = report(args, counts, quiet, loaded, samples, errors, command)
    if not args.smoke:
        write_section(args.out, text)
    print(text)
    if not samples and not args.smoke:
        sys.exit("bench: no request was answered while the chain ran")


if __name__ == "__main__":
    main()
