/* api_client.c - API v1 over libcurl (see api_client.h). */
#include "api_client.h"

#include <curl/curl.h>
#include <string.h>

enum { ANSWER_MAX = 16 * 1024 * 1024, TIMEOUT_S = 30 };

struct api_client {
    CURL *curl;
    char *base_url;
    char *auth_header; /* "Authorization: Bearer ..." or NULL */
    char *ca_file;
};

api_client *api_client_new(const char *base_url, const char *token, const char *ca_file)
{
    api_client *c = xcalloc(1, sizeof *c);
    c->curl = curl_easy_init();
    c->base_url = xstrdup(base_url);
    size_t n = strlen(c->base_url);
    if (n && c->base_url[n - 1] == '/')
        c->base_url[n - 1] = '\0';
    c->auth_header = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
    c->ca_file = ca_file ? xstrdup(ca_file) : NULL;
    return c;
}

void api_client_free(api_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c->base_url);
    if (c->auth_header) /* it holds a secret: clear it before freeing */
        memset(c->auth_header, 0, strlen(c->auth_header));
    free(c->auth_header);
    free(c->ca_file);
    free(c);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    strbuf *out = arg;
    size_t n = size * nmemb;
    if (out->len + n <= ANSWER_MAX)
        sb_append(out, data, n);
    return n;
}

long api_call(api_client *c, const char *method, const char *path, const char *body, strbuf *out, strbuf *err)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    char *url = xasprintf("%s%s", c->base_url, path);
    struct curl_slist *headers = NULL;
    if (c->auth_header)
        headers = curl_slist_append(headers, c->auth_header);
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    sb_reset(out);
    CURLcode rc = curl_easy_perform(h);
    long status = -1;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        sb_printf(err, "%s %s: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    free(url);
    return status;
}

json_t *api_call_json(api_client *c, const char *method, const char *path, json_t *body, long *status,
                      strbuf *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    strbuf out;
    sb_init(&out);
    *status = api_call(c, method, path, text, &out, err);
    free(text);
    json_t *doc = NULL;
    if (*status >= 0) {
        json_error_t jerr;
        doc = json_loadb(out.data ? out.data : "", out.len, 0, &jerr);
        if (!doc)
            sb_printf(err, "%s %s: HTTP %ld with an answer that is not JSON", method, path, *status);
    }
    sb_free(&out);
    return doc;
}

char *api_escape(const char *text)
{
    char *escaped = curl_easy_escape(NULL, text, 0);
    char *copy = xstrdup(escaped ? escaped : "");
    curl_free(escaped);
    return copy;
}
