/* config.h - the service configuration: one table of settings, each with
 * its INI key, environment names (new and legacy), command-line flag,
 * default and validator. Precedence: flag > environment > file > default.
 * Every value remembers where it came from, so an error names the key and
 * its source (file:line, environment variable or flag). */
#ifndef TIS_CONFIG_H
#define TIS_CONFIG_H

#include "db.h"
#include "log.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum {
    CFG_DB_URL,
    CFG_DB_HOST,
    CFG_DB_PORT,
    CFG_DB_NAME,
    CFG_DB_USER,
    CFG_DB_PASSWORD,
    CFG_DB_SSL,
    CFG_DB_CONNECT_TIMEOUT,
    CFG_DB_QUERY_TIMEOUT,
    CFG_OWNER_MODE,
    CFG_TODAY,
    CFG_DEPENDENCY_WAIT,
    CFG_LOCK_LEASE,
    CFG_LOCK_RENEW,
    CFG_LOG_DIR,
    CFG_LOG_LEVEL,
    CFG_CRON_PERSON_OWNER,
    CFG_CRON_PERSON_TRUST_EMPLOYING,
    CFG_CRON_PERSON_TRUST_TRAINING,
    CFG_CRON_POST_TRUST_EMPLOYING,
    CFG_CRON_POST_TRUST_TRAINING,
    CFG_CRON_PERSON_SEARCH,
    CFG_CRON_PERSON_RECORD_STATUS,
    CFG_CRON_REVAL_PM,
    CFG_CRON_POST_FUNDING_STATUS,
    CFG_CRON_REVAL_PLACEMENT,
    CFG_CRON_POST_SEARCH,
    CFG_DATE_OF_CHANGE_OVERRIDE,
    CFG_TIME_ZONE,
    CFG_STARTUP_EARLIEST,
    CFG_STARTUP_LATEST,
    CFG_STARTUP_POLICY,
    CFG_STARTUP_GRACE,
    CFG_SHUTDOWN_GRACE,
    CFG_ES_URLS,
    CFG_ES_USER,
    CFG_ES_PASSWORD,
    CFG_ES_CA_FILE,
    CFG_ES_ALIAS,
    CFG_ES_POSTS_ALIAS,
    CFG_ES_BULK_BYTES,
    CFG_ES_CONCURRENCY,
    CFG_ES_RETRIES,
    CFG_ES_KEEP_PREVIOUS,
    CFG_ES_MIN_RATIO,
    CFG_ES_TIMEOUT,
    CFG_SLACK_TOKEN,
    CFG_SLACK_CHANNEL,
    CFG_SLACK_WEBHOOK,
    CFG_SLACK_API_URL,
    CFG_RABBIT_HOST,
    CFG_RABBIT_PORT,
    CFG_RABBIT_USER,
    CFG_RABBIT_PASSWORD,
    CFG_RABBIT_VHOST,
    CFG_RABBIT_SSL,
    CFG_RABBIT_CA_FILE,
    CFG_RABBIT_TIMEOUT,
    CFG_REVAL_EXCHANGE,
    CFG_REVAL_ROUTING_KEY,
    CFG_HTTP_LISTEN,
    CFG_HTTP_AUTH,
    CFG_HTTP_TLS_CERT,
    CFG_HTTP_TLS_KEY,
    CFG_HTTP_METRICS_AUTH,
    CFG_HTTP_MAX_CONNECTIONS,
    CFG_HTTP_MAX_PER_ADDRESS,
    CFG_HTTP_SESSION_IDLE,
    CFG_PROFILE,
    CFG_TEST_PAUSE_BEFORE_COMMIT,
    CFG_TEST_PAUSE_BEFORE_WRITE,
    CFG_TEST_NOW,
    /* Per-job out-of-date policies (job_table[].policy names each job's). */
    CFG_POLICY_PERSON_OWNER,
    CFG_POLICY_PERSON_TRUST_EMPLOYING,
    CFG_POLICY_PERSON_TRUST_TRAINING,
    CFG_POLICY_POST_TRUST_EMPLOYING,
    CFG_POLICY_POST_TRUST_TRAINING,
    CFG_POLICY_PERSON_SEARCH,
    CFG_POLICY_PERSON_RECORD_STATUS,
    CFG_POLICY_REVAL_PM,
    CFG_POLICY_POST_FUNDING_STATUS,
    CFG_POLICY_REVAL_PLACEMENT,
    CFG_POLICY_POST_SEARCH,
    CFG_COUNT
} cfg_key;

typedef struct config config;

config *config_new(void);
void config_free(config *cfg);

/* Each returns 0, or -1 with a message naming key and source in *err. */
int config_load_file(config *cfg, const char *path, strbuf *err);
/* The same from an open stream F, named PATH in messages. */
int config_load_stream(config *cfg, FILE *f, const char *path, strbuf *err);
int config_load_env(config *cfg, strbuf *err);
/* FLAG is the long option without its value, e.g. "--db". Returns 1 when
 * FLAG is not a configuration flag. */
int config_set_flag(config *cfg, const char *flag, const char *value, strbuf *err);
/* Validates every value and resolves the database URL. */
int config_finish(config *cfg, strbuf *err);

const char *cfg_str(const config *cfg, cfg_key key); /* NULL if unset */
long long cfg_int(const config *cfg, cfg_key key);
/* A KIND_RATIO setting (0 to 1). */
double cfg_ratio(const config *cfg, cfg_key key);
bool cfg_bool(const config *cfg, cfg_key key);
const char *cfg_source(const config *cfg, cfg_key key);
const char *cfg_name(cfg_key key);
/* The resolved database URL (valid after config_finish). */
const db_url *cfg_db_url(const config *cfg);
/* Connection options (timeouts) from the configuration. */
db_options cfg_db_options(const config *cfg, bool create);
/* The owner mode: true for native, false for procedure. */
bool cfg_owner_native(const config *cfg);
/* Whether HTTP clients must show a token (http.auth = token), and whether
 * GET /metrics needs a viewer token (http.metrics_auth = viewer). */
bool cfg_http_auth_required(const config *cfg);
bool cfg_metrics_auth_required(const config *cfg);
/* Whether http.listen names a loopback address (127.0.0.0/8, ::1, localhost). */
bool cfg_http_listen_is_loopback(const config *cfg);
/* Prints the configuration reference (key, env, flag, default). */
void config_print_reference(void);

#endif
