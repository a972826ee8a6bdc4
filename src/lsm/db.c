/* db.c — lsm_db: open/recovery, group-commit writes, point reads, memtable
 * flushes and compactions on a background thread, statistics. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/coding.h"
#include "common/mem.h"
#include "lsm/batch.h"
#include "lsm/db_impl.h"
#include "lsm/ikey.h"

#define MAX_GROUP_BYTES (1u << 20)

void lsm_options_default(lsm_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->memtable_size = 64u << 20;
    o->block_cache_size = 64u << 20;
    o->block_size = 4096;
    o->target_file_size = 64u << 20;
    o->bloom_bits_per_key = 10;
    o->compression = LSM_COMPRESS_LZ4;
    o->sync_mode = LSM_SYNC_COMMIT;
    o->sync_period_ms = 100;
    o->l0_slowdown_trigger = 8;
    o->l0_stop_trigger = 12;
    o->compaction_threads = 2;
    o->max_open_files = 1000;
    o->create_if_missing = true;
}

void lsm_read_options_default(lsm_read_options_t *ro)
{
    memset(ro, 0, sizeof(*ro));
    ro->snapshot = LSM_SNAPSHOT_LATEST;
    ro->fill_cache = true;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static char *file_path(lsm_db_t *db, uint64_t num, const char *ext)
{
    size_t n = strlen(db->dir) + 40;
    char *p = rdb_malloc(n);
    snprintf(p, n, "%s/%06" PRIu64 ".%s", db->dir, num, ext);
    return p;
}

static rdb_status_t sync_dir(lsm_db_t *db, rdb_err_t *err)
{
    int fd = open(db->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not fsync directory \"%s\": %s",
                           db->dir, strerror(e));
    }
    close(fd);
    return RDB_OK;
}

void lsm_db_pin(lsm_db_t *db, lsm_mem_t **mem, lsm_mem_t **imm, lsm_vers_t **v)
{
    pthread_mutex_lock(&db->mu);
    lsm_mem_ref(db->mem);
    *mem = db->mem;
    *imm = db->imm;
    if (*imm)
        lsm_mem_ref(*imm);
    lsm_vers_ref(db->cur);
    *v = db->cur;
    pthread_mutex_unlock(&db->mu);
}

/* --- MANIFEST ------------------------------------------------------------- */

/* lsm_file_t.on_obsolete: the last version holding the file is gone.
 * Runs on whichever thread dropped it, with or without mu. */
static void file_obsolete(void *ctx, uint64_t number)
{
    lsm_db_t *db = ctx;
    lsm_tcache_evict(db->tcache, number);
    char *p = file_path(db, number, "sst");
    unlink(p);
    free(p);
}

static void file_owned(lsm_db_t *db, lsm_file_t *f)
{
    f->on_obsolete = file_obsolete;
    f->ctx = db;
}

void lsm_db_vers_unref_unlocked(lsm_db_t *db, lsm_vers_t *v)
{
    pthread_mutex_unlock(&db->mu);
    lsm_vers_unref(v);
    pthread_mutex_lock(&db->mu);
}

/* Append e to the manifest and install the new version.  Holds mu on entry
 * and exit; releases it while the record is written and fdatasynced (on
 * ext4 that sync may wait for other files' write-back) and while the
 * replaced version is dropped (its last reference unlinks the tables the
 * edit removed, tens of ms for a large file on this disk): writers,
 * readers and the other background threads go on meanwhile.
 * Edits are serialized (manifest_busy), and only the manifest's writer
 * changes db->cur, so each edit is applied to the version it was logged
 * against.  Until the install, what the edit replaces stays as it was: a
 * flush's memtable is still db->imm with db->flushing set, a compaction's
 * inputs are still listed as running.  A crash between the sync and the
 * install is a crash after the edit: recovery applies it.  After a failed
 * write or sync the manifest's tail is unknown: every later edit fails. */
rdb_status_t lsm_db_log_and_apply(lsm_db_t *db, lsm_edit_t *e, rdb_err_t *err)
{
    while (db->manifest_busy)
        pthread_cond_wait(&db->manifest_cv, &db->mu);
    if (db->manifest_failed)
        return rdb_err_set(err, RDB_IOERROR, NULL,
                           "could not write \"%s\": an earlier write or fsync failed",
                           db->manifest.path);
    db->manifest_busy = true;
    e->has_next = true;
    e->next_file = db->next_file; /* recovery also skips every file it finds */
    rdb_buf_t rec = RDB_BUF_INIT;
    lsm_edit_encode(e, &rec);
    pthread_mutex_unlock(&db->mu);
    rdb_status_t s = lsm_log_add(&db->manifest, rec.data, rec.len, err);
    rdb_buf_free(&rec);
    int rc = s == RDB_OK && db->o.manifest_sync_hook
                 ? db->o.manifest_sync_hook(db->o.manifest_sync_hook_ctx)
                 : 0;
    if (rc != 0)
        s = rdb_err_set(err, RDB_IOERROR, NULL, "could not fsync \"%s\": %s", db->manifest.path,
                        strerror(rc));
    if (s == RDB_OK)
        s = lsm_log_sync(&db->manifest, err);
    pthread_mutex_lock(&db->mu);
    db->manifest_busy = false;
    pthread_cond_broadcast(&db->manifest_cv);
    if (s != RDB_OK) {
        db->manifest_failed = true;
        return s;
    }
    if (e->has_log)
        db->log_number = e->log_number;
    /* files the edit drops (and does not move to another level) go from
     * disk once no pinned version holds them */
    for (int d = 0; d < e->ndel; d++) {
        bool moved = false;
        for (int a = 0; a < e->nadd && !moved; a++)
            moved = e->add[a].f->number == e->del[d].number;
        int l = e->del[d].level;
        for (int i = 0; !moved && i < db->cur->nfiles[l]; i++)
            if (db->cur->files[l][i]->number == e->del[d].number)
                atomic_store(&db->cur->files[l][i]->obsolete, true);
    }
    lsm_vers_t *old = db->cur;
    db->cur = lsm_vers_apply(old, e);
    lsm_db_vers_unref_unlocked(db, old);
    return RDB_OK;
}

/* Start a new MANIFEST holding a snapshot of the current state, then point
 * CURRENT at it (write temp, fsync, rename, fsync dir). */
static rdb_status_t new_manifest(lsm_db_t *db, rdb_err_t *err)
{
    uint64_t num = db->next_file++;
    char name[64];
    snprintf(name, sizeof name, "MANIFEST-%06" PRIu64, num);
    size_t pn = strlen(db->dir) + 80;
    char *path = rdb_malloc(pn), *tmp = rdb_malloc(pn), *cur = rdb_malloc(pn);
    snprintf(path, pn, "%s/%s", db->dir, name);
    snprintf(tmp, pn, "%s/CURRENT.tmp", db->dir);
    snprintf(cur, pn, "%s/CURRENT", db->dir);
    lsm_log_writer_t w;
    rdb_status_t s = lsm_log_create(&w, path, err);
    if (s == RDB_OK) {
        lsm_edit_t *e = rdb_calloc(1, sizeof(*e));
        e->has_log = true;
        e->log_number = db->log_number;
        e->has_next = true;
        e->next_file = db->next_file;
        rdb_buf_t rec = RDB_BUF_INIT;
        lsm_edit_encode(e, &rec); /* header edit */
        for (int l = 0; l < LSM_MAX_LEVELS; l++)
            for (int i = 0; i < db->cur->nfiles[l]; i++) {
                lsm_edit_t *a = rdb_calloc(1, sizeof(*a));
                a->nadd = 1;
                a->add[0].level = l;
                a->add[0].f = db->cur->files[l][i];
                lsm_edit_encode(a, &rec);
                free(a);
            }
        free(e);
        s = lsm_log_add(&w, rec.data, rec.len, err);
        rdb_buf_free(&rec);
        if (s == RDB_OK)
            s = lsm_log_sync(&w, err);
        if (s == RDB_OK) {
            FILE *f = fopen(tmp, "w");
            if (!f || fprintf(f, "%s\n", name) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
                s = rdb_err_set(err, RDB_IOERROR, NULL, "could not write \"%s\": %s", tmp,
                                strerror(errno));
            if (f)
                fclose(f);
        }
        if (s == RDB_OK && rename(tmp, cur) != 0)
            s = rdb_err_set(err, RDB_IOERROR, NULL, "could not rename \"%s\": %s", tmp,
                            strerror(errno));
        if (s == RDB_OK)
            s = sync_dir(db, err);
        if (s == RDB_OK) {
            if (db->manifest.fd >= 0)
                lsm_log_close(&db->manifest);
            db->manifest = w;
            db->manifest_number = num;
        } else {
            lsm_log_close(&w);
        }
    }
    free(path);
    free(tmp);
    free(cur);
    return s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Remove files no version or log needs.  Holds mu on entry and exit; what
 * may go is decided under it, the directory is listed and the files are
 * unlinked without it (a large file takes tens of ms).  Tables dropped by
 * an edit are removed by file_obsolete when no pinned version holds them;
 * this scan removes only tables left over from before a crash, while the
 * database is being opened.  WAL segments below log_number and manifests
 * other than the current one are never needed again, so files created
 * meanwhile (a new WAL is numbered above log_number) stay, and a second
 * scan running at once only finds fewer files to remove. */
void lsm_db_delete_obsolete(lsm_db_t *db)
{
    const uint64_t manifest_number = db->manifest_number, log_number = db->log_number,
                   wal_number = db->wal_number, pending_from = db->pending_from;
    const bool opened = db->opened;
    uint64_t *live = NULL;
    size_t nlive = 0;
    if (!opened) {
        for (int l = 0; l < LSM_MAX_LEVELS; l++)
            nlive += (size_t)db->cur->nfiles[l];
        live = rdb_malloc((nlive + 1) * sizeof *live);
        nlive = 0;
        for (int l = 0; l < LSM_MAX_LEVELS; l++)
            for (int i = 0; i < db->cur->nfiles[l]; i++)
                live[nlive++] = db->cur->files[l][i]->number;
        qsort(live, nlive, sizeof *live, cmp_u64);
    }
    pthread_mutex_unlock(&db->mu);
    DIR *d = opendir(db->dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char ext[16];
        uint64_t num;
        bool del = false;
        if (sscanf(de->d_name, "MANIFEST-%" SCNu64, &num) == 1) {
            del = num != manifest_number;
        } else if (sscanf(de->d_name, "%" SCNu64 ".%15s", &num, ext) == 2) {
            if (strcmp(ext, "log") == 0)
                del = num < log_number && num != wal_number;
            else if (strcmp(ext, "sst") == 0 && !opened && num < pending_from)
                del = !bsearch(&num, live, nlive, sizeof *live, cmp_u64);
        }
        if (del) {
            char *p = rdb_malloc(strlen(db->dir) + strlen(de->d_name) + 2);
            sprintf(p, "%s/%s", db->dir, de->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
    free(live);
    pthread_mutex_lock(&db->mu);
}

/* --- building tables ------------------------------------------------------ */


rdb_status_t lsm_db_out_open(lsm_db_t *db, uint64_t num, lsm_out_table_t *o, rdb_err_t *err)
{
    o->path = file_path(db, num, "sst");
    o->b = lsm_table_builder_new(o->path, &db->o, err);
    if (!o->b) {
        free(o->path);
        return err ? err->code : RDB_IOERROR;
    }
    o->f = rdb_calloc(1, sizeof(lsm_file_t));
    atomic_init(&o->f->refs, 1);
    file_owned(db, o->f);
    o->f->number = num;
    return RDB_OK;
}

void lsm_db_out_add(lsm_out_table_t *o, const char *k, size_t kn, const char *v, size_t vn,
                    rdb_status_t *s, rdb_err_t *err)
{
    if (o->f->smallest.len == 0)
        rdb_buf_append(&o->f->smallest, k, kn);
    rdb_buf_reset(&o->f->largest);
    rdb_buf_append(&o->f->largest, k, kn);
    if (*s == RDB_OK)
        *s = lsm_table_builder_add(o->b, k, kn, v, vn, err);
}

rdb_status_t lsm_db_out_finish(lsm_db_t *db, lsm_out_table_t *o, rdb_status_t s, rdb_err_t *err)
{
    if (s == RDB_OK)
        s = lsm_table_builder_finish(o->b, err);
    else
        lsm_table_builder_abandon(o->b);
    lsm_table_t *t = NULL;
    if (s == RDB_OK) /* open it (and keep it open): this also checks what was written */
        s = lsm_tcache_get(db->tcache, o->f->number, &t, err);
    if (s == RDB_OK) {
        o->f->size = lsm_table_file_size(t);
        lsm_table_unref(t);
    } else {
        lsm_file_unref(o->f);
        o->f = NULL;
    }
    free(o->path);
    return s;
}

/* Write a memtable as one L0 table.  Holds mu on entry and exit. */
static rdb_status_t flush_mem(lsm_db_t *db, lsm_mem_t *m, lsm_edit_t *e, rdb_err_t *err)
{
    uint64_t num = db->next_file++;
    pthread_mutex_unlock(&db->mu);
    lsm_out_table_t o;
    rdb_status_t s = lsm_db_out_open(db, num, &o, err);
    if (s == RDB_OK) {
        lsm_it_t *it = lsm_mem_iter(m);
        for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it)) {
            size_t kn, vn;
            const char *k = it->ops->key(it, &kn), *v = it->ops->value(it, &vn);
            lsm_db_out_add(&o, k, kn, v, vn, &s, err);
        }
        it->ops->free(it);
        s = lsm_db_out_finish(db, &o, s, err);
    }
    pthread_mutex_lock(&db->mu);
    if (s == RDB_OK) {
        e->add[e->nadd].level = 0;
        e->add[e->nadd++].f = o.f;
        db->flushes++;
    }
    return s;
}

static void wal_retire(lsm_db_t *db);

rdb_status_t lsm_db_flush_imm(lsm_db_t *db, rdb_err_t *err)
{
    if (db->flushing)
        return RDB_OK; /* another thread is at it */
    db->flushing = true;
    wal_retire(db); /* releases mu: flushing keeps other flushes out */
    lsm_edit_t *e = rdb_calloc(1, sizeof(*e));
    lsm_mem_t *m = db->imm;
    rdb_status_t s = flush_mem(db, m, e, err);
    if (s == RDB_OK) {
        e->has_log = true;
        e->log_number = db->wal_number;
        s = lsm_db_log_and_apply(db, e, err);
    }
    db->flushing = false; /* only now: log_and_apply releases mu */
    for (int i = 0; i < e->nadd; i++)
        lsm_file_unref(e->add[i].f);
    free(e);
    if (s == RDB_OK) {
        db->imm = NULL;
        atomic_store(&db->imm_pending, false);
        pthread_mutex_unlock(&db->mu);
        lsm_mem_unref(m); /* unmaps its chunks, tens of MB: not under mu */
        pthread_mutex_lock(&db->mu);
        lsm_db_delete_obsolete(db);
        pthread_cond_broadcast(&db->done_cv);
    }
    return s;
}

/* --- background thread ---------------------------------------------------- */

/* Each of the o.compaction_threads threads runs this loop: a waiting
 * memtable first (one thread at a time), then a manual compaction (alone:
 * it waits until the others are done, and none starts meanwhile), then
 * the compaction of the level most over budget whose inputs and output
 * range no other running compaction holds (compact.c). */
static void *bg_main(void *arg)
{
    lsm_db_t *db = arg;
    pthread_mutex_lock(&db->mu);
    for (;;) {
        rdb_err_t err = RDB_ERR_INIT;
        rdb_status_t s = RDB_OK;
        bool manual = db->manual_done < db->manual_req;
        if (rdb_err_is_set(&db->bg_err)) {
            if (db->shutting_down)
                break;
            pthread_cond_wait(&db->bg_cv, &db->mu);
            continue;
        }
        if (db->imm && !db->flushing) {
            s = lsm_db_flush_imm(db, &err);
        } else if (db->shutting_down) {
            break;
        } else if (manual && !db->manual_running && db->nrunning == 0) {
            uint64_t ticket = db->manual_req;
            db->manual_running = true;
            s = lsm_compact_all(db, &err);
            db->manual_running = false;
            if (s == RDB_OK)
                db->manual_done = ticket;
        } else if (!manual && lsm_compact_needed(db)) {
            bool did = false;
            s = lsm_compact_some(db, &did, &err);
            if (s == RDB_OK && !did) { /* all candidates busy: wait for a change */
                pthread_cond_broadcast(&db->done_cv);
                pthread_cond_wait(&db->bg_cv, &db->mu);
                continue;
            }
        } else {
            pthread_cond_broadcast(&db->done_cv);
            pthread_cond_wait(&db->bg_cv, &db->mu);
            continue;
        }
        if (s != RDB_OK) {
            rdb_logger_log(db->o.logger, RDB_LOG_LEVEL_ERROR, "lsm", "background work failed: %s",
                           err.msg ? err.msg : "?");
            if (!rdb_err_is_set(&db->bg_err))
                rdb_err_move(&db->bg_err, &err);
        }
        rdb_err_clear(&err);
        pthread_cond_broadcast(&db->done_cv);
        pthread_cond_broadcast(&db->bg_cv); /* the others may have work now */
    }
    pthread_cond_broadcast(&db->done_cv);
    pthread_cond_broadcast(&db->bg_cv);
    pthread_mutex_unlock(&db->mu);
    return NULL;
}

static rdb_status_t wal_sync(lsm_db_t *db, int fd, rdb_err_t *err);

/* LSM_SYNC_PERIODIC: fdatasync the WAL every sync_period_ms, on a dup of
 * its descriptor so that neither the mutex nor a WAL switch waits for it. */
static void *syncer_main(void *arg)
{
    lsm_db_t *db = arg;
    pthread_mutex_lock(&db->mu);
    while (!db->shutting_down) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t ns = (uint64_t)ts.tv_nsec + (uint64_t)db->o.sync_period_ms * 1000000u;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        pthread_cond_timedwait(&db->sync_cv, &db->mu, &ts);
        if (db->shutting_down)
            break;
        int fd = db->wal.fd >= 0 ? dup(db->wal.fd) : -1;
        pthread_mutex_unlock(&db->mu);
        if (fd >= 0) {
            wal_sync(db, fd, NULL);
            close(fd);
        }
        pthread_mutex_lock(&db->mu);
    }
    pthread_mutex_unlock(&db->mu);
    return NULL;
}

static rdb_status_t bg_error(lsm_db_t *db, rdb_err_t *err)
{
    return rdb_err_set(err, db->bg_err.code, db->bg_err.sqlstate, "%s", db->bg_err.msg);
}

/* --- writes --------------------------------------------------------------- */

static void wal_failed(lsm_db_t *db, const rdb_err_t *e);

/* Starts the next WAL segment with a new memtable.  Holds mu, and does no
 * file I/O under it when the next segment was prepared (wal_prepare): on
 * a loaded disk creating a file took 3-88 ms and the old segment's
 * fdatasync as long, and every writer waited.  The old segment becomes
 * prev_wal: the flush of its memtable (wal_retire) or any wal_sync before
 * it fdatasyncs it.  Until then its unsynced writes are as durable as
 * they were before the switch; no synced write in the new segment
 * returns before it is synced (wal_sync); and the marker that begins the
 * new segment (wal_append) lets recovery see a tail lost from it. */
static rdb_status_t switch_memtable(lsm_db_t *db, rdb_err_t *err)
{
    if (db->prev_wal.fd >= 0) {
        /* defensive: the flush that must precede this switch closed it */
        rdb_status_t s = RDB_OK;
        if (!db->prev_synced)
            s = lsm_log_sync(&db->prev_wal, err);
        if (s != RDB_OK) {
            wal_failed(db, err);
            return s;
        }
        lsm_log_close(&db->prev_wal);
    }
    lsm_log_writer_t w;
    uint64_t num;
    if (db->next_wal.fd >= 0) {
        w = db->next_wal;
        num = db->next_wal_number;
        db->next_wal.fd = -1;
        db->next_wal.path = NULL;
    } else { /* not prepared (its creation failed): create it here */
        num = db->next_file++;
        char *p = file_path(db, num, "log");
        rdb_status_t s = lsm_log_create(&w, p, err);
        free(p);
        if (s != RDB_OK)
            return s;
    }
    db->mark_number = db->wal_number;
    db->mark_size = db->wal.size; /* final: no group is in flight */
    db->wal_mark = true;
    db->prev_wal = db->wal;
    db->prev_synced = db->o.sync_mode == LSM_SYNC_NONE;
    db->wal = w;
    db->wal_number = num;
    db->imm = db->mem;
    atomic_store(&db->imm_pending, true);
    db->mem = lsm_mem_new();
    pthread_cond_broadcast(&db->bg_cv);
    return RDB_OK;
}

/* Make room for a write (or force a switch for a flush).  Holds mu. */
static rdb_status_t make_room(lsm_db_t *db, bool force, rdb_err_t *err)
{
    bool delayed = false;
    for (;;) {
        if (rdb_err_is_set(&db->bg_err))
            return bg_error(db, err);
        int l0 = db->cur->nfiles[0];
        if (!force && !delayed && l0 >= db->o.l0_slowdown_trigger) {
            pthread_mutex_unlock(&db->mu);
            uint64_t t = now_us();
            usleep(1000);
            db->stall_micros += now_us() - t;
            db->slowdowns++;
            pthread_mutex_lock(&db->mu);
            delayed = true;
        } else if (!force && lsm_mem_usage(db->mem) < db->o.memtable_size) {
            return RDB_OK;
        } else if (force && lsm_mem_count(db->mem) == 0) {
            return RDB_OK;
        } else if (db->imm || l0 >= db->o.l0_stop_trigger) {
            uint64_t t = now_us();
            db->stalls++;
            pthread_cond_broadcast(&db->bg_cv);
            pthread_cond_wait(&db->done_cv, &db->mu);
            db->stall_micros += now_us() - t;
        } else if (db->inflight) {
            /* earlier groups still sync or apply into this memtable and
             * its WAL: they finish first */
            pthread_cond_wait(&db->commit_cv, &db->mu);
        } else {
            return switch_memtable(db, err);
        }
    }
}

typedef struct ins_ctx {
    lsm_mem_t *mem;
    rdb_buf_t key;
} ins_ctx_t;

static rdb_status_t ins_one(void *arg, int kind, const char *key, size_t klen, lsm_version_t v,
                            const char *val, size_t vlen)
{
    ins_ctx_t *c = arg;
    char small[128], *ik = small; /* most keys: no heap buffer per write */
    if (klen + LSM_IKEY_TRAILER > sizeof small) {
        rdb_buf_reset(&c->key);
        rdb_buf_reserve(&c->key, klen + LSM_IKEY_TRAILER);
        ik = c->key.data;
    }
    memcpy(ik, key, klen);
    lsm_ikey_trailer(ik + klen, v, kind);
    lsm_mem_add(c->mem, ik, klen + LSM_IKEY_TRAILER, val, vlen);
    return RDB_OK;
}

/* A queued writer sleeps on its own mutex, so that waking it neither
 * needs db->mu nor makes it queue for db->mu on its way out. */
static void writer_wait(lsm_writer_t *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->state == LSM_WRITER_WAIT)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

/* Once state is set and mu released, *w may be gone (its thread returns):
 * the caller reads w->next before. */
static void writer_wake(lsm_writer_t *w, int state)
{
    pthread_mutex_lock(&w->mu);
    w->state = state;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* A WAL write or sync failed: the WAL is in an unknown state, so the
 * groups behind fail and new writes are refused.  Holds mu. */
static void wal_failed(lsm_db_t *db, const rdb_err_t *e)
{
    db->wal_failed = true;
    if (!rdb_err_is_set(&db->bg_err))
        rdb_err_set(&db->bg_err, e->code, e->sqlstate, "%s", e->msg);
}

/* fdatasync of the WAL on fd (db->wal.fd or a dup of it; -1: only the
 * previous segment), without mu.  The previous segment (prev_wal) is
 * synced first while it is unsynced, so that a write synced in the
 * current segment never outlives an unsynced one before it.
 * All descriptors of the WAL share one open file, and with it the kernel's
 * write-back error state: a failure is reported to whichever fdatasync
 * looks first.  So a sync that succeeded counts only once every sync that
 * overlapped it has finished, and none failed (wal_failed).  A failure
 * fails every later write and sync. */
static rdb_status_t wal_sync(lsm_db_t *db, int fd, rdb_err_t *err)
{
    lsm_wal_sync_t me = { 0, NULL };
    pthread_mutex_lock(&db->mu);
    me.id = ++db->sync_ids;
    me.next = db->syncs;
    db->syncs = &me;
    bool prev = db->prev_wal.fd >= 0 && !db->prev_synced;
    int pfd = prev ? dup(db->prev_wal.fd) : -1;
    uint64_t pnum = db->mark_number;
    pthread_mutex_unlock(&db->mu);
    int rc = db->o.wal_sync_hook ? db->o.wal_sync_hook(db->o.wal_sync_hook_ctx) : 0;
    if (rc == 0 && prev && (pfd < 0 || fdatasync(pfd) != 0))
        rc = errno;
    if (pfd >= 0)
        close(pfd);
    if (rc == 0 && fd >= 0 && fdatasync(fd) != 0)
        rc = errno;
    pthread_mutex_lock(&db->mu);
    if (rc == 0 && prev && db->prev_wal.fd >= 0 && db->mark_number == pnum)
        db->prev_synced = true;
    for (lsm_wal_sync_t **p = &db->syncs; *p; p = &(*p)->next)
        if (*p == &me) {
            *p = me.next;
            break;
        }
    if (rc != 0) {
        rdb_err_t e = RDB_ERR_INIT;
        rdb_err_set(&e, RDB_IOERROR, NULL, "could not fdatasync the WAL: %s", strerror(rc));
        wal_failed(db, &e);
        rdb_err_clear(&e);
    } else if (fd >= 0) {
        db->wal_syncs++;
    }
    pthread_cond_broadcast(&db->commit_cv);
    uint64_t upto = db->sync_ids; /* those begun before this one ended */
    for (bool older = true; older && !db->wal_failed;) {
        older = false;
        for (lsm_wal_sync_t *x = db->syncs; x && !older; x = x->next)
            older = x->id <= upto;
        if (older)
            pthread_cond_wait(&db->commit_cv, &db->mu);
    }
    rdb_status_t s = db->wal_failed ? bg_error(db, err) : RDB_OK;
    pthread_mutex_unlock(&db->mu);
    return s;
}

/* A WAL segment's first record names the segment before it and that
 * one's length: tag (u32 le, a batch count no batch has) | number (u64
 * le) | length (u64 le).  Recovery stops where a segment is shorter than
 * its successor says (replay_rec).  DO NOT CHANGE: on-disk format. */
#define WAL_MARK_TAG 0xffffffffu
#define WAL_MARK_LEN 20

static void wal_marker(lsm_db_t *db, rdb_buf_t *out)
{
    char m[WAL_MARK_LEN];
    rdb_put_u32_le(m, WAL_MARK_TAG);
    rdb_put_u64_le(m + 4, db->mark_number);
    rdb_put_u64_le(m + 12, db->mark_size);
    lsm_log_frame(out, m, sizeof m);
}

/* Creates the next WAL segment ahead of the switch that will use it
 * (switch_memtable), so that the switch opens no file under mu.  Holds mu
 * (released for the creation).  A failure only logs: the switch then
 * creates the segment itself. */
static void wal_prepare(lsm_db_t *db)
{
    if (db->next_wal.fd >= 0)
        return;
    uint64_t num = db->next_file++;
    char *p = file_path(db, num, "log");
    pthread_mutex_unlock(&db->mu);
    lsm_log_writer_t w;
    rdb_err_t e = RDB_ERR_INIT;
    rdb_status_t s = lsm_log_create(&w, p, &e);
    free(p);
    if (s != RDB_OK)
        rdb_logger_log(db->o.logger, RDB_LOG_LEVEL_WARN, "lsm", "%s", e.msg ? e.msg : "?");
    rdb_err_clear(&e);
    pthread_mutex_lock(&db->mu);
    if (s == RDB_OK && db->next_wal.fd >= 0) /* defensive: one preparer at a time */
        lsm_log_close(&w);
    else if (s == RDB_OK) {
        db->next_wal = w;
        db->next_wal_number = num;
    }
}

/* The flush of the memtable whose segment is prev_wal: fdatasyncs that
 * segment unless a wal_sync did, closes it, and prepares the next one.
 * Holds mu (released for the I/O).  A failed sync is a WAL failure
 * (wal_sync): the segment stays open, and writes fail from now on. */
static void wal_retire(lsm_db_t *db)
{
    if (db->prev_wal.fd >= 0 && !db->prev_synced) {
        pthread_mutex_unlock(&db->mu);
        wal_sync(db, -1, NULL);
        pthread_mutex_lock(&db->mu);
    }
    if (db->prev_wal.fd >= 0 && db->prev_synced) {
        lsm_log_writer_t old = db->prev_wal;
        db->prev_wal.fd = -1;
        db->prev_wal.path = NULL;
        pthread_mutex_unlock(&db->mu);
        lsm_log_close(&old);
        pthread_mutex_lock(&db->mu);
    }
    wal_prepare(db);
}

/* Group commit.  A write joins one of two queues of writers; the head of
 * a queue leads a group of the writers queued behind it and the others
 * sleep until it wakes them with the group's result.
 *  - db->wq, the WAL queue: unsynced writes (replica applies, periodic or
 *    no sync), flush requests, and one entry per synced group.  Its leader
 *    appends its group's records to the WAL in one system call and hands
 *    the queue on at once (wal_append): WAL writes never wait for an
 *    fdatasync.  An unsynced group applies to the memtable as soon as it
 *    is written, without waiting for an earlier synced group's fdatasync
 *    (that one has acknowledged nothing yet, and a crash keeps a prefix of
 *    the WAL, so the unsynced group survives only with it).
 *  - db->sq, the synced queue (sync_write): one synced group at a time
 *    writes and fdatasyncs; synced writers arriving meanwhile form the
 *    next group, so that one fdatasync serves a whole group.  A synced
 *    group applies after its fdatasync and after every group written to
 *    the WAL before it: what it acknowledges as durable is visible with
 *    everything before it.
 * Groups are applied one at a time (the memtable has one writer) and leave
 * db->gq when applied; a memtable switch waits until no group is in flight,
 * so a memtable holds exactly the records of its WAL.  A failed WAL write
 * or fdatasync fails its group, every group still waiting to apply and
 * every later write (wal_failed); an unsynced group that already returned
 * is then never made durable (lsm_sync_wal fails).  lsm_sync_wal and the
 * periodic syncer fdatasync on their own, and may overlap a group's
 * fdatasync (wal_sync's rule). */

/* Wakes the group's followers (w->next .. last) with their result. */
static void wake_followers(lsm_writer_t *w, lsm_writer_t *last)
{
    for (lsm_writer_t *x = w->next; last != w;) {
        lsm_writer_t *nx = x->next;
        bool end = x == last;
        writer_wake(x, LSM_WRITER_DONE);
        if (end)
            break;
        x = nx;
    }
}

static void writer_init(lsm_writer_t *w, lsm_batch_t *b, bool sync)
{
    memset(w, 0, sizeof *w);
    rdb_err_t e0 = RDB_ERR_INIT;
    w->err = e0;
    w->batch = b;
    w->sync = sync;
    w->state = LSM_WRITER_WAIT;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
}

static rdb_status_t writer_fini(lsm_writer_t *w, rdb_status_t s, rdb_err_t *err)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    if (s != RDB_OK)
        rdb_err_move(err, &w->err);
    return s;
}

/* Appends w to a queue (db->wq or db->sq).  Returns true with mu held once
 * w heads it (leads), false without mu once a leader has done w's write. */
static bool queue_join(lsm_db_t *db, lsm_writer_t **head, lsm_writer_t **tail, lsm_writer_t *w)
{
    w->next = NULL;
    if (*tail)
        (*tail)->next = w;
    else
        *head = w;
    *tail = w;
    if (*head == w)
        return true;
    pthread_mutex_unlock(&db->mu);
    writer_wait(w);
    if (w->state == LSM_WRITER_DONE)
        return false;
    pthread_mutex_lock(&db->mu);
    return true;
}

/* Takes the writers up to last off the head of a queue; returns the new
 * head, to be woken (LSM_WRITER_LEAD) once mu is released.  The taken
 * writers keep their links. */
static lsm_writer_t *queue_pop(lsm_writer_t **head, lsm_writer_t **tail, lsm_writer_t *last)
{
    lsm_writer_t *h = last->next;
    *head = h;
    if (!h)
        *tail = NULL;
    return h;
}

/* The bytes a group led by a batch of first_len bytes may hold: a small
 * write is not made to wait for the WAL write of large ones (LevelDB's
 * rule). */
static size_t group_limit(size_t first_len)
{
    return first_len <= (128u << 10) ? first_len + (128u << 10) : MAX_GROUP_BYTES;
}

/* Sets the result of first's followers (first->next .. last) and counts
 * the group's writes.  Holds mu. */
static void group_results(lsm_db_t *db, lsm_writer_t *first, lsm_writer_t *last, rdb_status_t s,
                          const rdb_err_t *e)
{
    uint64_t n = 1;
    for (lsm_writer_t *x = first->next; last != first; x = x->next) {
        x->status = s;
        if (s != RDB_OK)
            rdb_err_set(&x->err, e->code, e->sqlstate, "%s", e->msg);
        n++;
        if (x == last)
            break;
    }
    db->writes += n;
}

/* The head of db->wq, w, with mu held: makes room (or switches the
 * memtable for a flush request) and appends its group's records to the
 * WAL in one system call.  The group is w->first..w->last for a synced
 * group's entry, else w and the unsynced batches queued right behind it
 * (*last).  A written group goes on db->gq as g (*issued) with the
 * memtable it belongs to.  Then the queue goes to the next writer, which
 * may write its group while this one syncs or applies.  Returns without
 * mu. */
static rdb_status_t wal_append(lsm_db_t *db, lsm_writer_t *w, lsm_group_t *g, lsm_writer_t **lastp,
                               bool *issued, rdb_err_t *err)
{
    rdb_status_t s = make_room(db, w->batch == NULL, err);
    lsm_writer_t *first = w->first ? w->first : w, *last = w->first ? w->last : w;
    *issued = false;
    if (s == RDB_OK && w->batch) {
        if (!w->first) {
            /* synced and unsynced batches never share a group: the
             * unsynced ones would wait for the fsync */
            size_t bytes = w->batch->rep.len, limit = group_limit(bytes);
            for (lsm_writer_t *x = w->next; x && x->batch && !x->sync; x = x->next) {
                if (bytes + x->batch->rep.len > limit)
                    break;
                bytes += x->batch->rep.len;
                last = x;
            }
        }
        rdb_buf_reset(&db->group);
        /* a group of one is written from its batch, without a copy */
        bool raw = last != first || db->wal_mark;
        if (db->wal_mark) { /* the first group of a new segment */
            wal_marker(db, &db->group);
            db->wal_mark = false;
        }
        for (lsm_writer_t *x = first; raw; x = x->next) {
            lsm_log_frame(&db->group, x->batch->rep.data, x->batch->rep.len);
            if (x == last)
                break;
        }
        g->mem = db->mem;
        g->next = NULL;
        if (db->gq_tail)
            db->gq_tail->next = g;
        else
            db->gq_head = g;
        db->gq_tail = g;
        db->inflight++;
        *issued = true;
        pthread_mutex_unlock(&db->mu);
        if (!raw) {
            s = lsm_log_add(&db->wal, first->batch->rep.data, first->batch->rep.len, err);
            db->wal_bytes += first->batch->rep.len + LSM_LOG_HEADER;
        } else {
            s = lsm_log_write_raw(&db->wal, db->group.data, db->group.len, err);
            db->wal_bytes += db->group.len;
        }
        pthread_mutex_lock(&db->mu);
        if (s != RDB_OK)
            wal_failed(db, err);
    }
    lsm_writer_t *head = queue_pop(&db->wq_head, &db->wq_tail, w->first ? w : last);
    pthread_mutex_unlock(&db->mu);
    if (head)
        writer_wake(head, LSM_WRITER_LEAD);
    *lastp = last;
    return s;
}

/* Applies the batches of the written group g (first..last) to its
 * memtable, one group at a time (the memtable has one writer): a synced
 * group in order, after every earlier group, an unsynced one at once.
 * Then takes g off db->gq.  Holds mu (released while inserting).  A synced
 * group's wal_sync has decided its fate: a WAL failure recorded after it
 * (a later group's) does not fail it; an unsynced group fails on any WAL
 * failure recorded before it applies. */
static rdb_status_t group_apply(lsm_db_t *db, lsm_group_t *g, lsm_writer_t *first,
                                lsm_writer_t *last, bool synced, rdb_status_t s, rdb_err_t *err)
{
    while ((synced && db->gq_head != g) || db->mem_busy)
        pthread_cond_wait(&db->commit_cv, &db->mu);
    if (s == RDB_OK && !synced && db->wal_failed)
        s = bg_error(db, err);
    if (s == RDB_OK) {
        db->mem_busy = true;
        pthread_mutex_unlock(&db->mu);
        ins_ctx_t c = { g->mem, RDB_BUF_INIT };
        for (lsm_writer_t *x = first;; x = x->next) {
            lsm_batch_iterate(x->batch->rep.data, x->batch->rep.len, ins_one, &c, NULL);
            if (x == last)
                break;
        }
        rdb_buf_free(&c.key);
        pthread_mutex_lock(&db->mu);
        db->mem_busy = false;
    }
    lsm_group_t *prev = NULL;
    for (lsm_group_t *x = db->gq_head; x != g; x = x->next)
        prev = x;
    if (prev)
        prev->next = g->next;
    else
        db->gq_head = g->next;
    if (db->gq_tail == g)
        db->gq_tail = prev;
    db->inflight--;
    pthread_cond_broadcast(&db->commit_cv);
    return s;
}

/* An unsynced write or a flush request (b NULL): the writer at the head
 * of db->wq leads, writes its group (wal_append), and applies it at once
 * (group_apply), without waiting for an earlier synced group's fsync. */
static rdb_status_t unsynced_write(lsm_db_t *db, lsm_batch_t *b, rdb_err_t *err)
{
    lsm_writer_t w;
    writer_init(&w, b, false);
    pthread_mutex_lock(&db->mu);
    if (!queue_join(db, &db->wq_head, &db->wq_tail, &w))
        return writer_fini(&w, w.status, err);
    lsm_group_t g;
    lsm_writer_t *last;
    bool issued;
    rdb_status_t s = wal_append(db, &w, &g, &last, &issued, &w.err);
    pthread_mutex_lock(&db->mu);
    if (issued)
        s = group_apply(db, &g, &w, last, false, s, &w.err);
    group_results(db, &w, last, s, &w.err);
    pthread_mutex_unlock(&db->mu);
    wake_followers(&w, last);
    return writer_fini(&w, s, err);
}

/* The new head of db->sq, with mu held, before it takes its group: if
 * fewer writers wait than the last group had, those of the last group are
 * most likely on their way back (woken after its apply).  Starting the
 * fdatasync without them would make them wait for all of it, and groups
 * would alternate between one writer and the rest; so the leader waits
 * for them, at most half an fdatasync's time (a writer that does not come
 * back costs the next group that much once: then the last group is
 * smaller).  A lone writer (groups of one) never waits. */
static void gather_wait(lsm_db_t *db)
{
    if (db->sq_free >= db->sq_last || db->sync_us == 0)
        return;
    uint64_t wait_us = db->sync_us / 2;
    if (wait_us > 5000)
        wait_us = 5000;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + wait_us * 1000u;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    uint64_t t0 = now_us();
    db->sq_want = db->sq_last;
    while (db->sq_free < db->sq_want &&
           pthread_cond_timedwait(&db->sq_cv, &db->mu, &ts) != ETIMEDOUT)
        ;
    db->sq_want = 0;
    db->gather_micros += now_us() - t0;
}

/* A synced write: leader/follower group commit with one fdatasync at a
 * time (LevelDB's and RocksDB's scheme).  Synced writers queue on db->sq;
 * the head leads a group of itself and the writers queued behind it (up
 * to group_limit bytes).  The leader appends the group's batches to the
 * WAL as one write, through db->wq like any write (one entry for the whole
 * group), then fdatasyncs.  Writers arriving meanwhile queue behind the
 * group and form the next one, so each fdatasync covers all of them; once
 * it returns, the head of db->sq goes to the next group, whose WAL write
 * and fdatasync overlap this group's apply.  The group applies after
 * every earlier group (in WAL order), then its followers are woken with
 * the group's result: a failed WAL write or fdatasync fails every write
 * of the group (and wal_failed every later one).
 * History and figures: until 2026-11-29 every synced group fdatasynced on
 * its own and those syncs overlapped; with 8 writers that made 1.5 writes
 * per fdatasync, and on a quiet machine 5,689 synced writes/s against
 * LevelDB's 15,212 (one sync at a time).  An earlier try of one sync at a
 * time got groups of ~4 (a lone writer's group alternating with the seven
 * others', see gather_wait) and measured 2-3x slower under load 18-21.
 * This scheme, under load 15-21 (lsm-bench --workloads fillsync, 8 threads,
 * 2026-11-29 07:06-08:17): 7.3-7.8 writes per fdatasync, half the CPU per
 * synced write (0.043-0.067 CPU s per 1000 against 0.083-0.127), ratio to
 * the best peer in the same run median 1.25 over 12 runs (0.86-1.73; the
 * overlapping syncs: median 1.33 over 9 runs, 0.90-1.96).  On this
 * loaded virtual disk a group fdatasync took 2-5 ms and overlapping ones
 * cost little more each, so the old scheme made more synced writes/s in
 * absolute terms there (~3,400/s against ~2,400/s); the quiet machine,
 * where syncs do not overlap for free, was not available to re-measure. */
static rdb_status_t sync_write(lsm_db_t *db, lsm_batch_t *b, rdb_err_t *err)
{
    lsm_writer_t w;
    writer_init(&w, b, true);
    pthread_mutex_lock(&db->mu);
    db->sq_len++;
    if (++db->sq_free >= db->sq_want && db->sq_want)
        pthread_cond_signal(&db->sq_cv);
    if (!queue_join(db, &db->sq_head, &db->sq_tail, &w))
        return writer_fini(&w, w.status, err);
    gather_wait(db);
    lsm_writer_t *last = &w;
    size_t bytes = b->rep.len, limit = group_limit(bytes);
    for (lsm_writer_t *x = w.next; x; x = x->next) {
        if (bytes + x->batch->rep.len > limit)
            break;
        bytes += x->batch->rep.len;
        last = x;
    }
    int n = 1;
    for (lsm_writer_t *x = &w; x != last; x = x->next)
        n++;
    db->sq_free -= n;
    db->sq_last = n;
    lsm_writer_t q; /* the group's entry on db->wq */
    writer_init(&q, b, true);
    q.first = &w;
    q.last = last;
    lsm_group_t g;
    bool issued;
    lsm_writer_t *qlast;
    queue_join(db, &db->wq_head, &db->wq_tail, &q); /* q is never a follower */
    rdb_status_t s = wal_append(db, &q, &g, &qlast, &issued, &w.err);
    writer_fini(&q, RDB_OK, NULL);
    uint64_t t0 = now_us();
    bool synced = s == RDB_OK && issued;
    if (synced) {
        s = wal_sync(db, db->wal.fd, &w.err);
        db->sync_groups++;
    }
    pthread_mutex_lock(&db->mu);
    if (synced) {
        uint64_t us = now_us() - t0;
        db->sync_micros += us;
        db->sync_us = db->sync_us ? (db->sync_us * 7 + us) / 8 : us;
    }
    lsm_writer_t *head = queue_pop(&db->sq_head, &db->sq_tail, last);
    pthread_mutex_unlock(&db->mu);
    if (head)
        writer_wake(head, LSM_WRITER_LEAD);
    pthread_mutex_lock(&db->mu);
    if (issued)
        s = group_apply(db, &g, &w, last, true, s, &w.err);
    group_results(db, &w, last, s, &w.err);
    for (lsm_writer_t *x = &w;; x = x->next) {
        db->sq_len--;
        if (x == last)
            break;
    }
    pthread_mutex_unlock(&db->mu);
    wake_followers(&w, last);
    return writer_fini(&w, s, err);
}

rdb_status_t lsm_write(lsm_db_t *db, const lsm_write_options_t *wo, lsm_batch_t *b, rdb_err_t *err)
{
    if (b->max_klen > LSM_MAX_KEY_SIZE)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "key of %zu bytes exceeds the maximum of %u", b->max_klen,
                           LSM_MAX_KEY_SIZE);
    if (b->count == 0)
        return RDB_OK;
    if (db->o.sync_mode == LSM_SYNC_COMMIT && (!wo || wo->sync))
        return sync_write(db, b, err);
    return unsynced_write(db, b, err);
}

/* On a dup of the WAL's descriptor, as syncer_main: writes that returned
 * are in the current WAL, in the previous one (prev_wal, which wal_sync
 * syncs first while it is unsynced) or in an older one, synced before
 * it was closed. */
rdb_status_t lsm_sync_wal(lsm_db_t *db, rdb_err_t *err)
{
    if (db->o.sync_mode == LSM_SYNC_NONE)
        return RDB_OK;
    pthread_mutex_lock(&db->mu);
    if (rdb_err_is_set(&db->bg_err)) {
        rdb_status_t s = bg_error(db, err);
        pthread_mutex_unlock(&db->mu);
        return s;
    }
    int fd = db->wal.fd >= 0 ? dup(db->wal.fd) : -1;
    pthread_mutex_unlock(&db->mu);
    if (fd < 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not sync the WAL: %s", strerror(errno));
    rdb_status_t s = wal_sync(db, fd, err);
    close(fd);
    return s;
}

rdb_status_t lsm_flush(lsm_db_t *db, rdb_err_t *err)
{
    rdb_status_t s = unsynced_write(db, NULL, err);
    if (s != RDB_OK)
        return s;
    pthread_mutex_lock(&db->mu);
    while (db->imm && !rdb_err_is_set(&db->bg_err))
        pthread_cond_wait(&db->done_cv, &db->mu);
    if (rdb_err_is_set(&db->bg_err))
        s = bg_error(db, err);
    pthread_mutex_unlock(&db->mu);
    return s;
}

rdb_status_t lsm_compact_range(lsm_db_t *db, const void *start, size_t slen, const void *end,
                               size_t elen, rdb_err_t *err)
{
    rdb_status_t s = lsm_flush(db, err);
    if (s != RDB_OK)
        return s;
    pthread_mutex_lock(&db->mu);
    uint64_t ticket = ++db->manual_req;
    pthread_cond_broadcast(&db->bg_cv);
    while (db->manual_done < ticket && !rdb_err_is_set(&db->bg_err))
        pthread_cond_wait(&db->done_cv, &db->mu);
    if (rdb_err_is_set(&db->bg_err))
        s = bg_error(db, err);
    pthread_mutex_unlock(&db->mu);
    return s;
}

void lsm_set_gc_horizon(lsm_db_t *db, uint64_t hlc) { atomic_store(&db->horizon, hlc); }

void lsm_set_drop_filter(lsm_db_t *db, lsm_drop_fn fn, void *ctx)
{
    pthread_rwlock_wrlock(&db->drop_mu);
    db->drop_fn = fn;
    db->drop_ctx = ctx;
    pthread_rwlock_unlock(&db->drop_mu);
}

/* --- point reads ---------------------------------------------------------- */

typedef struct best {
    bool found;
    int kind;
    lsm_version_t ver;
} best_t;

static void mem_get(lsm_mem_t *m, const char *seek, size_t sn, best_t *b, rdb_buf_t *value)
{
    const char *k, *val;
    size_t kn, vn;
    if (!lsm_mem_seek(m, seek, sn, &k, &kn, &val, &vn))
        return;
    if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, seek, sn - LSM_IKEY_TRAILER) != 0)
        return;
    lsm_version_t v = lsm_ikey_version(k, kn);
    if (!b->found || lsm_version_cmp(v, b->ver) > 0) {
        b->found = true;
        b->ver = v;
        b->kind = lsm_ikey_kind(k, kn);
        if (value) {
            rdb_buf_reset(value);
            rdb_buf_append(value, val, vn);
        }
    }
}

static bool file_may_hold(lsm_file_t *f, const char *uk, size_t ukl)
{
    return lsm_ukey_cmp(uk, ukl, f->smallest.data, f->smallest.len - LSM_IKEY_TRAILER) >= 0 &&
           lsm_ukey_cmp(uk, ukl, f->largest.data, f->largest.len - LSM_IKEY_TRAILER) <= 0;
}

/* Probe one table; the value is copied only when its version beats the
 * best found so far (versions arrive in any order, so a deeper table may
 * hold a newer one). */
static rdb_status_t table_get(lsm_db_t *db, lsm_file_t *f, const char *seek, size_t sn,
                              bool fill, best_t *b, rdb_buf_t *value, rdb_err_t *err)
{
    bool found, skip, hit = false;
    int kind;
    lsm_version_t v;
    lsm_table_t *t;
    rdb_status_t s = lsm_tcache_get(db->tcache, f->number, &t, err);
    if (s != RDB_OK)
        return s;
    s = lsm_table_get(t, seek, sn, fill, &found, &kind, &v, value, b->found ? &b->ver : NULL,
                      &skip, &hit, err);
    lsm_table_unref(t);
    if (s != RDB_OK)
        return s;
    if (skip)
        db->bloom_useful++;
    if (found && (!b->found || lsm_version_cmp(v, b->ver) > 0)) {
        b->found = true;
        b->ver = v;
        b->kind = kind;
    }
    return RDB_OK;
}

rdb_status_t lsm_get_versioned(lsm_db_t *db, const lsm_read_options_t *ro, const void *key,
                               size_t klen, rdb_buf_t *value, lsm_version_t *version,
                               bool *is_tombstone, rdb_err_t *err)
{
    if (klen > LSM_MAX_KEY_SIZE)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "key of %zu bytes exceeds the maximum of %u", klen, LSM_MAX_KEY_SIZE);
    uint64_t snap = ro ? ro->snapshot : LSM_SNAPSHOT_LATEST;
    bool fill = ro ? ro->fill_cache : true;
    char stackbuf[256];
    size_t sn = klen + LSM_IKEY_TRAILER;
    char *seek = sn <= sizeof stackbuf ? stackbuf : rdb_malloc(sn);
    lsm_ikey_seek(seek, key, klen, snap);
    lsm_mem_t *mem, *imm;
    lsm_vers_t *v;
    lsm_db_pin(db, &mem, &imm, &v);
    best_t b = { 0 };
    mem_get(mem, seek, sn, &b, value);
    if (imm)
        mem_get(imm, seek, sn, &b, value);
    rdb_status_t s = RDB_OK;
    for (int i = 0; s == RDB_OK && i < v->nfiles[0]; i++)
        if (file_may_hold(v->files[0][i], key, klen))
            s = table_get(db, v->files[0][i], seek, sn, fill, &b, value, err);
    for (int l = 1; s == RDB_OK && l < LSM_MAX_LEVELS; l++) {
        int lo = 0, hi = v->nfiles[l];
        while (lo < hi) { /* first file whose largest >= key */
            int mid = (lo + hi) / 2;
            lsm_file_t *f = v->files[l][mid];
            if (lsm_ukey_cmp(f->largest.data, f->largest.len - LSM_IKEY_TRAILER, key, klen) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < v->nfiles[l] && file_may_hold(v->files[l][lo], key, klen))
            s = table_get(db, v->files[l][lo], seek, sn, fill, &b, value, err);
    }
    lsm_mem_unref(mem);
    lsm_mem_unref(imm);
    lsm_vers_unref(v);
    if (seek != stackbuf)
        free(seek);
    if (s != RDB_OK)
        return s;
    if (!b.found)
        return RDB_NOTFOUND;
    if (version)
        *version = b.ver;
    if (is_tombstone)
        *is_tombstone = b.kind == LSM_KIND_DELETE;
    return RDB_OK;
}

rdb_status_t lsm_get(lsm_db_t *db, const lsm_read_options_t *ro, const void *key, size_t klen,
                     rdb_buf_t *value, lsm_version_t *version, rdb_err_t *err)
{
    bool tomb = false;
    lsm_version_t v;
    rdb_status_t s = lsm_get_versioned(db, ro, key, klen, value, &v, &tomb, err);
    if (s != RDB_OK)
        return s;
    if (tomb) {
        if (value)
            rdb_buf_reset(value);
        return RDB_NOTFOUND;
    }
    if (version)
        *version = v;
    return RDB_OK;
}

/* --- many point reads ------------------------------------------------------ */

/* Where a key's best version so far came from: a memtable (its bytes,
 * live while the memtable is pinned) or a table (copied into vals). */
typedef struct many_best {
    best_t b;
    const char *mval;     /* memtable value, or NULL */
    size_t voff, vlen;
} many_best_t;

static void many_mem(lsm_mem_t *m, const char *seek, size_t sn, many_best_t *mb)
{
    const char *k, *val;
    size_t kn, vn;
    if (!m || !lsm_mem_seek(m, seek, sn, &k, &kn, &val, &vn) ||
        lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, seek, sn - LSM_IKEY_TRAILER) != 0)
        return;
    lsm_version_t v = lsm_ikey_version(k, kn);
    if (!mb->b.found || lsm_version_cmp(v, mb->b.ver) > 0) {
        mb->b = (best_t){ true, lsm_ikey_kind(k, kn), v };
        mb->mval = val;
        mb->vlen = vn;
    }
}

static void many_probe(lsm_table_probe_t *p, lsm_table_t *t, int key, char *const *seeks,
                       const size_t *sns, const many_best_t *mb)
{
    p->t = t;
    p->seek = seeks[key];
    p->sn = sns[key];
    p->has_newer = mb[key].b.found;
    p->newer = mb[key].b.ver;
    p->key = key;
}

static rdb_status_t many_run(lsm_db_t *db, lsm_table_probe_t *pr, int np, bool fill, many_best_t *mb,
                             rdb_buf_t *vals, rdb_err_t *err)
{
    if (np == 0)
        return RDB_OK;
    rdb_status_t s = lsm_table_get_many(pr, np, fill, vals, err);
    if (s != RDB_OK)
        return s;
    for (int j = 0; j < np; j++) {
        lsm_table_probe_t *p = &pr[j];
        many_best_t *b = &mb[p->key];
        if (p->bloom_skip)
            db->bloom_useful++;
        if (p->found && (!b->b.found || lsm_version_cmp(p->ver, b->b.ver) > 0)) {
            b->b = (best_t){ true, p->kind, p->ver };
            b->mval = NULL;
            b->voff = p->voff;
            b->vlen = p->vlen;
        }
    }
    return RDB_OK;
}

rdb_status_t lsm_get_many(lsm_db_t *db, const lsm_read_options_t *ro, int n, const void *const *keys,
                          const size_t *klens, lsm_get_result_t *res, rdb_buf_t *vals, rdb_err_t *err)
{
    for (int i = 0; i < n; i++)
        if (klens[i] > LSM_MAX_KEY_SIZE)
            return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                               "key of %zu bytes exceeds the maximum of %u", klens[i], LSM_MAX_KEY_SIZE);
    if (n <= 0)
        return RDB_OK;
    uint64_t snap = ro ? ro->snapshot : LSM_SNAPSHOT_LATEST;
    bool fill = ro ? ro->fill_cache : true;
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += klens[i] + LSM_IKEY_TRAILER;
    char *buf = rdb_malloc(total);
    char **seeks = rdb_malloc(sizeof(*seeks) * (size_t)n);
    size_t *sns = rdb_malloc(sizeof(*sns) * (size_t)n);
    many_best_t *mb = rdb_calloc((size_t)n, sizeof(*mb));
    lsm_table_probe_t *pr = rdb_malloc(sizeof(*pr) * (size_t)n);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        seeks[i] = buf + at;
        sns[i] = klens[i] + LSM_IKEY_TRAILER;
        lsm_ikey_seek(seeks[i], keys[i], klens[i], snap);
        at += sns[i];
    }
    lsm_mem_t *mem, *imm;
    lsm_vers_t *v;
    lsm_db_pin(db, &mem, &imm, &v);
    for (int i = 0; i < n; i++) {
        many_mem(mem, seeks[i], sns[i], &mb[i]);
        many_mem(imm, seeks[i], sns[i], &mb[i]);
    }
    rdb_status_t s = RDB_OK;
    /* level 0: every file whose key range holds the key */
    for (int f = 0; s == RDB_OK && f < v->nfiles[0]; f++) {
        lsm_file_t *file = v->files[0][f];
        lsm_table_t *t = NULL;
        int np = 0;
        for (int i = 0; i < n; i++) {
            if (!file_may_hold(file, keys[i], klens[i]))
                continue;
            if (!t && (s = lsm_tcache_get(db->tcache, file->number, &t, err)) != RDB_OK)
                break;
            many_probe(&pr[np++], t, i, seeks, sns, mb);
        }
        if (s == RDB_OK)
            s = many_run(db, pr, np, fill, mb, vals, err);
        if (t)
            lsm_table_unref(t);
    }
    /* deeper levels: the one file per key whose range may hold it */
    for (int l = 1; s == RDB_OK && l < LSM_MAX_LEVELS; l++) {
        int nf = v->nfiles[l];
        if (nf == 0)
            continue;
        lsm_table_t **tabs = rdb_calloc((size_t)nf, sizeof(*tabs));
        int np = 0;
        for (int i = 0; s == RDB_OK && i < n; i++) {
            int lo = 0, hi = nf;
            while (lo < hi) { /* first file whose largest >= key */
                int mid = (lo + hi) / 2;
                lsm_file_t *f = v->files[l][mid];
                if (lsm_ukey_cmp(f->largest.data, f->largest.len - LSM_IKEY_TRAILER, keys[i], klens[i]) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo >= nf || !file_may_hold(v->files[l][lo], keys[i], klens[i]))
                continue;
            if (!tabs[lo] && (s = lsm_tcache_get(db->tcache, v->files[l][lo]->number, &tabs[lo], err)) != RDB_OK)
                break;
            many_probe(&pr[np++], tabs[lo], i, seeks, sns, mb);
        }
        if (s == RDB_OK)
            s = many_run(db, pr, np, fill, mb, vals, err);
        for (int f = 0; f < nf; f++)
            if (tabs[f])
                lsm_table_unref(tabs[f]);
        free(tabs);
    }
    if (s == RDB_OK)
        for (int i = 0; i < n; i++) {
            many_best_t *b = &mb[i];
            res[i].found = b->b.found && b->b.kind != LSM_KIND_DELETE;
            res[i].voff = res[i].vlen = 0;
            if (!res[i].found)
                continue;
            if (b->mval) {
                res[i].voff = vals->len;
                rdb_buf_append(vals, b->mval, b->vlen);
            } else {
                res[i].voff = b->voff;
            }
            res[i].vlen = b->vlen;
        }
    lsm_mem_unref(mem);
    lsm_mem_unref(imm);
    lsm_vers_unref(v);
    free(buf);
    free(seeks);
    free(sns);
    free(mb);
    free(pr);
    return s;
}

/* A memtable's bytes (keys and values) for user keys in [sk's, end): a
 * walk of that range (a memtable is bounded by memtable_size); the whole
 * memtable's usage when the range is unbounded. */
static uint64_t mem_range_size(lsm_mem_t *m, const char *sk, size_t sklen, const void *end, size_t elen)
{
    if (!m)
        return 0;
    if (!sk && !end)
        return lsm_mem_usage(m);
    lsm_it_t *it = lsm_mem_iter(m);
    if (sk)
        it->ops->seek(it, sk, sklen);
    else
        it->ops->seek_first(it);
    uint64_t n = 0;
    for (; it->ops->valid(it); it->ops->next(it)) {
        size_t kn, vn;
        const char *k = it->ops->key(it, &kn);
        size_t ukn = kn - LSM_IKEY_TRAILER;
        if (end) {
            int c = memcmp(k, end, ukn < elen ? ukn : elen);
            if (c > 0 || (c == 0 && ukn >= elen))
                break;
        }
        (void)it->ops->value(it, &vn);
        n += kn + vn;
    }
    it->ops->free(it);
    return n;
}

uint64_t lsm_approximate_size(lsm_db_t *db, const void *start, size_t slen, const void *end,
                              size_t elen)
{
    lsm_mem_t *mem, *imm;
    lsm_vers_t *v;
    lsm_db_pin(db, &mem, &imm, &v);
    char *sk = start ? rdb_malloc(slen + LSM_IKEY_TRAILER) : NULL;
    char *ek = end ? rdb_malloc(elen + LSM_IKEY_TRAILER) : NULL;
    if (sk)
        lsm_ikey_seek(sk, start, slen, LSM_SNAPSHOT_LATEST);
    uint64_t total = mem_range_size(mem, sk, sk ? slen + LSM_IKEY_TRAILER : 0, end, elen) +
                     mem_range_size(imm, sk, sk ? slen + LSM_IKEY_TRAILER : 0, end, elen);
    if (ek)
        lsm_ikey_seek(ek, end, elen, LSM_SNAPSHOT_LATEST);
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        for (int i = 0; i < v->nfiles[l]; i++) {
            lsm_file_t *f = v->files[l][i];
            lsm_table_t *t;
            if (lsm_tcache_get(db->tcache, f->number, &t, NULL) != RDB_OK) {
                total += f->size; /* cannot look inside: count all of it */
                continue;
            }
            uint64_t a = sk ? lsm_table_offset_of(t, sk, slen + LSM_IKEY_TRAILER) : 0;
            uint64_t b = ek ? lsm_table_offset_of(t, ek, elen + LSM_IKEY_TRAILER) : f->size;
            lsm_table_unref(t);
            if (b > a)
                total += b - a;
        }
    free(sk);
    free(ek);
    lsm_mem_unref(mem);
    lsm_mem_unref(imm);
    lsm_vers_unref(v);
    return total;
}

/* --- open / close --------------------------------------------------------- */

typedef struct replay {
    lsm_mem_t *mem;
    const char *path;
    uint64_t log_number;           /* segments below it were flushed      */
    uint64_t prev_number, prev_end; /* the segment replayed before (0: none) */
    bool discard;                  /* the segment before lost its tail    */
} replay_t;

static rdb_status_t replay_rec(void *arg, const char *rec, size_t n, uint64_t off, rdb_err_t *err)
{
    replay_t *r = arg;
    if (n == WAL_MARK_LEN && rdb_get_u32_le(rec) == WAL_MARK_TAG) {
        /* the segment it names is needed (not flushed) but missing, or
         * shorter than when this one began: its lost records must not
         * come back without it, nor what follows them */
        uint64_t num = rdb_get_u64_le(rec + 4), len = rdb_get_u64_le(rec + 12);
        if (num >= r->log_number && (num != r->prev_number || r->prev_end < len))
            r->discard = true;
        return RDB_OK;
    }
    if (r->discard)
        return RDB_OK;
    ins_ctx_t c = { r->mem, RDB_BUF_INIT };
    rdb_status_t s = lsm_batch_iterate(rec, n, ins_one, &c, err);
    rdb_buf_free(&c.key);
    if (s != RDB_OK)
        rdb_err_prefix(err, "\"%s\" at offset %llu", r->path, (unsigned long long)off);
    return s;
}

typedef struct mf_ctx {
    lsm_db_t *db;
} mf_ctx_t;

static rdb_status_t manifest_rec(void *arg, const char *rec, size_t n, uint64_t off,
                                 rdb_err_t *err)
{
    lsm_db_t *db = ((mf_ctx_t *)arg)->db;
    lsm_edit_t *e = rdb_calloc(1, sizeof(*e));
    rdb_status_t s = lsm_edit_decode(e, rec, n, err);
    if (s == RDB_OK) {
        if (e->has_log)
            db->log_number = e->log_number;
        if (e->has_next && e->next_file > db->next_file)
            db->next_file = e->next_file;
        lsm_vers_t *v = lsm_vers_apply(db->cur, e);
        lsm_vers_unref(db->cur);
        db->cur = v;
        for (int i = 0; i < e->nadd; i++) {
            file_owned(db, e->add[i].f);
            lsm_file_unref(e->add[i].f);
        }
    } else {
        rdb_err_prefix(err, "manifest record at offset %llu", (unsigned long long)off);
    }
    free(e);
    return s;
}

static rdb_status_t recover(lsm_db_t *db, rdb_err_t *err)
{
    size_t pn = strlen(db->dir) + 80;
    char *p = rdb_malloc(pn);
    snprintf(p, pn, "%s/CURRENT", db->dir);
    FILE *f = fopen(p, "r");
    rdb_status_t s = RDB_OK;
    db->cur = lsm_vers_new();
    db->next_file = 1;
    if (f) {
        char name[128] = "";
        if (!fgets(name, sizeof name, f) || strncmp(name, "MANIFEST-", 9) != 0) {
            s = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                            "\"%s\" at offset 0: does not name a manifest", p);
        }
        fclose(f);
        if (s == RDB_OK) {
            name[strcspn(name, "\r\n")] = 0;
            if (db->o.error_if_exists)
                s = rdb_err_set(err, RDB_INVALID, NULL, "database \"%s\" already exists", db->dir);
        }
        if (s == RDB_OK) {
            snprintf(p, pn, "%s/%s", db->dir, name);
            mf_ctx_t c = { db };
            bool torn;
            s = lsm_log_read(p, manifest_rec, &c, &torn, NULL, err);
        }
        /* open every table once (footer, index, filter verified); the
         * table cache keeps the last max_open_files of them open */
        for (int l = 0; s == RDB_OK && l < LSM_MAX_LEVELS; l++)
            for (int i = 0; s == RDB_OK && i < db->cur->nfiles[l]; i++) {
                lsm_table_t *t;
                s = lsm_tcache_get(db->tcache, db->cur->files[l][i]->number, &t, err);
                if (s == RDB_OK)
                    lsm_table_unref(t);
            }
    } else if (errno != ENOENT) {
        s = rdb_err_set(err, RDB_IOERROR, NULL, "could not open \"%s\": %s", p, strerror(errno));
    } else if (!db->o.create_if_missing) {
        s = rdb_err_set(err, RDB_INVALID, NULL, "database \"%s\" does not exist", db->dir);
    }
    free(p);
    if (s != RDB_OK)
        return s;
    /* replay WAL segments >= log_number, oldest first */
    uint64_t *logs = NULL;
    size_t nlogs = 0, cap = 0;
    DIR *d = opendir(db->dir);
    if (!d)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not list \"%s\": %s", db->dir,
                           strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t num;
        char ext[16];
        if (sscanf(de->d_name, "%" SCNu64 ".%15s", &num, ext) == 2) {
            if (num >= db->next_file)
                db->next_file = num + 1;
            if (strcmp(ext, "log") == 0 && num >= db->log_number) {
                if (nlogs == cap) {
                    cap = cap ? cap * 2 : 8;
                    logs = rdb_realloc(logs, cap * sizeof(*logs));
                }
                logs[nlogs++] = num;
            }
        }
    }
    closedir(d);
    if (nlogs)
        qsort(logs, nlogs, sizeof(*logs), cmp_u64);
    /* A crash keeps a prefix of the WAL: after a segment that ends torn,
     * or one shorter than its successor's marker says, the later segments
     * are ignored (no write in them was acknowledged as durable: wal_sync
     * syncs a segment only after the one before it). */
    lsm_mem_t *m = lsm_mem_new();
    bool cut = false;
    uint64_t prev_number = 0, prev_end = 0;
    for (size_t i = 0; s == RDB_OK && i < nlogs; i++) {
        char *lp = file_path(db, logs[i], "log");
        if (cut) {
            struct stat st;
            if (stat(lp, &st) == 0 && st.st_size > 0) /* not one created ahead */
                rdb_logger_log(db->o.logger, RDB_LOG_LEVEL_WARN, "lsm",
                               "ignoring \"%s\": an earlier WAL segment lost its tail", lp);
            free(lp);
            continue;
        }
        replay_t r = { m, lp, db->log_number, prev_number, prev_end, false };
        bool torn;
        uint64_t end = 0;
        s = lsm_log_read(lp, replay_rec, &r, &torn, &end, err);
        if (r.discard)
            rdb_logger_log(db->o.logger, RDB_LOG_LEVEL_WARN, "lsm",
                           "ignoring \"%s\": the WAL segment before it lost its tail", lp);
        else if (torn)
            rdb_logger_log(db->o.logger, RDB_LOG_LEVEL_WARN, "lsm", "ignoring torn tail of \"%s\"", lp);
        cut = r.discard || torn;
        prev_number = logs[i];
        prev_end = end;
        free(lp);
    }
    free(logs);
    pthread_mutex_lock(&db->mu);
    lsm_edit_t *e = rdb_calloc(1, sizeof(*e));
    if (s == RDB_OK && lsm_mem_count(m) > 0)
        s = flush_mem(db, m, e, err);
    lsm_mem_unref(m);
    if (s == RDB_OK) {
        db->wal_number = db->next_file++;
        db->log_number = db->wal_number;
        lsm_vers_t *v = lsm_vers_apply(db->cur, e);
        lsm_vers_unref(db->cur);
        db->cur = v;
        db->manifest.fd = -1;
        s = new_manifest(db, err);
    }
    for (int i = 0; i < e->nadd; i++)
        lsm_file_unref(e->add[i].f);
    free(e);
    if (s == RDB_OK) {
        char *wp = file_path(db, db->wal_number, "log");
        s = lsm_log_create(&db->wal, wp, err);
        free(wp);
    }
    if (s == RDB_OK)
        wal_prepare(db);
    if (s == RDB_OK)
        lsm_db_delete_obsolete(db);
    pthread_mutex_unlock(&db->mu);
    return s;
}

rdb_status_t lsm_open(const char *dir, const lsm_options_t *opts, lsm_db_t **out, rdb_err_t *err)
{
    lsm_options_t o;
    if (opts)
        o = *opts;
    else
        lsm_options_default(&o);
    if (o.block_size < 256)
        o.block_size = 256;
    if (o.memtable_size < 4096)
        o.memtable_size = 4096;
    if (o.l0_slowdown_trigger <= 0)
        o.l0_slowdown_trigger = 8;
    if (o.l0_stop_trigger <= 0)
        o.l0_stop_trigger = 12;
    if (o.target_file_size < 1024)
        o.target_file_size = 1024;
    if (o.l0_stop_trigger < o.l0_slowdown_trigger)
        o.l0_stop_trigger = o.l0_slowdown_trigger;
    if (!o.logger)
        o.logger = rdb_logger_default();
    if (o.max_open_files <= 0)
        o.max_open_files = 1000;
    if (o.compaction_threads <= 0)
        o.compaction_threads = 1;
    if (o.compaction_threads > 16)
        o.compaction_threads = 16;
    if (o.compression > LSM_COMPRESS_ZSTD)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "unknown compression %d", (int)o.compression);
    if (o.env)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "custom lsm_env is not supported");
    if (o.create_if_missing && mkdir(dir, 0755) != 0 && errno != EEXIST)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not create directory \"%s\": %s", dir,
                           strerror(errno));
    lsm_db_t *db = rdb_calloc(1, sizeof(*db));
    rdb_err_t e0 = RDB_ERR_INIT;
    db->bg_err = e0;
    db->dir = rdb_strdup(dir);
    db->o = o;
    db->wal.fd = -1;
    db->next_wal.fd = -1;
    db->prev_wal.fd = -1;
    db->manifest.fd = -1;
    db->pending_from = UINT64_MAX;
    pthread_mutex_init(&db->mu, NULL);
    pthread_rwlock_init(&db->drop_mu, NULL);
    pthread_cond_init(&db->bg_cv, NULL);
    pthread_cond_init(&db->done_cv, NULL);
    pthread_cond_init(&db->commit_cv, NULL);
    pthread_cond_init(&db->sync_cv, NULL);
    pthread_cond_init(&db->sq_cv, NULL);
    pthread_cond_init(&db->manifest_cv, NULL);
    if (o.sync_period_ms <= 0)
        o.sync_period_ms = 100;
    db->o.sync_period_ms = o.sync_period_ms;
    size_t pn = strlen(dir) + 8;
    char *lp = rdb_malloc(pn);
    snprintf(lp, pn, "%s/LOCK", dir);
    db->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    rdb_status_t s = RDB_OK;
    if (db->lock_fd < 0)
        s = rdb_err_set(err, RDB_IOERROR, NULL, "could not open \"%s\": %s", lp, strerror(errno));
    else if (flock(db->lock_fd, LOCK_EX | LOCK_NB) != 0)
        s = rdb_err_set(err, RDB_BUSY, RDB_SQLSTATE_UNAVAILABLE,
                        "database \"%s\" is locked by another process (\"%s\")", dir, lp);
    free(lp);
    if (s != RDB_OK) {
        if (db->lock_fd >= 0)
            close(db->lock_fd);
        free(db->dir);
        free(db);
        return s;
    }
    db->cache = lsm_cache_new(o.block_cache_size);
    db->tcache = lsm_tcache_new(dir, o.max_open_files, db->cache, &db->cache_hits,
                                &db->cache_misses);
    db->mem = lsm_mem_new();
    s = recover(db, err);
    db->opened = s == RDB_OK;
    db->bg = rdb_calloc((size_t)o.compaction_threads, sizeof(pthread_t));
    for (int i = 0; s == RDB_OK && i < o.compaction_threads; i++) {
        if (pthread_create(&db->bg[i], NULL, bg_main, db) == 0) {
            pthread_setname_np(db->bg[i], "lsm-bg"); /* for top, perf */
            db->nbg++;
        }
        else
            s = rdb_err_set(err, RDB_IOERROR, NULL, "could not start the lsm background thread");
    }
    if (s == RDB_OK && o.sync_mode == LSM_SYNC_PERIODIC) {
        if (pthread_create(&db->syncer, NULL, syncer_main, db) == 0)
            db->has_syncer = true;
        else
            s = rdb_err_set(err, RDB_IOERROR, NULL, "could not start the lsm sync thread");
    }
    if (s != RDB_OK && db->nbg) {
        pthread_mutex_lock(&db->mu);
        db->shutting_down = true;
        pthread_cond_broadcast(&db->bg_cv);
        pthread_mutex_unlock(&db->mu);
        for (int i = 0; i < db->nbg; i++)
            pthread_join(db->bg[i], NULL);
    }
    if (s != RDB_OK) {
        lsm_mem_unref(db->mem);
        lsm_vers_unref(db->cur);
        lsm_log_close(&db->wal);
        lsm_log_close(&db->next_wal);
        lsm_log_close(&db->manifest);
        lsm_tcache_free(db->tcache);
        lsm_cache_free(db->cache);
        free(db->bg);
        close(db->lock_fd);
        free(db->dir);
        free(db);
        return s;
    }
    *out = db;
    return RDB_OK;
}

void lsm_close(lsm_db_t *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&db->mu);
    db->shutting_down = true;
    pthread_cond_broadcast(&db->bg_cv);
    pthread_cond_signal(&db->sync_cv);
    pthread_mutex_unlock(&db->mu);
    for (int i = 0; i < db->nbg; i++)
        pthread_join(db->bg[i], NULL);
    free(db->bg);
    if (db->has_syncer)
        pthread_join(db->syncer, NULL);
    if (db->o.sync_mode != LSM_SYNC_NONE) {
        if (db->prev_wal.fd >= 0 && !db->prev_synced)
            lsm_log_sync(&db->prev_wal, NULL);
        lsm_log_sync(&db->wal, NULL);
    }
    lsm_log_close(&db->prev_wal);
    lsm_log_close(&db->wal);
    lsm_log_close(&db->next_wal);
    lsm_log_close(&db->manifest);
    lsm_mem_unref(db->mem);
    lsm_mem_unref(db->imm);
    lsm_vers_unref(db->cur);
    lsm_tcache_free(db->tcache);
    lsm_cache_free(db->cache);
    rdb_buf_free(&db->group);
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        rdb_buf_free(&db->compact_ptr[l]);
    lsm_compact_free_running(db);
    rdb_err_clear(&db->bg_err);
    close(db->lock_fd);
    pthread_mutex_destroy(&db->mu);
    pthread_rwlock_destroy(&db->drop_mu);
    pthread_cond_destroy(&db->bg_cv);
    pthread_cond_destroy(&db->done_cv);
    pthread_cond_destroy(&db->commit_cv);
    pthread_cond_destroy(&db->sync_cv);
    pthread_cond_destroy(&db->sq_cv);
    pthread_cond_destroy(&db->manifest_cv);
    free(db->dir);
    free(db);
}

/* --- statistics ----------------------------------------------------------- */

void lsm_get_stats(lsm_db_t *db, lsm_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&db->mu);
    for (int l = 0; l < LSM_MAX_LEVELS; l++) {
        st->level_files[l] = db->cur->nfiles[l];
        for (int i = 0; i < db->cur->nfiles[l]; i++)
            st->level_bytes[l] += db->cur->files[l][i]->size;
    }
    st->memtable_bytes = lsm_mem_usage(db->mem) + (db->imm ? lsm_mem_usage(db->imm) : 0);
    st->write_slowdowns = db->slowdowns;
    st->write_stalls = db->stalls;
    st->stall_micros = db->stall_micros;
    st->compactions = db->compactions;
    st->compactions_parallel_max = db->max_running;
    st->compaction_bytes_read = db->cbytes_read;
    st->compaction_bytes_written = db->cbytes_written;
    st->flushes = db->flushes;
    st->wal_bytes = db->wal_bytes;
    st->wal_syncs = db->wal_syncs;
    st->writes = db->writes;
    st->sync_groups = db->sync_groups;
    st->sync_queued = db->sq_len;
    st->sync_micros = db->sync_micros;
    st->gather_micros = db->gather_micros;
    pthread_mutex_unlock(&db->mu);
    st->block_cache_bytes = lsm_cache_usage(db->cache);
    st->block_cache_capacity = lsm_cache_capacity(db->cache);
    st->block_cache_hits = __atomic_load_n(&db->cache_hits, __ATOMIC_RELAXED);
    st->block_cache_misses = __atomic_load_n(&db->cache_misses, __ATOMIC_RELAXED);
    size_t tbytes, tbudget;
    lsm_tcache_counts(db->tcache, &st->open_tables, &st->table_opens, &tbytes, &tbudget);
    st->table_meta_bytes = tbytes;
    st->table_meta_budget = tbudget;
    st->block_cache_charged = lsm_cache_charged(db->cache);
    st->bloom_useful = db->bloom_useful;
}

void lsm_stats_format(const lsm_stats_t *st, rdb_buf_t *out)
{
    rdb_buf_printf(out, "level  files        bytes\n");
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        if (st->level_files[l] || l < 2)
            rdb_buf_printf(out, "L%-5d %5d %12" PRIu64 "\n", l, st->level_files[l],
                           st->level_bytes[l]);
    rdb_buf_printf(out, "memtable bytes: %" PRIu64 "\n", st->memtable_bytes);
    rdb_buf_printf(out, "block cache: %" PRIu64 "/%" PRIu64 " bytes, %" PRIu64 " hits, %" PRIu64
                        " misses\n",
                   st->block_cache_bytes, st->block_cache_capacity, st->block_cache_hits,
                   st->block_cache_misses);
    rdb_buf_printf(out, "bloom filter skips: %" PRIu64 "\n", st->bloom_useful);
    rdb_buf_printf(out, "open tables: %d (opened %" PRIu64 " times), holding %" PRIu64
                        " bytes of index, filter and summary (budget %" PRIu64
                        "; charged to the block cache: %" PRIu64 ")\n",
                   st->open_tables, st->table_opens, st->table_meta_bytes,
                   st->table_meta_budget, st->block_cache_charged);
    rdb_buf_printf(out, "writes: %" PRIu64 ", wal bytes: %" PRIu64 ", wal syncs: %" PRIu64 "\n",
                   st->writes, st->wal_bytes, st->wal_syncs);
    if (st->sync_groups)
        rdb_buf_printf(out,
                       "synced groups: %" PRIu64 ", %" PRIu64 " us in their fdatasyncs, %" PRIu64
                       " us gathering\n",
                       st->sync_groups, st->sync_micros, st->gather_micros);
    rdb_buf_printf(out, "stalls: %" PRIu64 " slowdowns, %" PRIu64 " stops, %" PRIu64 " us\n",
                   st->write_slowdowns, st->write_stalls, st->stall_micros);
    rdb_buf_printf(out, "flushes: %" PRIu64 ", compactions: %" PRIu64 " (read %" PRIu64
                        " bytes, wrote %" PRIu64 " bytes, at most %d at once)\n",
                   st->flushes, st->compactions, st->compaction_bytes_read,
                   st->compaction_bytes_written, st->compactions_parallel_max);
}
