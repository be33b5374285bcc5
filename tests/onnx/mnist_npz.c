/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mnist_npz.c: the ONNX model zoo's MNIST (CNTK, opset 1) through tinyaot on its own test data.
 *   mnist_npz TINYAOT MODEL CASE.npz REF.bin [CASE.npz REF.bin]...
 * Each .npz (a zip of stored .npy arrays, as numpy.savez writes them) holds `inputs` (the
 * 28x28 image, any integer or float type) and `outputs` (the label, one-hot). The image is
 * converted to float32 [1,1,28,28] and run with `tinyaot run` on the host (the generated
 * code). Every one of the 10 scores must be within |err| <= REL_TOL * max_j |ref_j| of REF.bin
 * (the scores PyTorch computes from the same ONNX graph: tools/onnx/mnist_reference.py), and
 * the arg-max must be the label. Exit 0 pass, 1 fail, 77 (skip) when MODEL is absent.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The scores (up to ~6,400 in magnitude) are sums of float products in which large terms
 * cancel (a score of 128 next to one of 4,450), and tinyaot's kernels and PyTorch's add them
 * in different orders: the error is relative to the scale of the whole output, the largest
 * |score|, not to each score. Measured over the 30 scores: |err| <= 2.5e-3, at most 3.8e-7 of
 * the largest |score| (3 float32 ulps at that scale); 4e-6 leaves 10x margin for another host
 * compiler's rounding. */
#define REL_TOL 4e-6

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const unsigned char *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

/* The stored (uncompressed) member `name` of a zip file; NULL if absent or compressed. */
static const unsigned char *zip_member(const unsigned char *z, size_t len, const char *name,
                                       size_t *size) {
  size_t pos = 0;
  const size_t nlen = strlen(name);
  while (pos + 30 <= len && le32(z + pos) == 0x04034b50u) {
    const uint16_t method = le16(z + pos + 8);
    const uint32_t csize = le32(z + pos + 18);
    const uint16_t fn = le16(z + pos + 26), extra = le16(z + pos + 28);
    const size_t data = pos + 30 + fn + extra;
    if (data > len || csize > len - data)
      return NULL;
    if (fn == nlen && memcmp(z + pos + 30, name, nlen) == 0) {
      if (method != 0)
        return NULL;
      *size = csize;
      return z + data;
    }
    pos = data + csize;
  }
  return NULL;
}

/* A .npy array as doubles: descr '<i4', '<i8', '<f4', '<f8' or '|u1'. */
static double *npy_values(const unsigned char *p, size_t len, size_t *n) {
  if (len < 10 || memcmp(p, "\x93NUMPY", 6) != 0)
    return NULL;
  const size_t hlen = p[6] == 1 ? le16(p + 8) : le32(p + 8);
  const size_t hstart = p[6] == 1 ? 10 : 12;
  if (hstart + hlen > len)
    return NULL;
  char header[512];
  snprintf(header, sizeof header, "%.*s", (int)(hlen < 511 ? hlen : 511), (const char *)p + hstart);
  const char *d = strstr(header, "'descr': '");
  if (!d || strstr(header, "'fortran_order': True"))
    return NULL;
  d += 10;
  size_t es;
  char kind;
  if (!strncmp(d, "<i4", 3))
    kind = 'i', es = 4;
  else if (!strncmp(d, "<i8", 3))
    kind = 'i', es = 8;
  else if (!strncmp(d, "<f4", 3))
    kind = 'f', es = 4;
  else if (!strncmp(d, "<f8", 3))
    kind = 'f', es = 8;
  else if (!strncmp(d, "|u1", 3))
    kind = 'u', es = 1;
  else
    return NULL;
  const size_t body = hstart + hlen;
  *n = (len - body) / es;
  double *v = malloc((*n ? *n : 1) * sizeof *v);
  if (!v)
    return NULL;
  for (size_t i = 0; i < *n; i++) {
    const unsigned char *e = p + body + i * es;
    if (kind == 'u')
      v[i] = e[0];
    else if (kind == 'i' && es == 4)
      v[i] = (int32_t)le32(e);
    else if (kind == 'i') {
      int64_t x;
      memcpy(&x, e, 8);
      v[i] = (double)x;
    } else if (es == 4) {
      float f;
      memcpy(&f, e, 4);
      v[i] = f;
    } else {
      memcpy(&v[i], e, 8);
    }
  }
  return v;
}

static size_t argmax(const double *v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; i++)
    if (v[i] > v[best])
      best = i;
  return best;
}

static int run(char *const *argv) {
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv) {
  if (argc < 5 || (argc - 3) % 2 != 0) {
    fprintf(stderr, "usage: mnist_npz TINYAOT MODEL CASE.npz REF.bin [CASE.npz REF.bin]...\n");
    return 2;
  }
  if (access(argv[2], R_OK) != 0) {
    printf("SKIP: %s not found (../shared is absent in a fresh clone)\n", argv[2]);
    return 77;
  }
  char tmp[] = "/tmp/mnist-npz-XXXXXX";
  if (!mkdtemp(tmp))
    return 2;
  int pass = 0, fail = 0;
  for (int c = 3; c + 1 < argc; c += 2) {
    size_t zlen, ilen = 0, olen = 0, n_in = 0, n_out = 0;
    unsigned char *z = slurp(argv[c], &zlen);
    const unsigned char *im = z ? zip_member(z, zlen, "inputs.npy", &ilen) : NULL;
    const unsigned char *lb = z ? zip_member(z, zlen, "outputs.npy", &olen) : NULL;
    double *x = im ? npy_values(im, ilen, &n_in) : NULL;
    double *label = lb ? npy_values(lb, olen, &n_out) : NULL;
    if (!x || !label || n_in != 784 || n_out != 10) {
      printf("FAIL %s: cannot read inputs.npy (784 values) and outputs.npy (10)\n", argv[c]);
      fail++;
      free(z), free(x), free(label);
      continue;
    }
    char in_path[256], out_dir[256], out_path[300];
    snprintf(in_path, sizeof in_path, "%s/in_%d.bin", tmp, c);
    snprintf(out_dir, sizeof out_dir, "%s/out_%d", tmp, c);
    snprintf(out_path, sizeof out_path, "%s/output_0.bin", out_dir);
    FILE *f = fopen(in_path, "wb");
    for (size_t i = 0; f && i < n_in; i++) {
      const float v = (float)x[i];
      fwrite(&v, sizeof v, 1, f);
    }
    if (f)
      fclose(f);
    char *rargv[] = {argv[1], "run", argv[2], "--input", in_path, "--output-dir", out_dir, NULL};
    const int code = run(rargv);
    size_t rlen = 0, reflen = 0;
    unsigned char *raw = code == 0 ? slurp(out_path, &rlen) : NULL;
    unsigned char *refraw = slurp(argv[c + 1], &reflen);
    if (!refraw || reflen != 40) {
      printf("FAIL %s: cannot read 10 float32 reference scores from %s\n", argv[c], argv[c + 1]);
      fail++;
    } else if (!raw || rlen != 40) {
      printf("FAIL %s: tinyaot run exited %d, output of %zu bytes\n", argv[c], code, rlen);
      fail++;
    } else {
      double scores[10], ref[10], scale = 0, worst = 0;
      int bad = -1;
      for (int i = 0; i < 10; i++) {
        float s, r;
        memcpy(&s, raw + 4 * i, 4);
        memcpy(&r, refraw + 4 * i, 4);
        scores[i] = s, ref[i] = r;
        scale = fmax(scale, fabs((double)r));
      }
      for (int i = 0; i < 10; i++) {
        const double s = scores[i], r = ref[i];
        const double err = fabs(s - r) / scale;
        if (!(err <= worst))
          worst = err;
        if (!(err <= REL_TOL) && bad < 0) {
          bad = i;
          printf("FAIL %s: score %d is %.9g, the reference %.9g (error %.3g of the largest "
                 "|score| > %g)\n",
                 argv[c], i, s, r, err, REL_TOL);
        }
      }
      const size_t got = argmax(scores, 10), want = argmax(label, 10);
      printf("%s %s: digit %zu, labelled %zu (score %.1f); scores within %.2g of the largest "
             "|score| of %s\n",
             got == want && bad < 0 ? "ok  " : "FAIL", argv[c], got, want, scores[got], worst,
             argv[c + 1]);
      if (got == want && bad < 0)
        pass++;
      else
        fail++;
    }
    free(refraw), free(raw), free(z), free(x), free(label);
  }
  char rm[300];
  snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
  if (system(rm) != 0)
    fprintf(stderr, "could not remove %s\n", tmp);
  printf("mnist: %d passed, %d failed\n", pass, fail);
  return fail == 0 && pass > 0 ? 0 : 1;
}
