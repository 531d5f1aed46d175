/* search_client.h - the search engine seam: Elasticsearch 7/8 and
 * OpenSearch 1/2 over their typeless REST API, on libcurl.
 *
 * Two ways to talk:
 * - search_request(): one request, waited for, response parsed by jansson.
 *   Used for the few control calls of a rebuild (create, settings, refresh,
 *   count, _aliases, delete).
 * - search_bulk: a _bulk pipeline on the curl multi interface. The caller
 *   adds documents; full requests go out while it keeps producing, with up
 *   to `concurrency` in flight, and search_bulk_pump() moves transfers on
 *   without blocking, so reading the database, building documents and
 *   indexing overlap. Memory is bounded: concurrency + 1 request buffers.
 *
 * Failures: a connection error fails over to the next base URL; connection
 * errors, whole-request 429/5xx and bulk items answered 429/5xx are retried
 * with randomized exponential backoff up to `retries` times; any other item
 * error stops the pipeline with that item's reason. Passwords are given to
 * curl only and never appear in a message (URLs are shown without their
 * user info). */
#ifndef TIS_SEARCH_CLIENT_H
#define TIS_SEARCH_CLIENT_H

#include "util.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *urls;       /* comma-separated base URLs, tried in order */
    const char *user;       /* basic auth, or NULL */
    const char *password;
    const char *ca_file;    /* CA bundle for https, or NULL for the system's */
    long timeout_s;         /* one whole request */
    long connect_timeout_s;
    int retries;            /* of a rejected or failed request or bulk item */
    double backoff_base_s;  /* first retry waits 0.5..1 times this; doubles */
    atomic_int *cancel;     /* set: stop waiting and fail; may be NULL */
} search_options;

typedef struct search_client search_client;

/* Returns NULL with a message in *err when the options are unusable. */
search_client *search_client_new(const search_options *opts, strbuf *err);
void search_client_free(search_client *c);
/* The base URL requests go to now, without user info (for messages). */
const char *search_client_url(const search_client *c);

typedef struct {
    long status;    /* HTTP status */
    json_t *json;   /* the parsed body; NULL when empty or not JSON */
    int attempts;   /* requests sent, including retries */
} search_response;

/* Sends METHOD PATH (with a JSON BODY or NULL) and waits. Connection errors,
 * 429 and 5xx are retried (see above). Returns 0 when a response arrived,
 * whatever its status, and -1 with a message in *err when none did. */
int search_request(search_client *c, const char *method, const char *path, const char *body, search_response *out,
                   strbuf *err);
void search_response_free(search_response *r);
/* Appends "HTTP <status>: <type>: <reason>" for an error response. */
void search_response_describe(const search_response *r, strbuf *out);
/* The error type of an error response ("index_not_found_exception"), or "". */
const char *search_response_error_type(const search_response *r);

typedef struct search_bulk search_bulk;

/* A pipeline into INDEX: requests of at most MAX_BYTES (a single larger
 * document goes alone), CONCURRENCY in flight. */
search_bulk *search_bulk_new(search_client *c, const char *index, size_t max_bytes, int concurrency);
void search_bulk_free(search_bulk *b);
/* Queues one document (ID must be plain ASCII without quotes). May send a
 * full request, and blocks only while every buffer is in use. 0 or -1. */
int search_bulk_add(search_bulk *b, const char *id, const char *doc, size_t len);
/* Moves transfers on and handles finished ones without blocking; cheap
 * enough to call after every document (it acts once per 64 KiB queued).
 * 0 or -1. */
int search_bulk_pump(search_bulk *b);
/* Sends what is queued and waits until every document is indexed. 0 or -1. */
int search_bulk_finish(search_bulk *b);
/* Documents the engine has confirmed. */
long long search_bulk_indexed(const search_bulk *b);
/* Items and requests retried so far. */
long long search_bulk_retries(const search_bulk *b);
/* Why the pipeline stopped ("" while it has not). */
const char *search_bulk_error(const search_bulk *b);

#endif
