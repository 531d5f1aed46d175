/* notify.h - Slack notifications (SPEC 4): posted by a background thread
 * with retries, through chat.postMessage (token + channel) or an incoming
 * webhook. A message that cannot be sent is logged; it never fails or delays
 * a job. Without Slack settings every call is a no-op. */
#ifndef TIS_NOTIFY_H
#define TIS_NOTIFY_H

#include "config.h"

/* Starts the sender when Slack is configured. */
void notify_start(const config *cfg);
/* TEXT with Slack's control characters (&, <, >) escaped, for the parts of
 * a message that come from data (job names, error texts). Caller frees. */
char *notify_escape(const char *text);
/* Queues a message (never blocks on the network). */
void notify_send(const char *text);
/* Sends what is queued for up to WAIT_S seconds, then stops the sender. */
void notify_stop(unsigned wait_s);

#endif
