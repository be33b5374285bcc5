/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_main.c: the main() of a fuzz target built without libFuzzer (the normal gcc build):
 * runs LLVMFuzzerTestOneInput once on every file named, or found in a directory named, so the
 * regression corpus and the seed corpus run in `make test` under the normal (and the ASan)
 * build. A crash or a broken property aborts, naming the file on stderr first.
 *   fuzz_X_replay FILE_OR_DIR...
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int n_files;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  size_t cap = 1 << 16, len = 0, n;
  uint8_t *buf = malloc(cap);
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap *= 2);
      if (!nb)
        free(buf);
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "replay: out of memory reading %s\n", path);
    return 1;
  }
  /* An exact-size copy, so ASan catches a read one byte past the input. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return 1;
  }
  memcpy(exact, buf, len);
  fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(exact, len);
  /* As libFuzzer: the input is const, the compiler must not write into the model's bytes. */
  if (len && memcmp(exact, buf, len) != 0)
    fuzz_fail("the target overwrote its const input", path);
  free(buf);
  free(exact);
  n_files++;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  if (!S_ISDIR(sb.st_mode))
    return run_file(path);
  DIR *d = opendir(path);
  if (!d)
    return 1;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
      if (!nn)
        break;
      names = nn;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, cmp_str);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, names[i]);
    rc |= names[i] ? run_path(p) : 1;
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  int rc = 0;
  for (int i = 1; i < argc; i++)
    rc |= run_path(argv[i]);
  printf("replay: %d inputs, no crash\n", n_files);
  return rc;
}
