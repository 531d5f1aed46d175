/* main.c - the command line: parses options, builds the configuration and
 * dispatches to the commands (init-db, run, history, demo-data, jobs,
 * serve). Exit status: 0 success, 1 a job failed, 2 usage or configuration
 * error, 3 the job was already running elsewhere.
 *
 * Global: `stop_requested`, set by SIGINT/SIGTERM during `run`, so that a
 * running job rolls back and is recorded instead of dying mid-write. */
#include "cli.h"
#include "demo_data.h"
#include "history.h"
#include "log.h"
#include "migrate.h"
#include "notify.h"
#include "runner.h"
#include "tcs_schema.h"
#include "tokens.h"
#include "version.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static atomic_int stop_requested;

static const char usage[] =
    "usage: tis-sync [--config FILE] [options] COMMAND [args]\n"
    "\n"
    "commands:\n"
    "  run JOB... [--with-dependents]   run jobs now (job, legacy bean or method name)\n"
    "      [--force]                    the search jobs: switch even to an index smaller than\n"
    "                                   search.min_ratio of the live one\n"
    "      [--date-of-change D|ANY]     PersonRecordStatusJob: the persons whose membership\n"
    "                                   starts on D or ended the day before (default today)\n"
    "  run --chain                      run the nightly chain in order\n"
    "  serve                            run the service: schedules, catch-up, HTTP API\n"
    "  jobs                             list the jobs, their schedules and next runs\n"
    "  history [JOB] [--limit N]        show the run history\n"
    "  init-db [--tcs [--schema 2019|2026]]\n"
    "                                   create/migrate the service tables (--tcs: also the\n"
    "                                   development TCS schema of that shape, default 2026,\n"
    "                                   and its procedure)\n"
    "  demo-data --persons N [--seed S] fill a development TCS schema with synthetic data\n"
    "  token new NAME --role viewer|operator\n"
    "                                   make an API token; it is printed once, alone on the\n"
    "                                   last line (only its SHA-256 is kept)\n"
    "  token list | token revoke NAME   the API tokens (never a secret); revoke one\n"
    "  ctl status | run JOB... [--with-dependents] [--wait] | chain [--wait] | history [JOB]\n"
    "      | log RUN | cancel RUN | pause JOB | resume JOB\n"
    "                                   operate a running service over its API (--url URL,\n"
    "                                   token from TIS_SYNC_TOKEN or --token-file FILE)\n"
    "  config-reference                 list every setting, its variable and default\n"
    "  version\n"
    "\n"
    "options (also settable in the config file and environment, see config-reference):\n"
    "  --db URL            sqlite:PATH or mysql://USER[:PASS]@HOST[:PORT]/DB[?socket=PATH]\n"
    "  --owner-mode MODE   procedure | native\n"
    "  --today YYYY-MM-DD  the date the jobs take as today\n"
    "  --log-dir DIR, --log-level LEVEL, --listen ADDR:PORT\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tis-sync: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run tis-sync help for usage)\n");
    return EXIT_USAGE;
}

static bool valid_date_of_change(const char *value)
{
    int y;
    return str_ieq(value, "ANY") || parse_date(value, &y, NULL, NULL);
}

static int parse_command_flag(cli_options *o, const char *flag, const char *value)
{
    if (!strcmp(flag, "--tcs"))
        o->tcs = true;
    else if (!strcmp(flag, "--chain"))
        o->chain = true;
    else if (!strcmp(flag, "--with-dependents"))
        o->with_dependents = true;
    else if (!strcmp(flag, "--force"))
        o->force = true;
    else if (!strcmp(flag, "--config"))
        o->config_path = value;
    else if (!strcmp(flag, "--schema") && strcmp(value, "2019") != 0 && strcmp(value, "2026") != 0)
        return usage_error("--schema expects 2019 or 2026, got '%s'", value);
    else if (!strcmp(flag, "--schema"))
        o->schema = value;
    else if (!strcmp(flag, "--date-of-change") && !valid_date_of_change(value))
        return usage_error("--date-of-change expects ANY or a date YYYY-MM-DD, got '%s'", value);
    else if (!strcmp(flag, "--date-of-change"))
        o->date_of_change = str_ieq(value, "ANY") ? "ANY" : value;
    else if (!strcmp(flag, "--role") && token_role_parse(value) == ROLE_NONE)
        return usage_error("--role expects viewer or operator, got '%s'", value);
    else if (!strcmp(flag, "--role"))
        o->role = value;
    else if (!strcmp(flag, "--url"))
        o->url = value;
    else if (!strcmp(flag, "--token-file"))
        o->token_file = value;
    else if (!strcmp(flag, "--ca-file"))
        o->ca_file = value;
    else if (!strcmp(flag, "--wait"))
        o->wait = true;
    else if (!strcmp(flag, "--persons") && !parse_long(value, 0, 100000000, &o->persons))
        return usage_error("--persons expects a whole number from 0 to 100000000, got '%s'", value);
    else if (!strcmp(flag, "--seed") && !parse_long(value, 0, 9223372036854775807LL, &o->seed))
        return usage_error("--seed expects a non-negative whole number, got '%s'", value);
    else if (!strcmp(flag, "--limit") && !parse_long(value, 1, 1000000, &o->limit))
        return usage_error("--limit expects a whole number from 1 to 1000000, got '%s'", value);
    return 0;
}

/* Splits argv into options and positionals. Configuration flags are left
 * for cli_load_config; the rest land in *o. */
static int parse_args(int argc, char **argv, cli_options *o)
{
    static const char *const known[] = {"--tcs", "--chain", "--with-dependents", "--force", "--wait", "--help"};
    o->args = xcalloc((size_t)argc, sizeof *o->args);
    o->persons = -1;
    o->limit = 50;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
            if (!o->command)
                o->command = arg;
            else
                o->args[o->nargs++] = arg;
            continue;
        }
        bool is_known = cli_flag_takes_value(arg);
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            is_known |= strcmp(arg, known[k]) == 0;
        if (!is_known)
            return usage_error("unknown option %s", arg);
        if (!strcmp(arg, "--help")) {
            o->command = "help";
            continue;
        }
        const char *value = cli_flag_takes_value(arg) ? argv[i + 1] : NULL;
        if (cli_flag_takes_value(arg) && !value)
            return usage_error("option %s needs a value", arg);
        int rc = parse_command_flag(o, arg, value);
        if (rc)
            return rc;
        i += value ? 1 : 0;
    }
    return 0;
}

static int cmd_init_db(const cli_options *o, const config *cfg)
{
    if (o->schema && !o->tcs)
        return usage_error("%s", "--schema goes with --tcs (init-db --tcs --schema 2019|2026)");
    tcs_shape shape = o->schema && !strcmp(o->schema, "2019") ? TCS_SHAPE_2019 : TCS_SHAPE_2026;
    int rc = cli_migrate(cfg);
    db *conn = rc == EXIT_OK && o->tcs ? cli_connect(cfg, true) : NULL;
    strbuf err;
    sb_init(&err);
    if (o->tcs && rc == EXIT_OK && (!conn || tcs_create_dev_schema(conn, shape, &err) != 0))
        rc = EXIT_FAILED;
    char *where = db_url_redacted(cfg_db_url(cfg));
    if (rc == EXIT_OK && o->tcs)
        printf("init-db: %s is ready (service tables and the development TCS schema, %s shape)\n", where,
               tcs_shape_name(shape));
    else if (rc == EXIT_OK)
        printf("init-db: %s is ready\n", where);
    else if (err.len)
        fprintf(stderr, "tis-sync: init-db on %s: %s\n", where, err.data);
    free(where);
    sb_free(&err);
    db_close(conn);
    return rc;
}

static int unknown_job(const char *name)
{
    strbuf names;
    sb_init(&names);
    job_list_names(&names);
    fprintf(stderr, "tis-sync: unknown job '%s'; the jobs are:\n%s", name, names.data);
    sb_free(&names);
    return EXIT_USAGE;
}

static int resolve_jobs(const cli_options *o, const config *cfg, job_id *jobs, size_t *n)
{
    *n = 0;
    if (o->chain) {
        if (o->nargs > 0 || o->with_dependents || o->date_of_change)
            return usage_error("%s", "run --chain takes no job names, no --with-dependents and no --date-of-change");
        *n = job_set_to_list(jobs_available(cfg), jobs);
        return 0;
    }
    if (o->nargs == 0)
        return usage_error("%s", "run needs job names or --chain");
    for (int i = 0; i < o->nargs; i++) {
        const job_def *def = job_find(o->args[i]);
        if (!def)
            return unknown_job(o->args[i]);
        if (!job_available(cfg, def->id))
            return usage_error("%s needs a RabbitMQ broker: set rabbitmq.host (RABBITMQ_HOST)", def->name);
        bool seen = false;
        for (size_t k = 0; k < *n; k++)
            seen |= jobs[k] == def->id;
        if (!seen && *n < JOB_COUNT)
            jobs[(*n)++] = def->id;
    }
    if (o->with_dependents) {
        job_id expanded[JOB_COUNT];
        *n = runner_expand_dependents(jobs, *n, expanded);
        memcpy(jobs, expanded, *n * sizeof *jobs);
    }
    bool takes_date = false;
    for (size_t k = 0; k < *n; k++)
        takes_date |= jobs[k] == JOB_PERSON_RECORD_STATUS;
    if (o->date_of_change && !takes_date)
        return usage_error("%s", "--date-of-change is PersonRecordStatusJob's: run that job with it");
    return 0;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    atomic_store(&stop_requested, 1);
}

static int cmd_run(const cli_options *o, const config *cfg)
{
    job_id jobs[JOB_COUNT];
    size_t n;
    int rc = resolve_jobs(o, cfg, jobs, &n);
    if (rc == 0)
        rc = cli_open_log(cfg);
    if (rc == 0)
        rc = cli_migrate(cfg);
    if (rc != 0)
        return rc;
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    notify_start(cfg);
    run_request req = {.cfg = cfg, .trigger = TRIGGER_CLI, .cancel = &stop_requested, .argument = o->date_of_change,
                       .force = o->force};
    run_outcome outcome = runner_run_sequence(&req, jobs, n);
    notify_stop(10);
    switch (outcome) {
    case RUN_SUCCEEDED:
        return EXIT_OK;
    case RUN_ALREADY_RUNNING:
        fprintf(stderr, "tis-sync: a job was already running, exiting this execution (see the log)\n");
        return EXIT_ALREADY_RUNNING;
    default:
        return EXIT_FAILED;
    }
}

static int cmd_history(const cli_options *o, const config *cfg)
{
    const char *job = NULL;
    if (o->nargs > 1)
        return usage_error("%s", "history takes at most one job name");
    if (o->nargs == 1) {
        const job_def *def = job_find(o->args[0]);
        if (!def)
            return usage_error("unknown job '%s'", o->args[0]);
        job = def->name;
    }
    int rc = cli_migrate(cfg);
    db *conn = rc == 0 ? cli_connect(cfg, false) : NULL;
    if (!conn)
        return EXIT_FAILED;
    strbuf err;
    sb_init(&err);
    rc = history_print(conn, stdout, job, (int)o->limit, &err);
    if (rc != 0)
        fprintf(stderr, "tis-sync: %s\n", err.data);
    sb_free(&err);
    db_close(conn);
    return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

static int cmd_demo_data(const cli_options *o, const config *cfg)
{
    if (o->persons < 0)
        return usage_error("%s", "demo-data needs --persons N");
    db *conn = cli_connect(cfg, true);
    if (!conn)
        return EXIT_FAILED;
    strbuf err;
    sb_init(&err);
    double t0 = monotonic_seconds();
    /* A database without any TCS table gets today's development schema;
     * one with TCS tables must be a development schema (never wipe TCS). */
    demo_options d = {o->persons, (unsigned long long)(o->seed ? o->seed : 1), TCS_SHAPE_UNKNOWN};
    if (!tcs_has_person_table(conn))
        tcs_create_dev_schema(conn, TCS_SHAPE_2026, &err);
    if (!err.len && !tcs_is_dev_schema(conn)) {
        char *where = db_url_redacted(cfg_db_url(cfg));
        sb_printf(&err, "refusing to replace the TCS data of %s: its tables were not created by "
                        "`tis-sync init-db --tcs` (demo-data only fills a development schema)", where);
        free(where);
    }
    if (!err.len)
        d.shape = tcs_shape_detect(conn, &err);
    if (!err.len && d.shape == TCS_SHAPE_UNKNOWN)
        sb_puts(&err, "the development schema has no ProgrammeMembership table (run init-db --tcs)");
    int rc = err.len ? -1 : 0;
    if (rc == 0)
        rc = demo_data_generate(conn, &d, &err);
    if (rc == 0)
        printf("demo-data: %lld persons written in %.1f s (seed %llu, %s schema)\n", o->persons,
               monotonic_seconds() - t0, d.seed, tcs_shape_name(d.shape));
    else
        fprintf(stderr, "tis-sync: demo-data: %s\n", err.data);
    sb_free(&err);
    db_close(conn);
    return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

static int token_command(const cli_options *o, db *conn, strbuf *err)
{
    const char *sub = o->nargs > 0 ? o->args[0] : "";
    if (!strcmp(sub, "list") && o->nargs == 1)
        return token_print(conn, stdout, err) == 0 ? EXIT_OK : EXIT_FAILED;
    if (!strcmp(sub, "revoke") && o->nargs == 2) {
        int rc = token_revoke(conn, o->args[1], err);
        if (rc == 0)
            sb_printf(err, "no active token named '%s'", o->args[1]);
        else if (rc == 1)
            printf("token %s revoked\n", o->args[1]);
        return rc == 1 ? EXIT_OK : EXIT_FAILED;
    }
    char token[TOKEN_HEX + 1];
    if (token_create(conn, o->args[1], token_role_parse(o->role), token, err) != 0)
        return EXIT_FAILED;
    printf("token %s (%s) made; it is shown only this once:\n%s\n", o->args[1], o->role, token);
    return EXIT_OK;
}

static int cmd_token(const cli_options *o, const config *cfg)
{
    const char *sub = o->nargs > 0 ? o->args[0] : "";
    bool is_new = !strcmp(sub, "new");
    if (!(is_new && o->nargs == 2) && !(!strcmp(sub, "list") && o->nargs == 1) &&
        !(!strcmp(sub, "revoke") && o->nargs == 2))
        return usage_error("%s", "token new NAME --role viewer|operator, token list, or token revoke NAME");
    if (is_new && !token_name_valid(o->args[1]))
        return usage_error("token names are 1 to 64 letters, digits, '-', '_' or '.', got '%s'", o->args[1]);
    if (is_new && !o->role)
        return usage_error("%s", "token new needs --role viewer or --role operator");
    if (cli_migrate(cfg) != EXIT_OK)
        return EXIT_FAILED;
    db *conn = cli_connect(cfg, false);
    if (!conn)
        return EXIT_FAILED;
    strbuf err;
    sb_init(&err);
    int rc = token_command(o, conn, &err);
    if (err.len)
        fprintf(stderr, "tis-sync: token: %s\n", err.data);
    sb_free(&err);
    db_close(conn);
    return rc;
}

static int dispatch(const cli_options *o, config *cfg, char **argv)
{
    const char *c = o->command;
    if (!strcmp(c, "init-db"))
        return cmd_init_db(o, cfg);
    if (!strcmp(c, "run"))
        return cmd_run(o, cfg);
    if (!strcmp(c, "history"))
        return cmd_history(o, cfg);
    if (!strcmp(c, "demo-data"))
        return cmd_demo_data(o, cfg);
    if (!strcmp(c, "jobs"))
        return cmd_jobs(o, cfg);
    if (!strcmp(c, "serve"))
        return cmd_serve(o, cfg, (const char *const *)argv);
    if (!strcmp(c, "token"))
        return cmd_token(o, cfg);
    if (!strcmp(c, "ctl"))
        return cmd_ctl(o, cfg);
    return usage_error("unknown command '%s'", c);
}

int main(int argc, char **argv)
{
    cli_options o = {0};
    int status = parse_args(argc, argv, &o);
    if (status == 0 && (!o.command || !strcmp(o.command, "help"))) {
        fputs(usage, o.command ? stdout : stderr);
        status = o.command ? EXIT_OK : EXIT_USAGE;
    } else if (status == 0 && !strcmp(o.command, "version")) {
        printf("tis-sync %s\n", TIS_SYNC_VERSION);
    } else if (status == 0 && !strcmp(o.command, "config-reference")) {
        config_print_reference();
    } else if (status == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        config *cfg = cli_load_config(o.config_path, argc, argv, &status);
        if (cfg)
            status = dispatch(&o, cfg, argv);
        config_free(cfg);
        curl_global_cleanup();
    }
    free(o.args);
    log_close_file();
    return status;
}
