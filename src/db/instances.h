/* instances.h - the service instances on this database (table
 * tis_sync_instance): each `serve` writes a heartbeat while it runs and
 * removes its row when it stops, so the console can tell which are up. */
#ifndef TIS_INSTANCES_H
#define TIS_INSTANCES_H

#include "db.h"
#include "util.h"

typedef struct {
    char instance[300]; /* host:pid, as the history names it */
    char host[256];
    long long pid;
    char version[33];
    char http_listen[256];
    char db_node[128]; /* the database server its heartbeat reaches ("host:port", "sqlite"), or "" */
    long long started_ms, last_seen_ms; /* epoch milliseconds */
} instance_row;

/* Records that this instance is alive (its first beat makes its row). */
int instance_beat(db *conn, const char *version, const char *http_listen, strbuf *err);
/* Removes this instance's row (it stops). */
int instance_gone(db *conn, strbuf *err);
/* Every instance seen since SINCE_MS, most recently seen first. */
int instances_read(db *conn, long long since_ms, instance_row **out, size_t *n, strbuf *err);

#endif
