/* tcs_schema.h - the two shapes of the TCS schema (SPEC-2026 1) and the
 * development copy of it.
 *
 * TCS split ProgrammeMembership in 2022: the 2026 shape keys it by a uuid
 * (one row per programme membership) and keeps the curricula in
 * CurriculumMembership. Nothing is configured: each run looks at the
 * database (does ProgrammeMembership have a uuid column?) and the jobs pick
 * their SQL by the shape found. Where the shapes differ, sql/ holds a file
 * NAME_2026.sql beside NAME.sql. */
#ifndef TIS_TCS_SCHEMA_H
#define TIS_TCS_SCHEMA_H

#include "db.h"
#include "util.h"

typedef enum {
    TCS_SHAPE_UNKNOWN = 0, /* no ProgrammeMembership table (or it could not be read) */
    TCS_SHAPE_2019 = 2019,
    TCS_SHAPE_2026 = 2026,
} tcs_shape;

/* Looks at the database. Returns the shape; TCS_SHAPE_UNKNOWN with *err
 * set when the question itself failed. */
tcs_shape tcs_shape_detect(db *conn, strbuf *err);
/* "2019", "2026" or "unknown". */
const char *tcs_shape_name(tcs_shape shape);

/* The SQL file NAME for DIALECT and SHAPE: on the 2026 shape NAME_2026 if
 * there is one, else NAME (as sql_text looks them up). */
const char *tcs_sql_text(db_dialect dialect, tcs_shape shape, const char *name);

/* Checks that every requirement ("Table" or "Table.column") exists.
 * Returns 0, or -1 with the first missing one named in *missing. */
int tcs_check_requirements(db *conn, const char *const *requirements, strbuf *missing);

/* Creates the development TCS schema of SHAPE (tables missing so far, and
 * our development copy of build_person_localoffice() on MariaDB where no
 * procedure exists). Refuses a database that already has the other shape.
 * 0 or -1 (*err). */
int tcs_create_dev_schema(db *conn, tcs_shape shape, strbuf *err);
/* True when the database has a Person table (any TCS table at all). */
bool tcs_has_person_table(db *conn);
/* True when `init-db --tcs` created the TCS tables (demo-data may then
 * replace their contents). */
bool tcs_is_dev_schema(db *conn);

#endif
