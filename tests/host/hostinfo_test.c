/*
 * hostinfo_test.c: node info, CPU map, free memory per cell, statistics,
 * huge pages and the capabilities document of the three recorded trees
 * (tests/data/host), against golden files in tests/host/golden/<tree>/;
 * and the error paths: missing files, garbage in sysfs, cells and CPUs
 * that do not exist.
 */
#include "config.h"

#include "defs.h"
#include "host_cpulist.h"
#include "host_sysfs.h"
#include "hosttest.h"
#include "params.h"
#include "strbuf.h"

static void add_params(vk_strbuf *b, const char *what, virtkit_params *p)
{
    vk_strbuf_addf(b, "%s:", what);
    for (size_t i = 0; i < virtkit_params_count(p); i++) {
        const char *name = virtkit_params_name(p, i);
        unsigned long long v = 0;
        assert_int_equal(virtkit_params_get_ullong(p, name, &v), 1);
        vk_strbuf_addf(b, " %s=%llu", name, v);
    }
    vk_strbuf_addc(b, '\n');
}

/* Everything but the capabilities, as one text per tree. */
static char *node_summary(void)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    vk_strbuf_addf(&b, "model: %s\nmemory: %llu KiB\ncpus: %u\nmhz: %u\n", info.model,
                   info.memory_kib, info.cpus, info.mhz);
    vk_strbuf_addf(&b, "nodes: %u sockets: %u dies: %u cores: %u threads: %u\n", info.nodes,
                   info.sockets, info.dies, info.cores, info.threads);
    assert_int_equal((unsigned long long)info.nodes * info.sockets * info.cores * info.threads,
                     info.cpus);

    unsigned char *map = NULL;
    unsigned int online = 0;
    int n = vk_host_get_cpu_map(&map, &online);
    VKT_OK(n);
    vk_strbuf_addf(&b, "cpumap: %d CPUs, %u online: ", n, online);
    for (int i = 0; i < n; i++)
        vk_strbuf_addc(&b, map[i] ? 'y' : '-');
    vk_strbuf_addc(&b, '\n');
    free(map);
    assert_int_equal(online, info.cpus);

    unsigned long long free_cells[8] = { 0 };
    int cells = vk_host_cells_free_memory(free_cells, 0, 8);
    VKT_OK(cells);
    vk_strbuf_addf(&b, "cells: %d free:", cells);
    for (int i = 0; i < cells; i++)
        vk_strbuf_addf(&b, " %llu", free_cells[i]);
    vk_strbuf_addc(&b, '\n');

    virtkit_params *p = NULL;
    VKT_OK(vk_host_cpu_stats(-1, &p));
    add_params(&b, "cpu stats all", p);
    virtkit_params_free(p);
    VKT_OK(vk_host_cpu_stats(1, &p));
    add_params(&b, "cpu stats cpu1", p);
    virtkit_params_free(p);
    VKT_OK(vk_host_memory_stats(-1, &p));
    add_params(&b, "memory stats node", p);
    virtkit_params_free(p);
    for (int c = 0; c < cells; c++) {
        VKT_OK(vk_host_memory_stats(c, &p));
        VK_AUTOFREE(char *) what = vk_asprintf("memory stats cell%d", c);
        add_params(&b, what, p);
        virtkit_params_free(p);
    }
    VKT_OK(vk_host_hugepages(&p));
    add_params(&b, "hugepages", p);
    virtkit_params_free(p);
    vk_strbuf_addf(&b, "arch: %s\n", vk_host_arch());
    return vk_strbuf_steal(&b);
}

/* The capabilities document must reparse through the caps tables and
 * validate against the RelaxNG generated from them. */
static void check_caps_document(const char *host_xml)
{
    VK_AUTOSTRBUF doc = VK_STRBUF_INIT;
    vk_strbuf_add(&doc, "<capabilities>\n");
    vk_strbuf_add(&doc, host_xml);
    vk_strbuf_add(&doc, "</capabilities>\n");
    VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_def_parse(VK_DEF_CAPS, vk_strbuf_str(&doc), 0));
    VK_AUTOFREE(char *) again = VKT_NONNULL(vk_schema_format(vk_xnode_child(d, "host"), 0));
    assert_string_equal(again, host_xml);

    VK_AUTOFREE(char *) rng = vk_schema_rng(&vk_caps_kind);
    char *dir = vkt_tmpdir();
    VK_AUTOFREE(char *) path = vk_asprintf("%s/capability.rng", dir);
    VKT_OK(vk_file_write_atomic(path, rng, strlen(rng), 0644));
    VKT_OK(vk_schema_validate_rng(path, vk_strbuf_str(&doc)));
    vkt_tmpdir_cleanup(dir);
}

static void test_tree(void **state)
{
    const char *tree = *state;
    ht_use_tree(tree);
    VK_AUTOFREE(char *) summary = node_summary();
    VK_AUTOFREE(char *) g1 = vk_asprintf("host/golden/%s/node.txt", tree);
    vkt_golden(g1, summary);

    VK_AUTOFREE(char *) caps = VKT_NONNULL(vk_host_capabilities_xml());
    VK_AUTOFREE(char *) g2 = vk_asprintf("host/golden/%s/caps.xml", tree);
    vkt_golden(g2, caps);
    check_caps_document(caps);
    vk_host_set_root(NULL);
}

/* --------------------------------------------------------- semantics -- */

static void test_laptop_shape(void **state)
{
    ht_use_tree("laptop");
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    assert_int_equal(info.cpus, 8);
    assert_int_equal(info.nodes, 1);
    assert_int_equal(info.sockets, 1);
    assert_int_equal(info.cores, 4);
    assert_int_equal(info.threads, 2);
    assert_int_equal(info.mhz, 1800); /* cpufreq base, not the momentary cpu MHz */
    assert_string_equal(info.model, "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz");
    vk_host_set_root(NULL);
}

static void test_server_shape(void **state)
{
    ht_use_tree("server");
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    assert_int_equal(info.cpus, 16);
    assert_int_equal(info.nodes, 2);
    assert_int_equal(info.sockets, 1); /* per cell, as libvirt */
    assert_int_equal(info.cores, 4);
    assert_int_equal(info.threads, 2);
    unsigned long long f[2];
    /* start/max select a window of cells */
    assert_int_equal(vk_host_cells_free_memory(f, 1, 5), 1);
    assert_int_equal(f[0], 61865984ULL * 1024);
    assert_int_equal(vk_host_cells_free_memory(f, 0, 1), 1);
    assert_int_equal(f[0], 50331648ULL * 1024);
    vk_host_set_root(NULL);
}

static void test_offline_shape(void **state)
{
    ht_use_tree("offline");
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    /* 6 of 8 online, two cores lost a thread: the shape no longer
     * multiplies out, so libvirt's flat fallback */
    assert_int_equal(info.cpus, 6);
    assert_int_equal(info.nodes, 1);
    assert_int_equal(info.sockets, 1);
    assert_int_equal(info.cores, 6);
    assert_int_equal(info.threads, 1);
    unsigned char *map = NULL;
    unsigned int online = 0;
    assert_int_equal(vk_host_get_cpu_map(&map, &online), 8);
    assert_int_equal(online, 6);
    assert_int_equal(map[5], 1);
    assert_int_equal(map[6], 0);
    assert_int_equal(map[7], 0);
    free(map);
    vk_host_set_root(NULL);
}

/* -------------------------------------------------------- error paths -- */

static void test_bad_cells_and_cpus(void **state)
{
    unsigned long long f[4];
    virtkit_params *p = NULL;
    ht_use_tree("server");
    assert_int_equal(vk_host_cells_free_memory(f, 2, 1), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "NUMA cell 2 does not exist (the node has cells 0-1)");
    assert_int_equal(vk_host_memory_stats(7, &p), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "NUMA cell 7 does not exist");
    assert_int_equal(vk_host_cpu_stats(99, &p), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "CPU 99 does not exist (present CPUs: 0-15)");
    ht_use_tree("offline");
    assert_int_equal(vk_host_cpu_stats(6, &p), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "CPU 6 is offline");
    assert_int_equal(vk_host_cells_free_memory(f, 1, 1), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "NUMA cell 1 does not exist (the node has cell 0)");
    /* the one implied cell is the whole node */
    VKT_OK(vk_host_memory_stats(0, &p));
    unsigned long long total = 0;
    assert_int_equal(virtkit_params_get_ullong(p, "total", &total), 1);
    assert_int_equal(total, 4025880);
    virtkit_params_free(p);
    assert_null(p = NULL);
    vk_host_set_root(NULL);
}

/* Each case breaks one file of a scratch copy and expects a precise error
 * from each call that reads it. */
enum { C_INFO = 1, C_CELLS = 2, C_CAPS = 4, C_ALL = 7 };

typedef struct {
    const char *tree;
    const char *file;
    const char *content;       /* NULL: remove the file */
    unsigned int calls;
    int code;
    const char *needle;
} broken_case;

static const broken_case broken[] = {
    { "laptop", "/sys/devices/system/cpu/online", NULL, C_ALL, VIRTKIT_ERR_SYSTEM,
      "/sys/devices/system/cpu/online: No such file or directory" },
    { "laptop", "/sys/devices/system/cpu/online", "0-3,x\n", C_ALL,
      VIRTKIT_ERR_OPERATION_FAILED, "cpu/online: '0-3,x' is not a CPU list" },
    { "laptop", "/sys/devices/system/cpu/present", "7-0\n", C_ALL, VIRTKIT_ERR_OPERATION_FAILED,
      "range 7-0 runs backwards" },
    { "laptop", "/sys/devices/system/cpu/online", "0-9\n", C_ALL, VIRTKIT_ERR_OPERATION_FAILED,
      "CPU 8 is online but not present" },
    { "laptop", "/sys/devices/system/cpu/cpu3/topology/core_id", "abc\n", C_ALL,
      VIRTKIT_ERR_OPERATION_FAILED, "cpu3/topology/core_id: 'abc' is not an integer" },
    { "laptop", "/sys/devices/system/cpu/cpu2/topology/physical_package_id", NULL, C_ALL,
      VIRTKIT_ERR_OPERATION_FAILED, "CPU 2: " },
    { "laptop", "/sys/devices/system/cpu/cpu1/cache/index3/size", "8 parsecs\n", C_CAPS,
      VIRTKIT_ERR_OPERATION_FAILED, "cpu1/cache/index3: cache type 'Unified', size '8 parsecs'" },
    { "server", "/sys/devices/system/node/node1/meminfo", NULL, C_CELLS | C_CAPS,
      VIRTKIT_ERR_SYSTEM, "node1/meminfo: No such file or directory" },
    { "server", "/sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: lots kB\n",
      C_CELLS | C_CAPS, VIRTKIT_ERR_OPERATION_FAILED, "MemTotal: 'lots kB' is not a number" },
    { "server", "/sys/devices/system/node/node0/distance", "10 21 31\n", C_CELLS | C_CAPS,
      VIRTKIT_ERR_OPERATION_FAILED, "more distances than the 2 online cells" },
    { "server", "/sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages",
      "600\n", C_CELLS | C_CAPS, VIRTKIT_ERR_OPERATION_FAILED,
      "600 free pages exceed the pool of 512" },
    { "server", "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "-5\n",
      C_CELLS | C_CAPS, VIRTKIT_ERR_OPERATION_FAILED, "'-5' is not an unsigned integer" },
    { "offline", "/proc/meminfo", "MemFree: 12 kB\n", C_ALL, VIRTKIT_ERR_OPERATION_FAILED,
      "/proc/meminfo: no MemTotal" },
    { "offline", "/proc/cpuinfo", "processor\t: 0\nmicrocode\t: 0xzz\n", C_ALL,
      VIRTKIT_ERR_OPERATION_FAILED, "microcode '0xzz' is not a number" },
};

/* The calls that read the whole machine. */
static int call_info(void)
{
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    return vk_host_get_info(&info);
}
static int call_caps(void)
{
    char *x = vk_host_capabilities_xml();
    free(x);
    return x ? 0 : -1;
}
static int call_cells(void)
{
    unsigned long long f[4];
    return vk_host_cells_free_memory(f, 0, 4);
}

static void test_broken_trees(void **state)
{
    static const struct {
        unsigned int bit;
        const char *name;
        int (*call)(void);
    } calls[] = { { C_INFO, "info", call_info }, { C_CELLS, "cells", call_cells },
                  { C_CAPS, "caps", call_caps } };
    for (size_t i = 0; i < VK_ARRAY_LEN(broken); i++) {
        const broken_case *c = &broken[i];
        char *dir = ht_scratch(c->tree);
        if (c->content)
            ht_write(dir, c->file, c->content);
        else
            ht_remove(dir, c->file);
        for (size_t k = 0; k < VK_ARRAY_LEN(calls); k++) {
            print_message("case %zu: %s %s (%s)\n", i, c->tree, c->file, calls[k].name);
            int r = calls[k].call();
            if (c->calls & calls[k].bit) {
                assert_int_equal(r, -1);
                VKT_ERROR(c->code, c->needle);
            } else {
                VKT_OK(r); /* the breakage is outside what this call reads */
            }
        }
        ht_scratch_done(dir);
    }
}

/* Absent optional facts are left out, not errors. */
static void test_optional_files(void **state)
{
    char *dir = ht_scratch("laptop");
    ht_remove(dir, "/sys/class/dmi");
    ht_remove(dir, "/etc/machine-id");
    ht_remove(dir, "/sys/power");
    ht_remove(dir, "/sys/devices/system/cpu/cpu0/cpufreq");
    ht_remove(dir, "/sys/devices/system/node/node0/distance");
    VK_AUTOFREE(char *) caps = VKT_NONNULL(vk_host_capabilities_xml());
    assert_null(strstr(caps, "<uuid>"));
    assert_null(strstr(caps, "<distances>"));
    assert_non_null(strstr(caps, "<power_management/>"));
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    assert_int_equal(info.mhz, 3221); /* cpuinfo's cpu MHz without cpufreq */
    ht_scratch_done(dir);
}

/* A host whose CPUs lost their topology directory (some containers):
 * a flat shape, and cells list the CPUs without placement. */
static void test_no_topology(void **state)
{
    char *dir = ht_scratch("laptop");
    for (int c = 0; c < 8; c++) {
        VK_AUTOFREE(char *) rel = vk_asprintf("/sys/devices/system/cpu/cpu%d/topology", c);
        ht_remove(dir, rel);
    }
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    assert_int_equal(info.cores, 8);
    assert_int_equal(info.threads, 1);
    VK_AUTOFREE(char *) caps = VKT_NONNULL(vk_host_capabilities_xml());
    assert_non_null(strstr(caps, "<cpu id='7'/>"));
    ht_scratch_done(dir);
}

/* ------------------------------------------------------- small parsers -- */

static void test_cpulist(void **state)
{
    vk_cpulist l = { 0 };
    char *why = NULL;
    VKT_OK(vk_cpulist_parse("0-3,8,10-11\n", &l, &why));
    assert_int_equal(l.n, 7);
    assert_true(vk_cpulist_has(&l, 8));
    assert_false(vk_cpulist_has(&l, 9));
    assert_int_equal(vk_cpulist_max(&l), 11);
    VK_AUTOFREE(char *) s = vk_cpulist_format(&l);
    assert_string_equal(s, "0-3,8,10-11");
    VKT_OK(vk_cpulist_parse("\n", &l, &why)); /* the kernel's empty list */
    assert_int_equal(l.n, 0);
    VK_AUTOFREE(char *) e = vk_cpulist_format(&l);
    assert_string_equal(e, "");
    static const struct {
        const char *in, *why;
    } bad[] = {
        { "1-", "expected a number" },       { "a", "expected a number" },
        { "3-1", "range 3-1 runs backwards" }, { "1,,2", "expected a number" },
        { "0,", "ends with ','" },           { "70000", "70000 is out of range" },
        { "0-3 junk", "unexpected text after it" }, { "0;1", "unexpected ';'" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(bad); i++) {
        assert_int_equal(vk_cpulist_parse(bad[i].in, &l, &why), -1);
        if (!strstr(why, bad[i].why))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].in, why, bad[i].why);
        free(why);
        why = NULL;
    }
    vk_cpulist_clear(&l);
}

static void test_meminfo_value(void **state)
{
    const char *text = "MemTotal:  100 kB\nSwapCached:  7 kB\nCached:  42 kB\n"
                       "Node 1 MemFree:   9 kB\nHugePages_Total:   3\nBad: x kB\n";
    uint64_t v = 0;
    char *why = NULL;
    assert_int_equal(vk_meminfo_value(text, "Cached", &v, &why), 1);
    assert_int_equal(v, 42); /* not SwapCached */
    assert_int_equal(vk_meminfo_value(text, "MemFree", &v, &why), 1);
    assert_int_equal(v, 9);
    assert_int_equal(vk_meminfo_value(text, "HugePages_Total", &v, &why), 1);
    assert_int_equal(v, 3);
    assert_int_equal(vk_meminfo_value(text, "Buffers", &v, &why), 0);
    assert_int_equal(vk_meminfo_value(text, "Bad", &v, &why), -1);
    assert_non_null(strstr(why, "Bad: 'x kB' is not a number"));
    free(why);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_tree, (void *)"laptop"),
        cmocka_unit_test_prestate(test_tree, (void *)"server"),
        cmocka_unit_test_prestate(test_tree, (void *)"offline"),
        cmocka_unit_test(test_laptop_shape),
        cmocka_unit_test(test_server_shape),
        cmocka_unit_test(test_offline_shape),
        cmocka_unit_test(test_bad_cells_and_cpus),
        cmocka_unit_test(test_broken_trees),
        cmocka_unit_test(test_optional_files),
        cmocka_unit_test(test_no_topology),
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_meminfo_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
