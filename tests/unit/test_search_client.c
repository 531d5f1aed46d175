/* test_search_client.c - unit tests for the parts of the search seam that
 * need no engine: base URL parsing and redaction (search_client.h) and
 * alias validation (search_index.h). Everything that talks to an engine is
 * tested against a real OpenSearch in tests/integration/test_search_job.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "search_index.h"

static search_client *client(const char *urls, strbuf *err)
{
    search_options opts = {.urls = urls, .timeout_s = 5, .connect_timeout_s = 5, .retries = 0};
    return search_client_new(&opts, err);
}

static void test_urls_are_trimmed_and_shown_without_user_info(void **state)
{
    (void)state;
    strbuf err;
    sb_init(&err);
    search_client *c = client(" http://indexer:s3cret@search-a:9200/ , https://search-b:9200", &err);
    assert_non_null(c);
    assert_string_equal(search_client_url(c), "http://search-a:9200");
    search_client_free(c);
    c = client("https://search-b:9200/path/", &err);
    assert_non_null(c);
    assert_string_equal(search_client_url(c), "https://search-b:9200/path");
    search_client_free(c);
    /* A password holding '/' or '@' is hidden whole. */
    c = client("https://elastic:ab/cd@es:9200", &err);
    assert_non_null(c);
    assert_string_equal(search_client_url(c), "https://es:9200");
    search_client_free(c);
    c = client("https://elastic:ab@cd@es", &err);
    assert_non_null(c);
    assert_string_equal(search_client_url(c), "https://es");
    search_client_free(c);
    assert_int_equal(err.len, 0);
    sb_free(&err);
}

static void test_bad_urls_are_refused_without_their_password(void **state)
{
    (void)state;
    const char *bad[] = {"", " , ", "ftp://u:pw-secret@host", "search:9200"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf err;
        sb_init(&err);
        assert_null(client(bad[i], &err));
        assert_true(err.len > 0);
        assert_null(strstr(err.data, "pw-secret"));
        sb_free(&err);
    }
}

static void test_alias_names(void **state)
{
    (void)state;
    const char *good[] = {"persons", "persons_v2", "tp1a2b", "a.b-c"};
    const char *bad[] = {"", "Persons", "-persons", "_persons", ".persons", "per sons", "per/sons", "per*", "pér",
                         NULL};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(search_alias_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(search_alias_valid(bad[i]));
    char longest[202];
    memset(longest, 'a', sizeof longest - 1);
    longest[200] = '\0';
    assert_true(search_alias_valid(longest));
    longest[200] = 'a';
    longest[201] = '\0';
    assert_false(search_alias_valid(longest));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls_are_trimmed_and_shown_without_user_info),
        cmocka_unit_test(test_bad_urls_are_refused_without_their_password),
        cmocka_unit_test(test_alias_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
