/* sessions.h - the web console's sign-in sessions. The console sends its
 * token once (POST /api/v1/session); the server answers with a session
 * cookie, so that no script on the page holds the token. A session lives
 * in this process's memory, ends when its holder signs out, after
 * http.session_idle seconds without a request, or when its token is
 * revoked; the cookie is its random id, and only the id's SHA-256 is kept. */
#ifndef TIS_SESSIONS_H
#define TIS_SESSIONS_H

#include "tokens.h"

enum { SESSION_ID_HEX = 64, SESSIONS_MAX = 1024 };

typedef struct session_store session_store;

session_store *sessions_new(long long idle_s);
void sessions_free(session_store *s);

/* A new session for the token NAME with ROLE; its id (the cookie value)
 * into ID. The oldest session is dropped when SESSIONS_MAX are open. */
int sessions_create(session_store *s, const char *name, token_role role, char id[SESSION_ID_HEX + 1]);
/* The session ID: true with *NAME and *ROLE (and its idle time starts
 * again), false when there is none or it has expired. */
bool sessions_find(session_store *s, const char *id, char name[TOKEN_NAME_MAX + 1], token_role *role);
/* Ends the session ID (sign out). */
void sessions_end(session_store *s, const char *id);
long long sessions_idle_seconds(const session_store *s);

#endif
