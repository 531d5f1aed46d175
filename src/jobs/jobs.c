/* jobs.c - the job table and the helpers every job uses. */
#include "jobs.h"
#include "lock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const job_def job_table[JOB_COUNT] = {
    {JOB_PERSON_OWNER, "PersonOwnerRebuildJob", "PersonOwnerRebuildJob", "personOwnerRebuildJob",
     "personOwnerRebuildJob", CFG_CRON_PERSON_OWNER, CFG_POLICY_PERSON_OWNER, "PersonOwner", {JOB_PERSON_SEARCH}, 1,
     job_person_owner},
    {JOB_PERSON_TRUST_EMPLOYING, "PersonPlacementEmployingBodyTrustJob", "PersonPlacementEmployingBodyJob",
     "doPersonPlacementEmployingBodyFullSync", "personPlacementEmployingBodyTrustJob",
     CFG_CRON_PERSON_TRUST_EMPLOYING, CFG_POLICY_PERSON_TRUST_EMPLOYING, "PersonTrust",
     {JOB_PERSON_TRUST_TRAINING, JOB_PERSON_SEARCH}, 2, job_person_trust_employing},
    {JOB_PERSON_TRUST_TRAINING, "PersonPlacementTrainingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
     "PersonPlacementTrainingBodyFullSync", "personPlacementTrainingBodyTrustJob", CFG_CRON_PERSON_TRUST_TRAINING,
     CFG_POLICY_PERSON_TRUST_TRAINING, "PersonTrust", {JOB_PERSON_SEARCH}, 1, job_person_trust_training},
    {JOB_POST_TRUST_EMPLOYING, "PostEmployingBodyTrustJob", "PostEmployingBodyTrustJob", "PostEmployingBodyTrustFullSync",
     "postEmployingBodyTrustJob", CFG_CRON_POST_TRUST_EMPLOYING, CFG_POLICY_POST_TRUST_EMPLOYING, "PostTrust",
     {JOB_POST_TRUST_TRAINING}, 1, job_post_trust_employing},
    {JOB_POST_TRUST_TRAINING, "PostTrainingBodyTrustJob", "PostTrainingBodyTrustJob", "PostTrainingBodyTrustFullSync",
     "postTrainingBodyTrustJob", CFG_CRON_POST_TRUST_TRAINING, CFG_POLICY_POST_TRUST_TRAINING, "PostTrust", {0}, 0,
     job_post_trust_training},
    {JOB_PERSON_SEARCH, "PersonElasticSearchSyncJob", "PersonElasticSearchJob", "personElasticSearchSync",
     "personElasticSearchSyncJob", CFG_CRON_PERSON_SEARCH, CFG_POLICY_PERSON_SEARCH, "SearchIndex", {0}, 0,
     job_person_search},
};

const job_def *job_find(const char *name)
{
    for (int i = 0; i < JOB_COUNT; i++) {
        const job_def *j = &job_table[i];
        if (str_ieq(name, j->name) || str_ieq(name, j->bean) || str_ieq(name, j->method))
            return j;
    }
    return NULL;
}

bool job_depends_on(job_id b, job_id a)
{
    const job_def *ja = &job_table[a];
    for (int i = 0; i < ja->ndependents; i++)
        if (ja->dependents[i] == b || job_depends_on(b, ja->dependents[i]))
            return true;
    return false;
}

void job_list_names(strbuf *out)
{
    for (int i = 0; i < JOB_COUNT; i++)
        sb_printf(out, "  %s (also %s, %s)\n", job_table[i].name, job_table[i].bean, job_table[i].method);
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
    if (!ctx->cancel || !atomic_load(ctx->cancel))
        return false;
    job_fail(ctx, "cancel", "the service is shutting down; the job was stopped before it committed");
    return true;
}

int job_confirm_lock(job_ctx *ctx)
{
    strbuf err;
    sb_init(&err);
    int rc = lock_still_held(ctx->lock, &err) ? 0 : job_fail(ctx, "check lock", "%s; not committing", err.data);
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
