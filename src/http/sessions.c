/* sessions.c - console sessions (see sessions.h). Ids are 256 random bits
 * (OpenSSL); they are found by their SHA-256, compared in constant time
 * against every open session, as tokens are. */
#include "sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    bool open;
    unsigned char hash[TOKEN_HASH_BYTES];
    char name[TOKEN_NAME_MAX + 1];
    token_role role;
    double last_used; /* monotonic seconds */
} session;

struct session_store {
    pthread_mutex_t mu;
    long long idle_s;
    session sessions[SESSIONS_MAX];
};

session_store *sessions_new(long long idle_s)
{
    session_store *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->idle_s = idle_s;
    return s;
}

void sessions_free(session_store *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

long long sessions_idle_seconds(const session_store *s)
{
    return s->idle_s;
}

int sessions_create(session_store *s, const char *name, token_role role, char id[SESSION_ID_HEX + 1])
{
    unsigned char raw[SESSION_ID_HEX / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    pthread_mutex_lock(&s->mu);
    session *slot = &s->sessions[0];
    for (int i = 0; i < SESSIONS_MAX && slot->open; i++) /* a free slot, else the least recently used */
        if (!s->sessions[i].open || s->sessions[i].last_used < slot->last_used)
            slot = &s->sessions[i];
    *slot = (session){.open = true, .role = role, .last_used = monotonic_seconds()};
    token_hash(id, slot->hash);
    snprintf(slot->name, sizeof slot->name, "%s", name);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* With mu held: the open session whose id hashes to HASH, or NULL. Every
 * slot is compared, whatever matches. */
static session *match(session_store *s, const unsigned char hash[TOKEN_HASH_BYTES])
{
    session *found = NULL;
    for (int i = 0; i < SESSIONS_MAX; i++) {
        bool same = CRYPTO_memcmp(s->sessions[i].hash, hash, TOKEN_HASH_BYTES) == 0;
        found = same && s->sessions[i].open ? &s->sessions[i] : found;
    }
    return found;
}

bool sessions_find(session_store *s, const char *id, char name[TOKEN_NAME_MAX + 1], token_role *role)
{
    if (strlen(id) != SESSION_ID_HEX)
        return false;
    unsigned char hash[TOKEN_HASH_BYTES];
    token_hash(id, hash);
    double now = monotonic_seconds();
    pthread_mutex_lock(&s->mu);
    session *found = match(s, hash);
    if (found && now - found->last_used > (double)s->idle_s)
        found->open = false; /* expired */
    bool ok = found && found->open;
    if (ok) {
        found->last_used = now;
        snprintf(name, TOKEN_NAME_MAX + 1, "%s", found->name);
        *role = found->role;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void sessions_end(session_store *s, const char *id)
{
    unsigned char hash[TOKEN_HASH_BYTES];
    token_hash(id, hash);
    pthread_mutex_lock(&s->mu);
    session *found = match(s, hash);
    if (found)
        found->open = false;
    pthread_mutex_unlock(&s->mu);
}
