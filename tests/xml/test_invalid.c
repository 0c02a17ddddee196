/*
 * test_invalid.c: the error corpus. Every tests/xml/invalid/KIND/NAME.xml
 * starts with a comment naming the error it must produce:
 *
 *   <!-- expect CODE: FRAGMENT -->
 *
 * CODE is the error code's name (virtkit_error_code_name: "xml",
 * "invalid-arg"...), FRAGMENT a piece of the message. The document must be
 * refused by vk_def_parse (structure, checks, defaults) with that code, a
 * message containing the fragment, and the message must name the kind of
 * definition (and the object, when the document gives a name) so a user
 * knows which file is at fault.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "corpus.h"
#include "defs.h"
#include "testutil.h"

static void invalid_case(void **state)
{
    const vkt_case *c = *state;
    VK_AUTOFREE(char *) path = vkt_case_path(c, ".xml");
    VK_AUTOFREE(char *) xml = vkt_read_file(path);
    assert_non_null(xml);
    const char *open = strstr(xml, "<!-- expect ");
    const char *close = open ? strstr(open, " -->") : NULL;
    if (!open || !close || open != xml) {
        print_error("%s: the first line must be <!-- expect CODE: FRAGMENT -->\n", c->rel);
        fail();
    }
    VK_AUTOFREE(char *) spec = vk_strndup(open + 12, (size_t)(close - open - 12));
    char *colon = strstr(spec, ": ");
    assert_non_null(colon);
    *colon = '\0';
    const char *code = spec, *fragment = colon + 2;

    virtkit_error_clear();
    vk_xnode *n = vk_def_parse(c->kind->kind, xml, 0);
    if (n) {
        VK_AUTOFREE(char *) out = vk_def_format(n, 0);
        vk_xnode_free(n);
        print_error("%s was accepted, expected %s '%s'; it formats as:\n%s\n", c->rel, code,
                    fragment, out);
        fail();
    }
    const virtkit_error *e = virtkit_error_last();
    assert_non_null(e);
    if (!vk_streq(virtkit_error_code_name(e->code), code) || !strstr(e->message, fragment)) {
        print_error("%s: expected %s containing '%s'\n     got %s: %s\n", c->rel, code,
                    fragment, virtkit_error_code_name(e->code), e->message);
        fail();
    }
    /* "domain 'web1' XML line 12: <memory>: ..." names the document */
    const char *what = c->kind->kind == VKP_DEF_DOMAIN    ? "domain"
                       : c->kind->kind == VKP_DEF_NETWORK ? "network"
                       : c->kind->kind == VKP_DEF_POOL    ? "pool"
                                                          : "volume";
    if (!vk_str_has_prefix(e->message, what)) {
        print_error("%s: the message does not name the %s: %s\n", c->rel, what, e->message);
        fail();
    }
}

int main(void)
{
    size_t n;
    vkt_case *cases = vkt_corpus_list("xml/invalid", &n);
    if (n == 0) {
        fprintf(stderr, "no invalid documents found under tests/xml/invalid\n");
        return 1;
    }
    int r = vkt_corpus_run("invalid", cases, n, invalid_case);
    vkt_corpus_free(cases, n);
    return r;
}
