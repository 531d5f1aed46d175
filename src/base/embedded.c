/* embedded.c - looking up the files the binary carries (see embedded.h). */
#include "embedded.h"

#include <string.h>

const char *embedded_find(const struct embedded_file *files, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(files[i].name, name) == 0)
            return files[i].text;
    return NULL;
}
