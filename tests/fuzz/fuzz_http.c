/* fuzz_http.c - libFuzzer target: any bytes as one HTTP request to the
 * real API (libmicrohttpd with our routes, authentication, query and body
 * parsing, handlers) on a loopback port, against an empty SQLite
 * database, authentication off. The scheduler is not running: a request
 * that starts a run only queues it. The service must answer or close, and
 * keep answering. */
#include "cli.h"
#include "config.h"
#include "http_api.h"
#include "scheduler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static unsigned port;    /* the API's, set once */
static char db_path[64]; /* its SQLite file, removed at exit */

static void remove_database(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        unlink(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char db[80];
    snprintf(db_path, sizeof db_path, "/tmp/fuzz-http-%d.db", (int)getpid());
    snprintf(db, sizeof db, "sqlite:%s", db_path);
    atexit(remove_database);
    setenv("TIS_SYNC_DB", db, 1);
    setenv("TIS_SYNC_HTTP_LISTEN", "127.0.0.1:0", 1);
    setenv("TIS_SYNC_HTTP_AUTH", "none", 1);
    setenv("LOG_LEVEL", "ERROR", 1);
    setenv("LOG_DIR", "/tmp", 1);
    config *cfg = config_new();
    strbuf err;
    sb_init(&err);
    if (config_load_env(cfg, &err) != 0 || config_finish(cfg, &err) != 0 || cli_migrate(cfg) != 0) {
        fprintf(stderr, "fuzz_http: %s\n", err.data ? err.data : "cannot prepare the database");
        exit(1);
    }
    scheduler_hooks hooks = {0};
    scheduler *sched = scheduler_new(cfg, 0, &hooks);
    http_api *api = http_api_start(cfg, sched, &err);
    if (!api) {
        fprintf(stderr, "fuzz_http: %s\n", err.data);
        exit(1);
    }
    port = http_api_port(api);
    sb_free(&err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval limit = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0)
        abort(); /* the service stopped listening */
    for (size_t sent = 0; sent < size;) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* it may close early on a bad request */
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char answer[4096];
    while (recv(fd, answer, sizeof answer, 0) > 0) {
    }
    close(fd);
    return 0;
}
