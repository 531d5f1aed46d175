/* fuzz_json.c - libFuzzer target: any bytes through the JSON writer's
 * string escaping and UTF-8 repair. The escaped text must be a valid JSON
 * string (jansson reads it back) holding the repaired text exactly. */
#include "json_writer.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    strbuf doc, repaired;
    sb_init(&doc);
    sb_init(&repaired);
    json_writer w;
    jw_init(&w, &doc);
    jw_array_begin(&w);
    jw_string_n(&w, (const char *)data, size);
    jw_array_end(&w);
    utf8_repair_append(&repaired, (const char *)data, size);
    json_error_t e;
    json_t *back = json_loadb(doc.data, doc.len, JSON_ALLOW_NUL, &e);
    if (!back)
        abort(); /* not valid JSON */
    json_t *s = json_array_get(back, 0);
    if (!json_is_string(s) || json_string_length(s) != repaired.len ||
        memcmp(json_string_value(s), repaired.data ? repaired.data : "", repaired.len) != 0)
        abort(); /* not the repaired text */
    json_decref(back);
    sb_free(&doc);
    sb_free(&repaired);
    return 0;
}
