/* demo_data.h - `tis-sync demo-data`: a realistic, deterministic synthetic
 * TCS data set for development, tests and benchmarks. */
#ifndef TIS_DEMO_DATA_H
#define TIS_DEMO_DATA_H

#include "db.h"
#include "tcs_schema.h"
#include "util.h"

typedef struct {
    long long persons;
    unsigned long long seed;
    tcs_shape shape; /* the schema to fill: 2019, or 2026 with its newer tables */
} demo_options;

/* Replaces the TCS source tables' contents with a generated data set of
 * the shape asked for. 0, or -1 with err set. */
int demo_data_generate(db *conn, const demo_options *opts, strbuf *err);

#endif
