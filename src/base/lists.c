/* lists.c - growable id and string lists (see lists.h). */
#include "lists.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void id_list_add(id_list *l, long long id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = id;
}

static int compare_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

void id_list_sort_unique(id_list *l)
{
    if (l->n < 2) /* qsort(NULL, 0) is undefined */
        return;
    qsort(l->v, l->n, sizeof *l->v, compare_ll);
    size_t kept = 1;
    for (size_t i = 1; i < l->n; i++)
        if (l->v[i] != l->v[kept - 1])
            l->v[kept++] = l->v[i];
    l->n = kept;
}

void id_list_free(id_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

void str_list_add(str_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = xstrdup(s);
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void str_list_sort_unique(str_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof *l->v, compare_str);
    size_t kept = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->v[i], l->v[kept - 1]) != 0)
            l->v[kept++] = l->v[i];
        else
            free(l->v[i]);
    }
    l->n = kept;
}

void str_list_clear(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

void str_list_free(str_list *l)
{
    str_list_clear(l);
    free(l->v);
    memset(l, 0, sizeof *l);
}
