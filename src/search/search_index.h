/* search_index.h - a zero-downtime rebuild of the index behind an alias
 * (SPEC 1.3 steps 2-4), independent of what the documents are:
 *
 *   begin:    note where ALIAS points now (or that it is still a legacy
 *             concrete index) and pick the new name ALIAS-<yyyyMMddHHmmssSSS>
 *   create:   the new index with the caller's mappings and bulk-friendly
 *             settings (no refresh, no replicas while loading)
 *   complete: normal settings back, refresh, and the document count check
 *   switch:   ONE _aliases request: add the alias to the new index, remove it
 *             from the old ones, remove_index the legacy concrete index
 *   prune:    delete older ALIAS-<timestamp> indices beyond `keep`
 *   abandon:  on any failure, delete the new index (never one the alias
 *             points to) and leave the alias where it was
 *
 * Searches on the alias see the old index until the switch and the complete
 * new one after it. */
#ifndef TIS_SEARCH_INDEX_H
#define TIS_SEARCH_INDEX_H

#include "search_client.h"

typedef struct {
    search_client *client;
    char *alias;
    char *index;   /* the new index */
    char **old;    /* indices the alias pointed at before */
    size_t nold;
    bool legacy;   /* the alias name is a concrete index (legacy service) */
    bool created;
    bool switched;
    bool switch_unknown; /* _aliases failed and the alias could not be read */
} search_rebuild;

/* Validates ALIAS, names the new index, reads the alias. 0 or -1 (*err). */
int search_rebuild_begin(search_rebuild *r, search_client *c, const char *alias, strbuf *err);
/* MAPPINGS: the JSON object of the "mappings" key. */
int search_rebuild_create(search_rebuild *r, const char *mappings, strbuf *err);
/* Restores normal settings, refreshes, and checks the count is DOCUMENTS. */
int search_rebuild_complete(search_rebuild *r, long long documents, strbuf *err);
/* The documents the alias serves now (the index it replaces); -1 when
 * it serves none yet. */
int search_rebuild_live_count(search_rebuild *r, long long *count, strbuf *err);
int search_rebuild_switch(search_rebuild *r, strbuf *err);
/* Deletes old ALIAS-<timestamp> indices beyond KEEP; returns how many could
 * not be deleted (reasons appended to *report, the alias is fine anyway). */
int search_rebuild_prune(search_rebuild *r, int keep, strbuf *report);
/* Deletes the new index unless the alias points to it. Appends a reason to
 * *err when that fails. */
void search_rebuild_abandon(search_rebuild *r, strbuf *err);
void search_rebuild_free(search_rebuild *r);

/* True for a usable alias: lower-case letters, digits, '-', '_', '.', not
 * starting with '-', '_' or '.', at most 200 bytes. */
bool search_alias_valid(const char *alias);

#endif
