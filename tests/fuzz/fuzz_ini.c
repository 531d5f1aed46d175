/* fuzz_ini.c - libFuzzer target: any bytes as an INI configuration file,
 * then validated as the program does. Either it is taken, or refused with
 * a message of one line. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    config *cfg = config_new();
    strbuf err;
    sb_init(&err);
    int rc = config_load_stream(cfg, f, "fuzz.ini", &err);
    fclose(f);
    if (rc == 0)
        rc = config_finish(cfg, &err);
    if (rc != 0 && (!err.data || !err.len))
        abort(); /* a refusal always says why */
    if (rc != 0 && strchr(err.data, '\n'))
        abort(); /* one line */
    sb_free(&err);
    config_free(cfg);
    return 0;
}
