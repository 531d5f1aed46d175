#!/usr/bin/python3
"""bench/soak.py - tis-sync serve for a long while (issue 10): the six jobs
of 2019 every 2 minutes on `demo-data --persons N` (MariaDB and OpenSearch,
private to the run unless given), for MINUTES minutes:

    bench/soak.py [--persons 100000] [--minutes 30] [--every 2] [--bin build-asan/tis-sync]
                  [--mysql-url URL] [--es-url URL] [--keep-servers]

Every 30 s it samples the service's resident memory, open file descriptors
and threads (/proc/PID); at the end it stops the service with SIGTERM and,
for an ASan build, reads its LeakSanitizer report. It prints the first and
last samples, every run's outcome from the history, and exits 1 when a run
did not succeed, a figure grew by more than its allowance, or a leak was
reported. Not a CI test: RELIABILITY.md records its figures.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ROOT, WORK, Database, Services, start, stop_started, tis  # noqa: E402

JOBS6 = ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
         "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PersonElasticSearchSyncJob"]
CRON = {"PersonOwnerRebuildJob": "PERSONOWNERREBUILDJOB",
        "PersonPlacementEmployingBodyTrustJob": "PERSONPLACEMENTEMPLOYINGBODYTRUSTJOB",
        "PersonPlacementTrainingBodyTrustJob": "PERSONPLACEMENTTRAININGBODYTRUSTJOB",
        "PostEmployingBodyTrustJob": "POSTEMPLOYINGBODYTRUSTJOB", "PostTrainingBodyTrustJob": "POSTTRAININGBODYTRUSTJOB",
        "PersonElasticSearchSyncJob": "PERSONELASTICSEARCHSYNCJOB"}
OTHERS = ["PERSONRECORDSTATUSJOB", "POSTFUNDING_STATUS_SYNCJOB", "POSTELASTICSEARCHJOB"]


def sample(pid):
    """(RSS MiB, open fds, threads) of PID."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100000)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--every", type=int, default=2, help="minutes between the runs of each job")
    ap.add_argument("--bin", default=str(ROOT / "build-asan" / "tis-sync"))
    ap.add_argument("--mysql-url")
    ap.add_argument("--es-url")
    ap.add_argument("--keep-servers", action="store_true")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    try:
        server = args.mysql_url or start("mariadb.sh", {"TIS_SYNC_MARIADB_BUFFER_POOL": "1G"})
        services = Services(args.es_url or start("opensearch.sh"), None)  # the six jobs of 2019: no broker
        failed = soak(args, server, services)
    finally:
        stop_started(args.keep_servers)
    sys.exit(1 if failed else 0)


def soak(args, server, services: Services):
    db = Database(server, f"soak_{args.persons}")
    tis(db.url, "init-db", "--tcs")
    tis(db.url, "demo-data", "--persons", str(args.persons), "--seed", "42")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIS_SYNC_", "DB", "ES_URLS", "RABBITMQ"))}
    env.update({"LOG_DIR": str(WORK), "TIS_SYNC_DB": db.url, "TIS_SYNC_HTTP_LISTEN": "127.0.0.1:0",
                "TIS_SYNC_HTTP_AUTH": "none", "TIS_SYNC_OWNER_MODE": "native",
                "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00", "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00",
                "TIS_SYNC_OUT_OF_DATE_POLICY": "skip", **services.env(),
                "ASAN_OPTIONS": "detect_leaks=1", "LSAN_OPTIONS": f"suppressions={ROOT}/tests/lsan.supp"})
    for i, job in enumerate(JOBS6):  # spread over the period, in chain order
        env[f"APPLICATION_CRON_{CRON[job]}"] = f"{(i * 10) % 60} */{args.every} * * * *"
    for other in OTHERS:
        env[f"APPLICATION_CRON_{other}"] = "-"
    log_path = WORK / "soak.serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    samples = []
    end = time.monotonic() + args.minutes * 60
    while time.monotonic() < end and proc.poll() is None:
        time.sleep(30)  # the first sample once the service has started
        if proc.poll() is None:
            samples.append((round(time.monotonic() - end + args.minutes * 60), *sample(proc.pid)))
    if proc.poll() is not None:
        print(f"soak: the service exited early ({proc.returncode})")
        return True
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    runs = db.query("SELECT job, status, COUNT(*), ROUND(AVG(TIMESTAMPDIFF(MICROSECOND, started_at, finished_at)) "
                    "/ 1e6, 1) FROM tis_sync_run GROUP BY job, status ORDER BY job, status")
    text = log_path.read_text(errors="replace")
    leaks = re.findall(r"ERROR: LeakSanitizer.*|SUMMARY: AddressSanitizer.*", text)
    # memory is compared from the end of the first cycle of runs (before it
    # the service has not yet loaded any job's code and buffers)
    warm = next((s for s in samples if s[0] >= args.every * 60 + 30), samples[0])
    last = samples[-1]
    print(f"soak: {args.minutes} min, {args.persons} persons, the six jobs every {args.every} min, {args.bin}")
    print("| sample | seconds | RSS MiB | fds | threads |\n|---|---|---|---|---|")
    for name, s in (("first", samples[0]), ("after the first cycle", warm), ("min", min(samples, key=lambda x: x[1])),
                    ("max", max(samples, key=lambda x: x[1])), ("last", last)):
        print(f"| {name} | {s[0]} | {s[1]:.1f} | {s[2]} | {s[3]} |")
    print("RSS MiB every 30 s: " + " ".join(f"{s[1]:.0f}" for s in samples))
    print("| job | status | runs | mean s |\n|---|---|---|---|")
    for job, status, n, mean in runs:
        print(f"| {job} | {status} | {n} | {mean} |")
    print(f"leak reports: {len(leaks)}" + "".join(f"\n  {line}" for line in leaks[:5]))
    bad = [r for r in runs if r[1] not in ("succeeded", "skipped")]
    grew = last[1] > warm[1] * 1.25 + 8 or last[2] > warm[2] + 4 or last[3] > warm[3] + 2
    return bool(bad or leaks or grew)


if __name__ == "__main__":
    main()
