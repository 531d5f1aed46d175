/* job_trust.c - the four trust jobs of SPEC 1.2, written once.
 *
 * Each streams (key, employingBodyId, trainingBodyId) grouped by key (a
 * person or a post), takes the distinct non-NULL bodies per key in C, and
 * hands the wanted rows to the diff engine. The employing-body job wants the
 * employing pairs; the training-body job wants the employing pairs plus the
 * training pairs, so the table ends as exactly "employing rows plus training
 * rows" (a pair that is both appears twice) however often it runs. */
#include "derived.h"
#include "lists.h"

#include <stdlib.h>

typedef struct {
    const char *source_sql;
    const derived_table *table;
    bool with_training;
} trust_job;

typedef struct {
    db *conn;
    db_rows *rows;
    int state;
    bool with_training;
    id_list employing, training;
} trust_source;

/* Adds the distinct ids of the list to the group and empties the list. */
static void add_distinct(id_list *l, drow_group *out)
{
    id_list_sort_unique(l);
    for (size_t i = 0; i < l->n; i++)
        drow_group_add(out, l->v[i], NULL, NULL, 0);
    l->n = 0;
}

static int trust_next(void *state, job_ctx *ctx, drow_group *out)
{
    trust_source *s = state;
    drow_group_clear(out);
    if (s->state <= 0)
        return s->state < 0 ? job_fail(ctx, "read", "%s", db_error(s->conn)) : 0;
    out->k1 = db_col_int(s->rows, 0);
    while (s->state == 1 && db_col_int(s->rows, 0) == out->k1) {
        if (!db_col_is_null(s->rows, 1))
            id_list_add(&s->employing, db_col_int(s->rows, 1));
        if (s->with_training && !db_col_is_null(s->rows, 2))
            id_list_add(&s->training, db_col_int(s->rows, 2));
        s->state = db_rows_next(s->rows);
    }
    if (s->state < 0)
        return job_fail(ctx, "read", "%s", db_error(s->conn));
    add_distinct(&s->employing, out);
    add_distinct(&s->training, out);
    return 1;
}

static int run_trust_job(job_ctx *ctx, const trust_job *job)
{
    db *conn = job_connect(ctx, "connect");
    if (!conn)
        return -1;
    trust_source src = {.conn = conn, .with_training = job->with_training};
    int rc;
    src.rows = db_query(conn, sql_text(db_get_dialect(conn), job->source_sql), NULL, 0);
    if (!src.rows) {
        rc = job_fail(ctx, "read sources", "%s", db_error(conn));
    } else {
        src.state = db_rows_next(src.rows);
        rc = derived_replace(ctx, job->table, trust_next, &src);
        if (db_rows_close(src.rows) != 0 && rc == 0)
            rc = job_fail(ctx, "read sources", "%s", db_error(conn));
    }
    id_list_free(&src.employing);
    id_list_free(&src.training);
    db_close(conn);
    return rc;
}

static const derived_table person_trust = {"PersonTrust", "person_trust_current", "personId, trustId",
                                           INSERT_KEY_PAIR, NULL};
static const derived_table post_trust = {"PostTrust", "post_trust_current", "postId, trustId", INSERT_KEY_PAIR,
                                         NULL};

int job_person_trust_employing(job_ctx *ctx)
{
    static const trust_job job = {"person_trust_source", &person_trust, false};
    return run_trust_job(ctx, &job);
}

int job_person_trust_training(job_ctx *ctx)
{
    static const trust_job job = {"person_trust_source", &person_trust, true};
    return run_trust_job(ctx, &job);
}

int job_post_trust_employing(job_ctx *ctx)
{
    static const trust_job job = {"post_trust_source", &post_trust, false};
    return run_trust_job(ctx, &job);
}

int job_post_trust_training(job_ctx *ctx)
{
    static const trust_job job = {"post_trust_source", &post_trust, true};
    return run_trust_job(ctx, &job);
}
