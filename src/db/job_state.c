/* job_state.c - operator-set job state (see job_state.h). */
#include "job_state.h"

#include <stdio.h>
#include <string.h>

static void copy_text(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text ? text : "");
}

int job_state_read(db *conn, job_state **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn, "SELECT job, paused, changed_by, changed_at FROM tis_sync_job_state ORDER BY job",
                             NULL, 0);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_job_state: %s", db_error(conn));
        return -1;
    }
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        job_state *s = &(*out)[(*n)++];
        copy_text(s->job, sizeof s->job, db_col_text(rows, 0));
        s->paused = db_col_int(rows, 1) != 0;
        copy_text(s->changed_by, sizeof s->changed_by, db_col_text(rows, 2));
        copy_text(s->changed_at, sizeof s->changed_at, db_col_text(rows, 3));
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_job_state: %s", db_error(conn));
        free(*out);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

int job_state_paused(db *conn, const char *job, job_state *state, strbuf *err)
{
    job_state *all;
    size_t n;
    if (job_state_read(conn, &all, &n, err) != 0)
        return -1;
    int paused = 0;
    for (size_t i = 0; i < n && !paused; i++)
        if (strcmp(all[i].job, job) == 0 && all[i].paused) {
            *state = all[i];
            paused = 1;
        }
    free(all);
    return paused;
}

int job_state_set(db *conn, const char *job, bool paused, const char *by, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    db_param ins[] = {DBP_TEXT(job), DBP_TEXT(now)};
    db_param upd[] = {DBP_INT(paused), DBP_TEXT(by), DBP_TEXT(now), DBP_TEXT(job), DBP_INT(paused)};
    /* The row first, whoever makes it (two instances may pause at once),
     * then the change, which only one of them makes. */
    char *insert = xasprintf("%s INTO tis_sync_job_state (job, paused, changed_at) VALUES (?, 0, ?)",
                             db_get_dialect(conn) == DB_MYSQL ? "INSERT IGNORE" : "INSERT OR IGNORE");
    int rc = db_exec(conn, insert, ins, 2);
    free(insert);
    if (rc == 0)
        rc = db_exec(conn,
                     "UPDATE tis_sync_job_state SET paused = ?, changed_by = ?, changed_at = ? WHERE job = ? AND "
                     "paused <> ?",
                     upd, 5);
    if (rc != 0) {
        sb_printf(err, "cannot update tis_sync_job_state: %s", db_error(conn));
        return -1;
    }
    return db_changes(conn) > 0 ? 1 : 0;
}
