/*
 * uri.c: see uri.h. A small hand-written parser: connection URIs are a
 * narrow dialect and a precise error message ("port '99999' is out of
 * range") is worth more than a general RFC 3986 library.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>

#include "error.h"
#include "strbuf.h"
#include "uri.h"

#define URI_ERR(s, ...)                                                                  \
    vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_URI, "invalid URI '%s': " __VA_ARGS__)

static int hexd(char c)
{
    if (isdigit((unsigned char)c))
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decode %XX and '+' (as space) in a query component. */
static char *uri_unescape(const char *s, size_t n, bool plus)
{
    char *r = vk_alloc(n + 1), *o = r;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 1 && hexd(s[i + 1]) >= 0 && hexd(s[i + 2]) >= 0) {
            *o++ = (char)(hexd(s[i + 1]) << 4 | hexd(s[i + 2]));
            i += 2;
        } else if (plus && s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return r;
}

void vk_uri_free(vk_uri *u)
{
    if (!u)
        return;
    free(u->scheme);
    free(u->driver);
    free(u->transport);
    free(u->user);
    free(u->host);
    free(u->path);
    for (size_t i = 0; i < u->nparams; i++) {
        free(u->params[i].name);
        free(u->params[i].value);
    }
    free(u->params);
    free(u);
}

static int uri_parse_query(vk_uri *u, const char *s, const char *q)
{
    size_t cap = 0;
    while (*q) {
        size_t len = strcspn(q, "&");
        if (len) {
            const char *eq = memchr(q, '=', len);
            VK_GROW(u->params, cap, u->nparams);
            vk_uri_param *p = &u->params[u->nparams++];
            if (eq) {
                p->name = uri_unescape(q, (size_t)(eq - q), true);
                p->value = uri_unescape(eq + 1, len - (size_t)(eq - q) - 1, true);
            } else {
                p->name = uri_unescape(q, len, true);
                p->value = vk_strdup("");
            }
            if (!*p->name) {
                URI_ERR(s, "empty query parameter name", s);
                return -1;
            }
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return 0;
}

vk_uri *vk_uri_parse(const char *s)
{
    if (vk_str_empty(s)) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_URI, "empty connection URI");
        return NULL;
    }
    VK_AUTOPTR(vk_uri) u = vk_alloc(sizeof(*u));
    const char *colon = strstr(s, "://");
    if (!colon) {
        URI_ERR(s, "expected driver://...", s);
        return NULL;
    }
    for (const char *p = s; p < colon; p++) {
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.') {
            URI_ERR(s, "character '%c' not allowed in the scheme", s, *p);
            return NULL;
        }
    }
    if (colon == s) {
        URI_ERR(s, "missing driver name before '://'", s);
        return NULL;
    }
    u->scheme = vk_strndup(s, (size_t)(colon - s));
    for (char *p = u->scheme; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *plus = strchr(u->scheme, '+');
    if (plus) {
        u->driver = vk_strndup(u->scheme, (size_t)(plus - u->scheme));
        u->transport = vk_strdup(plus + 1);
        if (!*u->driver || !*u->transport || strchr(u->transport, '+')) {
            URI_ERR(s, "scheme must be driver or driver+transport", s);
            return NULL;
        }
    } else {
        u->driver = vk_strdup(u->scheme);
    }

    const char *auth = colon + 3;
    size_t alen = strcspn(auth, "/?");
    const char *rest = auth + alen;
    /* authority: [user@]host[:port] */
    const char *at = memchr(auth, '@', alen);
    const char *hp = auth;
    if (at) {
        u->user = uri_unescape(auth, (size_t)(at - auth), false);
        if (!*u->user) {
            URI_ERR(s, "empty user name before '@'", s);
            return NULL;
        }
        hp = at + 1;
    }
    size_t hlen = (size_t)(rest - hp);
    const char *portp = NULL;
    if (hlen && *hp == '[') {
        const char *close = memchr(hp, ']', hlen);
        if (!close) {
            URI_ERR(s, "unterminated '[' in host", s);
            return NULL;
        }
        u->host = vk_strndup(hp + 1, (size_t)(close - hp - 1));
        if (close + 1 < rest) {
            if (close[1] != ':') {
                URI_ERR(s, "unexpected text after ']'", s);
                return NULL;
            }
            portp = close + 2;
        }
    } else if (hlen) {
        const char *pc = memchr(hp, ':', hlen);
        u->host = vk_strndup(hp, pc ? (size_t)(pc - hp) : hlen);
        if (pc)
            portp = pc + 1;
    }
    if (portp) {
        VK_AUTOFREE(char *) ps = vk_strndup(portp, (size_t)(rest - portp));
        unsigned int port;
        if (vk_parse_uint(ps, &port) < 0 || port == 0 || port > 65535) {
            URI_ERR(s, "port '%s' is not a number from 1 to 65535", s, ps);
            return NULL;
        }
        u->port = (int)port;
    }
    if (u->host && !*u->host) {
        free(u->host);
        u->host = NULL;
    }
    size_t plen = strcspn(rest, "?#");
    u->path = uri_unescape(rest, plen, false);
    const char *q = rest + plen;
    if (*q == '?') {
        VK_AUTOFREE(char *) query = vk_strndup(q + 1, strcspn(q + 1, "#"));
        if (uri_parse_query(u, s, query) < 0)
            return NULL;
    }
    return VK_STEAL(u);
}

const char *vk_uri_param_get(const vk_uri *u, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; u && i < u->nparams; i++)
        if (vk_streq(u->params[i].name, name))
            v = u->params[i].value;
    return v;
}

static void uri_add_escaped(vk_strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~/,:", *p))
            vk_strbuf_addc(b, (char)*p);
        else
            vk_strbuf_addf(b, "%%%02X", *p);
    }
}

char *vk_uri_format(const vk_uri *u)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    vk_strbuf_addf(&b, "%s://", u->scheme);
    if (u->user) {
        uri_add_escaped(&b, u->user);
        vk_strbuf_addc(&b, '@');
    }
    if (u->host)
        vk_strbuf_addf(&b, strchr(u->host, ':') ? "[%s]" : "%s", u->host);
    if (u->port)
        vk_strbuf_addf(&b, ":%d", u->port);
    vk_strbuf_add(&b, u->path);
    for (size_t i = 0; i < u->nparams; i++) {
        vk_strbuf_addc(&b, i ? '&' : '?');
        uri_add_escaped(&b, u->params[i].name);
        vk_strbuf_addc(&b, '=');
        uri_add_escaped(&b, u->params[i].value);
    }
    return vk_strbuf_steal(&b);
}

bool vk_uri_is_remote(const vk_uri *u)
{
    return u->host && !vk_streq(u->host, "localhost") && !vk_streq(u->host, "127.0.0.1") &&
           !vk_streq(u->host, "::1");
}
