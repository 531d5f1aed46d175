/* job_person_search.c - placeholder until the search job lands (issue 3). */
#include "jobs.h"

int job_person_search(job_ctx *ctx)
{
    return job_fail(ctx, "search", "the search job is not available in this build yet");
}
