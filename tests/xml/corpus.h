/*
 * corpus.h: helpers shared by the corpus-driven XML tests (golden and
 * invalid documents): listing a corpus directory and running one cmocka
 * test per file, so a failing case is reported by its file name.
 */
#ifndef VKT_CORPUS_H
#define VKT_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

/* The kinds of definitions a corpus holds, by directory name. */
typedef struct vkt_corpus_kind {
    const char *dir;   /* "domain" */
    int kind;          /* vkp_def_kind */
    const char *rng;   /* our grammar file name: "domain.rng" */
} vkt_corpus_kind;

extern const vkt_corpus_kind vkt_corpus_kinds[];
extern const size_t vkt_corpus_nkinds;

/* One document of a corpus. */
typedef struct vkt_case {
    const vkt_corpus_kind *kind;
    char *name;        /* file name without ".xml" */
    char *rel;         /* "xml/golden/domain/NAME" (under tests/, no suffix) */
} vkt_case;

/* The input documents under tests/<base>/<kind>/: every NAME.xml whose name
 * has no further dot (NAME.out.xml and NAME.defaults.xml are expected
 * outputs). Sorted; *n receives the count. */
vkt_case *vkt_corpus_list(const char *base, size_t *n);
void vkt_corpus_free(vkt_case *cases, size_t n);

/* Run fn once per case as its own cmocka test named "<kind>/<name>". */
int vkt_corpus_run(const char *group, vkt_case *cases, size_t n, void (*fn)(void **state));

/* A path under tests/ (caller frees). */
char *vkt_case_path(const vkt_case *c, const char *suffix);

#endif
