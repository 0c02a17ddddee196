/*
 * main.c: virtkit's entry point: global options, the per-command option
 * parser driven by the command table, and the interactive shell (libedit:
 * history in ~/.virtkit_history, completion of command and option names).
 *
 *   virtkit [-c URI] [-r] [-d] COMMAND [--option ...] [ARG ...]
 *   virtkit [-c URI]                     (interactive shell)
 *
 * Exit status: 0 success, 1 the command failed, 2 usage error.
 */
#include "config.h"

#include <ctype.h>
#include <editline/readline.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "strbuf.h"
#include "util.h"

#define EXIT_USAGE 2

static const char *global_uri;
static bool global_readonly;
static virtkit_connect *shell_conn;

/* ---------------------------------------------------- handler helpers -- */

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_fail(cli_ctx *c, const char *what)
{
    (void)c;
    const virtkit_error *e = virtkit_error_last();
    if (e)
        return cli_error("%s", e->message);
    return cli_error("%s failed", what);
}

static int find_opt(cli_ctx *c, const char *name)
{
    for (int i = 0; i < c->nopts; i++)
        if (strcmp(c->opt_names[i], name) == 0)
            return i;
    return -1;
}

bool cli_flag(cli_ctx *c, const char *name)
{
    return find_opt(c, name) >= 0;
}

const char *cli_opt_str(cli_ctx *c, const char *name)
{
    int i = find_opt(c, name);
    return i >= 0 ? c->opt_values[i] : NULL;
}

int cli_opt_int(cli_ctx *c, const char *name, long long *out)
{
    const char *v = cli_opt_str(c, name);
    if (!v)
        return 0;
    int64_t x;
    if (vk_parse_i64(v, 10, &x) < 0) {
        cli_error("option --%s: '%s' is not a number", name, v);
        return -1;
    }
    *out = x;
    return 1;
}

const char *cli_arg_str(cli_ctx *c, int i)
{
    return i < c->nargs ? c->args[i] : NULL;
}

static bool looks_like_uuid(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (isxdigit((unsigned char)*p))
            n++;
        else if (*p != '-')
            return false;
    }
    return n == 32;
}

virtkit_domain *cli_domain(cli_ctx *c, const char *arg)
{
    virtkit_domain *d = NULL;
    int id;
    if (vk_parse_int(arg, &id) == 0 && id >= 0 &&
        (d = virtkit_domain_lookup_by_id(c->conn, id)))
        return d;
    if (looks_like_uuid(arg) && (d = virtkit_domain_lookup_by_uuid_string(c->conn, arg)))
        return d;
    d = virtkit_domain_lookup_by_name(c->conn, arg);
    if (!d)
        cli_fail(c, "lookup");
    return d;
}

char *cli_read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
    if (!f) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        vk_strbuf_addn(&b, buf, n);
    bool err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err) {
        cli_error("cannot read '%s'", path);
        return NULL;
    }
    return vk_strbuf_steal(&b);
}

/* ------------------------------------------------------- command table -- */

const cli_cmd *const cli_command_groups[] = {
    cli_domain_commands,
    cli_object_commands,
    cli_node_commands,
    cli_misc_commands,
    NULL,
};

const cli_cmd *cli_find_command(const char *name)
{
    for (size_t g = 0; cli_command_groups[g]; g++)
        for (const cli_cmd *c = cli_command_groups[g]; c->name; c++)
            if (strcmp(c->name, name) == 0)
                return c;
    return NULL;
}

static const cli_opt json_opt = { "json", CLI_OPT_BOOL, "print JSON instead of a table" };

static const cli_opt *lookup_opt(const cli_cmd *cmd, const char *name)
{
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    if ((cmd->flags & CLI_DATA) && strcmp(name, "json") == 0)
        return &json_opt;
    return NULL;
}

void cli_print_help(const cli_cmd *cmd)
{
    printf("Usage: virtkit %s", cmd->name);
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        printf(" [--%s%s]", o->name, o->type == CLI_OPT_BOOL ? "" : " VALUE");
    if (cmd->flags & CLI_DATA)
        printf(" [--json]");
    for (const cli_arg *a = cmd->args; a && a->name; a++)
        printf(a->required ? " %s" : " [%s]", a->name);
    printf("\n\n  %s\n", cmd->summary);
    if (cmd->args && cmd->args->name) {
        printf("\nArguments:\n");
        for (const cli_arg *a = cmd->args; a->name; a++)
            printf("  %-18s %s\n", a->name, a->help);
    }
    if ((cmd->opts && cmd->opts->name) || (cmd->flags & CLI_DATA)) {
        printf("\nOptions:\n");
        for (const cli_opt *o = cmd->opts; o && o->name; o++) {
            VK_AUTOFREE(char *) n = vk_asprintf("--%s%s", o->name,
                                                o->type == CLI_OPT_BOOL ? "" : " VALUE");
            printf("  %-18s %s\n", n, o->help);
        }
        if (cmd->flags & CLI_DATA)
            printf("  %-18s %s\n", "--json", json_opt.help);
    }
}

void cli_print_overview(void)
{
    printf("Usage: virtkit [-c URI] [-r] [-d] COMMAND [OPTIONS] [ARGS]\n"
           "       virtkit [-c URI]            (interactive shell)\n\n"
           "Global options:\n"
           "  -c, --connect URI  connect to URI (default: virtkit.conf uri_default, else "
           "test:///default)\n"
           "  -r, --readonly     open a read-only connection\n"
           "  -d, --debug        log debug messages to stderr\n"
           "  -h, --help         this help; `virtkit help COMMAND` for one command\n");
    const char *group = NULL;
    for (size_t g = 0; cli_command_groups[g]; g++) {
        for (const cli_cmd *c = cli_command_groups[g]; c->name; c++) {
            if (!group || strcmp(group, c->group) != 0) {
                group = c->group;
                printf("\n%s commands:\n", group);
            }
            printf("  %-20s %s\n", c->name, c->summary);
        }
    }
}

/* ----------------------------------------------------------- running -- */

static int parse_command(const cli_cmd *cmd, int argc, char **argv, cli_ctx *c)
{
    c->cmd = cmd;
    c->args = vk_alloc_n((size_t)argc + 1, sizeof(char *));
    c->opt_names = vk_alloc_n((size_t)argc + 1, sizeof(char *));
    c->opt_values = vk_alloc_n((size_t)argc + 1, sizeof(char *));
    bool no_more_opts = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!no_more_opts && strcmp(a, "--") == 0) {
            no_more_opts = true;
            continue;
        }
        if (!no_more_opts && a[0] == '-' && a[1] == '-' && a[2]) {
            VK_AUTOFREE(char *) name = vk_strdup(a + 2);
            char *eq = strchr(name, '=');
            if (eq)
                *eq = 0;
            const cli_opt *o = lookup_opt(cmd, name);
            if (!o) {
                cli_error("%s: unknown option --%s (see `virtkit help %s`)", cmd->name, name,
                          cmd->name);
                return -1;
            }
            const char *val = NULL;
            if (o->type != CLI_OPT_BOOL) {
                if (eq)
                    val = a + 2 + (eq - name) + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else {
                    cli_error("%s: option --%s needs a value", cmd->name, o->name);
                    return -1;
                }
            } else if (eq) {
                cli_error("%s: option --%s takes no value", cmd->name, o->name);
                return -1;
            }
            c->opt_names[c->nopts] = o->name;
            c->opt_values[c->nopts++] = val;
            continue;
        }
        c->args[c->nargs++] = argv[i];
    }
    int want = 0, required = 0;
    for (const cli_arg *a = cmd->args; a && a->name; a++) {
        want++;
        required += a->required;
    }
    if (c->nargs < required) {
        cli_error("%s: missing argument <%s> (see `virtkit help %s`)", cmd->name,
                  cmd->args[c->nargs].name, cmd->name);
        return -1;
    }
    if (c->nargs > want) {
        cli_error("%s: unexpected argument '%s'", cmd->name, c->args[want]);
        return -1;
    }
    c->json = cli_flag(c, "json");
    return 0;
}

static void ctx_clear(cli_ctx *c)
{
    free(c->args);
    free(c->opt_names);
    free(c->opt_values);
}

static virtkit_connect *open_conn(void)
{
    virtkit_connect *conn =
        virtkit_connect_open(global_uri, global_readonly ? VIRTKIT_CONNECT_RO : 0);
    if (!conn) {
        const virtkit_error *e = virtkit_error_last();
        cli_error("cannot connect to %s: %s", global_uri ? global_uri : "the default URI",
                  e ? e->message : "unknown error");
    }
    return conn;
}

static int run_command(int argc, char **argv, bool in_shell)
{
    const cli_cmd *cmd = cli_find_command(argv[0]);
    if (!cmd) {
        cli_error("unknown command '%s' (see `virtkit help`)", argv[0]);
        return EXIT_USAGE;
    }
    if ((cmd->flags & CLI_SHELL_ONLY) && !in_shell) {
        cli_error("'%s' works only in the interactive shell", cmd->name);
        return EXIT_USAGE;
    }
    cli_ctx c = { 0 };
    c.uri = global_uri;
    c.readonly = global_readonly;
    if (parse_command(cmd, argc - 1, argv + 1, &c) < 0) {
        ctx_clear(&c);
        return EXIT_USAGE;
    }
    int r = 0;
    if (cmd->flags & CLI_NEEDS_CONN) {
        if (!shell_conn)
            shell_conn = open_conn();
        if (!shell_conn) {
            ctx_clear(&c);
            return 1;
        }
        c.conn = shell_conn;
    }
    r = cmd->run(&c);
    ctx_clear(&c);
    if (!in_shell && shell_conn) {
        virtkit_connect_close(shell_conn);
        shell_conn = NULL;
    }
    return r;
}

/* ------------------------------------------------------------- shell -- */

/* Split a shell line into words: whitespace separated, with '...' and
 * "..." quoting and backslash escapes. NULL on an unterminated quote. */
static char **split_line(const char *line, int *argc)
{
    size_t cap = 8;
    int n = 0;
    char **v = vk_alloc_n(cap, sizeof(char *));
    const char *p = line;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            break;
        VK_AUTOSTRBUF w = VK_STRBUF_INIT;
        char quote = 0;
        while (*p && (quote || !isspace((unsigned char)*p))) {
            if (quote) {
                if (*p == quote)
                    quote = 0;
                else if (*p == '\\' && quote == '"' && p[1])
                    vk_strbuf_addc(&w, *++p);
                else
                    vk_strbuf_addc(&w, *p);
            } else if (*p == '\'' || *p == '"') {
                quote = *p;
            } else if (*p == '\\' && p[1]) {
                vk_strbuf_addc(&w, *++p);
            } else {
                vk_strbuf_addc(&w, *p);
            }
            p++;
        }
        if (quote) {
            for (int i = 0; i < n; i++)
                free(v[i]);
            free(v);
            cli_error("unterminated quote");
            return NULL;
        }
        if ((size_t)n + 2 > cap) {
            cap *= 2;
            v = vk_realloc(v, cap * sizeof(char *));
        }
        v[n++] = vk_strbuf_steal(&w);
    }
    v[n] = NULL;
    *argc = n;
    return v;
}

static char *complete_command(const char *text, int state)
{
    static size_t g, i;
    static const cli_cmd *cmd;
    if (state == 0) {
        g = 0;
        i = 0;
    }
    for (; cli_command_groups[g]; g++, i = 0) {
        while (cli_command_groups[g][i].name) {
            cmd = &cli_command_groups[g][i++];
            if (strncmp(cmd->name, text, strlen(text)) == 0)
                return vk_strdup(cmd->name);
        }
    }
    return NULL;
}

static const cli_cmd *completing_cmd;

static char *complete_option(const char *text, int state)
{
    static const cli_opt *o;
    static int json_done;
    if (state == 0) {
        o = completing_cmd->opts;
        json_done = !(completing_cmd->flags & CLI_DATA);
    }
    while (o && o->name) {
        const cli_opt *cur = o++;
        VK_AUTOFREE(char *) full = vk_asprintf("--%s", cur->name);
        if (strncmp(full, text, strlen(text)) == 0)
            return VK_STEAL(full);
    }
    if (!json_done) {
        json_done = 1;
        if (strncmp("--json", text, strlen(text)) == 0)
            return vk_strdup("--json");
    }
    return NULL;
}

static char **shell_complete(const char *text, int start, int end)
{
    rl_attempted_completion_over = 1;
    if (start == 0)
        return rl_completion_matches(text, complete_command);
    if (text[0] == '-') {
        VK_AUTOFREE(char *) first = vk_strndup(rl_line_buffer, strcspn(rl_line_buffer, " \t"));
        completing_cmd = cli_find_command(first);
        if (completing_cmd)
            return rl_completion_matches(text, complete_option);
    }
    return NULL;
}

static int shell(void)
{
    const char *home = getenv("HOME");
    VK_AUTOFREE(char *) hist = home ? vk_asprintf("%s/.virtkit_history", home) : NULL;
    rl_readline_name = "virtkit";
    rl_attempted_completion_function = shell_complete;
    using_history();
    if (hist)
        read_history(hist);
    bool tty = isatty(STDIN_FILENO);
    if (tty)
        printf("Welcome to virtkit %s, the virtualization shell.\n"
               "Type 'help' for commands, 'quit' to leave.\n\n", PACKAGE_VERSION);
    int last = 0;
    for (;;) {
        char *line = tty ? readline("virtkit # ") : NULL;
        if (!tty) {
            VK_AUTOSTRBUF b = VK_STRBUF_INIT;
            int ch;
            while ((ch = getchar()) != EOF && ch != '\n')
                vk_strbuf_addc(&b, (char)ch);
            if (ch == EOF && b.len == 0)
                break;
            line = vk_strbuf_steal(&b);
        }
        if (!line)
            break;
        int argc = 0;
        char **argv = split_line(line, &argc);
        if (argv && argc > 0) {
            if (tty)
                add_history(line);
            if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0) {
                for (int i = 0; i < argc; i++)
                    free(argv[i]);
                free(argv);
                free(line);
                break;
            }
            if (strcmp(argv[0], "connect") == 0) {
                if (shell_conn)
                    virtkit_connect_close(shell_conn);
                shell_conn = NULL;
                global_uri = argc > 1 ? vk_strdup(argv[1]) : NULL;
                shell_conn = open_conn();
                last = shell_conn ? 0 : 1;
            } else {
                last = run_command(argc, argv, true);
            }
        }
        for (int i = 0; argv && i < argc; i++)
            free(argv[i]);
        free(argv);
        free(line);
    }
    if (hist && tty)
        write_history(hist);
    if (shell_conn)
        virtkit_connect_close(shell_conn);
    return last;
}

int main(int argc, char **argv)
{
    /* Events, consoles and keepalives all run in the default loop. */
    if (virtkit_event_register_default_impl() < 0) {
        cli_fail(NULL, "event loop");
        return 1;
    }
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0 || strcmp(a, "--connect") == 0) {
            if (++i >= argc) {
                cli_error("%s needs a URI", a);
                return EXIT_USAGE;
            }
            global_uri = argv[i];
        } else if (strncmp(a, "--connect=", 10) == 0) {
            global_uri = a + 10;
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--readonly") == 0) {
            global_readonly = true;
        } else if (strcmp(a, "-d") == 0 || strcmp(a, "--debug") == 0) {
            setenv("VIRTKIT_LOG_LEVEL", "debug", 1);
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_overview();
            return 0;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("virtkit %s\n", PACKAGE_VERSION);
            return 0;
        } else if (strcmp(a, "-") == 0) {
            break;
        } else {
            cli_error("unknown global option '%s' (see `virtkit --help`)", a);
            return EXIT_USAGE;
        }
    }
    if (i >= argc)
        return shell();
    return run_command(argc - i, argv + i, false);
}
