/* auth.c - bearer tokens and the failed-attempt limit (see auth.h). */
#include "auth.h"
#include "log.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { ADDRESSES = 1024, ADDRESS_MAX = 64 };

/* A token bucket of failed attempts for one remote address. */
typedef struct {
    char address[ADDRESS_MAX];
    double tokens;
    double updated; /* monotonic seconds */
} bucket;

struct http_auth {
    const config *cfg;
    pthread_mutex_t mu;      /* guards everything below */
    pthread_cond_t read_done;
    token_entry *tokens;
    size_t ntokens;
    double loaded;           /* monotonic seconds of the last good read; 0: never */
    double attempted;        /* of the last read, good or not */
    bool reading;            /* a thread is reading them (without mu) */
    bool load_failed_logged;
    bucket buckets[ADDRESSES];
};

http_auth *http_auth_new(const config *cfg)
{
    http_auth *a = xcalloc(1, sizeof *a);
    a->cfg = cfg;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->read_done, NULL);
    return a;
}

void http_auth_free(http_auth *a)
{
    if (!a)
        return;
    free(a->tokens);
    pthread_cond_destroy(&a->read_done);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* Reads the active tokens (no lock held: it talks to the database). */
static int read_tokens(const config *cfg, token_entry **out, size_t *n, strbuf *err)
{
    db_options opts = cfg_db_options(cfg, false);
    char *cerr = NULL;
    db *conn = db_connect(cfg_db_url(cfg), &opts, &cerr);
    int rc = conn ? token_load_active(conn, out, n, err) : -1;
    if (!conn)
        sb_puts(err, cerr);
    db_close(conn);
    free(cerr);
    return rc;
}

/* With mu held: reads the tokens again when the copy is AUTH_REFRESH_S
 * old, one thread at a time and without mu, while the others go on with
 * the copy. A failed read keeps the copy (a database blip does not lock
 * operators out) and is not tried again for AUTH_REFRESH_S. 0 when there
 * is a copy to check against. */
static int refresh(http_auth *a)
{
    double now = monotonic_seconds();
    if (a->attempted > 0 && now - a->attempted < AUTH_REFRESH_S)
        return a->loaded > 0 ? 0 : -1;
    if (a->reading) {
        while (a->reading && a->loaded == 0)
            pthread_cond_wait(&a->read_done, &a->mu);
        return a->loaded > 0 ? 0 : -1;
    }
    a->reading = true;
    a->attempted = now;
    pthread_mutex_unlock(&a->mu);
    token_entry *fresh = NULL;
    size_t n = 0;
    strbuf err;
    sb_init(&err);
    int rc = read_tokens(a->cfg, &fresh, &n, &err);
    pthread_mutex_lock(&a->mu);
    if (rc == 0) {
        free(a->tokens);
        a->tokens = fresh;
        a->ntokens = n;
        a->loaded = now;
        a->load_failed_logged = false;
    } else if (!a->load_failed_logged) {
        log_error("API: cannot read the tokens: %s", err.data);
        a->load_failed_logged = true;
    }
    a->reading = false;
    pthread_cond_broadcast(&a->read_done);
    sb_free(&err);
    return a->loaded > 0 ? 0 : -1;
}

static bucket *find_bucket(http_auth *a, const char *client, double now)
{
    bucket *oldest = &a->buckets[0];
    for (size_t i = 0; i < ADDRESSES; i++) {
        bucket *b = &a->buckets[i];
        if (strcmp(b->address, client) == 0)
            return b;
        if (b->updated < oldest->updated)
            oldest = b;
    }
    snprintf(oldest->address, sizeof oldest->address, "%s", client);
    oldest->tokens = AUTH_BURST;
    oldest->updated = now;
    return oldest;
}

/* With mu held: false once CLIENT has used up its failed attempts. */
static bool may_try(http_auth *a, const char *client, bool failed)
{
    double now = monotonic_seconds();
    bucket *b = find_bucket(a, client, now);
    b->tokens += (now - b->updated) / AUTH_REFILL_S;
    if (b->tokens > AUTH_BURST)
        b->tokens = AUTH_BURST;
    b->updated = now;
    if (b->tokens < 1)
        return false;
    if (failed)
        b->tokens -= 1;
    return true;
}

/* The token of "Bearer <token>", or NULL. */
static const char *bearer(const char *header)
{
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return NULL;
    header += 7;
    while (*header == ' ')
        header++;
    return *header ? header : NULL;
}

/* Every entry is compared, whatever matches: the time does not tell how
 * close a guess came. */
static const token_entry *match(const http_auth *a, const unsigned char hash[TOKEN_HASH_BYTES])
{
    const token_entry *found = NULL;
    for (size_t i = 0; i < a->ntokens; i++) {
        bool same = CRYPTO_memcmp(a->tokens[i].hash, hash, TOKEN_HASH_BYTES) == 0;
        found = same ? &a->tokens[i] : found;
    }
    return found;
}

auth_result http_auth_check(http_auth *a, const char *header, const char *client, char name[TOKEN_NAME_MAX + 1],
                            token_role *role)
{
    const char *token = bearer(header);
    unsigned char hash[TOKEN_HASH_BYTES];
    if (token)
        token_hash(token, hash);
    pthread_mutex_lock(&a->mu);
    auth_result result;
    if (!may_try(a, client, false)) {
        result = AUTH_LIMITED;
    } else if (!token) {
        may_try(a, client, true);
        result = AUTH_MISSING;
    } else if (refresh(a) != 0) {
        result = AUTH_ERROR;
    } else {
        const token_entry *e = match(a, hash);
        if (e) {
            snprintf(name, TOKEN_NAME_MAX + 1, "%s", e->name);
            *role = e->role;
            result = AUTH_OK;
        } else {
            may_try(a, client, true);
            result = AUTH_UNKNOWN;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return result;
}

bool http_auth_name_active(http_auth *a, const char *name, token_role *role)
{
    pthread_mutex_lock(&a->mu);
    bool active = false;
    if (refresh(a) == 0)
        for (size_t i = 0; i < a->ntokens && !active; i++)
            if (strcmp(a->tokens[i].name, name) == 0) {
                *role = a->tokens[i].role;
                active = true;
            }
    pthread_mutex_unlock(&a->mu);
    return active;
}
