/* db.c - the driver-independent half of the database seam: URL parsing,
 * dispatch to the driver, and small conveniences built on the interface. */
#include "db_driver.h"
#include "embedded.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes %XX escapes; false on a malformed escape. */
static bool percent_decode(const char *s, size_t n, char **out)
{
    strbuf sb;
    sb_init(&sb);
    sb_reserve(&sb, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            sb_putc(&sb, s[i]);
            continue;
        }
        if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
            !isxdigit((unsigned char)s[i + 2])) {
            sb_free(&sb);
            return false;
        }
        char hex[3] = {s[i + 1], s[i + 2], 0};
        sb_putc(&sb, (char)strtol(hex, NULL, 16));
        i += 2;
    }
    *out = sb_steal(&sb);
    return true;
}

static bool parse_sqlite_url(const char *rest, db_url *out, char **err)
{
    if (!*rest) {
        *err = xstrdup("expected sqlite:PATH, the path is empty");
        return false;
    }
    out->dialect = DB_SQLITE;
    out->path = xstrdup(rest);
    return true;
}

static bool parse_query_option(db_url *out, const char *key, const char *value, char **err)
{
    if (strcmp(key, "socket") == 0) {
        free(out->socket);
        out->socket = xstrdup(value);
    } else if (strcmp(key, "ssl") == 0 || strcmp(key, "useSSL") == 0) {
        if (!strcmp(value, "true") || !strcmp(value, "1"))
            out->ssl = true;
        else if (!strcmp(value, "false") || !strcmp(value, "0"))
            out->ssl = false;
        else {
            *err = xasprintf("option %s expects true or false, got '%s'", key, value);
            return false;
        }
    } else if (strcmp(key, "ssl-ca") == 0 || strcmp(key, "ssl_ca") == 0) {
        free(out->ssl_ca);
        out->ssl_ca = xstrdup(value);
        out->ssl = true;
    } else {
        *err = xasprintf("unknown option '%s' (known: socket, ssl, ssl-ca)", key);
        return false;
    }
    return true;
}

static bool parse_query_string(db_url *out, char *query, char **err)
{
    char *save = NULL;
    for (char *item = strtok_r(query, "&", &save); item; item = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            *err = xasprintf("option '%s' has no value (expected key=value)", item);
            return false;
        }
        *eq = '\0';
        char *value;
        if (!percent_decode(eq + 1, strlen(eq + 1), &value)) {
            *err = xasprintf("option '%s' has a malformed %%-escape", item);
            return false;
        }
        bool ok = parse_query_option(out, item, value, err);
        free(value);
        if (!ok)
            return false;
    }
    return true;
}

static bool parse_userinfo(db_url *out, const char *s, size_t n, char **err)
{
    const char *colon = memchr(s, ':', n);
    size_t ulen = colon ? (size_t)(colon - s) : n;
    if (ulen == 0) {
        *err = xstrdup("the user name is empty (expected mysql://USER[:PASS]@HOST[:PORT]/DB)");
        return false;
    }
    if (!percent_decode(s, ulen, &out->user)) {
        *err = xstrdup("the user name has a malformed %-escape");
        return false;
    }
    if (colon && !percent_decode(colon + 1, n - ulen - 1, &out->password)) {
        *err = xstrdup("the password has a malformed %-escape");
        return false;
    }
    return true;
}

static bool parse_hostport(db_url *out, const char *s, size_t n, char **err)
{
    const char *colon = memchr(s, ':', n);
    size_t hlen = colon ? (size_t)(colon - s) : n;
    if (hlen == 0) {
        *err = xstrdup("the host is empty (expected mysql://USER[:PASS]@HOST[:PORT]/DB)");
        return false;
    }
    out->host = xstrndup(s, hlen);
    out->port = 3306;
    if (colon) {
        char *port = xstrndup(colon + 1, n - hlen - 1);
        long long v;
        bool ok = parse_long(port, 1, 65535, &v);
        if (!ok)
            *err = xasprintf("the port '%s' is not a number from 1 to 65535", port);
        free(port);
        if (!ok)
            return false;
        out->port = (unsigned)v;
    }
    return true;
}

static bool parse_mysql_url(const char *rest, db_url *out, char **err)
{
    out->dialect = DB_MYSQL;
    char *copy = xstrdup(rest);
    bool ok = false;
    char *query = strchr(copy, '?');
    if (query)
        *query++ = '\0';
    char *slash = strchr(copy, '/');
    char *at = slash ? memrchr(copy, '@', (size_t)(slash - copy)) : strrchr(copy, '@');
    if (!slash || !slash[1]) {
        *err = xstrdup("the database name is missing (expected mysql://USER[:PASS]@HOST[:PORT]/DB)");
    } else if (!at) {
        *err = xstrdup("the user is missing (expected mysql://USER[:PASS]@HOST[:PORT]/DB)");
    } else if (parse_userinfo(out, copy, (size_t)(at - copy), err) &&
               parse_hostport(out, at + 1, (size_t)(slash - at - 1), err) &&
               (!query || parse_query_string(out, query, err))) {
        out->database = xstrdup(slash + 1);
        ok = true;
    }
    free(copy);
    return ok;
}

bool db_url_parse(const char *text, db_url *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    bool ok;
    if (strncmp(text, "sqlite:", 7) == 0)
        ok = parse_sqlite_url(text + 7, out, err);
    else if (strncmp(text, "mysql://", 8) == 0)
        ok = parse_mysql_url(text + 8, out, err);
    else if (strncmp(text, "mariadb://", 10) == 0)
        ok = parse_mysql_url(text + 10, out, err);
    else {
        *err = xstrdup("expected sqlite:PATH or mysql://USER[:PASS]@HOST[:PORT]/DB[?socket=PATH]");
        ok = false;
    }
    if (!ok)
        db_url_free(out);
    return ok;
}

void db_url_free(db_url *url)
{
    free(url->path);
    free(url->user);
    free(url->password);
    free(url->host);
    free(url->database);
    free(url->socket);
    free(url->ssl_ca);
    memset(url, 0, sizeof *url);
}

db_url db_url_copy(const db_url *url)
{
    db_url c = *url;
    c.path = xstrdup_or_null(url->path);
    c.user = xstrdup_or_null(url->user);
    c.password = xstrdup_or_null(url->password);
    c.host = xstrdup_or_null(url->host);
    c.database = xstrdup_or_null(url->database);
    c.socket = xstrdup_or_null(url->socket);
    c.ssl_ca = xstrdup_or_null(url->ssl_ca);
    return c;
}

char *db_url_redacted(const db_url *url)
{
    if (url->dialect == DB_SQLITE)
        return xasprintf("sqlite:%s", url->path);
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "mysql://%s%s@%s:%u/%s", url->user, url->password ? ":***" : "", url->host,
              url->port, url->database);
    if (url->socket)
        sb_printf(&sb, "?socket=%s", url->socket);
    return sb_steal(&sb);
}

void db_set_error(db *conn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conn->error, sizeof conn->error, fmt, ap);
    va_end(ap);
    conn->conflict = false;
}

void db_server_name(db *conn, char out[128])
{
    snprintf(out, 128, "%s", conn->dialect == DB_MYSQL ? "unknown" : "sqlite");
    if (conn->dialect != DB_MYSQL)
        return;
    db_rows *rows = db_query(conn, "SELECT CONCAT(@@hostname, ':', @@port)", NULL, 0);
    if (rows && db_rows_next(rows) == 1 && !db_col_is_null(rows, 0))
        snprintf(out, 128, "%s", db_col_text(rows, 0));
    if (rows)
        db_rows_close(rows);
}

bool db_error_is_conflict(const db *conn)
{
    return conn->conflict;
}

db *db_connect(const db_url *url, const db_options *opts, char **err)
{
    static const db_options defaults = {10, 3600, false};
    const db_driver *driver = url->dialect == DB_SQLITE ? &db_sqlite_driver : &db_mysql_driver;
    db *conn = driver->connect(url, opts ? opts : &defaults, err);
    if (conn) {
        conn->driver = driver;
        conn->dialect = url->dialect;
        conn->error[0] = '\0';
    }
    return conn;
}

void db_close(db *conn)
{
    if (conn)
        conn->driver->close(conn);
}

db_dialect db_get_dialect(const db *conn)
{
    return conn->dialect;
}

const char *db_error(const db *conn)
{
    return conn->error;
}

int db_exec(db *conn, const char *sql, const db_param *params, size_t nparams)
{
    conn->error[0] = '\0';
    return conn->driver->exec(conn, sql, params, nparams);
}

int db_exec_script(db *conn, const char *sql)
{
    conn->error[0] = '\0';
    return conn->driver->exec_script(conn, sql);
}

long long db_changes(db *conn)
{
    return conn->driver->changes(conn);
}

void db_set_lock_wait(db *conn, int ms)
{
    if (conn->driver->set_lock_wait)
        conn->driver->set_lock_wait(conn, ms);
}

db_rows *db_query(db *conn, const char *sql, const db_param *params, size_t nparams)
{
    conn->error[0] = '\0';
    db_rows *rows = conn->driver->query(conn, sql, params, nparams);
    if (rows)
        rows->conn = conn;
    return rows;
}

db_rows *db_query_start(db *conn, const char *sql, const db_param *params, size_t nparams)
{
    if (!conn->driver->query_start)
        return db_query(conn, sql, params, nparams);
    conn->error[0] = '\0';
    db_rows *rows = conn->driver->query_start(conn, sql, params, nparams);
    if (rows)
        rows->conn = conn;
    return rows;
}

int db_rows_next(db_rows *rows)
{
    return rows->conn->driver->next(rows);
}

int db_rows_columns(const db_rows *rows)
{
    return rows->conn->driver->columns(rows);
}

bool db_col_is_null(const db_rows *rows, int col)
{
    return rows->conn->driver->is_null(rows, col);
}

long long db_col_int(const db_rows *rows, int col)
{
    return rows->conn->driver->integer(rows, col);
}

const char *db_col_text(const db_rows *rows, int col)
{
    return rows->conn->driver->text(rows, col);
}

int db_rows_close(db_rows *rows)
{
    return rows ? rows->conn->driver->rows_close(rows) : 0;
}

int db_query_int(db *conn, const char *sql, const db_param *params, size_t nparams,
                 long long *out)
{
    db_rows *rows = db_query(conn, sql, params, nparams);
    if (!rows)
        return -1;
    int rc = db_rows_next(rows), more = rc;
    if (rc == 1)
        *out = db_col_int(rows, 0);
    while (more == 1) /* read to the end: the connection stays usable */
        more = db_rows_next(rows);
    if (db_rows_close(rows) != 0 || rc < 0 || more < 0)
        return -1;
    return rc == 1 ? 0 : 1;
}

int db_begin(db *conn)
{
    return db_exec(conn, conn->driver->begin_sql, NULL, 0);
}

int db_commit(db *conn)
{
    return db_exec(conn, "COMMIT", NULL, 0);
}

int db_rollback(db *conn)
{
    return db_exec(conn, "ROLLBACK", NULL, 0);
}

static const char *find_sql(const char *path)
{
    return embedded_find(sql_files, sql_files_count, path);
}

const char *sql_text_find(db_dialect dialect, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.sql", dialect == DB_MYSQL ? "mysql" : "sqlite", name);
    const char *text = find_sql(path);
    if (!text) {
        snprintf(path, sizeof path, "common/%s.sql", name);
        text = find_sql(path);
    }
    return text;
}

const char *sql_text(db_dialect dialect, const char *name)
{
    const char *text = sql_text_find(dialect, name);
    if (!text) {
        fprintf(stderr, "tis-sync: internal error: no SQL file %s\n", name);
        abort();
    }
    return text;
}
