/*
 * schema.c: the engine behind schema.h: libxml2 reads the text, then one
 * recursive walk checks every element, attribute and text against the
 * tables and builds the vk_xnode tree. Nothing outside the tables gets
 * through: an unknown element or attribute is an error naming it and its
 * line, never silently dropped.
 */
#include "config.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <virtkit-1/host.h>

#include "error.h"
#include "schema.h"
#include "strbuf.h"

static __thread const char *parse_what; /* "domain": set during one parse */
static __thread char *parse_name;       /* the document's <name>, when known */

/* The kind and name of the definition n belongs to, for messages: while
 * parsing they come from the document, afterwards from n's root. */
static void error_context(const vk_xnode *n, const char **what, const char **name)
{
    *what = parse_what;
    *name = parse_name;
    if (*what)
        return;
    const vk_xnode *r = n;
    while (r && r->parent)
        r = r->parent;
    const vk_xkind *k = r ? vk_xkind_get(r->kind) : NULL;
    *what = k && k->root == r->schema ? k->what : "definition";
    if (k && k->root == r->schema)
        *name = vk_xnode_child_text(r, "name");
}

void vk_xml_error(const vk_xnode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vk_vasprintf(fmt, ap);
    va_end(ap);
    const char *what, *name;
    error_context(n, &what, &name);
    VK_AUTOFREE(char *) obj = name ? vk_asprintf("%s '%s'", what, name) : vk_strdup(what);
    if (n && n->line > 0)
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "%s XML line %d: <%s>: %s", obj, n->line,
                     n->name, msg);
    else if (n)
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "%s XML: <%s>: %s", obj, n->name, msg);
    else
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "%s XML: %s", obj, msg);
}

const vk_xelem *vk_schema_child(const vk_xelem *e, const char *name)
{
    for (const vk_xchild *c = e ? e->children : NULL; c && c->elem; c++)
        if (c->elem->name[0] == name[0] && vk_streq(c->elem->name, name))
            return c->elem;
    return NULL;
}

const vk_xattr *vk_schema_attr(const vk_xelem *e, const char *name)
{
    for (const vk_xattr *a = e ? e->attrs : NULL; a && a->name; a++)
        if (a->name[0] == name[0] && vk_streq(a->name, name))
            return a;
    return NULL;
}

/* Position of c's row among parent row pe's children; foreign last. */
static size_t child_rank(const vk_xelem *pe, const vk_xnode *c)
{
    size_t i = 0;
    if (c->schema)
        for (const vk_xchild *k = pe->children; k && k->elem; k++, i++)
            if (k->elem == c->schema)
                return i;
    return SIZE_MAX;
}

const vk_xnode *vk_schema_find_repeat(const vk_xnode *n, const char *child, const char *attr)
{
    for (size_t i = 0; n && i < n->nchildren; i++) {
        const vk_xnode *c = n->children[i];
        const char *v = vk_xnode_attr(c, attr);
        if (!v || !vk_streq(c->name, child))
            continue;
        for (size_t j = 0; j < i; j++)
            if (vk_streq(n->children[j]->name, child) &&
                vk_streq(vk_xnode_attr(n->children[j], attr), v))
                return c;
    }
    return NULL;
}

void vk_schema_insert(vk_xnode *parent, vk_xnode *child)
{
    const vk_xelem *pe = parent->schema;
    if (!pe || (pe->flags & VK_XE_VERBATIM)) {
        vk_xnode_append(parent, child);
        return;
    }
    size_t r = child_rank(pe, child), pos = parent->nchildren;
    while (pos > 0 && child_rank(pe, parent->children[pos - 1]) > r)
        pos--;
    vk_xnode_insert(parent, pos, child);
}

char *vk_schema_check_attr(const vk_xnode *n, const vk_xattr *a, const char *value)
{
    char *norm = NULL, *why = NULL;
    if (a->type->check(value, a->values, &norm, &why) < 0) {
        vk_xml_error(n, "attribute %s='%s' is not valid: %s", a->name, value, why);
        free(why);
        return NULL;
    }
    return norm ? norm : vk_strdup(value);
}

char *vk_schema_check_text(const vk_xnode *n, const char *value)
{
    const vk_xelem *e = n->schema;
    char *norm = NULL, *why = NULL;
    if (e->text == &vk_xt_scaled) {
        uint64_t v;
        bool bytes = e->flags & VK_XE_SCALED_BYTES;
        if (vk_scale_value(value, vk_xnode_attr(n, "unit"), bytes, &v, &why) < 0) {
            vk_xml_error(n, "value '%s' is not valid: %s", value, why);
            free(why);
            return NULL;
        }
        return vk_asprintf("%llu", (unsigned long long)v);
    }
    if (e->text->check(value, e->text_values, &norm, &why) < 0) {
        vk_xml_error(n, "value '%s' is not valid: %s", value, why);
        free(why);
        return NULL;
    }
    return norm ? norm : vk_strdup(value);
}

/* ------------------------------------------------------------- parsing -- */

static bool is_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return vk_strndup(s, n);
}

static char *qualified_name(xmlNodePtr x)
{
    if (x->ns && x->ns->prefix)
        return vk_asprintf("%s:%s", x->ns->prefix, x->name);
    return vk_strdup((const char *)x->name);
}

/* Namespace bindings declared so far inside a verbatim copy. */
typedef struct ns_scope {
    const char *prefix; /* NULL: the default namespace */
    const char *href;
    const struct ns_scope *up;
} ns_scope;

static bool ns_in_scope(const ns_scope *s, const char *prefix, const char *href)
{
    for (; s; s = s->up)
        if (vk_streq(s->prefix, prefix))
            return vk_streq(s->href, href);
    return false;
}

/* Declare on n the binding of ns unless the copy already has it. Returns
 * the new scope entry (stored in *slot) or the old scope. */
static const ns_scope *ns_declare(vk_xnode *n, xmlNsPtr ns, const ns_scope *scope,
                                  ns_scope *slot)
{
    const char *prefix = ns ? (const char *)ns->prefix : NULL;
    const char *href = ns ? (const char *)ns->href : NULL;
    if (!ns || vk_streq(prefix, "xml") || ns_in_scope(scope, prefix, href))
        return scope;
    VK_AUTOFREE(char *) an = prefix ? vk_asprintf("xmlns:%s", prefix) : vk_strdup("xmlns");
    vk_xnode_set_attr(n, an, href ? href : "");
    *slot = (ns_scope){ prefix, href, scope };
    return slot;
}

/* Copy a foreign or verbatim subtree as it is, with every namespace it
 * uses declared inside the copy, so a plugin receives exactly what the user
 * wrote and the formatted copy is well-formed on its own. */
static vk_xnode *convert_verbatim(xmlNodePtr x, const ns_scope *scope)
{
    VK_AUTOFREE(char *) qn = qualified_name(x);
    vk_xnode *n = vk_xnode_new(qn, NULL);
    n->line = (int)xmlGetLineNo(x);
    size_t ndefs = 0, i = 0;
    for (xmlNsPtr ns = x->nsDef; ns; ns = ns->next)
        ndefs++;
    for (xmlAttrPtr a = x->properties; a; a = a->next)
        ndefs++;
    VK_AUTOFREE(ns_scope *) slots = vk_alloc_n(ndefs + 1, sizeof(*slots));
    for (xmlNsPtr ns = x->nsDef; ns; ns = ns->next)
        scope = ns_declare(n, ns, scope, &slots[i++]);
    scope = ns_declare(n, x->ns, scope, &slots[i++]);
    for (xmlAttrPtr a = x->properties; a; a = a->next) {
        if (a->ns && a->ns->prefix)
            scope = ns_declare(n, a->ns, scope, &slots[i++]);
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        VK_AUTOFREE(char *) an = (a->ns && a->ns->prefix)
                                     ? vk_asprintf("%s:%s", a->ns->prefix, a->name)
                                     : vk_strdup((const char *)a->name);
        vk_xnode_set_attr(n, an, v ? (const char *)v : "");
        xmlFree(v);
    }
    VK_AUTOSTRBUF text = VK_STRBUF_INIT;
    for (xmlNodePtr c = x->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            vk_xnode_append(n, convert_verbatim(c, scope));
        else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            vk_strbuf_add(&text, (const char *)c->content);
    }
    if (!is_blank(vk_strbuf_str(&text)))
        n->text = trim_dup(vk_strbuf_str(&text));
    return n;
}

static bool ns_is_ours(xmlNsPtr ns)
{
    return ns && ns->href && vk_str_has_prefix((const char *)ns->href, VK_XML_NS_PREFIX);
}

static vk_xnode *convert(xmlNodePtr x, const vk_xelem *e, unsigned int flags);

/* An error about child element x of `parent`, which has no node yet: the
 * message is the parent's, at the child's own line. */
static void error_at(const vk_xnode *parent, xmlNodePtr x, const char *fmt, ...)
    VK_PRINTF(3, 4);
static void error_at(const vk_xnode *parent, xmlNodePtr x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vk_vasprintf(fmt, ap);
    va_end(ap);
    vk_xnode tmp = { .name = parent->name, .line = (int)xmlGetLineNo(x) };
    vk_xml_error(&tmp, "%s", msg);
}

static int convert_children(vk_xnode *n, xmlNodePtr x, const vk_xelem *e, unsigned int flags)
{
    VK_AUTOSTRBUF text = VK_STRBUF_INIT;
    for (xmlNodePtr c = x->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            vk_strbuf_add(&text, (const char *)c->content);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions */
        if (c->ns && c->ns != x->ns && c->ns->href) {
            if ((e->flags & VK_XE_FOREIGN) && ns_is_ours(c->ns)) {
                vk_xnode_append(n, convert_verbatim(c, NULL));
                continue;
            }
            VK_AUTOFREE(char *) qn = qualified_name(c);
            error_at(n, c, "element <%s> is in namespace '%s', which is not supported here%s",
                     qn, c->ns->href,
                     (e->flags & VK_XE_FOREIGN) ? " (extensions use " VK_XML_NS_PREFIX "...)"
                                                : "");
            return -1;
        }
        const vk_xelem *ce = vk_schema_child(e, (const char *)c->name);
        if (!ce) {
            error_at(n, c, "unsupported element <%s>", c->name);
            return -1;
        }
        vk_xnode *cn = convert(c, ce, flags);
        if (!cn)
            return -1;
        vk_schema_insert(n, cn);
    }
    if (e->text) {
        VK_AUTOFREE(char *) t = trim_dup(vk_strbuf_str(&text));
        if (!*t && e->text != &vk_xt_string && !(e->flags & VK_XE_TEXT_OPTIONAL)) {
            vk_xml_error(n, "missing value: expected %s", e->text->name);
            return -1;
        }
        if (*t || e->text == &vk_xt_string) {
            n->text = vk_schema_check_text(n, t);
            if (!n->text)
                return -1;
        }
    } else if (!is_blank(vk_strbuf_str(&text))) {
        VK_AUTOFREE(char *) t = trim_dup(vk_strbuf_str(&text));
        vk_xml_error(n, "unexpected text '%.40s'", t);
        return -1;
    }
    /* Child counts. */
    for (const vk_xchild *c = e->children; c && c->elem; c++) {
        size_t cnt = vk_xnode_count(n, c->elem->name);
        if (cnt < c->min) {
            vk_xml_error(n, "missing required element <%s>", c->elem->name);
            return -1;
        }
        if (c->max && cnt > c->max) {
            if (c->max == 1)
                vk_xml_error(n, "element <%s> may appear only once", c->elem->name);
            else
                vk_xml_error(n, "element <%s> may appear at most %u times", c->elem->name,
                             c->max);
            return -1;
        }
    }
    return 0;
}

/* Scaled attributes and text are stored in KiB (or bytes) with the unit
 * rewritten to match, so every value has one spelling. Runs after the text
 * was scaled with the unit as written. */
static int scale_attrs(vk_xnode *n, const vk_xelem *e)
{
    bool scaled = n->text && e->text == &vk_xt_scaled;
    bool bytes = e->flags & VK_XE_SCALED_BYTES;
    /* libvirt spells it "units" on filesystem sources, "unit" elsewhere */
    const char *unit_attr = vk_schema_attr(e, "unit") ? "unit" : "units";
    const char *unit = vk_xnode_attr(n, unit_attr);
    for (const vk_xattr *a = e->attrs; a && a->name; a++) {
        const char *v = vk_xnode_attr(n, a->name);
        if (a->type != &vk_xt_scaled || !v)
            continue;
        uint64_t x;
        char *why = NULL;
        if (vk_scale_value(v, unit, bytes, &x, &why) < 0) {
            vk_xml_error(n, "attribute %s='%s' is not valid: %s", a->name, v, why);
            free(why);
            return -1;
        }
        char buf[32];
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)x);
        vk_xnode_set_attr(n, a->name, buf);
        scaled = true;
    }
    if (scaled && vk_schema_attr(e, unit_attr))
        vk_xnode_set_attr(n, unit_attr, bytes ? "bytes" : "KiB");
    return 0;
}

static vk_xnode *convert(xmlNodePtr x, const vk_xelem *e, unsigned int flags)
{
    if (e->flags & VK_XE_VERBATIM) {
        vk_xnode *n = convert_verbatim(x, NULL);
        n->schema = e;
        return n;
    }
    VK_AUTOPTR(vk_xnode) n = vk_xnode_new((const char *)x->name, e);
    n->line = (int)xmlGetLineNo(x);
    for (xmlAttrPtr a = x->properties; a; a = a->next) {
        if (a->ns && a->ns->href) {
            vk_xml_error(n, "attribute '%s:%s' in a foreign namespace is not supported",
                         a->ns->prefix ? (const char *)a->ns->prefix : "", a->name);
            return NULL;
        }
        const vk_xattr *spec = vk_schema_attr(e, (const char *)a->name);
        if (!spec) {
            vk_xml_error(n, "unsupported attribute '%s'", a->name);
            return NULL;
        }
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        VK_AUTOFREE(char *) norm = vk_schema_check_attr(n, spec, v ? (const char *)v : "");
        xmlFree(v);
        if (!norm)
            return NULL;
        vk_xnode_set_attr(n, spec->name, norm);
    }
    for (const vk_xattr *a = e->attrs; a && a->name; a++) {
        if ((a->flags & VK_XF_REQUIRED) && !vk_xnode_attr(n, a->name)) {
            vk_xml_error(n, "missing required attribute '%s'", a->name);
            return NULL;
        }
    }
    if (convert_children(n, x, e, flags) < 0)
        return NULL;
    if (scale_attrs(n, e) < 0)
        return NULL;
    if (e->normalise && e->normalise(n) < 0)
        return NULL;
    if (e->check && e->check(n) < 0)
        return NULL;
    return VK_STEAL(n);
}

static __thread vk_strbuf *xml_errbuf;

static void xml_error_collect(void *ctx, xmlErrorPtr err)
{
    if (!xml_errbuf || xml_errbuf->len || !err || !err->message)
        return;
    VK_AUTOFREE(char *) msg = trim_dup(err->message);
    vk_strbuf_addf(xml_errbuf, "line %d: %s", err->line, msg);
}

static xmlDocPtr read_doc(const char *xml)
{
    VK_AUTOSTRBUF err = VK_STRBUF_INIT;
    xml_errbuf = &err;
    xmlSetStructuredErrorFunc(NULL, xml_error_collect);
    /* NONET: no network fetches; no NOENT: external entities stay
     * unexpanded; HUGE off: libxml2's default depth/size limits apply. */
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "definition.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xml_errbuf = NULL;
    if (!doc) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "%s XML is malformed: %s",
                     parse_what ? parse_what : "definition",
                     err.len ? vk_strbuf_str(&err) : "empty document");
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML,
                     "%s XML: DOCTYPE declarations are not accepted",
                     parse_what ? parse_what : "definition");
        return NULL;
    }
    return doc;
}

static void xml_init_once(void)
{
    xmlInitParser();
}

static void xml_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, xml_init_once);
}

static vk_xnode *parse_root(const vk_xkind *k, const vk_xelem *root_schema, const char *what,
                            const char *xml, unsigned int flags, const vk_xelem *parent)
{
    xml_init();
    if (!xml) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_XML, "%s XML must not be NULL", what);
        return NULL;
    }
    parse_what = what;
    vk_xnode *res = NULL;
    xmlDocPtr doc = read_doc(xml);
    if (!doc)
        goto out;
    xmlNodePtr r = xmlDocGetRootElement(doc);
    if (!r) {
        vk_xml_error(NULL, "no root element");
        goto out;
    }
    const vk_xelem *e = root_schema;
    if (parent)
        e = vk_schema_child(parent, (const char *)r->name);
    if (!e || !vk_streq(e->name, (const char *)r->name) || (r->ns && r->ns->href)) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML,
                     "%s XML line %d: root element is <%s>, expected %s%s%s", what,
                     (int)xmlGetLineNo(r), r->name, parent ? "a device element" : "<",
                     parent ? "" : root_schema->name, parent ? "" : ">");
        goto out;
    }
    for (xmlNodePtr c = r->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !c->ns && xmlStrEqual(c->name, BAD_CAST "name")) {
            xmlChar *t = xmlNodeGetContent(c);
            parse_name = t ? trim_dup((const char *)t) : NULL;
            xmlFree(t);
            break;
        }
    }
    res = convert(r, e, flags);
    if (res && k) {
        res->kind = k->kind;
        if (k->validate && k->validate(res) < 0) {
            vk_xnode_free(res);
            res = NULL;
        }
    }
out:
    if (doc)
        xmlFreeDoc(doc);
    parse_what = NULL;
    free(parse_name);
    parse_name = NULL;
    return res;
}

vk_xnode *vk_schema_parse(const vk_xkind *k, const char *xml, unsigned int flags)
{
    return parse_root(k, k->root, k->what, xml, flags, NULL);
}

vk_xnode *vk_schema_parse_child(const vk_xelem *parent_schema, const char *what,
                                const char *xml, unsigned int flags)
{
    return parse_root(NULL, NULL, what, xml, flags, parent_schema);
}

/* ---------------------------------------------------------- formatting -- */

static bool omitted(const vk_xnode *n, unsigned int flags)
{
    return (flags & VKP_DEF_FORMAT_INACTIVE) && n->schema && (n->schema->flags & VK_XE_RUNTIME);
}

/* XML escaping that survives a reparse: parsers turn literal tabs and
 * newlines in attribute values into spaces and drop carriage returns from
 * text, so those are written as character references. */
static void add_escaped(vk_strbuf *b, const char *s, bool attr)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *ref = NULL;
        switch (*p) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '\'': ref = attr ? "&apos;" : NULL; break;
        case '"': ref = attr ? "&quot;" : NULL; break;
        case '\r': ref = "&#13;"; break;
        case '\n': ref = attr ? "&#10;" : NULL; break;
        case '\t': ref = attr ? "&#9;" : NULL; break;
        }
        if (!ref)
            continue;
        vk_strbuf_addn(b, run, (size_t)(p - run));
        vk_strbuf_add(b, ref);
        run = p + 1;
    }
    vk_strbuf_add(b, run);
}

/* ` name='value'` (formatting is on the define/dumpxml path: no printf). */
static void add_attr(vk_strbuf *b, const char *name, const char *value)
{
    vk_strbuf_addc(b, ' ');
    vk_strbuf_add(b, name);
    vk_strbuf_add(b, "='");
    add_escaped(b, value, true);
    vk_strbuf_addc(b, '\'');
}

static void add_tag(vk_strbuf *b, const char *open, const char *name, const char *close)
{
    vk_strbuf_add(b, open);
    vk_strbuf_add(b, name);
    vk_strbuf_add(b, close);
}

static void format_attrs(vk_strbuf *b, const vk_xnode *n, unsigned int flags)
{
    if (!n->schema || (n->schema->flags & VK_XE_VERBATIM)) {
        for (size_t i = 0; i < n->nattrs; i++) {
            add_attr(b, n->attrs[i].name, n->attrs[i].value);
        }
        return;
    }
    for (const vk_xattr *a = n->schema->attrs; a && a->name; a++) {
        const char *v = vk_xnode_attr(n, a->name);
        if (!v || ((flags & VKP_DEF_FORMAT_INACTIVE) && (a->flags & VK_XF_RUNTIME)) ||
            (!(flags & (VKP_DEF_FORMAT_SECURE | VKP_DEF_FORMAT_STATUS)) &&
             (a->flags & VK_XF_SECRET)))
            continue;
        add_attr(b, a->name, v);
    }
}

static void format_node(vk_strbuf *b, const vk_xnode *n, unsigned int flags, bool verbatim);

static void format_children(vk_strbuf *b, const vk_xnode *n, unsigned int flags, bool verbatim)
{
    if (verbatim || !n->schema->children) {
        for (size_t i = 0; i < n->nchildren; i++)
            format_node(b, n->children[i], flags, verbatim || !n->children[i]->schema);
        return;
    }
    for (const vk_xchild *c = n->schema->children; c->elem; c++)
        for (size_t i = 0; i < n->nchildren; i++)
            if (n->children[i]->schema == c->elem)
                format_node(b, n->children[i], flags, false);
    for (size_t i = 0; i < n->nchildren; i++)
        if (!n->children[i]->schema)
            format_node(b, n->children[i], flags, true);
}

static bool has_visible_children(const vk_xnode *n, unsigned int flags)
{
    for (size_t i = 0; i < n->nchildren; i++)
        if (!omitted(n->children[i], flags))
            return true;
    return false;
}

static void format_node(vk_strbuf *b, const vk_xnode *n, unsigned int flags, bool verbatim)
{
    if (omitted(n, flags))
        return;
    bool verb = verbatim || !n->schema || (n->schema->flags & VK_XE_VERBATIM);
    vk_strbuf_add_indent(b);
    add_tag(b, "<", n->name, "");
    format_attrs(b, n, flags);
    bool kids = has_visible_children(n, flags);
    if (!kids && !n->text) {
        vk_strbuf_add(b, "/>\n");
        return;
    }
    vk_strbuf_addc(b, '>');
    if (!kids) {
        add_escaped(b, n->text, false);
        add_tag(b, "</", n->name, ">\n");
        return;
    }
    vk_strbuf_addc(b, '\n');
    b->indent += 2;
    if (n->text) {
        vk_strbuf_add_indent(b);
        add_escaped(b, n->text, false);
        vk_strbuf_addc(b, '\n');
    }
    format_children(b, n, flags, verb);
    b->indent -= 2;
    vk_strbuf_add_indent(b);
    add_tag(b, "</", n->name, ">\n");
}

char *vk_schema_format(const vk_xnode *n, unsigned int flags)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    format_node(&b, n, flags, false);
    return vk_strbuf_steal(&b);
}

/* ------------------------------------------------------------- RelaxNG -- */

typedef struct {
    const vk_xelem **elems;
    size_t n, cap;
} rng_seen;

/* Every element row reachable from the root, in depth-first order: gives
 * each a stable define name ("e-disk-12") independent of addresses. */
static void rng_collect(rng_seen *s, const vk_xelem *e)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->elems[i] == e)
            return;
    VK_GROW(s->elems, s->cap, s->n);
    s->elems[s->n++] = e;
    for (const vk_xchild *c = e->children; c && c->elem; c++)
        rng_collect(s, c->elem);
}

static void rng_ref_name(vk_strbuf *b, const rng_seen *s, const vk_xelem *e)
{
    size_t i = 0;
    while (i < s->n && s->elems[i] != e)
        i++;
    vk_strbuf_addf(b, "e-%s-%zu", e->name, i);
}

static void rng_value(vk_strbuf *b, const vk_xtype *t, const char *const *values)
{
    if (t == &vk_xt_enum) {
        vk_strbuf_add(b, "<choice>");
        for (size_t i = 0; values && values[i]; i++) {
            vk_strbuf_add(b, "<value>");
            vk_strbuf_add_xml_escaped(b, values[i]);
            vk_strbuf_add(b, "</value>");
        }
        vk_strbuf_add(b, "</choice>");
    } else {
        vk_strbuf_add(b, t->rng ? t->rng : "<text/>");
    }
}

static void rng_elem_body(vk_strbuf *b, const vk_xelem *e, const rng_seen *s)
{
    if (e->flags & VK_XE_VERBATIM) {
        vk_strbuf_add(b, "<ref name='any-content'/>");
        return;
    }
    bool empty = true;
    for (const vk_xattr *a = e->attrs; a && a->name; a++) {
        bool req = a->flags & VK_XF_REQUIRED;
        vk_strbuf_addf(b, "%s<attribute name='%s'>", req ? "" : "<optional>", a->name);
        rng_value(b, a->type, a->values);
        vk_strbuf_addf(b, "</attribute>%s", req ? "" : "</optional>");
        empty = false;
    }
    if (e->children || (e->flags & VK_XE_FOREIGN)) {
        vk_strbuf_add(b, "<interleave>");
        for (const vk_xchild *c = e->children; c && c->elem; c++) {
            const char *wrap = c->min == 0 ? (c->max == 1 ? "optional" : "zeroOrMore")
                                           : (c->max == 1 ? NULL : "oneOrMore");
            if (wrap)
                vk_strbuf_addf(b, "<%s>", wrap);
            vk_strbuf_add(b, "<ref name='");
            rng_ref_name(b, s, c->elem);
            vk_strbuf_add(b, "'/>");
            if (wrap)
                vk_strbuf_addf(b, "</%s>", wrap);
        }
        if (e->flags & VK_XE_FOREIGN)
            vk_strbuf_add(b, "<zeroOrMore><ref name='foreign-element'/></zeroOrMore>");
        vk_strbuf_add(b, "</interleave>");
        empty = false;
    }
    if (e->text) {
        if (e->text == &vk_xt_string) {
            vk_strbuf_add(b, "<optional><text/></optional>");
        } else if (e->flags & VK_XE_TEXT_OPTIONAL) {
            vk_strbuf_add(b, "<choice><empty/>");
            rng_value(b, e->text, e->text_values);
            vk_strbuf_add(b, "</choice>");
        } else {
            rng_value(b, e->text, e->text_values);
        }
        empty = false;
    }
    if (empty)
        vk_strbuf_add(b, "<empty/>");
}

char *vk_schema_rng(const vk_xkind *k)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    rng_seen s = { 0 };
    rng_collect(&s, k->root);
    vk_strbuf_add(&b, "<?xml version='1.0'?>\n"
                      "<!-- Generated from the schema tables in framework/xml by\n"
                      "     virtkit-schema-gen; do not edit. -->\n"
                      "<grammar xmlns='http://relaxng.org/ns/structure/1.0' "
                      "datatypeLibrary='http://www.w3.org/2001/XMLSchema-datatypes'>\n"
                      "  <start><ref name='");
    rng_ref_name(&b, &s, k->root);
    vk_strbuf_add(&b, "'/></start>\n");
    for (size_t i = 0; i < s.n; i++) {
        vk_strbuf_add(&b, "  <define name='");
        rng_ref_name(&b, &s, s.elems[i]);
        vk_strbuf_addf(&b, "'><element name='%s'>", s.elems[i]->name);
        rng_elem_body(&b, s.elems[i], &s);
        vk_strbuf_add(&b, "</element></define>\n");
    }
    vk_strbuf_add(&b,
                  "  <define name='any-content'><zeroOrMore><choice><attribute><anyName/>"
                  "</attribute><text/><element><anyName/><ref name='any-content'/></element>"
                  "</choice></zeroOrMore></define>\n"
                  "  <define name='foreign-element'><element><anyName><except><nsName ns=''/>"
                  "</except></anyName><ref name='any-content'/></element></define>\n"
                  "</grammar>\n");
    free(s.elems);
    return vk_strbuf_steal(&b);
}

static void rng_error_collect(void *ctx, xmlErrorPtr err)
{
    xml_error_collect(ctx, err);
}

/* Compiled grammars, kept across calls: compiling domain.rng costs far
 * more than validating a document against it. An entry is reloaded when
 * its file changes (a package upgrade under a running daemon): a new
 * inode, size or mtime (timestamps alone can be too coarse). Validation
 * runs under the lock, so one compiled grammar is never used by two
 * threads at once. */
#define RNG_CACHE_SIZE 8
static struct {
    char *path;
    struct timespec mtime;
    ino_t ino;
    off_t size;
    xmlRelaxNGPtr schema;
} rng_cache[RNG_CACHE_SIZE];
static size_t rng_cache_next;
static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;

/* The compiled grammar at path, or NULL with an error set. rng_lock held. */
static xmlRelaxNGPtr rng_get(const char *path, vk_strbuf *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_XML, "cannot load RelaxNG schema '%s'", path);
        return NULL;
    }
    size_t slot = RNG_CACHE_SIZE;
    for (size_t i = 0; i < RNG_CACHE_SIZE; i++) {
        if (!vk_streq(rng_cache[i].path, path))
            continue;
        if (rng_cache[i].mtime.tv_sec == st.st_mtim.tv_sec &&
            rng_cache[i].mtime.tv_nsec == st.st_mtim.tv_nsec && rng_cache[i].ino == st.st_ino &&
            rng_cache[i].size == st.st_size)
            return rng_cache[i].schema;
        slot = i;
    }
    xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema = pctx ? xmlRelaxNGParse(pctx) : NULL;
    if (pctx)
        xmlRelaxNGFreeParserCtxt(pctx);
    if (!schema) {
        vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_XML, "cannot load RelaxNG schema '%s': %s",
                     path, err->len ? vk_strbuf_str(err) : "unknown error");
        return NULL;
    }
    if (slot == RNG_CACHE_SIZE)
        slot = rng_cache_next++ % RNG_CACHE_SIZE;
    if (rng_cache[slot].schema)
        xmlRelaxNGFree(rng_cache[slot].schema);
    free(rng_cache[slot].path);
    rng_cache[slot].path = vk_strdup(path);
    rng_cache[slot].mtime = st.st_mtim;
    rng_cache[slot].ino = st.st_ino;
    rng_cache[slot].size = st.st_size;
    rng_cache[slot].schema = schema;
    return schema;
}

int vk_schema_validate_rng(const char *rng_path, const char *xml)
{
    xml_init();
    VK_AUTOSTRBUF err = VK_STRBUF_INIT;
    int ret = -1;
    xmlRelaxNGValidCtxtPtr vctx = NULL;
    xmlDocPtr doc = NULL;

    pthread_mutex_lock(&rng_lock);
    xml_errbuf = &err;
    xmlSetStructuredErrorFunc(NULL, rng_error_collect);
    xmlRelaxNGPtr schema = rng_get(rng_path, &err);
    if (!schema)
        goto out;
    vk_strbuf_truncate(&err, 0);
    doc = xmlReadMemory(xml, (int)strlen(xml), "definition.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (!doc) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "XML is malformed: %s", vk_strbuf_str(&err));
        goto out;
    }
    vctx = xmlRelaxNGNewValidCtxt(schema);
    if (xmlRelaxNGValidateDoc(vctx, doc) != 0) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML,
                     "XML does not validate against the schema %s: %s", rng_path,
                     err.len ? vk_strbuf_str(&err) : "invalid");
        goto out;
    }
    ret = 0;
out:
    xmlSetStructuredErrorFunc(NULL, NULL);
    xml_errbuf = NULL;
    if (vctx)
        xmlRelaxNGFreeValidCtxt(vctx);
    if (doc)
        xmlFreeDoc(doc);
    pthread_mutex_unlock(&rng_lock);
    return ret;
}

const char *vk_schema_dir(void)
{
    const char *d = getenv("VIRTKIT_SCHEMA_DIR");
    return (d && *d) ? d : VK_SCHEMADIR;
}
