/* api_files.h - documents the binary carries (scripts/embed-text.sh makes
 * them from the repository's files at build time). */
#ifndef TIS_API_FILES_H
#define TIS_API_FILES_H

#include <stddef.h>

/* api/openapi.json: API v1 described in OpenAPI 3.1. */
extern const char openapi_json[];
extern const size_t openapi_json_len;

#endif
