/*
 * ctl.c — ringdb-ctl: operate a cluster node through its peer port.
 *
 *   ringdb-ctl [--host H] --port PPORT (--secret S | --secret-file F)
 *              [--cl ONE|QUORUM|ALL] [--timeout MS] COMMAND [ARG...]
 *
 * --timeout bounds the connection and the wait for each reply: 30 s by
 * default, 10 minutes for the commands that move data (leave, removenode,
 * cleanup, split, merge, ae).
 *
 * Commands: put KEY VALUE | get KEY | del KEY | scan [PREFIX [LIMIT]] |
 * dump | status | merkle | ae | drop-hints [NODE] | leave [TIMEOUT_S] | cleanup |
 * removenode NODE [TIMEOUT_S] | partitions |
 * split SPACE KEY | merge SPACE KEY.
 * COMMAND "-" reads commands from stdin, one per line (arguments separated
 * by blanks; a leading "@QUORUM " etc. sets the level for that line), and
 * prints one line per reply: "OK <json>" or "ERR <json>" (for scripts and
 * tests that issue many commands over one connection).
 * The node's JSON answer goes to stdout.  Exit status: 0 success, 1 the
 * node reported an error (printed to stderr as "ERROR: SQLSTATE: message"),
 * 2 usage, 3 the node could not be reached or refused the secret.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/client.h"
#include "cluster/consistency.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: ringdb-ctl [--host HOST] --port PEER_PORT (--secret S | --secret-file F)\n"
            "                  [--cl ONE|QUORUM|ALL] [--timeout MS] COMMAND [ARG...]\n"
            "commands:\n"
            "  put KEY VALUE      write at the consistency level\n"
            "  get KEY            read at the consistency level\n"
            "  del KEY            delete (tombstone) at the consistency level\n"
            "  scan [PREFIX [N]]  this node's live keys\n"
            "  dump               this node's newest version of every key, with tokens\n"
            "  status             members, states, ring, lag, hints, version vector\n"
            "  merkle             Merkle roots of this node's partitions\n"
            "  ae                 run anti-entropy with every peer now and wait\n"
            "  drop-hints [NODE]  discard stored hints (for NODE or all)\n"
            "  leave [TIMEOUT_S]  leave the cluster: the ring stops using this node, which\n"
            "                     hands its data to the new replicas before answering\n"
            "  removenode NODE [TIMEOUT_S]\n"
            "                     take a dead node out of the cluster: the survivors\n"
            "                     re-replicate its ranges (at ALL) before answering\n"
            "  cleanup            hand data this node no longer replicates to its replicas\n"
            "                     (at ALL), then drop it here\n"
            "  partitions         the range partition maps (split points, replicas)\n"
            "  split SPACE KEY    range-partition the keys starting with SPACE: add\n"
            "                     the split point SPACE||KEY, moving data (needs all up)\n"
            "  merge SPACE KEY    remove that split point\n");
}

/* Batch mode: see the header comment. */
static int run_batch(clu_client_t *c, clu_consistency_t cl0)
{
    char line[65536];
    int rc = 0;
    rdb_buf_t reply = RDB_BUF_INIT;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *save = NULL, *tok[10];
        size_t nt = 0, lens[10];
        for (char *t = strtok_r(line, " \t", &save); t && nt < 10; t = strtok_r(NULL, " \t", &save))
            tok[nt++] = t;
        if (nt == 0)
            continue;
        clu_consistency_t cl = cl0;
        size_t first = 0;
        rdb_err_t e = RDB_ERR_INIT;
        if (tok[0][0] == '@') {
            if (clu_consistency_parse(tok[0] + 1, &cl, &e) != RDB_OK) {
                printf("ERR {\"error\":\"%s\"}\n", e.msg);
                rdb_err_clear(&e);
                fflush(stdout);
                continue;
            }
            first = 1;
        }
        if (first >= nt)
            continue;
        for (size_t k = first + 1; k < nt; k++)
            lens[k] = strlen(tok[k]);
        rdb_status_t st = clu_client_call(c, tok[first], (const char *const *)tok + first + 1,
                                          lens + first + 1, nt - first - 1, cl, &reply, &e);
        if (st == RDB_OK || st == RDB_SQL) {
            printf("%s %.*s\n", st == RDB_OK ? "OK" : "ERR", (int)reply.len,
                   reply.data ? reply.data : "");
        } else {
            fprintf(stderr, "ringdb-ctl: %s\n", e.msg);
            rdb_err_clear(&e);
            rc = 3;
            break;
        }
        fflush(stdout);
    }
    rdb_buf_free(&reply);
    return rc;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *secret = NULL;
    char *file_secret = NULL;
    int port = 0, timeout = 0;   /* 0: 30 s, 10 min for the commands that move data */
    clu_consistency_t cl = CLU_CL_ONE;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(o, "--host"))
            host = v;
        else if (!strcmp(o, "--port"))
            port = atoi(v);
        else if (!strcmp(o, "--secret"))
            secret = v;
        else if (!strcmp(o, "--secret-file")) {
            free(file_secret);
            secret = file_secret = clu_read_secret_file(v);
            if (!secret) {
                fprintf(stderr, "ringdb-ctl: cannot read %s\n", v);
                return 2;
            }
        } else if (!strcmp(o, "--timeout"))
            timeout = atoi(v);
        else if (!strcmp(o, "--cl")) {
            rdb_err_t e = RDB_ERR_INIT;
            if (clu_consistency_parse(v, &cl, &e) != RDB_OK) {
                fprintf(stderr, "ringdb-ctl: %s\n", e.msg);
                rdb_err_clear(&e);
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (i >= argc || port <= 0 || !secret) {
        usage();
        free(file_secret);
        return 2;
    }
    const char *cmd = argv[i++];
    static const char *const slow[] = { "leave", "removenode", "cleanup", "split", "merge", "ae" };
    for (size_t k = 0; !timeout && k < sizeof slow / sizeof *slow; k++)
        if (!strcmp(cmd, slow[k]))
            timeout = 600000;
    if (!timeout)
        timeout = 30000;
    size_t nargs = (size_t)(argc - i);
    const char **args = (const char **)(argv + i);
    size_t lens[8];
    if (nargs > 8)
        nargs = 8;
    for (size_t k = 0; k < nargs; k++)
        lens[k] = strlen(args[k]);
    rdb_err_t e = RDB_ERR_INIT;
    clu_client_t *c;
    if (clu_client_connect(host, port, secret, timeout, &c, &e) != RDB_OK) {
        fprintf(stderr, "ringdb-ctl: %s\n", e.msg);
        rdb_err_clear(&e);
        free(file_secret);
        return 3;
    }
    if (!strcmp(cmd, "-")) {
        int brc = run_batch(c, cl);
        clu_client_close(c);
        free(file_secret);
        return brc;
    }
    rdb_buf_t reply = RDB_BUF_INIT;
    rdb_status_t st = clu_client_call(c, cmd, args, lens, nargs, cl, &reply, &e);
    int rc = 0;
    if (st == RDB_OK) {
        fwrite(reply.data, 1, reply.len, stdout);
        fputc('\n', stdout);
    } else if (st == RDB_SQL) {
        json_error_t je;
        json_t *j = json_loadb(reply.data ? reply.data : "", reply.len, 0, &je);
        const char *msg = j ? json_string_value(json_object_get(j, "error")) : NULL;
        const char *code = j ? json_string_value(json_object_get(j, "sqlstate")) : NULL;
        const char *detail = j ? json_string_value(json_object_get(j, "detail")) : NULL;
        if (msg)
            fprintf(stderr, "ERROR: %s: %s\n", code ? code : "XX000", msg);
        else
            fprintf(stderr, "ERROR: %.*s\n", (int)reply.len, reply.data ? reply.data : "");
        if (detail)
            fprintf(stderr, "DETAIL: %s\n", detail);
        if (reply.len)
            fwrite(reply.data, 1, reply.len, stdout), fputc('\n', stdout);
        json_decref(j);
        rc = 1;
    } else {
        fprintf(stderr, "ringdb-ctl: %s\n", e.msg);
        rdb_err_clear(&e);
        rc = 3;
    }
    rdb_buf_free(&reply);
    clu_client_close(c);
    free(file_secret);
    return rc;
}
