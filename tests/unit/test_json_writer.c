/* test_json_writer.c - unit tests for json_writer.h: structure and commas,
 * the escapes it emits, and the UTF-8 repair (one U+FFFD per maximal
 * ill-formed subpart, as Unicode 3.9 and Python's errors="replace"). Every
 * output is also parsed back with jansson to prove it is valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "json_writer.h"

#define FFFD "\xEF\xBF\xBD"

/* Escapes IN[0..N) as a JSON string body and returns it (caller frees). */
static char *escape(const char *in, size_t n, size_t *replaced)
{
    strbuf sb;
    sb_init(&sb);
    size_t r = json_escape_append(&sb, in, n);
    if (replaced)
        *replaced = r;
    if (!sb.data)
        sb_puts(&sb, "");
    return sb_steal(&sb);
}

/* Parses BODY as a JSON string; when nothing was replaced, the decoded
 * value must be the original input byte for byte. */
static void assert_round_trip(const char *body, const char *in, size_t n, size_t replaced)
{
    char *doc = xasprintf("[\"%s\"]", body);
    json_error_t err;
    json_t *v = json_loads(doc, JSON_ALLOW_NUL, &err);
    if (!v)
        fail_msg("not valid JSON: %s (%s)", doc, err.text);
    json_t *s = json_array_get(v, 0);
    if (replaced == 0 && (json_string_length(s) != n || memcmp(json_string_value(s), in, n) != 0))
        fail_msg("valid input not preserved: %s", doc);
    json_decref(v);
    free(doc);
}

struct escape_case {
    const char *in;
    size_t n;
    const char *out;
    size_t replaced;
};

#define CASE(in, out, r) {in, sizeof(in) - 1, out, r}

static const struct escape_case escape_cases[] = {
    CASE("", "", 0),
    CASE("plain ascii 123", "plain ascii 123", 0),
    CASE("quote \" and backslash \\", "quote \\\" and backslash \\\\", 0),
    CASE("Back\\slash", "Back\\\\slash", 0),
    CASE("Anne \"Annie\"", "Anne \\\"Annie\\\"", 0),
    CASE("O'Brien", "O'Brien", 0),
    CASE("a\nb\rc\td", "a\\nb\\rc\\td", 0),
    CASE("\x01\x08\x0c\x1f", "\\u0001\\u0008\\u000c\\u001f", 0),
    CASE("nul\0byte", "nul\\u0000byte", 0),
    CASE("del\x7f", "del\x7f", 0),
    CASE("/slash", "/slash", 0),
    /* valid multi-byte UTF-8 passes through untouched */
    CASE("Siân Zoë Nguyễn Łukasiewicz", "Siân Zoë Nguyễn Łukasiewicz", 0),
    CASE("\xF0\x9F\x98\x80 emoji", "\xF0\x9F\x98\x80 emoji", 0),
    CASE("\xEF\xBF\xBF max BMP", "\xEF\xBF\xBF max BMP", 0),
    CASE("\xF4\x8F\xBF\xBF max", "\xF4\x8F\xBF\xBF max", 0),
    CASE("\xED\x9F\xBF below surrogates", "\xED\x9F\xBF below surrogates", 0),
    CASE("\xE2\x80\xA8 line sep", "\xE2\x80\xA8 line sep", 0),
    /* stray continuation bytes and impossible bytes */
    CASE("a\x80z", "a" FFFD "z", 1),
    CASE("\xBF\xBF", FFFD FFFD, 2),
    CASE("\xFE\xFF", FFFD FFFD, 2),
    CASE("\xC0\xAF", FFFD FFFD, 2),            /* overlong '/' */
    CASE("\xC1\xBF", FFFD FFFD, 2),            /* overlong */
    CASE("\xE0\x80\xAF", FFFD FFFD FFFD, 3),   /* overlong 3-byte: E0 needs A0..BF */
    CASE("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD, 4), /* overlong 4-byte */
    CASE("\xED\xA0\x80", FFFD FFFD FFFD, 3),   /* surrogate U+D800 */
    CASE("\xED\xBF\xBF", FFFD FFFD FFFD, 3),   /* surrogate U+DFFF */
    CASE("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4), /* above U+10FFFF */
    CASE("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD, 4),
    /* truncated sequences: one replacement for the whole valid prefix */
    CASE("\xC3", FFFD, 1),
    CASE("ab\xE2\x82", "ab" FFFD, 1),
    CASE("\xF0\x9F\x98", FFFD, 1),
    CASE("\xE2\x82z", FFFD "z", 1),
    CASE("\xF0\x9F\x98\"", FFFD "\\\"", 1),
    CASE("\xE2\x82\xE2\x82\xAC", FFFD "\xE2\x82\xAC", 1),
    CASE("\xC3\xC3\xA9", FFFD "\xC3\xA9", 1),
    /* latin-1 text stored in a utf8 column */
    CASE("Sin\xE9""ad M\xFCller", "Sin" FFFD "ad M" FFFD "ller", 2),
};

static void test_escape_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
        const struct escape_case *c = &escape_cases[i];
        size_t replaced = 99;
        char *out = escape(c->in, c->n, &replaced);
        if (strcmp(out, c->out) != 0 || replaced != c->replaced)
            fail_msg("case %zu: got \"%s\" (%zu replaced), want \"%s\" (%zu)", i, out, replaced, c->out, c->replaced);
        assert_round_trip(out, c->in, c->n, replaced);
        free(out);
    }
}

/* Every 1- and 2-byte input and a sample of 3- and 4-byte ones: the output
 * is always valid JSON, and valid input is preserved byte for byte. */
static void test_escape_exhaustive_short(void **state)
{
    (void)state;
    unsigned char in[4];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            in[0] = (unsigned char)a;
            in[1] = (unsigned char)b;
            size_t replaced = 0;
            char *out = escape((const char *)in, 2, &replaced);
            assert_round_trip(out, (const char *)in, 2, replaced);
            free(out);
        }
    }
    for (unsigned x = 0; x < 200000; x++) {
        unsigned v = x * 2654435761u;
        memcpy(in, &v, 4);
        in[0] |= 0xC0;
        size_t replaced = 0;
        char *out = escape((const char *)in, 4, &replaced);
        assert_round_trip(out, (const char *)in, 4, replaced);
        free(out);
    }
}

static void test_writer_structure(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    json_writer w;
    jw_init(&w, &sb);
    jw_object_begin(&w);
    jw_field_int(&w, "personId", 42);
    jw_field_string(&w, "surname", "D'Souza");
    jw_field_string(&w, "gmcNumber", NULL);
    jw_key(&w, "gradeId");
    jw_null(&w);
    jw_field_int(&w, "min", -9223372036854775807LL - 1);
    jw_key(&w, "trusts");
    jw_array_begin(&w);
    jw_object_begin(&w);
    jw_field_int(&w, "trustId", 1411);
    jw_object_end(&w);
    jw_object_begin(&w);
    jw_field_int(&w, "trustId", 1901);
    jw_object_end(&w);
    jw_array_end(&w);
    jw_key(&w, "empty");
    jw_array_begin(&w);
    jw_array_end(&w);
    jw_key(&w, "raw");
    jw_raw(&w, "[1,2]", 5);
    jw_key(&w, "k\"ey");
    jw_string_n(&w, "a\0b", 3);
    jw_object_end(&w);
    assert_string_equal(sb.data, "{\"personId\":42,\"surname\":\"D'Souza\",\"gmcNumber\":null,\"gradeId\":null,"
                                 "\"min\":-9223372036854775808,\"trusts\":[{\"trustId\":1411},{\"trustId\":1901}],"
                                 "\"empty\":[],\"raw\":[1,2],\"k\\\"ey\":\"a\\u0000b\"}");
    assert_int_equal(w.depth, 0);
    json_error_t err;
    json_t *v = json_loads(sb.data, JSON_ALLOW_NUL, &err);
    assert_non_null(v);
    assert_int_equal(json_integer_value(json_object_get(v, "personId")), 42);
    assert_true(json_is_null(json_object_get(v, "gmcNumber")));
    json_decref(v);
    sb_free(&sb);
}

static void test_writer_top_level_array_and_replaced_count(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    json_writer w;
    jw_init(&w, &sb);
    jw_array_begin(&w);
    jw_string(&w, "ok");
    jw_string(&w, "bad\xFF");
    jw_int(&w, 0);
    jw_null(&w);
    jw_array_end(&w);
    assert_string_equal(sb.data, "[\"ok\",\"bad" FFFD "\",0,null]");
    assert_int_equal(w.replaced, 1);
    sb_free(&sb);
}

/* The same repair without escaping: valid text is kept byte for byte. */
static void test_utf8_repair(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *out;
        size_t replaced;
    } t[] = {
        {"plain \"text\"\n", 13, "plain \"text\"\n", 0},
        {"caf\xC3\xA9", 5, "caf\xC3\xA9", 0},
        {"a\xFF" "b", 3, "a" FFFD "b", 1},
        {"\xE2\x82", 2, FFFD, 1},           /* truncated: one maximal subpart */
        {"\xED\xA0\x80", 3, FFFD FFFD FFFD, 3}, /* a surrogate */
        {"x\xC0\xAFy", 4, "x" FFFD FFFD "y", 2}, /* overlong */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        strbuf sb;
        sb_init(&sb);
        assert_int_equal(utf8_repair_append(&sb, t[i].in, t[i].n), t[i].replaced);
        sb_putc(&sb, '\0');
        assert_string_equal(sb.data, t[i].out);
        sb_free(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_escape_exhaustive_short),
        cmocka_unit_test(test_writer_structure),
        cmocka_unit_test(test_writer_top_level_array_and_replaced_count),
        cmocka_unit_test(test_utf8_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
