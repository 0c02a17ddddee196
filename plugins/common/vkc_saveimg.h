/*
 * vkc_saveimg.h: the save image format shared by hypervisor plugins
 * (domain save, managed save): a header that carries the definition, then
 * the guest state as one zlib stream.
 *
 * Layout (integers little-endian):
 *
 *   0   magic        16 bytes "VirtkitSaveImg\n\0"
 *   16  version      u32  (1)
 *   20  flags        u32  VKC_SAVEIMG_* below
 *   24  xml_len      u32  bytes of definition XML at offset 64
 *   28  xml_crc      u32  crc32 of the XML
 *   32  data_len     u64  bytes of compressed state after the XML
 *   40  raw_len      u64  bytes of state once inflated
 *   48  data_crc     u32  crc32 of the compressed bytes
 *   52  reserved     u32  0
 *   56  reserved     u32  0
 *   60  header_crc   u32  crc32 of bytes 0..59
 *   64  xml, then data
 *
 * The writer streams first and fills data_len/raw_len/data_crc and the
 * COMPLETE flag last, so an interrupted save leaves an image that opening
 * refuses. Opening checks magic, version, header and XML checksums, the
 * file size and the data checksum before a single byte reaches the
 * hypervisor; a damaged image fails with VIRTKIT_ERR_SAVE_IMAGE naming
 * the file and what is wrong.
 */
#ifndef VKC_SAVEIMG_H
#define VKC_SAVEIMG_H

#include <stdint.h>

#include "vkc.h"

#define VKC_SAVEIMG_VERSION 1

enum {
    VKC_SAVEIMG_COMPLETE = 1 << 0, /* the writer finished */
    VKC_SAVEIMG_RUNNING = 1 << 1,  /* the domain was running when saved */
};

typedef struct vkc_saveimg_info {
    uint32_t version;
    uint32_t flags;
    char *xml;          /* host-allocated; caller frees */
    uint64_t data_len;
    uint64_t raw_len;
} vkc_saveimg_info;

/* Write an image at path from everything read from in_fd until EOF
 * (typically the read end of a pipe the hypervisor writes its state to).
 * Runs in the caller's thread until EOF. *cancel (may be NULL) is polled
 * between chunks; when it becomes nonzero the write stops and fails. On
 * failure the partial file is removed. */
int vkc_saveimg_write(const char *path, const char *xml, uint32_t flags, int in_fd,
                      const volatile int *cancel);

/* Check an image completely (see above) and fill info. */
int vkc_saveimg_check(const char *path, vkc_saveimg_info *info);
/* Only the header and the definition (cheap; no data checksum). */
int vkc_saveimg_read_header(const char *path, vkc_saveimg_info *info);
/* Inflate the state of a checked image into out_fd (typically a pipe the
 * hypervisor reads with -incoming). Stops early when *cancel becomes
 * nonzero or out_fd's reader goes away. */
int vkc_saveimg_restore(const char *path, int out_fd, const volatile int *cancel);

void vkc_saveimg_info_clear(vkc_saveimg_info *info);

#endif
