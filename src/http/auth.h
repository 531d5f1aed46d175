/* auth.h - who is asking the HTTP API: a bearer token, checked against the
 * active tokens of tis_sync_token. The tokens are kept in memory and read
 * again every AUTH_REFRESH_S seconds (so a token made or revoked on any
 * instance counts within that time), and compared by their SHA-256 in
 * constant time. Failed attempts are limited per remote address: a burst
 * of AUTH_BURST, then one per AUTH_REFILL_S seconds (429 in between). */
#ifndef TIS_AUTH_H
#define TIS_AUTH_H

#include "config.h"
#include "tokens.h"

enum { AUTH_REFRESH_S = 5, AUTH_BURST = 10, AUTH_REFILL_S = 6 };

typedef struct http_auth http_auth;

typedef enum {
    AUTH_OK,      /* *name and *role filled */
    AUTH_MISSING, /* no bearer token: 401 */
    AUTH_UNKNOWN, /* not an active token: 401 */
    AUTH_LIMITED, /* too many failures from this address: 429 */
    AUTH_ERROR,   /* the tokens could not be read: 503 */
} auth_result;

http_auth *http_auth_new(const config *cfg);
void http_auth_free(http_auth *a);
/* HEADER: the Authorization header or NULL; CLIENT: the remote address. */
auth_result http_auth_check(http_auth *a, const char *header, const char *client, char name[TOKEN_NAME_MAX + 1],
                            token_role *role);

/* Whether NAME is still an active token, and its *ROLE (a console session
 * ends when its token is revoked). */
bool http_auth_name_active(http_auth *a, const char *name, token_role *role);

#endif
