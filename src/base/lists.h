/* lists.h - the small growable lists the jobs build per person or post
 * (trust ids, programme names): add, then sort with duplicates removed. */
#ifndef TIS_LISTS_H
#define TIS_LISTS_H

#include <stddef.h>

typedef struct {
    long long *v;
    size_t n, cap;
} id_list;

void id_list_add(id_list *l, long long id);
/* Sorts ascending and removes duplicates. */
void id_list_sort_unique(id_list *l);
void id_list_free(id_list *l);

/* Strings, copied in. */
typedef struct {
    char **v;
    size_t n, cap;
} str_list;

void str_list_add(str_list *l, const char *s);
/* Sorts by bytes (code points of UTF-8, not a collation) and removes
 * duplicates. */
void str_list_sort_unique(str_list *l);
/* Empties the list, keeping its storage. */
void str_list_clear(str_list *l);
void str_list_free(str_list *l);

#endif
