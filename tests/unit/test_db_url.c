/* test_db_url.c - unit tests for db_url_parse (db.h): the pieces of a
 * database URL, and the regressions fuzz_db_url found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "util.h"

static db_url parsed(const char *text)
{
    db_url url;
    char *err = NULL;
    if (!db_url_parse(text, &url, &err))
        fail_msg("%s: %s", text, err);
    return url;
}

static void test_pieces(void **state)
{
    (void)state;
    db_url u = parsed("mysql://u%3Ax:p%40ss@db.internal:3307/tcs?ssl=true");
    assert_string_equal(u.user, "u:x");
    assert_string_equal(u.password, "p@ss");
    assert_string_equal(u.host, "db.internal");
    assert_int_equal(u.port, 3307);
    assert_string_equal(u.database, "tcs");
    assert_true(u.ssl);
    db_url_free(&u);
}

/* fuzz_db_url: an empty password (or user piece) was an unterminated
 * buffer, read as garbage and sent to the server as the password. */
static void test_empty_password_is_empty(void **state)
{
    (void)state;
    db_url u = parsed("mysql://u:@h/d");
    assert_non_null(u.password);
    assert_string_equal(u.password, "");
    db_url_free(&u);
    u = parsed("mysql://u@h:@hd/0:0-0000d"); /* the input it found */
    assert_string_equal(u.user, "u@h");
    assert_string_equal(u.password, "");
    assert_string_equal(u.host, "hd");
    db_url_free(&u);
}

/* A reserved, still empty buffer is a string (what the fix guarantees). */
static void test_reserved_buffer_is_a_string(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    sb_reserve(&sb, 0);
    char *s = sb_steal(&sb);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_empty_password_is_empty),
        cmocka_unit_test(test_reserved_buffer_is_a_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
