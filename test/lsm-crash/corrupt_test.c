/*
 * corrupt_test.c — damaged files give a clear error, never a crash and never
 * wrong data (issue 2, "what it must show" 3).
 *
 * A child process writes the batches of lsmtest_model.h (ids lt_id(0, 0,
 * 0..n-1)) and either dies by SIGKILL (so the data sits in the WAL) or
 * flushes and closes (so it sits in SSTables under a MANIFEST).  The test
 * then damages one file, reopens and reads everything back.  The rules:
 *
 *   - an error is RDB_CORRUPTION (RDB_IOERROR also for a missing file) and
 *     its message names the damaged file;
 *   - every value returned is exactly what the model wrote, with its
 *     version; a key that exists is never reported absent without an error;
 *   - a WAL whose last record is cut short (a torn tail) opens cleanly,
 *     without that batch, and keeps working; damage in the middle of a WAL,
 *     in an SSTable data block or in the MANIFEST is reported.
 *
 * File names are the engine's contract: CURRENT, MANIFEST-NNNNNN,
 * NNNNNN.log, NNNNNN.sst, LOCK.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/mem.h"
#include "lsmtest_model.h"

#define N_BATCHES 1500

/* --- files ----------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_dir(void)
{
    char tmpl[] = "/tmp/ringdb-corrupt.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return rdb_strdup(tmpl);
}

/* Copy every regular file of src into dst (created). */
static void copy_dir(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    struct dirent *e;
    ck_assert_ptr_nonnull(d);
    ck_assert(mkdir(dst, 0700) == 0 || errno == EEXIST);
    while ((e = readdir(d)) != NULL) {
        char from[8192], to[8192], buf[65536];
        struct stat st;
        snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
        snprintf(to, sizeof(to), "%s/%s", dst, e->d_name);
        if (stat(from, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert(in >= 0 && out >= 0);
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
            ck_assert_int_eq(write(out, buf, (size_t)n), n);
        close(in);
        close(out);
    }
    closedir(d);
}

static off_t file_size(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return st.st_size;
}

typedef enum pick { PICK_NEWEST, PICK_LARGEST } pick_t;

/* Among the files of dir named <prefix><number><suffix> (".log", ".sst",
 * "MANIFEST-"), the one with the largest number or the largest size,
 * skipping empty ones if nonempty; "" if none. */
static void find_file(const char *dir, const char *prefix, const char *suffix, bool nonempty,
                      pick_t pick, char *out, size_t outlen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned long best = 0;
    bool found = false;
    out[0] = '\0';
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n), pl = strlen(prefix), sl = strlen(suffix);
        if (len <= pl + sl || strncmp(n, prefix, pl) != 0 || strcmp(n + len - sl, suffix) != 0)
            continue;
        char *end;
        unsigned long num = strtoul(n + pl, &end, 10);
        if (end != n + len - sl)
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, n);
        off_t size = file_size(path);
        if (nonempty && size == 0)
            continue;
        unsigned long rank = pick == PICK_NEWEST ? num : (unsigned long)size;
        if (!found || rank > best) {
            best = rank;
            found = true;
            snprintf(out, outlen, "%s", n);
        }
    }
    closedir(d);
}

/* XOR n bytes at off with 0x5a (every bit pattern changes). */
static void flip(const char *dir, const char *name, off_t off, int n)
{
    char path[8192];
    unsigned char b[16];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert(n > 0 && n <= (int)sizeof(b));
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, b, (size_t)n, off), n);
    for (int i = 0; i < n; i++)
        b[i] ^= 0x5a;
    ck_assert_int_eq(pwrite(fd, b, (size_t)n, off), n);
    close(fd);
}

static void truncate_to(const char *dir, const char *name, off_t len)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(truncate(path, len), 0);
}

/* --- writing the data set -------------------------------------------------- */

typedef struct populate_cfg {
    uint32_t          batches;
    uint32_t          flush_every; /* 0: never flush                     */
    lsm_compression_t compression;
    bool              crash;       /* SIGKILL at the end instead of close */
} populate_cfg_t;

typedef struct populate_info {
    char  log[64];     /* newest WAL segment at the end (crash only) */
    off_t before_last; /* its size before the last batch             */
    off_t after_last;  /* and after it                               */
} populate_info_t;

static void open_opts(lsm_options_t *o, lsm_compression_t comp)
{
    lsm_options_default(o);
    o->memtable_size = 16u << 20;
    o->block_size = 4096;
    o->block_cache_size = 1u << 20;
    o->compression = comp;
    o->sync_mode = LSM_SYNC_COMMIT;
}

static void child_die(const char *what, rdb_err_t *err)
{
    fprintf(stderr, "corrupt_test writer: %s: %s\n", what, err->msg ? err->msg : "?");
    _exit(3);
}

/* Write the data set in a child process, so that it can die by SIGKILL with
 * its data in the WAL as a crashed node would. */
static void populate(const char *dir, const populate_cfg_t *cfg, populate_info_t *info)
{
    int pfd[2];
    memset(info, 0, sizeof(*info));
    ck_assert_int_eq(pipe(pfd), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        lsm_options_t o;
        lsm_db_t *db = NULL;
        rdb_err_t err = RDB_ERR_INIT;
        lsm_batch_t *b = lsm_batch_new();
        lsm_write_options_t wo = { .sync = true };
        populate_info_t pi;
        memset(&pi, 0, sizeof(pi));
        close(pfd[0]);
        open_opts(&o, cfg->compression);
        if (lsm_open(dir, &o, &db, &err) != RDB_OK)
            child_die("open", &err);
        for (uint32_t s = 0; s < cfg->batches; s++) {
            if (cfg->crash && s + 1 == cfg->batches) {
                find_file(dir, "", ".log", true, PICK_NEWEST, pi.log, sizeof(pi.log));
                if (pi.log[0]) {
                    char p[4096];
                    snprintf(p, sizeof(p), "%s/%s", dir, pi.log);
                    pi.before_last = file_size(p);
                }
            }
            lt_batch_fill(b, lt_id(0, 0, s));
            if (lsm_write(db, &wo, b, &err) != RDB_OK)
                child_die("write", &err);
            if (cfg->flush_every && (s + 1) % cfg->flush_every == 0 &&
                lsm_flush(db, &err) != RDB_OK)
                child_die("flush", &err);
        }
        lsm_batch_free(b);
        if (cfg->crash) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", dir, pi.log);
            if (pi.log[0])
                pi.after_last = file_size(p);
            if (write(pfd[1], &pi, sizeof(pi)) != (ssize_t)sizeof(pi))
                _exit(3);
            raise(SIGKILL);
        }
        if (cfg->flush_every && lsm_flush(db, &err) != RDB_OK)
            child_die("flush", &err);
        lsm_close(db);
        if (write(pfd[1], &pi, sizeof(pi)) != (ssize_t)sizeof(pi))
            _exit(3);
        _exit(0);
    }
    close(pfd[1]);
    ssize_t n = read(pfd[0], info, sizeof(*info));
    close(pfd[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(n == (ssize_t)sizeof(*info), "data set writer failed (see its stderr)");
    if (cfg->crash)
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    else
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* --- checking what comes back ---------------------------------------------- */

/* st must be a corruption (or, with allow_io, an I/O error) naming file. */
static void expect_error(rdb_status_t st, const rdb_err_t *err, const char *file, bool allow_io,
                         const char *what)
{
    ck_assert_msg(st == RDB_CORRUPTION || (allow_io && st == RDB_IOERROR),
                  "%s: expected RDB_CORRUPTION for damaged %s, got %s: %s", what, file,
                  rdb_status_name(st), err->msg ? err->msg : "");
    ck_assert_msg(err->msg && strstr(err->msg, file) != NULL,
                  "%s: the error does not name %s: \"%s\"", what, file, err->msg ? err->msg : "");
}

typedef struct outcome {
    bool     open_failed;
    bool     scan_failed;
    int      read_errors;  /* point reads that reported the damage      */
    uint32_t present;      /* batches the scan saw (when it completed)   */
    char     first_msg[512];
} outcome_t;

static void note_msg(outcome_t *oc, const rdb_err_t *err)
{
    if (!oc->first_msg[0] && err->msg)
        snprintf(oc->first_msg, sizeof(oc->first_msg), "%s", err->msg);
}

/* Reopen dir and read everything.  Batches seq < must_have must be there
 * unless an error says why; batches in [must_have, batches) may be absent,
 * but never in part.  bad_file is the damaged file ("" if none). */
static outcome_t check_model(const char *dir, lsm_compression_t comp, uint32_t batches,
                             uint32_t must_have, const char *bad_file, bool allow_io)
{
    outcome_t oc;
    lsm_options_t o;
    lsm_db_t *db = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    memset(&oc, 0, sizeof(oc));
    open_opts(&o, comp);
    o.create_if_missing = false;
    rdb_status_t st = lsm_open(dir, &o, &db, &err);
    if (st != RDB_OK) {
        ck_assert_msg(bad_file[0], "open of an undamaged database failed: %s",
                      err.msg ? err.msg : "");
        expect_error(st, &err, bad_file, allow_io, "lsm_open");
        note_msg(&oc, &err);
        rdb_err_clear(&err);
        oc.open_failed = true;
        return oc;
    }

    /* Full scan of the own keys. */
    bool *present = rdb_calloc(batches, sizeof(bool));
    rdb_buf_t want = RDB_BUF_INIT, val = RDB_BUF_INIT;
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    uint64_t cur = 0;
    int next_i = 0;
    for (lsm_iter_seek_first(it);; lsm_iter_next(it)) {
        bool valid = lsm_iter_valid(it);
        uint64_t id = 0;
        int i = 0;
        size_t kl = 0, vl = 0;
        const char *k = NULL, *v = NULL;
        if (valid) {
            k = lsm_iter_key(it, &kl);
            if (kl >= 2 && k[0] == 'h')
                continue; /* hot keys: checked by point reads below */
            v = lsm_iter_value(it, &vl);
            ck_assert_msg(lt_parse_own_key(k, kl, &id, &i), "scan returned unknown key \"%.*s\"",
                          (int)kl, k);
            ck_assert_msg(lt_id_run(id) == 0 && (id & 0xffffffu) < batches,
                          "scan returned key \"%.*s\" that was never written", (int)kl, k);
        }
        if (cur && (!valid || id != cur)) {
            rdb_err_t ierr = RDB_ERR_INIT;
            bool scan_ok = valid || lsm_iter_status(it, &ierr) == RDB_OK;
            rdb_err_clear(&ierr);
            if (scan_ok)
                ck_assert_msg(next_i == lt_batch_keys(cur), "batch %016llx is half-present",
                              (unsigned long long)cur);
            present[cur & 0xffffffu] = true;
        }
        if (!valid)
            break;
        if (id != cur) {
            cur = id;
            next_i = 0;
        }
        ck_assert_msg(i == next_i, "batch %016llx is half-present (key %d missing)",
                      (unsigned long long)id, next_i);
        lsm_version_t ver = lsm_iter_version(it);
        lt_value(id, i, &want);
        ck_assert_msg(ver.hlc == id && vl == want.len && memcmp(v, want.data, vl) == 0,
                      "scan returned wrong data for \"%.*s\"", (int)kl, k);
        next_i++;
    }
    st = lsm_iter_status(it, &err);
    lsm_iter_free(it);
    if (st != RDB_OK) {
        ck_assert_msg(bad_file[0], "scan of an undamaged database failed: %s",
                      err.msg ? err.msg : "");
        expect_error(st, &err, bad_file, allow_io, "scan");
        note_msg(&oc, &err);
        rdb_err_clear(&err);
        oc.scan_failed = true;
    } else {
        for (uint32_t s = 0; s < batches; s++) {
            ck_assert_msg(s >= must_have || present[s],
                          "batch %u is missing and no error was reported", s);
            oc.present += present[s];
        }
    }

    /* Point reads of every own key. */
    char key[LT_KEY_MAX];
    for (uint32_t s = 0; s < batches; s++) {
        uint64_t id = lt_id(0, 0, s);
        for (int i = 0, n = lt_batch_keys(id); i < n; i++) {
            lsm_version_t ver = { 0, 0 };
            size_t kl = lt_own_key(id, i, key);
            st = lsm_get(db, NULL, key, kl, &val, &ver, &err);
            if (st == RDB_OK) {
                lt_value(id, i, &want);
                ck_assert_msg(ver.hlc == id && val.len == want.len &&
                              memcmp(val.data, want.data, val.len) == 0,
                              "lsm_get %s returned wrong data", key);
                ck_assert_msg(oc.scan_failed || present[s], "lsm_get %s found a key the scan "
                              "did not", key);
            } else if (st == RDB_NOTFOUND) {
                ck_assert_msg(s >= must_have, "lsm_get %s: not found, and no error reported", key);
                ck_assert_msg(oc.scan_failed || !present[s], "lsm_get %s: not found, but the "
                              "scan found it", key);
            } else {
                ck_assert_msg(bad_file[0], "lsm_get %s failed: %s", key, err.msg ? err.msg : "");
                expect_error(st, &err, bad_file, allow_io, "lsm_get");
                note_msg(&oc, &err);
                rdb_err_clear(&err);
                oc.read_errors++;
            }
        }
    }

    /* Hot keys: the newest operation among the batches present. */
    if (!oc.scan_failed || must_have == batches) {
        for (int hk = 0; hk < LT_HOT_KEYS; hk++) {
            uint64_t newest = 0;
            int newest_j = 0;
            bool newest_del = false;
            for (uint32_t s = 0; s < batches; s++) {
                if (!(oc.scan_failed ? s < must_have : present[s]))
                    continue;
                uint64_t id = lt_id(0, 0, s);
                for (int j = 0, n = lt_batch_hot(id); j < n; j++) {
                    int k;
                    bool del;
                    lt_batch_hot_op(id, j, &k, &del);
                    if (k == hk) {
                        newest = id;
                        newest_j = j;
                        newest_del = del;
                    }
                }
            }
            lsm_version_t ver = { 0, 0 };
            size_t kl = lt_hot_key(hk, key);
            st = lsm_get(db, NULL, key, kl, &val, &ver, &err);
            if (st == RDB_OK) {
                ck_assert_msg(newest && !newest_del, "%s: found version %016llx, expected none",
                              key, (unsigned long long)ver.hlc);
                lt_value(newest, 100 + newest_j, &want);
                ck_assert_msg(ver.hlc == newest && val.len == want.len &&
                              memcmp(val.data, want.data, val.len) == 0,
                              "%s: wrong version or value", key);
            } else if (st == RDB_NOTFOUND) {
                ck_assert_msg(!newest || newest_del, "%s: not found, expected version %016llx",
                              key, (unsigned long long)newest);
            } else {
                ck_assert_msg(bad_file[0], "lsm_get %s failed: %s", key, err.msg ? err.msg : "");
                expect_error(st, &err, bad_file, allow_io, "lsm_get");
                rdb_err_clear(&err);
                oc.read_errors++;
            }
        }
    }
    rdb_buf_free(&want);
    rdb_buf_free(&val);
    free(present);
    lsm_close(db);
    return oc;
}

static void report(const char *test, const outcome_t *oc)
{
    printf("%s: %s%s%d read errors, %u batches present; error: %s\n", test,
           oc->open_failed ? "open failed, " : "", oc->scan_failed ? "scan failed, " : "",
           oc->read_errors, oc->present, oc->first_msg[0] ? oc->first_msg : "(none)");
    fflush(stdout);
}

/* --- WAL ------------------------------------------------------------------- */

static char *wal_dataset(populate_info_t *info)
{
    char *dir = make_dir();
    populate_cfg_t cfg = { N_BATCHES, 0, LSM_COMPRESS_LZ4, true };
    populate(dir, &cfg, info);
    ck_assert_msg(info->log[0], "no non-empty *.log after a crash with unflushed data");
    ck_assert_msg(info->after_last > info->before_last && info->before_last > 0,
                  "the WAL did not grow with the last batch (%lld -> %lld): preallocated?",
                  (long long)info->before_last, (long long)info->after_last);
    return dir;
}

START_TEST(wal_intact_recovers_everything)
{
    populate_info_t info;
    char *dir = wal_dataset(&info);
    outcome_t oc = check_model(dir, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, "", false);
    ck_assert_int_eq(oc.present, N_BATCHES);
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(wal_middle_flip_is_corruption)
{
    populate_info_t info;
    char *dir = wal_dataset(&info);
    /* Three places well inside the log, each with whole records after it. */
    const double at[] = { 0.25, 0.5, 0.75 };
    for (size_t k = 0; k < RDB_ARRAY_LEN(at); k++) {
        char copy[4200];
        snprintf(copy, sizeof(copy), "%s/copy%zu", dir, k);
        copy_dir(dir, copy);
        flip(copy, info.log, (off_t)((double)info.before_last * at[k]), 4);
        outcome_t oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, info.log, false);
        report("wal_middle_flip", &oc);
        ck_assert_msg(oc.open_failed || oc.scan_failed || oc.read_errors > 0,
                      "bytes flipped at %.0f%% of %s went unreported", at[k] * 100, info.log);
        rm_tree(copy);
    }
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(wal_torn_tail_recovers_cleanly)
{
    populate_info_t info;
    char *dir = wal_dataset(&info);
    off_t span = info.after_last - info.before_last;
    const off_t cuts[] = { info.before_last + 1, info.before_last + span / 2,
                           info.after_last - 1 };
    for (size_t k = 0; k < RDB_ARRAY_LEN(cuts); k++) {
        char copy[4200];
        snprintf(copy, sizeof(copy), "%s/copy%zu", dir, k);
        copy_dir(dir, copy);
        truncate_to(copy, info.log, cuts[k]);
        /* Everything but the cut batch, and not that one even in part. */
        outcome_t oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES - 1, "", false);
        report("wal_torn_tail", &oc);
        ck_assert_int_eq(oc.present, N_BATCHES - 1);

        /* The database goes on working: write, reopen, read. */
        lsm_options_t o;
        lsm_db_t *db = NULL;
        rdb_err_t err = RDB_ERR_INIT;
        lsm_batch_t *b = lsm_batch_new();
        open_opts(&o, LSM_COMPRESS_LZ4);
        ck_assert_int_eq(lsm_open(copy, &o, &db, &err), RDB_OK);
        lt_batch_fill(b, lt_id(0, 0, N_BATCHES - 1)); /* rewrite the lost one */
        ck_assert_int_eq(lsm_write(db, NULL, b, &err), RDB_OK);
        lsm_batch_free(b);
        lsm_close(db);
        oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, "", false);
        ck_assert_int_eq(oc.present, N_BATCHES);
        rm_tree(copy);
    }
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(wal_last_record_flip)
{
    /* Damage inside the last record: reported, or treated as a torn tail
     * (that batch absent, everything else there). */
    populate_info_t info;
    char *dir = wal_dataset(&info);
    flip(dir, info.log, info.before_last + (info.after_last - info.before_last) / 2, 2);
    outcome_t oc = check_model(dir, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES - 1, info.log, false);
    report("wal_last_record_flip", &oc);
    ck_assert(oc.open_failed || oc.scan_failed || oc.read_errors > 0 ||
              oc.present == N_BATCHES - 1);
    rm_tree(dir);
    free(dir);
}
END_TEST

/* --- SSTables -------------------------------------------------------------- */

/* Everything flushed into SSTables, cleanly closed; the largest .sst (so
 * that its first data block holds keys that no other table has). */
static char *sst_dataset(lsm_compression_t comp, char *sst, size_t sstlen)
{
    char *dir = make_dir();
    populate_info_t info;
    populate_cfg_t cfg = { N_BATCHES, N_BATCHES / 3, comp, false };
    populate(dir, &cfg, &info);
    find_file(dir, "", ".sst", true, PICK_LARGEST, sst, sstlen);
    ck_assert_msg(sst[0], "no *.sst after lsm_flush");
    return dir;
}

static void sst_data_block_flip(lsm_compression_t comp, const char *name)
{
    char sst[64];
    char *dir = sst_dataset(comp, sst, sizeof(sst));
    /* Data blocks come first: offset 100 is in the first one. */
    flip(dir, sst, 100, 4);
    outcome_t oc = check_model(dir, comp, N_BATCHES, N_BATCHES, sst, false);
    report(name, &oc);
    ck_assert_msg(oc.open_failed || (oc.scan_failed && oc.read_errors > 0),
                  "a damaged data block of %s was not reported by both scan and get", sst);
    rm_tree(dir);
    free(dir);
}

START_TEST(sst_data_block_flip_uncompressed)
{
    sst_data_block_flip(LSM_COMPRESS_NONE, "sst_data_block_flip_uncompressed");
}
END_TEST

START_TEST(sst_data_block_flip_lz4)
{
    sst_data_block_flip(LSM_COMPRESS_LZ4, "sst_data_block_flip_lz4");
}
END_TEST

START_TEST(sst_flip_then_compact)
{
    /* Compaction reads the damaged block: it must fail naming the table
     * (or leave that table alone), never write the damage into a clean new
     * table with keys missing. */
    char sst[64];
    char *dir = sst_dataset(LSM_COMPRESS_NONE, sst, sizeof(sst));
    flip(dir, sst, 100, 4);
    lsm_options_t o;
    lsm_db_t *db = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    open_opts(&o, LSM_COMPRESS_NONE);
    rdb_status_t st = lsm_open(dir, &o, &db, &err);
    if (st == RDB_OK) {
        st = lsm_compact_range(db, NULL, 0, NULL, 0, &err);
        printf("sst_flip_then_compact: lsm_compact_range: %s %s\n", rdb_status_name(st),
               err.msg ? err.msg : "");
        if (st != RDB_OK)
            expect_error(st, &err, sst, false, "lsm_compact_range");
        rdb_err_clear(&err);
        lsm_close(db);
    } else {
        expect_error(st, &err, sst, false, "lsm_open");
        rdb_err_clear(&err);
    }
    outcome_t oc = check_model(dir, LSM_COMPRESS_NONE, N_BATCHES, N_BATCHES, sst, false);
    report("sst_flip_then_compact", &oc);
    ck_assert_msg(oc.open_failed || (oc.scan_failed && oc.read_errors > 0),
                  "after a compaction, the damage in %s is no longer reported", sst);
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(sst_flip_sweep_never_wrong_data)
{
    /* Bytes flipped all over one table (blocks, index, filter, footer): each
     * read is right or an error naming the table, whatever was hit. */
    char sst[64];
    char *dir = sst_dataset(LSM_COMPRESS_NONE, sst, sizeof(sst));
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, sst);
    off_t size = file_size(path);
    int reported = 0, points = 24;
    for (int k = 0; k < points; k++) {
        char copy[4200];
        off_t off = k == points - 1 ? size - 4 : size * k / (points - 1);
        snprintf(copy, sizeof(copy), "%s/copy%d", dir, k);
        copy_dir(dir, copy);
        flip(copy, sst, off, 1);
        outcome_t oc = check_model(copy, LSM_COMPRESS_NONE, N_BATCHES, N_BATCHES, sst, false);
        reported += oc.open_failed || oc.scan_failed || oc.read_errors > 0;
        rm_tree(copy);
    }
    printf("sst_flip_sweep: %d of %d flips in %s (%lld bytes) reported, no wrong data\n",
           reported, points, sst, (long long)size);
    ck_assert_int_gt(reported, points / 2);
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(sst_truncated_or_missing)
{
    char sst[64];
    char *dir = sst_dataset(LSM_COMPRESS_LZ4, sst, sizeof(sst));
    char copy[4200], path[4300];
    snprintf(copy, sizeof(copy), "%s/cut", dir);
    copy_dir(dir, copy);
    snprintf(path, sizeof(path), "%s/%s", copy, sst);
    truncate_to(copy, sst, file_size(path) / 2);
    outcome_t oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, sst, false);
    report("sst_truncated", &oc);
    ck_assert(oc.open_failed || (oc.scan_failed && oc.read_errors > 0));
    rm_tree(copy);

    snprintf(copy, sizeof(copy), "%s/gone", dir);
    copy_dir(dir, copy);
    snprintf(path, sizeof(path), "%s/%s", copy, sst);
    ck_assert_int_eq(unlink(path), 0);
    oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, sst, true);
    report("sst_missing", &oc);
    ck_assert(oc.open_failed || (oc.scan_failed && oc.read_errors > 0));
    rm_tree(copy);
    rm_tree(dir);
    free(dir);
}
END_TEST

/* --- MANIFEST and CURRENT ------------------------------------------------- */

static void current_manifest(const char *dir, char *out, size_t outlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/CURRENT", dir);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no CURRENT in %s", dir);
    ck_assert_ptr_nonnull(fgets(out, (int)outlen, f));
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    ck_assert_msg(strncmp(out, "MANIFEST-", 9) == 0, "CURRENT names \"%s\"", out);
}

START_TEST(manifest_flip_is_corruption)
{
    char *dir = make_dir();
    populate_info_t info;
    /* Many flushes, so the MANIFEST holds many edits. */
    populate_cfg_t cfg = { N_BATCHES, N_BATCHES / 10, LSM_COMPRESS_LZ4, false };
    populate(dir, &cfg, &info);
    char man[256], path[4500];
    current_manifest(dir, man, sizeof(man));
    snprintf(path, sizeof(path), "%s/%s", dir, man);
    off_t size = file_size(path);
    ck_assert_int_gt(size, 8);
    const double at[] = { 0.1, 0.5, 0.9 };
    for (size_t k = 0; k < RDB_ARRAY_LEN(at); k++) {
        char copy[4200];
        snprintf(copy, sizeof(copy), "%s/copy%zu", dir, k);
        copy_dir(dir, copy);
        flip(copy, man, (off_t)((double)size * at[k]), 2);
        /* Reported, or (if the flip hit bytes nothing depends on) all there. */
        outcome_t oc = check_model(copy, LSM_COMPRESS_LZ4, N_BATCHES, N_BATCHES, man, false);
        report("manifest_flip", &oc);
        if (k == 1)
            ck_assert_msg(oc.open_failed, "bytes flipped in the middle of %s (%lld bytes) went "
                          "unreported", man, (long long)size);
        rm_tree(copy);
    }
    rm_tree(dir);
    free(dir);
}
END_TEST

START_TEST(current_damaged)
{
    char *dir = make_dir();
    populate_info_t info;
    populate_cfg_t cfg = { 200, 100, LSM_COMPRESS_LZ4, false };
    populate(dir, &cfg, &info);
    char path[4200];
    snprintf(path, sizeof(path), "%s/CURRENT", dir);

    /* CURRENT names a manifest that does not exist. */
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("MANIFEST-999999\n", f);
    fclose(f);
    outcome_t oc = check_model(dir, LSM_COMPRESS_LZ4, 200, 200, "MANIFEST-999999", true);
    report("current_missing_manifest", &oc);
    ck_assert(oc.open_failed);

    /* CURRENT holds garbage. */
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("\x01\x02garbage", f);
    fclose(f);
    oc = check_model(dir, LSM_COMPRESS_LZ4, 200, 200, "CURRENT", true);
    report("current_garbage", &oc);
    ck_assert(oc.open_failed);
    rm_tree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lsm-corrupt");
    TCase *wal = tcase_create("wal");
    TCase *sst = tcase_create("sst");
    TCase *man = tcase_create("manifest");
    tcase_set_timeout(wal, 300);
    tcase_set_timeout(sst, 300);
    tcase_set_timeout(man, 300);
    tcase_add_test(wal, wal_intact_recovers_everything);
    tcase_add_test(wal, wal_middle_flip_is_corruption);
    tcase_add_test(wal, wal_torn_tail_recovers_cleanly);
    tcase_add_test(wal, wal_last_record_flip);
    tcase_add_test(sst, sst_data_block_flip_uncompressed);
    tcase_add_test(sst, sst_data_block_flip_lz4);
    tcase_add_test(sst, sst_flip_then_compact);
    tcase_add_test(sst, sst_flip_sweep_never_wrong_data);
    tcase_add_test(sst, sst_truncated_or_missing);
    tcase_add_test(man, manifest_flip_is_corruption);
    tcase_add_test(man, current_damaged);
    suite_add_tcase(s, wal);
    suite_add_tcase(s, sst);
    suite_add_tcase(s, man);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
