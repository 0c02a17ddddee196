/*
 * test.h: the in-memory reference hypervisor ("test:///default",
 * "test:///PATH.xml"): a fake node with domains, networks and storage
 * pools whose whole state lives in one connection. It is the fixture the
 * API, CLI and remote tests run against, and the example of a complete
 * plugin: it uses only the SDK (host table) and libxml2 for its node file.
 *
 * Threads: one mutex per connection guards all of its state; every op
 * takes it for its whole (short) duration. Events are queued to the core
 * under the lock, which only appends them.
 */
#ifndef VKTEST_H
#define VKTEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <virtkit-1/hypervisor.h>
#include <virtkit-1/network.h>
#include <virtkit-1/storage.h>

extern const vkp_host *vkt_host;
#define H vkt_host

typedef struct test_dom {
    char *name;
    unsigned char uuid[16];
    int id;                  /* -1 while inactive */
    int state;               /* virtkit_domain_state */
    int reason;
    bool persistent;
    bool autostart;
    vkp_def *def;            /* the persistent (or transient) definition */
    vkp_def *live;           /* the running definition, while active */
    vkp_def *saved_def;      /* managed save image, when there is one */
    int saved_state;         /* state recorded in the managed save */
    uint64_t cpu_ns;         /* accumulated cpu time */
    int64_t running_since;   /* monotonic ns, 0 when not running */
} test_dom;

/* What networks and pools have in common: identity, definition and the
 * active/persistent/autostart flags, kept in a test_set (test_objects.c). */
typedef struct test_obj {
    char *name;
    unsigned char uuid[16];
    vkp_def *def;
    bool active, persistent, autostart;
} test_obj;

typedef struct test_set {
    test_obj **items;
    size_t n, cap;
    const char *what;       /* "network", "storage pool" */
    int no_object_code;     /* VIRTKIT_ERR_NO_NETWORK ... */
    int subsystem;
    void (*free)(test_obj *obj);
    /* Deliver a lifecycle event (network/pool event numbering). */
    void (*emit)(vkp_ctx *ctx, const vkp_ref *ref, int event, int detail);
} test_set;

typedef struct test_vol {
    char *name;
    char *key;               /* also its path */
    vkp_def *def;
    int fd;                  /* memfd holding the contents */
    unsigned long long capacity;
} test_vol;

typedef struct test_pool {
    test_obj base;           /* first: a test_pool is a test_obj */
    unsigned long long capacity;
    test_vol **vols;
    size_t nvols, vols_cap;
} test_pool;

typedef struct test_net {
    test_obj base;           /* first: a test_net is a test_obj */
    char *bridge;
} test_net;

typedef struct test_node {
    char model[64];
    unsigned int mhz, cpus, nodes, sockets, cores, threads;
    unsigned long long memory_kib;
} test_node;

typedef struct test_ndev test_ndev;

struct vkp_conn {
    vkp_ctx *ctx;
    pthread_mutex_t lock;
    test_node node;
    test_dom **doms;
    size_t ndoms, doms_cap;
    int next_id;
    test_set nets;           /* of test_net */
    test_set pools;          /* of test_pool */
    int next_bridge;
    int64_t opened_ns;
    test_ndev *ndevs;        /* the fake node's devices (test_nodedev.c) */
    size_t nndevs, ndevs_cap;
};

/* test_plugin.c */
int64_t test_now_ns(void);
void test_grow(void *arr, size_t *cap, size_t need, size_t size);
#define TEST_GROW(a, cap, need) test_grow(&(a), &(cap), (need), sizeof(*(a)))
void test_ref_fill(vkp_ref *out, const char *name, const unsigned char *uuid, int id);
/* Name and uuid of a freshly parsed definition; -1 with an error. */
int test_def_identity(vkp_def *def, const char *what, char **name, unsigned char uuid[16]);

/* test_plugin.c: connection and node ops */
int test_open(vkp_ctx *ctx, unsigned int flags, vkp_conn **conn);
void test_close(vkp_conn *c);
int test_get_version(vkp_conn *c, unsigned long long *version);
char *test_get_hostname(vkp_conn *c);
char *test_capabilities_guests_xml(vkp_conn *c);
int test_node_get_info(vkp_conn *c, virtkit_node_info *info);
char *test_node_capabilities_xml(vkp_conn *c);
int test_node_get_cpu_map(vkp_conn *c, unsigned char **cpumap, unsigned int *online);
int test_node_cells_free_memory(vkp_conn *c, unsigned long long *free_bytes, int start, int max);
int test_node_cpu_stats(vkp_conn *c, int cpu, virtkit_params **params);
int test_node_memory_stats(vkp_conn *c, int cell, virtkit_params **params);
int test_node_get_hugepages(vkp_conn *c, virtkit_params **params);

/* test_domain.c */
extern const vkp_hypervisor_ops test_hypervisor_ops;
void test_dom_free(test_dom *d);
/* Add a domain from a definition in the given state (node files). */
int test_dom_load(vkp_conn *c, vkp_def *def, int state, bool persistent);
/* Memory of running domains in KiB (fake free memory). */
unsigned long long test_doms_running_kib(vkp_conn *c);

/* test_objects.c: a set of networks or pools. The caller holds c->lock. */
void test_set_clear(test_set *s);
test_obj *test_set_find(test_set *s, const char *name, const unsigned char *uuid);
/* Find by reference, or set "no <what> '<name>'". */
test_obj *test_set_find_ref(test_set *s, const vkp_ref *ref);
/* Store a new definition: it replaces the definition of the object with its
 * name and uuid, or makes a new object of objsize bytes (zeroed). When that
 * object is active and `refuse_active`, nothing changes and -1 says so.
 * Takes ownership of def. */
int test_set_put(test_set *s, vkp_def *def, size_t objsize, bool refuse_active, test_obj **out);
void test_set_remove(test_set *s, test_obj *obj);
void test_set_emit(vkp_conn *c, test_set *s, const test_obj *obj, int event);
/* The common ops, each taking c->lock itself. */
int test_set_list(vkp_conn *c, test_set *s, vkp_ref **refs, unsigned int flags);
int test_set_lookup(vkp_conn *c, test_set *s, const char *name, const unsigned char *uuid,
                    vkp_ref *out);
int test_set_flag(vkp_conn *c, test_set *s, const vkp_ref *ref, size_t offset);
int test_set_get_autostart(vkp_conn *c, test_set *s, const vkp_ref *ref, int *autostart);
int test_set_set_autostart(vkp_conn *c, test_set *s, const vkp_ref *ref, int autostart);
/* Undefine: a persistent object becomes transient, or goes when inactive. */
int test_set_undefine(vkp_conn *c, test_set *s, const vkp_ref *ref, int event);

/* test_nodedev.c: set once at open, read-only afterwards. */
/* Add a device (takes def); -1 on a missing or duplicate name. */
int test_ndev_load(vkp_conn *c, vkp_def *def);
/* After loading: a lone "computer" when none was given, then check the
 * tree (one root, known parents, no cycle); `where` names the source. */
int test_ndevs_finish(vkp_conn *c, const char *where);
/* test:///default's devices. */
int test_ndevs_default(vkp_conn *c);
void test_ndevs_clear(vkp_conn *c);
int test_list_all_nodedevs(vkp_conn *c, char ***names, char ***parents, unsigned int flags);
char *test_nodedev_get_xml(vkp_conn *c, const char *name, unsigned int flags);

/* test_network.c */
void test_nets_init(test_set *s);
int test_net_load(vkp_conn *c, vkp_def *def, bool active);
extern const vkp_network_ops test_network_ops;

/* test_storage.c */
void test_pools_init(test_set *s);
int test_pool_load(vkp_conn *c, vkp_def *def, bool active);
int test_vol_load(vkp_conn *c, test_pool *p, vkp_def *def);
extern const vkp_storage_ops test_storage_ops;

#endif
