/* heartbeat.h - while `serve` runs, a thread writes this instance's
 * heartbeat to tis_sync_instance every HEARTBEAT_S seconds, and removes
 * it when the service stops (instances.h). */
#ifndef TIS_HEARTBEAT_H
#define TIS_HEARTBEAT_H

#include "config.h"

enum { HEARTBEAT_S = 10 };

typedef struct heartbeat heartbeat;

/* CFG must outlive the heartbeat; LISTENING_ON is the address the HTTP API
 * bound ("off" without one). NULL (logged) when the thread cannot start. */
heartbeat *heartbeat_start(const config *cfg, const char *listening_on);
void heartbeat_stop(heartbeat *h);

#endif
