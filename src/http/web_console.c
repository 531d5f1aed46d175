/* web_console.c - serves the web console: web/index.html at / and the
 * other files of web/ under /console/ (compiled in, embedded.h). They are
 * open to anyone: the page signs in itself (api_session.c), and everything
 * it shows comes from the API. */
#include "embedded.h"
#include "http_request.h"

#include <string.h>

static const char *content_type(const char *name)
{
    static const struct {
        const char *suffix, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".svg", "image/svg+xml"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t k = strlen(types[i].suffix);
        if (n > k && strcmp(name + n - k, types[i].suffix) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

static enum MHD_Result serve_file(http_request *req, const char *name)
{
    const char *text = embedded_find(web_files, web_files_count, name); /* a lookup: no path is opened */
    if (!text)
        return http_reply_error(req, MHD_HTTP_NOT_FOUND, "Not found");
    return http_reply_text(req, MHD_HTTP_OK, content_type(name), text, strlen(text));
}

static enum MHD_Result get_index(http_request *req)
{
    return serve_file(req, "index.html");
}

static enum MHD_Result get_file(http_request *req)
{
    return serve_file(req, req->params[0]);
}

static const http_route routes[] = {
    {"GET", "/", ROLE_NONE, get_index, false, false},
    {"GET", "/console/{}", ROLE_NONE, get_file, false, false},
};

const http_routes console_routes = {routes, sizeof routes / sizeof routes[0]};
