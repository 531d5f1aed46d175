/* json_writer.c - the streaming JSON builder (see json_writer.h): commas,
 * string escaping and UTF-8 repair. */
#include "json_writer.h"

#include <stdio.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the well-formed UTF-8 sequence starting at S (N bytes left),
 * or 0 with *BAD set to the length of its maximal ill-formed subpart: the
 * longest prefix that could still have begun a valid sequence (at least 1).
 * Byte ranges are those of Unicode Table 3-7, which exclude overlongs,
 * surrogates and code points above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else {
        *bad = 1;
        return 0;
    }
    if (c == 0xE0)
        lo = 0xA0; /* no overlong 3-byte forms */
    else if (c == 0xED)
        hi = 0x9F; /* no surrogates D800..DFFF */
    else if (c == 0xF0)
        lo = 0x90; /* no overlong 4-byte forms */
    else if (c == 0xF4)
        hi = 0x8F; /* nothing above U+10FFFF */
    size_t i = 1;
    for (; i <= need && i < n && s[i] >= lo && s[i] <= hi; i++) {
        lo = 0x80;
        hi = 0xBF;
    }
    if (i == need + 1)
        return i;
    *bad = i;
    return 0;
}

static void append_control(strbuf *out, unsigned char c)
{
    switch (c) {
    case '\n': sb_append(out, "\\n", 2); break;
    case '\r': sb_append(out, "\\r", 2); break;
    case '\t': sb_append(out, "\\t", 2); break;
    default: {
        char esc[8];
        snprintf(esc, sizeof esc, "\\u%04x", c);
        sb_append(out, esc, 6);
    }
    }
}

size_t json_escape_append(strbuf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t replaced = 0, run = 0, i = 0;
    sb_reserve(out, n + 2);
    while (i < n) {
        unsigned char c = s[i];
        /* Plain ASCII needs nothing: copy runs of it in one go. */
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        sb_append(out, str + run, i - run);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                char esc[2] = {'\\', (char)c};
                sb_append(out, esc, 2);
            } else {
                append_control(out, c);
            }
            i++;
        } else {
            size_t bad = 0, len = utf8_sequence(s + i, n - i, &bad);
            if (len) {
                sb_append(out, str + i, len);
                i += len;
            } else {
                sb_append(out, replacement, 3);
                replaced++;
                i += bad;
            }
        }
        run = i;
    }
    sb_append(out, str + run, n - run);
    return replaced;
}

void jw_init(json_writer *w, strbuf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

void jw_init_members(json_writer *w, strbuf *out)
{
    jw_init(w, out);
    w->depth = 1;
    w->has_items[0] = true;
}

/* Writes the comma a new value needs, if any, and marks the container. */
static void before_value(json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth - 1])
            sb_putc(w->out, ',');
        w->has_items[w->depth - 1] = true;
    }
}

static void open_container(json_writer *w, char c)
{
    before_value(w);
    sb_putc(w->out, c);
    if (w->depth < JW_MAX_DEPTH)
        w->has_items[w->depth] = false;
    w->depth++;
}

static void close_container(json_writer *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    sb_putc(w->out, c);
}

void jw_object_begin(json_writer *w)
{
    open_container(w, '{');
}

void jw_object_end(json_writer *w)
{
    close_container(w, '}');
}

void jw_array_begin(json_writer *w)
{
    open_container(w, '[');
}

void jw_array_end(json_writer *w)
{
    close_container(w, ']');
}

void jw_key(json_writer *w, const char *key)
{
    before_value(w);
    sb_putc(w->out, '"');
    w->replaced += json_escape_append(w->out, key, strlen(key));
    sb_append(w->out, "\":", 2);
    w->after_key = true;
}

void jw_string_n(json_writer *w, const char *s, size_t n)
{
    before_value(w);
    sb_putc(w->out, '"');
    w->replaced += json_escape_append(w->out, s, n);
    sb_putc(w->out, '"');
}

void jw_string(json_writer *w, const char *s)
{
    if (!s)
        jw_null(w);
    else
        jw_string_n(w, s, strlen(s));
}

void jw_int(json_writer *w, long long v)
{
    before_value(w);
    /* By hand: snprintf cost several per cent of the search job's CPU. */
    char num[24];
    char *end = num + sizeof num, *p = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sb_append(w->out, p, (size_t)(end - p));
}

void jw_null(json_writer *w)
{
    before_value(w);
    sb_append(w->out, "null", 4);
}

void jw_raw(json_writer *w, const char *json, size_t n)
{
    before_value(w);
    sb_append(w->out, json, n);
}

void jw_field_string(json_writer *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_string(w, s);
}

void jw_field_int(json_writer *w, const char *key, long long v)
{
    jw_key(w, key);
    jw_int(w, v);
}

size_t utf8_repair_append(strbuf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t replaced = 0, i = 0, run = 0;
    while (i < n) {
        size_t bad = 0, len = s[i] < 0x80 ? 1 : utf8_sequence(s + i, n - i, &bad);
        if (len) {
            i += len;
            continue;
        }
        sb_append(out, str + run, i - run);
        sb_append(out, replacement, sizeof replacement - 1);
        replaced++;
        i += bad;
        run = i;
    }
    sb_append(out, str + run, i - run);
    return replaced;
}
