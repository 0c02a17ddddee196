/*
 * vkc_cgroup.c: see vkc_cgroup.h.
 *
 * Layout detection: <base>/cgroup.controllers exists on a pure v2 host;
 * a hybrid host has v1 controllers at <base>/<controller> and cgroup2 at
 * <base>/unified (holding no controllers, but still a place to group
 * processes). Both are detected from the filesystem each time a group is
 * made, so a test can point `base` at a fake tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "vkc_cgroup.h"
#include "vkc_file.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static const char *cg_base = "/sys/fs/cgroup";

/* v1 controllers a guest's group is made in (cpuset and devices need
 * settings copied from the parent before use, freezer is not ours). */
static const char *const v1_controllers[] = { "cpu", "cpuacct", "memory", "pids", "blkio" };

struct vkc_cgroup {
    vkc_strv dirs;      /* one directory per hierarchy */
    vkc_strv procs;     /* their cgroup.procs */
    char *describe;
    bool v2;            /* dirs[0] is on the unified hierarchy with controllers */
};

void vkc_cgroup_set_base(const char *base)
{
    cg_base = base ? base : "/sys/fs/cgroup";
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = vkc_write_all(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

/* Enable cpu, memory and pids for children of dir where dir offers them;
 * what the parent does not delegate is simply left out. */
static void v2_enable_controllers(const char *dir)
{
    VK_AUTOFREE(char *) avail_path = vkc_asprintf("%s/cgroup.controllers", dir);
    size_t len;
    char *avail = vkc_file_read(avail_path, 4096, &len);
    if (!avail) {
        vkc_error_reset();
        return;
    }
    VK_AUTOFREE(char *) ctl = vkc_asprintf("%s/cgroup.subtree_control", dir);
    static const char *const want[] = { "cpu", "memory", "pids" };
    for (size_t i = 0; i < VKC_ARRAY_LEN(want); i++) {
        if (!strstr(avail, want[i]))
            continue;
        VK_AUTOFREE(char *) add = vkc_asprintf("+%s", want[i]);
        if (write_str(ctl, add) < 0)
            VKC_DEBUG("cannot enable %s in %s: %s", want[i], ctl, strerror(errno));
    }
    free(avail);
}

static void add_dir(vkc_cgroup *cg, const char *dir)
{
    vkc_strv_add(&cg->dirs, dir);
    vkc_strv_addf(&cg->procs, "%s/cgroup.procs", dir);
}

static vkc_cgroup *cg_build(const char *name, bool create)
{
    vkc_cgroup *cg = vkc_alloc(sizeof(*cg));
    VK_AUTOFREE(char *) v2root = vkc_asprintf("%s/cgroup.controllers", cg_base);
    struct statfs sf;
    VK_AUTOFREE(char *) unified = vkc_asprintf("%s/unified", cg_base);
    vkc_strv hier = { 0 };
    if (vkc_file_exists(v2root)) {
        cg->v2 = true;
        vkc_strv_add(&hier, cg_base);
    } else {
        for (size_t i = 0; i < VKC_ARRAY_LEN(v1_controllers); i++) {
            VK_AUTOFREE(char *) d = vkc_asprintf("%s/%s", cg_base, v1_controllers[i]);
            if (is_dir(d))
                vkc_strv_add(&hier, d);
        }
        if (is_dir(unified) && statfs(unified, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
            vkc_strv_add(&hier, unified);
    }
    for (size_t i = 0; i < hier.n; i++) {
        VK_AUTOFREE(char *) parent = vkc_asprintf("%s/virtkit", hier.v[i]);
        VK_AUTOFREE(char *) dir = vkc_asprintf("%s/%s", parent, name);
        if (create) {
            bool v2_root = cg->v2 && i == 0;
            if (v2_root)
                v2_enable_controllers(hier.v[i]);
            if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
                VKC_DEBUG("no cgroup in %s: %s", hier.v[i], strerror(errno));
                continue;
            }
            if (v2_root)
                v2_enable_controllers(parent);
            if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                VKC_DEBUG("no cgroup in %s: %s", hier.v[i], strerror(errno));
                continue;
            }
        } else if (!is_dir(dir)) {
            continue;
        }
        add_dir(cg, dir);
    }
    vkc_strv_clear(&hier);
    if (!cg->dirs.n) {
        if (create)
            vkc_error(VIRTKIT_ERR_OPERATION_FAILED,
                      "cannot create cgroup '%s': no writable cgroup hierarchy under %s", name,
                      cg_base);
        vkc_cgroup_free(cg);
        return NULL;
    }
    vkc_buf b = VKC_BUF_INIT;
    for (size_t i = 0; i < cg->dirs.n; i++) {
        if (i)
            vkc_buf_addc(&b, ':');
        vkc_buf_add(&b, cg->dirs.v[i]);
    }
    cg->describe = vkc_buf_steal(&b);
    return cg;
}

vkc_cgroup *vkc_cgroup_create(const char *name)
{
    return cg_build(name, true);
}

vkc_cgroup *vkc_cgroup_open(const char *name)
{
    return cg_build(name, false);
}

char *const *vkc_cgroup_procs_files(const vkc_cgroup *cg)
{
    return cg->procs.v;
}

int vkc_cgroup_attach(vkc_cgroup *cg, pid_t pid)
{
    char val[24];
    snprintf(val, sizeof(val), "%d", (int)pid);
    for (size_t i = 0; i < cg->procs.n; i++) {
        if (write_str(cg->procs.v[i], val) < 0) {
            vkc_error_system(errno, "cannot move process %d into %s", (int)pid, cg->procs.v[i]);
            return -1;
        }
    }
    return 0;
}

const char *vkc_cgroup_describe(const vkc_cgroup *cg)
{
    return cg->describe;
}

int vkc_cgroup_set_knob(vkc_cgroup *cg, const char *v2_name, const char *v2_val,
                        const char *v1_name, const char *v1_val)
{
    int done = 0;
    for (size_t i = 0; i < cg->dirs.n; i++) {
        VK_AUTOFREE(char *) v2f = v2_name ? vkc_asprintf("%s/%s", cg->dirs.v[i], v2_name) : NULL;
        VK_AUTOFREE(char *) v1f = v1_name ? vkc_asprintf("%s/%s", cg->dirs.v[i], v1_name) : NULL;
        bool v2 = v2f && vkc_file_exists(v2f);
        if (!v2 && !(v1f && vkc_file_exists(v1f)))
            continue;
        const char *f = v2 ? v2f : v1f;
        if (write_str(f, v2 ? v2_val : v1_val) < 0) {
            vkc_error_system(errno, "cannot write '%s' to %s", v2 ? v2_val : v1_val, f);
            return -1;
        }
        done++;
    }
    if (!done) {
        vkc_error(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "no cgroup of %s offers %s%s%s",
                  cg->describe ? cg->describe : "this process", v2_name ? v2_name : "",
                  v2_name && v1_name ? " or " : "", v1_name ? v1_name : "");
        return -1;
    }
    return 0;
}


int vkc_cgroup_remove(vkc_cgroup *cg)
{
    int r = 0;
    for (size_t i = 0; i < cg->dirs.n; i++) {
        int tries = 0;
        while (rmdir(cg->dirs.v[i]) < 0 && errno == EBUSY && tries++ < 50)
            vkc_sleep_ms(2);
        if (is_dir(cg->dirs.v[i])) {
            vkc_error_system(errno, "cannot remove cgroup %s", cg->dirs.v[i]);
            r = -1;
        }
    }
    return r;
}

void vkc_cgroup_free(vkc_cgroup *cg)
{
    if (!cg)
        return;
    vkc_strv_clear(&cg->dirs);
    vkc_strv_clear(&cg->procs);
    free(cg->describe);
    free(cg);
}
