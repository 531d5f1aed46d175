"""The benchmark script keeps working (a tiny size; its figures mean nothing
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
    assert "| NO |" not in text and text.count("| yes |") == 8
    assert "## Memory growth" in text
