/* serve.c - the `serve` and `jobs` commands: sets the process up as a
 * service (time zone, log, signals, service manager, HTTP API, Slack),
 * decides the startup catch-up from the run history, and hands over to the
 * scheduler's loop (scheduler.c). `jobs` prints the schedules, next and
 * last runs.
 *
 * Signals are blocked in every thread and taken by one signal thread with
 * sigwait(), so nothing runs in a signal handler: SIGTERM/SIGINT stop
 * (twice: cancel at once), SIGHUP reloads the configuration. SIGUSR2 ends
 * the signal thread at exit, but only once serve has set `exiting`: one
 * sent from outside is logged and ignored. */
#include "catchup.h"
#include "cli.h"
#include "heartbeat.h"
#include "lock.h"
#include "history.h"
#include "http_api.h"
#include "job_state.h"
#include "log.h"
#include "notify.h"
#include "scheduler.h"
#include "service_notify.h"
#include "tcs_schema.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* SIGUSR2 is internal: it ends the signal thread at exit (see signal_main). */
static void service_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR2);
}

/* ---- process setup ------------------------------------------------------ */

/* Schedules are evaluated in the process's local zone (cron.h): UTC unless
 * schedule.time_zone names an IANA zone, which must exist (glibc would
 * silently fall back to UTC). */
static int set_time_zone(const config *cfg)
{
    const char *zone = cfg_str(cfg, CFG_TIME_ZONE);
    if (str_ieq(zone, "UTC") || str_ieq(zone, "Etc/UTC") || strcmp(zone, "UTC0") == 0) {
        setenv("TZ", "UTC0", 1);
        tzset();
        return EXIT_OK;
    }
    const char *dir = getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo";
    char *path = xasprintf("%s/%s", dir, zone);
    struct stat st;
    bool ok = zone[0] != '/' && !strstr(zone, "..") && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    if (!ok) {
        fprintf(stderr, "tis-sync: configuration error: bad value '%s' for %s (from %s): expected an IANA time zone "
                        "such as Europe/London (none in %s)\n",
                zone, cfg_name(CFG_TIME_ZONE), cfg_source(cfg, CFG_TIME_ZONE), dir);
        return EXIT_USAGE;
    }
    setenv("TZ", zone, 1);
    tzset();
    return EXIT_OK;
}

/* debug.now (tests): the service clock runs from that instant on. */
static long long clock_offset(const config *cfg)
{
    time_t fake;
    if (!cfg_str(cfg, CFG_TEST_NOW) || !catchup_parse_timestamp(cfg_str(cfg, CFG_TEST_NOW), &fake))
        return 0;
    log_warn("debug.now is set: the service clock starts at %s (tests only)", cfg_str(cfg, CFG_TEST_NOW));
    return (long long)fake - (long long)time(NULL);
}

static db *connect_history(const config *cfg)
{
    db_options opts = cfg_db_options(cfg, false);
    char *err = NULL;
    db *conn = db_connect(cfg_db_url(cfg), &opts, &err);
    if (!conn) {
        log_error("cannot read the run history: %s", err);
        free(err);
    }
    return conn;
}

/* 1 and *rec filled, 0 when the history has no ended run, -1 on error. */
static int read_record(db *conn, job_id j, job_record *rec)
{
    char status[16] = "";
    strbuf err;
    sb_init(&err);
    *rec = (job_record){0};
    int rc = history_last(conn, job_table[j].name, status, &rec->last_started, &rec->last_success, &err);
    if (rc < 0)
        log_error("%s", err.data);
    rec->any_run = rc == 1;
    rec->last_ok = rc == 1 && strcmp(status, RUN_STATUS_SUCCEEDED) == 0;
    sb_free(&err);
    return rc;
}

/* ---- startup catch-up --------------------------------------------------- */

static job_policy policy_of(const config *cfg, job_id j)
{
    job_policy p = {strcmp(cfg_str(cfg, CFG_STARTUP_POLICY), "skip") == 0 ? POLICY_SKIP : POLICY_RUN_ONCE,
                    cfg_int(cfg, CFG_STARTUP_GRACE)};
    const char *own = cfg_str(cfg, job_table[j].policy);
    if (own)
        job_policy_parse(own, &p);
    return p;
}

/* Decides for one job from its history; true when it must run now. */
static bool job_out_of_date(const config *cfg, db *conn, job_id j, long long now)
{
    job_record rec;
    if (read_record(conn, j, &rec) < 0)
        return false;
    char err[256];
    cron_expr *expr = cron_parse(cfg_str(cfg, job_table[j].schedule), err, sizeof err);
    long long due = expr ? (long long)cron_prev(expr, (time_t)now) : -1;
    bool disabled = cron_disabled(expr);
    cron_free(expr);
    job_policy policy = policy_of(cfg, j);
    strbuf why;
    sb_init(&why);
    ood_verdict v = catchup_decide(&rec, due, now, &policy, &why);
    log_info("Startup: %s is %s%s", job_table[j].name, why.data,
             disabled ? " (schedule '-': never scheduled, so never due)" : "");
    sb_free(&why);
    return v == OOD_RUN;
}

static job_set out_of_date_jobs(const config *cfg, long long now)
{
    db *conn = connect_history(cfg);
    if (!conn)
        return 0;
    job_set run = 0;
    for (int j = 0; j < JOB_COUNT; j++)
        if (job_available(cfg, (job_id)j) && job_out_of_date(cfg, conn, (job_id)j, now))
            run |= JOB_BIT(j);
    db_close(conn);
    /* A job re-run at start is followed by its dependents (SPEC 1). */
    job_id list[JOB_COUNT], all[JOB_COUNT];
    size_t n = runner_expand_dependents(list, job_set_to_list(run, list), all);
    job_set expanded = 0;
    for (size_t i = 0; i < n; i++)
        expanded |= JOB_BIT(all[i]);
    return expanded;
}

/* The catch-up window's bounds. The configuration was validated with this
 * same parser, so a failure here is a bug: refuse to start rather than
 * silently run without catch-up. */
static bool read_window(const config *cfg, int *earliest, int *latest)
{
    static const cfg_key keys[] = {CFG_STARTUP_EARLIEST, CFG_STARTUP_LATEST};
    int *out[] = {earliest, latest};
    for (int i = 0; i < 2; i++) {
        if (!catchup_parse_time_of_day(cfg_str(cfg, keys[i]), out[i])) {
            log_error("bad value '%s' for %s (from %s): expected a time of day HH:MM[:SS] (UTC)",
                      cfg_str(cfg, keys[i]) ? cfg_str(cfg, keys[i]) : "", cfg_name(keys[i]), cfg_source(cfg, keys[i]));
            return false;
        }
    }
    return true;
}

/* What runs at start (*RUN): the whole chain inside the catch-up window,
 * else the out-of-date jobs that their policy runs, with their dependents.
 * Inside the window *FIRING is the window's opening, the firing the
 * catch-up stands for (one catch-up per window between all instances);
 * else 0. False when the window cannot be read. */
static bool plan_startup(const config *cfg, long long now, job_set *run, long long *firing)
{
    int earliest = 0, latest = 0;
    if (!read_window(cfg, &earliest, &latest))
        return false;
    char at[32];
    catchup_format_utc(now, at);
    bool inside = catchup_in_window((time_t)now, earliest, latest);
    log_info("Startup at %s: %s the catch-up window [%s, %s) UTC", at, inside ? "inside" : "outside",
             cfg_str(cfg, CFG_STARTUP_EARLIEST), cfg_str(cfg, CFG_STARTUP_LATEST));
    *run = inside ? jobs_available(cfg) : out_of_date_jobs(cfg, now);
    *firing = inside ? catchup_window_opening((time_t)now, earliest) : 0;
    strbuf names;
    sb_init(&names);
    job_set_describe(*run, &names);
    if (*run)
        log_info("Startup catch-up: running %s", inside ? "the whole chain once, in order" : names.data);
    else
        log_info("Startup catch-up: nothing to run");
    sb_free(&names);
    return true;
}

/* ---- reload (SIGHUP) ---------------------------------------------------- */

typedef struct {
    const char *config_path;
    int argc;
    char **argv;
} reload_ctx;

static bool setting_changed(const config *a, const config *b, cfg_key key)
{
    const char *x = cfg_str(a, key), *y = cfg_str(b, key);
    return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
}

static void apply_side_effects(const config *current, const config *fresh)
{
    static const cfg_key restart_only[] = {CFG_TIME_ZONE,         CFG_HTTP_LISTEN,          CFG_HTTP_AUTH,
                                           CFG_HTTP_TLS_CERT,     CFG_HTTP_TLS_KEY,         CFG_HTTP_METRICS_AUTH,
                                           CFG_HTTP_MAX_CONNECTIONS, CFG_HTTP_MAX_PER_ADDRESS, CFG_HTTP_SESSION_IDLE,
                                           CFG_TEST_NOW};
    for (size_t i = 0; i < sizeof restart_only / sizeof restart_only[0]; i++)
        if (setting_changed(current, fresh, restart_only[i]))
            log_warn("Reload: %s changed; it applies after a restart", cfg_name(restart_only[i]));
    static const cfg_key slack[] = {CFG_SLACK_TOKEN, CFG_SLACK_CHANNEL, CFG_SLACK_WEBHOOK, CFG_SLACK_API_URL};
    bool slack_changed = false;
    for (size_t i = 0; i < sizeof slack / sizeof slack[0]; i++)
        slack_changed |= setting_changed(current, fresh, slack[i]);
    if (slack_changed) {
        log_info("Reload: Slack settings changed; restarting the notifier");
        notify_stop(5);
        notify_start(fresh);
    }
}

static config *reload_config(void *arg, const config *current)
{
    const reload_ctx *rc = arg;
    strbuf err;
    sb_init(&err);
    log_info("Reloading the configuration (SIGHUP)");
    config *fresh = cli_build_config(rc->config_path, rc->argc, rc->argv, &err);
    if (fresh && cli_open_log(fresh) != 0) {
        sb_printf(&err, "log.dir %s cannot be opened", cfg_str(fresh, CFG_LOG_DIR));
        config_free(fresh);
        fresh = NULL;
        cli_open_log(current);
    }
    if (!fresh)
        log_error("Configuration reload refused, keeping the running configuration: %s", err.data);
    else
        apply_side_effects(current, fresh);
    sb_free(&err);
    return fresh;
}

/* ---- signal thread ------------------------------------------------------ */

typedef struct {
    pthread_t thread;
    sigset_t set;
    scheduler *sched;
    atomic_bool exiting; /* set by serve before it sends SIGUSR2 */
} signal_thread;

static void *signal_main(void *arg)
{
    signal_thread *st = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&st->set, &sig) != 0)
            continue;
        if (sig == SIGUSR2) {
            if (atomic_load(&st->exiting))
                return NULL;
            log_warn("Received SIGUSR2: ignored (it has no meaning for tis-sync)");
            continue;
        }
        if (sig == SIGHUP) {
            scheduler_request_reload(st->sched);
        } else {
            log_info("Received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            scheduler_request_stop(st->sched);
        }
    }
}

/* ---- serve -------------------------------------------------------------- */

static int count_args(const char *const *argv)
{
    int n = 0;
    while (argv[n])
        n++;
    return n;
}

/* The TCS schema shape, said once at start (every run looks again). */
static void log_tcs_shape(const config *cfg)
{
    db *conn = connect_history(cfg);
    if (!conn)
        return;
    strbuf err;
    sb_init(&err);
    tcs_shape shape = tcs_shape_detect(conn, &err);
    if (err.len)
        log_warn("%s", err.data);
    else if (shape == TCS_SHAPE_UNKNOWN)
        log_warn("TCS schema: no ProgrammeMembership table found; the jobs will fail until TCS is there");
    else
        log_info("TCS schema: %s shape (ProgrammeMembership %s a uuid column)", tcs_shape_name(shape),
                 shape == TCS_SHAPE_2026 ? "has" : "has no");
    sb_free(&err);
    db_close(conn);
}

/* Queued runs left behind: by an earlier process on this host that ended
 * before starting them (AT_STOP false), or by this one as it stops. */
/* Before the catch-up is planned: the runs a crash left "running" are
 * crashed (so that the out-of-date policy sees them). */
static void mark_crashed(const config *cfg)
{
    db *conn = connect_history(cfg);
    strbuf err;
    sb_init(&err);
    int marked = 0;
    if (conn && history_mark_crashed(conn, &marked, &err) != 0)
        log_error("%s", err.data);
    else if (marked)
        log_warn("Startup: %d run(s) left running by a process that ended are recorded as crashed", marked);
    sb_free(&err);
    db_close(conn);
}

static void abandon_queued(const config *cfg, bool at_stop)
{
    db *conn = connect_history(cfg);
    strbuf err;
    sb_init(&err);
    if (conn && history_abandon_queued(conn, at_stop, &err) != 0)
        log_error("%s", err.data);
    sb_free(&err);
    db_close(conn);
}

static void log_started(const config *cfg, const http_api *api)
{
    char *where = db_url_redacted(cfg_db_url(cfg));
    if (api)
        log_info("tis-sync serve started (pid %d): database %s, time zone %s, HTTP API on port %u (%s)", (int)getpid(),
                 where, cfg_str(cfg, CFG_TIME_ZONE), http_api_port(api), cfg_str(cfg, CFG_HTTP_LISTEN));
    else
        log_info("tis-sync serve started (pid %d): database %s, time zone %s, HTTP API off", (int)getpid(), where,
                 cfg_str(cfg, CFG_TIME_ZONE));
    if (api && !cfg_http_auth_required(cfg))
        log_warn("http.auth = none (from %s): the HTTP API asks no token; anyone who can reach %s can start, "
                 "cancel and pause jobs",
                 cfg_source(cfg, CFG_HTTP_AUTH), cfg_str(cfg, CFG_HTTP_LISTEN));
    free(where);
}

/* Where the HTTP API listens, as the Instances view shows it: http.listen
 * with the port it bound (port 0 asks for any free one). */
static char *listening_on(const config *cfg, const http_api *api)
{
    if (!api)
        return xstrdup("off");
    const char *listen = cfg_str(cfg, CFG_HTTP_LISTEN);
    const char *colon = strrchr(listen, ':');
    return xasprintf("%.*s:%u", colon ? (int)(colon - listen) : 0, listen, http_api_port(api));
}

/* Everything after the process setup; returns the exit status. */
static int serve_with(config *cfg, scheduler *sched, const sigset_t *signals)
{
    job_set startup = 0;
    long long firing = 0;
    mark_crashed(cfg);
    if (!plan_startup(cfg, scheduler_now(sched), &startup, &firing))
        return EXIT_USAGE;
    abandon_queued(cfg, false);
    run_ask catch_up = {.jobs = startup, .primary = -1, .trigger = TRIGGER_STARTUP, .scheduled = firing,
                        .params = {.chain = startup == jobs_available(cfg)}};
    if (startup)
        scheduler_trigger(sched, &catch_up);
    http_api *api = NULL;
    if (!str_ieq(cfg_str(cfg, CFG_HTTP_LISTEN), "off")) {
        strbuf err;
        sb_init(&err);
        api = http_api_start(cfg, sched, &err);
        if (!api)
            log_error("%s", err.data);
        sb_free(&err);
        if (!api)
            return EXIT_FAILED;
    }
    log_started(cfg, api);
    log_tcs_shape(cfg);
    signal_thread st = {.set = *signals, .sched = sched};
    atomic_init(&st.exiting, false);
    pthread_create(&st.thread, NULL, signal_main, &st);
    char *address = listening_on(cfg, api);
    heartbeat *beat = heartbeat_start(cfg, address);
    free(address);
    svcn_ready("Started");
    int rc = scheduler_run(sched);
    http_api_stop(api);
    heartbeat_stop(beat);
    abandon_queued(cfg, true);
    atomic_store(&st.exiting, true);
    pthread_kill(st.thread, SIGUSR2);
    pthread_join(st.thread, NULL);
    return rc == 0 ? EXIT_OK : -1;
}

int cmd_serve(const cli_options *opts, config *cfg, const char *const *argv)
{
    if (opts->nargs > 0) {
        fprintf(stderr, "tis-sync: serve takes no arguments\n");
        return EXIT_USAGE;
    }
    int rc = set_time_zone(cfg);
    if (rc == 0)
        rc = cli_open_log(cfg);
    if (rc != 0)
        return rc;
    sigset_t signals;
    service_signals(&signals);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before any thread starts: they inherit it */
    signal(SIGPIPE, SIG_IGN);
    rc = cli_migrate(cfg);
    if (rc != 0)
        return rc;
    reload_ctx rctx = {opts->config_path, count_args(argv), (char **)argv};
    scheduler_hooks hooks = {reload_config, &rctx};
    scheduler *sched = scheduler_new(cfg, clock_offset(cfg), &hooks);
    notify_start(cfg);
    rc = serve_with(cfg, sched, &signals);
    notify_stop(10);
    if (rc < 0) {
        /* Workers still run and use the configuration: leave without
         * freeing anything; the database rolls their work back. */
        log_close_file();
        _exit(EXIT_FAILED);
    }
    scheduler_free(sched);
    log_info("tis-sync serve stopped");
    return rc;
}

/* ---- jobs --------------------------------------------------------------- */

static void print_job_line(const config *cfg, db *conn, job_id j, long long now, const job_state *states,
                           size_t nstates, int schedule_width)
{
    const char *text = cfg_str(cfg, job_table[j].schedule);
    char err[256], next[32] = "never", last[32] = "-";
    cron_expr *expr = cron_parse(text, err, sizeof err);
    bool available = job_available(cfg, j);
    time_t t = expr && available ? cron_next(expr, (time_t)now) : (time_t)-1;
    if (!available)
        snprintf(next, sizeof next, "needs RABBITMQ_HOST");
    else if (cron_disabled(expr))
        snprintf(next, sizeof next, "disabled");
    cron_free(expr);
    if (t != (time_t)-1)
        catchup_format_utc((long long)t, next);
    job_record rec = {0};
    int found = conn ? read_record(conn, j, &rec) : -1;
    if (found == 1)
        catchup_format_utc(rec.last_started, last);
    const char *status = found < 0 ? "?" : found == 0 ? "never run" : rec.last_ok ? "succeeded" : "not succeeded";
    const job_state *paused = NULL;
    for (size_t i = 0; i < nstates && !paused; i++)
        if (strcmp(states[i].job, job_table[j].name) == 0 && states[i].paused)
            paused = &states[i];
    printf("%-38s %-*s %-24s %-24s %s", job_table[j].name, schedule_width, text, next, last, status);
    char holder[256];
    if (conn && lock_holder(conn, job_table[j].name, holder) == 1)
        printf(" (running: %s)", holder);
    if (paused)
        printf(" (paused by %s at %.19s UTC)", paused->changed_by, paused->changed_at);
    printf("\n");
}

int cmd_jobs(const cli_options *opts, config *cfg)
{
    if (opts->nargs > 0) {
        fprintf(stderr, "tis-sync: jobs takes no arguments\n");
        return EXIT_USAGE;
    }
    int rc = set_time_zone(cfg);
    if (rc != 0)
        return rc;
    time_t fake;
    long long now = cfg_str(cfg, CFG_TEST_NOW) && catchup_parse_timestamp(cfg_str(cfg, CFG_TEST_NOW), &fake)
                        ? (long long)fake
                        : (long long)time(NULL);
    db *conn = cli_migrate(cfg) == 0 ? connect_history(cfg) : NULL;
    strbuf err;
    sb_init(&err);
    tcs_shape shape = conn ? tcs_shape_detect(conn, &err) : TCS_SHAPE_UNKNOWN;
    printf("TCS schema: %s\n", err.len ? err.data : shape == TCS_SHAPE_UNKNOWN ? "none found" : tcs_shape_name(shape));
    job_state *states = NULL;
    size_t nstates = 0;
    sb_reset(&err);
    if (conn && job_state_read(conn, &states, &nstates, &err) != 0)
        fprintf(stderr, "tis-sync: %s\n", err.data);
    sb_free(&err);
    int width = 16; /* the schedule column fits the longest schedule */
    for (int j = 0; j < JOB_COUNT; j++)
        if ((int)strlen(cfg_str(cfg, job_table[j].schedule)) > width)
            width = (int)strlen(cfg_str(cfg, job_table[j].schedule));
    printf("%-38s %-*s %-24s %-24s %s\n", "job", width, "schedule", "next run", "last run", "last status");
    for (int j = 0; j < JOB_COUNT; j++)
        print_job_line(cfg, conn, (job_id)j, now, states, nstates, width);
    free(states);
    if (strcmp(cfg_str(cfg, CFG_TIME_ZONE), "UTC") != 0)
        printf("(schedules are evaluated in %s; times shown in UTC)\n", cfg_str(cfg, CFG_TIME_ZONE));
    db_close(conn);
    return conn ? EXIT_OK : EXIT_FAILED;
}
