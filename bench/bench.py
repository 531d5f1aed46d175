#!/usr/bin/python3
"""bench/bench.py - reproduces the figures of ../shared/PERFORMANCE.md side by
side in one run, on one MariaDB, and writes them as a Markdown table.

    bench/bench.py [--persons 100000,400000] [--out BENCHMARKS.md]
                   [--mysql-url URL] [--es-url URL] [--smoke]

Without --mysql-url it starts a private MariaDB (scripts/mariadb.sh) with a
1 GiB buffer pool, as PERFORMANCE.md assumes; without --es-url the search
rows are left out. For each size it loads `demo-data --persons N`, then
measures, each against its legacy or naive counterpart on the same data:

- PersonOwner: the procedure vs native mode, both from an empty table (all
  rows written) and on a night where the table holds yesterday's owners;
  the rows of both modes are compared for equality.
- PersonTrust: the employing + training jobs vs the naive rebuild (one
  transaction: DELETE, INSERT ... SELECT DISTINCT employing, then training),
  from an empty table and from last night's rows; rows compared as multisets.
- The whole chain (`run --chain`), and the peak RSS of each job (wait4).

Timings are wall-clock seconds of one run each. Benchmarks are not tests:
CI runs this only with --smoke (tiny size, figures not meaningful) to keep
the script working.
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
TODAY, YESTERDAY = "2026-03-02", "2026-03-01"
NAIVE_PERSON_TRUST = [
    "DELETE FROM PersonTrust",
    "INSERT INTO PersonTrust (personId, trustId) SELECT DISTINCT pl.traineeId, po.employingBodyId "
    "FROM Placement pl JOIN Person p ON p.id = pl.traineeId JOIN Post po ON po.id = pl.postId "
    "WHERE po.employingBodyId IS NOT NULL",
    "INSERT INTO PersonTrust (personId, trustId) SELECT DISTINCT pl.traineeId, po.trainingBodyId "
    "FROM Placement pl JOIN Person p ON p.id = pl.traineeId JOIN Post po ON po.id = pl.postId "
    "WHERE po.trainingBodyId IS NOT NULL",
]


def tis(url, *args, env=None):
    """Runs tis-sync; returns (seconds, peak RSS in MiB). Fails loudly.

    Peak RSS comes from GNU time (%M), not from wait4() here: a child forked
    from this Python process would carry Python's own RSS in its maximum."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TIS_SYNC_", "DB", "ES_URLS"))}
    full_env.update({"LOG_DIR": "/tmp/tis-sync-bench-logs", "TIS_SYNC_DB": url, **(env or {})})
    with tempfile.NamedTemporaryFile("r") as rss_file:
        start = time.monotonic()
        cp = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file.name, BIN, *args], env=full_env,
                            capture_output=True, text=True)
        seconds = time.monotonic() - start
        if cp.returncode != 0:
            sys.exit(f"bench: tis-sync {' '.join(args)} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}")
        return seconds, int(rss_file.read().split()[-1]) / 1024


class Database:
    def __init__(self, server_url, name):
        from urllib.parse import unquote, urlsplit
        u = urlsplit(server_url)
        self.kw = dict(host=u.hostname, port=u.port or 3306, user=unquote(u.username),
                       password=unquote(u.password or ""), charset="utf8mb4", autocommit=True)
        self.url = f"mysql://{u.username}:{u.password}@{u.hostname}:{u.port}/{name}"
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
        start = time.monotonic()
        self.con.begin()
        self.execute(*statements)
        self.con.commit()
        return time.monotonic() - start


def owners(db):
    return db.query("SELECT id, owner, rule FROM PersonOwner ORDER BY id")


def trusts(db):
    return db.query("SELECT personId, trustId FROM PersonTrust ORDER BY personId, trustId")


def bench_owner(db, results):
    db.execute("DELETE FROM PersonOwner")
    proc_empty, _ = tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure", "--today", TODAY)
    by_procedure = owners(db)
    db.execute("DELETE FROM PersonOwner")
    native_empty, rss = tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", TODAY)
    identical = owners(db) == by_procedure
    tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", YESTERDAY)
    proc_night, _ = tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure", "--today", TODAY)
    tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", YESTERDAY)
    native_night, _ = tis(db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", TODAY)
    identical &= owners(db) == by_procedure
    results["owner"] = (proc_empty, native_empty, proc_night, native_night, identical)
    results["rss"]["PersonOwnerRebuildJob"] = rss


def bench_person_trust(db, results):
    naive_empty = db.timed_transaction(NAIVE_PERSON_TRUST)
    naive_rows = trusts(db)
    naive_again = db.timed_transaction(NAIVE_PERSON_TRUST)
    db.execute("DELETE FROM PersonTrust")
    e_empty, rss_e = tis(db.url, "run", "PersonPlacementEmployingBodyTrustJob")
    t_empty, rss_t = tis(db.url, "run", "PersonPlacementTrainingBodyTrustJob")
    identical = trusts(db) == naive_rows
    e_night, _ = tis(db.url, "run", "PersonPlacementEmployingBodyTrustJob")
    t_night, _ = tis(db.url, "run", "PersonPlacementTrainingBodyTrustJob")
    identical &= trusts(db) == naive_rows
    results["trust"] = (naive_empty, e_empty + t_empty, naive_again, e_night + t_night, identical, len(naive_rows))
    results["rss"]["PersonPlacementEmployingBodyTrustJob"] = rss_e
    results["rss"]["PersonPlacementTrainingBodyTrustJob"] = rss_t


def bench_chain(db, results, es_url):
    env = {"TIS_SYNC_ES_URL": es_url} if es_url else {}
    for job in ["PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob"]:
        _, results["rss"][job] = tis(db.url, "run", job, env=env)
    if es_url:
        results["search"] = search_vs_floor(db.url, es_url)
        results["rss"]["PersonElasticSearchSyncJob"] = results["search"]["rss_mib"]
        chain_args = ["run", "--chain"]
        env["TIS_SYNC_ES_ALIAS"] = "bench-persons"
    else:
        chain_args = ["run"] + ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob",
                                "PersonPlacementTrainingBodyTrustJob", "PostEmployingBodyTrustJob",
                                "PostTrainingBodyTrustJob"]
    db.execute("DELETE FROM PersonOwner", "DELETE FROM PersonTrust", "DELETE FROM PostTrust")
    results["chain_empty"], _ = tis(db.url, *chain_args, "--owner-mode", "native", "--today", TODAY, env=env)
    results["chain_night"], _ = tis(db.url, *chain_args, "--owner-mode", "native", "--today", TODAY, env=env)
    results["chain_has_search"] = bool(es_url)


def search_vs_floor(url, es_url):
    """bench/search_floor.sh: the job, then its floor (the view streamed once
    + the same NDJSON posted with curl at the same bulk size and
    concurrency), on the same data; its last line is key=value pairs."""
    # A fresh engine JVM indexes slowly until its JIT has warmed up; one
    # untimed build first, so that job and floor both meet a warm engine.
    tis(url, "run", "PersonElasticSearchSyncJob", "--today", TODAY,
        env={"TIS_SYNC_ES_URL": es_url, "TIS_SYNC_ES_ALIAS": "bench-warmup", "TIS_SYNC_ES_KEEP_PREVIOUS": "0"})
    cp = subprocess.run([str(ROOT / "bench" / "search_floor.sh"), url, es_url], capture_output=True, text=True,
                        env={**os.environ, "TIS_SYNC_BIN": BIN, "TODAY": TODAY})
    if cp.returncode != 0:
        sys.exit(f"bench: search_floor.sh failed:\n{cp.stdout}\n{cp.stderr}")
    pairs = dict(item.split("=", 1) for item in cp.stdout.strip().splitlines()[-1].split())
    return {k: float(v) for k, v in pairs.items()}


def bench_size(server_url, persons, es_url):
    db = Database(server_url, f"bench_{persons}")
    load_seconds, _ = tis(db.url, "demo-data", "--persons", str(persons), "--seed", "42")
    counts = db.query("SELECT (SELECT COUNT(*) FROM Person), (SELECT COUNT(*) FROM Placement), "
                      "(SELECT COUNT(*) FROM ProgrammeMembership), (SELECT COUNT(*) FROM Post)")[0]
    tis(db.url, "init-db", "--tcs")
    results = {"persons": persons, "counts": counts, "load": load_seconds, "rss": {}}
    bench_owner(db, results)
    bench_person_trust(db, results)
    bench_chain(db, results, es_url)
    db.execute(f"DROP DATABASE `bench_{persons}`")
    return results


def ratio(slow, fast):
    return f"{slow / fast:.1f}x" if fast > 0 else "n/a"


def report(all_results, command):
    lines = ["# Benchmarks", "",
             "Produced by one command, on this project's 2-core machine, MariaDB with a 1 GiB buffer pool:", "",
             f"    {command}", "",
             "The search engine is a real single-node OpenSearch 2.19.6 (512 MiB heap) on the same machine.", "",
             "Each ratio compares two runs made side by side in that one run, on the same data. "
             "\"empty\": the target table starts empty (every row written); \"night\": it holds the "
             "previous night's rows (PersonOwner: yesterday's owners; PersonTrust: the same rows), "
             "which is what a production night looks like.", ""]
    for r in all_results:
        p, pl, pm, po = r["counts"]
        pe, ne, pn, nn, same = r["owner"]
        te_naive, te_ours, tn_naive, tn_ours, same_t, nrows = r["trust"]
        lines += [f"## {p:,} persons ({pl:,} placements, {pm:,} programme memberships, {po:,} posts)", "",
                  f"demo-data load: {r['load']:.1f} s", "",
                  "| figure | legacy or naive | tis-sync | ratio | target | rows identical |",
                  "|---|---|---|---|---|---|",
                  f"| PersonOwner, empty table: procedure vs native | {pe:.2f} s | {ne:.2f} s | {ratio(pe, ne)} "
                  f"faster | >= 7.5x | {'yes' if same else 'NO'} |",
                  f"| PersonOwner, night: procedure vs native | {pn:.2f} s | {nn:.2f} s | {ratio(pn, nn)} faster "
                  f"| >= 7.5x | {'yes' if same else 'NO'} |",
                  f"| PersonTrust employing + training, empty table: naive rebuild vs jobs ({nrows:,} rows) | "
                  f"{te_naive:.2f} s | {te_ours:.2f} s | {te_ours / te_naive:.2f}x the time | <= 1.0x, aim 0.5x "
                  f"| {'yes' if same_t else 'NO'} |",
                  f"| PersonTrust employing + training, night | {tn_naive:.2f} s | {tn_ours:.2f} s | "
                  f"{tn_ours / tn_naive:.2f}x the time | <= 1.0x, aim 0.5x | {'yes' if same_t else 'NO'} |",
                  f"| whole chain{'' if r['chain_has_search'] else ' without the search job'}, empty tables | | "
                  f"{r['chain_empty']:.1f} s | | < 120 s at 400k | |",
                  f"| whole chain{'' if r['chain_has_search'] else ' without the search job'}, night | | "
                  f"{r['chain_night']:.1f} s | | < 120 s at 400k | |"]
        if "search" in r:
            f = r["search"]
            lines.append(f"| search job vs its floor (view streamed once + same NDJSON posted by curl, 8 MiB x 2), "
                         f"{f['docs']:,.0f} documents | {f['floor']:.2f} s | {f['job']:.2f} s | {f['ratio']:.2f}x "
                         f"the time ({f['docs'] / f['job']:,.0f} docs/s) | <= 1.1x | |")
        lines += ["", "Peak RSS per job (MiB): " + ", ".join(f"{k} {v:.1f}" for k, v in r["rss"].items()), ""]
    if len(all_results) >= 2:
        small, large = all_results[0], all_results[-1]
        lines += ["## Memory growth", "", "| job | peak RSS small | peak RSS large | growth | target |",
                  "|---|---|---|---|---|"]
        for job, rss in large["rss"].items():
            base = small["rss"].get(job)
            if base:
                lines.append(f"| {job} | {base:.1f} MiB | {rss:.1f} MiB | {100 * (rss / base - 1):+.1f}% "
                             f"| <= 64 MiB, < +10% |")
        lines.append("")
    return "\n".join(lines)


def start_private_mariadb():
    env = {**os.environ, "TIS_SYNC_MARIADB_BUFFER_POOL": "1G"}
    out = subprocess.run([str(ROOT / "scripts" / "mariadb.sh"), "start", "/tmp/tis-sync-bench-mariadb"], env=env,
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", default="100000,400000")
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--mysql-url")
    ap.add_argument("--es-url")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, just to keep the script working")
    args = ap.parse_args()
    sizes = [500, 1000] if args.smoke else [int(s) for s in args.persons.split(",")]
    server = args.mysql_url or start_private_mariadb()
    results = [bench_size(server, n, args.es_url) for n in sizes]
    command = "bench/bench.py --persons " + args.persons if not args.smoke else "bench/bench.py --smoke"
    if args.es_url:
        command += " --es-url $(scripts/opensearch.sh start)"
    text = report(results, command.strip())
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    if not all(r["owner"][4] and r["trust"][4] for r in results):
        sys.exit("bench: rows differ between the compared implementations")


if __name__ == "__main__":
    main()
