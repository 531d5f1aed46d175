/* fuzz_cron.c - libFuzzer target: any text as a cron expression (Spring's
 * 6 fields or cron's 5). A parse must either fail with a message or give
 * an expression whose next fire times are in order. */
#include "cron.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char err[256] = "";
    cron_expr *e = cron_parse(text, err, sizeof err);
    if (!e) {
        if (!err[0])
            abort(); /* a refusal always says why */
    } else {
        time_t t = 1767225600; /* 2026-01-01 */
        for (int i = 0; i < 4; i++) {
            time_t next = cron_next(e, t);
            if (next == (time_t)-1)
                break;
            if (next <= t)
                abort(); /* strictly after */
            t = next;
        }
        cron_free(e);
    }
    free(text);
    return 0;
}
