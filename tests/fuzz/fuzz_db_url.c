/* fuzz_db_url.c - libFuzzer target: any text as a database URL. A parsed
 * URL's redacted form masks its password; a refused one says why. */
#include "db.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    db_url url;
    char *err = NULL;
    if (db_url_parse(text, &url, &err)) {
        char *shown = db_url_redacted(&url);
        /* Its password is replaced by ***: a substring test would also
         * match pieces of the user or the scheme that equal it. */
        if (url.password && !strstr(shown, ":***@"))
            abort();
        free(shown);
        db_url_free(&url);
    } else if (!err || !*err) {
        abort();
    }
    free(err);
    free(text);
    return 0;
}
