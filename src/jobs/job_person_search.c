/* job_person_search.c - PersonElasticSearchSyncJob (SPEC 1.3): the persons
 * search index, rebuilt behind its alias with no downtime.
 *
 * Three ordered streams, each on its own connection (a streamed result holds
 * its connection): the view rows, PersonTrust and the programme
 * memberships, all by person id. They are merged in C one person at a time,
 * so there is no query per person and memory holds one person, not the
 * data set. Each document goes into the bulk pipeline as soon as it is
 * built, and the pipeline is pumped between persons, so the database keeps
 * streaming while requests are in flight.
 *
 * A person's documents: its distinct view rows (identical rows collapse),
 * sorted by content, with _id "<personId>" for the first and
 * "<personId>-<n>" for the n-th. The ids are fixed before anything is sent,
 * so a retried request overwrites instead of duplicating. The rebuild
 * behind the alias is index_job.c's, shared with the posts index.
 *
 * On the 2026 schema the nested programme memberships are the curricula
 * (CurriculumMembership) of each membership (SPEC-2026 1); the SQL picks
 * that, the document is the same. */
#include "index_job.h"
#include "json_writer.h"
#include "lists.h"
#include "log.h"
#include "row_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STATUS_WARNINGS_LOGGED = 10 };

/* The mapping of SPEC 1.3. "dynamic":"strict" turns a field the mapping
 * does not know into an item error instead of a silently guessed type. */
static const char mappings[] =
    "{\"dynamic\":\"strict\",\"properties\":{"
    "\"personId\":{\"type\":\"long\"},"
    "\"intrepidId\":" MAPPING_KEYWORD ","
    "\"surname\":" MAPPING_KEYWORD ","
    "\"forenames\":" MAPPING_KEYWORD ","
    "\"fullName\":{\"type\":\"text\",\"analyzer\":\"standard\"},"
    "\"gmcNumber\":" MAPPING_KEYWORD ","
    "\"gdcNumber\":" MAPPING_KEYWORD ","
    "\"publicHealthNumber\":" MAPPING_KEYWORD ","
    "\"gradeId\":{\"type\":\"long\"},"
    "\"gradeAbbreviation\":" MAPPING_KEYWORD ","
    "\"siteId\":{\"type\":\"long\"},"
    "\"siteCode\":" MAPPING_KEYWORD ","
    "\"placementType\":" MAPPING_KEYWORD ","
    "\"specialty\":" MAPPING_KEYWORD ","
    "\"role\":" MAPPING_KEYWORD ","
    "\"status\":{\"type\":\"text\",\"analyzer\":\"standard\"},"
    "\"currentOwner\":" MAPPING_KEYWORD ","
    "\"currentOwnerRule\":" MAPPING_KEYWORD ","
    "\"trusts\":{\"type\":\"nested\",\"properties\":{"
    "\"personId\":{\"type\":\"long\"},\"trustId\":{\"type\":\"long\"}}},"
    "\"programmeMemberships\":{\"type\":\"nested\",\"properties\":{"
    "\"id\":{\"type\":\"long\"},\"personId\":{\"type\":\"long\"},\"programmeId\":{\"type\":\"long\"},"
    "\"programmeName\":" MAPPING_KEYWORD ",\"programmeNumber\":" MAPPING_KEYWORD ","
    "\"trainingNumber\":" MAPPING_KEYWORD ",\"programmeMembershipStatus\":" MAPPING_KEYWORD "}}"
    "}}";

/* Columns of person_search_rows.sql. */
enum {
    V_ID, V_INTREPID, V_SURNAME, V_FORENAMES, V_GMC, V_GDC, V_PHN, V_GRADE_ID, V_GRADE_ABBR, V_SITE_ID,
    V_SITE_CODE, V_PLACEMENT_TYPE, V_SPECIALTY, V_ROLE, V_STATUS, V_OWNER, V_RULE
};
/* Columns of person_search_memberships.sql. */
enum { M_PERSON, M_ID, M_PROGRAMME, M_NAME, M_NUMBER, M_TRAINING_NUMBER, M_START, M_END };

/* JSON texts of one person, back to back in one buffer: its documents
 * without their nested part, or its membership entries (with their ids). */
typedef struct {
    strbuf text;
    size_t *start, *len;
    long long *key;
    size_t n, cap;
} doc_set;

typedef struct {
    job_ctx *ctx;
    row_stream view, trusts, memberships;
    doc_set docs, entries;
    strbuf nested, doc, name;
    id_list trust_ids;
    long long unknown_status;
} builder;

/* ---------------------------------------------------------------------- */
/* documents */

static void field_db_text(json_writer *w, const char *key, const db_rows *rows, int col)
{
    jw_field_string(w, key, db_col_text(rows, col));
}

/* A numeric column: NULL stays null (never 0). */
static void field_db_int(json_writer *w, const char *key, const db_rows *rows, int col)
{
    jw_key(w, key);
    if (db_col_is_null(rows, col))
        jw_null(w);
    else
        jw_int(w, db_col_int(rows, col));
}

/* forenames + " " + surname, a NULL part as "", trimmed like Java's
 * String.trim() (everything up to U+0020 at both ends). */
static void field_full_name(builder *b, json_writer *w, const char *forenames, const char *surname)
{
    sb_reset(&b->name);
    sb_puts(&b->name, forenames ? forenames : "");
    sb_putc(&b->name, ' ');
    sb_puts(&b->name, surname ? surname : "");
    const char *s = b->name.data;
    size_t n = b->name.len;
    while (n && (unsigned char)*s <= ' ')
        s++, n--;
    while (n && (unsigned char)s[n - 1] <= ' ')
        n--;
    jw_key(w, "fullName");
    jw_string_n(w, s, n);
}

/* CURRENT, INACTIVE, DELETE; empty or NULL -> null; anything else -> null
 * and a warning (once per person: every row of a person has its status). */
static const char *person_status(builder *b, const char *status, bool first_row)
{
    static const char *const known[] = {"CURRENT", "INACTIVE", "DELETE"};
    if (!status || !*status)
        return NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(status, known[i]) == 0)
            return known[i];
    if (first_row) {
        b->ctx->warnings++;
        if (b->unknown_status++ < STATUS_WARNINGS_LOGGED)
            log_warn("search: person %lld has the unknown status '%s'; indexed as null",
                     db_col_int(b->view.rows, V_ID), status);
    }
    return NULL;
}

/* The flat part of the document of the current view row, as an object. */
static void write_flat(builder *b, strbuf *out, bool first_row)
{
    const db_rows *r = b->view.rows;
    json_writer w;
    jw_init(&w, out);
    jw_object_begin(&w);
    jw_field_int(&w, "personId", db_col_int(r, V_ID));
    field_db_text(&w, "intrepidId", r, V_INTREPID);
    field_db_text(&w, "surname", r, V_SURNAME);
    field_db_text(&w, "forenames", r, V_FORENAMES);
    field_full_name(b, &w, db_col_text(r, V_FORENAMES), db_col_text(r, V_SURNAME));
    field_db_text(&w, "gmcNumber", r, V_GMC);
    field_db_text(&w, "gdcNumber", r, V_GDC);
    field_db_text(&w, "publicHealthNumber", r, V_PHN);
    field_db_int(&w, "gradeId", r, V_GRADE_ID);
    field_db_text(&w, "gradeAbbreviation", r, V_GRADE_ABBR);
    field_db_int(&w, "siteId", r, V_SITE_ID);
    field_db_text(&w, "siteCode", r, V_SITE_CODE);
    field_db_text(&w, "placementType", r, V_PLACEMENT_TYPE);
    field_db_text(&w, "specialty", r, V_SPECIALTY);
    field_db_text(&w, "role", r, V_ROLE);
    jw_field_string(&w, "status", person_status(b, db_col_text(r, V_STATUS), first_row));
    field_db_text(&w, "currentOwner", r, V_OWNER);
    field_db_text(&w, "currentOwnerRule", r, V_RULE);
    jw_object_end(&w);
}

/* "trusts": the person's distinct trust ids, ascending. */
static void write_trusts(builder *b, json_writer *w, long long person)
{
    id_list *ids = &b->trust_ids;
    ids->n = 0;
    for (bool more = row_stream_seek(&b->trusts, person); more; more = row_stream_seek(&b->trusts, person)) {
        id_list_add(ids, db_col_int(b->trusts.rows, 1));
        row_stream_next(&b->trusts);
    }
    id_list_sort_unique(ids);
    jw_key(w, "trusts");
    jw_array_begin(w);
    for (size_t i = 0; i < ids->n; i++) {
        jw_object_begin(w);
        jw_field_int(w, "personId", person);
        jw_field_int(w, "trustId", ids->v[i]);
        jw_object_end(w);
    }
    jw_array_end(w);
}

/* PAST if a date is missing, FUTURE before the start, PAST after the end,
 * else CURRENT. Dates compare as YYYY-MM-DD text. */
static const char *membership_status(const char *start, const char *end, const char *today)
{
    if (!start || !end)
        return "PAST";
    if (strncmp(start, today, 10) > 0)
        return "FUTURE";
    if (strncmp(end, today, 10) < 0)
        return "PAST";
    return "CURRENT";
}

static void doc_set_add(doc_set *d, size_t start, long long key)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->start = xrealloc(d->start, d->cap * sizeof *d->start);
        d->len = xrealloc(d->len, d->cap * sizeof *d->len);
        d->key = xrealloc(d->key, d->cap * sizeof *d->key);
    }
    d->start[d->n] = start;
    d->len[d->n] = d->text.len - start;
    d->key[d->n] = key;
    d->n++;
}

static void doc_set_clear(doc_set *d)
{
    sb_reset(&d->text);
    d->n = 0;
}

static void doc_set_swap(doc_set *d, size_t i, size_t j)
{
    size_t s = d->start[i], l = d->len[i];
    long long k = d->key[i];
    d->start[i] = d->start[j], d->len[i] = d->len[j], d->key[i] = d->key[j];
    d->start[j] = s, d->len[j] = l, d->key[j] = k;
}

static void doc_set_free(doc_set *d)
{
    sb_free(&d->text);
    free(d->start);
    free(d->len);
    free(d->key);
}

/* The person's membership entries in id order, whatever order the
 * database returned them in (the cheapest plan only groups them by
 * person). Insertion sort: a person has a few. */
static void write_memberships(builder *b, json_writer *w, long long person)
{
    doc_set *e = &b->entries;
    doc_set_clear(e);
    for (bool more = row_stream_seek(&b->memberships, person); more; more = row_stream_seek(&b->memberships, person)) {
        const db_rows *r = b->memberships.rows;
        size_t start = e->text.len;
        json_writer entry;
        jw_init(&entry, &e->text);
        jw_object_begin(&entry);
        field_db_int(&entry, "id", r, M_ID);
        jw_field_int(&entry, "personId", person);
        field_db_int(&entry, "programmeId", r, M_PROGRAMME);
        field_db_text(&entry, "programmeName", r, M_NAME);
        field_db_text(&entry, "programmeNumber", r, M_NUMBER);
        field_db_text(&entry, "trainingNumber", r, M_TRAINING_NUMBER);
        jw_field_string(&entry, "programmeMembershipStatus",
                        membership_status(db_col_text(r, M_START), db_col_text(r, M_END), b->ctx->today));
        jw_object_end(&entry);
        doc_set_add(e, start, db_col_int(r, M_ID));
        row_stream_next(&b->memberships);
    }
    for (size_t i = 1; i < e->n; i++)
        for (size_t j = i; j > 0 && e->key[j - 1] > e->key[j]; j--)
            doc_set_swap(e, j - 1, j);
    jw_key(w, "programmeMemberships");
    jw_array_begin(w);
    for (size_t i = 0; i < e->n; i++)
        jw_raw(w, e->text.data + e->start[i], e->len[i]);
    jw_array_end(w);
}

/* ,"trusts":[..],"programmeMemberships":[..] - shared by all of the
 * person's documents. */
static int build_nested(builder *b, long long person)
{
    sb_reset(&b->nested);
    json_writer w;
    jw_init_members(&w, &b->nested);
    write_trusts(b, &w, person);
    if (b->trusts.state < 0)
        return row_stream_error(b->ctx, &b->trusts);
    write_memberships(b, &w, person);
    if (b->memberships.state < 0)
        return row_stream_error(b->ctx, &b->memberships);
    return 0;
}

/* Reads the view rows of PERSON into b->docs, sorted, duplicates removed. */
static void collect_rows(builder *b, long long person)
{
    doc_set *d = &b->docs;
    doc_set_clear(d);
    do {
        size_t start = d->text.len;
        write_flat(b, &d->text, d->n == 0);
        doc_set_add(d, start, person);
    } while (row_stream_next(&b->view) == 1 && db_col_int(b->view.rows, V_ID) == person);
    /* Insertion sort by content: a person has a row or two, and the order
     * makes the ids independent of the order the database returns. */
    for (size_t i = 1; i < d->n; i++) {
        for (size_t j = i; j > 0; j--) {
            size_t a = j - 1, n = d->len[a] < d->len[j] ? d->len[a] : d->len[j];
            int cmp = memcmp(d->text.data + d->start[a], d->text.data + d->start[j], n);
            if (cmp < 0 || (cmp == 0 && d->len[a] <= d->len[j]))
                break;
            doc_set_swap(d, a, j);
        }
    }
}

static bool same_doc(const doc_set *d, size_t i, size_t j)
{
    return d->len[i] == d->len[j] && memcmp(d->text.data + d->start[i], d->text.data + d->start[j], d->len[i]) == 0;
}

/* Sends the person's distinct documents: flat part without its closing
 * brace, then the nested part, then the brace. */
static int send_docs(builder *b, search_bulk *bulk, long long person)
{
    const doc_set *d = &b->docs;
    long long n = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (i > 0 && same_doc(d, i, i - 1))
            continue;
        sb_reset(&b->doc);
        sb_append(&b->doc, d->text.data + d->start[i], d->len[i] - 1);
        sb_append(&b->doc, b->nested.data, b->nested.len);
        sb_putc(&b->doc, '}');
        char id[48];
        if (n++ == 0)
            snprintf(id, sizeof id, "%lld", person);
        else
            snprintf(id, sizeof id, "%lld-%lld", person, n);
        if (search_bulk_add(bulk, id, b->doc.data, b->doc.len) != 0)
            return index_job_add_failed(b->ctx, bulk);
        b->ctx->records++;
    }
    return 0;
}

/* The index_builder callbacks. */

static int next_person(void *state, job_ctx *ctx, search_bulk *bulk)
{
    builder *b = state;
    if (b->view.state <= 0)
        return b->view.state < 0 ? row_stream_error(ctx, &b->view) : 0;
    long long person = db_col_int(b->view.rows, V_ID);
    collect_rows(b, person);
    if (b->view.state < 0)
        return row_stream_error(ctx, &b->view);
    if (build_nested(b, person) != 0 || send_docs(b, bulk, person) != 0)
        return -1;
    return 1;
}

static void close_builder(void *state)
{
    builder *b = state;
    row_stream_close(&b->view);
    row_stream_close(&b->trusts);
    row_stream_close(&b->memberships);
    doc_set_free(&b->docs);
    doc_set_free(&b->entries);
    sb_free(&b->nested);
    sb_free(&b->doc);
    sb_free(&b->name);
    id_list_free(&b->trust_ids);
    memset(b, 0, sizeof *b);
}

/* Starts the three streams (the database sorts the first two while the
 * view starts), then reads their first rows. The person count (for
 * progress) runs first on the view's connection. */
static int open_builder(void *state, job_ctx *ctx)
{
    builder *b = state;
    b->ctx = ctx;
    if (row_stream_start(ctx, &b->trusts, "person_search_trusts", "PersonTrust", NULL, 0) != 0 ||
        row_stream_start(ctx, &b->memberships, "person_search_memberships", "ProgrammeMembership", NULL, 0) != 0)
        return -1;
    if (!(b->view.conn = job_connect(ctx, "connect")))
        return -1;
    long long expected = 0;
    if (db_query_int(b->view.conn, job_sql(ctx, b->view.conn, "person_search_count"), NULL, 0, &expected) == 0)
        atomic_store(&ctx->rows_expected, expected);
    db_param today = DBP_TEXT(ctx->today);
    if (row_stream_start(ctx, &b->view, "person_search_rows", "the person view", &today, 1) != 0)
        return -1;
    row_stream *const all[] = {&b->trusts, &b->memberships, &b->view};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (row_stream_first(ctx, all[i]) != 0)
            return -1;
    return 0;
}

static void report(void *state, job_ctx *ctx)
{
    const builder *b = state;
    (void)ctx;
    if (b->unknown_status > STATUS_WARNINGS_LOGGED)
        log_warn("search: %lld persons in all had an unknown status, indexed as null", b->unknown_status);
}

int job_person_search(job_ctx *ctx)
{
    static const index_builder persons = {"persons", CFG_ES_ALIAS, mappings, open_builder, next_person, report,
                                          close_builder};
    builder b = {0};
    return index_job_run(ctx, &persons, &b);
}
