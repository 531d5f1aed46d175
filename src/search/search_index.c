/* search_index.c - the rebuild-behind-an-alias sequence (see
 * search_index.h). */
#include "search_index.h"
#include "json_writer.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ALIAS_MAX = 200, STAMP_DIGITS = 17 };

bool search_alias_valid(const char *alias)
{
    size_t n = alias ? strlen(alias) : 0;
    if (n == 0 || n > ALIAS_MAX || alias[0] == '-' || alias[0] == '_' || alias[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)alias[i];
        if (!(islower(c) || isdigit(c) || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* ALIAS-yyyyMMddHHmmssSSS in UTC: sorts by age, and tells our indices
 * apart from anything else in the cluster. */
static char *new_index_name(const char *alias)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    return xasprintf("%s-%04d%02d%02d%02d%02d%02d%03ld", alias, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
}

/* True for NAME = ALIAS-<17 digits>, an index some rebuild created. */
static bool is_rebuild_index(const char *alias, const char *name)
{
    size_t n = strlen(alias);
    if (strncmp(name, alias, n) != 0 || name[n] != '-' || strlen(name + n + 1) != STAMP_DIGITS)
        return false;
    for (const char *p = name + n + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void describe_failure(strbuf *err, const char *what, const search_response *resp)
{
    sb_printf(err, "%s: ", what);
    search_response_describe(resp, err);
}

/* Reads where the alias points: the concrete indices in *names, and
 * *legacy when the alias name itself is a concrete index. */
static int read_alias(search_rebuild *r, char ***names, size_t *n, bool *legacy, strbuf *err)
{
    *names = NULL;
    *n = 0;
    *legacy = false;
    char *path = xasprintf("/%s/_alias", r->alias);
    search_response resp;
    int rc = search_request(r->client, "GET", path, NULL, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    if (resp.status == 200 && json_is_object(resp.json)) {
        *names = xcalloc(json_object_size(resp.json) + 1, sizeof **names);
        const char *key;
        json_t *value;
        json_object_foreach(resp.json, key, value) {
            if (strcmp(key, r->alias) == 0)
                *legacy = true;
            else
                (*names)[(*n)++] = xstrdup(key);
        }
    } else if (resp.status != 404) {
        describe_failure(err, r->alias, &resp);
        rc = -1;
    }
    search_response_free(&resp);
    return rc;
}

int search_rebuild_begin(search_rebuild *r, search_client *c, const char *alias, strbuf *err)
{
    memset(r, 0, sizeof *r);
    r->client = c;
    if (!search_alias_valid(alias)) {
        sb_printf(err, "search.alias '%s' is not a usable index name (lower-case letters, digits, '-', '_', '.')",
                  alias ? alias : "");
        return -1;
    }
    r->alias = xstrdup(alias);
    r->index = new_index_name(alias);
    return read_alias(r, &r->old, &r->nold, &r->legacy, err);
}

/* Sends a request whose only good answer is 200. */
static int expect_ok(search_rebuild *r, const char *method, const char *path, const char *body, const char *what,
                     search_response *resp, strbuf *err)
{
    if (search_request(r->client, method, path, body, resp, err) != 0)
        return -1;
    if (resp->status == 200)
        return 0;
    describe_failure(err, what, resp);
    search_response_free(resp);
    return -1;
}

/* 1 created, 0 the name was taken already (another instance building the
 * same alias in the same millisecond), -1 error. */
static int create_index(search_rebuild *r, const char *body, strbuf *err)
{
    char *path = xasprintf("/%s", r->index);
    search_response resp;
    /* Marked before the request: a timed-out create may still happen. */
    r->created = true;
    int rc = search_request(r->client, "PUT", path, body, &resp, err) == 0 ? 1 : -1;
    if (rc == 1 && resp.status != 200) {
        bool exists = strcmp(search_response_error_type(&resp), "resource_already_exists_exception") == 0;
        if (exists && resp.attempts > 1) {
            /* a retry after a lost answer finds the index its first try made */
        } else if (exists) {
            r->created = false; /* not ours: never delete it */
            rc = 0;
        } else {
            describe_failure(err, r->index, &resp);
            rc = -1;
        }
    }
    search_response_free(&resp);
    free(path);
    return rc;
}

int search_rebuild_create(search_rebuild *r, const char *mappings, strbuf *err)
{
    /* One shard: a few hundred thousand small documents are far below the
     * size where more shards pay. No replicas and no refresh while loading;
     * search_rebuild_complete() restores both. */
    char *body = xasprintf("{\"settings\":{\"index\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                           "\"refresh_interval\":\"-1\"}},\"mappings\":%s}",
                           mappings);
    int rc = 0;
    for (int tries = 0; rc == 0 && tries < 5; tries++) {
        if (tries > 0) { /* another name: a millisecond later */
            struct timespec ms = {0, 1000000L};
            nanosleep(&ms, NULL);
            free(r->index);
            r->index = new_index_name(r->alias);
        }
        rc = create_index(r, body, err);
    }
    if (rc == 0)
        sb_printf(err, "%s: every new index name was taken", r->alias);
    free(body);
    return rc == 1 ? 0 : -1;
}

static int count_documents(search_rebuild *r, long long *count, strbuf *err)
{
    char *path = xasprintf("/%s/_count", r->index);
    search_response resp;
    int rc = expect_ok(r, "GET", path, NULL, r->index, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    json_t *n = json_object_get(resp.json, "count");
    if (!json_is_integer(n)) {
        sb_printf(err, "%s: the _count answer has no count", r->index);
        rc = -1;
    } else {
        *count = (long long)json_integer_value(n);
    }
    search_response_free(&resp);
    return rc;
}

int search_rebuild_live_count(search_rebuild *r, long long *count, strbuf *err)
{
    *count = -1;
    if (r->nold == 0 && !r->legacy)
        return 0;
    char *path = xasprintf("/%s/_count", r->alias);
    search_response resp;
    int rc = expect_ok(r, "GET", path, NULL, r->alias, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    json_t *n = json_object_get(resp.json, "count");
    if (json_is_integer(n))
        *count = (long long)json_integer_value(n);
    else {
        sb_printf(err, "%s: the _count answer has no count", r->alias);
        rc = -1;
    }
    search_response_free(&resp);
    return rc;
}

int search_rebuild_complete(search_rebuild *r, long long documents, strbuf *err)
{
    /* auto_expand_replicas 0-all: a copy on every data node the cluster
     * has (none on a single node, whose replica would stay unassigned and
     * the index yellow), so that losing nodes loses no search. */
    static const char settings[] = "{\"index\":{\"refresh_interval\":\"1s\",\"auto_expand_replicas\":\"0-all\"}}";
    search_response resp;
    char *path = xasprintf("/%s/_settings", r->index);
    int rc = expect_ok(r, "PUT", path, settings, r->index, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    search_response_free(&resp);
    path = xasprintf("/%s/_refresh", r->index);
    rc = expect_ok(r, "POST", path, NULL, r->index, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    search_response_free(&resp);
    long long count = -1;
    if (count_documents(r, &count, err) != 0)
        return -1;
    if (count != documents) {
        sb_printf(err, "the index holds %lld documents, the job produced %lld", count, documents);
        return -1;
    }
    return 0;
}

static void alias_action(json_writer *w, const char *action, const char *index, const char *alias, bool must_exist)
{
    jw_object_begin(w);
    jw_key(w, action);
    jw_object_begin(w);
    jw_field_string(w, "index", index);
    if (alias)
        jw_field_string(w, "alias", alias);
    if (must_exist) {
        jw_key(w, "must_exist");
        jw_raw(w, "true", 4);
    }
    jw_object_end(w);
    jw_object_end(w);
}

/* The switch as one atomic _aliases request. With CONDITIONAL, removing
 * the alias from each index it pointed to at the start must find it there
 * (must_exist): of two instances racing to switch from the same index, the
 * second one's whole request fails instead of leaving the alias on both
 * new indices. */
static char *alias_actions(const search_rebuild *r, bool conditional)
{
    strbuf body;
    sb_init(&body);
    json_writer w;
    jw_init(&w, &body);
    jw_object_begin(&w);
    jw_key(&w, "actions");
    jw_array_begin(&w);
    alias_action(&w, "add", r->index, r->alias, false);
    for (size_t i = 0; i < r->nold; i++)
        alias_action(&w, "remove", r->old[i], r->alias, conditional);
    if (r->legacy)
        alias_action(&w, "remove_index", r->alias, NULL, false);
    jw_array_end(&w);
    jw_object_end(&w);
    return sb_steal(&body);
}

/* After an unclear answer to _aliases: did the switch happen? 1 yes, 0 no,
 * -1 cannot tell. */
static int alias_points_to_new(search_rebuild *r)
{
    char **names;
    size_t n;
    bool legacy;
    strbuf ignored;
    sb_init(&ignored);
    int rc = read_alias(r, &names, &n, &legacy, &ignored);
    sb_free(&ignored);
    if (rc != 0)
        return -1;
    bool switched = !legacy && n == 1 && strcmp(names[0], r->index) == 0;
    free_names(names, n);
    return switched ? 1 : 0;
}

/* Engines older than OpenSearch 2.12 and Elasticsearch 7.11 refuse the
 * must_exist field ("unknown field [must_exist]"). */
static bool must_exist_refused(const search_response *resp)
{
    if (resp->status != 400)
        return false;
    char *text = json_dumps(resp->json, JSON_COMPACT);
    bool refused = text && strstr(text, "must_exist") != NULL;
    free(text);
    return refused;
}

static int post_aliases(search_rebuild *r, search_response *resp, strbuf *err)
{
    char *body = alias_actions(r, r->nold > 0);
    int rc = search_request(r->client, "POST", "/_aliases", body, resp, err);
    free(body);
    if (rc == 0 && must_exist_refused(resp)) {
        log_warn("search: this engine does not know must_exist: the alias %s is switched without the check that "
                 "no other instance switched it first",
                 r->alias);
        search_response_free(resp);
        body = alias_actions(r, false);
        rc = search_request(r->client, "POST", "/_aliases", body, resp, err);
        free(body);
    }
    return rc;
}

int search_rebuild_switch(search_rebuild *r, strbuf *err)
{
    search_response resp;
    int rc = post_aliases(r, &resp, err);
    if (rc == 0 && resp.status == 200 && json_is_true(json_object_get(resp.json, "acknowledged"))) {
        r->switched = true;
    } else {
        /* A retried request whose first try went through answers 404 (the
         * old alias is gone), and an unacknowledged one may still apply:
         * look before calling it a failure. */
        if (rc == 0)
            describe_failure(err, "_aliases", &resp);
        int state = alias_points_to_new(r);
        r->switched = state == 1;
        r->switch_unknown = state < 0;
        if (r->switched)
            sb_reset(err);
    }
    search_response_free(&resp);
    return r->switched ? 0 : -1;
}

/* Deletes INDEX; 404 counts as done. */
static int delete_index(search_rebuild *r, const char *index, strbuf *err)
{
    char *path = xasprintf("/%s", index);
    search_response resp;
    int rc = search_request(r->client, "DELETE", path, NULL, &resp, err);
    free(path);
    if (rc != 0)
        return -1;
    if (resp.status != 200 && resp.status != 404) {
        describe_failure(err, index, &resp);
        rc = -1;
    }
    search_response_free(&resp);
    return rc;
}

static int compare_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Our older indices that no alias points at, newest first. */
static int list_old_indices(search_rebuild *r, char ***names, size_t *n, strbuf *err)
{
    char *path = xasprintf("/%s-*/_alias", r->alias);
    search_response resp;
    int rc = expect_ok(r, "GET", path, NULL, "listing old indices", &resp, err);
    free(path);
    *names = NULL;
    *n = 0;
    if (rc != 0)
        return -1;
    *names = xcalloc(json_object_size(resp.json) + 1, sizeof **names);
    const char *key;
    json_t *value;
    json_object_foreach(resp.json, key, value) {
        json_t *aliases = json_object_get(value, "aliases");
        if (is_rebuild_index(r->alias, key) && strcmp(key, r->index) != 0 && json_object_size(aliases) == 0)
            (*names)[(*n)++] = xstrdup(key);
    }
    search_response_free(&resp);
    qsort(*names, *n, sizeof **names, compare_desc);
    return 0;
}

/* The newest index the alias pointed at before, if it was one of ours. */
static const char *previous_index(const search_rebuild *r)
{
    const char *newest = NULL;
    for (size_t i = 0; i < r->nold; i++)
        if (is_rebuild_index(r->alias, r->old[i]) && (!newest || strcmp(r->old[i], newest) > 0))
            newest = r->old[i];
    return newest;
}

int search_rebuild_prune(search_rebuild *r, int keep, strbuf *report)
{
    char **names;
    size_t n;
    if (list_old_indices(r, &names, &n, report) != 0)
        return 1;
    /* Kept: the newest KEEP of those that served searches (the previous
     * index and older). Newer ones were left by an interrupted rebuild and
     * never served: they go. */
    const char *previous = previous_index(r);
    int failed = 0, kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool served = previous && strcmp(names[i], previous) <= 0;
        if (served && kept < keep) {
            kept++;
            continue;
        }
        if (delete_index(r, names[i], report) != 0) {
            sb_puts(report, "; ");
            failed++;
        } else {
            log_info("search: deleted old index %s", names[i]);
        }
    }
    free_names(names, n);
    return failed;
}

void search_rebuild_abandon(search_rebuild *r, strbuf *err)
{
    if (!r->created || r->switched)
        return;
    if (r->switch_unknown) {
        /* Deleting an index deletes its aliases: never risk the live one. */
        sb_printf(err, "; the new index %s was left in place (the alias could not be read back)", r->index);
        return;
    }
    strbuf why;
    sb_init(&why);
    if (delete_index(r, r->index, &why) != 0)
        sb_printf(err, "; the unfinished index %s could not be deleted: %s", r->index, why.data ? why.data : "");
    else
        log_info("search: deleted the unfinished index %s", r->index);
    sb_free(&why);
}

void search_rebuild_free(search_rebuild *r)
{
    free(r->alias);
    free(r->index);
    free_names(r->old, r->nold);
    memset(r, 0, sizeof *r);
}
