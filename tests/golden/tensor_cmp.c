/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tensor_cmp.c: compare a produced raw tensor with a reference one.
 *   tensor_cmp DTYPE REF OUT
 * Integer dtypes must be identical bytes. float32 passes when every element satisfies
 * |out - ref| <= 1e-5 * max(1, |ref|) (the bound the golden tests state). Prints the first bad
 * index with both values; exit 0 pass, 1 mismatch, 2 usage/io error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      unsigned char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tensor_cmp DTYPE REF OUT\n");
    return 2;
  }
  size_t nr, no;
  unsigned char *r = slurp(argv[2], &nr), *o = slurp(argv[3], &no);
  if (!r || !o) {
    fprintf(stderr, "tensor_cmp: cannot read %s\n", !r ? argv[2] : argv[3]);
    return 2;
  }
  if (nr != no) {
    printf("size differs: reference %zu bytes, output %zu bytes\n", nr, no);
    return 1;
  }
  if (strcmp(argv[1], "float32") == 0) {
    double worst = 0;
    for (size_t i = 0; i + 4 <= nr; i += 4) {
      float a, b;
      memcpy(&a, r + i, 4);
      memcpy(&b, o + i, 4);
      double err = fabs((double)a - (double)b);
      double bound = 1e-5 * fmax(1.0, fabs((double)a));
      if (!(err <= bound)) {
        printf("element %zu: reference %.9g, output %.9g (error %.3g > bound %.3g)\n", i / 4,
               (double)a, (double)b, err, bound);
        return 1;
      }
      if (err > worst)
        worst = err;
    }
    printf("float32: %zu elements within bound (max abs error %.3g)\n", nr / 4, worst);
  } else {
    for (size_t i = 0; i < nr; i++)
      if (r[i] != o[i]) {
        printf("byte %zu differs: reference 0x%02x, output 0x%02x\n", i, r[i], o[i]);
        return 1;
      }
    printf("%s: %zu bytes identical\n", argv[1], nr);
  }
  free(r);
  free(o);
  return 0;
}
