/*
 * schema_gen.c: virtkit-schema-gen, which writes the RelaxNG grammar of a
 * definition kind from the schema tables, so the grammars in docs/schemas never
 * drift from what the parser accepts. Not installed; `make schemas`
 * regenerates the committed files and tests/xml checks they are current.
 *
 *   virtkit-schema-gen KIND [OUTPUT]     KIND: domain network storagepool
 *                                        storagevol nodedev capability
 *   virtkit-schema-gen --all DIR         every kind into DIR/<kind>.rng
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "defs.h"
#include "error.h"
#include "fileutil.h"

static const struct {
    const char *name;
    int kind;
} kinds[] = {
    { "domain", VKP_DEF_DOMAIN },  { "network", VKP_DEF_NETWORK },
    { "storagepool", VKP_DEF_POOL }, { "storagevol", VKP_DEF_VOLUME },
    { "nodedev", VKP_DEF_NODEDEV }, { "capability", VK_DEF_CAPS },
};

static int write_kind(int kind, const char *out)
{
    const vk_xkind *k = vk_xkind_get(kind);
    VK_AUTOFREE(char *) rng = vk_schema_rng(k);
    if (!out) {
        fputs(rng, stdout);
        return 0;
    }
    if (vk_file_write_atomic(out, rng, strlen(rng), 0644) < 0) {
        fprintf(stderr, "virtkit-schema-gen: %s\n", vk_error_message());
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--all")) {
        for (size_t i = 0; i < VK_ARRAY_LEN(kinds); i++) {
            VK_AUTOFREE(char *) out = vk_asprintf("%s/%s.rng", argv[2], kinds[i].name);
            if (write_kind(kinds[i].kind, out) < 0)
                return 1;
        }
        return 0;
    }
    for (size_t i = 0; argc >= 2 && argc <= 3 && i < VK_ARRAY_LEN(kinds); i++)
        if (!strcmp(argv[1], kinds[i].name))
            return write_kind(kinds[i].kind, argc == 3 ? argv[2] : NULL) < 0 ? 1 : 0;
    fprintf(stderr, "usage: virtkit-schema-gen KIND [OUTPUT] | --all DIR\n"
                    "KIND: domain network storagepool storagevol nodedev capability\n");
    return 2;
}
