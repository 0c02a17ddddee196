/*
 * nodedev_ids.c: vendor and product names from the pci.ids and usb.ids
 * databases (pciutils, usbutils, hwdata), looked for under the host root.
 * The file (1-2 MB) is read once and indexed by vendor; it is read again
 * when its size or mtime changes. Without the file, names are simply
 * absent, as with libvirt.
 *
 * Format: "vvvv  Vendor name", then "\tpppp  Product name" lines; other
 * sections (device classes, "C 00 ...") follow the vendor list.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "error.h"
#include "host_sysfs.h"
#include "nodedev_db.h"

typedef struct {
    unsigned int id;
    size_t line;     /* offset of the vendor line */
    size_t end;      /* end of its product lines */
} ids_vendor;

typedef struct {
    char *path;      /* the file found (full path), NULL when none */
    off_t size;
    struct timespec mtime;
    char *text;
    ids_vendor *vendors;
    size_t n, cap;
} ids_db;

static const char *const ids_files[][3] = {
    [VK_IDS_PCI] = { "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", NULL },
    [VK_IDS_USB] = { "/usr/share/misc/usb.ids", "/var/lib/usbutils/usb.ids",
                     "/usr/share/hwdata/usb.ids" },
};

static ids_db dbs[2];
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;

static void ids_clear(ids_db *d)
{
    free(d->path);
    free(d->text);
    free(d->vendors);
    memset(d, 0, sizeof(*d));
}

static bool hex4(const char *p, unsigned int *out)
{
    unsigned int v = 0;
    for (int i = 0; i < 4; i++) {
        if (!isxdigit((unsigned char)p[i]))
            return false;
        v = v * 16 + (unsigned int)(isdigit((unsigned char)p[i]) ? p[i] - '0'
                                                                  : tolower((unsigned char)p[i]) - 'a' + 10);
    }
    *out = v;
    return p[4] == ' ';
}

static void ids_index(ids_db *d)
{
    ids_vendor *cur = NULL;
    const char *t = d->text;
    for (size_t off = 0; t[off];) {
        const char *line = t + off;
        size_t len = strcspn(line, "\n");
        unsigned int id;
        if (line[0] == '\t' || line[0] == '#' || len == 0) {
            if (cur && line[0] == '\t')
                cur->end = off + len;
        } else if (hex4(line, &id)) {
            VK_GROW(d->vendors, d->cap, d->n);
            cur = &d->vendors[d->n++];
            cur->id = id;
            cur->line = off;
            cur->end = off + len;
        } else {
            cur = NULL; /* another section: classes, languages... */
        }
        off += len + (line[len] == '\n');
    }
}

/* The database of kind, loaded or refreshed; NULL when not installed. */
static ids_db *ids_get(vk_ids_kind kind)
{
    ids_db *d = &dbs[kind];
    for (size_t i = 0; i < 3 && ids_files[kind][i]; i++) {
        VK_AUTOFREE(char *) path = vk_hostfs_path(ids_files[kind][i]);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        if (d->path && vk_streq(d->path, path) && d->size == st.st_size &&
            d->mtime.tv_sec == st.st_mtim.tv_sec && d->mtime.tv_nsec == st.st_mtim.tv_nsec)
            return d;
        ids_clear(d);
        if (vk_hostfs_read_opt(&d->text, "%s", ids_files[kind][i]) <= 0) {
            virtkit_error_clear(); /* unreadable or too large: no names */
            ids_clear(d);
            return NULL;
        }
        d->path = VK_STEAL(path);
        d->size = st.st_size;
        d->mtime = st.st_mtim;
        ids_index(d);
        return d;
    }
    ids_clear(d);
    return NULL;
}

/* The name after "xxxx  " on the line at off. */
static char *name_at(const char *text, size_t off)
{
    const char *p = text + off;
    while (*p == '\t')
        p++;
    p += 4;
    while (*p == ' ')
        p++;
    return vk_strndup(p, strcspn(p, "\n"));
}

static char *lookup(vk_ids_kind kind, unsigned int vendor, bool product, unsigned int pid)
{
    pthread_mutex_lock(&ids_lock);
    char *r = NULL;
    ids_db *d = ids_get(kind);
    for (size_t i = 0; d && i < d->n && !r; i++) {
        if (d->vendors[i].id != vendor)
            continue;
        if (!product) {
            r = name_at(d->text, d->vendors[i].line);
            break;
        }
        for (size_t off = d->vendors[i].line; off < d->vendors[i].end;) {
            const char *line = d->text + off;
            size_t len = strcspn(line, "\n");
            unsigned int id;
            if (line[0] == '\t' && line[1] != '\t' && hex4(line + 1, &id) && id == pid) {
                r = name_at(d->text, off);
                break;
            }
            off += len + 1;
        }
        break;
    }
    pthread_mutex_unlock(&ids_lock);
    return r;
}

char *vk_ids_vendor(vk_ids_kind kind, unsigned int vendor)
{
    return lookup(kind, vendor, false, 0);
}

char *vk_ids_product(vk_ids_kind kind, unsigned int vendor, unsigned int product)
{
    return lookup(kind, vendor, true, product);
}
