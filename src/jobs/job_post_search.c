/* job_post_search.c - PostElasticSearchSyncJob (SPEC-2026 2.3): the posts
 * search index, one document per Post (_id = the post id), rebuilt behind
 * its alias like the persons index (index_job.c).
 *
 * Eight ordered streams by post id, each on its own connection, merged in
 * C one post at a time: the posts; their APPROVED grades, PRIMARY sites and
 * PRIMARY specialties (the lowest row id wins where TCS has two); the
 * trainees of their current placements; their programmes, the fundings
 * counting today and their trusts. Lists are distinct and sorted by bytes
 * (not a collation), never truncated, and a name holding ';' stays one
 * entry. A NULL scalar is left out of the document; an empty list is []. */
#include "index_job.h"
#include "json_writer.h"
#include "lists.h"
#include "log.h"
#include "row_stream.h"

#include <stdio.h>
#include <string.h>

enum { STATUS_WARNINGS_LOGGED = 10 };

/* The mapping of SPEC-2026 2.3. The joined trainee names are keywords of
 * any length in the document; past 8191 characters (32 KiB of UTF-8, the
 * engine's limit for one term) they are kept but not indexed. */
static const char mappings[] =
    "{\"dynamic\":\"strict\",\"properties\":{"
    "\"id\":{\"type\":\"long\"},"
    "\"nationalPostNumber\":" MAPPING_KEYWORD ","
    "\"owner\":" MAPPING_KEYWORD ","
    "\"status\":" MAPPING_KEYWORD ","
    "\"approvedGradeId\":{\"type\":\"long\"},"
    "\"primarySiteId\":{\"type\":\"long\"},"
    "\"primarySpecialtyId\":{\"type\":\"long\"},"
    "\"primarySpecialtyCode\":" MAPPING_KEYWORD ","
    "\"primarySpecialtyName\":{\"type\":\"text\",\"fields\":{\"keyword\":" MAPPING_KEYWORD "}},"
    "\"currentTraineeSurnames\":{\"type\":\"keyword\",\"ignore_above\":8191},"
    "\"currentTraineeForenames\":{\"type\":\"keyword\",\"ignore_above\":8191},"
    "\"programmeNames\":" MAPPING_KEYWORD ","
    "\"fundingTypes\":" MAPPING_KEYWORD ","
    "\"trustIds\":{\"type\":\"long\"},"
    "\"programmeIds\":{\"type\":\"long\"}"
    "}}";

/* Columns of post_search_posts.sql. */
enum { P_ID, P_NUMBER, P_OWNER, P_STATUS };

typedef struct {
    job_ctx *ctx;
    row_stream posts, grades, sites, specialties, trainees, programmes, fundings, trusts;
    strbuf doc, surnames, forenames;
    str_list names, types;
    id_list programme_ids, trust_ids;
    long long unknown_status;
} builder;

/* ---------------------------------------------------------------------- */
/* fields */

static void opt_text(json_writer *w, const char *key, const char *value)
{
    if (value)
        jw_field_string(w, key, value);
}

static void opt_column_text(json_writer *w, const char *key, const db_rows *rows, int col)
{
    opt_text(w, key, db_col_text(rows, col));
}

static void opt_column_int(json_writer *w, const char *key, const db_rows *rows, int col)
{
    if (!db_col_is_null(rows, col))
        jw_field_int(w, key, db_col_int(rows, col));
}

/* Post.fundingStatus: CURRENT, INACTIVE, DELETE; empty or NULL: absent; an
 * unknown value: absent and a warning (the legacy job failed on those). */
static void write_status(builder *b, json_writer *w, long long post, const char *status)
{
    static const char *const known[] = {"CURRENT", "INACTIVE", "DELETE"};
    if (!status || !*status)
        return;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(status, known[i]) == 0) {
            jw_field_string(w, "status", known[i]);
            return;
        }
    b->ctx->warnings++;
    if (b->unknown_status++ < STATUS_WARNINGS_LOGGED)
        log_warn("search: post %lld has the unknown funding status '%s'; indexed without a status", post, status);
}

/* The first row of POST in S (the lowest row id: the streams are ordered by
 * post, then id), written by WRITE; the post's other rows are skipped. */
static void write_first(row_stream *s, long long post, json_writer *w,
                        void (*write)(json_writer *w, const db_rows *rows))
{
    if (!row_stream_seek(s, post))
        return;
    write(w, s->rows);
    row_stream_skip(s, post);
}

static void write_grade(json_writer *w, const db_rows *rows)
{
    opt_column_int(w, "approvedGradeId", rows, 1);
}

static void write_site(json_writer *w, const db_rows *rows)
{
    opt_column_int(w, "primarySiteId", rows, 1);
}

static void write_specialty(json_writer *w, const db_rows *rows)
{
    opt_column_int(w, "primarySpecialtyId", rows, 1);
    opt_column_text(w, "primarySpecialtyCode", rows, 2);
    opt_column_text(w, "primarySpecialtyName", rows, 3);
}

/* The trainees of the post's current placements, by trainee id, each once:
 * their surnames and forenames joined with ", ", NULLs skipped. */
static void write_trainees(builder *b, json_writer *w, long long post)
{
    sb_reset(&b->surnames);
    sb_reset(&b->forenames);
    long long last = 0;
    bool any = false;
    for (row_stream *s = &b->trainees; row_stream_seek(s, post); row_stream_next(s)) {
        long long trainee = db_col_int(s->rows, 1);
        if (any && trainee == last)
            continue;
        any = true;
        last = trainee;
        strbuf *lists[] = {&b->surnames, &b->forenames};
        for (int i = 0; i < 2; i++) {
            const char *name = db_col_text(s->rows, 2 + i);
            if (!name)
                continue;
            if (lists[i]->len)
                sb_puts(lists[i], ", ");
            sb_puts(lists[i], name);
        }
    }
    if (b->surnames.len)
        jw_field_string(w, "currentTraineeSurnames", b->surnames.data);
    if (b->forenames.len)
        jw_field_string(w, "currentTraineeForenames", b->forenames.data);
}

static void write_strings(json_writer *w, const char *key, str_list *l)
{
    str_list_sort_unique(l);
    jw_key(w, key);
    jw_array_begin(w);
    for (size_t i = 0; i < l->n; i++)
        jw_string(w, l->v[i]);
    jw_array_end(w);
    str_list_clear(l);
}

static void write_ids(json_writer *w, const char *key, id_list *l)
{
    id_list_sort_unique(l);
    jw_key(w, key);
    jw_array_begin(w);
    for (size_t i = 0; i < l->n; i++)
        jw_int(w, l->v[i]);
    jw_array_end(w);
    l->n = 0;
}

/* The values of column COL of the post's rows in S, NULLs skipped. */
static void collect_texts(row_stream *s, long long post, int col, str_list *out)
{
    for (; row_stream_seek(s, post); row_stream_next(s))
        if (!db_col_is_null(s->rows, col))
            str_list_add(out, db_col_text(s->rows, col));
}

static void collect_ids(row_stream *s, long long post, int col, id_list *out)
{
    for (; row_stream_seek(s, post); row_stream_next(s))
        if (!db_col_is_null(s->rows, col))
            id_list_add(out, db_col_int(s->rows, col));
}

/* Programmes give both lists: names and ids. */
static void collect_programmes(builder *b, long long post)
{
    for (row_stream *s = &b->programmes; row_stream_seek(s, post); row_stream_next(s)) {
        id_list_add(&b->programme_ids, db_col_int(s->rows, 1));
        if (!db_col_is_null(s->rows, 2))
            str_list_add(&b->names, db_col_text(s->rows, 2));
    }
}

/* ---------------------------------------------------------------------- */
/* the index_builder callbacks */

static int write_post(builder *b, search_bulk *bulk)
{
    const db_rows *r = b->posts.rows;
    long long post = db_col_int(r, P_ID);
    sb_reset(&b->doc);
    json_writer w;
    jw_init(&w, &b->doc);
    jw_object_begin(&w);
    jw_field_int(&w, "id", post);
    opt_column_text(&w, "nationalPostNumber", r, P_NUMBER);
    opt_column_text(&w, "owner", r, P_OWNER);
    write_status(b, &w, post, db_col_text(r, P_STATUS));
    write_first(&b->grades, post, &w, write_grade);
    write_first(&b->sites, post, &w, write_site);
    write_first(&b->specialties, post, &w, write_specialty);
    write_trainees(b, &w, post);
    collect_programmes(b, post);
    write_strings(&w, "programmeNames", &b->names);
    collect_texts(&b->fundings, post, 1, &b->types);
    write_strings(&w, "fundingTypes", &b->types);
    collect_ids(&b->trusts, post, 1, &b->trust_ids);
    write_ids(&w, "trustIds", &b->trust_ids);
    write_ids(&w, "programmeIds", &b->programme_ids);
    jw_object_end(&w);
    row_stream *const all[] = {&b->grades,     &b->sites,    &b->specialties, &b->trainees,
                               &b->programmes, &b->fundings, &b->trusts};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i]->state < 0)
            return row_stream_error(b->ctx, all[i]);
    char id[24];
    snprintf(id, sizeof id, "%lld", post);
    if (search_bulk_add(bulk, id, b->doc.data, b->doc.len) != 0)
        return index_job_add_failed(b->ctx, bulk);
    b->ctx->records++;
    return 0;
}

static int next_post(void *state, job_ctx *ctx, search_bulk *bulk)
{
    builder *b = state;
    if (b->posts.state <= 0)
        return b->posts.state < 0 ? row_stream_error(ctx, &b->posts) : 0;
    if (write_post(b, bulk) != 0)
        return -1;
    row_stream_next(&b->posts);
    return 1;
}

/* Starts the eight streams (the database sorts those that need it side by
 * side), then reads their first rows. */
static int open_builder(void *state, job_ctx *ctx)
{
    builder *b = state;
    b->ctx = ctx;
    db_param today = DBP_TEXT(ctx->today);
    struct {
        row_stream *s;
        const char *sql, *what;
        bool today;
    } const streams[] = {
        {&b->grades, "post_search_grades", "PostGrade", false},
        {&b->sites, "post_search_sites", "PostSite", false},
        {&b->specialties, "post_search_specialties", "PostSpecialty", false},
        {&b->trainees, "post_search_trainees", "the current placements", true},
        {&b->programmes, "post_search_programmes", "ProgrammePost", false},
        {&b->fundings, "post_search_fundings", "PostFunding", true},
        {&b->trusts, "post_search_trusts", "PostTrust", false},
    };
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        if (row_stream_start(ctx, streams[i].s, streams[i].sql, streams[i].what, &today, streams[i].today) != 0)
            return -1;
    if (!(b->posts.conn = job_connect(ctx, "connect")))
        return -1;
    long long expected = 0;
    if (db_query_int(b->posts.conn, job_sql(ctx, b->posts.conn, "post_search_count"), NULL, 0, &expected) == 0)
        atomic_store(&ctx->rows_expected, expected);
    if (row_stream_start(ctx, &b->posts, "post_search_posts", "Post", NULL, 0) != 0)
        return -1;
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        if (row_stream_first(ctx, streams[i].s) != 0)
            return -1;
    return row_stream_first(ctx, &b->posts);
}

static void report(void *state, job_ctx *ctx)
{
    const builder *b = state;
    (void)ctx;
    if (b->unknown_status > STATUS_WARNINGS_LOGGED)
        log_warn("search: %lld posts in all had an unknown funding status, indexed without one", b->unknown_status);
}

static void close_builder(void *state)
{
    builder *b = state;
    row_stream *const all[] = {&b->posts,    &b->grades,     &b->sites,    &b->specialties,
                               &b->trainees, &b->programmes, &b->fundings, &b->trusts};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        row_stream_close(all[i]);
    sb_free(&b->doc);
    sb_free(&b->surnames);
    sb_free(&b->forenames);
    str_list_free(&b->names);
    str_list_free(&b->types);
    id_list_free(&b->programme_ids);
    id_list_free(&b->trust_ids);
    memset(b, 0, sizeof *b);
}

int job_post_search(job_ctx *ctx)
{
    static const index_builder posts = {"posts", CFG_ES_POSTS_ALIAS, mappings, open_builder, next_post, report,
                                        close_builder};
    builder b = {0};
    return index_job_run(ctx, &posts, &b);
}
