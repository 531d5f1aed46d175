/* db_driver.h - what a database driver provides to db.c. Private to the
 * db_*.c files. */
#ifndef TIS_DB_DRIVER_H
#define TIS_DB_DRIVER_H

#include "db.h"

typedef struct db_driver {
    db *(*connect)(const db_url *url, const db_options *opts, char **err);
    void (*close)(db *conn);
    int (*exec)(db *conn, const char *sql, const db_param *params, size_t n);
    int (*exec_script)(db *conn, const char *sql);
    long long (*changes)(db *conn);
    db_rows *(*query)(db *conn, const char *sql, const db_param *params, size_t n);
    /* May be NULL: query is used. */
    db_rows *(*query_start)(db *conn, const char *sql, const db_param *params, size_t n);
    int (*next)(db_rows *rows);
    int (*columns)(const db_rows *rows);
    bool (*is_null)(const db_rows *rows, int col);
    const char *(*text)(const db_rows *rows, int col);
    long long (*integer)(const db_rows *rows, int col);
    int (*rows_close)(db_rows *rows);
    /* May be NULL: the database never makes a writer wait on another. */
    void (*set_lock_wait)(db *conn, int ms);
    const char *begin_sql;
} db_driver;

/* The common head of every driver's connection struct. */
struct db {
    const db_driver *driver;
    db_dialect dialect;
    char error[1024];
    bool conflict; /* the last error was another connection's write in the way */
};

struct db_rows {
    db *conn;
};

void db_set_error(db *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const db_driver db_sqlite_driver;
extern const db_driver db_mysql_driver;

#endif
