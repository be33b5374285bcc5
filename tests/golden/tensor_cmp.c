/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tensor_cmp.c: compare a produced raw tensor with a reference one.
 *   tensor_cmp DTYPE REF OUT [ATOL RTOL]
 * Integer dtypes must be identical bytes. float32 passes when every element satisfies
 * |out - ref| <= 1e-5 * max(1, |ref|) (the bound the golden tests state), or, when ATOL and
 * RTOL are given, |out - ref| <= ATOL + RTOL * |ref| (a test that knows what its kernels
 * deliver, e.g. tests/onnx/gesture.sh). Prints the first bad index with both values and the
 * largest error; exit 0 pass, 1 mismatch, 2 usage/io error. A small main over
 * ta_device_compare, the comparison bench, eval and onnx-test use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_device.h"

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
  if (argc != 4 && argc != 6) {
    fprintf(stderr, "usage: tensor_cmp DTYPE REF OUT [ATOL RTOL]\n");
    return 2;
  }
  const bool own_bound = argc == 6;
  char *end_a = NULL, *end_r = NULL;
  const double atol = own_bound ? strtod(argv[4], &end_a) : 0.0;
  const double rtol = own_bound ? strtod(argv[5], &end_r) : 1e-5;
  if (own_bound &&
      (*end_a || *end_r || end_a == argv[4] || end_r == argv[5] || !(atol >= 0) || !(rtol >= 0))) {
    fprintf(stderr, "tensor_cmp: ATOL and RTOL must be numbers >= 0\n");
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
  /* The comparison of the device library (ta_device_compare), at the golden tests' bound
   * unless the caller gave its own; every element is looked at so the largest error is known. */
  const bool f32 = strcmp(argv[1], "float32") == 0;
  const ta_device_tol tol = {atol, rtol, !own_bound, false, false};
  ta_device_cmp c;
  if (!ta_device_compare(f32 ? TA_DT_F32 : TA_DT_U8, r, o, nr, &tol, &c)) {
    if (f32)
      printf("element %zu: reference %.9g, output %.9g (error %.3g > bound %.3g)\nmax abs error "
             "%.3g\n",
             c.bad_elem, c.want, c.got, c.bad_err, c.bad_bound, c.max_err);
    else
      printf("byte %zu differs: reference 0x%02x, output 0x%02x\n", c.bad_byte, r[c.bad_byte],
             o[c.bad_byte]);
    return 1;
  }
  if (f32)
    printf("float32: %zu elements within bound (max abs error %.3g)\n", c.n_elems, c.max_err);
  else
    printf("%s: %zu bytes identical\n", argv[1], nr);
  free(r);
  free(o);
  return 0;
}
