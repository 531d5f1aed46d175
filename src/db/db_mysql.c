/* db_mysql.c - the MariaDB/MySQL driver of the database seam, on MariaDB
 * Connector/C (libmariadb).
 *
 * It speaks the text protocol and binds parameters on the client: each ?
 * becomes a literal escaped by mysql_real_escape_string() for the
 * connection's utf8mb4 character set (as PDO and JDBC's default do). That
 * gives one code path that streams any result with mysql_use_result(), sends
 * a multi-row INSERT batch in one round trip, and drains the extra result
 * sets of a CALL, which the binary protocol makes awkward.
 *
 * Reconnect: a statement that finds the server gone (2006/2013) outside a
 * transaction reconnects once and is retried (see server_gone()).
 * Inside a transaction nothing is retried: the job fails and the server rolls
 * the transaction back, which is what keeps the tables intact. */
#include "db_driver.h"
#include "util.h"

#include <ctype.h>
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct db base;
    MYSQL *handle;
    db_url url;
    db_options opts;
    bool in_transaction;
    long long changes;
} mysql_db;

typedef struct {
    struct db_rows base;
    MYSQL_RES *result;
    MYSQL_ROW row;
    unsigned columns;
    int failed;
    bool done;    /* the last row was read */
    bool pending; /* sent by query_start; the answer is read at the first row */
} mysql_rows;

static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void library_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

static mysql_db *as_mysql(db *conn)
{
    return (mysql_db *)conn;
}

static void set_mysql_error(db *conn)
{
    MYSQL *h = as_mysql(conn)->handle;
    db_set_error(conn, "MariaDB error %u (%s): %s", mysql_errno(h), mysql_sqlstate(h), mysql_error(h));
    /* ER_LOCK_DEADLOCK is also how Galera refuses a write that lost a
     * race with another node's (a certification failure). */
    conn->conflict = mysql_errno(h) == ER_LOCK_DEADLOCK || mysql_errno(h) == ER_LOCK_WAIT_TIMEOUT;
}

static MYSQL *open_handle(const db_url *url, const db_options *opts, char **err)
{
    MYSQL *h = mysql_init(NULL);
    if (!h) {
        *err = xstrdup("cannot initialise the MariaDB client library");
        return NULL;
    }
    unsigned connect_timeout = opts->connect_timeout_s, read_timeout = opts->read_timeout_s;
    if (connect_timeout)
        mysql_options(h, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    if (read_timeout) {
        mysql_options(h, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
        mysql_options(h, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
    }
    mysql_options(h, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (url->ssl) {
        my_bool enforce = 1;
        mysql_options(h, MYSQL_OPT_SSL_ENFORCE, &enforce);
        /* An unverified server would receive the password. */
        mysql_options(h, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &enforce);
        if (url->ssl_ca)
            mysql_options(h, MYSQL_OPT_SSL_CA, url->ssl_ca);
    }
    if (!mysql_real_connect(h, url->host, url->user, url->password, url->database, url->port,
                            url->socket, 0)) {
        char *where = db_url_redacted(url);
        *err = xasprintf("cannot connect to %s: %s", where, mysql_error(h));
        free(where);
        mysql_close(h);
        return NULL;
    }
    static const char session[] =
        "SET time_zone = '+00:00', SESSION net_write_timeout = 3600, SESSION net_read_timeout = 3600";
    if (mysql_real_query(h, session, sizeof session - 1) != 0) {
        *err = xasprintf("cannot set up the MariaDB session: %s", mysql_error(h));
        mysql_close(h);
        return NULL;
    }
    return h;
}

static db *my_connect(const db_url *url, const db_options *opts, char **err)
{
    pthread_once(&library_once, library_init);
    MYSQL *h = open_handle(url, opts, err);
    if (!h)
        return NULL;
    mysql_db *conn = xcalloc(1, sizeof *conn);
    conn->handle = h;
    conn->url = db_url_copy(url);
    conn->opts = *opts;
    return &conn->base;
}

static void my_close(db *base)
{
    mysql_db *conn = as_mysql(base);
    mysql_close(conn->handle);
    db_url_free(&conn->url);
    free(conn);
}

static void append_literal(db *conn, strbuf *out, const db_param *p)
{
    if (p->type == DBV_INT) {
        sb_printf(out, "%lld", p->i);
    } else if (p->type == DBV_TEXT) {
        size_t n = strlen(p->s);
        sb_reserve(out, 2 * n + 3);
        out->data[out->len++] = '\'';
        out->len += mysql_real_escape_string(as_mysql(conn)->handle, out->data + out->len, p->s,
                                             (unsigned long)n);
        out->data[out->len++] = '\'';
        out->data[out->len] = '\0';
    } else {
        sb_puts(out, "NULL");
    }
}

/* Copies a quoted literal or comment starting at sql[i] verbatim; returns
 * the index after it, or i if sql[i] starts none. */
static size_t skip_quoted(const char *sql, size_t i, strbuf *out)
{
    size_t start = i;
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
        for (i++; sql[i] && sql[i] != c; i++)
            if (sql[i] == '\\' && sql[i + 1])
                i++;
        if (sql[i])
            i++;
    } else if (c == '-' && sql[i + 1] == '-') {
        while (sql[i] && sql[i] != '\n')
            i++;
    } else if (c == '/' && sql[i + 1] == '*') {
        const char *end = strstr(sql + i + 2, "*/");
        i = end ? (size_t)(end - sql) + 2 : strlen(sql);
    }
    sb_append(out, sql + start, i - start);
    return i;
}

/* Replaces ? and ?N placeholders by escaped literals. */
static int interpolate(db *conn, const char *sql, const db_param *params, size_t n, strbuf *out)
{
    size_t next_param = 0;
    for (size_t i = 0; sql[i];) {
        size_t after = skip_quoted(sql, i, out);
        if (after != i) {
            i = after;
            continue;
        }
        if (sql[i] != '?') {
            sb_putc(out, sql[i++]);
            continue;
        }
        size_t index = next_param++;
        i++;
        if (isdigit((unsigned char)sql[i])) {
            index = strtoul(sql + i, NULL, 10) - 1;
            while (isdigit((unsigned char)sql[i]))
                i++;
        }
        if (index >= n) {
            db_set_error(conn, "internal error: SQL parameter %zu of %zu is not bound", index + 1, n);
            return -1;
        }
        append_literal(conn, out, &params[index]);
    }
    return 0;
}

/* "Gone" (2006) is reported before the statement reaches the server;
 * "lost" (2013) also when the session was killed or cut, where the server
 * may have run the statement. A retry is still safe here because only
 * statements outside a transaction are retried, and those are reads, lock
 * calls, history updates by id, or a history insert whose duplicate would
 * be marked abandoned. Job writes always run inside a transaction. */
static bool server_gone(MYSQL *h)
{
    unsigned e = mysql_errno(h);
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST;
}

static bool reconnect(mysql_db *conn)
{
    char *err = NULL;
    MYSQL *h = open_handle(&conn->url, &conn->opts, &err);
    if (!h) {
        db_set_error(&conn->base, "%s", err);
        free(err);
        return false;
    }
    mysql_close(conn->handle);
    conn->handle = h;
    return true;
}

/* Sends a statement and, unless ANSWER_LATER, reads the server's answer;
 * retries once after a reconnect when that is safe. */
static int send_query(db *base, const char *sql, const db_param *params, size_t n, bool answer_later)
{
    mysql_db *conn = as_mysql(base);
    strbuf text;
    sb_init(&text);
    if (interpolate(base, sql, params, n, &text) != 0) {
        sb_free(&text);
        return -1;
    }
    int (*send)(MYSQL *, const char *, unsigned long) = answer_later ? mysql_send_query : mysql_real_query;
    int rc = send(conn->handle, text.data, (unsigned long)text.len);
    if (rc != 0 && server_gone(conn->handle) && !conn->in_transaction && reconnect(conn))
        rc = send(conn->handle, text.data, (unsigned long)text.len);
    sb_free(&text);
    if (rc != 0 && !base->error[0])
        set_mysql_error(base);
    return rc == 0 ? 0 : -1;
}

/* Reads and frees every result set of the statement just sent. */
static int drain_results(db *base)
{
    MYSQL *h = as_mysql(base)->handle;
    bool first = true;
    for (;;) {
        MYSQL_RES *res = mysql_store_result(h);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(h) != 0) {
            set_mysql_error(base);
            return -1;
        }
        if (first)
            as_mysql(base)->changes = (long long)mysql_affected_rows(h);
        first = false;
        int more = mysql_next_result(h);
        if (more == -1)
            return 0;
        if (more > 0) {
            set_mysql_error(base);
            return -1;
        }
    }
}

static void track_transaction(mysql_db *conn, const char *sql)
{
    if (strcmp(sql, db_mysql_driver.begin_sql) == 0)
        conn->in_transaction = true;
    else if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)
        conn->in_transaction = false;
}

static int my_exec(db *base, const char *sql, const db_param *params, size_t n)
{
    mysql_db *conn = as_mysql(base);
    int rc = send_query(base, sql, params, n, false);
    if (rc == 0)
        rc = drain_results(base);
    if (rc == 0 || strcmp(sql, "ROLLBACK") == 0)
        track_transaction(conn, sql);
    return rc;
}

static int my_exec_script(db *base, const char *sql)
{
    MYSQL *h = as_mysql(base)->handle;
    mysql_set_server_option(h, MYSQL_OPTION_MULTI_STATEMENTS_ON);
    int rc = send_query(base, sql, NULL, 0, false);
    if (rc == 0)
        rc = drain_results(base);
    mysql_set_server_option(h, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return rc;
}

static long long my_changes(db *base)
{
    return as_mysql(base)->changes;
}

/* Starts streaming the result of the statement sent last. */
static int use_result(db *base, mysql_rows *rows)
{
    rows->result = mysql_use_result(as_mysql(base)->handle);
    if (!rows->result) {
        set_mysql_error(base);
        return -1;
    }
    rows->columns = mysql_num_fields(rows->result);
    return 0;
}

static db_rows *my_query(db *base, const char *sql, const db_param *params, size_t n)
{
    if (send_query(base, sql, params, n, false) != 0)
        return NULL;
    mysql_rows *rows = xcalloc(1, sizeof *rows);
    if (use_result(base, rows) != 0) {
        free(rows);
        return NULL;
    }
    return &rows->base;
}

/* Only sends the statement: the server works on it (a sort before the
 * first row, say) while the caller starts others; the answer is read at
 * the first row. */
static db_rows *my_query_start(db *base, const char *sql, const db_param *params, size_t n)
{
    if (send_query(base, sql, params, n, true) != 0)
        return NULL;
    mysql_rows *rows = xcalloc(1, sizeof *rows);
    rows->pending = true;
    return &rows->base;
}

static int my_next(db_rows *base)
{
    mysql_rows *rows = (mysql_rows *)base;
    if (rows->pending) {
        rows->pending = false;
        if (mysql_read_query_result(as_mysql(base->conn)->handle) != 0 || use_result(base->conn, rows) != 0) {
            set_mysql_error(base->conn);
            rows->failed = 1;
            return -1;
        }
    }
    rows->row = mysql_fetch_row(rows->result);
    if (rows->row)
        return 1;
    if (mysql_errno(as_mysql(base->conn)->handle)) {
        set_mysql_error(base->conn);
        rows->failed = 1;
        return -1;
    }
    rows->done = true;
    return 0;
}

static int my_columns(const db_rows *base)
{
    return (int)((const mysql_rows *)base)->columns;
}

static const char *my_text(const db_rows *base, int col)
{
    const mysql_rows *rows = (const mysql_rows *)base;
    return rows->row && (unsigned)col < rows->columns ? rows->row[col] : NULL;
}

static bool my_is_null(const db_rows *base, int col)
{
    return my_text(base, col) == NULL;
}

static long long my_integer(const db_rows *base, int col)
{
    const char *s = my_text(base, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

static int my_rows_close(db_rows *base)
{
    mysql_rows *rows = (mysql_rows *)base;
    mysql_db *conn = as_mysql(base->conn);
    int failed = rows->failed;
    if (rows->pending || (!rows->result && !failed)) {
        /* Never read: the answer is still on its way. A fresh session is
         * simpler than reading it. */
        if (!reconnect(conn))
            failed = 1;
        free(rows);
        return failed ? -1 : 0;
    }
    if (!rows->result) {
        free(rows);
        return -1;
    }
    if (!rows->done && !failed && !conn->in_transaction) {
        /* Left before its end (a job failed or was cancelled): freeing the
         * result would read every remaining row of the scan. Detach it and
         * open a fresh session instead. */
        rows->result->handle = NULL;
        if (!reconnect(conn))
            rows->failed = failed = 1;
    }
    mysql_free_result(rows->result);
    while (rows->done && mysql_more_results(conn->handle) && mysql_next_result(conn->handle) == 0) {
        MYSQL_RES *res = mysql_store_result(conn->handle);
        if (res)
            mysql_free_result(res);
    }
    free(rows);
    return failed ? -1 : 0;
}

const db_driver db_mysql_driver = {
    .connect = my_connect,
    .close = my_close,
    .exec = my_exec,
    .exec_script = my_exec_script,
    .changes = my_changes,
    .query = my_query,
    .query_start = my_query_start,
    .next = my_next,
    .columns = my_columns,
    .is_null = my_is_null,
    .text = my_text,
    .integer = my_integer,
    .rows_close = my_rows_close,
    .begin_sql = "START TRANSACTION",
};
