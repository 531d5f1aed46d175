/* index_job.h - the search index jobs' common part: rebuild an index
 * behind an alias from an ordered stream of documents (SPEC 1.3 steps 1-5,
 * SPEC-2026 2.3), the same way for the persons and the posts index.
 *
 * A job supplies a document builder; this module connects to the engine,
 * names and creates the new index with the builder's mappings, pumps the
 * builder's documents into the bulk pipeline (requests go out while the
 * builder keeps reading the database), checks the count, confirms the job
 * still holds its lock, switches the alias in one request and prunes old
 * indices; on any failure or cancel it deletes the half-built index and
 * leaves the alias where it was (search_index.c). */
#ifndef TIS_INDEX_JOB_H
#define TIS_INDEX_JOB_H

/* The mapping of a keyword field. A value longer than 8191 characters
 * (Lucene's 32766-byte term limit at 4 bytes a character) is kept in the
 * document but not indexed, instead of failing the whole job. */
#define MAPPING_KEYWORD "{\"type\":\"keyword\",\"ignore_above\":8191}"

#include "jobs.h"
#include "search_client.h"

typedef struct {
    const char *entity;     /* what one call of next() indexes, plural: "persons", "posts" */
    cfg_key alias;          /* the setting that names the alias */
    const char *mappings;   /* the JSON object of the index's "mappings" */
    /* Opens the builder's streams (and may set ctx->rows_expected). */
    int (*open)(void *builder, job_ctx *ctx);
    /* Adds the documents of the next entity with search_bulk_add (counting
     * each in ctx->records): 1 done, 0 no entity left, -1 error (job error
     * set; index_job_add_failed() words a bulk failure). */
    int (*next)(void *builder, job_ctx *ctx, search_bulk *bulk);
    /* Logs what the builder noticed (warnings), after the load; may be NULL. */
    void (*report)(void *builder, job_ctx *ctx);
    void (*close)(void *builder);
} index_builder;

/* Rebuilds the index. 0, or -1 with the job's error set. */
int index_job_run(job_ctx *ctx, const index_builder *builder, void *state);

/* For next(): sets the job's error after search_bulk_add failed (or the
 * usual cancel error when the service is stopping); returns -1. */
int index_job_add_failed(job_ctx *ctx, search_bulk *bulk);

#endif
