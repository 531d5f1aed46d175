/* job_status.c - the two status jobs of SPEC-2026 2.1 and 2.2, written once
 * on the batched update engine (batch_update.c). Each is one ordered read of
 * the rows whose status must change and short batches of UPDATEs.
 *
 * PersonRecordStatusJob: for the persons with a programme membership that
 * starts on the date of change D or ended the day before (every person with
 * a membership for ANY), Person.status := CURRENT when one of their
 * memberships has both dates and runs today, else INACTIVE; written only
 * where it differs, with amendedDate set. D is the run's argument (the CLI's
 * --date-of-change, the legacy API's dateOverride), today by default.
 *
 * PostFundingStatusSyncJob: with Y = yesterday, a post whose funding (with a
 * start date) ended on Y and that has no funding left (none open-ended or
 * ending after Y) gets fundingStatus INACTIVE wherever it holds anything
 * else. It never sets CURRENT (TCS does, when fundings are saved). */
#include "batch_update.h"

enum { BATCH_ROWS = 5000 };

int job_person_record_status(job_ctx *ctx)
{
    const char *date = ctx->argument ? ctx->argument : ctx->today;
    bool any = str_ieq(date, "ANY");
    char before[11] = "";
    if (!any && !date_add_days(date, -1, before))
        return job_fail(ctx, "date of change", "'%s' is not ANY or a date YYYY-MM-DD", date);
    db_param params[] = {DBP_TEXT(ctx->today), DBP_TEXT(date), DBP_TEXT(before)};
    batch_update u = {"Person",
                      any ? "person_record_status_changes_any" : "person_record_status_changes",
                      params,
                      any ? 1 : 3,
                      "person_record_status_update",
                      true,
                      BATCH_ROWS};
    return batch_update_run(ctx, &u);
}

int job_post_funding_status(job_ctx *ctx)
{
    char yesterday[11];
    if (!date_add_days(ctx->today, -1, yesterday))
        return job_fail(ctx, "today", "'%s' is not a date", ctx->today);
    db_param param = DBP_TEXT(yesterday);
    batch_update u = {"Post", "post_funding_status_changes", &param, 1, "post_funding_status_update", false,
                      BATCH_ROWS};
    return batch_update_run(ctx, &u);
}
