/*
 * vkc_saveimg.c: see vkc_saveimg.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <zlib.h>

#include "vkc_file.h"
#include "vkc_saveimg.h"

#define HDR_LEN 64
#define CHUNK (256 * 1024)
/* A definition larger than this is not one we wrote. */
#define MAX_XML (16u << 20)

static const char magic[16] = "VirtkitSaveImg\n";

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t crc(uint32_t c, const void *p, size_t n)
{
    return (uint32_t)crc32(c, p, (uInt)n);
}

typedef struct {
    uint32_t flags, xml_len, xml_crc, data_crc;
    uint64_t data_len, raw_len;
} header;

static void header_pack(unsigned char *h, const header *v)
{
    memset(h, 0, HDR_LEN);
    memcpy(h, magic, 16);
    put32(h + 16, VKC_SAVEIMG_VERSION);
    put32(h + 20, v->flags);
    put32(h + 24, v->xml_len);
    put32(h + 28, v->xml_crc);
    put64(h + 32, v->data_len);
    put64(h + 40, v->raw_len);
    put32(h + 48, v->data_crc);
    put32(h + 60, crc(0, h, 60));
}

static int bad(const char *path, const char *what)
{
    vkc_error(VIRTKIT_ERR_SAVE_IMAGE, "save image %s: %s", path, what);
    return -1;
}

/* --------------------------------------------------------------- write -- */

static int write_at(int fd, const char *path, const void *p, size_t n)
{
    if (vkc_write_all(fd, p, n) < 0) {
        vkc_error_system(errno, "cannot write save image %s", path);
        return -1;
    }
    return 0;
}

int vkc_saveimg_write(const char *path, const char *xml, uint32_t flags, int in_fd,
                      const volatile int *cancel)
{
    size_t xl = strlen(xml);
    header h = { .flags = flags & ~(uint32_t)VKC_SAVEIMG_COMPLETE, .xml_len = (uint32_t)xl,
                 .xml_crc = crc(0, xml, xl) };
    unsigned char hdr[HDR_LEN];
    header_pack(hdr, &h);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create save image %s", path);
        return -1;
    }
    int r = -1;
    z_stream z = { 0 };
    bool zinit = false;
    VK_AUTOFREE(unsigned char *) in = vkc_alloc(CHUNK);
    VK_AUTOFREE(unsigned char *) out = vkc_alloc(CHUNK);
    if (write_at(fd, path, hdr, HDR_LEN) < 0 || write_at(fd, path, xml, xl) < 0)
        goto done;
    if (deflateInit(&z, 1) != Z_OK) {
        vkc_error(VIRTKIT_ERR_INTERNAL, "save image %s: cannot initialise zlib", path);
        goto done;
    }
    zinit = true;
    for (bool eof = false; !eof;) {
        if (cancel && *cancel) {
            vkc_error(VIRTKIT_ERR_OPERATION_FAILED, "save to %s was cancelled", path);
            goto done;
        }
        ssize_t n = read(in_fd, in, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vkc_error_system(errno, "save image %s: cannot read the guest state", path);
            goto done;
        }
        eof = n == 0;
        h.raw_len += (uint64_t)n;
        z.next_in = in;
        z.avail_in = (uInt)n;
        do {
            z.next_out = out;
            z.avail_out = CHUNK;
            if (deflate(&z, eof ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR) {
                vkc_error(VIRTKIT_ERR_INTERNAL, "save image %s: zlib stream error", path);
                goto done;
            }
            size_t have = CHUNK - z.avail_out;
            h.data_crc = crc(h.data_crc, out, have);
            h.data_len += have;
            if (write_at(fd, path, out, have) < 0)
                goto done;
        } while (z.avail_out == 0);
    }
    h.flags |= VKC_SAVEIMG_COMPLETE;
    header_pack(hdr, &h);
    if (lseek(fd, 0, SEEK_SET) != 0 || write_at(fd, path, hdr, HDR_LEN) < 0)
        goto done;
    if (fsync(fd) < 0) {
        vkc_error_system(errno, "cannot flush save image %s", path);
        goto done;
    }
    r = 0;
done:
    if (zinit)
        deflateEnd(&z);
    if (close(fd) < 0 && r == 0) {
        vkc_error_system(errno, "cannot write save image %s", path);
        r = -1;
    }
    if (r < 0)
        unlink(path);
    return r;
}

/* ---------------------------------------------------------------- read -- */

/* Open path and read and check its header and XML; fd is left at the
 * start of the data. */
static int open_checked(const char *path, vkc_saveimg_info *info, header *h)
{
    memset(info, 0, sizeof(*info));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vkc_error_system(errno, "cannot open save image %s", path);
        return -1;
    }
    struct stat st;
    unsigned char hdr[HDR_LEN];
    ssize_t n = vkc_read_full(fd, hdr, HDR_LEN);
    const char *why = NULL;
    if (fstat(fd, &st) < 0 || n < 0)
        why = "cannot be read";
    else if (n < HDR_LEN)
        why = "is truncated (shorter than its header)";
    else if (memcmp(hdr, magic, 16) != 0)
        why = "is not a virtkit save image (bad magic)";
    else if (get32(hdr + 60) != crc(0, hdr, 60))
        why = "has a corrupt header (checksum mismatch)";
    else if (get32(hdr + 16) != VKC_SAVEIMG_VERSION)
        why = "has an unsupported format version";
    if (why) {
        close(fd);
        if (n >= 20 && get32(hdr + 16) != VKC_SAVEIMG_VERSION && memcmp(hdr, magic, 16) == 0)
            vkc_error(VIRTKIT_ERR_SAVE_IMAGE, "save image %s has format version %u; this "
                      "virtkit reads version %u", path, get32(hdr + 16), VKC_SAVEIMG_VERSION);
        else
            bad(path, why);
        return -1;
    }
    h->flags = get32(hdr + 20);
    h->xml_len = get32(hdr + 24);
    h->xml_crc = get32(hdr + 28);
    h->data_len = get64(hdr + 32);
    h->raw_len = get64(hdr + 40);
    h->data_crc = get32(hdr + 48);
    if (!(h->flags & VKC_SAVEIMG_COMPLETE)) {
        close(fd);
        return bad(path, "is incomplete (the save was interrupted)");
    }
    if (h->xml_len == 0 || h->xml_len > MAX_XML) {
        close(fd);
        return bad(path, "has an invalid definition length");
    }
    uint64_t want = HDR_LEN + (uint64_t)h->xml_len + h->data_len;
    if ((uint64_t)st.st_size < want) {
        close(fd);
        vkc_error(VIRTKIT_ERR_SAVE_IMAGE, "save image %s is truncated: %llu bytes, the header "
                  "promises %llu", path, (unsigned long long)st.st_size,
                  (unsigned long long)want);
        return -1;
    }
    if ((uint64_t)st.st_size > want) {
        close(fd);
        return bad(path, "has trailing data after the guest state");
    }
    char *xml = vkc_alloc(h->xml_len + 1);
    if (vkc_read_full(fd, xml, h->xml_len) != (ssize_t)h->xml_len ||
        crc(0, xml, h->xml_len) != h->xml_crc || memchr(xml, 0, h->xml_len)) {
        free(xml);
        close(fd);
        return bad(path, "has a corrupt definition (checksum mismatch)");
    }
    info->version = VKC_SAVEIMG_VERSION;
    info->flags = h->flags;
    info->xml = xml;
    info->data_len = h->data_len;
    info->raw_len = h->raw_len;
    return fd;
}

int vkc_saveimg_read_header(const char *path, vkc_saveimg_info *info)
{
    header h;
    int fd = open_checked(path, info, &h);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int vkc_saveimg_check(const char *path, vkc_saveimg_info *info)
{
    header h;
    int fd = open_checked(path, info, &h);
    if (fd < 0)
        return -1;
    VK_AUTOFREE(unsigned char *) buf = vkc_alloc(CHUNK);
    uint32_t c = 0;
    uint64_t left = h.data_len;
    while (left) {
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        ssize_t n = vkc_read_full(fd, buf, want);
        if (n != (ssize_t)want) {
            close(fd);
            vkc_saveimg_info_clear(info);
            return bad(path, "is truncated (the guest state ends early)");
        }
        c = crc(c, buf, want);
        left -= want;
    }
    close(fd);
    if (c != h.data_crc) {
        vkc_saveimg_info_clear(info);
        return bad(path, "has corrupt guest state (checksum mismatch)");
    }
    return 0;
}

int vkc_saveimg_restore(const char *path, int out_fd, const volatile int *cancel)
{
    vkc_saveimg_info info;
    header h;
    int fd = open_checked(path, &info, &h);
    if (fd < 0)
        return -1;
    vkc_saveimg_info_clear(&info);
    VK_AUTOFREE(unsigned char *) in = vkc_alloc(CHUNK);
    VK_AUTOFREE(unsigned char *) out = vkc_alloc(CHUNK);
    z_stream z = { 0 };
    if (inflateInit(&z) != Z_OK) {
        close(fd);
        vkc_error(VIRTKIT_ERR_INTERNAL, "save image %s: cannot initialise zlib", path);
        return -1;
    }
    /* A reader that goes away must give an error, not kill us. */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int r = -1, zr = Z_OK;
    uint64_t left = h.data_len, raw = 0;
    while (zr != Z_STREAM_END) {
        if (cancel && *cancel) {
            vkc_error(VIRTKIT_ERR_OPERATION_FAILED, "restore from %s was cancelled", path);
            goto done;
        }
        if (!left) {
            bad(path, "ends before its compressed stream does");
            goto done;
        }
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        if (vkc_read_full(fd, in, want) != (ssize_t)want) {
            bad(path, "is truncated (the guest state ends early)");
            goto done;
        }
        left -= want;
        z.next_in = in;
        z.avail_in = (uInt)want;
        do {
            z.next_out = out;
            z.avail_out = CHUNK;
            zr = inflate(&z, Z_NO_FLUSH);
            if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
                bad(path, "has a corrupt compressed stream");
                goto done;
            }
            size_t have = CHUNK - z.avail_out;
            raw += have;
            if (vkc_write_all(out_fd, out, have) < 0) {
                vkc_error_system(errno, "restore from %s: the hypervisor stopped reading",
                                 path);
                goto done;
            }
        } while (z.avail_out == 0 && zr != Z_STREAM_END);
    }
    if (raw != h.raw_len) {
        bad(path, "inflates to another size than its header says");
        goto done;
    }
    r = 0;
done:
    {
        /* Drop a SIGPIPE that became pending while blocked. */
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    inflateEnd(&z);
    close(fd);
    return r;
}

void vkc_saveimg_info_clear(vkc_saveimg_info *info)
{
    free(info->xml);
    memset(info, 0, sizeof(*info));
}
