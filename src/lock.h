/* lock.h - one run of a job at a time, across every instance on one
 * database, for the whole run. MariaDB/MySQL: GET_LOCK on a connection of
 * its own (the server frees it when the holder's session dies). SQLite:
 * flock() on a file beside the database (the kernel frees it when the
 * holder dies). Neither can outlive a crashed holder. */
#ifndef TIS_LOCK_H
#define TIS_LOCK_H

#include "config.h"
#include "jobs.h"

#include <stdatomic.h>

typedef struct job_lock job_lock;

/* Waits up to WAIT_S seconds (0: not at all) for the lock of JOB.
 * Returns 1 and *out when taken, 0 when still held elsewhere, -1 on error
 * (err set). CANCEL, if set while waiting, ends the wait with 0. */
int lock_acquire(const config *cfg, job_id job, unsigned wait_s, atomic_int *cancel, job_lock **out, strbuf *err);
void lock_release(job_lock *lock);

#endif
