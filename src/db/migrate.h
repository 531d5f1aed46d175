/* migrate.h - the service's own tables (versioned, idempotent
 * migrations), created and migrated by every command that uses them. */
#ifndef TIS_MIGRATE_H
#define TIS_MIGRATE_H

#include "config.h"
#include "db.h"
#include "util.h"

/* Applies the service migrations not yet applied, holding the "migrate"
 * lock so that two instances starting together do not race. 0 or -1. */
int migrate_service_tables(const config *cfg, db *conn, strbuf *err);

#endif
