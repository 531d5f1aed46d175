/* json_writer.h - a streaming JSON builder that appends to a strbuf.
 *
 * Hand-written rather than jansson because jansson builds a tree per value:
 * at 425k search documents a night that is millions of small allocations,
 * while this writes each document straight into the bulk buffer's text.
 * jansson is still what parses the responses (search_client.c).
 *
 * Strings are escaped as RFC 8259 requires (", \ and every control
 * character) and invalid UTF-8 (stray continuation bytes, overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences) is replaced
 * by U+FFFD, one per maximal ill-formed subpart (Unicode 15, 3.9; the same
 * rule as Python's errors="replace"), so whatever a database column holds,
 * the output is valid JSON in valid UTF-8.
 *
 * The writer inserts commas and checks nothing else: callers pair begin/end
 * calls and put a key before each value inside an object. */
#ifndef TIS_JSON_WRITER_H
#define TIS_JSON_WRITER_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>

enum { JW_MAX_DEPTH = 16 };

typedef struct {
    strbuf *out;
    unsigned depth;
    bool after_key;                 /* the next value follows a key: no comma */
    bool has_items[JW_MAX_DEPTH];   /* per open container: a comma is due */
    size_t replaced;                /* invalid UTF-8 subparts replaced so far */
} json_writer;

void jw_init(json_writer *w, strbuf *out);
/* Continues the members of an object opened elsewhere: the first key
 * written gets a leading comma. Builds a fragment ",\"k\":v,..." that is
 * spliced into objects (one person's nested arrays go into each of the
 * person's documents). */
void jw_init_members(json_writer *w, strbuf *out);
void jw_object_begin(json_writer *w);
void jw_object_end(json_writer *w);
void jw_array_begin(json_writer *w);
void jw_array_end(json_writer *w);
void jw_key(json_writer *w, const char *key);
/* A string value; NULL writes null. */
void jw_string(json_writer *w, const char *s);
void jw_string_n(json_writer *w, const char *s, size_t n);
void jw_int(json_writer *w, long long v);
void jw_null(json_writer *w);
/* Appends an already serialised JSON value (e.g. a cached fragment). */
void jw_raw(json_writer *w, const char *json, size_t n);

/* key + value shorthands. */
void jw_field_string(json_writer *w, const char *key, const char *s);
void jw_field_int(json_writer *w, const char *key, long long v);

/* Appends S[0..N) as the body of a JSON string (no quotes), escaped and
 * with invalid UTF-8 replaced. Returns the number of replacements. */
size_t json_escape_append(strbuf *out, const char *s, size_t n);
/* Appends S[0..N) unescaped, with invalid UTF-8 replaced as above (text
 * bound for a JSON library or a utf8mb4 column). Returns the number of
 * replacements. */
size_t utf8_repair_append(strbuf *out, const char *s, size_t n);

#endif
