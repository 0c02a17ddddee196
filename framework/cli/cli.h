/*
 * cli.h: the virtkit command-line shell. Commands are rows of one table
 * (name, options, arguments, handler, help); the option parser, `help`,
 * completion in the interactive shell and the CLI tests all read that
 * table. Handlers print through output.h so every data command supports
 * both the default table output and --json.
 */
#ifndef VK_CLI_H
#define VK_CLI_H

#include <stdbool.h>
#include <virtkit/virtkit.h>

typedef enum {
    CLI_OPT_BOOL = 0,
    CLI_OPT_STRING = 1,
    CLI_OPT_INT = 2,
} cli_opt_type;

typedef struct cli_opt {
    const char *name;      /* "all" for --all */
    cli_opt_type type;
    const char *help;
} cli_opt;

typedef struct cli_arg {
    const char *name;      /* "domain" */
    bool required;
    const char *help;
} cli_arg;

typedef struct cli_ctx cli_ctx;

typedef enum {
    CLI_NEEDS_CONN = 1 << 0,   /* opens the connection first */
    CLI_DATA = 1 << 1,         /* prints data: accepts --json */
    CLI_SHELL_ONLY = 1 << 2,
} cli_cmd_flags;

typedef struct cli_cmd {
    const char *name;
    int (*run)(cli_ctx *ctx);
    unsigned int flags;
    const cli_opt *opts;   /* terminated by a NULL name */
    const cli_arg *args;   /* terminated by a NULL name */
    const char *summary;   /* one line */
    const char *group;     /* "Domain", "Node", ... for help */
} cli_cmd;

/* The parsed invocation of one command. */
struct cli_ctx {
    const cli_cmd *cmd;
    virtkit_connect *conn;
    const char *uri;
    bool json;
    bool readonly;
    int nargs;
    char **args;           /* positional arguments */
    int nopts;
    const char **opt_names;
    const char **opt_values; /* NULL for booleans */
};

/* Option and argument access for handlers. */
bool cli_flag(cli_ctx *c, const char *name);
const char *cli_opt_str(cli_ctx *c, const char *name);
int cli_opt_int(cli_ctx *c, const char *name, long long *out); /* 1 set, 0 absent, -1 bad */
const char *cli_arg_str(cli_ctx *c, int i);

/* Report the library's last error (or msg) as one line on stderr. */
int cli_fail(cli_ctx *c, const char *what);
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Domain by id, uuid or name (in that order, like virsh). */
virtkit_domain *cli_domain(cli_ctx *c, const char *arg);
/* Read a whole file (or stdin for "-"); NULL with a message printed. */
char *cli_read_file(const char *path);

/* The table, defined across the cmd_*.c files and joined in commands.c. */
extern const cli_cmd *const cli_command_groups[];
const cli_cmd *cli_find_command(const char *name);
void cli_print_help(const cli_cmd *cmd);
void cli_print_overview(void);

/* Handlers shared across files. */
int cli_cmd_console(cli_ctx *c);

extern const cli_cmd cli_domain_commands[];
extern const cli_cmd cli_node_commands[];
extern const cli_cmd cli_misc_commands[];
extern const cli_cmd cli_object_commands[];

#endif
