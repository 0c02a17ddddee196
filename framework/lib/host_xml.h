/*
 * host_xml.h: building the documents the node describes itself with
 * (capabilities, node devices) as vk_xnode trees checked against their
 * schema tables (framework/xml/nodedev_schema.c) while they are built.
 * An element or attribute the table does not know, or a value its type
 * refuses, is a bug in the builder, not bad input: it is recorded and
 * vk_hx_finish() fails with VIRTKIT_ERR_INTERNAL naming it, so a broken
 * document is never handed out.
 */
#ifndef VK_HOST_XML_H
#define VK_HOST_XML_H

#include "schema.h"
#include "xtree.h"

typedef struct vk_hx {
    const vk_xkind *kind;
    vk_xnode *root;
    char *error;              /* the first problem, NULL when none */
} vk_hx;

/* Start a document whose root is the element `name` reached from the
 * kind's root by a path of child names ("host" under capabilities), or
 * the kind's root itself when path is NULL. */
void vk_hx_init(vk_hx *b, const vk_xkind *kind, const char *path);
/* Append a child element; returns it (never NULL: on a schema miss a
 * detached placeholder is returned and the error recorded). */
vk_xnode *vk_hx_add(vk_hx *b, vk_xnode *parent, const char *name);
void vk_hx_attr(vk_hx *b, vk_xnode *n, const char *name, const char *fmt, ...) VK_PRINTF(4, 5);
void vk_hx_text(vk_hx *b, vk_xnode *n, const char *fmt, ...) VK_PRINTF(3, 4);
/* add + text in one go. */
vk_xnode *vk_hx_leaf(vk_hx *b, vk_xnode *parent, const char *name, const char *fmt, ...)
    VK_PRINTF(4, 5);
/* The formatted document, or NULL with the recorded error; frees the tree. */
char *vk_hx_finish(vk_hx *b);
/* The tree itself (caller frees), or NULL with the recorded error. */
vk_xnode *vk_hx_steal(vk_hx *b);
void vk_hx_clear(vk_hx *b);

#endif
