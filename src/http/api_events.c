/* api_events.c - GET /api/v1/events: the runs of this instance as a
 * Server-Sent Events stream (text/event-stream), for the console:
 *
 *   event: started | progress | finished | missed
 *   id: <sequence>
 *   data: {"runId":12,"job":"PersonOwnerRebuildJob","rowsDone":1000,"rowsExpected":400000,
 *          "status":null,"at":"2026-11-30T02:00:01.123Z"}
 *
 * "missed" ({"missed":N}) says a slow client lost N events (it can read the
 * history). A comment line every KEEPALIVE_S seconds keeps proxies from
 * closing a quiet stream and finds clients that left. At most
 * EVENTS_MAX_SUBSCRIBERS streams at once (503 beyond); each ends when the
 * service stops. Runs on other instances are in GET /api/v1/jobs. */
#include "history_query.h"
#include "http_request.h"
#include "run_events.h"

#include <stdio.h>
#include <string.h>

enum { EVENTS_MAX_SUBSCRIBERS = 32, KEEPALIVE_S = 10, WAIT_MS = 500 };

typedef struct {
    http_service *service;
    run_events_reader *reader;
    strbuf pending; /* formatted, not yet handed to libmicrohttpd */
    size_t sent;    /* bytes of pending already handed over */
    double last_write;
} event_stream;

static void format_event(strbuf *out, const run_event *e)
{
    char at[32];
    history_format_ms(e->at_ms, at);
    json_t *data = json_pack("{s:I, s:s, s:I, s:o, s:o, s:s}", "runId", (json_int_t)e->run_id, "job",
                             job_table[e->job].name, "rowsDone", (json_int_t)e->rows_done, "rowsExpected",
                             e->rows_expected > 0 ? json_integer(e->rows_expected) : json_null(), "status",
                             e->status[0] ? json_string(e->status) : json_null(), "at", at);
    char *text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(data);
    sb_printf(out, "event: %s\nid: %llu\ndata: %s\n\n", run_event_kind_name(e->kind), e->seq, text ? text : "{}");
    free(text);
}

/* Fills pending with what is next: an event, a missed notice, or after a
 * quiet while a keep-alive comment. False when the stream must end. */
static bool next_chunk(event_stream *s)
{
    while (!http_service_stopping(s->service)) {
        run_event e;
        unsigned long long missed = 0;
        int rc = run_events_next(s->reader, &e, WAIT_MS, &missed);
        if (rc == 2)
            sb_printf(&s->pending, "event: missed\ndata: {\"missed\":%llu}\n\n", missed);
        if (rc >= 1) {
            format_event(&s->pending, &e);
            return true;
        }
        if (monotonic_seconds() - s->last_write >= KEEPALIVE_S) {
            sb_puts(&s->pending, ": keep-alive\n\n");
            return true;
        }
    }
    return false;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    event_stream *s = cls;
    if (s->sent == s->pending.len) {
        sb_reset(&s->pending);
        s->sent = 0;
        if (!next_chunk(s))
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = s->pending.len - s->sent;
    if (n > max)
        n = max;
    memcpy(buf, s->pending.data + s->sent, n);
    s->sent += n;
    s->last_write = monotonic_seconds();
    return (ssize_t)n;
}

static void free_stream(void *cls)
{
    event_stream *s = cls;
    run_events_unfollow(s->reader);
    sb_free(&s->pending);
    free(s);
}

static enum MHD_Result get_events(http_request *req)
{
    run_events_reader *reader = run_events_follow(EVENTS_MAX_SUBSCRIBERS);
    if (!reader)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "Too many event streams are open");
    event_stream *s = xcalloc(1, sizeof *s);
    s->service = req->service;
    s->reader = reader;
    sb_init(&s->pending);
    sb_puts(&s->pending, "retry: 3000\n: tis-sync run events\n\n");
    s->last_write = monotonic_seconds();
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read_stream, s, free_stream);
    if (!r) {
        free_stream(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    return http_reply(req, MHD_HTTP_OK, r);
}

static const http_route routes[] = {
    {"GET", "/api/v1/events", ROLE_VIEWER, get_events, false, false},
};

const http_routes api_events_routes = {routes, sizeof routes / sizeof routes[0]};
