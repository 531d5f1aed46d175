"""RevalCurrentPmSyncJob and RevalCurrentPlacementSyncJob (SPEC-2026 2.4)
publishing to a REAL RabbitMQ (scripts/rabbitmq.sh): each test declares its
own exchange and a bound queue, runs the job, and reads the messages back:
bodies, properties and headers. A broker that is down, one that refuses the
login, an unroutable message and a missing exchange each fail the job with
a clear message; TLS is verified. Also: the chain of eleven with the
broker, on both databases."""

import json
import secrets
from datetime import date, timedelta

import pytest

from tcs_data import insert_rows

TODAY = date(2026, 3, 10)


def day(delta=0, months=0):
    return (TODAY + timedelta(days=delta + 30 * months)).isoformat()


@pytest.fixture
def exchange(rabbit):
    """A fresh topic exchange with a queue bound for the trainee updates;
    yields (name, read) where read() returns the messages received."""
    name = "reval-test-" + secrets.token_hex(4)
    con = rabbit.connect()
    ch = con.channel()
    ch.exchange_declare(name, exchange_type="topic", durable=False, auto_delete=False)
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(queue, name, routing_key="reval.trainee.update")

    def read():
        out = []
        while True:
            method, props, body = ch.basic_get(queue, auto_ack=True)
            if method is None:
                return out
            out.append((method, props, body))

    yield name, read
    ch.exchange_delete(name)
    con.close()


def run_job(run_tis, db, rabbit, job, exchange_name, **extra):
    env = rabbit.env(REVAL_RABBIT_EXCHANGE=exchange_name, **extra)
    return run_tis("--db", db.url, "run", job, "--today", TODAY.isoformat(), env=env, timeout=60)


def load_legacy_memberships(db, shape):
    key = "uuid" if shape == "2026" else "id"
    keys = [f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3)] if shape == "2026" else [1, 2, 3]
    insert_rows(db, "Person", ["id"], [(1,), (2,), (3,)])
    insert_rows(db, "ProgrammeMembership", [key, "personId", "programmeId", "programmeStartDate", "programmeEndDate"], [
        (keys[0], 1, 1, day(), day(months=1)), (keys[1], 2, 1, day(months=-1), day(-1)),
        (keys[2], 3, 1, day(months=-1), day(months=1))])


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_pm_job_legacy_case(db, run_tis, rabbit, exchange, shape):
    name, read = exchange
    assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    load_legacy_memberships(db, shape)
    cp = run_job(run_tis, db, rabbit, "RevalCurrentPmSyncJob", name)
    assert cp.returncode == 0, cp.stderr
    assert f"2 persons published in 1 message(s) to exchange '{name}'" in cp.stderr
    (method, props, body), = read()
    assert json.loads(body) == ["1", "2"] and body == b'["1","2"]'
    assert method.routing_key == "reval.trainee.update" and method.exchange == name
    assert props.content_type == "application/json" and props.content_encoding == "UTF-8"
    assert props.delivery_mode == 2  # persistent
    assert props.headers == {"__TypeId__": "java.util.HashSet", "__ContentTypeId__": "java.lang.Object"}
    assert rabbit.password not in cp.stderr


def test_placement_job_and_batches_of_5000(sqlite_db, run_tis, rabbit, exchange):
    """Distinct trainees, ascending, at most 5,000 per message; NULL trainees
    and other days are left out; the routing key is configurable."""
    name, read = exchange
    db = sqlite_db
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    rows, pid = [], 0
    for trainee in range(1, 12_002):
        pid += 1
        rows.append((pid, trainee, day() if trainee % 2 else day(-10), day(months=3) if trainee % 2 else day(-1)))
    rows += [(pid + 1, 5, day(), day()), (pid + 2, None, day(), day(-1)), (pid + 3, 20_000, day(1), day(5))]
    con = db.connect()
    con.executemany("INSERT INTO Placement (id, traineeId, dateFrom, dateTo) VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    cp = run_job(run_tis, db, rabbit, "RevalCurrentPlacementSyncJob", name)
    assert cp.returncode == 0, cp.stderr
    messages = [json.loads(body) for _, _, body in read()]
    assert [len(m) for m in messages] == [5000, 5000, 2001]
    ids = [int(i) for m in messages for i in m]
    assert ids == list(range(1, 12_002))  # ascending, each once
    assert all(isinstance(i, str) for m in messages for i in m)


def test_no_ids_no_message(sqlite_db, run_tis, rabbit, exchange):
    name, read = exchange
    assert run_tis("--db", sqlite_db.url, "init-db", "--tcs").returncode == 0
    cp = run_job(run_tis, sqlite_db, rabbit, "RevalCurrentPmSyncJob", name)
    assert cp.returncode == 0, cp.stderr
    assert "0 persons published in 0 message(s)" in cp.stderr
    assert read() == []


@pytest.fixture
def pm_db(sqlite_db, run_tis):
    assert run_tis("--db", sqlite_db.url, "init-db", "--tcs").returncode == 0
    load_legacy_memberships(sqlite_db, "2026")
    return sqlite_db


def failure(cp):
    assert cp.returncode == 1, cp.stderr
    line = next(ln for ln in cp.stderr.splitlines() if "Sync job [RevalCurrentPmSyncJob] failed" in ln)
    return line


def test_broker_down_fails_clearly(pm_db, run_tis, rabbit, exchange):
    import socket
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = failure(run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", exchange[0], RABBITMQ_PORT=port))
    assert f"connect to RabbitMQ: cannot connect to RabbitMQ at 127.0.0.1:{port}" in line


def test_login_refused_fails_clearly(pm_db, run_tis, rabbit, exchange):
    cp = run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", exchange[0], RABBITMQ_PASSWORD="not-the-password")
    line = failure(cp)
    assert f"RabbitMQ at 127.0.0.1:{rabbit.port} refused the login of user 'tis' to virtual host '/'" in line
    assert "ACCESS_REFUSED" in line
    assert "not-the-password" not in cp.stderr


def test_unroutable_message_fails_the_job(pm_db, run_tis, rabbit, exchange):
    name, read = exchange
    cp = run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", name,
                 REVAL_RABBIT_TRAINEEUPDATE_ROUTING_KEY="reval.nobody.listens")
    line = failure(cp)
    assert "publish: message 1 (2 ids)" in line and "returned the message as unroutable" in line
    assert "312 NO_ROUTE" in line
    assert read() == []


def test_missing_exchange_fails_the_job(pm_db, run_tis, rabbit):
    line = failure(run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", "no-such-exchange"))
    assert "the broker closed the channel: 404 NOT_FOUND - no exchange 'no-such-exchange'" in line


def test_tls_verified(pm_db, run_tis, rabbit, exchange):
    name, read = exchange
    tls = dict(RABBITMQ_HOST="localhost", RABBITMQ_PORT=rabbit.tls_port, RABBITMQ_USE_SSL="true")
    cp = run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", name, TIS_SYNC_RABBITMQ_CA_FILE=rabbit.ca_file,
                 **tls)
    assert cp.returncode == 0, cp.stderr
    assert [json.loads(b) for _, _, b in read()] == [["1", "2"]]
    # a certificate the trusted CAs did not sign is refused (the system's CAs do not know the test CA)
    line = failure(run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", name, **tls))
    assert "(TLS): SSL peer cert verification failed" in line
    # plain AMQP on the TLS port: no handshake
    line = failure(run_job(run_tis, pm_db, rabbit, "RevalCurrentPmSyncJob", name, RABBITMQ_USE_SSL="true",
                           TIS_SYNC_RABBITMQ_CA_FILE=rabbit.ca_file, TIS_SYNC_RABBITMQ_TIMEOUT="5"))
    assert "(TLS): SSL handshake failed" in line
    assert read() == []


def test_reval_jobs_do_not_exist_without_a_broker(sqlite_db, run_tis):
    assert run_tis("--db", sqlite_db.url, "init-db", "--tcs").returncode == 0
    cp = run_tis("--db", sqlite_db.url, "run", "revalCurrentPmJob")
    assert cp.returncode == 2
    assert "RevalCurrentPmSyncJob needs a RabbitMQ broker: set rabbitmq.host (RABBITMQ_HOST)" in cp.stderr


# --------------------------------------------------------------------------
# the chain of eleven


def test_chain_of_eleven(db, run_tis, rabbit, exchange, opensearch_url, alias, engine):
    """Today's TCS, a broker and a search engine: the whole chain, in order,
    every job succeeding, on each database."""
    name, read = exchange
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    assert run_tis("--db", db.url, "demo-data", "--persons", "300").returncode == 0
    add_placement_starting_today(db)
    env = rabbit.env(REVAL_RABBIT_EXCHANGE=name, TIS_SYNC_ES_URL=opensearch_url, TIS_SYNC_ES_ALIAS=alias,
                     TIS_SYNC_ES_POSTS_ALIAS=alias + "posts")
    cp = run_tis("--db", db.url, "run", "--chain", "--owner-mode", "native", "--today", TODAY.isoformat(), env=env,
                 timeout=180)
    assert cp.returncode == 0, cp.stderr
    started = [ln.split("Sync [")[1].split("]")[0] for ln in cp.stderr.splitlines() if "] started" in ln]
    assert started == ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob",
                       "PersonPlacementTrainingBodyTrustJob", "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob",
                       "PersonRecordStatusJob", "PersonElasticSearchSyncJob", "RevalCurrentPmSyncJob",
                       "PostFundingStatusSyncJob", "RevalCurrentPlacementSyncJob", "PostElasticSearchSyncJob"]
    assert db.query("SELECT COUNT(*) FROM tis_sync_run WHERE status = 'succeeded'") == [(11,)]
    assert read()  # the placement starting today was published
    assert engine.count(alias) > 0 and engine.count(alias + "posts") == 101


def add_placement_starting_today(db):
    """A placement starting on TODAY, so the placement job has an id to send."""
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo"],
                [(10_000_001, 7, 1, TODAY.isoformat(), day(months=6))])

