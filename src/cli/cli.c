/* cli.c - what the command modules (main.c, serve.c) share: building the
 * configuration from file, environment and flags, opening the log, and
 * connecting and migrating the database. Kept out of main.c so that the unit
 * tests, which link every module but main.c, link serve.c too. */
#include "cli.h"
#include "log.h"
#include "migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_flag_takes_value(const char *flag)
{
    static const char *const valued[] = {"--config",    "--db",     "--owner-mode", "--today",
                                         "--log-dir",   "--log-level", "--listen",   "--persons",
                                         "--seed",      "--limit",  "--schema",     "--date-of-change",
                                         "--role",      "--url",    "--token-file", "--ca-file"};
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++)
        if (strcmp(flag, valued[i]) == 0)
            return true;
    return false;
}

config *cli_build_config(const char *path, int argc, char **argv, strbuf *err)
{
    config *cfg = config_new();
    int rc = path ? config_load_file(cfg, path, err) : 0;
    if (rc == 0)
        rc = config_load_env(cfg, err);
    for (int i = 1; rc == 0 && i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0 && cli_flag_takes_value(argv[i]) && i + 1 < argc) {
            int flag_rc = config_set_flag(cfg, argv[i], argv[i + 1], err);
            rc = flag_rc < 0 ? -1 : 0;
            i++;
        }
    }
    if (rc == 0)
        rc = config_finish(cfg, err);
    if (rc != 0) {
        config_free(cfg);
        cfg = NULL;
    }
    return cfg;
}

config *cli_load_config(const char *path, int argc, char **argv, int *status)
{
    strbuf err;
    sb_init(&err);
    config *cfg = cli_build_config(path, argc, argv, &err);
    if (!cfg) {
        fprintf(stderr, "tis-sync: configuration error: %s\n", err.data);
        *status = EXIT_USAGE;
    }
    sb_free(&err);
    return cfg;
}

int cli_open_log(const config *cfg)
{
    log_level level = LOG_INFO;
    log_level_parse(cfg_str(cfg, CFG_LOG_LEVEL), &level);
    log_set_level(level);
    const char *dir = cfg_str(cfg, CFG_LOG_DIR);
    if (log_open_file(dir))
        return 0;
    if (strcmp(cfg_source(cfg, CFG_LOG_DIR), "default") != 0) {
        fprintf(stderr, "tis-sync: configuration error: log.dir (from %s): cannot open %s/sync.log: %s\n",
                cfg_source(cfg, CFG_LOG_DIR), dir, strerror(errno));
        return EXIT_USAGE;
    }
    log_warn("cannot open %s/sync.log (%s); logging to stderr only (set LOG_DIR)", dir, strerror(errno));
    return 0;
}

db *cli_connect(const config *cfg, bool create)
{
    db_options opts = cfg_db_options(cfg, create);
    char *err = NULL;
    db *conn = db_connect(cfg_db_url(cfg), &opts, &err);
    if (!conn) {
        fprintf(stderr, "tis-sync: %s\n", err);
        free(err);
    }
    return conn;
}

int cli_migrate(const config *cfg)
{
    db *conn = cli_connect(cfg, true);
    if (!conn)
        return EXIT_FAILED;
    strbuf err;
    sb_init(&err);
    int rc = migrate_service_tables(cfg, conn, &err);
    if (rc != 0)
        fprintf(stderr, "tis-sync: %s\n", err.data);
    sb_free(&err);
    db_close(conn);
    return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

