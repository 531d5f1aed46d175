"""The benchmark scripts keep working (a tiny size; its figures mean nothing
here) and its side-by-side comparisons find identical rows."""

import os
import subprocess
import sys

from conftest import REPO_ROOT


def test_bench_smoke(mariadb_server, tis_bin, tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    env = {**os.environ, "TIS_SYNC_BIN": tis_bin}
    cp = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "bench.py"), "--smoke", "--mysql-url",
                         mariadb_server.url, "--out", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    text = out.read_text()
    assert "| PersonOwner, empty table: procedure vs native |" in text
    assert "| PersonRecordStatusJob, date of change ANY (every person with a membership), vs one bare UPDATE |" in text
    # owner x2, trust x2, status x3 on the 2026 schema; owner x2, trust x2 on 2019
    assert "| NO |" not in text and text.count("| yes |") == 11
    assert "## 2026 schema: 600 persons" in text and "## 2019 schema: 600 persons" in text
    assert "## Peak RSS of each job (2026 schema)" in text
    assert "| PostFundingStatusSyncJob | " in text


def test_bench_stops_the_server_it_started(tis_bin, tmp_path):
    """Issue 10, defect 11: bench.py's own MariaDB (1 GiB buffer pool) is
    stopped when it ends, unless --keep-servers."""
    env = {**os.environ, "TIS_SYNC_BIN": tis_bin, "TIS_SYNC_BENCH_DIR": str(tmp_path / "bench")}
    cp = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "bench.py"), "--smoke", "--out",
                         str(tmp_path / "B.md")], env=env, capture_output=True, text=True, timeout=600)
    assert cp.returncode == 0, cp.stdout[-3000:] + cp.stderr[-3000:]
    folder = str(tmp_path / "bench" / "mariadb")
    assert os.path.isdir(folder)
    running = subprocess.run(["pgrep", "-f", f"mariadbd.*{folder}"], capture_output=True, text=True).stdout
    assert not running.strip(), f"bench.py left its MariaDB running: {running}"


def test_http_load_bench_smoke(mariadb_server, tis_bin):
    env = {**os.environ, "TIS_SYNC_BIN": tis_bin}
    cp = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "http_load.py"), "--smoke", "--mysql-url",
                         mariadb_server.url], env=env, capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert "## The HTTP API under load while the chain runs" in cp.stdout
    assert "| 1 | " in cp.stdout and "| median | " in cp.stdout
