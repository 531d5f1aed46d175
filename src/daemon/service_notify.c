/* service_notify.c - sd_notify(3) messages (see service_notify.h).
 *
 * Global: the last STATUS sent, so that an unchanged status is not resent
 * on every wake-up. Only the scheduler thread calls these. */
#include "service_notify.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

static char last_status[512];

static void send_state(const char *state)
{
    int rc = sd_notify(0, state);
    if (rc < 0)
        log_debug("sd_notify failed: %s", strerror(-rc));
}

static void send_status(const char *prefix, const char *status)
{
    char msg[600];
    snprintf(last_status, sizeof last_status, "%s", status ? status : "");
    snprintf(msg, sizeof msg, "%sSTATUS=%s", prefix, last_status);
    send_state(msg);
}

void svcn_ready(const char *status)
{
    send_status("READY=1\n", status);
}

void svcn_reloading(void)
{
    send_state("RELOADING=1");
}

void svcn_stopping(const char *status)
{
    send_status("STOPPING=1\n", status);
}

void svcn_status(const char *text)
{
    char clipped[sizeof last_status];
    snprintf(clipped, sizeof clipped, "%s", text);
    if (strcmp(clipped, last_status) != 0)
        send_status("", clipped);
}

double svcn_watchdog_interval(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return 0;
    return (double)usec / 2e6;
}

void svcn_watchdog(void)
{
    send_state("WATCHDOG=1");
}
