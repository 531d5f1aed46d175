/* db.h - the database seam. Every job is written once against this
 * interface; the two drivers (db_mysql.c for MariaDB/MySQL, db_sqlite.c for
 * the embedded default) implement it, and dialect differences in SQL text
 * live in sql/<dialect>/ files picked by sql_text().
 *
 * A connection runs one statement at a time. A result set is streamed row by
 * row (db_query + db_rows_next) and holds its connection until closed, so a
 * job that merges several streams opens one connection per stream.
 *
 * Parameters are written ?, or ?N for the N-th (1-based) parameter. */
#ifndef TIS_DB_H
#define TIS_DB_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { DB_SQLITE, DB_MYSQL } db_dialect;

typedef struct {
    db_dialect dialect;
    char *path;     /* sqlite: file path */
    char *user;     /* mysql */
    char *password; /* mysql; never logged */
    char *host;
    unsigned port;
    char *database;
    char *socket;
    bool ssl;
    char *ssl_ca;
} db_url;

/* Parses sqlite:PATH, mysql://USER[:PASS]@HOST[:PORT]/DB[?socket=..&ssl=..
 * &ssl-ca=..] (mariadb:// is accepted too). On error returns false and sets
 * *err to a message (caller frees) that never contains the password. */
bool db_url_parse(const char *text, db_url *out, char **err);
void db_url_free(db_url *url);
db_url db_url_copy(const db_url *url);
/* The URL with the password replaced by "***", for logs. Caller frees. */
char *db_url_redacted(const db_url *url);

typedef struct {
    unsigned connect_timeout_s; /* 0: driver default */
    unsigned read_timeout_s;    /* a stalled query or stream fails after this */
    bool create;                /* sqlite: create the file if missing */
} db_options;

typedef enum { DBV_NULL, DBV_INT, DBV_TEXT } db_value_type;
typedef struct {
    db_value_type type;
    long long i;
    const char *s;
} db_param;

#define DBP_INT(v) ((db_param){DBV_INT, (long long)(v), NULL})
static inline db_param db_text_param(const char *s)
{
    db_param p = {s ? DBV_TEXT : DBV_NULL, 0, s};
    return p;
}
#define DBP_TEXT(v) db_text_param(v)
#define DBP_NULL ((db_param){DBV_NULL, 0, NULL})

typedef struct db db;
typedef struct db_rows db_rows;

/* Returns NULL and sets *err (caller frees) when the connection fails. */
db *db_connect(const db_url *url, const db_options *opts, char **err);
void db_close(db *conn);
db_dialect db_get_dialect(const db *conn);
/* The last error of this connection, "" if none. Never holds a password. */
const char *db_error(const db *conn);

/* Whether the last error was a conflict with another connection's write
 * (a deadlock, a lock wait timed out, SQLite busy, a Galera certification
 * failure): trying again later may succeed. */
bool db_error_is_conflict(const db *conn);

/* The database server CONN is connected to, as "host:port" (a Galera
 * node, a replica behind a proxy), or "sqlite"; "unknown" if it cannot
 * be read. */
void db_server_name(db *conn, char out[128]);

/* Runs one statement (or a CALL, whose result sets are drained). */
int db_exec(db *conn, const char *sql, const db_param *params, size_t nparams);
/* Runs several ;-separated statements without parameters (schema scripts). */
int db_exec_script(db *conn, const char *sql);
/* Rows changed by the last db_exec. */
long long db_changes(db *conn);
/* How long a statement waits for another connection's write lock before
 * failing (SQLite, whose writers take turns; MariaDB locks rows and this
 * does nothing). */
void db_set_lock_wait(db *conn, int ms);

db_rows *db_query(db *conn, const char *sql, const db_param *params, size_t nparams);
/* Like db_query, but only sends the statement (MariaDB): the server starts
 * on it while the caller starts others on other connections, and the first
 * db_rows_next waits for its answer, where an SQL error shows. Streams that
 * each need a sort before their first row then sort at once. SQLite: the
 * same as db_query. */
db_rows *db_query_start(db *conn, const char *sql, const db_param *params, size_t nparams);
/* 1: a row is ready, 0: end of rows, -1: error (see db_error). */
int db_rows_next(db_rows *rows);
int db_rows_columns(const db_rows *rows);
bool db_col_is_null(const db_rows *rows, int col);
long long db_col_int(const db_rows *rows, int col);
/* NULL for SQL NULL; valid until the next db_rows_next. */
const char *db_col_text(const db_rows *rows, int col);
/* Closes the cursor; returns 0, or -1 if the stream ended in error. */
int db_rows_close(db_rows *rows);

/* First column of the first row as an integer; 0 ok, 1 no row, -1 error. */
int db_query_int(db *conn, const char *sql, const db_param *params, size_t nparams,
                 long long *out);

int db_begin(db *conn);
int db_commit(db *conn);
int db_rollback(db *conn);

/* The SQL file NAME for this dialect: sql/<dialect>/NAME.sql, else
 * sql/common/NAME.sql. Aborts if neither exists (a build defect). */
const char *sql_text(db_dialect dialect, const char *name);
/* The same, but NULL when there is no such file. */
const char *sql_text_find(db_dialect dialect, const char *name);

#endif
