/* migrate.h - `init-db`: the service's own tables (versioned, idempotent
 * migrations) and, for development, the TCS schema and procedure. */
#ifndef TIS_MIGRATE_H
#define TIS_MIGRATE_H

#include "config.h"
#include "db.h"
#include "util.h"

/* Applies the service migrations not yet applied, holding the "migrate"
 * lock so that two instances starting together do not race. 0 or -1. */
int migrate_service_tables(const config *cfg, db *conn, strbuf *err);
/* Creates the missing development TCS tables (and, on MariaDB/MySQL, the
 * build_person_localoffice() procedure if there is none). A schema it
 * creates from nothing is marked as a development schema. */
int migrate_tcs_schema(db *conn, strbuf *err);
/* True if init-db --tcs created this TCS schema (so demo-data may wipe it). */
bool migrate_is_dev_schema(db *conn);

#endif
