"""Slack notifications (SPEC 4) against a local HTTP receiver: the texts and
their order through chat.postMessage (token + channel) and through an
incoming webhook, and jobs that do not wait for a receiver that is down."""

import json
import re
import socket
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from serve_helpers import (CHAIN, NO_CATCHUP, SEARCH_JOBS, history, prepare_db, serve_factory,  # noqa: F401
                           wait_until)

TOKEN = "xoxb-test-token-do-not-log"


class Receiver:
    """Records each POST (path, headers, JSON body) and answers like Slack."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.messages.append((self.path, dict(self.headers), json.loads(body)))
                reply = b'{"ok":true}' if self.path.endswith("chat.postMessage") else b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self):
        with self.lock:
            return [m[2]["text"] for m in self.messages]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def expected_texts(jobs, failing=()):
    out = []
    for job in jobs:
        out.append(f"Sync [{job}] started.")
        out.append(f"<!channel> Sync [{job}] failed with exception [" if job in failing
                   else f"Sync [{job}] completed successfully.")
    return out


def assert_texts(got, expected):
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        if e.endswith("["):
            assert g.startswith(e) and g.endswith("]."), g
        else:
            assert g == e


def test_chat_post_message_from_the_service(sqlite_db, run_tis, serve_factory, receiver, log_dir):
    prepare_db(run_tis, sqlite_db, persons=10)
    s = serve_factory(sqlite_db.url, env={"TIS_SYNC_TEST_NOW": "2030-01-10T03:00:00Z", "SLACK_API_TOKEN": TOKEN,
                                          "SLACK_CHANNEL": "#tis-sync", "TIS_SYNC_SLACK_API_URL": receiver.url + "/api"})
    wait_until(lambda: len(receiver.texts()) >= 2 * len(CHAIN), what="two Slack messages per job")
    assert s.stop() == 0
    assert_texts(receiver.texts(), expected_texts(CHAIN, failing=SEARCH_JOBS))
    for path, headers, body in receiver.messages:
        assert path == "/api/chat.postMessage"
        assert headers["Authorization"] == "Bearer " + TOKEN
        assert headers["Content-Type"].startswith("application/json")
        assert body["channel"] == "#tis-sync"
    # secrets never reach the log
    assert TOKEN not in s.log()
    assert TOKEN not in (log_dir / "sync.log").read_text()


def test_the_newer_channel_variable_and_a_token_without_a_channel(sqlite_db, run_tis, receiver):
    """Issue 10, defect 2: SLACK_NOTIFICATION_CHANNEL (the newer legacy
    service's name) is the channel too; a token without any channel is
    refused at start, naming the setting, instead of failing every message."""
    prepare_db(run_tis, sqlite_db, persons=10)
    api = {"SLACK_API_TOKEN": TOKEN, "TIS_SYNC_SLACK_API_URL": receiver.url + "/api"}
    cp = run_tis("--db", sqlite_db.url, "run", "PostEmployingBodyTrustJob",
                 env={**api, "SLACK_NOTIFICATION_CHANNEL": "#tis-alerts"})
    assert cp.returncode == 0, cp.stderr
    assert {m[2]["channel"] for m in receiver.messages} == {"#tis-alerts"} and len(receiver.messages) == 2
    cp = run_tis("--db", sqlite_db.url, "run", "PostEmployingBodyTrustJob", env=api)
    assert cp.returncode == 2, cp.stderr
    assert "slack.token (from environment variable SLACK_API_TOKEN) needs slack.channel" in cp.stderr
    assert "SLACK_NOTIFICATION_CHANNEL" in cp.stderr and TOKEN not in cp.stderr
    assert len(receiver.messages) == 2  # nothing was run or sent


def test_a_run_stopped_by_a_shutdown_pages_nobody_and_records_no_rows(sqlite_db, run_tis, tis_bin, receiver, log_dir):
    """Issue 10, defect 4: a run rolled back by SIGTERM is recorded aborted
    with 0 rows (nothing was committed), and Slack gets a plain message,
    not a <!channel> failure."""
    import signal
    import subprocess
    from conftest import clean_env
    prepare_db(run_tis, sqlite_db, persons=40)
    env = clean_env({"SLACK_WEBHOOK_URL": receiver.url + "/hook", "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "20000"},
                    log_dir=log_dir)
    proc = subprocess.Popen([tis_bin, "--db", sqlite_db.url, "run", "PostEmployingBodyTrustJob"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: sqlite_db.query("SELECT COUNT(*) FROM tis_sync_run WHERE status = 'running'")[0][0] == 1,
               what="the job to run")
    time.sleep(1)  # into its pause before the commit, its rows counted
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "Sync job [PostEmployingBodyTrustJob] aborted after" in err and "] failed" not in err, err
    status, rows = sqlite_db.query("SELECT status, rows_written FROM tis_sync_run ORDER BY id DESC LIMIT 1")[0]
    assert (status, rows) == ("aborted", 0)
    texts = receiver.texts()
    assert texts[0] == "Sync [PostEmployingBodyTrustJob] started.", texts
    assert texts[1].startswith("Sync [PostEmployingBodyTrustJob] was aborted and rolled back (cancel: "), texts
    assert not any("<!channel>" in t for t in texts), texts


def test_webhook_from_the_cli(sqlite_db, run_tis, receiver):
    prepare_db(run_tis, sqlite_db, persons=10)
    hook = receiver.url + "/services/T000/B000/secret-part"
    cp = run_tis("--db", sqlite_db.url, "run", "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob",
                 env={"SLACK_WEBHOOK_URL": hook})
    assert cp.returncode == 0, cp.stderr
    assert_texts(receiver.texts(), expected_texts(["PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob"]))
    assert {m[0] for m in receiver.messages} == {"/services/T000/B000/secret-part"}
    assert all(set(m[2]) == {"text"} for m in receiver.messages)
    assert "secret-part" not in cp.stderr


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_time(line):
    return datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def test_receiver_down_does_not_delay_or_fail_jobs(sqlite_db, run_tis):
    prepare_db(run_tis, sqlite_db, persons=10)
    t0 = time.monotonic()
    cp = run_tis("--db", sqlite_db.url, "run", "PostEmployingBodyTrustJob",
                 env={"SLACK_WEBHOOK_URL": f"http://127.0.0.1:{closed_port()}/hook"}, timeout=40)
    elapsed = time.monotonic() - t0
    assert cp.returncode == 0, cp.stderr
    assert history(sqlite_db, "PostEmployingBodyTrustJob")[-1][3] == "succeeded"
    lines = cp.stderr.splitlines()
    started = next(ln for ln in lines if "Sync [PostEmployingBodyTrustJob] started" in ln)
    finished = next(ln for ln in lines if re.search(r"Sync job \[PostEmployingBodyTrustJob\] finished", ln))
    assert log_time(finished) - log_time(started) < 2  # the job never waited for Slack
    assert "Slack notification not sent" in cp.stderr
    assert elapsed < 15  # at exit, queued messages get at most 10 s
