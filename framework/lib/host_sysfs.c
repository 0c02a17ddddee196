/*
 * host_sysfs.c: see host_sysfs.h. sysfs files are tiny and report a size
 * of 4096 whatever they hold, so every read loops to EOF; a file that
 * keeps growing past 4 MiB is refused rather than read forever.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "fileutil.h"
#include "host_sysfs.h"

#define HOSTFS_MAX_FILE (4u << 20)

static char *hostfs_root;
static pthread_mutex_t hostfs_lock = PTHREAD_MUTEX_INITIALIZER;

void vk_hostfs_set_root(const char *root)
{
    pthread_mutex_lock(&hostfs_lock);
    free(hostfs_root);
    hostfs_root = vk_strdup(root);
    pthread_mutex_unlock(&hostfs_lock);
}

/* The configured root, without trailing slashes; "" means "/". */
static char *root_copy(void)
{
    pthread_mutex_lock(&hostfs_lock);
    const char *r = hostfs_root ? hostfs_root : getenv("VIRTKIT_SYSFS_ROOT");
    char *c = vk_strdup(r ? r : "");
    pthread_mutex_unlock(&hostfs_lock);
    size_t l = strlen(c);
    while (l && c[l - 1] == '/')
        c[--l] = 0;
    return c;
}

char *vk_hostfs_path(const char *rel)
{
    VK_AUTOFREE(char *) r = root_copy();
    return vk_asprintf("%s%s%s", r, rel[0] == '/' ? "" : "/", rel);
}

char *vk_hostfs_root(void)
{
    VK_AUTOFREE(char *) r = root_copy();
    if (!*r)
        return vk_strdup("");
    char buf[PATH_MAX];
    if (!realpath(r, buf))
        return VK_STEAL(r);
    return vk_strdup(vk_streq(buf, "/") ? "" : buf);
}

static bool errno_means_absent(int e)
{
    return e == ENOENT || e == ENOTDIR || e == ENODEV || e == EINVAL || e == ENXIO ||
           e == EOPNOTSUPP || e == ENODATA;
}

/* Read path; 1 ok, 0 absent (when opt), -1 error (set). */
static int read_full(const char *rel, char **out, bool opt)
{
    *out = NULL;
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    VK_AUTOCLOSE fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (opt && errno_means_absent(errno))
            return 0;
        vk_error_system(errno, VIRTKIT_SUB_HOST, "cannot open %s", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    VK_AUTOFREE(char *) buf = vk_alloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= HOSTFS_MAX_FILE) {
                vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST,
                             "%s is larger than %u bytes", path, HOSTFS_MAX_FILE);
                return -1;
            }
            cap *= 2;
            buf = vk_realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (opt && errno_means_absent(errno))
                return 0;
            vk_error_system(errno, VIRTKIT_SUB_HOST, "cannot read %s", path);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *out = VK_STEAL(buf);
    return 1;
}

#define FORMAT_REL(rel, fmt)                                                             \
    va_list ap_;                                                                         \
    va_start(ap_, fmt);                                                                  \
    VK_AUTOFREE(char *) rel = vk_vasprintf(fmt, ap_);                                    \
    va_end(ap_)

char *vk_hostfs_read(const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    char *out;
    return read_full(rel, &out, false) < 0 ? NULL : out;
}

int vk_hostfs_read_opt(char **out, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    return read_full(rel, out, true);
}

static char *trim_line(char *s)
{
    char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t l = strcspn(p, "\n");
    while (l && isspace((unsigned char)p[l - 1]))
        l--;
    char *r = vk_strndup(p, l);
    free(s);
    return r;
}

int vk_hostfs_line_opt(char **out, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    int r = read_full(rel, out, true);
    if (r > 0)
        *out = trim_line(*out);
    return r;
}

void vk_hostfs_parse_error(const char *rel, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) why = vk_vasprintf(fmt, ap);
    va_end(ap);
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST, "cannot parse %s: %s", path,
                 why);
}

static int read_number(const char *rel, bool is_signed, int base, int64_t *sv, uint64_t *uv,
                       bool opt)
{
    char *raw;
    int r = read_full(rel, &raw, opt);
    if (r <= 0)
        return r;
    VK_AUTOFREE(char *) line = trim_line(raw);
    int ok = is_signed ? vk_parse_i64(line, base, sv) : vk_parse_u64(line, base, uv);
    if (ok < 0) {
        vk_hostfs_parse_error(rel, "'%.40s' is not %s", line,
                              is_signed ? "an integer" : "an unsigned integer");
        return -1;
    }
    return 1;
}

int vk_hostfs_i64_opt(int64_t *out, int base, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    return read_number(rel, true, base, out, NULL, true);
}

int vk_hostfs_u64_opt(uint64_t *out, int base, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    return read_number(rel, false, base, NULL, out, true);
}

int vk_hostfs_u64(uint64_t *out, int base, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    return read_number(rel, false, base, NULL, out, false) < 0 ? -1 : 0;
}

bool vk_hostfs_exists(const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    return access(path, F_OK) == 0;
}

int vk_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            char *ea, *eb;
            unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int natural_qsort_cmp(const void *a, const void *b)
{
    return vk_natural_cmp(*(char *const *)a, *(char *const *)b);
}

char **vk_hostfs_list(const char *prefix, const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    char **v = NULL;
    size_t n = 0, cap = 0;
    VK_GROW(v, cap, 0);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || !vk_str_has_prefix(e->d_name, prefix))
                continue;
            VK_GROW(v, cap, n + 1);
            v[n++] = vk_strdup(e->d_name);
        }
        closedir(d);
    }
    v[n] = NULL;
    qsort(v, n, sizeof(*v), natural_qsort_cmp);
    return v;
}

char *vk_hostfs_resolve(const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    char buf[PATH_MAX];
    if (!realpath(path, buf))
        return NULL;
    VK_AUTOFREE(char *) root = vk_hostfs_root();
    size_t rl = strlen(root);
    if (rl && (strncmp(buf, root, rl) != 0 || (buf[rl] != '/' && buf[rl] != 0)))
        return NULL; /* a link escaping the recorded tree */
    return vk_strdup(buf[rl] ? buf + rl : "/");
}

char *vk_hostfs_link_name(const char *fmt, ...)
{
    FORMAT_REL(rel, fmt);
    VK_AUTOFREE(char *) path = vk_hostfs_path(rel);
    char buf[PATH_MAX];
    ssize_t l = readlink(path, buf, sizeof(buf) - 1);
    if (l <= 0)
        return NULL;
    buf[l] = 0;
    const char *slash = strrchr(buf, '/');
    return vk_strdup(slash ? slash + 1 : buf);
}

int vk_meminfo_value(const char *text, const char *key, uint64_t *out, char **why)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *p = line;
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
        /* per-cell files prefix each line with "Node N " */
        if (strncmp(p, "Node ", 5) == 0) {
            p += 5;
            while (isdigit((unsigned char)*p))
                p++;
            while (*p == ' ')
                p++;
        }
        if (strncmp(p, key, kl) != 0 || p[kl] != ':')
            continue;
        p += kl + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || *p == '-') {
            *why = vk_asprintf("%s: '%.*s' is not a number", key, (int)strcspn(p, "\n"), p);
            return -1;
        }
        while (*end == ' ')
            end++;
        if (*end != '\n' && *end && strncmp(end, "kB", 2) != 0) {
            *why = vk_asprintf("%s: unexpected unit '%.*s'", key, (int)strcspn(end, "\n"), end);
            return -1;
        }
        *out = v;
        return 1;
    }
    return 0;
}
