/* lock.h - one run of a job at a time, across every instance on one
 * database, for the whole run: a lease in tis_sync_lease, the same on
 * SQLite, one MariaDB server, a Galera cluster or a proxy in front of
 * replicas (GET_LOCK is local to one Galera node; a file lock to one host).
 *
 * A lease names its holder (instance, start time, database node), carries
 * a fencing token that grows at every acquisition, and expires
 * lock.lease seconds after its last renewal by the database's clock. A
 * thread renews it every lock.renew seconds while it is held; a crashed
 * holder blocks its job for at most one lease (at once when it was on this
 * host: its process is seen gone). A holder that lost its lease (paused,
 * cut off, slow past the lease) must not commit: jobs fence each commit
 * with lock_fence() in the commit's own transaction, so a stale holder's
 * commit changes nothing (and on Galera fails certification). */
#ifndef TIS_LOCK_H
#define TIS_LOCK_H

#include "config.h"

#include <stdatomic.h>

typedef struct job_lock job_lock;

/* Creates tis_sync_lease if it is missing (before the migrations, which
 * run under a lock themselves). */
int lock_prepare(db *conn, strbuf *err);

/* Waits up to WAIT_S seconds (0: not at all) for the lock NAME (a job
 * name, or "writes-<Table>" for every job writing that table). Returns 1
 * and *out when taken, 0 when still held elsewhere, -1 on error (err set).
 * CANCEL, if set while waiting, ends the wait with 0. */
int lock_acquire(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, job_lock **out,
                 strbuf *err);
/* Waits up to WAIT_S seconds until nobody holds the lock NAME, without
 * taking it (so that waiting for a job never makes that job's own start
 * find its lock taken). 1 free, 0 still held (or CANCEL set), -1 error. */
int lock_wait_free(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, strbuf *err);
/* The fence: in CONN's open transaction, right before it commits, renews
 * the lease with its token. 0 when it still holds; -1 with ERR set ("lease
 * lost ...") when another holder took it over: roll back. */
int lock_fence(job_lock *lock, db *conn, strbuf *err);
/* For a commit that is not a database transaction (the search alias): true
 * while the lease is ours and live, else false with ERR set. */
bool lock_still_held(job_lock *lock, strbuf *err);
/* True once the renewing thread found the lease lost (taken over, or not
 * renewable for a whole lease); WHY gets the reason. */
bool lock_lost(job_lock *lock, char why[256]);
/* Frees the lease at once (NULL is fine). */
void lock_release(job_lock *lock);
/* The holder of the live lease NAME ("host:pid started ... via node #n"):
 * 1 and HOLDER, 0 when nobody holds it, -1 error. */
int lock_holder(db *conn, const char *name, char holder[256]);
/* Whether a live lease NAME exists (its holder not a process of this host
 * that has ended), read on CONN: 1 held, 0 free, -1 error. */
int lock_in_use(db *conn, const char *name);

#endif
