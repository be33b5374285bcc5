/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plan_pool.c: a backend's memory pool, planned as a memory of its own.
 *
 * An int8 chain x -> FC (acc) -> RELU (cpu) -> FC (acc) -> RELU (cpu) -> FC (acc) -> y, with
 * a description taking FULLY_CONNECTED that declares a pool aligned to 64. Checked: every
 * activation (graph input and output included) lives in the pool and none in the arena;
 * offsets are aligned and inside the pool; no two tensors whose lifetimes meet share bytes
 * (an independent check, here); the pool's peak is the two 64-byte slots an FC needs; the
 * generated code defines the pool buffer (alignment, section, address macro), refers to
 * tensors inside it and copies the input in and the output out. With "weights": "pool" the
 * weights move into the pool too, copied in before their layer. A pool too small for one
 * tensor, or for the peak, is refused with a message naming the file, the pool and the tensor.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ta_codegen.h"
#include "ta_compile.h"
#include "tflbuild.h"

static char msgs[8192];
static void sink(void *user, ta_severity sev, const char *msg) {
  (void)user, (void)sev;
  size_t n = strlen(msgs);
  snprintf(msgs + n, sizeof msgs - n, "%s\n", msg);
}

/* FC [1,16] -> [1,16] with symmetric per-tensor weights, writing tensor y from x. */
static void fc(tfb *b, int x, int y, int n_out, const char *wname) {
  float sw = 0.01f;
  int64_t z0 = 0;
  int8_t wv[16 * 16];
  for (int i = 0; i < n_out * 16; i++)
    wv[i] = (int8_t)(i * 7 % 13 - 6);
  int w = tfb_tensor(b, wname, TFB_INT8, 2, (int32_t[]){n_out, 16},
                     tfb_buffer(b, wv, (size_t)(n_out * 16)));
  tfb_quant(b, w, 1, &sw, &z0, 0);
  int op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){x, w, -1}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
}

static uint8_t *build(size_t *len) {
  tfb *b = tfb_new();
  float s = 0.05f, sy = 0.1f;
  int64_t zp = 3, zy = -2;
  int t[6];
  const char *names[6] = {"x", "a", "r1", "c", "r2", "y"};
  for (int i = 0; i < 6; i++) {
    t[i] = tfb_tensor(b, names[i], TFB_INT8, 2, (int32_t[]){1, i == 5 ? 8 : 16}, 0);
    tfb_quant(b, t[i], 1, i == 5 ? &sy : &s, i == 5 ? &zy : &zp, 0);
  }
  fc(b, t[0], t[1], 16, "w0");
  tfb_op(b, TFB_OP_RELU, (int[]){t[1]}, 1, (int[]){t[2]}, 1);
  fc(b, t[2], t[3], 16, "w1");
  tfb_op(b, TFB_OP_RELU, (int[]){t[3]}, 1, (int[]){t[4]}, 1);
  fc(b, t[4], t[5], 8, "w2");
  tfb_io(b, (int[]){t[0]}, 1, (int[]){t[5]}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

static char path[PATH_MAX];

/* text holds want, else the test fails showing text. */
static void has(const char *text, const char *want) {
  if (!strstr(text, want))
    fail_msg("lacks \"%s\" in:\n%.3000s", want,
             strstr(text, "_run(") ? strstr(text, "_run(") : text);
}

/* Write the description (pool of `bytes`, weights `weights`) and compile the model with it. */
static ta_status compile(ta_ctx *ctx, uint64_t bytes, const char *weights, ta_model *m,
                         uint8_t **model) {
  snprintf(path, sizeof path, "/tmp/ta-plan-pool-%ld.json", (long)getpid());
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"name\": \"acc\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"acc_fc\"}},\n"
          " \"memory_pool\": {\"name\": \"accmem\", \"bytes\": %llu, \"alignment\": 64%s%s%s}}\n",
          (unsigned long long)bytes, weights ? ", \"weights\": \"" : "", weights ? weights : "",
          weights ? "\"" : "");
  fclose(f);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.backends[opt.n_backends++] = path;
  size_t len;
  *model = build(&len);
  msgs[0] = 0;
  ta_ctx_init(ctx, NULL, NULL, sink, NULL);
  ta_status st = ta_compile_bytes(ctx, "m.tflite", *model, len, &opt, m);
  unlink(path);
  return st;
}

/* Independent of the planner: tensors in the pool whose lifetimes meet do not share bytes
 * unless they share storage (a view, an in-place op). */
static void check_no_overlap(const ta_graph *g, const ta_plan *p) {
  for (int32_t s = 0; s < g->n_tensors; s++)
    for (int32_t t = s + 1; t < g->n_tensors; t++) {
      if (p->tensor_pool[s] < 0 || p->tensor_pool[t] != p->tensor_pool[s] ||
          p->root[s] == p->root[t])
        continue;
      size_t bs = 0, bt = 0;
      assert_true(ta_tensor_bytes(&g->tensors[s], &bs));
      assert_true(ta_tensor_bytes(&g->tensors[t], &bt));
      bool time = p->first_op[s] <= p->last_op[t] && p->first_op[t] <= p->last_op[s];
      bool space = p->tensor_offset[s] < p->tensor_offset[t] + (int64_t)bt &&
                   p->tensor_offset[t] < p->tensor_offset[s] + (int64_t)bs;
      if (time && space)
        fail_msg("tensors %d and %d overlap in the pool", s, t);
    }
}

static void test_pool_plan(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_model m;
  uint8_t *model;
  assert_int_equal(compile(&ctx, 4096, NULL, &m, &model), TA_OK);
  const ta_graph *g = m.g;
  const ta_plan *p = &m.plan;
  assert_int_equal(g->n_ops, 5);
  assert_int_equal(p->n_pools, 1);
  assert_string_equal(p->pools[0].name, "accmem");
  assert_string_equal(p->pools[0].backend, "acc");
  assert_int_equal(p->pools[0].capacity, 4096);
  assert_int_equal(p->pools[0].alignment, 64);
  int32_t in_pool = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (ta_tensor_is_const(&g->tensors[t])) {
      assert_int_equal(p->tensor_pool[t], -1); /* weights stay in flash */
      continue;
    }
    assert_int_equal(p->tensor_pool[t], 0);
    assert_true(p->tensor_offset[t] >= 0);
    assert_int_equal(p->tensor_offset[t] % 64, 0);
    size_t bytes = 0;
    assert_true(ta_tensor_bytes(&g->tensors[t], &bytes));
    assert_true((size_t)p->tensor_offset[t] + bytes <= p->pools[0].bytes);
    int32_t idx;
    assert_int_equal(ta_plan_storage(g, p, t, &idx), TA_STORE_POOL);
    assert_int_equal(idx, 0);
    in_pool++;
  }
  assert_int_equal(in_pool, 6);
  check_no_overlap(g, p);
  /* Peak: an FC's input and output, one 64-byte slot each; nothing left for the arena. */
  assert_int_equal(p->pools[0].bytes, 128);
  assert_int_equal(p->pools[0].lower_bound, 128);
  assert_int_equal(p->arena_bytes, 0);

  ta_fileset fs;
  ta_cgen_options co = {"m", "test"};
  assert_int_equal(ta_cgen_emit(m.g, m.calls, &m.plan, &co, &fs), TA_OK);
  const ta_file *h = ta_fileset_find(&fs, "m.h");
  assert_non_null(
      strstr(h->data, "#define M_POOL_ACCMEM_SIZE 128\n#define M_POOL_ACCMEM_ALIGN 64\n"));
  const ta_file *c = ta_fileset_find(&fs, "m.c");
  assert_non_null(strstr(c->data,
                         "#ifdef M_POOL_ACCMEM_ADDR\n"
                         "#define m_pool_accmem ((uint8_t *)(uintptr_t)(M_POOL_ACCMEM_ADDR))"));
  assert_non_null(strstr(c->data, "#define M_POOL_ACCMEM_SECTION \".bss.tinyaot.pool.accmem\"\n"));
  assert_non_null(strstr(c->data, "static uint8_t m_pool_accmem[M_POOL_ACCMEM_SIZE > 0 ? "));
  assert_non_null(strstr(
      c->data, "__attribute__((aligned(M_POOL_ACCMEM_ALIGN), section(M_POOL_ACCMEM_SECTION)))"));
  char want[256];
  int32_t x = g->inputs[0], y = g->outputs[0];
  snprintf(want, sizeof want, "memcpy(m_pool_accmem + %lld, inputs[0], M_INPUT_0_BYTES);",
           (long long)p->tensor_offset[x]);
  has(c->data, want);
  snprintf(want, sizeof want, "memcpy(outputs[0], m_pool_accmem + %lld, M_OUTPUT_0_BYTES);",
           (long long)p->tensor_offset[y]);
  has(c->data, want);
  /* The last layer writes the graph's output in the pool. */
  const char *last = strstr(c->data, "/* op 4 FULLY_CONNECTED");
  assert_non_null(last);
  snprintf(want, sizeof want,
           "void *out[1] = {m_pool_accmem + %lld};\n    extern tart_status acc_fc(",
           (long long)p->tensor_offset[y]);
  has(last, want);
  ta_ctx_free(&ctx);
  free(model);
}

static void test_weights_in_pool(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_model m;
  uint8_t *model;
  assert_int_equal(compile(&ctx, 4096, "pool", &m, &model), TA_OK);
  const ta_graph *g = m.g;
  const ta_plan *p = &m.plan;
  int32_t n_w = 0;
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (g->ops[i].kind != TA_OP_FULLY_CONNECTED)
      continue;
    int32_t w = m.calls[i].in[1];
    assert_true(ta_tensor_is_const(&g->tensors[w]));
    assert_int_equal(p->tensor_pool[w], 0);
    assert_int_equal(p->first_op[w], i); /* lives at its layer only */
    assert_int_equal(p->last_op[w], i);
    n_w++;
  }
  assert_int_equal(n_w, 3);
  check_no_overlap(g, p);
  /* Input, output and a 256-byte weight matrix at the largest layer. */
  assert_int_equal(p->pools[0].bytes, 64 + 64 + 256);
  ta_fileset fs;
  ta_cgen_options co = {"m", "test"};
  assert_int_equal(ta_cgen_emit(m.g, m.calls, &m.plan, &co, &fs), TA_OK);
  const ta_file *c = ta_fileset_find(&fs, "m.c");
  int32_t w = m.calls[0].in[1];
  char want[160];
  snprintf(want, sizeof want, "    memcpy(m_pool_accmem + %lld, m_w%d, 256);\n",
           (long long)p->tensor_offset[w], w);
  has(c->data, want);
  ta_ctx_free(&ctx);
  free(model);
}

static void test_pool_too_small(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_model m;
  uint8_t *model;
  /* Every tensor fits (16 bytes), two live ones in 64-byte slots do not. */
  assert_int_equal(compile(&ctx, 100, NULL, &m, &model), TA_ERR_LIMIT);
  char want[PATH_MAX + 256];
  snprintf(want, sizeof want,
           "%s: memory_pool \"accmem\" of 100 bytes is too small: its tensors need 128 bytes at "
           "their peak (128 live at op 0 FULLY_CONNECTED, the largest tensor ",
           path);
  if (!strstr(msgs, want))
    fail_msg("message: %s", msgs);
  assert_non_null(strstr(msgs, "an operand of backend acc"));
  ta_ctx_free(&ctx);
  free(model);
  /* One tensor larger than the pool: named. */
  assert_int_equal(compile(&ctx, 8, NULL, &m, &model), TA_ERR_LIMIT);
  snprintf(want, sizeof want,
           "%s: memory_pool \"accmem\" of 8 bytes is too small for tensor 0 \"x\" (int8 [1,16], "
           "16 bytes), an operand of backend acc",
           path);
  if (!strstr(msgs, want))
    fail_msg("message: %s", msgs);
  ta_ctx_free(&ctx);
  free(model);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pool_plan),
      cmocka_unit_test(test_weights_in_pool),
      cmocka_unit_test(test_pool_too_small),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
