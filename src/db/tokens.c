/* tokens.c - API tokens (see tokens.h), on OpenSSL's libcrypto for the
 * random bytes and SHA-256. */
#include "tokens.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

token_role token_role_parse(const char *text)
{
    if (text && strcmp(text, "viewer") == 0)
        return ROLE_VIEWER;
    if (text && strcmp(text, "operator") == 0)
        return ROLE_OPERATOR;
    return ROLE_NONE;
}

const char *token_role_name(token_role role)
{
    return role == ROLE_OPERATOR ? "operator" : role == ROLE_VIEWER ? "viewer" : "none";
}

bool token_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > TOKEN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

void token_hash(const char *token, unsigned char out[TOKEN_HASH_BYTES])
{
    unsigned int len = TOKEN_HASH_BYTES;
    EVP_Digest(token, strlen(token), out, &len, EVP_sha256(), NULL);
}

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool from_hex(const char *text, unsigned char *out, size_t n)
{
    if (!text || strlen(text) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(text + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (unsigned char)v;
    }
    return true;
}

int token_create(db *conn, const char *name, token_role role, char out[TOKEN_HEX + 1], strbuf *err)
{
    unsigned char secret[TOKEN_HEX / 2], hash[TOKEN_HASH_BYTES];
    if (RAND_bytes(secret, sizeof secret) != 1) {
        sb_puts(err, "no random bytes available for a token");
        return -1;
    }
    to_hex(secret, sizeof secret, out);
    token_hash(out, hash);
    char hash_hex[2 * TOKEN_HASH_BYTES + 1], now[32];
    to_hex(hash, sizeof hash, hash_hex);
    utc_db_timestamp(now);
    long long active = 0;
    db_param who = DBP_TEXT(name);
    if (db_query_int(conn, "SELECT COUNT(*) FROM tis_sync_token WHERE name = ? AND revoked_at IS NULL", &who, 1,
                     &active) < 0) {
        sb_printf(err, "cannot read tis_sync_token: %s", db_error(conn));
        return -1;
    }
    if (active) {
        sb_printf(err, "a token named '%s' exists already (revoke it first)", name);
        return -1;
    }
    db_param p[] = {DBP_TEXT(name), DBP_TEXT(token_role_name(role)), DBP_TEXT(hash_hex), DBP_TEXT(now)};
    if (db_exec(conn, "DELETE FROM tis_sync_token WHERE name = ?", &who, 1) != 0 ||
        db_exec(conn, "INSERT INTO tis_sync_token (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)", p, 4) !=
            0) {
        sb_printf(err, "cannot write tis_sync_token: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int token_revoke(db *conn, const char *name, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    db_param p[] = {DBP_TEXT(now), DBP_TEXT(name)};
    if (db_exec(conn, "UPDATE tis_sync_token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", p, 2) != 0) {
        sb_printf(err, "cannot write tis_sync_token: %s", db_error(conn));
        return -1;
    }
    return db_changes(conn) > 0 ? 1 : 0;
}

int token_print(db *conn, FILE *out, strbuf *err)
{
    db_rows *rows = db_query(conn, "SELECT name, role, created_at, revoked_at FROM tis_sync_token ORDER BY name",
                             NULL, 0);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_token: %s", db_error(conn));
        return -1;
    }
    fprintf(out, "%-32s %-9s %-24s %s\n", "name", "role", "created (UTC)", "revoked (UTC)");
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        const char *revoked = db_col_text(rows, 3);
        fprintf(out, "%-32s %-9s %-24.23s %.23s\n", db_col_text(rows, 0), db_col_text(rows, 1),
                db_col_text(rows, 2), revoked ? revoked : "-");
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_token: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int token_load_active(db *conn, token_entry **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn, "SELECT name, role, token_hash FROM tis_sync_token WHERE revoked_at IS NULL",
                             NULL, 0);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_token: %s", db_error(conn));
        return -1;
    }
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        token_entry e = {.role = token_role_parse(db_col_text(rows, 1))};
        snprintf(e.name, sizeof e.name, "%s", db_col_text(rows, 0) ? db_col_text(rows, 0) : "");
        if (e.role == ROLE_NONE || !from_hex(db_col_text(rows, 2), e.hash, sizeof e.hash))
            continue; /* not ours to use: never matches */
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = e;
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_token: %s", db_error(conn));
        free(*out);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}
