/*
 * corpus.c: see corpus.h.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "testutil.h"
#include "util.h"
#include <virtkit-1/host.h>

const vkt_corpus_kind vkt_corpus_kinds[] = {
    { "domain", VKP_DEF_DOMAIN, "domain.rng" },
    { "network", VKP_DEF_NETWORK, "network.rng" },
    { "pool", VKP_DEF_POOL, "storagepool.rng" },
    { "volume", VKP_DEF_VOLUME, "storagevol.rng" },
};
const size_t vkt_corpus_nkinds = VK_ARRAY_LEN(vkt_corpus_kinds);

static int case_cmp(const void *a, const void *b)
{
    return strcmp(((const vkt_case *)a)->rel, ((const vkt_case *)b)->rel);
}

vkt_case *vkt_corpus_list(const char *base, size_t *n)
{
    vkt_case *v = NULL;
    size_t cap = 0;
    *n = 0;
    for (size_t k = 0; k < vkt_corpus_nkinds; k++) {
        VK_AUTOFREE(char *) rel = vk_asprintf("%s/%s", base, vkt_corpus_kinds[k].dir);
        VK_AUTOFREE(char *) dir = vkt_srcpath(rel);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        for (struct dirent *e; (e = readdir(d));) {
            const char *dot = strchr(e->d_name, '.');
            if (!dot || strcmp(dot, ".xml") != 0)
                continue;
            VK_GROW(v, cap, *n);
            v[*n].kind = &vkt_corpus_kinds[k];
            v[*n].name = vk_strndup(e->d_name, (size_t)(dot - e->d_name));
            v[*n].rel = vk_asprintf("%s/%s", rel, v[*n].name);
            (*n)++;
        }
        closedir(d);
    }
    if (*n)
        qsort(v, *n, sizeof(*v), case_cmp);
    return v;
}

void vkt_corpus_free(vkt_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cases[i].name);
        free(cases[i].rel);
    }
    free(cases);
}

char *vkt_case_path(const vkt_case *c, const char *suffix)
{
    VK_AUTOFREE(char *) rel = vk_asprintf("%s%s", c->rel, suffix);
    return vkt_srcpath(rel);
}

int vkt_corpus_run(const char *group, vkt_case *cases, size_t n, void (*fn)(void **state))
{
    struct CMUnitTest *tests = vk_alloc_n(n ? n : 1, sizeof(*tests));
    char **names = vk_alloc_n(n ? n : 1, sizeof(*names));
    for (size_t i = 0; i < n; i++) {
        names[i] = vk_asprintf("%s/%s", cases[i].kind->dir, cases[i].name);
        tests[i] = (struct CMUnitTest){ .name = names[i], .test_func = fn,
                                        .initial_state = &cases[i] };
    }
    int r = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return r;
}
