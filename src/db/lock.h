/* lock.h - one run of a job at a time, across every instance on one
 * database, for the whole run. MariaDB/MySQL: GET_LOCK on a connection of
 * its own (the server frees it when the holder's session dies). SQLite:
 * flock() on a file beside the database (the kernel frees it when the
 * holder dies). Neither can outlive a crashed holder. */
#ifndef TIS_LOCK_H
#define TIS_LOCK_H

#include "config.h"

#include <stdatomic.h>

typedef struct job_lock job_lock;

/* Waits up to WAIT_S seconds (0: not at all) for the lock NAME (a job
 * name, or "table-<Table>" for every job writing that table). Returns 1 and
 * *out when taken, 0 when still held elsewhere, -1 on error (err set).
 * CANCEL, if set while waiting, ends the wait with 0. */
int lock_acquire(const config *cfg, const char *name, unsigned wait_s, atomic_int *cancel, job_lock **out,
                 strbuf *err);
/* True while the lock is still ours. A MariaDB session can be dropped under
 * a long job (a proxy, a network cut), and the server then frees the lock:
 * jobs check this right before they commit. */
bool lock_still_held(job_lock *lock, strbuf *err);
void lock_release(job_lock *lock);
/* Whether some session holds the lock NAME, without taking it (MariaDB:
 * IS_USED_LOCK on CONN). 1 held, 0 free, -1 cannot tell (SQLite: probing
 * an flock() would take it for an instant) or error. */
int lock_in_use(const config *cfg, db *conn, const char *name);

#endif
