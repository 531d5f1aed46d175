/* instances.c - the instances table (see instances.h). */
#include "instances.h"
#include "history.h"
#include "history_query.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int instance_beat(db *conn, const char *version, const char *http_listen, strbuf *err)
{
    static char started[32]; /* the first beat of this process */
    char now[32], host[256] = "unknown", node[128];
    utc_db_timestamp(now);
    db_server_name(conn, node);
    if (!started[0])
        snprintf(started, sizeof started, "%s", now);
    gethostname(host, sizeof host - 1);
    db_param ins[] = {DBP_TEXT(history_instance()), DBP_TEXT(host), DBP_INT(getpid()), DBP_TEXT(version),
                      DBP_TEXT(http_listen), DBP_TEXT(started), DBP_TEXT(now)};
    db_param upd[] = {DBP_TEXT(now), DBP_TEXT(node), DBP_TEXT(history_instance())};
    char *insert = xasprintf("%s INTO tis_sync_instance (instance, host, pid, version, http_listen, started_at, "
                             "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             db_get_dialect(conn) == DB_MYSQL ? "INSERT IGNORE" : "INSERT OR IGNORE");
    int rc = db_exec(conn, insert, ins, 7);
    if (rc == 0)
        rc = db_exec(conn, "UPDATE tis_sync_instance SET last_seen_at = ?, db_node = ? WHERE instance = ?", upd, 3);
    free(insert);
    if (rc != 0)
        sb_printf(err, "cannot write the heartbeat in tis_sync_instance: %s", db_error(conn));
    return rc;
}

int instance_gone(db *conn, strbuf *err)
{
    db_param p = DBP_TEXT(history_instance());
    if (db_exec(conn, "DELETE FROM tis_sync_instance WHERE instance = ?", &p, 1) != 0) {
        sb_printf(err, "cannot update tis_sync_instance: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int instances_read(db *conn, long long since_ms, instance_row **out, size_t *n, strbuf *err)
{
    char since[32];
    history_format_ms(since_ms, since);
    since[10] = ' ';
    since[23] = '\0';
    db_param p = DBP_TEXT(since);
    db_rows *rows = db_query(conn,
                             "SELECT instance, host, pid, version, http_listen, started_at, last_seen_at, db_node FROM "
                             "tis_sync_instance WHERE last_seen_at >= ? ORDER BY last_seen_at DESC, instance",
                             &p, 1);
    *out = NULL;
    *n = 0;
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_instance: %s", db_error(conn));
        return -1;
    }
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        instance_row *r = &(*out)[(*n)++];
        const char *text[] = {db_col_text(rows, 0), db_col_text(rows, 1), db_col_text(rows, 3),
                              db_col_text(rows, 4)};
        snprintf(r->instance, sizeof r->instance, "%s", text[0] ? text[0] : "");
        snprintf(r->host, sizeof r->host, "%s", text[1] ? text[1] : "");
        r->pid = db_col_int(rows, 2);
        snprintf(r->version, sizeof r->version, "%s", text[2] ? text[2] : "");
        snprintf(r->http_listen, sizeof r->http_listen, "%s", text[3] ? text[3] : "");
        r->started_ms = history_parse_ms(db_col_text(rows, 5));
        r->last_seen_ms = history_parse_ms(db_col_text(rows, 6));
        snprintf(r->db_node, sizeof r->db_node, "%s", db_col_text(rows, 7) ? db_col_text(rows, 7) : "");
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_instance: %s", db_error(conn));
        free(*out);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}
