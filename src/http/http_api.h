/* http_api.h - the HTTP API of `serve` (libmicrohttpd), with the legacy
 * endpoints of SPEC 4 and SPEC-2026 under /sync/api (each also with one
 * trailing slash, as the legacy service matched them):
 *
 *   GET  /sync/api/jobs/status    {"personOwnerRebuildJob":false, ...}: every available job (the reval
 *                                 jobs only with a broker), true while it runs here
 *   PUT  /sync/api/job/{name}     [?withDependents=true] 200 {"status":"Just started"} or
 *                                 {"status":"Already running"}; unknown or unavailable job: 400
 *                                 {"error":"Job not found"}. personRecordStatusJob reads
 *                                 {"dateOverride":"..."} (400 {"error":"The date is not correct: X"}, or
 *                                 {"error":"Unable to extract the dateOverride property"})
 *   PUT  /sync/api/jobs           runs the chain; 200 with no body
 *   GET  /sync/api/sys/profile    the legacy active profile (service.profile), as text
 *   GET  /sync/api/jobs/progress  rows done / expected of each job running here
 *   GET  /health                  200 {"status":"ok",...}, 503 while stopping
 *
 * It has no authentication: it listens on loopback unless configured
 * otherwise (http.listen), and a deployment that opens it must put it
 * behind its own access control. Requests are bounded (headers by the
 * connection memory limit, bodies to 64 KiB). */
#ifndef TIS_HTTP_API_H
#define TIS_HTTP_API_H

#include "scheduler.h"

typedef struct http_api http_api;

/* Listens on LISTEN: "HOST:PORT" or "[IPV6]:PORT" (port 0 picks a free
 * one). Returns NULL and a message in *err on failure. */
http_api *http_api_start(const char *listen, scheduler *sched, strbuf *err);
/* The port actually bound. */
unsigned http_api_port(const http_api *api);
void http_api_stop(http_api *api);

#endif
