/*
 * test_plugin.c: the test plugin's descriptor, connections and fake node.
 *
 * test:///default gives a fresh node per connection: 2 NUMA cells, 8 CPUs
 * (2 cores x 2 threads per socket, one socket per cell), 16 GiB, one
 * running domain "test", one active network "default" and one active
 * pool "default-pool". test:///PATH.xml loads a node description instead:
 *
 *   <node xmlns:test='https://virtkit.dev/schemas/domain/test/1'>
 *     <cpu><mhz>..</mhz><model>..</model><active>..</active><nodes>..</nodes>
 *          <sockets>..</sockets><cores>..</cores><threads>..</threads></cpu>
 *     <memory>KiB</memory>
 *     <domain type='test'>... <test:runstate>running|paused|shutoff</test:runstate></domain>
 *     <network>...</network>
 *     <pool type='dir'>... <volume>...</volume> </pool>
 *   </node>
 */
#include "config.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

const vkp_host *vkt_host;

#define TEST_NS "https://virtkit.dev/schemas/domain/test/1"

int64_t test_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void test_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    void **a = arr;
    if (need < *cap)
        return;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap <= need)
        ncap *= 2;
    *a = H->realloc(*a, ncap * size);
    memset((char *)*a + *cap * size, 0, (ncap - *cap) * size);
    *cap = ncap;
}

void test_ref_fill(vkp_ref *out, const char *name, const unsigned char *uuid, int id)
{
    out->name = H->strdup(name);
    memcpy(out->uuid, uuid, 16);
    out->id = id;
}

int test_def_identity(vkp_def *def, const char *what, char **name, unsigned char uuid[16])
{
    const char *n = H->def->get(def, "name");
    const char *u = H->def->get(def, "uuid");
    if (!n || !u) {
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR, "%s definition lacks a %s", what,
                 n ? "uuid" : "name");
        return -1;
    }
    if (H->def->uuid_parse(u, uuid) < 0)
        return -1;
    *name = H->strdup(n);
    return 0;
}

/* ------------------------------------------------------------ default -- */

static const char default_domain[] =
    "<domain type='test'>\n"
    "  <name>test</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "  <memory unit='KiB'>8388608</memory>\n"
    "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <on_reboot>restart</on_reboot>\n"
    "  <on_crash>destroy</on_crash>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/guest/diskimage1'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "    <interface type='network'>\n"
    "      <mac address='aa:bb:cc:dd:ee:ff'/>\n"
    "      <source network='default'/>\n"
    "      <target dev='testnet0'/>\n"
    "    </interface>\n"
    "    <console type='pty'/>\n"
    "  </devices>\n"
    "</domain>\n";

static const char default_network[] =
    "<network>\n"
    "  <name>default</name>\n"
    "  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
    "  <forward mode='nat'/>\n"
    "  <bridge name='virbr0'/>\n"
    "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
    "    <dhcp>\n"
    "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
    "      <host mac='aa:bb:cc:dd:ee:ff' name='test' ip='192.168.122.10'/>\n"
    "    </dhcp>\n"
    "  </ip>\n"
    "</network>\n";

static const char default_pool[] =
    "<pool type='dir'>\n"
    "  <name>default-pool</name>\n"
    "  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
    "  <capacity unit='GiB'>100</capacity>\n"
    "  <target><path>/default-pool</path></target>\n"
    "</pool>\n";

static void node_defaults(test_node *n)
{
    snprintf(n->model, sizeof(n->model), "x86_64");
    n->mhz = 2400;
    n->nodes = 2;
    n->sockets = 1;
    n->cores = 2;
    n->threads = 2;
    n->cpus = 8;
    n->memory_kib = 16ULL * 1024 * 1024;
}

static int load_default(vkp_conn *c)
{
    vkp_def *d = NULL;
    node_defaults(&c->node);
    if (H->def->parse(VKP_DEF_DOMAIN, default_domain, 0, &d) < 0 ||
        test_dom_load(c, d, VIRTKIT_DOMAIN_RUNNING, true) < 0)
        return -1;
    if (H->def->parse(VKP_DEF_NETWORK, default_network, 0, &d) < 0 || test_net_load(c, d, true) < 0)
        return -1;
    if (H->def->parse(VKP_DEF_POOL, default_pool, 0, &d) < 0 || test_pool_load(c, d, true) < 0)
        return -1;
    return test_ndevs_default(c);
}

/* ---------------------------------------------------------- node file -- */

static char *node_to_string(xmlNodePtr n)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodeDump(buf, n->doc, n, 0, 0);
    char *s = H->strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return s;
}

static int node_file_uint(const char *path, xmlNodePtr e, unsigned long long *out)
{
    xmlChar *t = xmlNodeGetContent(e);
    char *end;
    errno = 0;
    unsigned long long v = strtoull((const char *)t, &end, 10);
    int bad = errno || end == (char *)t || *end || !*t;
    if (bad)
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                 "node file %s line %ld: <%s> must be a number, not '%s'", path,
                 xmlGetLineNo(e), e->name, t);
    else
        *out = v;
    xmlFree(t);
    return bad ? -1 : 0;
}

static const char *const state_names[] = { "nostate", "running", "blocked", "paused",
                                           "shutdown", "shutoff", "crashed", "pmsuspended" };

/* Pull <test:runstate> out of a domain element: the state to load it in. */
static int take_runstate(const char *path, xmlNodePtr dom, int *state)
{
    *state = VIRTKIT_DOMAIN_RUNNING;
    for (xmlNodePtr k = dom->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || !k->ns || !k->ns->href ||
            strcmp((const char *)k->ns->href, TEST_NS) != 0)
            continue;
        if (strcmp((const char *)k->name, "runstate") != 0) {
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                     "node file %s line %ld: unknown element <test:%s>", path, xmlGetLineNo(k),
                     k->name);
            return -1;
        }
        xmlChar *t = xmlNodeGetContent(k);
        int found = -1;
        for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
            if (strcmp((const char *)t, state_names[i]) == 0)
                found = (int)i;
        if (found != VIRTKIT_DOMAIN_RUNNING && found != VIRTKIT_DOMAIN_PAUSED &&
            found != VIRTKIT_DOMAIN_SHUTOFF) {
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                     "node file %s line %ld: runstate '%s' must be running, paused or shutoff",
                     path, xmlGetLineNo(k), t);
            xmlFree(t);
            return -1;
        }
        xmlFree(t);
        *state = found;
        xmlUnlinkNode(k);
        xmlFreeNode(k);
        return 0;
    }
    return 0;
}

static int load_child_def(xmlNodePtr e, vkp_def_kind kind, vkp_def **out)
{
    /* The definition's own error names the element; line numbers count
     * from the element's start in the node file. */
    char *xml = node_to_string(e);
    int r = H->def->parse(kind, xml, 0, out);
    H->free(xml);
    return r;
}

static int load_node_cpu(const char *path, xmlNodePtr cpu, test_node *n)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        { "mhz", offsetof(test_node, mhz) },         { "active", offsetof(test_node, cpus) },
        { "nodes", offsetof(test_node, nodes) },     { "sockets", offsetof(test_node, sockets) },
        { "cores", offsetof(test_node, cores) },     { "threads", offsetof(test_node, threads) },
    };
    for (xmlNodePtr k = cpu->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)k->name, "model") == 0) {
            xmlChar *t = xmlNodeGetContent(k);
            snprintf(n->model, sizeof(n->model), "%s", (const char *)t);
            xmlFree(t);
            continue;
        }
        size_t i = 0;
        while (i < sizeof(fields) / sizeof(fields[0]) &&
               strcmp(fields[i].name, (const char *)k->name) != 0)
            i++;
        if (i == sizeof(fields) / sizeof(fields[0])) {
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                     "node file %s line %ld: unknown element <%s> in <cpu>", path,
                     xmlGetLineNo(k), k->name);
            return -1;
        }
        unsigned long long v;
        if (node_file_uint(path, k, &v) < 0)
            return -1;
        if (v == 0 || v > 65536) {
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                     "node file %s line %ld: <%s> %llu is out of range", path, xmlGetLineNo(k),
                     k->name, v);
            return -1;
        }
        *(unsigned int *)((char *)n + fields[i].off) = (unsigned int)v;
    }
    if (n->nodes * n->sockets * n->cores * n->threads < n->cpus) {
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                 "node file %s: %u CPUs do not fit %u nodes x %u sockets x %u cores x %u "
                 "threads", path, n->cpus, n->nodes, n->sockets, n->cores, n->threads);
        return -1;
    }
    return 0;
}

static int load_pool_with_volumes(vkp_conn *c, const char *path, xmlNodePtr e)
{
    /* Volumes are children of <pool> in the node file only: detach them
     * before the pool itself is parsed. */
    xmlNodePtr vols = NULL, *tail = &vols;
    for (xmlNodePtr k = e->children, next; k; k = next) {
        next = k->next;
        if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "volume") == 0) {
            xmlUnlinkNode(k);
            *tail = k;
            k->next = NULL;
            tail = &k->next;
        }
    }
    vkp_def *pd = NULL;
    int r = load_child_def(e, VKP_DEF_POOL, &pd);
    if (r == 0)
        r = test_pool_load(c, pd, true);
    test_pool *pool = r == 0 ? (test_pool *)test_set_find(&c->pools, H->def->get(pd, "name"), NULL)
                             : NULL;
    for (xmlNodePtr v = vols, next; v; v = next) {
        next = v->next;
        v->next = NULL;
        if (r == 0) {
            vkp_def *vd = NULL;
            char *xml = node_to_string(v);
            r = H->def->parse(VKP_DEF_VOLUME, xml, 0, &vd);
            H->free(xml);
            if (r == 0)
                r = test_vol_load(c, pool, vd);
        }
        xmlFreeNode(v);
    }
    return r;
}

static int load_node_file(vkp_conn *c, const char *path)
{
    node_defaults(&c->node);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        if (access(path, R_OK) < 0)
            H->error_system(errno, VIRTKIT_SUB_HYPERVISOR, "cannot read node file '%s'", path);
        else
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR, "node file %s is malformed: line %d: %s",
                     path, e ? e->line : 0, e && e->message ? e->message : "parse error");
        return -1;
    }
    int r = 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "node") != 0) {
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                 "node file %s: the root element must be <node>", path);
        r = -1;
    }
    for (xmlNodePtr e = root ? root->children : NULL; e && r == 0; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)e->name;
        vkp_def *def = NULL;
        if (strcmp(name, "cpu") == 0) {
            r = load_node_cpu(path, e, &c->node);
        } else if (strcmp(name, "memory") == 0) {
            r = node_file_uint(path, e, &c->node.memory_kib);
        } else if (strcmp(name, "domain") == 0) {
            int state;
            r = take_runstate(path, e, &state);
            if (r == 0)
                r = load_child_def(e, VKP_DEF_DOMAIN, &def);
            if (r == 0)
                r = test_dom_load(c, def, state, true);
        } else if (strcmp(name, "network") == 0) {
            r = load_child_def(e, VKP_DEF_NETWORK, &def);
            if (r == 0)
                r = test_net_load(c, def, true);
        } else if (strcmp(name, "pool") == 0) {
            r = load_pool_with_volumes(c, path, e);
        } else if (strcmp(name, "device") == 0) {
            r = load_child_def(e, VKP_DEF_NODEDEV, &def);
            if (r == 0)
                r = test_ndev_load(c, def);
        } else {
            H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_HYPERVISOR,
                     "node file %s line %ld: unknown element <%s> in <node>", path,
                     xmlGetLineNo(e), name);
            r = -1;
        }
    }
    xmlFreeDoc(doc);
    return r == 0 ? test_ndevs_finish(c, path) : r;
}

/* -------------------------------------------------------- connections -- */

int test_open(vkp_ctx *ctx, unsigned int flags, vkp_conn **out)
{
    const char *path = H->ctx_uri(ctx, "path");
    if (!path || (strcmp(path, "/default") != 0 && path[0] != '/'))
        return 1;
    if (H->ctx_uri(ctx, "host")) {
        H->error(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_HYPERVISOR,
                 "test driver URIs name no host (test:///default or test:///PATH.xml)");
        return -1;
    }
    vkp_conn *c = H->alloc(sizeof(*c));
    c->ctx = ctx;
    pthread_mutex_init(&c->lock, NULL);
    c->next_id = 1;
    c->opened_ns = test_now_ns();
    test_nets_init(&c->nets);
    test_pools_init(&c->pools);
    int r = strcmp(path, "/default") == 0 ? load_default(c) : load_node_file(c, path);
    if (r < 0) {
        test_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void test_close(vkp_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ndoms; i++)
        test_dom_free(c->doms[i]);
    test_set_clear(&c->nets);
    test_set_clear(&c->pools);
    test_ndevs_clear(c);
    H->free(c->doms);
    pthread_mutex_destroy(&c->lock);
    H->free(c);
}

int test_get_version(vkp_conn *c, unsigned long long *version)
{
    *version = 1000000ULL; /* 1.0.0 */
    return 0;
}

char *test_get_hostname(vkp_conn *c)
{
    return H->strdup("test-node.example.org");
}

/* -------------------------------------------------------------- node -- */

int test_node_get_info(vkp_conn *c, virtkit_node_info *info)
{
    test_node *n = &c->node;
    snprintf(info->model, sizeof(info->model), "%s", n->model);
    info->memory_kib = n->memory_kib;
    info->cpus = n->cpus;
    info->mhz = n->mhz;
    info->nodes = n->nodes;
    info->sockets = n->sockets;
    info->cores = n->cores;
    info->threads = n->threads;
    info->dies = 1;
    return 0;
}

char *test_node_capabilities_xml(vkp_conn *c)
{
    test_node *n = &c->node;
    unsigned int per_cell = n->sockets * n->cores * n->threads;
    size_t cap = 4096 + (size_t)n->cpus * 128 + (size_t)n->nodes * n->nodes * 64;
    char *buf = H->alloc(cap);
    size_t len = 0;
#define ADD(...) (len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__))
    ADD("<host>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n  <cpu>\n"
        "    <arch>x86_64</arch>\n    <model>%s</model>\n"
        "    <topology sockets='%u' dies='1' cores='%u' threads='%u'/>\n  </cpu>\n"
        "  <power_management/>\n  <topology>\n    <cells num='%u'>\n",
        n->model, n->sockets, n->cores, n->threads, n->nodes);
    for (unsigned int cell = 0; cell < n->nodes; cell++) {
        ADD("      <cell id='%u'>\n        <memory unit='KiB'>%llu</memory>\n"
            "        <distances>\n", cell, n->memory_kib / n->nodes);
        for (unsigned int o = 0; o < n->nodes; o++)
            ADD("          <sibling id='%u' value='%u'/>\n", o, o == cell ? 10 : 20);
        unsigned int first = cell * per_cell;
        unsigned int count = first >= n->cpus ? 0 : (n->cpus - first < per_cell ? n->cpus - first
                                                                                 : per_cell);
        ADD("        </distances>\n        <cpus num='%u'>\n", count);
        for (unsigned int i = 0; i < count; i++) {
            unsigned int cpu = first + i;
            unsigned int core = (i / n->threads) % n->cores;
            unsigned int socket = cell * n->sockets + i / (n->cores * n->threads);
            unsigned int sib0 = cpu - (i % n->threads);
            ADD("          <cpu id='%u' socket_id='%u' die_id='0' core_id='%u' siblings='%u-%u'/>\n",
                cpu, socket, core, sib0, sib0 + n->threads - 1);
        }
        ADD("        </cpus>\n      </cell>\n");
    }
    ADD("    </cells>\n  </topology>\n  <secmodel>\n    <model>none</model>\n"
        "    <doi>0</doi>\n  </secmodel>\n</host>\n");
#undef ADD
    return buf;
}

char *test_capabilities_guests_xml(vkp_conn *c)
{
    return H->strdup("<guest>\n  <os_type>hvm</os_type>\n  <arch name='x86_64'>\n"
                     "    <wordsize>64</wordsize>\n    <emulator>/usr/bin/test-hv</emulator>\n"
                     "    <machine>test</machine>\n    <domain type='test'/>\n  </arch>\n"
                     "  <features>\n    <acpi default='on' toggle='yes'/>\n  </features>\n"
                     "</guest>\n<guest>\n  <os_type>hvm</os_type>\n  <arch name='i686'>\n"
                     "    <wordsize>32</wordsize>\n    <emulator>/usr/bin/test-hv</emulator>\n"
                     "    <machine>test</machine>\n    <domain type='test'/>\n  </arch>\n"
                     "</guest>\n");
}

int test_node_get_cpu_map(vkp_conn *c, unsigned char **cpumap, unsigned int *online)
{
    unsigned int n = c->node.cpus;
    if (cpumap) {
        *cpumap = H->alloc(n);
        memset(*cpumap, 1, n);
    }
    if (online)
        *online = n;
    return (int)n;
}

int test_node_cells_free_memory(vkp_conn *c, unsigned long long *free_bytes, int start, int max)
{
    pthread_mutex_lock(&c->lock);
    unsigned int cells = c->node.nodes;
    if ((unsigned int)start >= cells) {
        pthread_mutex_unlock(&c->lock);
        H->error(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST,
                 "cell %d does not exist (the node has %u cells)", start, cells);
        return -1;
    }
    unsigned long long used = test_doms_running_kib(c);
    unsigned long long per_cell = c->node.memory_kib / cells;
    int n = 0;
    for (unsigned int i = (unsigned int)start; i < cells && n < max; i++, n++) {
        /* running domains are spread evenly over the cells */
        unsigned long long u = used / cells;
        free_bytes[n] = (per_cell > u ? per_cell - u : 0) * 1024ULL;
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* CPU counters grow with the time the connection has been open, split in
 * fixed shares so tests can check relations (idle > user > kernel). */
int test_node_cpu_stats(vkp_conn *c, int cpu, virtkit_params **params)
{
    if (cpu >= (int)c->node.cpus) {
        H->error(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST,
                 "CPU %d does not exist (the node has %u CPUs)", cpu, c->node.cpus);
        return -1;
    }
    unsigned long long t = (unsigned long long)(test_now_ns() - c->opened_ns) + 1000000000ULL;
    unsigned long long ncpu = cpu < 0 ? c->node.cpus : 1;
    virtkit_params *p = H->params->create();
    H->params->add_ullong(p, "kernel", t * ncpu / 10);
    H->params->add_ullong(p, "user", t * ncpu / 5);
    H->params->add_ullong(p, "idle", t * ncpu * 13 / 20);
    H->params->add_ullong(p, "iowait", t * ncpu / 20);
    *params = p;
    return 0;
}

int test_node_memory_stats(vkp_conn *c, int cell, virtkit_params **params)
{
    if (cell >= (int)c->node.nodes) {
        H->error(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST,
                 "cell %d does not exist (the node has %u cells)", cell, c->node.nodes);
        return -1;
    }
    pthread_mutex_lock(&c->lock);
    unsigned long long used = test_doms_running_kib(c);
    pthread_mutex_unlock(&c->lock);
    unsigned long long total = cell < 0 ? c->node.memory_kib : c->node.memory_kib / c->node.nodes;
    if (cell >= 0)
        used /= c->node.nodes;
    virtkit_params *p = H->params->create();
    H->params->add_ullong(p, "total", total);
    H->params->add_ullong(p, "free", total > used ? total - used : 0);
    H->params->add_ullong(p, "buffers", 0);
    H->params->add_ullong(p, "cached", 0);
    *params = p;
    return 0;
}

int test_node_get_hugepages(vkp_conn *c, virtkit_params **params)
{
    virtkit_params *p = H->params->create();
    for (unsigned int cell = 0; cell < c->node.nodes; cell++) {
        char key[64];
        snprintf(key, sizeof(key), "%u.2048.total", cell);
        H->params->add_ullong(p, key, 0);
        snprintf(key, sizeof(key), "%u.2048.free", cell);
        H->params->add_ullong(p, key, 0);
    }
    *params = p;
    return 0;
}

/* ------------------------------------------------------------ plugin -- */

static int test_init(const vkp_host *host, unsigned int core_minor)
{
    vkt_host = host;
    xmlInitParser();
    return 0;
}

static const char *const test_schemes[] = { "test", NULL };

VIRTKIT_PLUGIN_DEFINE(.name = "test", .version = PACKAGE_VERSION, .license = "LGPL-2.1-or-later",
                      .description = "in-memory reference hypervisor (test:///default)",
                      .kinds = VKP_KIND_HYPERVISOR | VKP_KIND_STORAGE | VKP_KIND_NETWORK,
                      .schemes = test_schemes, .init = test_init,
                      .hypervisor = &test_hypervisor_ops, .storage = &test_storage_ops,
                      .network = &test_network_ops)
