/* owner_rule.h - the owner rule of SPEC 1.1 for one person, as a pure
 * function: the native PersonOwner mode applies it to each person of three
 * ordered streams, and the unit tests pin it against the SPEC cases. */
#ifndef TIS_OWNER_RULE_H
#define TIS_OWNER_RULE_H

#include <stddef.h>

/* One PM or PL row: dates are 'YYYY-MM-DD' or NULL, owner may be NULL.
 * Ties go to the lowest id, or, for the memberships of the 2026 schema
 * (keyed by uuid), to the lowest uuid compared as bytes. */
typedef struct {
    long long id;
    const char *start; /* programmeStartDate or dateFrom */
    const char *end;   /* programmeEndDate or dateTo */
    const char *owner;
    const char *uuid;  /* the 2026 ProgrammeMembership key; NULL elsewhere */
} owner_candidate;

typedef struct {
    const char *owner; /* points into the candidates; NULL if none */
    const char *rule;  /* "P1".."P8", or NULL when no step found a row */
} owner_choice;

owner_choice owner_rule_choose(const char *today, const owner_candidate *programmes, size_t nprogrammes,
                               const owner_candidate *placements, size_t nplacements);

#endif
