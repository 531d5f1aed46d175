#!/usr/bin/python3
"""bench/bench.py - reproduces the figures of ../shared/PERFORMANCE.md side by
side in one run, on one MariaDB, and writes them as a Markdown table.

    bench/bench.py [--persons 400000] [--rss-persons 2000000] [--out BENCHMARKS.md]
                   [--mysql-url URL] [--es-url URL] [--amqp-url URL] [--smoke]

It starts what it is not given, each private to the run: a MariaDB with a
1 GiB buffer pool (scripts/mariadb.sh, as PERFORMANCE.md assumes), an
OpenSearch (scripts/opensearch.sh) and a RabbitMQ (scripts/rabbitmq.sh),
where it declares the revalidation service's exchange with a bound queue.
Then, on `demo-data --persons N` (figures measured against their legacy or
naive counterpart on the same data, rows compared where both write rows):

- 2026 schema, N persons: PersonOwner native vs the procedure (from an
  empty table, and on a night where it holds yesterday's owners); the
  PersonTrust jobs vs the naive rebuild; PersonRecordStatusJob and
  PostFundingStatusSyncJob vs one bare UPDATE computing the same change;
  the persons and posts index jobs vs their floors (bench/search_floor.sh);
  the whole chain of eleven (empty tables, then a night).
- 2019 schema, N persons: PersonOwner and PersonTrust as above.
- The peak RSS of each of the eleven jobs at N and at the --rss-persons
  size (2026 schema), and its growth.

Timings are wall-clock seconds of one run each. Benchmarks are not tests:
CI runs this only with --smoke (tiny sizes, no search engine or broker,
figures not meaningful) to keep the script working.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parents[1]
BIN = os.environ.get("TIS_SYNC_BIN", str(ROOT / "build" / "tis-sync"))
TODAY, YESTERDAY = "2026-03-10", "2026-03-09"
WORK = Path(os.environ.get("TIS_SYNC_BENCH_DIR") or Path(tempfile.gettempdir()) / "tis-sync-bench")
JOBS = ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
        "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PersonRecordStatusJob",
        "PersonElasticSearchSyncJob", "RevalCurrentPmSyncJob", "PostFundingStatusSyncJob",
        "RevalCurrentPlacementSyncJob", "PostElasticSearchSyncJob"]
SEARCH_JOBS = {"PersonElasticSearchSyncJob", "PostElasticSearchSyncJob"}
REVAL_JOBS = {"RevalCurrentPmSyncJob", "RevalCurrentPlacementSyncJob"}
EXCHANGE = "reval.exchange"
# Seconds of quiet before each timed part: InnoDB purges what the previous
# part deleted or rewrote in the background, and OpenSearch merges segments,
# which would slow whichever side runs next.
SETTLE = float(os.environ.get("SETTLE", "5"))
SMOKE = False  # --smoke: no settling (its figures mean nothing)

NAIVE_PERSON_TRUST = [
    "DELETE FROM PersonTrust",
    "INSERT INTO PersonTrust (personId, trustId) SELECT DISTINCT pl.traineeId, po.employingBodyId "
    "FROM Placement pl JOIN Person p ON p.id = pl.traineeId JOIN Post po ON po.id = pl.postId "
    "WHERE po.employingBodyId IS NOT NULL",
    "INSERT INTO PersonTrust (personId, trustId) SELECT DISTINCT pl.traineeId, po.trainingBodyId "
    "FROM Placement pl JOIN Person p ON p.id = pl.traineeId JOIN Post po ON po.id = pl.postId "
    "WHERE po.trainingBodyId IS NOT NULL",
]
# The change of each status job as one bare UPDATE (the floor): for each,
# the fastest single statement found (others tried: a derived table of the
# selected persons joined to Person, 2.8-3.3 s for a date; correlated
# subqueries for ANY, 3.7 s).
_WANTED = (f"CASE WHEN EXISTS (SELECT 1 FROM ProgrammeMembership pm WHERE pm.personId = p.id AND "
           f"pm.programmeStartDate <= '{TODAY}' AND pm.programmeEndDate >= '{TODAY}') THEN 'CURRENT' ELSE 'INACTIVE' END")
FLOOR_RECORD_STATUS = {
    "ANY": ("UPDATE Person p JOIN (SELECT pm.personId, CASE WHEN MAX(CASE WHEN pm.programmeStartDate <= "
            f"'{TODAY}' AND pm.programmeEndDate >= '{TODAY}' THEN 1 ELSE 0 END) = 1 THEN 'CURRENT' ELSE 'INACTIVE' "
            "END AS wanted FROM ProgrammeMembership pm GROUP BY pm.personId) w ON w.personId = p.id "
            "SET p.status = w.wanted, p.amendedDate = UTC_TIMESTAMP(3) WHERE p.status IS NULL OR p.status <> w.wanted"),
    TODAY: (f"UPDATE Person p SET p.status = ({_WANTED}), p.amendedDate = UTC_TIMESTAMP(3) WHERE p.id IN "
            f"(SELECT c.personId FROM ProgrammeMembership c WHERE c.programmeStartDate = '{TODAY}' OR "
            f"c.programmeEndDate = '{YESTERDAY}') AND NOT (p.status <=> ({_WANTED}))"),
}
FLOOR_POST_FUNDING = (
    "UPDATE Post p SET p.fundingStatus = 'INACTIVE' WHERE (p.fundingStatus IS NULL OR p.fundingStatus <> "
    f"'INACTIVE') AND EXISTS (SELECT 1 FROM PostFunding f WHERE f.postId = p.id AND f.startDate IS NOT NULL AND "
    f"f.endDate = '{YESTERDAY}') AND NOT EXISTS (SELECT 1 FROM PostFunding f WHERE f.postId = p.id AND "
    f"(f.endDate IS NULL OR f.endDate > '{YESTERDAY}'))")
# Statuses to start from, so that both sides have the same change to make.
RESET_STATUSES = [
    "UPDATE Person SET status = ELT(1 + (id % 5), 'CURRENT', 'INACTIVE', 'CURRENT', 'DELETE', NULL)",
    "UPDATE Post SET fundingStatus = ELT(1 + (id % 3), 'CURRENT', 'INACTIVE', 'CURRENT')",
]


class Services:
    """Where tis-sync finds the search engine and the broker (None: absent)."""

    def __init__(self, es_url, amqp_url):
        self.es_url, self.amqp_url = es_url, amqp_url

    def env(self):
        env = {}
        if self.es_url:
            env.update({"TIS_SYNC_ES_URL": self.es_url, "TIS_SYNC_ES_ALIAS": "bench-persons",
                        "TIS_SYNC_ES_POSTS_ALIAS": "bench-posts", "TIS_SYNC_ES_KEEP_PREVIOUS": "0"})
        if self.amqp_url:
            from urllib.parse import urlsplit
            u = urlsplit(self.amqp_url)
            env.update({"RABBITMQ_HOST": u.hostname, "RABBITMQ_PORT": str(u.port), "RABBITMQ_USERNAME": u.username,
                        "RABBITMQ_PASSWORD": u.password, "REVAL_RABBIT_EXCHANGE": EXCHANGE})
        return env

    def jobs(self):
        """The jobs that can run here (no engine: no index; no broker: no reval)."""
        return [j for j in JOBS if (self.es_url or j not in SEARCH_JOBS) and (self.amqp_url or j not in REVAL_JOBS)]


def settle():
    time.sleep(0 if SMOKE else SETTLE)


def timed(url, *args, env=None):
    """tis() after a moment of quiet: for the figures."""
    settle()
    return tis(url, *args, env=env)


def tis(url, *args, env=None):
    """Runs tis-sync; returns (seconds, peak RSS in MiB). Fails loudly.

    Peak RSS comes from GNU time (%M), not from wait4() here: a child forked
    from this Python process would carry Python's own RSS in its maximum."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TIS_SYNC_", "DB", "ES_URLS", "RABBITMQ"))}
    full_env.update({"LOG_DIR": str(WORK), "TIS_SYNC_DB": url, **(env or {})})
    with tempfile.NamedTemporaryFile("r") as rss_file:
        start = time.monotonic()
        cp = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file.name, BIN, *args], env=full_env,
                            capture_output=True, text=True)
        seconds = time.monotonic() - start
        if cp.returncode != 0:
            sys.exit(f"bench: tis-sync {' '.join(args)} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr[-5000:]}")
        return seconds, int(rss_file.read().split()[-1]) / 1024


class Database:
    def __init__(self, server_url, name):
        from urllib.parse import unquote, urlsplit
        u = urlsplit(server_url)
        self.kw = dict(host=u.hostname, port=u.port or 3306, user=unquote(u.username),
                       password=unquote(u.password or ""), charset="utf8mb4", autocommit=True)
        self.url = f"mysql://{u.username}:{u.password}@{u.hostname}:{u.port}/{name}"
        self.name = name
        con = pymysql.connect(**self.kw)
        with con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        con.close()
        self.con = pymysql.connect(database=name, **self.kw)

    def query(self, sql):
        with self.con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def execute(self, *statements):
        with self.con.cursor() as cur:
            for sql in statements:
                cur.execute(sql)

    def timed_transaction(self, statements):
        settle()
        start = time.monotonic()
        self.con.begin()
        self.execute(*statements)
        self.con.commit()
        return time.monotonic() - start

    def drop(self):
        self.execute(f"DROP DATABASE `{self.name}`")
        self.con.close()


def owners(db):
    return db.query("SELECT id, owner, rule FROM PersonOwner ORDER BY id")


def trusts(db):
    return db.query("SELECT personId, trustId FROM PersonTrust ORDER BY personId, trustId")


def statuses(db):
    return db.query("SELECT (SELECT SUM(CRC32(CONCAT(id, COALESCE(status, '-')))) FROM Person), "
                    "(SELECT SUM(CRC32(CONCAT(id, fundingStatus))) FROM Post)")[0]


# --------------------------------------------------------------------------
# the figures


def bench_owner(db):
    db.execute("DELETE FROM PersonOwner")
    proc_empty, _ = timed(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure", "--today", TODAY)
    by_procedure = owners(db)
    db.execute("DELETE FROM PersonOwner")
    native_empty, _ = timed(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", TODAY)
    identical = owners(db) == by_procedure
    tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", YESTERDAY)
    proc_night, _ = timed(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure", "--today", TODAY)
    tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", YESTERDAY)
    native_night, _ = timed(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", TODAY)
    identical &= owners(db) == by_procedure
    return [("PersonOwner, empty table: procedure vs native", proc_empty, native_empty, "faster", ">= 15x", identical),
            ("PersonOwner, night: procedure vs native", proc_night, native_night, "faster", ">= 15x", identical)]


def bench_person_trust(db):
    naive_empty = db.timed_transaction(NAIVE_PERSON_TRUST)
    naive_rows = trusts(db)
    naive_night = db.timed_transaction(NAIVE_PERSON_TRUST)
    db.execute("DELETE FROM PersonTrust")
    e_empty, _ = timed(db.url, "run", "PersonPlacementEmployingBodyTrustJob")
    t_empty, _ = timed(db.url, "run", "PersonPlacementTrainingBodyTrustJob")
    identical = trusts(db) == naive_rows
    e_night, _ = timed(db.url, "run", "PersonPlacementEmployingBodyTrustJob")
    t_night, _ = timed(db.url, "run", "PersonPlacementTrainingBodyTrustJob")
    identical &= trusts(db) == naive_rows
    what = f"PersonTrust employing + training vs the naive rebuild ({len(naive_rows):,} rows)"
    return [(what + ", empty table", naive_empty, e_empty + t_empty, "time", "<= 0.5x", identical),
            (what + ", night", naive_night, e_night + t_night, "time", "<= 0.3x", identical)]


def bench_status(db):
    """Each status job against one bare UPDATE making the same change, from
    the same statuses; the results are compared."""
    rows = []
    for date, label in (("ANY", "ANY (every person with a membership)"), (TODAY, "today")):
        db.execute(*RESET_STATUSES)
        job, _ = timed(db.url, "run", "PersonRecordStatusJob", "--date-of-change", date, "--today", TODAY)
        by_job = statuses(db)
        db.execute(*RESET_STATUSES)
        floor = db.timed_transaction([FLOOR_RECORD_STATUS[date]])
        rows.append((f"PersonRecordStatusJob, date of change {label}, vs one bare UPDATE", floor, job, "time",
                     "<= 1.2x", statuses(db) == by_job))
    db.execute(*RESET_STATUSES)
    job, _ = timed(db.url, "run", "PostFundingStatusSyncJob", "--today", TODAY)
    by_job = statuses(db)
    db.execute(*RESET_STATUSES)
    floor = db.timed_transaction([FLOOR_POST_FUNDING])
    rows.append(("PostFundingStatusSyncJob vs one bare UPDATE", floor, job, "time", "<= 1.2x", statuses(db) == by_job))
    return rows


def search_vs_floor(db, es_url, kind):
    """bench/search_floor.sh: the job, then its floor (its queries streamed
    at once + the same NDJSON posted with curl at the same bulk size and
    concurrency), on the same data; its last line is key=value pairs."""
    cp = subprocess.run([str(ROOT / "bench" / "search_floor.sh"), kind, db.url, es_url], capture_output=True,
                        text=True, env={**os.environ, "TIS_SYNC_BIN": BIN, "TODAY": TODAY})
    if cp.returncode != 0:
        sys.exit(f"bench: search_floor.sh {kind} failed:\n{cp.stdout}\n{cp.stderr}")
    pairs = dict(item.split("=", 1) for item in cp.stdout.strip().splitlines()[-1].split())
    f = {k: float(v) for k, v in pairs.items()}
    target = "<= 1.0x" if kind == "persons" else "<= 1.1x"
    return (f"{kind} index vs its floor (its queries streamed + the same NDJSON posted by curl, 8 MiB x 2), "
            f"{f['docs']:,.0f} documents, {f['docs'] / f['job']:,.0f} docs/s", f["floor"], f["job"], "time", target,
            None)


def bench_search(db, services):
    # A fresh engine JVM indexes slowly until its JIT has warmed up: one
    # untimed build of each index first, so that job and floor both meet a
    # warm engine.
    for job in sorted(SEARCH_JOBS):
        tis(db.url, "run", job, "--today", TODAY, env=services.env())
    return [search_vs_floor(db, services.es_url, kind) for kind in ("persons", "posts")]


def bench_chain(db, services):
    jobs = services.jobs()
    args = ["run", "--chain"] if jobs == JOBS else ["run", *jobs]
    db.execute("DELETE FROM PersonOwner", "DELETE FROM PersonTrust", "DELETE FROM PostTrust", *RESET_STATUSES)
    empty, _ = timed(db.url, *args, "--owner-mode", "native", "--today", TODAY, env=services.env())
    night, _ = timed(db.url, *args, "--owner-mode", "native", "--today", TODAY, env=services.env())
    what = "the whole chain of eleven" if jobs == JOBS else f"the chain without {', '.join(sorted(set(JOBS) - set(jobs)))}"
    return [(f"{what}, empty tables", None, empty, "", "< 60 s", None),
            (f"{what}, night", None, night, "", "< 60 s", None)]


def peak_rss(db, services):
    """Each job on its own (after a chain: a night), native owner mode."""
    rss = {}
    for job in services.jobs():
        args = ["--owner-mode", "native"] if job == "PersonOwnerRebuildJob" else []
        if job == "PersonRecordStatusJob":
            args = ["--date-of-change", "ANY"]
            db.execute(*RESET_STATUSES)
        _, rss[job] = tis(db.url, "run", job, *args, "--today", TODAY, env=services.env())
    return rss


def load(server_url, persons, shape):
    db = Database(server_url, f"bench_{shape}_{persons}")
    tis(db.url, "init-db", "--tcs", "--schema", shape)
    seconds, _ = tis(db.url, "demo-data", "--persons", str(persons), "--seed", "42")
    counts = db.query("SELECT (SELECT COUNT(*) FROM Person), (SELECT COUNT(*) FROM Placement), "
                      "(SELECT COUNT(*) FROM ProgrammeMembership), (SELECT COUNT(*) FROM Post)")[0]
    return db, {"persons": persons, "shape": shape, "counts": counts, "load": seconds}


def bench_2026(server_url, persons, services):
    db, r = load(server_url, persons, "2026")
    r["rows"] = bench_owner(db) + bench_person_trust(db)
    tis(db.url, "run", "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob")
    r["rows"] += bench_status(db)
    if services.es_url:
        r["rows"] += bench_search(db, services)
    r["rows"] += bench_chain(db, services)
    r["rss"] = peak_rss(db, services)
    db.drop()
    return r


def bench_2019(server_url, persons):
    db, r = load(server_url, persons, "2019")
    r["rows"] = bench_owner(db) + bench_person_trust(db)
    db.drop()
    return r


def rss_only(server_url, persons, services):
    db, r = load(server_url, persons, "2026")
    tis(db.url, "run", *services.jobs(), "--owner-mode", "native", "--today", TODAY, env=services.env())
    r["rss"] = peak_rss(db, services)
    db.drop()
    return r


# --------------------------------------------------------------------------
# the report


def figure(row):
    what, legacy, ours, kind, target, same = row
    if legacy is None:
        ratio = ""
    elif kind == "faster":
        ratio = f"{legacy / ours:.1f}x faster" if ours > 0 else "n/a"
    else:
        ratio = f"{ours / legacy:.2f}x the time" if legacy > 0 else "n/a"
    legacy_text = "" if legacy is None else f"{legacy:.2f} s"
    same_text = "" if same is None else ("yes" if same else "NO")
    return f"| {what} | {legacy_text} | {ours:.2f} s | {ratio} | {target} | {same_text} |"


def section(r):
    p, pl, pm, po = r["counts"]
    lines = [f"## {r['shape']} schema: {p:,} persons ({pl:,} placements, {pm:,} programme memberships, "
             f"{po:,} posts)", "", f"demo-data load: {r['load']:.1f} s", "",
             "| figure | legacy, naive or floor | tis-sync | ratio | target | rows identical |",
             "|---|---|---|---|---|---|"]
    lines += [figure(row) for row in r["rows"]]
    return lines + [""]


def rss_table(small, large):
    lines = ["## Peak RSS of each job (2026 schema)", "",
             f"| job | {small['persons']:,} persons | {large['persons']:,} persons | growth | target |",
             "|---|---|---|---|---|"]
    for job, base in small["rss"].items():
        big = large["rss"].get(job)
        if big is not None:
            lines.append(f"| {job} | {base:.1f} MiB | {big:.1f} MiB | {100 * (big / base - 1):+.1f}% "
                         f"| <= 64 MiB, < +10% |")
    return lines + [""]


def report(results, command, services):
    engine = "a real single-node OpenSearch 2.19.6 (512 MiB heap)" if services.es_url else "no search engine"
    broker = "Debian's RabbitMQ 3.10" if services.amqp_url else "no broker"
    lines = ["# Benchmarks", "",
             "Produced by one command, on this project's 2-core machine, MariaDB 10.11 with a 1 GiB buffer pool, "
             f"{engine} and {broker} on the same machine:", "", f"    {command}", "",
             "Each ratio compares two runs made side by side in that one run, on the same data. \"empty\": the "
             "target table starts empty (every row written); \"night\": it holds the previous night's rows "
             "(PersonOwner: yesterday's owners; PersonTrust: the same rows), which is what a production night "
             "looks like. The status jobs and their bare UPDATE start from the same statuses and make the same "
             "change.", ""]
    for r in results["sections"]:
        lines += section(r)
    lines += rss_table(results["sections"][0], results["rss"])
    return "\n".join(lines)


# --------------------------------------------------------------------------
# servers


STARTED = []  # (script, folder) of the servers this run started, stopped at exit


def start(script, env=None):
    """Starts a private server with scripts/SCRIPT; returns its last line."""
    folder = str(WORK / script.split(".")[0])
    out = subprocess.run([str(ROOT / "scripts" / script), "start", folder], env={**os.environ, **(env or {})},
                         check=True, capture_output=True, text=True).stdout
    STARTED.append((script, folder))
    return out.strip().splitlines()[-1]


def stop_started(keep=False):
    """Stops the servers this run started (issue 10, defect 11: a private
    MariaDB with a 1 GiB buffer pool was left running), unless KEEP."""
    for script, folder in reversed(STARTED):
        if keep:
            print(f"bench: {script} kept running in {folder} (scripts/{script} stop {folder})", file=sys.stderr)
        else:
            subprocess.run([str(ROOT / "scripts" / script), "stop", folder], capture_output=True)


def declare_exchange(amqp_url):
    """What the revalidation service owns: its exchange, a queue bound to it."""
    import pika
    con = pika.BlockingConnection(pika.URLParameters(amqp_url.rstrip("/") + "/%2F"))
    ch = con.channel()
    ch.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    ch.queue_declare("reval.bench", durable=True)
    ch.queue_purge("reval.bench")
    ch.queue_bind("reval.bench", EXCHANGE, routing_key="reval.trainee.update")
    con.close()


def add_server_args(ap):
    ap.add_argument("--mysql-url")
    ap.add_argument("--es-url")
    ap.add_argument("--amqp-url")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, no engine or broker unless given: just to keep the script working")
    ap.add_argument("--keep-servers", action="store_true",
                    help="leave the servers this run started running (they are stopped by default)")


def start_servers(args):
    """The MariaDB server URL and the Services: those not given in ARGS are
    started private to this run (no engine or broker with --smoke)."""
    server = args.mysql_url or start("mariadb.sh", {"TIS_SYNC_MARIADB_BUFFER_POOL": "1G"})
    es_url = args.es_url or (None if args.smoke else start("opensearch.sh"))
    amqp_url = args.amqp_url or (None if args.smoke else start("rabbitmq.sh").split()[0])
    if amqp_url:
        declare_exchange(amqp_url)
    return server, Services(es_url, amqp_url)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=400000)
    ap.add_argument("--rss-persons", type=int, default=2000000)
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    add_server_args(ap)
    args = ap.parse_args()
    global SMOKE
    SMOKE = args.smoke
    WORK.mkdir(parents=True, exist_ok=True)
    persons, rss_persons = (600, 1200) if args.smoke else (args.persons, args.rss_persons)
    try:
        server, services = start_servers(args)
        results = {"sections": [bench_2026(server, persons, services), bench_2019(server, persons)],
                   "rss": rss_only(server, rss_persons, services)}
    finally:
        stop_started(args.keep_servers)
    command = "bench/bench.py --smoke" if args.smoke else \
        f"bench/bench.py --persons {persons} --rss-persons {rss_persons}"
    text = report(results, command, services)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    same = [row[5] for r in results["sections"] for row in r["rows"] if row[5] is not None]
    if not all(same):
        sys.exit("bench: rows differ between the compared implementations")


if __name__ == "__main__":
    main()
