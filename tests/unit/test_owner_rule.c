/* Pins the owner rule of SPEC 1.1 on hand-made cases: the SPEC acceptance
 * data, the NULL-owner fall-through, ties (by id, and by uuid on the 2026
 * schema), NULL dates, and a row with inconsistent dates that two steps
 * look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "owner_rule.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_choice(owner_choice c, const char *owner, const char *rule)
{
    if (owner)
        assert_string_equal(c.owner, owner);
    else
        assert_null(c.owner);
    if (rule)
        assert_string_equal(c.rule, rule);
    else
        assert_null(c.rule);
}

static void spec_acceptance_cases(void **state)
{
    (void)state;
    const char *today = "2019-08-20";
    owner_candidate person1[] = {{1, "2018-03-05", "2019-03-04", NULL, NULL}, {4, "2020-03-05", "2021-03-04", "Yorkshire", NULL}};
    owner_candidate person2[] = {{2, "2019-03-05", "2020-03-04", "West London", NULL}, {3, "2018-02-07", "2018-07-31", NULL, NULL}};
    owner_candidate person3[] = {{5, "2018-02-07", "2018-07-31", "Wessex", NULL}};
    assert_choice(owner_rule_choose(today, NULL, 0, person1, N(person1)), "Yorkshire", "P6");
    assert_choice(owner_rule_choose(today, NULL, 0, person2, N(person2)), "West London", "P2");
    assert_choice(owner_rule_choose(today, NULL, 0, person3, N(person3)), "Wessex", "P8");
}

static void nobody_has_rows(void **state)
{
    (void)state;
    assert_choice(owner_rule_choose("2020-01-01", NULL, 0, NULL, 0), NULL, NULL);
}

static void programme_before_placement(void **state)
{
    (void)state;
    owner_candidate pm[] = {{7, "2019-01-01", "2021-01-01", "PM owner", NULL}};
    owner_candidate pl[] = {{8, "2019-01-01", "2021-01-01", "PL owner", NULL}};
    assert_choice(owner_rule_choose("2020-01-01", pm, 1, pl, 1), "PM owner", "P1");
}

static void null_owner_goes_on_and_keeps_the_last_rule(void **state)
{
    (void)state;
    /* P1's row has no owner; P2 finds no row; P7 finds an ownerless row;
     * nothing later matches: the result is (NULL, P7). */
    owner_candidate pm[] = {{1, "2019-01-01", "2021-01-01", NULL, NULL}, {2, "2010-01-01", "2011-01-01", NULL, NULL}};
    assert_choice(owner_rule_choose("2020-01-01", pm, N(pm), NULL, 0), NULL, "P7");
}

static void each_step_looks_at_one_row_only(void **state)
{
    (void)state;
    /* The first current membership has no owner; a later one has one, but
     * P1 looks only at its first row, so the search goes on to P2. */
    owner_candidate pm[] = {{1, "2019-01-01", "2021-01-01", NULL, NULL}, {2, "2019-06-01", "2021-01-01", "later", NULL}};
    owner_candidate pl[] = {{3, "2019-02-01", "2020-12-01", "placement", NULL}};
    assert_choice(owner_rule_choose("2020-01-01", pm, N(pm), pl, N(pl)), "placement", "P2");
}

static void ties_go_to_the_lowest_id(void **state)
{
    (void)state;
    owner_candidate pl[] = {{9, "2019-01-01", "2021-01-01", "nine", NULL}, {4, "2019-01-01", "2021-01-01", "four", NULL}};
    assert_choice(owner_rule_choose("2020-01-01", NULL, 0, pl, N(pl)), "four", "P2");
    owner_candidate past[] = {{9, "2010-01-01", "2012-01-01", "nine", NULL}, {4, "2009-01-01", "2012-01-01", "four", NULL},
                              {2, "2010-01-01", "2011-01-01", "older", NULL}};
    assert_choice(owner_rule_choose("2020-01-01", NULL, 0, past, N(past)), "four", "P8");
}

static void membership_ties_go_to_the_lowest_uuid(void **state)
{
    (void)state;
    /* 2026 schema: memberships are keyed by uuid; the lowest uuid as bytes
     * wins a tie, whatever the ids say. */
    owner_candidate pm[] = {{0, "2019-01-01", "2021-01-01", "b", "b0e1c2d3-0000-4000-8000-000000000000"},
                            {0, "2019-01-01", "2021-01-01", "a", "a0e1c2d3-0000-4000-8000-000000000000"},
                            {0, "2019-01-01", "2021-01-01", "nine", "90e1c2d3-0000-4000-8000-000000000000"}};
    assert_choice(owner_rule_choose("2020-01-01", pm, N(pm), NULL, 0), "nine", "P1");
    owner_candidate past[] = {{0, "2010-01-01", "2012-01-01", "late", "f0000000-0000-4000-8000-000000000000"},
                              {0, "2010-01-01", "2012-01-01", "early", "0f000000-0000-4000-8000-000000000000"}};
    assert_choice(owner_rule_choose("2020-01-01", past, N(past), NULL, 0), "early", "P7");
}

static void null_dates_never_match(void **state)
{
    (void)state;
    owner_candidate pl[] = {{1, NULL, "2021-01-01", "a", NULL}, {2, "2019-01-01", NULL, "b", NULL}, {3, NULL, NULL, "c", NULL}};
    /* Row 2 starts in the past with no end: not current, not future, not
     * past. Row 1 ends in the future with no start: nothing either. */
    assert_choice(owner_rule_choose("2020-01-01", NULL, 0, pl, N(pl)), NULL, NULL);
    /* Row 1 ended before today: P8 matches on its end date alone. */
    assert_choice(owner_rule_choose("2022-01-01", NULL, 0, pl, N(pl)), "a", "P8");
}

static void inconsistent_row_is_seen_by_two_steps(void **state)
{
    (void)state;
    /* Starts after today and ended before today: P5 and P7 both see it. */
    owner_candidate pm[] = {{1, "2021-01-01", "2019-01-01", NULL, NULL}};
    assert_choice(owner_rule_choose("2020-01-01", pm, 1, NULL, 0), NULL, "P7");
}

static void boundaries_are_inclusive(void **state)
{
    (void)state;
    owner_candidate pl[] = {{1, "2020-01-01", "2020-01-01", "one day", NULL}};
    assert_choice(owner_rule_choose("2020-01-01", NULL, 0, pl, 1), "one day", "P2");
    assert_choice(owner_rule_choose("2019-12-31", NULL, 0, pl, 1), "one day", "P6");
    assert_choice(owner_rule_choose("2020-01-02", NULL, 0, pl, 1), "one day", "P8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_acceptance_cases),
        cmocka_unit_test(nobody_has_rows),
        cmocka_unit_test(programme_before_placement),
        cmocka_unit_test(null_owner_goes_on_and_keeps_the_last_rule),
        cmocka_unit_test(each_step_looks_at_one_row_only),
        cmocka_unit_test(ties_go_to_the_lowest_id),
        cmocka_unit_test(membership_ties_go_to_the_lowest_uuid),
        cmocka_unit_test(null_dates_never_match),
        cmocka_unit_test(inconsistent_row_is_seen_by_two_steps),
        cmocka_unit_test(boundaries_are_inclusive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
