/* heartbeat.c - this instance's heartbeat (see heartbeat.h). A beat that
 * fails is logged once and tried again at the next one; on SQLite it
 * gives up after LOCK_WAIT_MS rather than wait for a job's transaction. */
#include "heartbeat.h"
#include "instances.h"
#include "log.h"
#include "version.h"

#include <pthread.h>
#include <time.h>

enum { LOCK_WAIT_MS = 250 };

struct heartbeat {
    const config *cfg;
    char *listening_on;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    db *conn;
    bool failed_logged;
};

static void beat(heartbeat *h)
{
    strbuf err;
    sb_init(&err);
    if (!h->conn) {
        db_options opts = cfg_db_options(h->cfg, false);
        char *cerr = NULL;
        h->conn = db_connect(cfg_db_url(h->cfg), &opts, &cerr);
        if (h->conn)
            db_set_lock_wait(h->conn, LOCK_WAIT_MS);
        else
            sb_printf(&err, "heartbeat: %s", cerr);
        free(cerr);
    }
    if (h->conn && instance_beat(h->conn, TIS_SYNC_VERSION, h->listening_on, &err) != 0) {
        db_close(h->conn);
        h->conn = NULL;
    }
    if (err.len && !h->failed_logged)
        log_warn("%s (tried again every %d s)", err.data, HEARTBEAT_S);
    h->failed_logged = err.len > 0;
    sb_free(&err);
}

static void *heartbeat_main(void *arg)
{
    heartbeat *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        pthread_mutex_unlock(&h->mu);
        beat(h);
        pthread_mutex_lock(&h->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HEARTBEAT_S;
        while (!h->stop && pthread_cond_timedwait(&h->wake, &h->mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

heartbeat *heartbeat_start(const config *cfg, const char *listening_on)
{
    heartbeat *h = xcalloc(1, sizeof *h);
    h->cfg = cfg;
    h->listening_on = xstrdup(listening_on);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->wake, NULL);
    if (pthread_create(&h->thread, NULL, heartbeat_main, h) != 0) {
        log_warn("heartbeat: cannot start its thread; this instance will not show in the console's Instances");
        pthread_cond_destroy(&h->wake);
        pthread_mutex_destroy(&h->mu);
        free(h->listening_on);
        free(h);
        return NULL;
    }
    return h;
}

void heartbeat_stop(heartbeat *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    strbuf err;
    sb_init(&err);
    if (h->conn && instance_gone(h->conn, &err) != 0)
        log_warn("heartbeat: %s", err.data);
    sb_free(&err);
    db_close(h->conn);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->mu);
    free(h->listening_on);
    free(h);
}
