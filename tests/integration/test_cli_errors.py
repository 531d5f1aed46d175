"""Bad input never runs anything: each gives a clear message naming the key
and where it came from, and the right exit status (2 usage/configuration,
1 a job or database failure). Passwords never appear in any output."""

import pytest

from conftest import REPO_ROOT
from serve_helpers import serve_factory  # noqa: F401

SECRET = "s3cret-Pa55-word"


def test_malformed_url_flag(run_tis):
    cp = run_tis("--db", "mysql://nohost", "run", "PostEmployingBodyTrustJob")
    assert cp.returncode == 2
    assert "database.url" in cp.stderr and "flag --db" in cp.stderr
    assert "mysql://USER[:PASS]@HOST[:PORT]/DB" in cp.stderr


def test_malformed_url_env_never_shows_the_password(run_tis):
    cp = run_tis("run", "PostEmployingBodyTrustJob", env={"TIS_SYNC_DB": f"mysql://u:{SECRET}@h:99999/db"})
    assert cp.returncode == 2
    assert "environment variable TIS_SYNC_DB" in cp.stderr and "port" in cp.stderr
    assert SECRET not in cp.stderr + cp.stdout


def test_unknown_scheme(run_tis):
    cp = run_tis("--db", "postgres://x@y/z", "history")
    assert cp.returncode == 2 and "expected sqlite:PATH or mysql://" in cp.stderr


def test_bad_config_file_value_names_file_and_line(run_tis, tmp_path):
    ini = tmp_path / "tis-sync.ini"
    ini.write_text("[database]\nurl = sqlite:x.db\n\n[log]\nlevel = LOUD\n")
    cp = run_tis("--config", ini, "history")
    assert cp.returncode == 2
    assert f"{ini}:5" in cp.stderr and "log.level" in cp.stderr and "LOUD" in cp.stderr
    assert "ERROR, WARN, INFO or DEBUG" in cp.stderr


def test_unknown_config_key_names_file_and_line(run_tis, tmp_path):
    ini = tmp_path / "tis-sync.ini"
    ini.write_text("[jobs]\nowner_mod = native\n")
    cp = run_tis("--config", ini, "history")
    assert cp.returncode == 2 and f"{ini}:2" in cp.stderr and "jobs.owner_mod" in cp.stderr


@pytest.mark.parametrize("text,line,says", [
    # issue 10, defect 6: each of these was taken silently
    (b"[database]\nurl = sqlite:a.db\n[log]\nlevel = INFO\nlevel = DEBUG\n", 5, "'log.level' is set twice (first at "),
    (b"[database]\nurl = sqlite:a.db\npassword = abc\0def\n", 3, "the line holds a NUL byte"),
    (b"[log]\ndir = /var/log/apps ; where the logs go\n", 2, "the value of 'log.dir' holds an inline comment"),
    (b"[slack]\nchannel = #tis # the team\n", 2, "the value of 'slack.channel' holds an inline comment"),
])
def test_ini_refuses_what_it_would_take_wrongly(run_tis, tmp_path, text, line, says):
    ini = tmp_path / "tis-sync.ini"
    ini.write_bytes(text)
    cp = run_tis("--config", ini, "history", cwd=tmp_path)
    assert cp.returncode == 2 and f"{ini}:{line}: {says}" in cp.stderr, cp.stderr
    assert "abc" not in cp.stderr  # a password is never echoed


def test_ini_keeps_what_is_not_a_comment(run_tis, tmp_path):
    """A ';' or '#' inside a value, or a quoted value, is the value."""
    ini = tmp_path / "tis-sync.ini"
    ini.write_text('[database]\nurl = sqlite:a.db\npassword = pa;ss#word\n[slack]\nchannel = "#tis ; team"\n'
                   "; a comment line\n# another\n")
    cp = run_tis("--config", ini, "history", cwd=tmp_path)
    assert cp.returncode == 0, cp.stderr
    ini.write_text(ini.read_text() + "[log]\nlevel = LOUD\n")  # and the file is really read
    assert run_tis("--config", ini, "history", cwd=tmp_path).returncode == 2


def test_missing_config_file(run_tis, tmp_path):
    cp = run_tis("--config", tmp_path / "nope.ini", "history")
    assert cp.returncode == 2 and "nope.ini" in cp.stderr and "No such file" in cp.stderr


def test_bad_env_value_names_the_variable(run_tis, sqlite_db):
    cp = run_tis("--db", sqlite_db.url, "history", env={"DBPORT": "http"})
    assert cp.returncode == 2 and "environment variable DBPORT" in cp.stderr and "database.port" in cp.stderr


def test_bad_cron_names_job_expression_and_position(run_tis, sqlite_db):
    cp = run_tis("--db", sqlite_db.url, "history", env={"APPLICATION_CRON_PERSONOWNERREBUILDJOB": "0 61 0 * * *"})
    assert cp.returncode == 2
    assert "schedule.PersonOwnerRebuildJob" in cp.stderr and "APPLICATION_CRON_PERSONOWNERREBUILDJOB" in cp.stderr
    assert "position 3" in cp.stderr and "0 61 0 * * *" in cp.stderr


def test_flag_beats_env_beats_file(run_tis, tmp_path):
    ini = tmp_path / "tis-sync.ini"
    ini.write_text("[jobs]\ntoday = 2001-01-01\n")
    # the file's value is valid; the env's is not: env wins and is refused
    cp = run_tis("--config", ini, "--db", f"sqlite:{tmp_path}/a.db", "history", env={"TIS_SYNC_TODAY": "2001-13-01"})
    assert cp.returncode == 2 and "environment variable TIS_SYNC_TODAY" in cp.stderr
    # a flag beats both
    cp = run_tis("--config", ini, "--db", f"sqlite:{tmp_path}/a.db", "--today", "2002-02-02", "history",
                 env={"TIS_SYNC_TODAY": "2001-13-01"})
    assert cp.returncode == 0, cp.stderr


@pytest.mark.parametrize("args, message", [
    (["run", "--frobnicate"], "unknown option --frobnicate"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["run"], "run needs job names or --chain"),
    (["run", "--chain", "PostTrustJob"], "run --chain takes no job names"),
    (["demo-data"], "demo-data needs --persons N"),
    (["demo-data", "--persons", "many"], "--persons expects a whole number"),
    (["run", "--today"], "option --today needs a value"),
    (["init-db", "--schema", "2026"], "--schema goes with --tcs"),
    (["init-db", "--tcs", "--schema", "2022"], "--schema expects 2019 or 2026, got '2022'"),
    (["run", "PostFundingStatusSyncJob", "--date-of-change", "ANY"],
     "--date-of-change is PersonRecordStatusJob's: run that job with it"),
    (["run", "--chain", "--date-of-change", "ANY"], "run --chain takes no job names, no --with-dependents"),
    (["run", "PersonRecordStatusJob", "--date-of-change", "2022-02-30"],
     "--date-of-change expects ANY or a date YYYY-MM-DD, got '2022-02-30'"),
])
def test_usage_errors(run_tis, tmp_path, args, message):
    cp = run_tis("--db", f"sqlite:{tmp_path}/a.db", *args)
    assert cp.returncode == 2 and message in cp.stderr


def test_unknown_job_lists_the_valid_names(run_tis, tmp_path):
    cp = run_tis("--db", f"sqlite:{tmp_path}/a.db", "run", "PersonOwnerJob")
    assert cp.returncode == 2
    assert "unknown job 'PersonOwnerJob'" in cp.stderr
    for name in ["PersonOwnerRebuildJob", "doPersonPlacementEmployingBodyFullSync", "PersonElasticSearchJob"]:
        assert name in cp.stderr


def test_unreachable_database(run_tis):
    cp = run_tis("--db", f"mysql://tis:{SECRET}@127.0.0.1:9/tcs", "run", "PostEmployingBodyTrustJob",
                 env={"TIS_SYNC_DB_CONNECT_TIMEOUT": "2"})
    assert cp.returncode == 1
    assert "cannot connect to mysql://tis:***@127.0.0.1:9/tcs" in cp.stderr
    assert SECRET not in cp.stderr + cp.stdout


def test_wrong_password(mysql_db, run_tis, log_dir):
    s = mysql_db.server
    url = f"mysql://{s.user}:{SECRET}@{s.host}:{s.port}/{mysql_db.name}"
    cp = run_tis("--db", url, "run", "PostEmployingBodyTrustJob")
    assert cp.returncode == 1
    assert "Access denied" in cp.stderr and "***" in cp.stderr
    logs = "".join(p.read_text() for p in log_dir.iterdir())
    assert SECRET not in cp.stderr + cp.stdout + logs


def test_missing_sqlite_file_is_not_created_by_run(run_tis, tmp_path):
    cp = run_tis("--db", f"sqlite:{tmp_path}/missing/x.db", "run", "PostEmployingBodyTrustJob")
    assert cp.returncode == 1 and "cannot open SQLite database" in cp.stderr


def test_missing_tcs_table(db, run_tis):
    assert run_tis("--db", db.url, "init-db").returncode == 0  # service tables only
    cp = run_tis("--db", db.url, "run", "PostEmployingBodyTrustJob")
    assert cp.returncode == 1
    assert "Sync job [PostEmployingBodyTrustJob] failed" in cp.stderr
    assert "read sources:" in cp.stderr and "Post" in cp.stderr
    status, error = db.query("SELECT status, error FROM tis_sync_run")[0]
    assert status == "failed" and error.startswith("read sources:")


def test_bad_log_dir_is_refused_when_configured(run_tis, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cp = run_tis("--db", f"sqlite:{tmp_path}/a.db", "run", "PostEmployingBodyTrustJob",
                 env={"LOG_DIR": blocker / "sub"})
    assert cp.returncode == 2 and "log.dir" in cp.stderr and "environment variable LOG_DIR" in cp.stderr


def test_help_and_config_reference(run_tis):
    cp = run_tis("help")
    assert cp.returncode == 0 and "run --chain" in cp.stdout
    cp = run_tis("config-reference")
    assert cp.returncode == 0
    for name in ["DBHOST", "APPLICATION_CRON_PERSONOWNERREBUILDJOB", "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST",
                 "ES_URLS", "SLACK_API_TOKEN", "TIS_SYNC_OWNER_MODE", "LOG_LEVEL",
                 # SPEC-2026: the newer jobs' schedules, the broker, the date override, the profile
                 "APPLICATION_CRON_PERSONRECORDSTATUSJOB", "APPLICATION_CRON_REVALCURRENTPMJOB",
                 "APPLICATION_CRON_POSTFUNDING_STATUS_SYNCJOB", "APPLICATION_CRON_REVALCURRENTPLACEMENTJOB",
                 "APPLICATION_CRON_POSTELASTICSEARCHJOB", "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USERNAME",
                 "RABBITMQ_PASSWORD", "RABBITMQ_USE_SSL", "RABBITMQ_VHOST", "REVAL_RABBIT_EXCHANGE",
                 "REVAL_RABBIT_TRAINEEUPDATE_ROUTING_KEY", "APPLICATION_JOBS_PERSONRECORDSTATUSJOB_DATEOFCHANGEOVERRIDE",
                 "SPRING_PROFILES_ACTIVE"]:
        assert name in cp.stdout, name


def test_example_configuration_is_valid(run_tis, tmp_path):
    """packaging/tis-sync.ini.example, as shipped, is read without error."""
    cp = run_tis("--config", REPO_ROOT / "packaging" / "tis-sync.ini.example", "--db", f"sqlite:{tmp_path}/a.db",
                 "jobs")
    assert cp.returncode == 0, cp.stderr
    assert "PostElasticSearchSyncJob               0 55 1 * * *" in cp.stdout


def test_jobs_keeps_its_columns_and_a_sunday_range_is_sunday(run_tis, tmp_path, serve_factory):
    """Issue 10, defect 3: SUN-SUN is Sunday alone (it fired every day); a
    schedule longer than 16 characters does not shift the columns; a
    schedule that can never fire is said so at start-up."""
    env = {"TIS_SYNC_TEST_NOW": "2026-01-19T13:00:00Z",  # a Monday
           "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": "0 0 12 * * SUN-SUN",
           "APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB": "0 0,15,30,45 1-5 * * MON-FRI",
           "APPLICATION_CRON_PERSONRECORDSTATUSJOB": "0 0 0 31 2 *"}
    db = f"sqlite:{tmp_path}/a.db"
    cp = run_tis("--db", db, "jobs", env=env)
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.splitlines()
    header = next(line for line in lines if line.startswith("job "))
    rows = {line.split()[0]: line for line in lines if line.split() and line.split()[0].endswith("Job")}
    column = header.index("next run")
    for name, line in rows.items():
        assert line[column - 1] == " " and line[column] != " ", (name, line)  # every next run starts there
    assert rows["PostEmployingBodyTrustJob"][column:].startswith("2026-01-25 12:00:00 UTC"), rows  # the next Sunday
    assert rows["PersonRecordStatusJob"][column:].startswith("never"), rows
    s = serve_factory(db, env={**env, "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00",
                               "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00"})
    s.wait_for(r"WARN  Schedule: PersonRecordStatusJob at '0 0 0 31 2 \*' \(schedule.PersonRecordStatusJob\) can "
               r"never fire")
    assert s.stop() == 0


@pytest.mark.parametrize("first,second", [("2019", "2026"), ("2026", "2019")])
def test_init_db_never_alters_the_other_shape(db, run_tis, first, second):
    assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", first).returncode == 0
    cp = run_tis("--db", db.url, "init-db", "--tcs", "--schema", second)
    assert cp.returncode == 1
    assert f"this database already has the {first} TCS schema; it is never altered" in cp.stderr
    assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", first).returncode == 0  # idempotent
