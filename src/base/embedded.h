/* embedded.h - files the binary carries, made from the repository's own
 * at build time by scripts/embed-files.sh: sql/ (sql_files), api/
 * (api_files: the OpenAPI description) and web/ (web_files: the console). */
#ifndef TIS_EMBEDDED_H
#define TIS_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* the path below its folder, e.g. "mysql/tcs_shape.sql" */
    const char *text;
};

extern const struct embedded_file sql_files[], api_files[], web_files[];
extern const size_t sql_files_count, api_files_count, web_files_count;

/* The text of NAME among FILES, or NULL. */
const char *embedded_find(const struct embedded_file *files, size_t count, const char *name);

#endif
