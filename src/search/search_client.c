/* search_client.c - the search engine client on libcurl (see
 * search_client.h): base URLs and fail-over, retries with backoff, single
 * requests on an easy handle, and the _bulk pipeline on a multi handle. */
#include "search_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_URLS = 16, SLEEP_STEP_MS = 50, POLL_MAX_MS = 100 };
/* search_bulk_pump() does real work once per this many bytes queued: often
 * enough to keep a socket buffer full, rare enough that polling costs
 * nothing next to building documents (a poll per document cost more CPU
 * than the JSON). */
enum { PUMP_EVERY_BYTES = 64 * 1024 };
enum { RAMP_STEPS = 3, RAMP_MIN_BYTES = 64 * 1024 };
static const double BACKOFF_CAP_S = 30.0;

typedef struct {
    char *base;  /* as configured, without a trailing '/'; may hold user info */
    char *shown; /* the same without user info, for messages */
} base_url;

struct search_client {
    base_url urls[MAX_URLS];
    int nurls;
    int current; /* where requests go until a connection error */
    search_options opts;
    char *user, *password, *ca_file;
    struct curl_slist *json_headers, *ndjson_headers;
    CURL *easy;
    unsigned seed;
};

/* ---------------------------------------------------------------------- */
/* set-up */

/* The URL as it may be shown: any user:password@ removed. The cut is at the
 * LAST '@', whatever comes before it, so that a password holding '/' or '@'
 * is never shown; a path with an '@' in it merely loses its start. */
static char *without_user_info(const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *at = strrchr(host, '@');
    if (!at)
        return xstrdup(url);
    return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

static int add_url(search_client *c, const char *start, size_t len, strbuf *err)
{
    while (len && (*start == ' ' || *start == '\t'))
        start++, len--;
    while (len && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '/'))
        len--;
    if (len == 0)
        return 0;
    char *url = xstrndup(start, len);
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        char *shown = without_user_info(url);
        sb_printf(err, "search URL '%s' must start with http:// or https://", shown);
        free(shown);
        free(url);
        return -1;
    }
    if (c->nurls == MAX_URLS) {
        sb_printf(err, "more than %d search URLs", MAX_URLS);
        free(url);
        return -1;
    }
    c->urls[c->nurls].base = url;
    c->urls[c->nurls].shown = without_user_info(url);
    c->nurls++;
    return 0;
}

static int parse_urls(search_client *c, const char *urls, strbuf *err)
{
    for (const char *p = urls ? urls : ""; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (add_url(c, p, len, err) != 0)
            return -1;
        p += len + (comma ? 1 : 0);
    }
    if (c->nurls == 0) {
        sb_puts(err, "no search URL configured");
        return -1;
    }
    return 0;
}

search_client *search_client_new(const search_options *opts, strbuf *err)
{
    search_client *c = xcalloc(1, sizeof *c);
    c->opts = *opts;
    if (parse_urls(c, opts->urls, err) != 0) {
        search_client_free(c);
        return NULL;
    }
    c->user = opts->user && *opts->user ? xstrdup(opts->user) : NULL;
    c->password = opts->password ? xstrdup(opts->password) : NULL;
    c->ca_file = opts->ca_file && *opts->ca_file ? xstrdup(opts->ca_file) : NULL;
    c->opts.urls = c->opts.user = c->opts.password = c->opts.ca_file = NULL;
    /* Expect: off, because curl's 100-continue handshake costs a round trip
     * per bulk request for nothing (the engine always reads the body). */
    c->json_headers = curl_slist_append(NULL, "Content-Type: application/json");
    c->json_headers = curl_slist_append(c->json_headers, "Expect:");
    c->ndjson_headers = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
    c->ndjson_headers = curl_slist_append(c->ndjson_headers, "Expect:");
    c->easy = curl_easy_init();
    c->seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    if (!c->easy || !c->json_headers || !c->ndjson_headers) {
        sb_puts(err, "cannot initialise libcurl");
        search_client_free(c);
        return NULL;
    }
    return c;
}

void search_client_free(search_client *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nurls; i++) {
        free(c->urls[i].base);
        free(c->urls[i].shown);
    }
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    free(c->user);
    free(c->password);
    free(c->ca_file);
    curl_slist_free_all(c->json_headers);
    curl_slist_free_all(c->ndjson_headers);
    if (c->easy)
        curl_easy_cleanup(c->easy);
    free(c);
}

const char *search_client_url(const search_client *c)
{
    return c->urls[c->current].shown;
}

/* Responses are parsed whole, so their size is bounded: a runaway body (a
 * misbehaving proxy, an endless error page) fails the request instead of
 * growing the job's memory. Bulk answers for 8 MiB requests are a few MiB. */
enum { MAX_RESPONSE_BYTES = 64 * 1024 * 1024 };

static size_t collect(char *data, size_t size, size_t n, void *out)
{
    strbuf *response = out;
    if (response->len + size * n > MAX_RESPONSE_BYTES)
        return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
    sb_append(response, data, size * n);
    return size * n;
}

/* Options every request shares. The handle is reset first, which keeps its
 * connection cache (keep-alive) but forgets the previous request. */
static void configure(const search_client *c, CURL *h, const struct curl_slist *headers, strbuf *response,
                      char *errbuf)
{
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->opts.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->opts.timeout_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    errbuf[0] = '\0';
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
}

/* ---------------------------------------------------------------------- */
/* retries */

static bool retryable_status(long status)
{
    return status == 429 || status >= 500; /* SPEC 1.3: 429 and every 5xx */
}

static bool cancelled(const search_client *c)
{
    return c->opts.cancel && atomic_load(c->opts.cancel);
}

/* The wait before retry number RETRY (0-based): base * 2^retry, capped, times
 * a random factor in [0.5, 1) so that clients rejected together do not come
 * back together. */
static double backoff_delay(search_client *c, int retry)
{
    double delay = c->opts.backoff_base_s > 0 ? c->opts.backoff_base_s : 0.1;
    for (int i = 0; i < retry && delay < BACKOFF_CAP_S; i++)
        delay *= 2;
    if (delay > BACKOFF_CAP_S)
        delay = BACKOFF_CAP_S;
    return delay * (0.5 + 0.5 * ((double)rand_r(&c->seed) / ((double)RAND_MAX + 1.0)));
}

/* Sleeps SECONDS in short steps; false if cancelled meanwhile. */
static bool pause_for(const search_client *c, double seconds)
{
    double until = monotonic_seconds() + seconds;
    for (double left = seconds; left > 0; left = until - monotonic_seconds()) {
        if (cancelled(c))
            return false;
        double step = left < SLEEP_STEP_MS / 1000.0 ? left : SLEEP_STEP_MS / 1000.0;
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
    }
    return !cancelled(c);
}

/* After a connection error on URL index FAILED: later requests go to the
 * next URL (unless another request already moved on). */
static void fail_over(search_client *c, int failed)
{
    if (c->current == failed)
        c->current = (c->current + 1) % c->nurls;
}

/* ---------------------------------------------------------------------- */
/* single requests */

static void set_method(CURL *h, const char *method, const char *body)
{
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        return;
    }
    bool sends = body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    if (sends) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
    }
    if (strcmp(method, sends ? "POST" : "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

static void parse_body(const strbuf *body, search_response *out)
{
    json_error_t jerr;
    out->json = body->len ? json_loadb(body->data, body->len, 0, &jerr) : NULL;
}

/* One attempt at URL index URL; the status is 0 when no answer came. */
static CURLcode perform_once(search_client *c, int url, const char *method, const char *path, const char *body,
                             strbuf *response, char *errbuf, long *status)
{
    char *target = xasprintf("%s%s", c->urls[url].base, path);
    configure(c, c->easy, c->json_headers, response, errbuf);
    curl_easy_setopt(c->easy, CURLOPT_URL, target);
    set_method(c->easy, method, body);
    sb_reset(response);
    CURLcode cc = curl_easy_perform(c->easy);
    free(target);
    *status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, status);
    return cc;
}

static void describe_no_response(const search_client *c, int url, const char *method, const char *path,
                                 CURLcode cc, long status, const char *errbuf, int attempts, strbuf *err)
{
    sb_printf(err, "%s %s: %s", method, path, cancelled(c) ? "cancelled; last error: " : "no response: ");
    if (cc == CURLE_OK)
        sb_printf(err, "HTTP %ld", status);
    else
        sb_puts(err, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    sb_printf(err, " (%s, %d attempts)", c->urls[url].shown, attempts);
}

int search_request(search_client *c, const char *method, const char *path, const char *body, search_response *out,
                   strbuf *err)
{
    memset(out, 0, sizeof *out);
    strbuf response;
    sb_init(&response);
    char errbuf[CURL_ERROR_SIZE];
    int retry = 0, failovers = 0, rc = -1;
    for (;;) {
        int url = c->current;
        out->attempts++;
        CURLcode cc = perform_once(c, url, method, path, body, &response, errbuf, &out->status);
        if (cc == CURLE_OK && (!retryable_status(out->status) || retry >= c->opts.retries)) {
            parse_body(&response, out);
            rc = 0;
            break;
        }
        if (cc != CURLE_OK) {
            fail_over(c, url);
            /* Another URL not yet tried in this round: go there at once. */
            if (++failovers < c->nurls)
                continue;
            failovers = 0;
        }
        if (retry >= c->opts.retries || !pause_for(c, backoff_delay(c, retry))) {
            describe_no_response(c, url, method, path, cc, out->status, errbuf, out->attempts, err);
            break;
        }
        retry++;
    }
    sb_free(&response);
    return rc;
}

void search_response_free(search_response *r)
{
    json_decref(r->json);
    r->json = NULL;
}

const char *search_response_error_type(const search_response *r)
{
    json_t *error = json_object_get(r->json, "error");
    const char *type = json_string_value(json_object_get(error, "type"));
    return type ? type : "";
}

/* "type: reason" of an engine error object, plus its first cause. */
static void describe_error_object(json_t *error, strbuf *out)
{
    if (json_is_string(error)) {
        sb_puts(out, json_string_value(error));
        return;
    }
    const char *type = json_string_value(json_object_get(error, "type"));
    const char *reason = json_string_value(json_object_get(error, "reason"));
    sb_printf(out, "%s: %s", type ? type : "error", reason ? reason : "(no reason given)");
    json_t *cause = json_object_get(error, "caused_by");
    const char *cause_type = json_string_value(json_object_get(cause, "type"));
    const char *cause_reason = json_string_value(json_object_get(cause, "reason"));
    if (cause_reason)
        sb_printf(out, " (caused by %s: %s)", cause_type ? cause_type : "error", cause_reason);
}

void search_response_describe(const search_response *r, strbuf *out)
{
    sb_printf(out, "HTTP %ld", r->status);
    json_t *error = json_object_get(r->json, "error");
    if (error) {
        sb_puts(out, ": ");
        describe_error_object(error, out);
    }
}

/* ---------------------------------------------------------------------- */
/* the bulk pipeline */

typedef enum { SLOT_FREE, SLOT_FILLING, SLOT_WAITING, SLOT_SENDING } slot_state;

/* One request buffer: NDJSON items (action line + document line), where
 * item i starts at starts[i]. A rejected item stays for the retry; the rest
 * are squeezed out, so a retry never costs a second buffer. */
typedef struct {
    slot_state state;
    strbuf body;
    size_t *starts;
    size_t nitems, cap;
    int retry;  /* retries spent on what the buffer holds */
    double due; /* WAITING: monotonic time it may go */
    int url;
    CURL *easy;
    strbuf response;
    char errbuf[CURL_ERROR_SIZE];
    char *target;
} bulk_slot;

struct search_bulk {
    search_client *c;
    char *path;
    size_t max_bytes;
    int concurrency;
    int nslots;
    bulk_slot *slots;
    bulk_slot *filling;
    CURLM *multi;
    long long indexed, retried;
    size_t queued_since_pump;
    int submitted; /* requests handed to the sender so far */
    bool failed;
    strbuf error;
};

search_bulk *search_bulk_new(search_client *c, const char *index, size_t max_bytes, int concurrency)
{
    search_bulk *b = xcalloc(1, sizeof *b);
    b->c = c;
    /* The engine answers one entry per item; only status and error are
     * read, and filtering drops the rest of each entry (a third of the
     * bytes to receive and parse). */
    b->path = xasprintf("/%s/_bulk?filter_path=errors,items.*.status,items.*.error", index);
    b->max_bytes = max_bytes;
    b->concurrency = concurrency > 0 ? concurrency : 1;
    b->nslots = b->concurrency + 1;
    b->slots = xcalloc((size_t)b->nslots, sizeof *b->slots);
    b->multi = curl_multi_init();
    sb_init(&b->error);
    return b;
}

void search_bulk_free(search_bulk *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->nslots; i++) {
        bulk_slot *s = &b->slots[i];
        if (s->easy) {
            if (s->state == SLOT_SENDING)
                curl_multi_remove_handle(b->multi, s->easy);
            curl_easy_cleanup(s->easy);
        }
        sb_free(&s->body);
        sb_free(&s->response);
        free(s->starts);
        free(s->target);
    }
    curl_multi_cleanup(b->multi);
    free(b->slots);
    free(b->path);
    sb_free(&b->error);
    free(b);
}

long long search_bulk_indexed(const search_bulk *b)
{
    return b->indexed;
}

long long search_bulk_retries(const search_bulk *b)
{
    return b->retried;
}

const char *search_bulk_error(const search_bulk *b)
{
    return b->error.data ? b->error.data : "";
}

static int bulk_fail(search_bulk *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bulk_fail(search_bulk *b, const char *fmt, ...)
{
    if (!b->failed) {
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&b->error, fmt, ap);
        va_end(ap);
        b->failed = true;
    }
    return -1;
}

static size_t item_end(const bulk_slot *s, size_t i)
{
    return i + 1 < s->nitems ? s->starts[i + 1] : s->body.len;
}

/* The _id of item I, read back from its action line (our own format:
 * {"index":{"_id":"ID"}}), for messages. */
static void item_id(const bulk_slot *s, size_t i, char *out, size_t outlen)
{
    const char *line = s->body.data + s->starts[i];
    const char *id = strstr(line, "\"_id\":\"");
    const char *end = id ? strchr(id + 7, '"') : NULL;
    snprintf(out, outlen, "%.*s", end ? (int)(end - id - 7) : 1, end ? id + 7 : "?");
}

static int sending_count(const search_bulk *b)
{
    int n = 0;
    for (int i = 0; i < b->nslots; i++)
        n += b->slots[i].state == SLOT_SENDING;
    return n;
}

static void slot_reset(bulk_slot *s)
{
    sb_reset(&s->body);
    s->nitems = 0;
    s->retry = 0;
    s->state = SLOT_FREE;
}

static int start_send(search_bulk *b, bulk_slot *s)
{
    search_client *c = b->c;
    if (!s->easy && !(s->easy = curl_easy_init()))
        return bulk_fail(b, "cannot initialise libcurl");
    s->url = c->current;
    free(s->target);
    s->target = xasprintf("%s%s", c->urls[s->url].base, b->path);
    sb_reset(&s->response);
    configure(c, s->easy, c->ndjson_headers, &s->response, s->errbuf);
    curl_easy_setopt(s->easy, CURLOPT_URL, s->target);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body.data);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body.len);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (void *)s);
    if (curl_multi_add_handle(b->multi, s->easy) != CURLM_OK)
        return bulk_fail(b, "cannot start a bulk request");
    s->state = SLOT_SENDING;
    return 0;
}

/* Schedules what S still holds for another try, or gives up. WHY says
 * what went wrong last. */
static int schedule_retry(search_bulk *b, bulk_slot *s, const char *why)
{
    if (s->retry >= b->c->opts.retries)
        return bulk_fail(b, "%zu documents still rejected after %d retries (last: %s)", s->nitems, s->retry, why);
    s->due = monotonic_seconds() + backoff_delay(b->c, s->retry);
    s->retry++;
    b->retried++;
    s->state = SLOT_WAITING;
    return 0;
}

/* The status of one response item {"index":{"status":..,"error":..}}. */
static long item_status(json_t *item, json_t **error)
{
    json_t *op = json_object_iter_value(json_object_iter(item));
    *error = json_object_get(op, "error");
    return (long)json_integer_value(json_object_get(op, "status"));
}

/* Stops the pipeline for good on item I, naming the document. */
static int fail_item(search_bulk *b, const bulk_slot *s, size_t i, long status, json_t *error)
{
    char id[64];
    item_id(s, i, id, sizeof id);
    strbuf reason;
    sb_init(&reason);
    describe_error_object(error, &reason);
    bulk_fail(b, "document %s rejected with status %ld: %s", id, status, reason.data ? reason.data : "");
    sb_free(&reason);
    return -1;
}

/* Walks the items of a 200 answer: counts the indexed ones, keeps the
 * retryable ones in the buffer (compacted in place), fails on the rest. */
static int handle_items(search_bulk *b, bulk_slot *s, json_t *items, strbuf *why)
{
    size_t kept = 0, write = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        json_t *error;
        long status = item_status(json_array_get(items, i), &error);
        size_t start = s->starts[i], len = item_end(s, i) - start;
        if (status >= 200 && status < 300) {
            b->indexed++;
            continue;
        }
        if (!retryable_status(status))
            return fail_item(b, s, i, status, error);
        if (!why->len) {
            sb_printf(why, "item status %ld: ", status);
            describe_error_object(error, why);
        }
        memmove(s->body.data + write, s->body.data + start, len);
        s->starts[kept++] = write;
        write += len;
    }
    s->body.len = write;
    if (s->body.data)
        s->body.data[write] = '\0';
    s->nitems = kept;
    return 0;
}

/* True for an answer that starts {"errors":false: every item was indexed.
 * The engine writes "errors" first (filter_path keeps the order), so the
 * usual answer is known without parsing a tree of one object per item. */
static bool all_indexed(const strbuf *response)
{
    static const char prefix[] = "{\"errors\":false";
    return response->len >= sizeof prefix - 1 && memcmp(response->data, prefix, sizeof prefix - 1) == 0;
}

static int handle_ok_response(search_bulk *b, bulk_slot *s)
{
    if (all_indexed(&s->response)) {
        b->indexed += (long long)s->nitems;
        slot_reset(s);
        return 0;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(s->response.data ? s->response.data : "", s->response.len, 0, &jerr);
    json_t *items = json_object_get(doc, "items");
    strbuf why;
    sb_init(&why);
    int rc;
    if (!json_is_array(items) || json_array_size(items) != s->nitems) {
        /* A cut-off or foreign answer: resending is safe (ids are fixed). */
        sb_printf(&why, "unreadable bulk response (%zu items expected)", s->nitems);
        rc = schedule_retry(b, s, why.data);
    } else {
        rc = handle_items(b, s, items, &why);
        if (rc == 0 && s->nitems > 0)
            rc = schedule_retry(b, s, why.data);
        else if (rc == 0)
            slot_reset(s);
    }
    sb_free(&why);
    json_decref(doc);
    return rc;
}

static int handle_done(search_bulk *b, bulk_slot *s, CURLcode cc)
{
    curl_multi_remove_handle(b->multi, s->easy);
    if (cc != CURLE_OK) {
        fail_over(b->c, s->url);
        char *why = xasprintf("%s: %s", b->c->urls[s->url].shown, s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc));
        int rc = schedule_retry(b, s, why);
        free(why);
        return rc;
    }
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200)
        return handle_ok_response(b, s);
    search_response r = {status, NULL, 1};
    parse_body(&s->response, &r);
    strbuf why;
    sb_init(&why);
    search_response_describe(&r, &why);
    int rc;
    if (retryable_status(status))
        rc = schedule_retry(b, s, why.data);
    else if (status == 413)
        rc = bulk_fail(b, "a bulk request of %zu bytes was refused as too large (HTTP 413); lower search.bulk_bytes",
                       s->body.len);
    else
        rc = bulk_fail(b, "bulk request refused: %s", why.data);
    sb_free(&why);
    search_response_free(&r);
    return rc;
}

/* Starts the waiting buffers whose time has come, oldest due first, while
 * fewer than `concurrency` are in flight. */
static int start_due(search_bulk *b)
{
    double now = monotonic_seconds();
    for (int busy = sending_count(b); busy < b->concurrency; busy++) {
        bulk_slot *next = NULL;
        for (int i = 0; i < b->nslots; i++) {
            bulk_slot *s = &b->slots[i];
            if (s->state == SLOT_WAITING && s->due <= now && (!next || s->due < next->due))
                next = s;
        }
        if (!next)
            break;
        if (start_send(b, next) != 0)
            return -1;
    }
    return 0;
}

static int pump_now(search_bulk *b)
{
    if (b->failed)
        return -1;
    b->queued_since_pump = 0;
    int running = 0;
    if (curl_multi_perform(b->multi, &running) != CURLM_OK)
        return bulk_fail(b, "the transfer engine failed");
    CURLMsg *msg;
    int left;
    while (!b->failed && (msg = curl_multi_info_read(b->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *slot = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        handle_done(b, (bulk_slot *)(void *)slot, msg->data.result);
    }
    if (!b->failed)
        start_due(b);
    return b->failed ? -1 : 0;
}

int search_bulk_pump(search_bulk *b)
{
    if (b->failed)
        return -1;
    return b->queued_since_pump < PUMP_EVERY_BYTES ? 0 : pump_now(b);
}

/* How long the event loop may sleep: until the next waiting request is
 * due, if one may start at all, and at most POLL_MAX_MS so that
 * cancellation is noticed. (A due request with every connection busy must
 * not make this 0: that would spin.) */
static int poll_timeout_ms(const search_bulk *b)
{
    double now = monotonic_seconds(), wait = POLL_MAX_MS / 1000.0;
    for (int i = 0; i < b->nslots && sending_count(b) < b->concurrency; i++)
        if (b->slots[i].state == SLOT_WAITING && b->slots[i].due - now < wait)
            wait = b->slots[i].due - now;
    return wait > 0 ? (int)(wait * 1000) + 1 : 0;
}

static bool has_free_slot(const search_bulk *b)
{
    for (int i = 0; i < b->nslots; i++)
        if (b->slots[i].state == SLOT_FREE)
            return true;
    return false;
}

static bool all_free(const search_bulk *b)
{
    for (int i = 0; i < b->nslots; i++)
        if (b->slots[i].state != SLOT_FREE)
            return false;
    return true;
}

/* Runs the event loop until DONE(b) holds or the pipeline fails. */
static int drive_until(search_bulk *b, bool (*done)(const search_bulk *))
{
    while (pump_now(b) == 0 && !done(b)) {
        if (cancelled(b->c))
            return bulk_fail(b, "cancelled");
        curl_multi_poll(b->multi, NULL, 0, poll_timeout_ms(b), NULL);
    }
    return b->failed ? -1 : 0;
}

/* Hands the buffer being filled to the sender. */
static int submit_filling(search_bulk *b)
{
    bulk_slot *s = b->filling;
    b->filling = NULL;
    if (!s || s->nitems == 0) {
        if (s)
            slot_reset(s);
        return 0;
    }
    s->state = SLOT_WAITING;
    s->due = 0;
    b->submitted++;
    return start_due(b);
}

static int take_free_slot(search_bulk *b)
{
    if (drive_until(b, has_free_slot) != 0)
        return -1;
    for (int i = 0; i < b->nslots; i++) {
        if (b->slots[i].state == SLOT_FREE) {
            b->filling = &b->slots[i];
            b->filling->state = SLOT_FILLING;
            return 0;
        }
    }
    return -1;
}

static void append_item(bulk_slot *s, const char *id, const char *doc, size_t len)
{
    if (s->nitems == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->starts = xrealloc(s->starts, s->cap * sizeof *s->starts);
    }
    s->starts[s->nitems++] = s->body.len;
    sb_puts(&s->body, "{\"index\":{\"_id\":\"");
    sb_puts(&s->body, id);
    sb_puts(&s->body, "\"}}\n");
    sb_append(&s->body, doc, len);
    sb_putc(&s->body, '\n');
}

/* The size the request being filled goes out at. The first ones are
 * smaller (1/8, 1/4, 1/2 of the limit, not under 64 KiB) so that the engine
 * starts indexing while a full first buffer would still be filling. */
static size_t fill_limit(const search_bulk *b)
{
    if (b->submitted >= RAMP_STEPS)
        return b->max_bytes;
    size_t limit = b->max_bytes >> (RAMP_STEPS - b->submitted);
    return limit < RAMP_MIN_BYTES ? (b->max_bytes < RAMP_MIN_BYTES ? b->max_bytes : RAMP_MIN_BYTES) : limit;
}

int search_bulk_add(search_bulk *b, const char *id, const char *doc, size_t len)
{
    if (b->failed)
        return -1;
    size_t item = len + strlen(id) + 24;
    if (b->filling && b->filling->nitems > 0 && b->filling->body.len + item > fill_limit(b) &&
        submit_filling(b) != 0)
        return -1;
    if (!b->filling && take_free_slot(b) != 0)
        return -1;
    if (b->filling->body.cap == 0)
        sb_reserve(&b->filling->body, b->max_bytes + 1);
    append_item(b->filling, id, doc, len);
    b->queued_since_pump += item;
    return 0;
}

int search_bulk_finish(search_bulk *b)
{
    if (b->failed || submit_filling(b) != 0)
        return -1;
    return drive_until(b, all_free);
}
