/* test_run_events.c - unit tests for run_events.h: readers see what is
 * published after they start following, in order; a reader that falls
 * more than RUN_EVENTS_KEPT behind is told how many it missed; the number
 * of readers is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "run_events.h"

static void publish(long long run_id, run_event_kind kind)
{
    run_events_publish((run_event){.kind = kind, .run_id = run_id, .job = JOB_PERSON_OWNER});
}

static void test_readers_follow_in_order(void **state)
{
    (void)state;
    publish(1, RUN_EVENT_STARTED); /* before anyone follows: not seen */
    run_events_reader *a = run_events_follow(4), *b = run_events_follow(4);
    assert_non_null(a);
    assert_non_null(b);
    run_event e;
    unsigned long long missed = 0;
    assert_int_equal(run_events_next(a, &e, 10, &missed), 0); /* nothing yet: times out */
    publish(2, RUN_EVENT_STARTED);
    publish(2, RUN_EVENT_FINISHED);
    for (int i = 0; i < 2; i++) {
        run_events_reader *r = i ? b : a;
        assert_int_equal(run_events_next(r, &e, 10, &missed), 1);
        assert_int_equal(e.run_id, 2);
        assert_int_equal(e.kind, RUN_EVENT_STARTED);
        assert_int_equal(run_events_next(r, &e, 10, &missed), 1);
        assert_int_equal(e.kind, RUN_EVENT_FINISHED);
        assert_true(e.at_ms > 0);
    }
    run_events_unfollow(a);
    run_events_unfollow(b);
}

static void test_a_slow_reader_is_told_what_it_missed(void **state)
{
    (void)state;
    run_events_reader *r = run_events_follow(4);
    for (long long i = 0; i < RUN_EVENTS_KEPT + 88; i++)
        publish(100 + i, RUN_EVENT_PROGRESS);
    run_event e;
    unsigned long long missed = 0;
    assert_int_equal(run_events_next(r, &e, 10, &missed), 2);
    assert_int_equal(missed, 88);
    assert_int_equal(e.run_id, 188); /* the oldest kept */
    assert_int_equal(run_events_next(r, &e, 10, &missed), 1);
    assert_int_equal(e.run_id, 189);
    run_events_unfollow(r);
}

static void test_readers_are_bounded(void **state)
{
    (void)state;
    run_events_reader *r[3];
    for (int i = 0; i < 2; i++)
        assert_non_null(r[i] = run_events_follow(2));
    assert_null(run_events_follow(2));
    run_events_unfollow(r[0]);
    assert_non_null(r[2] = run_events_follow(2)); /* a place came free */
    run_events_unfollow(r[1]);
    run_events_unfollow(r[2]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_follow_in_order),
        cmocka_unit_test(test_a_slow_reader_is_told_what_it_missed),
        cmocka_unit_test(test_readers_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
