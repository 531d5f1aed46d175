/* run_queue.c - the scheduler's runs and their merge and start rules (see
 * run_queue.h). */
#include "run_queue.h"

#include <stdio.h>
#include <string.h>

void rq_init(run_queue *q)
{
    memset(q, 0, sizeof *q);
    q->next_seq = 1;
}

/* The jobs a running run has yet to reach (not the one it is running). */
static job_set pending(const rq_item *it)
{
    return it->current < 0 ? it->todo : it->todo & ~JOB_BIT(it->current);
}

static int free_slot(const run_queue *q)
{
    for (int i = 0; i < RQ_MAX; i++)
        if (q->items[i].state == RQ_FREE)
            return i;
    return -1;
}

static int new_item(run_queue *q, job_set jobs, run_trigger trigger, long long scheduled, bool immediate,
                    const rq_params *params)
{
    int slot = free_slot(q);
    if (slot < 0)
        return -1;
    rq_item *it = &q->items[slot];
    *it = (rq_item){.state = RQ_QUEUED, .jobs = jobs, .current = -1, .trigger = trigger, .scheduled = scheduled,
                    .immediate = immediate, .chain = params && params->chain, .seq = q->next_seq++};
    snprintf(it->argument, sizeof it->argument, "%s", params && params->argument ? params->argument : "");
    snprintf(it->today, sizeof it->today, "%s", params && params->today ? params->today : "");
    return slot;
}

/* A run with an argument or its own today neither joins nor is joined. */
static bool own_parameters(const rq_item *it)
{
    return it->argument[0] || it->today[0];
}

static bool chain_active(const run_queue *q)
{
    for (int i = 0; i < RQ_MAX; i++)
        if (q->items[i].state != RQ_FREE && q->items[i].chain)
            return true;
    return false;
}

/* Moves the history rows of FROM's jobs that INTO has none for. */
static void move_ids(rq_item *into, const rq_item *from)
{
    for (int j = 0; j < JOB_COUNT; j++)
        if (!into->queued_id[j])
            into->queued_id[j] = from->queued_id[j];
}

/* A firing may skip a run another instance already did for the same fire
 * time; any other trigger asks for a fresh run. So a merged run keeps a
 * fire time only while every trigger in it was a firing. */
static long long merged_schedule(long long a, long long b)
{
    if (a == 0 || b == 0)
        return 0;
    return a > b ? a : b;
}

/* Merges into a running run that has all of JOBS still ahead of it: it
 * will run them after anything running now, in chain order. */
static int merge_into_running(run_queue *q, job_set jobs, long long scheduled)
{
    for (int i = 0; i < RQ_MAX; i++) {
        const rq_item *it = &q->items[i];
        /* A run started for a firing may skip its jobs (already run for that
         * fire time elsewhere), so only another firing may join it. */
        if (it->state == RQ_RUNNING && !it->immediate && !own_parameters(it) && (jobs & ~pending(it)) == 0 &&
            (it->scheduled == 0 || scheduled != 0))
            return i;
    }
    return -1;
}

/* Folds every queued run overlapping JOBS into the oldest of them. */
static int merge_into_queued(run_queue *q, job_set jobs, long long scheduled)
{
    int target = -1;
    for (int i = 0; i < RQ_MAX; i++) {
        rq_item *it = &q->items[i];
        if (it->state != RQ_QUEUED || it->immediate || own_parameters(it) || !(it->jobs & jobs))
            continue;
        if (target < 0 || it->seq < q->items[target].seq)
            target = i;
    }
    if (target < 0)
        return -1;
    rq_item *t = &q->items[target];
    t->jobs |= jobs;
    t->scheduled = merged_schedule(t->scheduled, scheduled);
    /* The union may now overlap other queued runs: absorb them too. */
    for (int i = 0; i < RQ_MAX; i++) {
        rq_item *it = &q->items[i];
        if (i != target && it->state == RQ_QUEUED && !it->immediate && !own_parameters(it) && (it->jobs & t->jobs)) {
            t->jobs |= it->jobs;
            t->chain |= it->chain;
            move_ids(t, it);
            t->scheduled = merged_schedule(t->scheduled, it->scheduled);
            it->state = RQ_FREE;
        }
    }
    return target;
}

rq_result rq_submit(run_queue *q, job_set jobs, int primary, run_trigger trigger, long long scheduled,
                    const rq_params *params, int *slot)
{
    bool busy = primary >= 0 && (rq_current_jobs(q) & JOB_BIT(primary));
    if ((busy && trigger != TRIGGER_CRON) || (params && params->chain && chain_active(q)))
        return RQ_BUSY;
    bool own_run = busy || (params && ((params->argument && *params->argument) || (params->today && *params->today)));
    int s = own_run ? -1 : merge_into_running(q, jobs, scheduled);
    if (s < 0 && !own_run)
        s = merge_into_queued(q, jobs, scheduled);
    rq_result result = RQ_MERGED;
    if (s < 0) {
        s = new_item(q, jobs, trigger, scheduled, busy, params);
        result = s < 0 ? RQ_FULL : RQ_NEW;
    } else if (params && params->chain) {
        q->items[s].chain = true;
    }
    if (slot)
        *slot = s;
    return result;
}

void rq_take_ids(run_queue *q, int slot, long long ids[JOB_COUNT], long long spare[JOB_COUNT])
{
    rq_item *it = &q->items[slot];
    for (int j = 0; j < JOB_COUNT; j++) {
        spare[j] = 0;
        if (!ids[j])
            continue;
        if (it->queued_id[j]) {
            spare[j] = ids[j];
            ids[j] = it->queued_id[j];
        } else {
            it->queued_id[j] = ids[j];
        }
    }
}

bool rq_replace_id(run_queue *q, long long old_id, long long new_id)
{
    for (int i = 0; i < RQ_MAX; i++) {
        rq_item *it = &q->items[i];
        job_set waiting = it->state == RQ_QUEUED ? it->jobs : it->state == RQ_RUNNING ? pending(it) : 0;
        for (int j = 0; j < JOB_COUNT; j++)
            if ((waiting & JOB_BIT(j)) && it->queued_id[j] == old_id) {
                it->queued_id[j] = new_id;
                return true;
            }
    }
    return false;
}

static bool may_start(const run_queue *q, const rq_item *cand)
{
    if (cand->immediate)
        return true;
    for (int i = 0; i < RQ_MAX; i++)
        if (q->items[i].state == RQ_RUNNING && (q->items[i].todo & cand->jobs))
            return false;
    return true;
}

int rq_next_startable(const run_queue *q)
{
    int best = -1;
    for (int i = 0; i < RQ_MAX; i++) {
        const rq_item *it = &q->items[i];
        if (it->state == RQ_QUEUED && may_start(q, it) && (best < 0 || it->seq < q->items[best].seq))
            best = i;
    }
    return best;
}

void rq_start(run_queue *q, int slot)
{
    rq_item *it = &q->items[slot];
    it->state = RQ_RUNNING;
    it->todo = it->jobs;
    it->current = -1;
}

void rq_job_started(run_queue *q, int slot, job_id job)
{
    rq_item *it = &q->items[slot];
    it->current = (int)job;
    it->todo = it->jobs & ~(JOB_BIT(job) - 1u); /* chain order: the ones before are done */
}

void rq_finish(run_queue *q, int slot)
{
    q->items[slot].state = RQ_FREE;
}

job_set rq_drop_queued(run_queue *q)
{
    job_set dropped = 0;
    for (int i = 0; i < RQ_MAX; i++) {
        if (q->items[i].state == RQ_QUEUED) {
            dropped |= q->items[i].jobs;
            q->items[i].state = RQ_FREE;
        }
    }
    return dropped;
}

job_set rq_current_jobs(const run_queue *q)
{
    job_set set = 0;
    for (int i = 0; i < RQ_MAX; i++)
        if (q->items[i].state == RQ_RUNNING && q->items[i].current >= 0)
            set |= JOB_BIT(q->items[i].current);
    return set;
}

int rq_running_count(const run_queue *q)
{
    int n = 0;
    for (int i = 0; i < RQ_MAX; i++)
        n += q->items[i].state == RQ_RUNNING;
    return n;
}
