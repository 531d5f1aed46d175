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
    pthread_mutex_t mu;
    token_entry *tokens;
    size_t ntokens;
    double loaded;   /* monotonic seconds of the last read; 0: never */
    bool load_failed_logged;
    bucket buckets[ADDRESSES];
};

http_auth *http_auth_new(const config *cfg)
{
    http_auth *a = xcalloc(1, sizeof *a);
    a->cfg = cfg;
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void http_auth_free(http_auth *a)
{
    if (!a)
        return;
    free(a->tokens);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* With mu held: reads the tokens again when the copy is old. A failed read
 * keeps the copy (a database blip does not lock operators out) unless
 * there never was one. */
static int refresh(http_auth *a)
{
    double now = monotonic_seconds();
    if (a->loaded > 0 && now - a->loaded < AUTH_REFRESH_S)
        return 0;
    db_options opts = cfg_db_options(a->cfg, false);
    char *cerr = NULL;
    db *conn = db_connect(cfg_db_url(a->cfg), &opts, &cerr);
    strbuf err;
    sb_init(&err);
    token_entry *fresh = NULL;
    size_t n = 0;
    int rc = conn ? token_load_active(conn, &fresh, &n, &err) : -1;
    db_close(conn);
    if (rc == 0) {
        free(a->tokens);
        a->tokens = fresh;
        a->ntokens = n;
        a->loaded = now;
        a->load_failed_logged = false;
    } else if (!a->load_failed_logged) {
        log_error("API: cannot read the tokens: %s", conn ? err.data : cerr);
        a->load_failed_logged = true;
    }
    free(cerr);
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
