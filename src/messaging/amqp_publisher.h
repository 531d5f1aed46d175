/* amqp_publisher.h - publishes messages to a RabbitMQ exchange and waits
 * for the broker to take each one (rabbitmq-c).
 *
 * Every message is published `mandatory` on a channel in confirm mode: it
 * counts as sent only when the broker acknowledges it. A message no queue
 * is bound for (basic.return), one the broker refuses (basic.nack), a
 * missing exchange (the broker closes the channel), a lost connection or no
 * answer within the timeout are each an error with the broker's words.
 * Passwords never appear in a message. */
#ifndef TIS_AMQP_PUBLISHER_H
#define TIS_AMQP_PUBLISHER_H

#include "util.h"

#include <stdbool.h>

typedef struct {
    const char *host;
    int port;
    const char *user;
    const char *password;
    const char *vhost;
    bool tls;               /* verify the broker's certificate and host name */
    const char *ca_file;    /* CA bundle; NULL: the system's */
    int timeout_s;          /* connecting, and waiting for each confirm */
} amqp_options;

/* One message header: a string value. */
typedef struct {
    const char *name;
    const char *value;
} amqp_header;

typedef struct amqp_publisher amqp_publisher;

/* Connects, logs in and opens a confirming channel. NULL with *err set. */
amqp_publisher *amqp_publisher_open(const amqp_options *opts, strbuf *err);
/* Publishes BODY (persistent, with CONTENT_TYPE, encoding UTF-8 and the
 * headers) to EXCHANGE with ROUTING_KEY, and waits for the confirm. 0 or
 * -1 with *err set; after an error the publisher is unusable. */
int amqp_publisher_send(amqp_publisher *p, const char *exchange, const char *routing_key, const char *content_type,
                        const amqp_header *headers, int nheaders, const char *body, size_t len, strbuf *err);
/* Closes the channel and the connection. */
void amqp_publisher_close(amqp_publisher *p);

#endif
