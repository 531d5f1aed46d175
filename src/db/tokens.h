/* tokens.h - the API tokens of the operator interface, kept in the service
 * table tis_sync_token that every instance on the database shares. Only a
 * token's SHA-256 is stored; the token itself is shown once, when made. */
#ifndef TIS_TOKENS_H
#define TIS_TOKENS_H

#include "db.h"
#include "util.h"

#include <stdio.h>

typedef enum { ROLE_NONE = 0, ROLE_VIEWER = 1, ROLE_OPERATOR = 2 } token_role;

enum { TOKEN_HEX = 64, TOKEN_NAME_MAX = 64, TOKEN_HASH_BYTES = 32 };

/* "viewer", "operator"; ROLE_NONE for anything else. */
token_role token_role_parse(const char *text);
const char *token_role_name(token_role role);
/* True for a usable token name: 1 to 64 letters, digits, '-', '_', '.'. */
bool token_name_valid(const char *name);

/* Makes a token of 256 random bits for NAME (a revoked one of that name is
 * replaced) and writes it, in hex, to out. 0, or -1 with *err set. */
int token_create(db *conn, const char *name, token_role role, char out[TOKEN_HEX + 1], strbuf *err);
/* 1 revoked, 0 no active token of that name, -1 error. */
int token_revoke(db *conn, const char *name, strbuf *err);
/* Prints name, role, created, revoked: never a secret. */
int token_print(db *conn, FILE *out, strbuf *err);

/* The SHA-256 of TOKEN (as given: any bytes). */
void token_hash(const char *token, unsigned char out[TOKEN_HASH_BYTES]);

/* An active token as the HTTP layer keeps it in memory. */
typedef struct {
    char name[TOKEN_NAME_MAX + 1];
    token_role role;
    unsigned char hash[TOKEN_HASH_BYTES];
} token_entry;

/* Reads every active token into *out (caller frees). 0, or -1 (*err). */
int token_load_active(db *conn, token_entry **out, size_t *n, strbuf *err);

#endif
