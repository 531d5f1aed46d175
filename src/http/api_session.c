/* api_session.c - signing in to the web console (sessions.h):
 *
 *   POST   /api/v1/session   {"token":"..."}: 200 {"signedIn","name","role","idleSeconds","auth"} and the
 *                            session cookie (HttpOnly, SameSite=Strict, Secure under TLS); 401 for a token
 *                            not known; 429 when the address keeps failing (the same limit as bearer tokens)
 *   GET    /api/v1/session   who is signed in (open: {"signedIn":false,...} when no one is)
 *   DELETE /api/v1/session   signs out: the session ends on the server, the cookie is cleared
 *
 * The console signs in with a plain HTML form (application/x-www-form-
 * urlencoded), answered 303 back to the console, so that no script on the
 * page ever holds the token; API clients send JSON. The token crosses the
 * wire once, in a body (never a URL), and is not kept: only the session's
 * id is, as its hash. */
#include "http_request.h"
#include "log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static json_t *who_json(http_request *req, const char *name, token_role role)
{
    return json_pack("{s:b, s:o, s:o, s:I, s:s}", "signedIn", name != NULL, "name",
                     name ? json_string(name) : json_null(), "role",
                     name ? json_string(token_role_name(role)) : json_null(), "idleSeconds",
                     (json_int_t)sessions_idle_seconds(req->service->sessions), "auth",
                     req->service->auth ? "token" : "none");
}

static enum MHD_Result reply_with_cookie(http_request *req, unsigned status, json_t *doc, const char *id)
{
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", SESSION_COOKIE, id,
             req->service->tls ? "; Secure" : "", *id ? "" : "; Max-Age=0");
    return http_reply_json_header(req, status, doc, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

/* The "token" field of an HTML form's body (application/x-www-form-
 * urlencoded), decoded (caller frees), or NULL. */
static char *form_token(const strbuf *body)
{
    char *copy = xmalloc(body->len + 1), *save = NULL, *found = NULL;
    memcpy(copy, body->data ? body->data : "", body->len);
    copy[body->len] = '\0';
    for (char *field = strtok_r(copy, "&", &save); field && !found; field = strtok_r(NULL, "&", &save)) {
        if (strncmp(field, "token=", 6) != 0)
            continue;
        for (char *p = field + 6; *p; p++)
            *p = *p == '+' ? ' ' : *p;
        MHD_http_unescape(field + 6);
        found = xstrdup(field + 6);
    }
    OPENSSL_cleanse(copy, body->len);
    free(copy);
    return found;
}

/* The token of the request: {"token"} as JSON, or the console's sign-in
 * form (*FORM set). NULL having answered 400 when the JSON is not an object. */
static char *requested_token(http_request *req, bool *form, enum MHD_Result *answered)
{
    const char *type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    *form = type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
    if (*form) {
        char *token = form_token(req->body);
        return token ? token : xstrdup("");
    }
    json_t *body = http_body_object(req, answered);
    if (!body)
        return NULL;
    const char *token = json_string_value(json_object_get(body, "token"));
    char *copy = xstrdup(token ? token : "");
    json_decref(body);
    return copy;
}

/* The form is answered by sending the browser back to the console: to its
 * jobs once signed in, else to the sign-in form saying why (never with
 * the token in a URL). */
static enum MHD_Result form_answer(http_request *req, const char *where, const char *cookie_id)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, where);
    if (cookie_id) {
        char cookie[160];
        snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", SESSION_COOKIE, cookie_id,
                 req->service->tls ? "; Secure" : "");
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    }
    return http_reply(req, MHD_HTTP_SEE_OTHER, r);
}

static enum MHD_Result sign_in(http_request *req)
{
    http_service *svc = req->service;
    bool form = false;
    enum MHD_Result answered = MHD_NO;
    if (!svc->auth)
        return http_reply_json(req, MHD_HTTP_OK, who_json(req, "api", ROLE_OPERATOR));
    char *token = requested_token(req, &form, &answered);
    if (!token)
        return answered;
    char *header = xasprintf("Bearer %s", token);
    char name[TOKEN_NAME_MAX + 1] = "";
    token_role role = ROLE_NONE;
    auth_result r = http_auth_check(svc->auth, *token ? header : NULL, req->client, name, &role);
    OPENSSL_cleanse(header, strlen(header));
    OPENSSL_cleanse(token, strlen(token));
    free(header);
    free(token);
    char id[SESSION_ID_HEX + 1];
    if (r == AUTH_OK && sessions_create(svc->sessions, name, role, id) != 0)
        r = AUTH_ERROR;
    if (r != AUTH_OK) {
        log_info("Audit: anonymous from %s: sign in to the console: refused (%s)", req->client,
                 r == AUTH_LIMITED ? "too many failures" : r == AUTH_ERROR ? "tokens unreadable" : "token not known");
        if (form)
            return form_answer(req, r == AUTH_LIMITED ? "/#/signin-limited" : r == AUTH_ERROR ? "/#/signin-unavailable"
                                                                                              : "/#/signin-refused",
                               NULL);
        return http_reply_refused(req, r, "This token is not known, or was revoked");
    }
    snprintf(req->who, sizeof req->who, "api:%s", name);
    http_audit(req, "sign in to the console", token_role_name(role));
    enum MHD_Result rc = form ? form_answer(req, "/#/jobs", id)
                              : reply_with_cookie(req, MHD_HTTP_OK, who_json(req, name, role), id);
    OPENSSL_cleanse(id, sizeof id);
    return rc;
}

/* Who is signed in: open to anyone, so that the console asks without an
 * error before its visitor has signed in (signedIn false). */
static enum MHD_Result whoami(http_request *req)
{
    http_service *svc = req->service;
    if (!svc->auth)
        return http_reply_json(req, MHD_HTTP_OK, who_json(req, "api", ROLE_OPERATOR));
    const char *header = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    char name[TOKEN_NAME_MAX + 1];
    token_role role = ROLE_NONE;
    if (header) {
        auth_result r = http_auth_check(svc->auth, header, req->client, name, &role);
        if (r != AUTH_OK)
            return http_reply_refused(req, r, "The token is not known or was revoked");
        return http_reply_json(req, MHD_HTTP_OK, who_json(req, name, role));
    }
    if (cookie && sessions_find(svc->sessions, cookie, name, &role) && http_auth_name_active(svc->auth, name, &role))
        return http_reply_json(req, MHD_HTTP_OK, who_json(req, name, role));
    return cookie ? reply_with_cookie(req, MHD_HTTP_OK, who_json(req, NULL, ROLE_NONE), "")
                  : http_reply_json(req, MHD_HTTP_OK, who_json(req, NULL, ROLE_NONE));
}

static enum MHD_Result sign_out(http_request *req)
{
    const char *id = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (id && req->by_session) {
        sessions_end(req->service->sessions, id);
        http_audit(req, "sign out of the console", "done");
    }
    return reply_with_cookie(req, MHD_HTTP_OK, json_pack("{s:b}", "signedOut", req->by_session), "");
}

static const http_route routes[] = {
    {"POST", "/api/v1/session", ROLE_NONE, sign_in, false, false},
    {"GET", "/api/v1/session", ROLE_NONE, whoami, false, false},
    {"DELETE", "/api/v1/session", ROLE_VIEWER, sign_out, false, false},
};

const http_routes session_routes = {routes, sizeof routes / sizeof routes[0]};
