/* owner_rule.c - the per-person owner rule (see owner_rule.h).
 *
 * Each step looks at ONE row: the first of its rows by the step's date
 * order, ties to the lowest row id (or uuid). A row with an owner ends the search; a
 * NULL owner keeps the step's name and goes on. NULL dates never match.
 * Dates are ISO strings, so strcmp orders them. */
#include "owner_rule.h"

#include <stdbool.h>
#include <string.h>

typedef enum { WHEN_CURRENT, WHEN_FUTURE, WHEN_PAST } when;

typedef struct {
    const char *rule;
    bool placements; /* PL rows, else PM rows */
    when filter;
} step;

static const step steps[] = {
    {"P1", false, WHEN_CURRENT}, {"P2", true, WHEN_CURRENT}, {"P5", false, WHEN_FUTURE},
    {"P6", true, WHEN_FUTURE},   {"P7", false, WHEN_PAST},   {"P8", true, WHEN_PAST},
};

static bool matches(const owner_candidate *c, when filter, const char *today)
{
    switch (filter) {
    case WHEN_CURRENT:
        return c->start && c->end && strcmp(c->start, today) <= 0 && strcmp(today, c->end) <= 0;
    case WHEN_FUTURE:
        return c->start && strcmp(today, c->start) < 0;
    default:
        return c->end && strcmp(today, c->end) > 0;
    }
}

/* Ties: the lowest uuid where the rows have one, else the lowest id. */
static bool lower_key(const owner_candidate *a, const owner_candidate *b)
{
    if (a->uuid && b->uuid)
        return strcmp(a->uuid, b->uuid) < 0;
    return a->id < b->id;
}

/* True if A comes before B in the step's order. */
static bool before(const owner_candidate *a, const owner_candidate *b, when filter)
{
    int cmp = filter == WHEN_PAST ? strcmp(b->end, a->end) : strcmp(a->start, b->start);
    return cmp < 0 || (cmp == 0 && lower_key(a, b));
}

static const owner_candidate *first_row(const owner_candidate *rows, size_t n, when filter, const char *today)
{
    const owner_candidate *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (matches(&rows[i], filter, today) && (!best || before(&rows[i], best, filter)))
            best = &rows[i];
    return best;
}

owner_choice owner_rule_choose(const char *today, const owner_candidate *programmes, size_t nprogrammes,
                               const owner_candidate *placements, size_t nplacements)
{
    owner_choice choice = {NULL, NULL};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        const step *st = &steps[s];
        const owner_candidate *row = st->placements ? first_row(placements, nplacements, st->filter, today)
                                                    : first_row(programmes, nprogrammes, st->filter, today);
        if (!row)
            continue;
        choice.owner = row->owner;
        choice.rule = st->rule;
        if (row->owner)
            break;
    }
    return choice;
}
