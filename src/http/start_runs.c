/* start_runs.c - runs started through the HTTP API (see start_runs.h). */
#include "start_runs.h"
#include "history.h"
#include "runner.h"
#include "status_cache.h"

#include <string.h>

job_set job_with_dependents(job_id job, bool with_dependents)
{
    job_set set = JOB_BIT(job);
    if (with_dependents) {
        job_id all[JOB_COUNT];
        size_t n = runner_expand_dependents(&job, 1, all);
        for (size_t i = 0; i < n; i++)
            set |= JOB_BIT(all[i]);
    }
    return set;
}

int find_running_run(db *conn, job_id job, run_row *out)
{
    run_row *rows;
    size_t n;
    strbuf err;
    sb_init(&err);
    int found = history_query_active(conn, &rows, &n, &err) == 0 ? 0 : -1;
    for (size_t i = 0; i < n && found == 0; i++) {
        if (strcmp(rows[i].job, job_table[job].name) != 0 || strcmp(rows[i].status, RUN_STATUS_RUNNING) != 0 ||
            !status_run_alive(conn, &rows[i]))
            continue;
        *out = rows[i];
        rows[i].error = NULL;
        found = 1;
    }
    run_rows_free(rows, found < 0 ? 0 : n);
    sb_free(&err);
    return found;
}

/* The history rows made beforehand, one per job. */
static int queue_rows(http_request *req, db *conn, job_set jobs, const rq_params *params, long long ids[JOB_COUNT],
                      strbuf *err)
{
    for (int j = 0; j < JOB_COUNT; j++) {
        ids[j] = 0;
        if (!(jobs & JOB_BIT(j)))
            continue;
        history_run run = {.job = job_table[j].name,
                           .trigger = run_trigger_name(TRIGGER_API),
                           .today = params->today,
                           .argument = j == JOB_PERSON_RECORD_STATUS ? params->argument : NULL,
                           .started_by = req->who};
        ids[j] = history_queue(conn, &run, err);
        if (ids[j] < 0) {
            ids[j] = 0;
            return -1;
        }
    }
    return 0;
}

static void drop_rows(db *conn, const long long ids[JOB_COUNT])
{
    strbuf err;
    sb_init(&err);
    for (int j = 0; j < JOB_COUNT; j++)
        if (ids[j] > 0)
            history_drop_queued(conn, ids[j], &err);
    sb_free(&err);
}

/* A job merged into a run whose row for it was cancelled meanwhile (from
 * any instance) would be given that cancelled run: it gets the row made
 * for this request instead, so it runs. */
static void revive_cancelled(http_request *req, db *conn, long long ids[JOB_COUNT], long long spare[JOB_COUNT])
{
    strbuf err;
    sb_init(&err);
    for (int j = 0; j < JOB_COUNT; j++) {
        run_row row;
        if (!spare[j] || history_query_run(conn, ids[j], &row, &err) != 1)
            continue;
        bool gone = strcmp(row.status, RUN_STATUS_QUEUED) != 0 && strcmp(row.status, RUN_STATUS_RUNNING) != 0;
        free(row.error);
        if (gone && scheduler_replace_queued(req->service->sched, ids[j], spare[j])) {
            ids[j] = spare[j];
            spare[j] = 0;
        }
    }
    sb_free(&err);
}

static void audit(http_request *req, const char *what, const start_outcome *out, const rq_params *params)
{
    static const char *const outcomes[] = {[TRIG_STARTED] = "queued", [TRIG_MERGED] = "merged into a waiting run",
                                           [TRIG_ALREADY_RUNNING] = "already running",
                                           [TRIG_REFUSED] = "refused (stopping or too many runs queued)"};
    strbuf line;
    sb_init(&line);
    sb_puts(&line, outcomes[out->result]);
    if (out->result == TRIG_STARTED || out->result == TRIG_MERGED) {
        const char *sep = ": ";
        for (int j = 0; j < JOB_COUNT; j++)
            if (out->ids[j]) {
                sb_printf(&line, "%s%s (run %lld)", sep, job_table[j].name, out->ids[j]);
                sep = ", ";
            }
        if (params->argument)
            sb_printf(&line, "; date of change %s", params->argument);
        if (params->today)
            sb_printf(&line, "; today %s", params->today);
    }
    http_audit(req, what, line.data);
    sb_free(&line);
}

int start_runs(http_request *req, const char *what, job_set jobs, int primary, const rq_params *params,
               start_outcome *out, enum MHD_Result *answered)
{
    *out = (start_outcome){.jobs = jobs & scheduler_jobs_available(req->service->sched)};
    db *conn = http_db(req, answered);
    if (!conn)
        return -1;
    strbuf err;
    sb_init(&err);
    long long spare[JOB_COUNT] = {0};
    int rc = queue_rows(req, conn, out->jobs, params, out->ids, &err);
    if (rc == 0) {
        run_ask ask = {.jobs = out->jobs, .primary = primary, .trigger = TRIGGER_API, .params = *params,
                       .queued_ids = out->ids, .spare_ids = spare};
        out->result = scheduler_trigger(req->service->sched, &ask);
        if (out->result == TRIG_STARTED || out->result == TRIG_MERGED) {
            revive_cancelled(req, conn, out->ids, spare);
            drop_rows(conn, spare);
        } else {
            drop_rows(conn, out->ids);
        }
        if (out->result != TRIG_STARTED && out->result != TRIG_MERGED)
            memset(out->ids, 0, sizeof out->ids);
        audit(req, what, out, params);
        status_invalidate(req->service);
    } else {
        drop_rows(conn, out->ids);
        http_audit(req, what, err.data);
        *answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run history cannot be written");
    }
    sb_free(&err);
    http_db_release(req, conn);
    return rc;
}
