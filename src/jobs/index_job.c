/* index_job.c - rebuild an index behind an alias from a document builder
 * (see index_job.h). */
#include "index_job.h"
#include "log.h"
#include "search_index.h"

enum { CANCEL_CHECK_EVERY = 1024 };

/* Records "STEP: why"; a stop the service asked for reads as the usual
 * cancel error instead (the pipeline's waits end early when it is set). */
static int fail_step(job_ctx *ctx, const char *step, const char *why)
{
    if (job_cancelled(ctx))
        return -1;
    return job_fail(ctx, step, "%s", why && *why ? why : "failed");
}

int index_job_add_failed(job_ctx *ctx, search_bulk *bulk)
{
    return fail_step(ctx, "index", search_bulk_error(bulk));
}

/* The outcome RC of one step of the rebuild; on failure records why. */
static int step(job_ctx *ctx, const char *name, int rc, strbuf *err)
{
    if (rc != 0)
        fail_step(ctx, name, err->data);
    sb_reset(err);
    return rc;
}

static search_client *connect_search(job_ctx *ctx)
{
    const config *cfg = ctx->cfg;
    long timeout = (long)cfg_int(cfg, CFG_ES_TIMEOUT);
    search_options opts = {
        .urls = cfg_str(cfg, CFG_ES_URLS),
        .user = cfg_str(cfg, CFG_ES_USER),
        .password = cfg_str(cfg, CFG_ES_PASSWORD),
        .ca_file = cfg_str(cfg, CFG_ES_CA_FILE),
        .timeout_s = timeout,
        .connect_timeout_s = timeout < 10 ? timeout : 10,
        .retries = (int)cfg_int(cfg, CFG_ES_RETRIES),
        .backoff_base_s = 0.1,
        .cancel = ctx->cancel,
    };
    strbuf err;
    sb_init(&err);
    search_client *c = search_client_new(&opts, &err);
    if (!c)
        job_fail(ctx, "connect to search", "%s", err.data);
    sb_free(&err);
    return c;
}

/* Every entity's documents, then the last requests. The pipeline is pumped
 * between entities, so requests are in flight while the database streams. */
static int load(job_ctx *ctx, const index_builder *b, void *state, search_bulk *bulk, long long *entities)
{
    int rc;
    while ((rc = b->next(state, ctx, bulk)) == 1) {
        atomic_fetch_add(&ctx->rows_done, 1);
        if (search_bulk_pump(bulk) != 0)
            return index_job_add_failed(ctx, bulk);
        if (++*entities % CANCEL_CHECK_EVERY == 0 && job_cancelled(ctx))
            return -1;
    }
    if (rc < 0)
        return -1;
    if (search_bulk_finish(bulk) != 0)
        return index_job_add_failed(ctx, bulk);
    return 0;
}

static int build_index(job_ctx *ctx, const index_builder *b, void *state, search_rebuild *r, strbuf *err)
{
    if (b->open(state, ctx) != 0)
        return -1;
    if (step(ctx, "create index", search_rebuild_create(r, b->mappings, err), err) != 0)
        return -1;
    log_info("search: building %s at %s for alias %s (now on %s)", r->index, search_client_url(r->client), r->alias,
             r->legacy ? "the legacy concrete index" : r->nold ? r->old[0] : "nothing");
    search_bulk *bulk = search_bulk_new(r->client, r->index, (size_t)cfg_int(ctx->cfg, CFG_ES_BULK_BYTES),
                                        (int)cfg_int(ctx->cfg, CFG_ES_CONCURRENCY));
    double started = monotonic_seconds();
    long long entities = 0;
    int rc = load(ctx, b, state, bulk, &entities);
    if (rc == 0) {
        ctx->rows_written = search_bulk_indexed(bulk);
        if (b->report)
            b->report(state, ctx);
        double seconds = monotonic_seconds() - started;
        log_info("search: %lld documents for %lld %s indexed into %s in %.1f s (%.0f/s, %lld retries)",
                 ctx->records, entities, b->entity, r->index, seconds,
                 seconds > 0 ? (double)ctx->records / seconds : 0.0, search_bulk_retries(bulk));
    }
    search_bulk_free(bulk);
    if (rc != 0 || job_cancelled(ctx))
        return -1;
    return step(ctx, "complete index", search_rebuild_complete(r, ctx->records, err), err);
}

/* A new index much smaller than the one it replaces comes from a wrong
 * source (the wrong database, a failed restore), not from a night's
 * changes: it is not switched to unless the operator forced this run. */
static int check_not_shrunk(job_ctx *ctx, search_rebuild *r, strbuf *err)
{
    long long live = -1;
    if (step(ctx, "count the live index", search_rebuild_live_count(r, &live, err), err) != 0)
        return -1;
    double min = cfg_ratio(ctx->cfg, CFG_ES_MIN_RATIO);
    if (live <= 0 || (double)ctx->records >= min * (double)live)
        return 0;
    if (ctx->force) {
        log_warn("search: %s has %lld documents, %s serves %lld: below search.min_ratio %.2f; switching anyway "
                 "(--force)",
                 r->index, ctx->records, r->alias, live, min);
        return 0;
    }
    return job_fail(ctx, "check size",
                    "the new index %s has %lld documents, the live %s has %lld: fewer than search.min_ratio (%.2f) of "
                    "them, so the alias stays (a wrong database or a failed restore? to switch anyway: tis-sync run "
                    "%s --force)",
                    r->index, ctx->records, r->alias, live, min, job_table[ctx->job].name);
}

static void prune(job_ctx *ctx, search_rebuild *r)
{
    strbuf report;
    sb_init(&report);
    int failed = search_rebuild_prune(r, (int)cfg_int(ctx->cfg, CFG_ES_KEEP_PREVIOUS), &report);
    if (failed) {
        ctx->warnings++;
        log_warn("search: old indices of %s not deleted: %s", r->alias, report.data ? report.data : "");
    }
    sb_free(&report);
}

static int rebuild(job_ctx *ctx, search_client *c, const index_builder *b, void *state)
{
    search_rebuild r;
    strbuf err;
    sb_init(&err);
    int rc = step(ctx, "read alias", search_rebuild_begin(&r, c, cfg_str(ctx->cfg, b->alias), &err), &err);
    if (rc == 0)
        rc = build_index(ctx, b, state, &r, &err);
    if (rc == 0)
        rc = check_not_shrunk(ctx, &r, &err);
    b->close(state);
    /* The lock is confirmed last: had another instance taken the job over
     * meanwhile, this build must not go live. */
    if (rc == 0)
        debug_pause(ctx, CFG_TEST_PAUSE_BEFORE_COMMIT, r.alias);
    if (rc == 0 && !job_cancelled(ctx) && job_fence(ctx, NULL) == 0)
        rc = step(ctx, "switch alias", search_rebuild_switch(&r, &err), &err);
    else
        rc = -1;
    if (rc == 0) {
        log_info("search: alias %s now points to %s", r.alias, r.index);
        prune(ctx, &r);
    } else {
        search_rebuild_abandon(&r, &ctx->error);
    }
    search_rebuild_free(&r);
    sb_free(&err);
    return rc;
}

int index_job_run(job_ctx *ctx, const index_builder *builder, void *state)
{
    search_client *c = connect_search(ctx);
    if (!c) {
        builder->close(state);
        return -1;
    }
    int rc = rebuild(ctx, c, builder, state);
    search_client_free(c);
    return rc;
}
