/* migrate.h - `init-db`: the service's own tables (versioned, idempotent
 * migrations) and, for development, the TCS schema and procedure. */
#ifndef TIS_MIGRATE_H
#define TIS_MIGRATE_H

#include "db.h"
#include "util.h"

/* Applies the service migrations not yet applied. 0 or -1 (err set). */
int migrate_service_tables(db *conn, strbuf *err);
/* Creates the missing development TCS tables (and, on MariaDB/MySQL, the
 * build_person_localoffice() procedure if there is none). */
int migrate_tcs_schema(db *conn, strbuf *err);

#endif
