/* notify.c - Slack notifications (see notify.h).
 *
 * Global: `notifier`, the one sender thread and its queue; a process sends
 * to one Slack destination, configured at start-up. */
#include "notify.h"
#include "json_writer.h"
#include "log.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

enum { QUEUE_MAX = 64, SEND_ATTEMPTS = 4 };

static struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_t thread;
    bool running, stopping;
    char *queue[QUEUE_MAX];
    size_t head, count;
    char *url, *token, *channel; /* token set: chat.postMessage; else webhook */
    double deadline;             /* while stopping: give up after this */
} notifier = {.mutex = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static size_t collect(char *data, size_t size, size_t n, void *out)
{
    sb_append(out, data, size * n);
    return size * n;
}

/* Web API answers 200 {"ok":false,"error":...} on failure. */
static bool api_accepted(const strbuf *body, char *why, size_t whylen)
{
    json_error_t jerr;
    json_t *doc = json_loadb(body->data ? body->data : "", body->len, 0, &jerr);
    bool ok = doc && json_is_true(json_object_get(doc, "ok"));
    if (!ok)
        snprintf(why, whylen, "Slack answered %s",
                 doc && json_string_value(json_object_get(doc, "error")) ? json_string_value(json_object_get(doc, "error"))
                                                                        : "something that is not {\"ok\":true}");
    json_decref(doc);
    return ok;
}

/* The request body; json_writer repairs invalid UTF-8, which a database
 * error text may carry and which jansson would refuse (losing the alert). */
static char *payload_for(const char *text)
{
    strbuf out;
    json_writer w;
    sb_init(&out);
    jw_init(&w, &out);
    jw_object_begin(&w);
    if (notifier.token)
        jw_field_string(&w, "channel", notifier.channel ? notifier.channel : "");
    jw_field_string(&w, "text", text);
    jw_object_end(&w);
    return sb_steal(&out);
}

static bool post_once(const char *text, char *why, size_t whylen)
{
    char *payload = payload_for(text);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    char *auth = notifier.token ? xasprintf("Authorization: Bearer %s", notifier.token) : NULL;
    if (auth)
        headers = curl_slist_append(headers, auth);
    strbuf body;
    sb_init(&body);
    curl_easy_setopt(curl, CURLOPT_URL, notifier.url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    bool ok = false;
    if (rc != CURLE_OK)
        snprintf(why, whylen, "%s", curl_easy_strerror(rc));
    else if (status != 200)
        snprintf(why, whylen, "HTTP status %ld", status);
    else
        ok = !notifier.token || api_accepted(&body, why, whylen);
    sb_free(&body);
    free(auth);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(payload);
    return ok;
}

static void deliver(const char *text)
{
    char why[256] = "";
    for (int attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
        if (post_once(text, why, sizeof why))
            return;
        if (notifier.stopping && monotonic_seconds() >= notifier.deadline)
            break;
        struct timespec pause = {attempt, 0};
        nanosleep(&pause, NULL);
    }
    log_warn("Slack notification not sent (%s): %s", why, text);
}

static void *sender_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&notifier.mutex);
    for (;;) {
        while (notifier.count == 0 && !notifier.stopping)
            pthread_cond_wait(&notifier.cond, &notifier.mutex);
        if (notifier.count == 0 || (notifier.stopping && monotonic_seconds() >= notifier.deadline))
            break;
        char *text = notifier.queue[notifier.head];
        notifier.head = (notifier.head + 1) % QUEUE_MAX;
        notifier.count--;
        pthread_mutex_unlock(&notifier.mutex);
        deliver(text);
        free(text);
        pthread_mutex_lock(&notifier.mutex);
    }
    pthread_mutex_unlock(&notifier.mutex);
    return NULL;
}

void notify_start(const config *cfg)
{
    const char *token = cfg_str(cfg, CFG_SLACK_TOKEN), *webhook = cfg_str(cfg, CFG_SLACK_WEBHOOK);
    pthread_mutex_lock(&notifier.mutex);
    if (!notifier.running && (token || webhook)) {
        if (token) {
            notifier.url = xasprintf("%s/chat.postMessage", cfg_str(cfg, CFG_SLACK_API_URL));
            notifier.token = xstrdup(token);
            const char *channel = cfg_str(cfg, CFG_SLACK_CHANNEL);
            notifier.channel = channel ? xstrdup(channel) : NULL;
        } else {
            notifier.url = xstrdup(webhook);
        }
        notifier.stopping = false;
        notifier.running = pthread_create(&notifier.thread, NULL, sender_main, NULL) == 0;
    }
    pthread_mutex_unlock(&notifier.mutex);
}

char *notify_escape(const char *text)
{
    strbuf out;
    sb_init(&out);
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '&')
            sb_puts(&out, "&amp;");
        else if (*p == '<')
            sb_puts(&out, "&lt;");
        else if (*p == '>')
            sb_puts(&out, "&gt;");
        else
            sb_putc(&out, *p);
    }
    return sb_steal(&out);
}

void notify_send(const char *text)
{
    pthread_mutex_lock(&notifier.mutex);
    if (notifier.running && !notifier.stopping) {
        if (notifier.count == QUEUE_MAX) {
            log_warn("Slack notification dropped (queue full): %s", notifier.queue[notifier.head]);
            free(notifier.queue[notifier.head]);
            notifier.head = (notifier.head + 1) % QUEUE_MAX;
            notifier.count--;
        }
        notifier.queue[(notifier.head + notifier.count) % QUEUE_MAX] = xstrdup(text);
        notifier.count++;
        pthread_cond_signal(&notifier.cond);
    }
    pthread_mutex_unlock(&notifier.mutex);
}

void notify_stop(unsigned wait_s)
{
    pthread_mutex_lock(&notifier.mutex);
    bool running = notifier.running;
    notifier.stopping = true;
    notifier.deadline = monotonic_seconds() + wait_s;
    pthread_cond_signal(&notifier.cond);
    pthread_mutex_unlock(&notifier.mutex);
    if (running)
        pthread_join(notifier.thread, NULL);
    for (; notifier.count > 0; notifier.count--) {
        if (notifier.running)
            log_warn("Slack notification not sent (shutting down): %s", notifier.queue[notifier.head]);
        free(notifier.queue[notifier.head]);
        notifier.head = (notifier.head + 1) % QUEUE_MAX;
    }
    notifier.running = false;
    free(notifier.url);
    free(notifier.token);
    free(notifier.channel);
    notifier.url = notifier.token = notifier.channel = NULL;
}
