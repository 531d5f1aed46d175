/* lock.c - job locks (see lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct job_lock {
    db *conn; /* MariaDB: the session holding GET_LOCK */
    int fd;   /* SQLite: the flock()ed file */
    char name[65];
};

static bool cancelled(atomic_int *cancel)
{
    return cancel && atomic_load(cancel);
}

/* MariaDB waits in GET_LOCK itself, in slices so that a shutdown can end it. */
static int acquire_mysql(const config *cfg, job_lock *lock, unsigned wait_s, atomic_int *cancel, strbuf *err)
{
    db_options opts = cfg_db_options(cfg, false);
    char *cerr = NULL;
    lock->conn = db_connect(cfg_db_url(cfg), &opts, &cerr);
    if (!lock->conn) {
        sb_printf(err, "lock %s: %s", lock->name, cerr);
        free(cerr);
        return -1;
    }
    /* The session sits idle for the whole job: keep the server from
     * closing it (and so freeing the lock) after wait_timeout. */
    if (db_exec(lock->conn, "SET SESSION wait_timeout = 31536000", NULL, 0) != 0) {
        sb_printf(err, "lock %s: %s", lock->name, db_error(lock->conn));
        return -1;
    }
    double deadline = monotonic_seconds() + wait_s;
    for (;;) {
        double left = deadline - monotonic_seconds();
        long long slice = left <= 0 ? 0 : left < 1 ? 1 : left > 5 ? 5 : (long long)left;
        db_param p[] = {DBP_TEXT(lock->name), DBP_INT(slice)};
        long long got = -1;
        int rc = db_query_int(lock->conn, "SELECT COALESCE(GET_LOCK(?, ?), -1)", p, 2, &got);
        if (rc != 0 || got < 0) {
            sb_printf(err, "lock %s: %s", lock->name, rc ? db_error(lock->conn) : "GET_LOCK failed");
            return -1;
        }
        if (got == 1)
            return 1;
        if (monotonic_seconds() >= deadline || cancelled(cancel))
            return 0;
    }
}

static int acquire_file(const config *cfg, job_lock *lock, unsigned wait_s, atomic_int *cancel, strbuf *err)
{
    char *path = xasprintf("%s.%s.lock", cfg_db_url(cfg)->path, lock->name);
    lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock->fd < 0) {
        sb_printf(err, "lock %s: cannot open %s: %s", lock->name, path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    double deadline = monotonic_seconds() + wait_s;
    while (flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            sb_printf(err, "lock %s: %s", lock->name, strerror(errno));
            return -1;
        }
        if (monotonic_seconds() >= deadline || cancelled(cancel))
            return 0;
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 1;
}

/* MariaDB lock names are at most 64 characters: a long database name is
 * replaced by a hash of it, which keeps names distinct per database. */
static void mysql_lock_name(char out[65], const char *name, const char *database)
{
    if (snprintf(out, 65, "tis-sync:%s:%s", name, database) < 65)
        return;
    unsigned long long hash = 14695981039346656037ULL; /* FNV-1a */
    for (const char *p = database; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, 65, "tis-sync:%.36s:%016llx", name, hash);
}

int lock_acquire(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, job_lock **out,
                 strbuf *err)
{
    job_lock *lock = xcalloc(1, sizeof *lock);
    lock->fd = -1;
    const db_url *url = cfg_db_url(cfg);
    if (url->dialect == DB_MYSQL)
        mysql_lock_name(lock->name, name, url->database);
    else
        snprintf(lock->name, sizeof lock->name, "%s", name);
    int rc = url->dialect == DB_MYSQL ? acquire_mysql(cfg, lock, wait_s, cancel, err)
                                      : acquire_file(cfg, lock, wait_s, cancel, err);
    if (rc == 1)
        *out = lock;
    else
        lock_release(lock);
    return rc;
}

bool lock_still_held(job_lock *lock, strbuf *err)
{
    if (!lock || !lock->conn)
        return true; /* flock() cannot be lost while the process lives */
    db_param p = DBP_TEXT(lock->name);
    long long mine = 0;
    if (db_query_int(lock->conn, "SELECT COALESCE(IS_USED_LOCK(?) = CONNECTION_ID(), 0)", &p, 1, &mine) != 0) {
        sb_printf(err, "lost the lock %s: %s", lock->name, db_error(lock->conn));
        return false;
    }
    if (!mine)
        sb_printf(err, "lost the lock %s (its database session was closed)", lock->name);
    return mine == 1;
}

void lock_release(job_lock *lock)
{
    if (!lock)
        return;
    if (lock->conn)
        db_close(lock->conn); /* ends the session, which frees GET_LOCK */
    if (lock->fd >= 0)
        close(lock->fd);
    free(lock);
}

int lock_in_use(const config *cfg, db *conn, const char *name)
{
    const db_url *url = cfg_db_url(cfg);
    if (url->dialect != DB_MYSQL)
        return -1;
    char lock_name[65];
    mysql_lock_name(lock_name, name, url->database);
    db_param p = DBP_TEXT(lock_name);
    long long used = 0;
    if (db_query_int(conn, "SELECT IS_USED_LOCK(?) IS NOT NULL", &p, 1, &used) != 0)
        return -1;
    return used ? 1 : 0;
}
