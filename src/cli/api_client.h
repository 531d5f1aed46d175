/* api_client.h - the client side of API v1, for `tis-sync ctl` (libcurl):
 * one bearer token, one base URL, JSON in and out. */
#ifndef TIS_API_CLIENT_H
#define TIS_API_CLIENT_H

#include "util.h"

#include <jansson.h>

typedef struct api_client api_client;

/* BASE_URL: http(s)://HOST:PORT; TOKEN may be NULL (http.auth = none);
 * CA_FILE: the CA bundle for https, or NULL for the system's. */
api_client *api_client_new(const char *base_url, const char *token, const char *ca_file);
void api_client_free(api_client *c);

/* Sends METHOD PATH with BODY (JSON text, or NULL). Returns the HTTP
 * status with the answer in *out, or -1 with *err set when there is no
 * answer. Answers past 16 MiB are cut. */
long api_call(api_client *c, const char *method, const char *path, const char *body, strbuf *out, strbuf *err);
/* The same for JSON: returns the parsed answer (NULL when it is not JSON:
 * *err says why) and its status in *status. BODY is not stolen. */
json_t *api_call_json(api_client *c, const char *method, const char *path, json_t *body, long *status,
                      strbuf *err);

/* TEXT percent-encoded for a URL's path or query (caller frees). */
char *api_escape(const char *text);

#endif
