/* amqp_publisher.c - RabbitMQ publishing with confirms (see
 * amqp_publisher.h), on Debian's rabbitmq-c (librabbitmq 0.11). That
 * version has no helper to wait for a confirm, so the frames after a
 * publish are read here: basic.ack ends the wait; basic.return (the
 * message was unroutable, `mandatory`) is followed by the message itself
 * and then an ack; basic.nack, channel.close and connection.close are
 * errors. */
#include "amqp_publisher.h"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/time.h>

enum { CHANNEL = 1, FRAME_MAX = 131072, MAX_HEADERS = 8 };

/* rabbitmq-c does not load the system's trust store by itself. */
static const char system_ca_bundle[] = "/etc/ssl/certs/ca-certificates.crt";

struct amqp_publisher {
    amqp_connection_state_t conn;
    int timeout_s;
    uint64_t next_tag;       /* confirm mode numbers the messages from 1 */
    bool logged_in, channel_open;
};

/* The broker's words, printable characters only. */
static void append_bytes(strbuf *out, amqp_bytes_t b)
{
    const unsigned char *s = b.bytes;
    for (size_t i = 0; i < b.len; i++)
        sb_putc(out, isprint(s[i]) ? (char)s[i] : '?');
}

static void describe_close(strbuf *err, uint16_t code, amqp_bytes_t text)
{
    sb_printf(err, "%u ", code);
    append_bytes(err, text);
}

static void describe_reply(strbuf *err, amqp_rpc_reply_t r)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        sb_puts(err, "ok");
        break;
    case AMQP_RESPONSE_NONE:
        sb_puts(err, "no answer from the broker");
        break;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        sb_puts(err, amqp_error_string2(r.library_error));
        break;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const amqp_connection_close_t *m = r.reply.decoded;
            describe_close(err, m->reply_code, m->reply_text);
        } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const amqp_channel_close_t *m = r.reply.decoded;
            describe_close(err, m->reply_code, m->reply_text);
        } else {
            sb_printf(err, "unexpected answer 0x%08x", (unsigned)r.reply.id);
        }
        break;
    }
}

static int open_socket(amqp_publisher *p, const amqp_options *o, strbuf *err)
{
    amqp_socket_t *sock = o->tls ? amqp_ssl_socket_new(p->conn) : amqp_tcp_socket_new(p->conn);
    if (!sock) {
        sb_puts(err, "cannot create a socket for RabbitMQ");
        return -1;
    }
    const char *ca = o->ca_file ? o->ca_file : system_ca_bundle;
    if (o->tls && amqp_ssl_socket_set_cacert(sock, ca) != AMQP_STATUS_OK) {
        sb_printf(err, "cannot read the CA bundle %s for RabbitMQ", ca);
        return -1;
    }
    if (o->tls) {
        amqp_ssl_socket_set_verify_peer(sock, 1);
        amqp_ssl_socket_set_verify_hostname(sock, 1);
    }
    struct timeval tv = {o->timeout_s, 0};
    errno = 0;
    int status = amqp_socket_open_noblock(sock, o->host, o->port, &tv);
    if (status == AMQP_STATUS_OK)
        return 0;
    int saved = errno;
    sb_printf(err, "cannot connect to RabbitMQ at %s:%d%s: %s", o->host, o->port, o->tls ? " (TLS)" : "",
              amqp_error_string2(status));
    /* After a non-blocking connect errno may only say EINPROGRESS. */
    if (saved && saved != EINPROGRESS && status == AMQP_STATUS_SOCKET_ERROR)
        sb_printf(err, " (%s)", strerror(saved));
    else if (status == AMQP_STATUS_SOCKET_ERROR)
        sb_puts(err, " (nothing answered: is the broker up and listening there?)");
    return -1;
}

static int log_in(amqp_publisher *p, const amqp_options *o, strbuf *err)
{
    struct timeval tv = {o->timeout_s, 0};
    amqp_set_handshake_timeout(p->conn, &tv);
    amqp_set_rpc_timeout(p->conn, &tv);
    amqp_rpc_reply_t r =
        amqp_login(p->conn, o->vhost, 0, FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN, o->user, o->password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        sb_printf(err, "RabbitMQ at %s:%d refused the login of user '%s' to virtual host '%s': ", o->host, o->port,
                  o->user, o->vhost);
        describe_reply(err, r);
        return -1;
    }
    p->logged_in = true;
    amqp_channel_open(p->conn, CHANNEL);
    r = amqp_get_rpc_reply(p->conn);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        p->channel_open = true;
        amqp_confirm_select(p->conn, CHANNEL);
        r = amqp_get_rpc_reply(p->conn);
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        sb_puts(err, "RabbitMQ: cannot open a channel with publisher confirms: ");
        describe_reply(err, r);
        return -1;
    }
    p->next_tag = 1;
    return 0;
}

amqp_publisher *amqp_publisher_open(const amqp_options *opts, strbuf *err)
{
    amqp_publisher *p = xcalloc(1, sizeof *p);
    p->timeout_s = opts->timeout_s;
    p->conn = amqp_new_connection();
    if (!p->conn) {
        sb_puts(err, "cannot allocate a RabbitMQ connection");
        free(p);
        return NULL;
    }
    if (open_socket(p, opts, err) != 0 || log_in(p, opts, err) != 0) {
        amqp_publisher_close(p);
        return NULL;
    }
    return p;
}

/* Answers a close from the broker, which then drops the channel or the
 * connection. */
static void acknowledge_close(amqp_publisher *p, amqp_channel_t channel, bool connection)
{
    if (connection) {
        amqp_connection_close_ok_t ok = {0};
        amqp_send_method(p->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        p->logged_in = p->channel_open = false;
    } else {
        amqp_channel_close_ok_t ok = {0};
        amqp_send_method(p->conn, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        p->channel_open = false;
    }
}

/* Handles one method frame while waiting for the confirm of TAG: 1 the
 * wait is over (confirmed), 0 go on, -1 error. *RETURNED is set by a
 * basic.return (whose ack follows). */
static int on_method(amqp_publisher *p, const amqp_frame_t *f, uint64_t tag, bool *returned, strbuf *err)
{
    const void *m = f->payload.method.decoded;
    switch (f->payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
        const amqp_basic_ack_t *ack = m;
        return ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag >= tag) ? 1 : 0;
    }
    case AMQP_BASIC_NACK_METHOD:
        sb_puts(err, "the broker refused the message (basic.nack)");
        return -1;
    case AMQP_BASIC_RETURN_METHOD: {
        const amqp_basic_return_t *ret = m;
        sb_puts(err, "the broker returned the message as unroutable (no queue is bound for its exchange and "
                     "routing key): ");
        describe_close(err, ret->reply_code, ret->reply_text);
        *returned = true;
        amqp_message_t message;
        amqp_rpc_reply_t r = amqp_read_message(p->conn, f->channel, &message, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL)
            amqp_destroy_message(&message);
        return 0;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
        const amqp_channel_close_t *c = m;
        sb_puts(err, "the broker closed the channel: ");
        describe_close(err, c->reply_code, c->reply_text);
        acknowledge_close(p, f->channel, false);
        return -1;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        const amqp_connection_close_t *c = m;
        sb_puts(err, "the broker closed the connection: ");
        describe_close(err, c->reply_code, c->reply_text);
        acknowledge_close(p, 0, true);
        return -1;
    }
    default:
        return 0;
    }
}

static int wait_confirm(amqp_publisher *p, uint64_t tag, strbuf *err)
{
    bool returned = false;
    for (;;) {
        struct timeval tv = {p->timeout_s, 0};
        amqp_frame_t frame;
        amqp_maybe_release_buffers(p->conn);
        int status = amqp_simple_wait_frame_noblock(p->conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT) {
            sb_printf(err, "%sthe broker did not confirm the message within %d s", returned ? "; " : "",
                      p->timeout_s);
            return -1;
        }
        if (status != AMQP_STATUS_OK) {
            sb_printf(err, "%slost the connection to RabbitMQ waiting for the confirm: %s", returned ? "; " : "",
                      amqp_error_string2(status));
            p->logged_in = p->channel_open = false;
            return -1;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        int rc = on_method(p, &frame, tag, &returned, err);
        if (rc != 0)
            return rc > 0 && !returned ? 0 : -1;
    }
}

int amqp_publisher_send(amqp_publisher *p, const char *exchange, const char *routing_key, const char *content_type,
                        const amqp_header *headers, int nheaders, const char *body, size_t len, strbuf *err)
{
    if (!p->channel_open) {
        sb_puts(err, "the RabbitMQ channel is closed");
        return -1;
    }
    amqp_table_entry_t entries[MAX_HEADERS];
    int n = nheaders < MAX_HEADERS ? nheaders : MAX_HEADERS;
    for (int i = 0; i < n; i++) {
        entries[i].key = amqp_cstring_bytes(headers[i].name);
        entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[i].value.value.bytes = amqp_cstring_bytes(headers[i].value);
    }
    amqp_basic_properties_t props = {0};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_HEADERS_FLAG;
    props.content_type = amqp_cstring_bytes(content_type);
    props.content_encoding = amqp_cstring_bytes("UTF-8");
    props.delivery_mode = 2; /* persistent */
    props.headers.num_entries = n;
    props.headers.entries = entries;
    amqp_bytes_t bytes = {len, (void *)body};
    int status = amqp_basic_publish(p->conn, CHANNEL, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key),
                                    1 /* mandatory */, 0, &props, bytes);
    if (status != AMQP_STATUS_OK) {
        sb_printf(err, "publishing to exchange '%s' failed: %s", exchange, amqp_error_string2(status));
        return -1;
    }
    return wait_confirm(p, p->next_tag++, err);
}

void amqp_publisher_close(amqp_publisher *p)
{
    if (!p)
        return;
    if (p->channel_open)
        amqp_channel_close(p->conn, CHANNEL, AMQP_REPLY_SUCCESS);
    if (p->logged_in)
        amqp_connection_close(p->conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(p->conn);
    free(p);
}
