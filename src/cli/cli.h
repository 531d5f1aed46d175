/* cli.h - what the command modules share: the parsed command line and the
 * helpers of cli.c. */
#ifndef TIS_CLI_H
#define TIS_CLI_H

#include "config.h"

#include <stdatomic.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_ALREADY_RUNNING = 3 };

typedef struct {
    const char *command;
    const char **args; /* positional arguments after the command */
    int nargs;
    bool tcs, chain, with_dependents, force;
    long long persons, seed, limit;
    const char *config_path;
    const char *schema;         /* init-db --tcs --schema 2019|2026 */
    const char *date_of_change; /* run PersonRecordStatusJob --date-of-change D|ANY */
    const char *role;           /* token new NAME --role viewer|operator */
    const char *url, *token_file, *ca_file; /* ctl: the service, the token, its CA */
    bool wait;                  /* ctl run/chain --wait */
} cli_options;

/* `ctl` (ctl.c). */
int cmd_ctl(const cli_options *opts, const config *cfg);

/* `serve` and `jobs` (serve.c). */
int cmd_serve(const cli_options *opts, config *cfg, const char *const *argv);
int cmd_jobs(const cli_options *opts, config *cfg);

/* Applies the configured log level and opens the log file. A configured
 * log.dir that cannot be opened is an error (exit 2); the default one only
 * warns, so that a developer's machine without /var/log/apps still works. */
int cli_open_log(const config *cfg);
/* Creates or migrates the service's own tables; 0 or an exit status. */
int cli_migrate(const config *cfg);
/* Connects to the configured database; NULL after printing why. */
db *cli_connect(const config *cfg, bool create);
/* Whether FLAG (e.g. "--db") takes a value. */
bool cli_flag_takes_value(const char *flag);
/* Builds the configuration from file, environment and flags (exit status
 * 2 and a message on error). */
config *cli_load_config(const char *path, int argc, char **argv, int *status);
/* The same without printing: NULL and the message in *err on error (a
 * SIGHUP reload logs it and keeps the running configuration). */
config *cli_build_config(const char *path, int argc, char **argv, strbuf *err);

#endif
