/* version.h - the version tis-sync reports (--version, the API, the
 * tis_sync_build_info metric). */
#ifndef TIS_VERSION_H
#define TIS_VERSION_H

#define TIS_SYNC_VERSION "0.8.0"

#endif
