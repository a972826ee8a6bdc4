/*
 * standalone.c — a driver for the fuzz targets when libFuzzer is not
 * available (gcc builds): runs every seed file given on the command line,
 * then a bounded number of deterministic random mutations of them, so the
 * targets' invariants are exercised under ASan/UBSan in every build.
 *
 *   fuzz_x_standalone [-runs=N] SEED_DIR_OR_FILE...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct { uint8_t *p; size_t n; } input_t;
static input_t *seeds;
static size_t nseeds;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint8_t *p = malloc(65536);
    size_t n = fread(p, 1, 65536, f);
    fclose(f);
    seeds = realloc(seeds, sizeof *seeds * (nseeds + 1));
    seeds[nseeds].p = p;
    seeds[nseeds++].n = n;
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        add_file(full);
    }
    if (d)
        closedir(d);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    long runs = 20000;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-runs=", 6) == 0)
            runs = atol(argv[i] + 6);
        else if (argv[i][0] != '-')
            add_path(argv[i]);
    }
    if (nseeds == 0) {
        fprintf(stderr, "no seed inputs\n");
        return 2;
    }
    for (size_t i = 0; i < nseeds; i++)
        LLVMFuzzerTestOneInput(seeds[i].p, seeds[i].n);
    uint8_t *buf = malloc(70000);
    for (long r = 0; r < runs; r++) {
        input_t *s = &seeds[next() % nseeds];
        size_t n = s->n;
        memcpy(buf, s->p, n);
        int muts = 1 + (int)(next() % 8);
        for (int m = 0; m < muts; m++) {
            uint64_t k = next();
            size_t pos = n ? (size_t)(next() % n) : 0;
            switch (k % 5) {
            case 0: if (n) buf[pos] = (uint8_t)next(); break;                 /* replace */
            case 1: if (n) buf[pos] ^= (uint8_t)(1u << (next() % 8)); break;  /* bit flip */
            case 2: if (n) n = pos; break;                                     /* truncate */
            case 3: if (n < 65536) { memmove(buf + pos + 1, buf + pos, n - pos); /* insert */
                        buf[pos] = (uint8_t)"\0,=\n \"/:$pnrc"[next() % 14]; n++; } break;
            case 4: if (n) { memmove(buf + pos, buf + pos + 1, n - pos - 1); n--; } break; /* delete */
            }
        }
        uint8_t *copy = malloc(n ? n : 1);   /* exact size so ASan sees overreads */
        memcpy(copy, buf, n);
        LLVMFuzzerTestOneInput(copy, n);
        free(copy);
    }
    free(buf);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i].p);
    free(seeds);
    printf("%zu seeds, %ld mutated runs: ok\n", nseeds, runs);
    return 0;
}
