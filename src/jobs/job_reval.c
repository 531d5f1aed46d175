/* job_reval.c - RevalCurrentPmSyncJob and RevalCurrentPlacementSyncJob
 * (SPEC-2026 2.4), written once. They write nothing in TCS: each reads the
 * persons whose current programme membership or placement changes today
 * (one ordered, distinct read) and publishes their ids to the revalidation
 * service's exchange, at most 5,000 ascending ids per message, as a JSON
 * array of strings with the headers its Java (Spring AMQP) consumer knows.
 * Every message is confirmed by the broker (amqp_publisher.c); one that is
 * not fails the job, which the operator re-runs (the consumer is
 * idempotent). The broker is reached before anything is read, so a broker
 * that is down fails the job on a night with no changes too. */
#include "amqp_publisher.h"
#include "jobs.h"
#include "json_writer.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

enum { IDS_PER_MESSAGE = 5000 };

/* What the Spring consumer's Jackson converter reads the message as. */
static const amqp_header type_headers[] = {{"__TypeId__", "java.util.HashSet"},
                                           {"__ContentTypeId__", "java.lang.Object"}};

typedef struct {
    job_ctx *ctx;
    amqp_publisher *broker;
    strbuf body;
    json_writer w;
    size_t ids;
    long long messages;
} batcher;

static amqp_publisher *connect_broker(job_ctx *ctx)
{
    const config *cfg = ctx->cfg;
    amqp_options opts = {
        .host = cfg_str(cfg, CFG_RABBIT_HOST),
        .port = (int)cfg_int(cfg, CFG_RABBIT_PORT),
        .user = cfg_str(cfg, CFG_RABBIT_USER),
        .password = cfg_str(cfg, CFG_RABBIT_PASSWORD) ? cfg_str(cfg, CFG_RABBIT_PASSWORD) : "",
        .vhost = cfg_str(cfg, CFG_RABBIT_VHOST),
        .tls = cfg_bool(cfg, CFG_RABBIT_SSL),
        .ca_file = cfg_str(cfg, CFG_RABBIT_CA_FILE),
        .timeout_s = (int)cfg_int(cfg, CFG_RABBIT_TIMEOUT),
    };
    strbuf err;
    sb_init(&err);
    amqp_publisher *p = amqp_publisher_open(&opts, &err);
    if (!p)
        job_fail(ctx, "connect to RabbitMQ", "%s", err.data);
    sb_free(&err);
    return p;
}

static int send_message(batcher *b)
{
    if (b->ids == 0)
        return 0;
    jw_array_end(&b->w);
    const config *cfg = b->ctx->cfg;
    const char *exchange = cfg_str(cfg, CFG_REVAL_EXCHANGE), *key = cfg_str(cfg, CFG_REVAL_ROUTING_KEY);
    strbuf err;
    sb_init(&err);
    int rc = amqp_publisher_send(b->broker, exchange, key, "application/json", type_headers,
                                 (int)(sizeof type_headers / sizeof *type_headers), b->body.data, b->body.len, &err);
    if (rc != 0)
        job_fail(b->ctx, "publish", "message %lld (%zu ids) to exchange '%s' with routing key '%s': %s",
                 b->messages + 1, b->ids, exchange, key, err.data);
    else
        b->messages++;
    sb_free(&err);
    b->ids = 0;
    return rc;
}

static int add_id(batcher *b, long long id)
{
    if (b->ids == 0) {
        sb_reset(&b->body);
        jw_init(&b->w, &b->body);
        jw_array_begin(&b->w);
    }
    char text[24];
    snprintf(text, sizeof text, "%lld", id);
    jw_string(&b->w, text);
    b->ids++;
    b->ctx->records++;
    atomic_fetch_add(&b->ctx->rows_done, 1);
    return b->ids == IDS_PER_MESSAGE ? send_message(b) : 0;
}

static int publish_ids(batcher *b, db *conn, const char *sql)
{
    job_ctx *ctx = b->ctx;
    char yesterday[11];
    if (!date_add_days(ctx->today, -1, yesterday))
        return job_fail(ctx, "today", "'%s' is not a date", ctx->today);
    db_param params[] = {DBP_TEXT(ctx->today), DBP_TEXT(yesterday)};
    db_rows *rows = db_query(conn, job_sql(ctx, conn, sql), params, 2);
    if (!rows)
        return job_fail(ctx, "read", "%s", db_error(conn));
    int state, rc = 0;
    while (rc == 0 && (state = db_rows_next(rows)) == 1)
        rc = add_id(b, db_col_int(rows, 0));
    if (rc == 0 && state < 0)
        rc = job_fail(ctx, "read", "%s", db_error(conn));
    if (db_rows_close(rows) != 0 && rc == 0)
        rc = job_fail(ctx, "read", "%s", db_error(conn));
    if (rc == 0)
        rc = send_message(b);
    return rc;
}

static int run_reval_job(job_ctx *ctx, const char *sql)
{
    batcher b = {.ctx = ctx};
    sb_init(&b.body);
    db *conn = job_connect(ctx, "connect");
    b.broker = conn ? connect_broker(ctx) : NULL;
    int rc = b.broker ? publish_ids(&b, conn, sql) : -1;
    if (rc == 0) {
        ctx->rows_written = ctx->records; /* the ids published */
        log_info("Sync [%s]: %lld persons published in %lld message(s) to exchange '%s'", job_table[ctx->job].name,
                 ctx->records, b.messages, cfg_str(ctx->cfg, CFG_REVAL_EXCHANGE));
    }
    amqp_publisher_close(b.broker);
    db_close(conn);
    sb_free(&b.body);
    return rc;
}

int job_reval_pm(job_ctx *ctx)
{
    return run_reval_job(ctx, "reval_pm_persons");
}

int job_reval_placement(job_ctx *ctx)
{
    return run_reval_job(ctx, "reval_placement_persons");
}
