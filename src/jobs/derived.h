/* derived.h - atomic replacement of a derived table by a sorted diff.
 *
 * A job describes the rows a table must hold as a stream of groups in
 * ascending key order (a group = every row of one person or post). The
 * engine streams the table's current rows in the same order, compares group
 * by group, and in ONE transaction deletes the rows that are no longer
 * wanted and inserts the missing ones. Readers see the old rows until the
 * commit and the new ones after it; a failure rolls everything back; and a
 * night where little changed writes little. Tables are compared as
 * multisets, which is what the PersonTrust rule of SPEC 1.2 needs. */
#ifndef TIS_DERIVED_H
#define TIS_DERIVED_H

#include "db.h"
#include "jobs.h"

typedef struct {
    long long k2;   /* second key (trustId); 0 when unused */
    char *a, *b;    /* text payload (owner, rule); NULL is SQL NULL */
    long long rowid;/* existing rows: the id to delete by */
} drow;

typedef struct {
    long long k1;
    drow *rows;
    size_t n, cap;
} drow_group;

void drow_group_clear(drow_group *g);
void drow_group_free(drow_group *g);
void drow_group_add(drow_group *g, long long k2, const char *a, const char *b, long long rowid);

/* Produces the next group of wanted rows: 1 a group, 0 the end, -1 error
 * (the producer has set the job's error). */
typedef int (*group_producer)(void *state, job_ctx *ctx, drow_group *out);

/* Reads groups from a result set of columns (k1, k2, a, b, rowid) ordered
 * by k1: usable as a group_producer. */
typedef struct {
    db *conn;
    db_rows *rows;
    int state; /* 1: a row is pending, 0: end, -1: error */
} group_reader;

void group_reader_init(group_reader *r, db *conn, db_rows *rows);
int group_reader_next(void *reader, job_ctx *ctx, drow_group *out);

typedef enum { INSERT_KEY_PAIR, INSERT_KEY_TEXTS } insert_shape;

typedef struct {
    const char *table;           /* target table; rows are deleted by its id */
    const char *existing_sql;    /* sql_text name: (k1, k2, a, b, id) ORDER BY k1 */
    const char *insert_columns;  /* e.g. "personId, trustId" */
    insert_shape shape;          /* (k1, k2) or (k1, a, b) */
    const char *upsert_sql;      /* sql_text name of the clause that makes the INSERT an upsert, or NULL */
} derived_table;

/* Replaces the table's rows by the produced ones. 0 or -1 (error set). */
int derived_replace(job_ctx *ctx, const derived_table *table, group_producer produce, void *state);

#endif
