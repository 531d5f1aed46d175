/* lock.c - job leases (see lock.h). Each held lease has a connection and a
 * renewing thread of its own; the SQL is in sql/<dialect>/lease_*.sql. */
#include "lock.h"
#include "history.h"
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POLL_MS = 250, HOLDER_MAX = 255 };

struct job_lock {
    db *conn; /* the lease's own: acquire, renew, release */
    char name[65];
    char holder[HOLDER_MAX + 1];
    long long token;
    int lease_s, renew_s;
    bool counts_errors; /* a renewal error can mean lost (not on SQLite: see renew_main) */
    pthread_t renewer;
    bool renewing;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    atomic_bool lost;
    char lost_why[256]; /* under mu */
};

/* A process-wide count, so that two leases taken by one process (two
 * threads, one name) never share a holder. */
static atomic_llong acquisitions;

int lock_prepare(db *conn, strbuf *err)
{
    if (db_exec(conn, sql_text(db_get_dialect(conn), "lease_table"), NULL, 0) == 0)
        return 0;
    sb_printf(err, "cannot create tis_sync_lease: %s", db_error(conn));
    return -1;
}

/* "<host>:<pid> started <time> via <database node> #<n>": which instance,
 * which process of it, on which node, which acquisition. */
static void make_holder(job_lock *lock)
{
    char node[128];
    db_server_name(lock->conn, node);
    snprintf(lock->holder, sizeof lock->holder, "%s started %s via %s #%lld", history_instance(), history_started(),
             node, atomic_fetch_add(&acquisitions, 1) + 1);
}

typedef struct {
    char holder[HOLDER_MAX + 1];
    long long token;
    bool live;
} lease_row;

/* The lease row NAME as CONN reads it: 1 found, 0 none, -1 error. */
static int read_lease(db *conn, const char *name, lease_row *out)
{
    db_param p = DBP_TEXT(name);
    db_rows *rows = db_query(conn, sql_text(db_get_dialect(conn), "lease_holder"), &p, 1);
    if (!rows)
        return -1;
    int rc = db_rows_next(rows);
    if (rc == 1) {
        snprintf(out->holder, sizeof out->holder, "%s", db_col_text(rows, 0) ? db_col_text(rows, 0) : "");
        out->token = db_col_int(rows, 1);
        out->live = db_col_int(rows, 2) != 0;
    }
    if (db_rows_close(rows) != 0)
        return -1;
    return rc;
}

/* True when HOLDER is an instance of this host whose process has ended. */
static bool holder_ended(const char *holder)
{
    char instance[HOLDER_MAX + 1], started[32];
    const char *at = strstr(holder, " started "), *via = strstr(holder, " via ");
    if (!at || !via || via < at || (size_t)(at - holder) >= sizeof instance || (size_t)(via - at - 9) >= sizeof started)
        return false;
    snprintf(instance, sizeof instance, "%.*s", (int)(at - holder), holder);
    snprintf(started, sizeof started, "%.*s", (int)(via - at - 9), at + 9);
    return history_instance_ended(instance, started);
}

static int expire(db *conn, const char *name, const char *holder, long long token)
{
    db_param p[] = {DBP_TEXT(name), DBP_TEXT(holder), DBP_INT(token)};
    return db_exec(conn, "UPDATE tis_sync_lease SET expires_at = acquired_at WHERE name = ? AND holder = ? AND token = ?",
                   p, 3);
}

/* 0 when the lease is live and held by another holder that may still
 * run, 1 when it may be free, -1 on error. A lease whose holder was a
 * process of this host that has ended is expired first, so that a crashed
 * `tis-sync run` does not block the next one for a whole lease. Only
 * reading first matters on SQLite: a read never waits for a job's write
 * transaction, so "already running" is found at once even then. */
static int may_be_free(job_lock *lock, strbuf *err)
{
    lease_row row;
    int rc = read_lease(lock->conn, lock->name, &row);
    if (rc < 0) {
        sb_printf(err, "lock %s: cannot read its lease: %s", lock->name, db_error(lock->conn));
        return -1;
    }
    if (rc == 0 || !row.live)
        return 1;
    if (!holder_ended(row.holder))
        return 0;
    log_warn("lock %s: its holder %s has ended; taking its lease over", lock->name, row.holder);
    if (expire(lock->conn, lock->name, row.holder, row.token) != 0) {
        sb_printf(err, "lock %s: %s", lock->name, db_error(lock->conn));
        return -1;
    }
    return 1;
}

/* One attempt: 1 taken, 0 held elsewhere, -1 error (err set). */
static int try_acquire(job_lock *lock, strbuf *err)
{
    int rc = may_be_free(lock, err);
    if (rc != 1)
        return rc;
    db_param p[] = {DBP_TEXT(lock->name), DBP_TEXT(lock->holder), DBP_INT(lock->lease_s)};
    if (db_exec(lock->conn, sql_text(db_get_dialect(lock->conn), "lease_acquire"), p, 3) != 0) {
        /* MariaDB: another instance took it at this very moment (on
         * Galera, its write won certification). SQLite: the file was busy
         * for the whole busy timeout, which is an error. */
        if (db_error_is_conflict(lock->conn) && db_get_dialect(lock->conn) == DB_MYSQL)
            return 0;
        sb_printf(err, "lock %s: %s", lock->name, db_error(lock->conn));
        return -1;
    }
    lease_row row;
    if (read_lease(lock->conn, lock->name, &row) != 1) {
        sb_printf(err, "lock %s: cannot read its lease: %s", lock->name, db_error(lock->conn));
        return -1;
    }
    if (strcmp(row.holder, lock->holder) != 0)
        return 0;
    lock->token = row.token;
    return 1;
}

static void mark_lost(job_lock *lock, const char *why)
{
    pthread_mutex_lock(&lock->mu);
    if (!atomic_load(&lock->lost))
        snprintf(lock->lost_why, sizeof lock->lost_why, "%s", why);
    atomic_store(&lock->lost, true);
    pthread_mutex_unlock(&lock->mu);
}

/* 1 renewed, 0 taken over, -1 error (on LOCK's connection). */
static int renew_on(job_lock *lock, db *conn)
{
    db_param p[] = {DBP_INT(lock->lease_s), DBP_TEXT(lock->name), DBP_TEXT(lock->holder), DBP_INT(lock->token)};
    if (db_exec(conn, sql_text(db_get_dialect(conn), "lease_renew"), p, 4) != 0)
        return -1;
    return db_changes(conn) > 0 ? 1 : 0;
}

/* Renews every renew_s. Lost when another holder has the lease, or (not on
 * SQLite) when no renewal got through for a whole lease: another instance
 * may hold it by now. On SQLite a renewal fails only while a job's write
 * transaction holds the file, and then nobody can take the lease over
 * either; the fence at commit still decides. */
static void *renew_main(void *arg)
{
    job_lock *lock = arg;
    double last_renewed = monotonic_seconds();
    bool error_logged = false;
    pthread_mutex_lock(&lock->mu);
    while (!lock->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += lock->renew_s;
        while (!lock->stop && pthread_cond_timedwait(&lock->wake, &lock->mu, &until) == 0) {
        }
        if (lock->stop)
            break;
        pthread_mutex_unlock(&lock->mu);
        int rc = renew_on(lock, lock->conn);
        char why[256] = "";
        if (rc == 1) {
            last_renewed = monotonic_seconds();
            error_logged = false;
        } else if (rc == 0) {
            snprintf(why, sizeof why, "lease lost: another instance took the lock %s over", lock->name);
        } else if (lock->counts_errors && monotonic_seconds() - last_renewed >= lock->lease_s) {
            snprintf(why, sizeof why, "lease lost: the lock %s could not be renewed for %d s: %.120s", lock->name,
                     lock->lease_s, db_error(lock->conn));
        } else if (!error_logged) {
            log_warn("lock %s: cannot renew its lease (trying again): %s", lock->name, db_error(lock->conn));
            error_logged = true;
        }
        if (why[0]) {
            log_error("%s", why);
            mark_lost(lock, why);
        }
        pthread_mutex_lock(&lock->mu);
        if (why[0])
            break;
    }
    pthread_mutex_unlock(&lock->mu);
    return NULL;
}

static job_lock *lock_new(const config *cfg, const char *name)
{
    job_lock *lock = xcalloc(1, sizeof *lock);
    snprintf(lock->name, sizeof lock->name, "%s", name);
    lock->lease_s = (int)cfg_int(cfg, CFG_LOCK_LEASE);
    lock->renew_s = (int)cfg_int(cfg, CFG_LOCK_RENEW);
    pthread_mutex_init(&lock->mu, NULL);
    pthread_cond_init(&lock->wake, NULL);
    atomic_init(&lock->lost, false);
    return lock;
}

static bool cancelled(atomic_int *cancel)
{
    return cancel && atomic_load(cancel);
}

static int acquire(const config *cfg, job_lock *lock, unsigned wait_s, atomic_int *cancel, strbuf *err)
{
    db_options opts = cfg_db_options(cfg, false);
    char *cerr = NULL;
    lock->conn = db_connect(cfg_db_url(cfg), &opts, &cerr);
    if (!lock->conn) {
        sb_printf(err, "lock %s: %s", lock->name, cerr);
        free(cerr);
        return -1;
    }
    lock->counts_errors = db_get_dialect(lock->conn) == DB_MYSQL;
    make_holder(lock);
    double deadline = monotonic_seconds() + wait_s;
    for (;;) {
        int rc = try_acquire(lock, err);
        if (rc != 0 || monotonic_seconds() >= deadline || cancelled(cancel))
            return rc;
        struct timespec ts = {0, POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int lock_acquire(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, job_lock **out,
                 strbuf *err)
{
    job_lock *lock = lock_new(cfg, name);
    int rc = acquire(cfg, lock, wait_s, cancel, err);
    if (rc == 1 && pthread_create(&lock->renewer, NULL, renew_main, lock) != 0) {
        sb_printf(err, "lock %s: cannot start the thread renewing its lease", lock->name);
        rc = -1;
    }
    lock->renewing = rc == 1;
    if (rc == 1)
        *out = lock;
    else
        lock_release(lock);
    return rc;
}

int lock_wait_free(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, strbuf *err)
{
    db_options opts = cfg_db_options(cfg, false);
    char *cerr = NULL;
    db *conn = db_connect(cfg_db_url(cfg), &opts, &cerr);
    if (!conn) {
        sb_printf(err, "lock %s: %s", name, cerr);
        free(cerr);
        return -1;
    }
    double deadline = monotonic_seconds() + wait_s;
    int rc;
    for (;;) {
        lease_row row;
        int found = read_lease(conn, name, &row);
        if (found < 0) {
            sb_printf(err, "lock %s: cannot read its lease: %s", name, db_error(conn));
            rc = -1;
            break;
        }
        if (found == 0 || !row.live || holder_ended(row.holder)) {
            rc = 1;
            break;
        }
        if (monotonic_seconds() >= deadline || cancelled(cancel)) {
            rc = 0;
            break;
        }
        struct timespec ts = {0, POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    db_close(conn);
    return rc;
}

int lock_fence(job_lock *lock, db *conn, strbuf *err)
{
    if (!lock)
        return 0;
    char why[256];
    if (lock_lost(lock, why)) {
        sb_printf(err, "%s", why);
        return -1;
    }
    int rc = renew_on(lock, conn);
    if (rc == 1)
        return 0;
    if (rc == 0)
        sb_printf(err, "lease lost: another instance took the lock %s over", lock->name);
    else
        sb_printf(err, "lease of the lock %s not confirmed: %s", lock->name, db_error(conn));
    return -1;
}

bool lock_still_held(job_lock *lock, strbuf *err)
{
    if (!lock)
        return true;
    char why[256];
    if (lock_lost(lock, why)) {
        sb_printf(err, "%s", why);
        return false;
    }
    lease_row row;
    int rc = read_lease(lock->conn, lock->name, &row);
    if (rc == 1 && row.live && row.token == lock->token && strcmp(row.holder, lock->holder) == 0)
        return true;
    if (rc < 0)
        sb_printf(err, "lease of the lock %s not confirmed: %s", lock->name, db_error(lock->conn));
    else
        sb_printf(err, "lease lost: the lock %s is no longer ours", lock->name);
    return false;
}

bool lock_lost(job_lock *lock, char why[256])
{
    if (!lock || !atomic_load(&lock->lost))
        return false;
    pthread_mutex_lock(&lock->mu);
    snprintf(why, 256, "%s", lock->lost_why);
    pthread_mutex_unlock(&lock->mu);
    return true;
}

void lock_release(job_lock *lock)
{
    if (!lock)
        return;
    if (lock->renewing) {
        pthread_mutex_lock(&lock->mu);
        lock->stop = true;
        pthread_cond_signal(&lock->wake);
        pthread_mutex_unlock(&lock->mu);
        pthread_join(lock->renewer, NULL);
        if (!atomic_load(&lock->lost) && expire(lock->conn, lock->name, lock->holder, lock->token) != 0)
            log_warn("lock %s: cannot free its lease (it expires by itself in %d s): %s", lock->name, lock->lease_s,
                     db_error(lock->conn));
    }
    db_close(lock->conn);
    pthread_cond_destroy(&lock->wake);
    pthread_mutex_destroy(&lock->mu);
    free(lock);
}

int lock_holder(db *conn, const char *name, char holder[256])
{
    lease_row row;
    int rc = read_lease(conn, name, &row);
    if (rc < 0)
        return -1;
    if (rc == 0 || !row.live || holder_ended(row.holder))
        return 0;
    snprintf(holder, 256, "%s", row.holder);
    return 1;
}

int lock_in_use(db *conn, const char *name)
{
    char holder[256];
    return lock_holder(conn, name, holder);
}
