/* service_notify.h - talking to the service manager (systemd Type=notify):
 * READY, STATUS, RELOADING, STOPPING and the watchdog keep-alive. Every
 * call is a no-op when NOTIFY_SOCKET is unset (foreground, container). */
#ifndef TIS_SERVICE_NOTIFY_H
#define TIS_SERVICE_NOTIFY_H

#include <stdbool.h>

void svcn_ready(const char *status);
void svcn_reloading(void);
void svcn_stopping(const char *status);
/* Sends STATUS=TEXT when it differs from the last one sent. */
void svcn_status(const char *text);
/* The keep-alive interval (half of WatchdogSec) in seconds, or 0 when the
 * watchdog is off. Read once, at start-up. */
double svcn_watchdog_interval(void);
void svcn_watchdog(void);

#endif
