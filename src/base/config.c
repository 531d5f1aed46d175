/* config.c - the settings table, the INI reader, environment and flags,
 * and validation. The INI format is read by hand: it is twenty lines, and
 * Debian's INI libraries (inih, iniparser) do not report the line of a value
 * after parsing, which our error messages need. */
#include "config.h"
#include "catchup.h"
#include "cron.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    KIND_STRING,
    KIND_SECRET,
    KIND_INT,
    KIND_BOOL,
    KIND_DB_URL,
    KIND_OWNER_MODE,
    KIND_DATE,
    KIND_LOG_LEVEL,
    KIND_CRON,
    KIND_TIME_OF_DAY,
    KIND_POLICY,
    KIND_URLS,
    KIND_PATH,
    KIND_TIMESTAMP,
    KIND_JOB_POLICY,
    KIND_DATE_OF_CHANGE,
    KIND_CHOICE, /* one of the words of `choices` */
    KIND_RATIO,  /* a decimal from 0 to 1 */
} value_kind;

typedef struct {
    const char *key;     /* section.name in the INI file */
    const char *env[2];  /* environment names, preferred first */
    const char *flag;    /* long option, or NULL */
    const char *default_value;
    value_kind kind;
    long long min, max;  /* for KIND_INT */
    const char *help;
    const char *choices; /* KIND_CHOICE: "a|b" */
} setting;

static const setting settings[CFG_COUNT] = {
    [CFG_DB_URL] = {"database.url", {"TIS_SYNC_DB"}, "--db", NULL, KIND_DB_URL, 0, 0,
                    "sqlite:PATH or mysql://USER[:PASS]@HOST[:PORT]/DB[?socket=PATH]; default sqlite:tis-sync.db unless DBHOST is set"},
    [CFG_DB_HOST] = {"database.host", {"DBHOST"}, NULL, NULL, KIND_STRING, 0, 0, "legacy: MariaDB host when database.url is unset (default 127.0.0.1 once any legacy database setting is given)"},
    [CFG_DB_PORT] = {"database.port", {"DBPORT"}, NULL, "3306", KIND_INT, 1, 65535, "legacy: MariaDB port"},
    [CFG_DB_NAME] = {"database.name", {"DBNAME"}, NULL, "tcs", KIND_STRING, 0, 0, "legacy: database name"},
    [CFG_DB_USER] = {"database.user", {"DBUSER"}, NULL, "root", KIND_STRING, 0, 0, "legacy: user"},
    [CFG_DB_PASSWORD] = {"database.password", {"DBPASSWORD", "TIS_SYNC_DB_PASSWORD"}, NULL, NULL, KIND_SECRET, 0, 0,
                         "password (also used for a URL without one); never logged"},
    [CFG_DB_SSL] = {"database.ssl", {"USE_SSL"}, NULL, "false", KIND_BOOL, 0, 0, "legacy: require TLS to MariaDB"},
    [CFG_DB_CONNECT_TIMEOUT] = {"database.connect_timeout", {"TIS_SYNC_DB_CONNECT_TIMEOUT"}, NULL, "10", KIND_INT, 1, 3600,
                                "seconds to wait for a connection"},
    [CFG_DB_QUERY_TIMEOUT] = {"database.query_timeout", {"TIS_SYNC_DB_QUERY_TIMEOUT"}, NULL, "3600", KIND_INT, 1, 86400,
                              "seconds a stalled statement may wait for the server"},
    [CFG_OWNER_MODE] = {"jobs.owner_mode", {"TIS_SYNC_OWNER_MODE"}, "--owner-mode", NULL, KIND_OWNER_MODE, 0, 0,
                        "procedure|native; default procedure on MariaDB/MySQL, native on SQLite"},
    [CFG_TODAY] = {"jobs.today", {"TIS_SYNC_TODAY"}, "--today", NULL, KIND_DATE, 0, 0,
                   "YYYY-MM-DD: the date the jobs take as today (tests, replays); default the UTC date"},
    [CFG_DEPENDENCY_WAIT] = {"jobs.dependency_wait", {"TIS_SYNC_DEPENDENCY_WAIT"}, NULL, "3600", KIND_INT, 0, 86400,
                             "seconds a job waits for a running job it reads from"},
    [CFG_LOCK_LEASE] = {"lock.lease", {"TIS_SYNC_LOCK_LEASE"}, NULL, "60", KIND_INT, 3, 3600,
                        "seconds a job's lease lasts unless renewed: a crashed holder blocks its job this long"},
    [CFG_LOCK_RENEW] = {"lock.renew", {"TIS_SYNC_LOCK_RENEW"}, NULL, "10", KIND_INT, 1, 1800,
                        "seconds between renewals of a held lease (less than half of lock.lease)"},
    [CFG_LOG_DIR] = {"log.dir", {"LOG_DIR"}, "--log-dir", "/var/log/apps", KIND_PATH, 0, 0, "folder of sync.log"},
    [CFG_LOG_LEVEL] = {"log.level", {"LOG_LEVEL"}, "--log-level", "INFO", KIND_LOG_LEVEL, 0, 0,
                       "ERROR|WARN|INFO|DEBUG; legacy TRACE = DEBUG, WARNING = WARN, FATAL and OFF = ERROR (errors "
                       "are always logged)"},
    [CFG_CRON_PERSON_OWNER] = {"schedule.PersonOwnerRebuildJob", {"APPLICATION_CRON_PERSONOWNERREBUILDJOB"}, NULL,
                               "0 05 0 * * *", KIND_CRON, 0, 0,
                               "cron (6-field Spring or 5-field), a macro (@daily, @hourly, ...), or - (never "
                               "scheduled)"},
    [CFG_CRON_PERSON_TRUST_EMPLOYING] = {"schedule.PersonPlacementEmployingBodyTrustJob",
                                         {"APPLICATION_CRON_PERSONPLACEMENTEMPLOYINGBODYTRUSTJOB",
                                          "APPLICATION_CRON_PERSONPLACEMENTEMPLOYINGBODYJOB"},
                                         NULL, "0 09 0 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_PERSON_TRUST_TRAINING] = {"schedule.PersonPlacementTrainingBodyTrustJob",
                                        {"APPLICATION_CRON_PERSONPLACEMENTTRAININGBODYTRUSTJOB"}, NULL, "0 29 0 * * *",
                                        KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_POST_TRUST_EMPLOYING] = {"schedule.PostEmployingBodyTrustJob", {"APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB"},
                                       NULL, "0 09 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_POST_TRUST_TRAINING] = {"schedule.PostTrainingBodyTrustJob", {"APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB"},
                                      NULL, "0 19 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_PERSON_SEARCH] = {"schedule.PersonElasticSearchSyncJob",
                                {"APPLICATION_CRON_PERSONELASTICSEARCHSYNCJOB", "APPLICATION_CRON_PERSONELASTICSEARCHJOB"},
                                NULL, "0 29 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_PERSON_RECORD_STATUS] = {"schedule.PersonRecordStatusJob", {"APPLICATION_CRON_PERSONRECORDSTATUSJOB"}, NULL,
                                       "0 0 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_REVAL_PM] = {"schedule.RevalCurrentPmSyncJob",
                           {"APPLICATION_CRON_REVALCURRENTPMJOB", "APPLICATION_CRON_REVALCURRENTPMSYNCJOB"}, NULL,
                           "0 39 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_POST_FUNDING_STATUS] = {"schedule.PostFundingStatusSyncJob",
                                      {"APPLICATION_CRON_POSTFUNDING_STATUS_SYNCJOB",
                                       "APPLICATION_CRON_POSTFUNDINGSTATUSSYNCJOB"},
                                      NULL, "0 45 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_REVAL_PLACEMENT] = {"schedule.RevalCurrentPlacementSyncJob",
                                  {"APPLICATION_CRON_REVALCURRENTPLACEMENTJOB",
                                   "APPLICATION_CRON_REVALCURRENTPLACEMENTSYNCJOB"},
                                  NULL, "0 49 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_CRON_POST_SEARCH] = {"schedule.PostElasticSearchSyncJob",
                              {"APPLICATION_CRON_POSTELASTICSEARCHJOB", "APPLICATION_CRON_POSTELASTICSEARCHSYNCJOB"},
                              NULL, "0 55 1 * * *", KIND_CRON, 0, 0, "cron"},
    [CFG_DATE_OF_CHANGE_OVERRIDE] = {"jobs.date_of_change_override",
                                     {"APPLICATION_JOBS_PERSONRECORDSTATUSJOB_DATEOFCHANGEOVERRIDE"}, NULL, NULL,
                                     KIND_DATE_OF_CHANGE, 0, 0,
                                     "PersonRecordStatusJob's date of change when the legacy API asks for NONE: "
                                     "empty (today), ANY or YYYY-MM-DD"},
    [CFG_TIME_ZONE] = {"schedule.time_zone", {"TIS_SYNC_TIME_ZONE"}, NULL, "UTC", KIND_STRING, 0, 0,
                       "IANA zone the schedules are evaluated in"},
    [CFG_STARTUP_EARLIEST] = {"startup.earliest", {"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST"}, NULL, "00:00:00",
                              KIND_TIME_OF_DAY, 0, 0, "UTC start of the catch-up window"},
    [CFG_STARTUP_LATEST] = {"startup.latest", {"APPLICATION_JOBS_RUNONSTARTUP_LATEST"}, NULL, "07:00:00",
                            KIND_TIME_OF_DAY, 0, 0, "UTC end (exclusive) of the catch-up window"},
    [CFG_STARTUP_POLICY] = {"startup.out_of_date_policy", {"TIS_SYNC_OUT_OF_DATE_POLICY"}, NULL, "run_once",
                            KIND_POLICY, 0, 0, "skip|run_once: an out-of-date job at start"},
    [CFG_STARTUP_GRACE] = {"startup.grace", {"TIS_SYNC_OUT_OF_DATE_GRACE"}, NULL, "21600", KIND_INT, 0, 31 * 86400,
                           "seconds after a missed due time within which run_once still runs it"},
    [CFG_SHUTDOWN_GRACE] = {"service.shutdown_grace", {"TIS_SYNC_SHUTDOWN_GRACE"}, NULL, "60", KIND_INT, 0, 86400,
                            "seconds a running job may finish after SIGTERM"},
    [CFG_ES_URLS] = {"search.urls", {"TIS_SYNC_ES_URL", "ES_URLS"}, NULL, "http://localhost:9200", KIND_URLS, 0, 0,
                     "comma-separated search engine URLs (fail over)"},
    [CFG_ES_USER] = {"search.user", {"TIS_SYNC_ES_USER"}, NULL, NULL, KIND_STRING, 0, 0, "basic auth user"},
    [CFG_ES_PASSWORD] = {"search.password", {"TIS_SYNC_ES_PASSWORD"}, NULL, NULL, KIND_SECRET, 0, 0, "basic auth password"},
    [CFG_ES_CA_FILE] = {"search.ca_file", {"TIS_SYNC_ES_CA_FILE"}, NULL, NULL, KIND_PATH, 0, 0, "CA bundle for TLS"},
    [CFG_ES_ALIAS] = {"search.alias", {"TIS_SYNC_ES_ALIAS"}, NULL, "persons", KIND_STRING, 0, 0,
                      "alias searched by TIS; indices are <alias>-<UTC timestamp>"},
    [CFG_ES_POSTS_ALIAS] = {"search.posts_alias", {"TIS_SYNC_ES_POSTS_ALIAS"}, NULL, "posts", KIND_STRING, 0, 0,
                            "alias of the posts index (PostElasticSearchSyncJob); indices are <alias>-<UTC timestamp>"},
    [CFG_ES_BULK_BYTES] = {"search.bulk_bytes", {"TIS_SYNC_ES_BULK_BYTES"}, NULL, "8388608", KIND_INT, 4096,
                           100 * 1024 * 1024, "byte limit of one bulk request"},
    [CFG_ES_CONCURRENCY] = {"search.concurrency", {"TIS_SYNC_ES_CONCURRENCY"}, NULL, "2", KIND_INT, 1, 16,
                            "bulk requests in flight"},
    [CFG_ES_RETRIES] = {"search.retries", {"TIS_SYNC_ES_RETRIES"}, NULL, "8", KIND_INT, 0, 100,
                        "retries of a rejected (429/5xx) bulk item or request"},
    [CFG_ES_KEEP_PREVIOUS] = {"search.keep_previous", {"TIS_SYNC_ES_KEEP_PREVIOUS"}, NULL, "1", KIND_INT, 0, 100,
                              "older indices kept after the alias switch"},
    [CFG_ES_MIN_RATIO] = {"search.min_ratio", {"TIS_SYNC_ES_MIN_RATIO"}, NULL, "0.5", KIND_RATIO, 0, 0,
                          "a new index with fewer documents than this share of the one it replaces is not switched "
                          "to (a wrong database, a failed restore); `run --force` overrides it once"},
    [CFG_ES_TIMEOUT] = {"search.timeout", {"TIS_SYNC_ES_TIMEOUT"}, NULL, "120", KIND_INT, 1, 3600,
                        "seconds one search request may take"},
    [CFG_SLACK_TOKEN] = {"slack.token", {"SLACK_API_TOKEN"}, NULL, NULL, KIND_SECRET, 0, 0, "chat.postMessage token"},
    [CFG_SLACK_CHANNEL] = {"slack.channel", {"SLACK_CHANNEL", "SLACK_NOTIFICATION_CHANNEL"}, NULL, NULL, KIND_STRING,
                           0, 0, "channel for the token (needed with it)"},
    [CFG_SLACK_WEBHOOK] = {"slack.webhook_url", {"SLACK_WEBHOOK_URL"}, NULL, NULL, KIND_SECRET, 0, 0,
                           "incoming-webhook URL (instead of token)"},
    [CFG_SLACK_API_URL] = {"slack.api_url", {"TIS_SYNC_SLACK_API_URL"}, NULL, "https://slack.com/api", KIND_URLS, 0, 0,
                           "base URL of the Slack Web API"},
    [CFG_RABBIT_HOST] = {"rabbitmq.host", {"RABBITMQ_HOST"}, NULL, NULL, KIND_STRING, 0, 0,
                         "RabbitMQ broker host; the two reval jobs exist only when it is set"},
    [CFG_RABBIT_PORT] = {"rabbitmq.port", {"RABBITMQ_PORT"}, NULL, "5672", KIND_INT, 1, 65535, "broker port"},
    [CFG_RABBIT_USER] = {"rabbitmq.user", {"RABBITMQ_USERNAME"}, NULL, "guest", KIND_STRING, 0, 0, "broker user"},
    [CFG_RABBIT_PASSWORD] = {"rabbitmq.password", {"RABBITMQ_PASSWORD"}, NULL, "guest", KIND_SECRET, 0, 0,
                             "broker password; never logged"},
    [CFG_RABBIT_VHOST] = {"rabbitmq.vhost", {"RABBITMQ_VHOST"}, NULL, "/", KIND_STRING, 0, 0, "broker virtual host"},
    [CFG_RABBIT_SSL] = {"rabbitmq.ssl", {"RABBITMQ_USE_SSL"}, NULL, "false", KIND_BOOL, 0, 0,
                        "TLS to the broker, its certificate and host name verified"},
    [CFG_RABBIT_CA_FILE] = {"rabbitmq.ca_file", {"TIS_SYNC_RABBITMQ_CA_FILE"}, NULL, NULL, KIND_PATH, 0, 0,
                            "CA bundle for the broker's certificate (default: the system's)"},
    [CFG_RABBIT_TIMEOUT] = {"rabbitmq.timeout", {"TIS_SYNC_RABBITMQ_TIMEOUT"}, NULL, "30", KIND_INT, 1, 3600,
                            "seconds to connect, or to wait for the broker to confirm a message"},
    [CFG_REVAL_EXCHANGE] = {"reval.exchange", {"REVAL_RABBIT_EXCHANGE"}, NULL, "reval.exchange", KIND_STRING, 0, 0,
                            "exchange of the revalidation service (not declared by tis-sync)"},
    [CFG_REVAL_ROUTING_KEY] = {"reval.routing_key", {"REVAL_RABBIT_TRAINEEUPDATE_ROUTING_KEY"}, NULL,
                               "reval.trainee.update", KIND_STRING, 0, 0, "routing key of the trainee updates"},
    [CFG_HTTP_LISTEN] = {"http.listen", {"TIS_SYNC_HTTP_LISTEN"}, "--listen", "127.0.0.1:8080",
                         KIND_STRING, 0, 0, "address:port of the HTTP API of serve, or off"},
    [CFG_HTTP_AUTH] = {"http.auth", {"TIS_SYNC_HTTP_AUTH"}, NULL, "token", KIND_CHOICE, 0, 0,
                       "token: every request but GET /health and /readyz needs a bearer token (tis-sync token new); "
                       "none: no authentication, refused unless http.listen is a loopback address",
                       "token|none"},
    [CFG_HTTP_TLS_CERT] = {"http.tls_cert", {"TIS_SYNC_HTTP_TLS_CERT"}, NULL, NULL, KIND_PATH, 0, 0,
                           "PEM certificate (chain) file: serve the API over HTTPS (with http.tls_key)"},
    [CFG_HTTP_TLS_KEY] = {"http.tls_key", {"TIS_SYNC_HTTP_TLS_KEY"}, NULL, NULL, KIND_PATH, 0, 0,
                          "PEM private key file of http.tls_cert"},
    [CFG_HTTP_METRICS_AUTH] = {"http.metrics_auth", {"TIS_SYNC_HTTP_METRICS_AUTH"}, NULL, "viewer", KIND_CHOICE, 0, 0,
                               "viewer: GET /metrics needs a viewer (or operator) token; none: open to any client",
                               "viewer|none"},
    [CFG_HTTP_MAX_CONNECTIONS] = {"http.max_connections", {"TIS_SYNC_HTTP_MAX_CONNECTIONS"}, NULL, "256", KIND_INT, 4,
                                  4096, "HTTP connections open at once (each has a thread)"},
    [CFG_HTTP_MAX_PER_ADDRESS] = {"http.max_connections_per_address", {"TIS_SYNC_HTTP_MAX_CONNECTIONS_PER_ADDRESS"},
                                  NULL, "32", KIND_INT, 1, 4096,
                                  "HTTP connections open at once from one client address (raise it behind a proxy)"},
    [CFG_HTTP_SESSION_IDLE] = {"http.session_idle", {"TIS_SYNC_HTTP_SESSION_IDLE"}, NULL, "1800", KIND_INT, 2, 86400,
                               "seconds without a request after which a web console session ends"},
    [CFG_PROFILE] = {"service.profile", {"SPRING_PROFILES_ACTIVE"}, NULL, NULL, KIND_STRING, 0, 0,
                     "the legacy active profile, answered by GET /sync/api/sys/profile (the legacy page hides "
                     "its revalidation panel when it holds nimdta)"},
    [CFG_TEST_PAUSE_BEFORE_COMMIT] = {"debug.pause_before_commit_ms", {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS"}, NULL,
                                      "0", KIND_INT, 0, 600000, "tests only: sleep before a job commits"},
    [CFG_TEST_PAUSE_BEFORE_WRITE] = {"debug.pause_before_write_ms", {"TIS_SYNC_TEST_PAUSE_BEFORE_WRITE_MS"}, NULL, "0",
                                     KIND_INT, 0, 600000,
                                     "tests only: sleep after a job has read a table's current rows, before it writes"},
    [CFG_TEST_NOW] = {"debug.now", {"TIS_SYNC_TEST_NOW"}, NULL, NULL, KIND_TIMESTAMP, 0, 0,
                      "tests only: YYYY-MM-DDTHH:MM:SSZ; serve's clock starts there and runs on"},
#define JOB_POLICY_HELP "skip|run_once[:GRACE_SECONDS]; default startup.out_of_date_policy and startup.grace"
    [CFG_POLICY_PERSON_OWNER] = {"startup.policy.PersonOwnerRebuildJob",
                                 {"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONOWNERREBUILDJOB"}, NULL, NULL, KIND_JOB_POLICY,
                                 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_PERSON_TRUST_EMPLOYING] = {"startup.policy.PersonPlacementEmployingBodyTrustJob",
                                           {"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONPLACEMENTEMPLOYINGBODYTRUSTJOB"}, NULL,
                                           NULL, KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_PERSON_TRUST_TRAINING] = {"startup.policy.PersonPlacementTrainingBodyTrustJob",
                                          {"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONPLACEMENTTRAININGBODYTRUSTJOB"}, NULL,
                                          NULL, KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_POST_TRUST_EMPLOYING] = {"startup.policy.PostEmployingBodyTrustJob",
                                         {"TIS_SYNC_OUT_OF_DATE_POLICY_POSTEMPLOYINGBODYTRUSTJOB"}, NULL, NULL,
                                         KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_POST_TRUST_TRAINING] = {"startup.policy.PostTrainingBodyTrustJob",
                                        {"TIS_SYNC_OUT_OF_DATE_POLICY_POSTTRAININGBODYTRUSTJOB"}, NULL, NULL,
                                        KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_PERSON_SEARCH] = {"startup.policy.PersonElasticSearchSyncJob",
                                  {"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONELASTICSEARCHSYNCJOB"}, NULL, NULL,
                                  KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_PERSON_RECORD_STATUS] = {"startup.policy.PersonRecordStatusJob",
                                         {"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONRECORDSTATUSJOB"}, NULL, NULL,
                                         KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_REVAL_PM] = {"startup.policy.RevalCurrentPmSyncJob", {"TIS_SYNC_OUT_OF_DATE_POLICY_REVALCURRENTPMSYNCJOB"},
                             NULL, NULL, KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_POST_FUNDING_STATUS] = {"startup.policy.PostFundingStatusSyncJob",
                                        {"TIS_SYNC_OUT_OF_DATE_POLICY_POSTFUNDINGSTATUSSYNCJOB"}, NULL, NULL,
                                        KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_REVAL_PLACEMENT] = {"startup.policy.RevalCurrentPlacementSyncJob",
                                    {"TIS_SYNC_OUT_OF_DATE_POLICY_REVALCURRENTPLACEMENTSYNCJOB"}, NULL, NULL,
                                    KIND_JOB_POLICY, 0, 0, JOB_POLICY_HELP},
    [CFG_POLICY_POST_SEARCH] = {"startup.policy.PostElasticSearchSyncJob",
                                {"TIS_SYNC_OUT_OF_DATE_POLICY_POSTELASTICSEARCHSYNCJOB"}, NULL, NULL, KIND_JOB_POLICY,
                                0, 0, JOB_POLICY_HELP},
#undef JOB_POLICY_HELP
};

typedef struct {
    char *value;
    char *source;
} entry;

struct config {
    entry entries[CFG_COUNT];
    db_url url;
    bool url_resolved;
    bool owner_native;
};

config *config_new(void)
{
    config *cfg = xcalloc(1, sizeof *cfg);
    for (int i = 0; i < CFG_COUNT; i++) {
        if (settings[i].default_value) {
            cfg->entries[i].value = xstrdup(settings[i].default_value);
            cfg->entries[i].source = xstrdup("default");
        }
    }
    return cfg;
}

void config_free(config *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < CFG_COUNT; i++) {
        free(cfg->entries[i].value);
        free(cfg->entries[i].source);
    }
    db_url_free(&cfg->url);
    free(cfg);
}

static void set_entry(config *cfg, int key, const char *value, char *source)
{
    free(cfg->entries[key].value);
    free(cfg->entries[key].source);
    cfg->entries[key].value = xstrdup(value);
    cfg->entries[key].source = source;
}

static int find_key(const char *key)
{
    for (int i = 0; i < CFG_COUNT; i++)
        if (str_ieq(settings[i].key, key))
            return i;
    return -1;
}

/* One INI file being read: where it is, and which keys it set already. */
typedef struct {
    config *cfg;
    const char *path;
    int lineno;
    char section[128];
    bool seen[CFG_COUNT];
} ini_reader;

/* An unquoted value holding " ;" or " #": an inline comment, which this
 * format does not have (it would silently become part of the value). */
static bool has_inline_comment(const char *value)
{
    for (const char *p = value; *p && p[1]; p++)
        if ((p[1] == ';' || p[1] == '#') && isspace((unsigned char)p[0]))
            return true;
    return false;
}

static int apply_value(ini_reader *r, const char *name, char *value, strbuf *err)
{
    size_t vlen = strlen(value);
    bool quoted = vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"';
    if (quoted) {
        value[vlen - 1] = '\0';
        value++;
    }
    char *key = xasprintf("%s%s%s", r->section, *r->section ? "." : "", name);
    int idx = find_key(key);
    if (idx < 0)
        sb_printf(err, "%s:%d: unknown key '%s' (see tis-sync config-reference)", r->path, r->lineno, key);
    else if (r->seen[idx])
        sb_printf(err, "%s:%d: '%s' is set twice (first at %s)", r->path, r->lineno, key, r->cfg->entries[idx].source);
    else if (!quoted && has_inline_comment(value))
        sb_printf(err, "%s:%d: the value of '%s' holds an inline comment (' ;' or ' #'), which this format does not "
                       "have: put the comment on a line of its own, or quote the value",
                  r->path, r->lineno, key);
    else {
        r->seen[idx] = true;
        set_entry(r->cfg, idx, value, xasprintf("%s:%d", r->path, r->lineno));
        free(key);
        return 0;
    }
    free(key);
    return -1;
}

static int apply_ini_line(ini_reader *r, char *line, strbuf *err)
{
    str_trim(line);
    if (!*line || *line == '#' || *line == ';')
        return 0;
    if (*line == '[') {
        char *end = strchr(line, ']');
        if (!end || end[1]) {
            sb_printf(err, "%s:%d: malformed section header (expected [name])", r->path, r->lineno);
            return -1;
        }
        *end = '\0';
        snprintf(r->section, sizeof r->section, "%s", str_trim(line + 1));
        return 0;
    }
    char *eq = strchr(line, '=');
    if (!eq) {
        sb_printf(err, "%s:%d: expected key = value", r->path, r->lineno);
        return -1;
    }
    *eq = '\0';
    return apply_value(r, str_trim(line), str_trim(eq + 1), err);
}

int config_load_file(config *cfg, const char *path, strbuf *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        sb_printf(err, "cannot read config file %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = config_load_stream(cfg, f, path, err);
    fclose(f);
    return rc;
}

int config_load_stream(config *cfg, FILE *f, const char *path, strbuf *err)
{
    ini_reader r = {.cfg = cfg, .path = path};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
        r.lineno++;
        if (memchr(line, '\0', (size_t)n)) { /* the rest of the line would be dropped unseen */
            sb_printf(err, "%s:%d: the line holds a NUL byte", path, r.lineno);
            rc = -1;
        } else {
            rc = apply_ini_line(&r, line, err);
        }
    }
    free(line);
    return rc;
}

int config_load_env(config *cfg, strbuf *err)
{
    (void)err;
    for (int i = 0; i < CFG_COUNT; i++) {
        /* The preferred name wins over the legacy one: try legacy first. */
        for (int e = 1; e >= 0; e--) {
            const char *name = settings[i].env[e];
            const char *value = name ? getenv(name) : NULL;
            if (value && *value)
                set_entry(cfg, i, value, xasprintf("environment variable %s", name));
        }
    }
    return 0;
}

int config_set_flag(config *cfg, const char *flag, const char *value, strbuf *err)
{
    (void)err;
    for (int i = 0; i < CFG_COUNT; i++) {
        if (settings[i].flag && strcmp(settings[i].flag, flag) == 0) {
            set_entry(cfg, i, value, xasprintf("flag %s", flag));
            return 0;
        }
    }
    return 1;
}

static bool valid_urls(const char *s)
{
    char *copy = xstrdup(s), *save = NULL;
    bool ok = true, any = false;
    for (char *u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
        str_trim(u);
        if (!*u)
            continue;
        any = true;
        if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
            ok = false;
    }
    free(copy);
    return ok && any;
}

/* Whether VALUE is one of the '|'-separated WORDS. */
static bool word_in(const char *value, const char *words)
{
    size_t n = strlen(value);
    for (const char *w = words; w && *w;) {
        const char *end = strchr(w, '|');
        size_t len = end ? (size_t)(end - w) : strlen(w);
        if (len == n && strncmp(w, value, n) == 0)
            return true;
        w = end ? end + 1 : NULL;
    }
    return false;
}

/* Checks one value; on error appends "expected ..." to err. */
static bool check_value(int key, const char *value, strbuf *err)
{
    const setting *s = &settings[key];
    long long v;
    int y;
    log_level level;
    char cron_err[256];
    switch (s->kind) {
    case KIND_INT:
        if (parse_long(value, s->min, s->max, &v))
            return true;
        sb_printf(err, "expected a whole number from %lld to %lld", s->min, s->max);
        return false;
    case KIND_RATIO: {
        char *end = NULL;
        double d = strtod(value, &end);
        if (end != value && !*end && d >= 0 && d <= 1)
            return true;
        sb_puts(err, "expected a decimal from 0 to 1");
        return false;
    }
    case KIND_BOOL:
        if (str_ieq(value, "true") || str_ieq(value, "false") || !strcmp(value, "1") || !strcmp(value, "0"))
            return true;
        sb_puts(err, "expected true or false");
        return false;
    case KIND_OWNER_MODE:
        if (!strcmp(value, "procedure") || !strcmp(value, "native"))
            return true;
        sb_puts(err, "expected procedure or native");
        return false;
    case KIND_POLICY:
        if (!strcmp(value, "skip") || !strcmp(value, "run_once"))
            return true;
        sb_puts(err, "expected skip or run_once");
        return false;
    case KIND_DATE:
        if (parse_date(value, &y, NULL, NULL))
            return true;
        sb_puts(err, "expected a date YYYY-MM-DD");
        return false;
    case KIND_LOG_LEVEL:
        if (log_level_parse(value, &level))
            return true;
        sb_puts(err, "expected ERROR, WARN, INFO or DEBUG (or legacy TRACE, WARNING, FATAL, OFF)");
        return false;
    case KIND_TIME_OF_DAY:
        if (catchup_parse_time_of_day(value, NULL)) /* the parser serve uses */
            return true;
        sb_puts(err, "expected a time of day HH:MM[:SS] (UTC)");
        return false;
    case KIND_URLS:
        if (valid_urls(value))
            return true;
        sb_puts(err, "expected comma-separated http:// or https:// URLs");
        return false;
    case KIND_TIMESTAMP:
        if (catchup_parse_timestamp(value, NULL))
            return true;
        sb_puts(err, "expected a UTC time YYYY-MM-DDTHH:MM:SSZ");
        return false;
    case KIND_JOB_POLICY:
        if (job_policy_parse(value, NULL))
            return true;
        sb_puts(err, "expected skip, run_once or run_once:GRACE_SECONDS (at most 2678400)");
        return false;
    case KIND_DATE_OF_CHANGE:
        if (!*value || str_ieq(value, "ANY") || parse_date(value, &y, NULL, NULL))
            return true;
        sb_puts(err, "expected empty, ANY or a date YYYY-MM-DD");
        return false;
    case KIND_CRON: {
        cron_expr *expr = cron_parse(value, cron_err, sizeof cron_err);
        cron_free(expr);
        if (expr)
            return true;
        sb_printf(err, "expected a cron expression (sec min hour dom mon dow), a macro such as @daily, or -: %s",
                  cron_err);
        return false;
    }
    case KIND_CHOICE:
        if (word_in(value, s->choices))
            return true;
        sb_printf(err, "expected one of %s", s->choices);
        return false;
    default:
        if (*value || s->kind == KIND_SECRET)
            return true;
        sb_puts(err, "expected a non-empty value");
        return false;
    }
}

/* Secrets are never echoed back, even in an error; nor are URLs, which may
 * carry user:password. */
static void describe_bad_value(strbuf *err, int key, const config *cfg)
{
    const entry *e = &cfg->entries[key];
    if (settings[key].kind == KIND_SECRET || settings[key].kind == KIND_URLS)
        sb_printf(err, "bad value for %s (from %s): ", settings[key].key, e->source);
    else
        sb_printf(err, "bad value '%s' for %s (from %s): ", e->value, settings[key].key, e->source);
}

static bool is_given(const config *cfg, cfg_key key)
{
    const char *source = cfg->entries[key].source;
    return source && strcmp(source, "default") != 0;
}

/* The legacy service read the database from DBHOST, DBPORT, DBNAME, DBUSER
 * and DBPASSWORD, with localhost as the host when DBHOST was unset: any of
 * them means MariaDB/MySQL, and SQLite is the default only when nothing
 * about the database is configured. The pieces go straight into the
 * settings, never through a URL, so that any character is fine in them. */
static bool legacy_db_url(config *cfg)
{
    static const cfg_key pieces[] = {CFG_DB_HOST, CFG_DB_PORT, CFG_DB_NAME, CFG_DB_USER, CFG_DB_PASSWORD, CFG_DB_SSL};
    bool given = false;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
        given |= is_given(cfg, pieces[i]);
    if (!given)
        return false;
    const char *host = cfg->entries[CFG_DB_HOST].value;
    /* "localhost" would make the client library use its unix socket; the
     * legacy service (JDBC) reached localhost over TCP. */
    cfg->url = (db_url){.dialect = DB_MYSQL,
                        .host = xstrdup(host && *host ? host : "127.0.0.1"),
                        .port = (unsigned)cfg_int(cfg, CFG_DB_PORT),
                        .user = xstrdup(cfg->entries[CFG_DB_USER].value),
                        .database = xstrdup(cfg->entries[CFG_DB_NAME].value)};
    return true;
}

static int resolve_db_url(config *cfg, strbuf *err)
{
    const entry *url = &cfg->entries[CFG_DB_URL];
    const char *password = cfg->entries[CFG_DB_PASSWORD].value;
    char *perr = NULL;
    bool parse = url->value || !legacy_db_url(cfg);
    if (parse && !db_url_parse(url->value ? url->value : "sqlite:tis-sync.db", &cfg->url, &perr)) {
        sb_printf(err, "bad value for database.url (from %s): %s", url->source, perr);
        free(perr);
        return -1;
    }
    if (cfg->url.dialect == DB_MYSQL) {
        if (!cfg->url.password && password)
            cfg->url.password = xstrdup(password);
        if (cfg_bool(cfg, CFG_DB_SSL))
            cfg->url.ssl = true;
    }
    cfg->url_resolved = true;
    return 0;
}

static int resolve_owner_mode(config *cfg, strbuf *err)
{
    const entry *mode = &cfg->entries[CFG_OWNER_MODE];
    bool is_sqlite = cfg->url.dialect == DB_SQLITE;
    if (!mode->value) {
        cfg->owner_native = is_sqlite;
        return 0;
    }
    cfg->owner_native = strcmp(mode->value, "native") == 0;
    if (is_sqlite && !cfg->owner_native) {
        sb_printf(err, "bad value 'procedure' for jobs.owner_mode (from %s): SQLite has no stored procedures, "
                       "expected native", mode->source);
        return -1;
    }
    return 0;
}

bool cfg_http_auth_required(const config *cfg)
{
    return strcmp(cfg->entries[CFG_HTTP_AUTH].value, "none") != 0;
}

bool cfg_metrics_auth_required(const config *cfg)
{
    return cfg_http_auth_required(cfg) && strcmp(cfg->entries[CFG_HTTP_METRICS_AUTH].value, "none") != 0;
}

bool cfg_http_listen_is_loopback(const config *cfg)
{
    const char *listen = cfg->entries[CFG_HTTP_LISTEN].value, *colon = strrchr(listen, ':');
    char host[64];
    if (!colon || colon - listen >= (long)sizeof host)
        return false;
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return true;
    struct in_addr v4; /* an address, not a name that merely starts like one */
    return inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

/* Slack answers channel_not_found to every message of a token without a
 * channel, failure alerts included: refuse it at start instead. */
static int check_slack(const config *cfg, strbuf *err)
{
    const entry *token = &cfg->entries[CFG_SLACK_TOKEN];
    if (!token->value || cfg->entries[CFG_SLACK_CHANNEL].value)
        return 0;
    sb_printf(err, "slack.token (from %s) needs slack.channel (SLACK_CHANNEL or SLACK_NOTIFICATION_CHANNEL): "
                   "without one every message, failure alerts included, would be refused",
              token->source);
    return -1;
}

/* A lease renewed less often than twice per lease could expire under a
 * live holder after one missed renewal. */
static int check_lease(const config *cfg, strbuf *err)
{
    const entry *lease = &cfg->entries[CFG_LOCK_LEASE], *renew = &cfg->entries[CFG_LOCK_RENEW];
    if (2 * cfg_int(cfg, CFG_LOCK_RENEW) < cfg_int(cfg, CFG_LOCK_LEASE))
        return 0;
    sb_printf(err, "lock.renew = %s (from %s) must be less than half of lock.lease = %s (from %s)", renew->value,
              renew->source, lease->value, lease->source);
    return -1;
}

/* The HTTP settings that only make sense together. */
static int check_http(const config *cfg, strbuf *err)
{
    const entry *auth = &cfg->entries[CFG_HTTP_AUTH], *listen = &cfg->entries[CFG_HTTP_LISTEN];
    if (!cfg_http_auth_required(cfg) && !str_ieq(listen->value, "off") && !cfg_http_listen_is_loopback(cfg)) {
        sb_printf(err,
                  "http.auth = none (from %s) is refused: http.listen '%s' (from %s) is not a loopback address; "
                  "anyone reaching it could start and cancel jobs. Use tokens (http.auth = token) or listen on "
                  "127.0.0.1",
                  auth->source, listen->value, listen->source);
        return -1;
    }
    const entry *cert = &cfg->entries[CFG_HTTP_TLS_CERT], *key = &cfg->entries[CFG_HTTP_TLS_KEY];
    if (!cert->value != !key->value) {
        const entry *set = cert->value ? cert : key;
        sb_printf(err, "%s (from %s) needs %s as well", cert->value ? "http.tls_cert" : "http.tls_key", set->source,
                  cert->value ? "http.tls_key" : "http.tls_cert");
        return -1;
    }
    return 0;
}

int config_finish(config *cfg, strbuf *err)
{
    for (int i = 0; i < CFG_COUNT; i++) {
        if (!cfg->entries[i].value || i == CFG_DB_URL)
            continue;
        strbuf why;
        sb_init(&why);
        if (!check_value(i, cfg->entries[i].value, &why)) {
            describe_bad_value(err, i, cfg);
            sb_puts(err, why.data);
            sb_free(&why);
            return -1;
        }
        sb_free(&why);
    }
    db_url_free(&cfg->url);
    if (resolve_db_url(cfg, err) != 0 || resolve_owner_mode(cfg, err) != 0 || check_http(cfg, err) != 0 ||
        check_lease(cfg, err) != 0 || check_slack(cfg, err) != 0)
        return -1;
    return 0;
}

const char *cfg_str(const config *cfg, cfg_key key)
{
    return cfg->entries[key].value;
}

double cfg_ratio(const config *cfg, cfg_key key)
{
    const char *s = cfg->entries[key].value;
    return s ? strtod(s, NULL) : 0;
}

long long cfg_int(const config *cfg, cfg_key key)
{
    long long v = 0;
    const char *s = cfg->entries[key].value;
    if (s)
        parse_long(s, settings[key].min, settings[key].max, &v);
    return v;
}

bool cfg_bool(const config *cfg, cfg_key key)
{
    const char *s = cfg->entries[key].value;
    return s && (str_ieq(s, "true") || strcmp(s, "1") == 0);
}

const char *cfg_source(const config *cfg, cfg_key key)
{
    return cfg->entries[key].source ? cfg->entries[key].source : "unset";
}

const char *cfg_name(cfg_key key)
{
    return settings[key].key;
}

const db_url *cfg_db_url(const config *cfg)
{
    return &cfg->url;
}

db_options cfg_db_options(const config *cfg, bool create)
{
    db_options opts = {(unsigned)cfg_int(cfg, CFG_DB_CONNECT_TIMEOUT), (unsigned)cfg_int(cfg, CFG_DB_QUERY_TIMEOUT),
                       create};
    return opts;
}

bool cfg_owner_native(const config *cfg)
{
    return cfg->owner_native;
}

void config_print_reference(void)
{
    printf("%-46s %-42s %-14s %s\n", "key (INI section.name)", "environment", "flag", "default / meaning");
    for (int i = 0; i < CFG_COUNT; i++) {
        const setting *s = &settings[i];
        char env[128];
        snprintf(env, sizeof env, "%s%s%s", s->env[0] ? s->env[0] : "-", s->env[1] ? ", " : "",
                 s->env[1] ? s->env[1] : "");
        printf("%-46s %-42s %-14s %s%s%s\n", s->key, env, s->flag ? s->flag : "-",
               s->default_value ? s->default_value : "", s->default_value ? " - " : "", s->help);
    }
}
