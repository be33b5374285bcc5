/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_alloc_fail.c: allocation failure, walked over a whole compile.
 *
 * A counting allocator hook (ta_ctx_init's alloc) first counts the allocations of one complete
 * compile (read the file, check, prepare, plan, emit the C library in memory), then the
 * compile is repeated once per allocation with exactly that allocation failing. Every run must
 * end in a clean error: TA_ERR_LIMIT, an "out of memory" message, and after ta_ctx_free no
 * block of the hook still live (the hook counts them; LeakSanitizer checks the rest in the
 * ASan build). A crash (usually a NULL dereference after a failed allocation) fails the test.
 *
 * Models: always a model built here with tflbuild (a KWS-like int8 network, so the walk runs
 * in a fresh clone too); with --shared, only kws_dscnn_int8 from $TA_SHARED_DIR/models/tflite
 * (ctest's test_alloc_fail_kws), exiting 77 (ctest: skipped) when it is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_compile.h"
#include "ta_codegen.h"
#include "tflbuild.h"
#include "tt_capture.h"

typedef struct counting {
  long n;       /* allocations (new blocks and reallocs) so far */
  long fail_at; /* the allocation that fails (1-based); 0: none */
  long live;    /* blocks handed out and not yet freed */
  long failed;  /* how many allocations failed */
} counting;

static void *counting_alloc(void *user, void *ptr, size_t size) {
  counting *c = user;
  if (size == 0) {
    if (ptr) {
      free(ptr);
      c->live--;
    }
    return NULL;
  }
  if (++c->n == c->fail_at) {
    c->failed++;
    return NULL;
  }
  void *p = realloc(ptr, size);
  if (p && !ptr)
    c->live++;
  return p;
}

/* One compile of the model (from path when set, else from bytes) through the hook. With
 * tiny_blocks every ta_new takes its own arena block, so every allocation site of the
 * compiler is walked, not only those that happen to open a new 64 KiB block. */
static ta_status compile(const char *path, const uint8_t *bytes, size_t len, bool tiny_blocks,
                         counting *c, tt_capture *msgs) {
  memset(msgs, 0, sizeof *msgs);
  msgs->errors_only = true;
  ta_ctx ctx;
  ta_ctx_init(&ctx, counting_alloc, c, tt_capture_sink, msgs);
  if (tiny_blocks)
    ctx.block_bytes = 1;
  ta_model m;
  ta_status st = path ? ta_compile_file(&ctx, path, NULL, &m)
                      : ta_compile_bytes(&ctx, "built.tflite", bytes, len, NULL, &m);
  if (st == TA_OK) {
    ta_fileset fs;
    ta_cgen_options opt = {"kws", "kws.tflite"};
    st = ta_cgen_emit(m.g, m.calls, &m.plan, &opt, &fs);
    if (st == TA_OK && !ta_fileset_find(&fs, "kws.c"))
      st = TA_ERR_INTERNAL;
  }
  ta_ctx_free(&ctx);
  return st;
}

/* Count the allocations of a good compile, then fail each one in turn. */
static void walk(const char *path, const uint8_t *bytes, size_t len, bool tiny_blocks) {
  counting c = {0, 0, 0, 0};
  tt_capture msgs;
  ta_status st = compile(path, bytes, len, tiny_blocks, &c, &msgs);
  if (st != TA_OK)
    fprintf(stderr, "%s", msgs.text);
  assert_int_equal(st, TA_OK);
  assert_int_equal(c.live, 0);
  long total = c.n;
  assert_true(total > 3);
  for (long k = 1; k <= total; k++) {
    counting f = {0, k, 0, 0};
    st = compile(path, bytes, len, tiny_blocks, &f, &msgs);
    if (st != TA_ERR_LIMIT || !tt_captured(&msgs, "out of memory") || f.live != 0) {
      fprintf(stderr, "allocation %ld of %ld failed: status %s, %ld blocks live, messages:\n%s", k,
              total, ta_status_name(st), f.live, msgs.text);
    }
    assert_int_equal(f.failed, 1);
    assert_int_equal(st, TA_ERR_LIMIT);
    assert_true(tt_captured(&msgs, "out of memory"));
    assert_int_equal(f.live, 0);
  }
  printf("allocation-failure walk: %s (%s arena blocks): %ld allocations, each failed in turn: "
         "clean errors\n",
         path ? path : "self-built model", tiny_blocks ? "one per ta_new" : "64 KiB", total);
}

static uint32_t rng = 0x2545F491u;
static int8_t rnd8(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (int8_t)(rng >> 24);
}

static int q8(tfb *b, const char *name, int rank, const int32_t *dims, float scale, int64_t zp) {
  int t = tfb_tensor(b, name, TFB_INT8, rank, dims, 0);
  tfb_quant(b, t, 1, &scale, &zp, 0);
  return t;
}

static int filter(tfb *b, const char *name, const int32_t *dims, int32_t n, int channels,
                  int axis) {
  int8_t *w = malloc((size_t)n);
  for (int32_t i = 0; i < n; i++)
    w[i] = rnd8();
  int t = tfb_tensor(b, name, TFB_INT8, 4, dims, tfb_buffer(b, w, (size_t)n));
  free(w);
  float s[16];
  int64_t z[16] = {0};
  for (int i = 0; i < channels; i++)
    s[i] = 0.01f + 0.001f * (float)i;
  tfb_quant(b, t, channels, s, z, axis);
  return t;
}

static int bias(tfb *b, const char *name, int n, float in_scale) {
  int32_t v[16];
  float s[16];
  int64_t z[16] = {0};
  for (int i = 0; i < n; i++)
    v[i] = rnd8() * 8, s[i] = in_scale * (0.01f + 0.001f * (float)i);
  int t = tfb_tensor(b, name, TFB_INT32, 1, (int32_t[]){n}, tfb_buffer(b, v, (size_t)n * 4));
  tfb_quant(b, t, n, s, z, 0);
  return t;
}

/* conv -> depthwise -> depthwise -> avgpool -> reshape -> fc -> softmax, int8. */
static uint8_t *build_kws_like(size_t *len) {
  tfb *b = tfb_new();
  int x = q8(b, "input", 4, (int32_t[]){1, 12, 10, 1}, 0.1f, -5);
  int w1 = filter(b, "conv/w", (int32_t[]){16, 3, 3, 1}, 16 * 9, 16, 0);
  int a1 = q8(b, "conv/out", 4, (int32_t[]){1, 6, 5, 16}, 0.05f, -128);
  int op =
      tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w1, bias(b, "conv/b", 16, 0.1f)}, 3, (int[]){a1}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 2, 2, TFB_ACT_RELU, 1, 1);
  int prev = a1;
  for (int k = 0; k < 2; k++) {
    char wn[32], bn[32], on[32];
    snprintf(wn, sizeof wn, "dw%d/w", k);
    snprintf(bn, sizeof bn, "dw%d/b", k);
    snprintf(on, sizeof on, "dw%d/out", k);
    int w = filter(b, wn, (int32_t[]){1, 3, 3, 16}, 9 * 16, 16, 3);
    int a = q8(b, on, 4, (int32_t[]){1, 6, 5, 16}, 0.05f, -128);
    op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){prev, w, bias(b, bn, 16, 0.05f)}, 3,
                (int[]){a}, 1);
    tfb_dwconv_options(b, op, TFB_PAD_SAME, 1, 1, 1, TFB_ACT_RELU6, 1, 1);
    prev = a;
  }
  int p = q8(b, "pool", 4, (int32_t[]){1, 1, 1, 16}, 0.05f, -128);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){prev}, 1, (int[]){p}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 5, 6, 5, 6, TFB_ACT_NONE);
  int32_t flat[2] = {1, 16};
  int shp = tfb_tensor(b, "flat/shape", TFB_INT32, 1, (int32_t[]){2}, tfb_buffer(b, flat, 8));
  int r = q8(b, "flat", 2, flat, 0.05f, -128);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){p, shp}, 2, (int[]){r}, 1);
  tfb_reshape_options(b, op, flat, 2);
  int8_t fw[4 * 16];
  for (size_t i = 0; i < sizeof fw; i++)
    fw[i] = rnd8();
  int wf = tfb_tensor(b, "fc/w", TFB_INT8, 2, (int32_t[]){4, 16}, tfb_buffer(b, fw, sizeof fw));
  tfb_quant(b, wf, 1, (float[]){0.02f}, (int64_t[]){0}, 0);
  int32_t fb[4] = {10, -20, 30, -40};
  int bf = tfb_tensor(b, "fc/b", TFB_INT32, 1, (int32_t[]){4}, tfb_buffer(b, fb, sizeof fb));
  tfb_quant(b, bf, 1, (float[]){0.05f * 0.02f}, (int64_t[]){0}, 0);
  int f = q8(b, "fc/out", 2, (int32_t[]){1, 4}, 0.2f, 3);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, wf, bf}, 3, (int[]){f}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  int y = q8(b, "probs", 2, (int32_t[]){1, 4}, 1.0f / 256.0f, -128);
  op = tfb_op(b, TFB_OP_SOFTMAX, (int[]){f}, 1, (int[]){y}, 1);
  tfb_softmax_options(b, op, 1.0f);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  return bytes;
}

static void test_walk_self_built(void **state) {
  (void)state;
  size_t len;
  uint8_t *bytes = build_kws_like(&len);
  assert_non_null(bytes);
  walk(NULL, bytes, len, false);
  walk(NULL, bytes, len, true);
  free(bytes);
}

static void test_walk_kws_dscnn_int8(void **state) {
  (void)state;
  const char *shared = getenv("TA_SHARED_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/models/tflite/kws_dscnn_int8.tflite", shared ? shared : "");
  FILE *f = shared ? fopen(path, "rb") : NULL;
  if (!f)
    fail_msg("cannot open %s", path); /* main checked it was there */
  fclose(f);
  walk(path, NULL, 0, false);
  walk(path, NULL, 0, true);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--shared") == 0) {
    const char *shared = getenv("TA_SHARED_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/models/tflite/kws_dscnn_int8.tflite", shared ? shared : "");
    FILE *f = shared && shared[0] ? fopen(path, "rb") : NULL;
    if (!f) {
      printf("%s not found (set TA_SHARED_DIR): skipped\n", path);
      return 77; /* ctest's SKIP_RETURN_CODE */
    }
    fclose(f);
    const struct CMUnitTest kws[] = {cmocka_unit_test(test_walk_kws_dscnn_int8)};
    return cmocka_run_group_tests(kws, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_walk_self_built)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
