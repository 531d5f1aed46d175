/* http_api.c - the HTTP server core (see http_api.h): the daemon and its
 * limits, the header deadline, authentication and routing. Handlers run on
 * the connection's own thread, so a slow one (a database read, an event
 * stream) holds no one else up.
 *
 * libmicrohttpd 0.9.75 has no deadline for a request's headers, only an
 * idle timeout, which a client sending a header line every few seconds
 * never meets. So each connection is tracked from its start (or the end of
 * its previous request) to the arrival of its whole request (headers and a
 * body of at most MAX_BODY), and one that takes longer than
 * HEADER_TIMEOUT_S has its socket shut down from outside
 * (through a dup() of its descriptor, so a reused number is never hit);
 * libmicrohttpd then sees the socket end and closes the connection. */
#include "http_api.h"
#include "http_request.h"
#include "log.h"
#include "status_cache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_BODY = 64 * 1024,          /* past this a request is refused */
    CONNECTION_IDLE_S = 15,
    HEADER_TIMEOUT_S = 10,
    CONNECTION_MEMORY = 32 * 1024, /* bounds the request line and headers */
    THREAD_STACK = 512 * 1024,
    TLS_FILE_MAX = 1024 * 1024,
};

/* One connection, from its start to its close. */
typedef struct conn_track {
    struct conn_track *prev, *next;
    int fd;              /* our dup() of its socket */
    double since;        /* monotonic: connected, or its last request ended */
    bool in_request;     /* a whole request received, not answered yet */
    bool dropped;
} conn_track;

struct http_api {
    struct MHD_Daemon *daemon;
    http_service service;
    bool metrics_auth;
    unsigned port;
    char *tls_cert, *tls_key;
    pthread_mutex_t track_mu;
    conn_track *tracks;
    pthread_t reaper;
    pthread_cond_t reaper_wake;
    bool reaper_stop;
};

typedef struct {
    strbuf body;
    size_t body_bytes;
} request_state;

static const http_routes *const route_tables[] = {&legacy_api_routes, &api_v1_routes,  &api_events_routes,
                                                  &metrics_routes,    &session_routes, &console_routes};

/* ---- probes ------------------------------------------------------------- */

static enum MHD_Result get_health(http_request *req)
{
    bool stopping = http_service_stopping(req->service);
    json_t *running = json_array();
    for (int j = 0; j < JOB_COUNT; j++)
        if (runner_is_running((job_id)j, NULL, NULL))
            json_array_append_new(running, json_string(job_table[j].name));
    return http_reply_json(req, stopping ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                           json_pack("{s:s, s:o}", "status", stopping ? "stopping" : "ok", "running", running));
}

/* Ready when the history can be read: the snapshot the jobs' state is
 * served from, so probing costs the database at most one read a second. */
static enum MHD_Result get_readyz(http_request *req)
{
    if (http_service_stopping(req->service))
        return http_reply_json(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                               json_pack("{s:s, s:s}", "status", "not ready", "reason", "stopping"));
    strbuf err;
    sb_init(&err);
    status_snapshot *s = status_acquire(req->service, &err);
    sb_free(&err);
    if (!s)
        return http_reply_json(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                               json_pack("{s:s, s:s}", "status", "not ready", "reason", "the database does not answer"));
    status_release(req->service, s);
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "ready"));
}

static const http_route probe_routes[] = {
    {"GET", "/health", ROLE_NONE, get_health, false, false},
    {"GET", "/readyz", ROLE_NONE, get_readyz, false, false},
};
static const http_routes probes = {probe_routes, sizeof probe_routes / sizeof probe_routes[0]};

/* ---- routing ------------------------------------------------------------ */

/* Whether PATH matches PATTERN ("{}" takes one non-empty segment into
 * PARAMS, "{*}" the rest of the path, cut at HTTP_PARAM_MAX bytes); with
 * TRAILING, one trailing slash is allowed. */
static bool path_matches(const char *pattern, const char *path, bool trailing,
                         char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1])
{
    int np = 0;
    while (*pattern) {
        if (strcmp(pattern, "{*}") == 0 && np < HTTP_MAX_PARAMS) {
            snprintf(params[np], HTTP_PARAM_MAX + 1, "%s", path);
            return true;
        }
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n > HTTP_PARAM_MAX || np == HTTP_MAX_PARAMS)
                return false;
            memcpy(params[np], path, n);
            params[np++][n] = '\0';
            path += n;
            pattern += 2;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0' || (trailing && path[0] == '/' && path[1] == '\0');
}

static bool method_matches(const http_route *r, const char *method)
{
    return strcmp(r->method, method) == 0 || (strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

/* The route for METHOD and PATH (*path_known: some route has that path). */
static const http_route *find_route(const char *method, const char *path, http_request *req, bool *path_known,
                                    strbuf *allow)
{
    const http_route *found = NULL;
    *path_known = false;
    for (size_t t = 0; t <= sizeof route_tables / sizeof route_tables[0]; t++) {
        const http_routes *table = t == 0 ? &probes : route_tables[t - 1];
        for (size_t i = 0; i < table->count; i++) {
            const http_route *r = &table->routes[i];
            char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1];
            if (!path_matches(r->pattern, path, r->trailing_slash, params))
                continue;
            *path_known = true;
            sb_printf(allow, "%s%s", allow->len ? ", " : "", r->method);
            if (!found && method_matches(r, method)) {
                found = r;
                memcpy(req->params, params, sizeof params);
            }
        }
    }
    return found;
}

/* ---- authentication ----------------------------------------------------- */

static void client_address(struct MHD_Connection *c, char out[64])
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, 64, "?");
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    const void *raw = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                                                : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    inet_ntop(sa->sa_family, raw, out, 64);
}

/* The console's session cookie ID: fills req->who and req->role; false
 * having answered 401, or 415 for a change sent without a JSON content
 * type (which no cross-site form can send). */
static bool session_authenticate(http_request *req, const char *id, enum MHD_Result *answered)
{
    http_service *svc = req->service;
    char name[TOKEN_NAME_MAX + 1];
    token_role role;
    bool found = sessions_find(svc->sessions, id, name, &role);
    if (!found || !http_auth_name_active(svc->auth, name, &role)) {
        if (found) /* its token was revoked */
            sessions_end(svc->sessions, id);
        *answered = http_reply_refused(req, AUTH_UNKNOWN, "The session has ended: sign in again");
        return false;
    }
    const char *type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool change = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
    if (change && (!type || strncasecmp(type, "application/json", 16) != 0)) {
        *answered = http_reply_error(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                     "A change made with the console's session needs Content-Type: application/json");
        return false;
    }
    snprintf(req->who, sizeof req->who, "api:%s", name);
    req->role = role;
    req->by_session = true;
    return true;
}

/* Fills req->who and req->role from the bearer token, or else the session
 * cookie; false having answered (401, 415, 429, 503). */
static bool authenticate(http_request *req, enum MHD_Result *answered)
{
    http_service *svc = req->service;
    if (!svc->auth) {
        snprintf(req->who, sizeof req->who, "api");
        req->role = ROLE_OPERATOR;
        return true;
    }
    const char *header = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (!header && cookie)
        return session_authenticate(req, cookie, answered);
    char name[TOKEN_NAME_MAX + 1] = "";
    auth_result r = http_auth_check(svc->auth, header, req->client, name, &req->role);
    if (r == AUTH_OK) {
        snprintf(req->who, sizeof req->who, "api:%s", name);
        return true;
    }
    if (r == AUTH_UNKNOWN)
        log_debug("API: %s %s from %s: unknown token", req->method, req->path, req->client);
    *answered = http_reply_refused(req, r, r == AUTH_MISSING ? "A bearer token is needed (Authorization: Bearer <token>)"
                                                             : "The token is not known or was revoked");
    return false;
}

static enum MHD_Result dispatch(http_api *api, http_request *req)
{
    bool path_known;
    strbuf allow;
    sb_init(&allow);
    const http_route *route = find_route(req->method, req->path, req, &path_known, &allow);
    bool open = route && (route->role == ROLE_NONE || (route->metrics && !api->metrics_auth));
    enum MHD_Result answered = MHD_NO;
    if (open) {
        snprintf(req->who, sizeof req->who, "anonymous");
        answered = route->handler(req);
    } else if (!authenticate(req, &answered)) {
        /* answered */
    } else if (!path_known) {
        answered = http_reply_error(req, MHD_HTTP_NOT_FOUND, "Not found");
    } else if (!route) {
        json_t *doc = json_pack("{s:s}", "error", "Method not allowed");
        answered = http_reply_json_header(req, MHD_HTTP_METHOD_NOT_ALLOWED, doc, MHD_HTTP_HEADER_ALLOW, allow.data);
    } else if (req->role < route->role) {
        http_audit(req, req->path, "refused: a viewer token cannot make changes");
        answered = http_reply_error(req, MHD_HTTP_FORBIDDEN, "This needs an operator token");
    } else {
        answered = route->handler(req);
    }
    sb_free(&allow);
    return answered;
}

/* ---- connections -------------------------------------------------------- */

static conn_track *track_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void set_in_request(http_api *api, struct MHD_Connection *c, bool in_request)
{
    conn_track *t = track_of(c);
    if (!t)
        return;
    pthread_mutex_lock(&api->track_mu);
    t->in_request = in_request;
    t->since = monotonic_seconds();
    pthread_mutex_unlock(&api->track_mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_api *api = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_track *t = xcalloc(1, sizeof *t);
        t->fd = info ? fcntl(info->connect_fd, F_DUPFD_CLOEXEC, 0) : -1;
        t->since = monotonic_seconds();
        pthread_mutex_lock(&api->track_mu);
        t->next = api->tracks;
        if (api->tracks)
            api->tracks->prev = t;
        api->tracks = t;
        pthread_mutex_unlock(&api->track_mu);
        *socket_context = t;
        return;
    }
    conn_track *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&api->track_mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        api->tracks = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&api->track_mu);
    if (t->fd >= 0)
        close(t->fd);
    free(t);
    *socket_context = NULL;
}

/* Drops, once a second, the connections past their header deadline. */
static void *reaper_main(void *arg)
{
    http_api *api = arg;
    pthread_mutex_lock(&api->track_mu);
    while (!api->reaper_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&api->reaper_wake, &api->track_mu, &until);
        double now = monotonic_seconds();
        for (conn_track *t = api->tracks; t; t = t->next) {
            if (t->in_request || t->dropped || t->fd < 0 || now - t->since < HEADER_TIMEOUT_S)
                continue;
            shutdown(t->fd, SHUT_RDWR);
            t->dropped = true;
            log_debug("HTTP: a connection sent no complete request within %d s: closed", HEADER_TIMEOUT_S);
        }
    }
    pthread_mutex_unlock(&api->track_mu);
    return NULL;
}

/* libmicrohttpd calls this once with the headers, then once per body
 * chunk, then once more with no data: answer on that last call. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)version;
    http_api *api = cls;
    request_state *st = *req_cls;
    if (!st) {
        st = xcalloc(1, sizeof *st);
        sb_init(&st->body);
        *req_cls = st;
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        long long n;
        if (!length || !parse_long(length, 0, MAX_BODY, &n))
            st->body_bytes = length ? MAX_BODY + 1 : 0; /* refused at once, before it is read */
        if (st->body_bytes <= MAX_BODY)
            return MHD_YES;
    }
    if (*upload_data_size) {
        st->body_bytes += *upload_data_size;
        if (st->body_bytes <= MAX_BODY)
            sb_append(&st->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    set_in_request(api, c, true); /* the headers and body came within the deadline */
    http_request req = {.conn = c, .service = &api->service, .method = method ? method : "",
                        .path = url ? url : "", .body = &st->body};
    client_address(c, req.client);
    if (st->body_bytes > MAX_BODY)
        return http_reply_error(&req, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large");
    return dispatch(api, &req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    request_state *st = *req_cls;
    if (st) {
        sb_free(&st->body);
        free(st);
    }
    *req_cls = NULL;
    set_in_request(cls, c, false);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    strbuf sb;
    sb_init(&sb);
    sb_vprintf(&sb, fmt, ap);
    while (sb.len && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == '\r'))
        sb.data[--sb.len] = '\0';
    log_debug("HTTP: %s", sb.data);
    sb_free(&sb);
}

/* ---- start and stop ----------------------------------------------------- */

/* Splits "HOST:PORT" / "[V6]:PORT" and resolves it for binding. */
static struct addrinfo *resolve_listen(const char *listen, strbuf *err)
{
    char *copy = xstrdup(listen), *host = copy, *colon = strrchr(copy, ':');
    struct addrinfo *res = NULL;
    long long port;
    if (!colon || !parse_long(colon + 1, 0, 65535, &port)) {
        sb_printf(err, "bad value '%s' for http.listen: expected HOST:PORT or [IPV6]:PORT", listen);
        free(copy);
        return NULL;
    }
    *colon = '\0';
    if (*host == '[' && colon > host && colon[-1] == ']') {
        host++;
        colon[-1] = '\0';
    }
    struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(*host && strcmp(host, "*") != 0 ? host : NULL, colon + 1, &hints, &res);
    if (rc != 0)
        sb_printf(err, "http.listen '%s': %s", listen, gai_strerror(rc));
    free(copy);
    return rc == 0 ? res : NULL;
}

/* Reads a PEM file of KEY into *out. */
static int read_tls_file(const config *cfg, cfg_key key, char **out, strbuf *err)
{
    const char *path = cfg_str(cfg, key);
    FILE *f = fopen(path, "r");
    strbuf text;
    sb_init(&text);
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= TLS_FILE_MAX)
        sb_append(&text, chunk, n);
    if (!f || ferror(f) || text.len == 0 || text.len > TLS_FILE_MAX) {
        sb_printf(err, "cannot read %s '%s' (from %s): %s", cfg_name(key), path, cfg_source(cfg, key),
                  !f || ferror(f) ? strerror(errno) : "empty or larger than 1 MiB");
        if (f)
            fclose(f);
        sb_free(&text);
        return -1;
    }
    fclose(f);
    *out = sb_steal(&text);
    return 0;
}

static void free_api(http_api *api)
{
    http_auth_free(api->service.auth);
    sessions_free(api->service.sessions);
    status_cache_free(api->service.status);
    api_db_pool_free(api->service.pool);
    free(api->tls_cert);
    free(api->tls_key);
    pthread_cond_destroy(&api->reaper_wake);
    pthread_mutex_destroy(&api->track_mu);
    free(api);
}

static struct MHD_Daemon *start_daemon(http_api *api, const config *cfg, const struct addrinfo *addr)
{
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (addr->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (api->tls_cert ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls[] = {
        {api->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, api->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, api->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, api, MHD_OPTION_SOCK_ADDR, addr->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg_int(cfg, CFG_HTTP_MAX_CONNECTIONS), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg_int(cfg, CFG_HTTP_MAX_PER_ADDRESS), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_IDLE_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)THREAD_STACK, MHD_OPTION_NOTIFY_COMPLETED, on_completed, api, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, api, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

http_api *http_api_start(const config *cfg, scheduler *sched, strbuf *err)
{
    const char *listen = cfg_str(cfg, CFG_HTTP_LISTEN);
    struct addrinfo *addr = resolve_listen(listen, err);
    if (!addr)
        return NULL;
    http_api *api = xcalloc(1, sizeof *api);
    api->service = (http_service){.sched = sched, .cfg = cfg, .pool = api_db_pool_new(),
                                  .status = status_cache_new(), .started = (double)time(NULL)};
    atomic_init(&api->service.closing, false);
    api->service.auth = cfg_http_auth_required(cfg) ? http_auth_new(cfg) : NULL;
    api->service.sessions = sessions_new(cfg_int(cfg, CFG_HTTP_SESSION_IDLE));
    api->service.tls = cfg_str(cfg, CFG_HTTP_TLS_CERT) != NULL;
    api->metrics_auth = cfg_metrics_auth_required(cfg);
    pthread_mutex_init(&api->track_mu, NULL);
    pthread_cond_init(&api->reaper_wake, NULL);
    if (cfg_str(cfg, CFG_HTTP_TLS_CERT) &&
        (read_tls_file(cfg, CFG_HTTP_TLS_CERT, &api->tls_cert, err) != 0 ||
         read_tls_file(cfg, CFG_HTTP_TLS_KEY, &api->tls_key, err) != 0)) {
        freeaddrinfo(addr);
        free_api(api);
        return NULL;
    }
    api->daemon = start_daemon(api, cfg, addr);
    freeaddrinfo(addr);
    if (!api->daemon) {
        sb_printf(err, api->tls_cert ? "cannot serve HTTPS on %s (http.listen): address in use, or http.tls_cert "
                                       "and http.tls_key are not a PEM certificate and its key"
                                     : "cannot listen on %s (http.listen): address in use or not available",
                  listen);
        free_api(api);
        return NULL;
    }
    if (pthread_create(&api->reaper, NULL, reaper_main, api) != 0) {
        sb_puts(err, "cannot start the HTTP connection reaper thread");
        MHD_stop_daemon(api->daemon);
        free_api(api);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
    api->port = info ? info->port : 0;
    return api;
}

unsigned http_api_port(const http_api *api)
{
    return api->port;
}

void http_api_stop(http_api *api)
{
    if (!api)
        return;
    atomic_store(&api->service.closing, true);
    MHD_stop_daemon(api->daemon); /* waits for the connection threads */
    pthread_mutex_lock(&api->track_mu);
    api->reaper_stop = true;
    pthread_cond_signal(&api->reaper_wake);
    pthread_mutex_unlock(&api->track_mu);
    pthread_join(api->reaper, NULL);
    free_api(api);
}
