/*
 * test_golden.c: the golden corpus. For every tests/xml/golden/KIND/NAME.xml:
 *
 *   1. it parses (with VALIDATE: the input passes our RelaxNG grammar);
 *   2. format() equals NAME.out.xml, and the output validates too;
 *   3. parsing the output gives an equal model, and formats the same;
 *   4. the defaults step turns it into NAME.defaults.xml, which validates,
 *      reparses equal, formats the same inactive/as written, and does not
 *      change when the step runs again;
 *   5. when libvirt's own grammars are installed (reference only), the
 *      expanded inactive XML also validates against them, except for the
 *      cases listed in golden/libvirt-incompatible.txt (our extensions).
 *
 * Generated values (a missing uuid, MACs) are checked for shape and then
 * replaced by fixed ones so the golden files stay stable.
 * `make check VIRTKIT_REGENERATE=1` rewrites the .out.xml/.defaults.xml.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "corpus.h"
#include "defs.h"
#include "testutil.h"

#define LIBVIRT_SCHEMAS "/usr/share/libvirt/schemas"

static char *libvirt_exceptions;

static void validate_ours(const vkt_case *c, const char *xml, const char *what)
{
    VK_AUTOFREE(char *) rng = vk_asprintf("%s/%s", vk_schema_dir(), c->kind->rng);
    if (vk_schema_validate_rng(rng, xml) < 0) {
        print_error("%s of %s does not validate:\n%s\n", what, c->rel, xml);
        vkt_fail_with_error("vk_schema_validate_rng", __FILE__, __LINE__);
    }
}

static bool libvirt_exempt(const vkt_case *c)
{
    VK_AUTOFREE(char *) key = vk_asprintf("\n%s/%s ", c->kind->dir, c->name);
    return libvirt_exceptions && strstr(libvirt_exceptions, key);
}

/* Parse xml (NO_DEFAULTS) and check it equals n and formats as `out`. */
static void check_reparse(const vkt_case *c, const vk_xnode *n, const char *out,
                          unsigned int format_flags)
{
    VK_AUTOPTR(vk_xnode) r = VKT_NONNULL(vk_def_parse(c->kind->kind, out,
                                                       VKP_DEF_PARSE_NO_DEFAULTS |
                                                           VKP_DEF_PARSE_STATUS));
    if (!vk_xnode_equal(n, r)) {
        print_error("%s: reparsing the output gives another model\n%s\n", c->rel, out);
        fail();
    }
    VK_AUTOFREE(char *) again = VKT_NONNULL(vk_def_format(r, format_flags));
    assert_string_equal(again, out);
}

/* Replace generated values by fixed ones, after checking their shape. */
static void pin_generated(const vkt_case *c, vk_xnode *d, const vk_xnode *written)
{
    if (vk_schema_child(d->schema, "uuid") && !vk_xnode_child(written, "uuid")) {
        unsigned char u[16];
        const char *gen = VKT_NONNULL(vk_def_get(d, "uuid"));
        VKT_OK(vk_def_api.uuid_parse(gen, u));
        VKT_OK(vk_def_set(d, "uuid", "c0ffee00-0000-4000-8000-000000000001"));
    }
    if (c->kind->kind == VKP_DEF_NETWORK && !vk_xnode_child(written, "mac") &&
        vk_def_get(d, "mac/@address")) {
        assert_true(vk_str_has_prefix(vk_def_get(d, "mac/@address"), "52:54:00:"));
        VKT_OK(vk_def_set(d, "mac/@address", "52:54:00:00:00:01"));
    }
    size_t nif = vk_def_count(d, "devices/interface");
    for (size_t i = 0; i < nif; i++) {
        vk_xnode *nic = vk_def_child(d, "devices/interface", i);
        const vk_xnode *w = vk_def_child(written, "devices/interface", i);
        if (vk_xnode_child(w, "mac"))
            continue;
        const char *gen = VKT_NONNULL(vk_def_get(nic, "mac/@address"));
        bool xen = vk_streq(vk_def_get(d, "@type"), "xen");
        assert_true(vk_str_has_prefix(gen, xen ? "00:16:3e:" : "52:54:00:"));
        char mac[32];
        snprintf(mac, sizeof(mac), "%.8s:00:00:%02x", gen, (unsigned int)(i + 1) & 0xff);
        VKT_OK(vk_def_set(nic, "mac/@address", mac));
    }
}

static void check_libvirt(const vkt_case *c, const char *inactive)
{
    VK_AUTOFREE(char *) rng = vk_asprintf(LIBVIRT_SCHEMAS "/%s", c->kind->rng);
    if (access(rng, R_OK) != 0 || libvirt_exempt(c))
        return;
    if (vk_schema_validate_rng(rng, inactive) < 0) {
        print_error("%s: the expanded inactive XML is not valid for libvirt "
                    "(add it to golden/libvirt-incompatible.txt if that is intended):\n%s\n",
                    c->rel, inactive);
        vkt_fail_with_error("libvirt schema", __FILE__, __LINE__);
    }
}

static void golden_case(void **state)
{
    const vkt_case *c = *state;
    VK_AUTOFREE(char *) path = vkt_case_path(c, ".xml");
    VK_AUTOFREE(char *) xml = vkt_read_file(path);
    assert_non_null(xml);

    /* 1-3: as written */
    VK_AUTOPTR(vk_xnode) n = VKT_NONNULL(vk_def_parse(c->kind->kind, xml,
                                                       VKP_DEF_PARSE_NO_DEFAULTS |
                                                           VKP_DEF_PARSE_VALIDATE));
    VK_AUTOFREE(char *) out = VKT_NONNULL(vk_def_format(n, 0));
    VK_AUTOFREE(char *) rel_out = vk_asprintf("%s.out.xml", c->rel);
    vkt_golden(rel_out, out);
    validate_ours(c, out, "the output");
    VK_AUTOFREE(char *) secure = VKT_NONNULL(vk_def_format(n, VKP_DEF_FORMAT_SECURE));
    check_reparse(c, n, secure, VKP_DEF_FORMAT_SECURE);

    /* 4: expanded */
    VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_xnode_copy(n));
    VKT_OK(vk_def_apply_defaults(d));
    pin_generated(c, d, n);
    VK_AUTOFREE(char *) dout = VKT_NONNULL(vk_def_format(d, 0));
    VK_AUTOFREE(char *) rel_def = vk_asprintf("%s.defaults.xml", c->rel);
    vkt_golden(rel_def, dout);
    validate_ours(c, dout, "the expanded output");
    VK_AUTOFREE(char *) dsecure = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_SECURE));
    check_reparse(c, d, dsecure, VKP_DEF_FORMAT_SECURE);
    VK_AUTOFREE(char *) inactive = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_INACTIVE));
    validate_ours(c, inactive, "the inactive expanded output");
    VK_AUTOFREE(char *) as_written = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_AS_WRITTEN));
    assert_string_equal(as_written, out);
    VKT_OK(vk_def_apply_defaults(d));
    VK_AUTOFREE(char *) twice = VKT_NONNULL(vk_def_format(d, 0));
    assert_string_equal(twice, dout);

    /* the one-call path (parse with defaults) accepts it as well */
    VK_AUTOPTR(vk_xnode) full = VKT_NONNULL(vk_def_parse(c->kind->kind, xml, 0));

    /* 5: libvirt compatibility of what we store */
    check_libvirt(c, inactive);
}

int main(void)
{
    VK_AUTOFREE(char *) exc_path = vkt_srcpath("xml/golden/libvirt-incompatible.txt");
    VK_AUTOFREE(char *) exc = vkt_read_file(exc_path);
    libvirt_exceptions = exc ? vk_asprintf("\n%s", exc) : NULL;
    size_t n;
    vkt_case *cases = vkt_corpus_list("xml/golden", &n);
    if (n == 0) {
        fprintf(stderr, "no golden cases found under tests/xml/golden\n");
        return 1;
    }
    int r = vkt_corpus_run("golden", cases, n, golden_case);
    vkt_corpus_free(cases, n);
    free(libvirt_exceptions);
    return r;
}
