/* jobs.c - the job table and the helpers every job uses. */
#include "jobs.h"
#include "lock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the newer jobs read beyond the 2019 schema: on a 2019-shape TCS
 * they fail at once, naming the first missing table or column. */
static const char *const needs_record_status[] = {"Person.amendedDate", NULL};
static const char *const needs_post_funding[] = {"PostFunding", "Post.fundingStatus", NULL};
static const char *const needs_posts_index[] = {"Post.fundingStatus", "PostGrade", "PostSite", "PostSpecialty",
                                                "Specialty.specialtyCode", "ProgrammePost", "PostFunding", NULL};

#define DEPENDENTS(...) {__VA_ARGS__}, (sizeof((job_id[]){__VA_ARGS__}) / sizeof(job_id))
#define NO_DEPENDENTS {0}, 0

const job_def job_table[JOB_COUNT] = {
    {JOB_PERSON_OWNER, "PersonOwnerRebuildJob", "PersonOwnerRebuildJob", "personOwnerRebuildJob",
     "personOwnerRebuildJob", CFG_CRON_PERSON_OWNER, CFG_POLICY_PERSON_OWNER, "PersonOwner",
     DEPENDENTS(JOB_PERSON_SEARCH), NULL, false, job_person_owner},
    {JOB_PERSON_TRUST_EMPLOYING, "PersonPlacementEmployingBodyTrustJob", "PersonPlacementEmployingBodyJob",
     "doPersonPlacementEmployingBodyFullSync", "personPlacementEmployingBodyTrustJob",
     CFG_CRON_PERSON_TRUST_EMPLOYING, CFG_POLICY_PERSON_TRUST_EMPLOYING, "PersonTrust",
     DEPENDENTS(JOB_PERSON_TRUST_TRAINING, JOB_PERSON_SEARCH), NULL, false, job_person_trust_employing},
    {JOB_PERSON_TRUST_TRAINING, "PersonPlacementTrainingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
     "PersonPlacementTrainingBodyFullSync", "personPlacementTrainingBodyTrustJob", CFG_CRON_PERSON_TRUST_TRAINING,
     CFG_POLICY_PERSON_TRUST_TRAINING, "PersonTrust", DEPENDENTS(JOB_PERSON_SEARCH), NULL, false,
     job_person_trust_training},
    {JOB_POST_TRUST_EMPLOYING, "PostEmployingBodyTrustJob", "PostEmployingBodyTrustJob", "PostEmployingBodyTrustFullSync",
     "postEmployingBodyTrustJob", CFG_CRON_POST_TRUST_EMPLOYING, CFG_POLICY_POST_TRUST_EMPLOYING, "PostTrust",
     DEPENDENTS(JOB_POST_TRUST_TRAINING, JOB_POST_SEARCH), NULL, false, job_post_trust_employing},
    {JOB_POST_TRUST_TRAINING, "PostTrainingBodyTrustJob", "PostTrainingBodyTrustJob", "PostTrainingBodyTrustFullSync",
     "postTrainingBodyTrustJob", CFG_CRON_POST_TRUST_TRAINING, CFG_POLICY_POST_TRUST_TRAINING, "PostTrust",
     DEPENDENTS(JOB_POST_SEARCH), NULL, false, job_post_trust_training},
    {JOB_PERSON_RECORD_STATUS, "PersonRecordStatusJob", "PersonRecordStatusJob", "personRecordStatusJob",
     "personRecordStatusJob", CFG_CRON_PERSON_RECORD_STATUS, CFG_POLICY_PERSON_RECORD_STATUS, "Person",
     DEPENDENTS(JOB_PERSON_SEARCH), needs_record_status, false, job_person_record_status},
    /* "SearchIndex": the lock name of the 2019 releases, kept so that an
     * older instance beside this one still shares the lock. */
    {JOB_PERSON_SEARCH, "PersonElasticSearchSyncJob", "PersonElasticSearchJob", "personElasticSearchSync",
     "personElasticSearchSyncJob", CFG_CRON_PERSON_SEARCH, CFG_POLICY_PERSON_SEARCH, "SearchIndex", NO_DEPENDENTS,
     NULL, false, job_person_search},
    {JOB_REVAL_PM, "RevalCurrentPmSyncJob", "RevalCurrentPmSyncJob", "revalCurrentPmSyncJob", "revalCurrentPmJob",
     CFG_CRON_REVAL_PM, CFG_POLICY_REVAL_PM, NULL, NO_DEPENDENTS, NULL, true, job_reval_pm},
    {JOB_POST_FUNDING_STATUS, "PostFundingStatusSyncJob", "PostFundingStatusSyncJob", "postFundingStatusSyncJob",
     "postFundingStatusSyncJob", CFG_CRON_POST_FUNDING_STATUS, CFG_POLICY_POST_FUNDING_STATUS, "Post",
     DEPENDENTS(JOB_POST_SEARCH), needs_post_funding, false, job_post_funding_status},
    {JOB_REVAL_PLACEMENT, "RevalCurrentPlacementSyncJob", "RevalCurrentPlacementSyncJob",
     "revalCurrentPlacementSyncJob", "revalCurrentPlacementJob", CFG_CRON_REVAL_PLACEMENT, CFG_POLICY_REVAL_PLACEMENT,
     NULL, NO_DEPENDENTS, NULL, true, job_reval_placement},
    {JOB_POST_SEARCH, "PostElasticSearchSyncJob", "PostElasticSearchJob", "postElasticSearchSync",
     "postElasticSearchSyncJob", CFG_CRON_POST_SEARCH, CFG_POLICY_POST_SEARCH, "PostsIndex", NO_DEPENDENTS,
     needs_posts_index, false, job_post_search},
};

const job_def *job_find(const char *name)
{
    for (int i = 0; i < JOB_COUNT; i++) {
        const job_def *j = &job_table[i];
        if (str_ieq(name, j->name) || str_ieq(name, j->bean) || str_ieq(name, j->method) ||
            str_ieq(name, j->status_key))
            return j;
    }
    return NULL;
}

bool job_available(const config *cfg, job_id job)
{
    return !job_table[job].needs_broker || cfg_str(cfg, CFG_RABBIT_HOST) != NULL;
}

job_set jobs_available(const config *cfg)
{
    job_set set = 0;
    for (int j = 0; j < JOB_COUNT; j++)
        if (job_available(cfg, (job_id)j))
            set |= JOB_BIT(j);
    return set;
}

bool job_depends_on(job_id b, job_id a)
{
    const job_def *ja = &job_table[a];
    for (int i = 0; i < ja->ndependents; i++)
        if (ja->dependents[i] == b || job_depends_on(b, ja->dependents[i]))
            return true;
    return false;
}

size_t job_set_to_list(job_set set, job_id out[JOB_COUNT])
{
    size_t n = 0;
    for (int j = 0; j < JOB_COUNT; j++)
        if (set & JOB_BIT(j))
            out[n++] = (job_id)j;
    return n;
}

void job_set_describe(job_set set, strbuf *sb)
{
    const char *sep = "";
    for (int j = 0; j < JOB_COUNT; j++) {
        if (set & JOB_BIT(j)) {
            sb_printf(sb, "%s%s", sep, job_table[j].name);
            sep = ", ";
        }
    }
}

void job_list_names(strbuf *out)
{
    for (int i = 0; i < JOB_COUNT; i++)
        sb_printf(out, "  %s (also %s, %s, %s)\n", job_table[i].name, job_table[i].bean, job_table[i].method,
                  job_table[i].status_key);
}

int job_fail(job_ctx *ctx, const char *step, const char *fmt, ...)
{
    sb_reset(&ctx->error);
    sb_printf(&ctx->error, "%s: ", step);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&ctx->error, fmt, ap);
    va_end(ap);
    return -1;
}

bool job_cancelled(job_ctx *ctx)
{
    char why[256];
    if (lock_lost(ctx->lock, why) || lock_lost(ctx->target_lock, why)) {
        job_fail(ctx, "lease", "%s; the job was stopped before it committed", why);
        return true;
    }
    if (!ctx->cancel || !atomic_load(ctx->cancel))
        return false;
    if (ctx->cancelled_by[0])
        job_fail(ctx, "cancel", "cancelled by %s; the job was stopped before it committed", ctx->cancelled_by);
    else
        job_fail(ctx, "cancel", "the service is shutting down; the job was stopped before it committed");
    return true;
}

void debug_pause(job_ctx *ctx, cfg_key key, const char *what)
{
    long long ms = cfg_int(ctx->cfg, key);
    if (ms > 0)
        log_warn("%s: pausing %lld ms (%s) on %s", job_table[ctx->job].name, ms, cfg_name(key), what);
    for (; ms > 0 && !(ctx->cancel && atomic_load(ctx->cancel)); ms -= 50) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int job_fence(job_ctx *ctx, db *conn)
{
    strbuf err;
    sb_init(&err);
    int rc = 0;
    if (conn ? lock_fence(ctx->lock, conn, &err) != 0 || lock_fence(ctx->target_lock, conn, &err) != 0
             : !lock_still_held(ctx->lock, &err))
        rc = job_fail(ctx, "check lease", "%s; not committing", err.data);
    sb_free(&err);
    return rc;
}

db *job_connect(job_ctx *ctx, const char *step)
{
    db_options opts = cfg_db_options(ctx->cfg, false);
    char *err = NULL;
    db *conn = db_connect(cfg_db_url(ctx->cfg), &opts, &err);
    if (!conn) {
        job_fail(ctx, step, "%s", err);
        free(err);
    }
    return conn;
}

const char *job_sql(const job_ctx *ctx, const db *conn, const char *name)
{
    return tcs_sql_text(db_get_dialect(conn), ctx->shape, name);
}
