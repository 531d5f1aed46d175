/* serve.c - placeholder until the daemon lands (issue 4). */
#include "cli.h"

#include <stdio.h>

int cmd_serve(const cli_options *opts, config *cfg, const char *const *argv)
{
    (void)opts;
    (void)cfg;
    (void)argv;
    fprintf(stderr, "tis-sync: serve is not available yet\n");
    return EXIT_USAGE;
}

int cmd_jobs(const cli_options *opts, config *cfg)
{
    (void)opts;
    (void)cfg;
    fprintf(stderr, "tis-sync: jobs is not available yet\n");
    return EXIT_USAGE;
}
