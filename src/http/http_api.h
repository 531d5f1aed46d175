/* http_api.h - the HTTP server of `serve` (libmicrohttpd): the legacy
 * endpoints (legacy_api.c), API v1 (api_v1.c, api_events.c), the metrics
 * (metrics.c), and two open probes:
 *
 *   GET /health   200 {"status":"ok","running":[...]}, 503 while stopping (liveness)
 *   GET /readyz   200 {"status":"ready"} when the database answers and the service is not stopping
 *
 * Everything else needs `Authorization: Bearer <token>` (http.auth =
 * token, the default): 401 without a known token, 403 when a viewer asks
 * for a change, 429 when an address keeps failing. Optional TLS
 * (http.tls_cert, http.tls_key). Each connection has a thread; there are at
 * most http.max_connections, and http.max_connections_per_address from
 * one address; a client has 10 seconds to send a request (headers and
 * body), and is dropped after 15 seconds of silence. Bodies are refused
 * past 64 KiB, before they are read when Content-Length says so. */
#ifndef TIS_HTTP_API_H
#define TIS_HTTP_API_H

#include "scheduler.h"

typedef struct http_api http_api;

/* Listens on http.listen of CFG: "HOST:PORT" or "[IPV6]:PORT" (port 0
 * picks a free one). CFG must outlive the server. Returns NULL and a
 * message in *err on failure. */
http_api *http_api_start(const config *cfg, scheduler *sched, strbuf *err);
/* The port actually bound. */
unsigned http_api_port(const http_api *api);
void http_api_stop(http_api *api);

#endif
