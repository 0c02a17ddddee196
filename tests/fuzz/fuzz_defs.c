/*
 * fuzz_defs.c: libFuzzer target for the definition parser. The first byte
 * picks the kind (mostly domains); the rest is the document. Beyond "no
 * crash, no leak, no undefined behaviour" it checks the properties the
 * golden tests check on known inputs:
 *
 *   - whatever parses formats to XML that parses again to an equal model
 *     and formats identically (format(parse(x)) is a fixed point);
 *   - the defaults step either fails cleanly or gives a definition with the
 *     same property, and running it again changes nothing.
 *
 * A violated property aborts, so libFuzzer keeps the input as a crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int kinds[] = { VKP_DEF_DOMAIN, VKP_DEF_DOMAIN, VKP_DEF_DOMAIN, VKP_DEF_DOMAIN,
                             VKP_DEF_DOMAIN, VKP_DEF_NETWORK, VKP_DEF_POOL, VKP_DEF_VOLUME };

static void must(bool ok, const char *what, const char *a, const char *b)
{
    if (ok)
        return;
    fprintf(stderr, "property violated: %s\n--- first\n%s\n--- second\n%s\n", what,
            a ? a : "(null)", b ? b : "(null)");
    abort();
}

/* format(n) parses back to an equal model that formats the same. */
static void check_fixed_point(int kind, const vk_xnode *n)
{
    char *out = vk_def_format(n, VKP_DEF_FORMAT_SECURE);
    must(out != NULL, "format failed", NULL, NULL);
    vk_xnode *r = vk_def_parse(kind, out, VKP_DEF_PARSE_NO_DEFAULTS | VKP_DEF_PARSE_STATUS);
    must(r != NULL, "the output does not parse", out, vk_error_message());
    must(vk_xnode_equal(n, r), "the output parses to another model", out, NULL);
    char *again = vk_def_format(r, VKP_DEF_FORMAT_SECURE);
    must(again && strcmp(out, again) == 0, "formatting is not stable", out, again);
    free(again);
    vk_xnode_free(r);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
    char *xml = malloc(size);
    memcpy(xml, data + 1, size - 1);
    xml[size - 1] = '\0';

    vk_xnode *n = vk_def_parse(kind, xml, VKP_DEF_PARSE_NO_DEFAULTS);
    if (n) {
        check_fixed_point(kind, n);
        if (vk_def_apply_defaults(n) == 0) {
            check_fixed_point(kind, n);
            char *once = vk_def_format(n, VKP_DEF_FORMAT_SECURE);
            must(vk_def_apply_defaults(n) == 0, "defaults fail the second time", once,
                 vk_error_message());
            char *twice = vk_def_format(n, VKP_DEF_FORMAT_SECURE);
            must(strcmp(once, twice) == 0, "defaults are not idempotent", once, twice);
            free(once);
            free(twice);
        }
        vk_xnode_free(n);
    }
    /* the same text as a hotplug fragment */
    vk_xnode *dev = vk_def_parse(VKP_DEF_DEVICE, xml, 0);
    vk_xnode_free(dev);
    free(xml);
    virtkit_error_clear();
    return 0;
}
