/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_desc_backend.c: a backend made from a description file (ta_backend_from_desc), through
 * the one compile entry point (ta_compile_options.backends) and codegen.
 *
 * A RELU -> FULLY_CONNECTED int8 model and a description in a temporary folder that takes
 * FULLY_CONNECTED only, with an adapter of its own (inside its folder: shipped with the
 * model), a header folder of its own, a "library" source outside it (${EXT}: referenced by
 * absolute path, never copied), a flag and a scratch expression. Checked: the placement and
 * the reason the RELU was declined, the planned scratch, the emitted call and declaration,
 * the files shipped and the build fragments. Then the refusals: an unknown backend name, a
 * missing source (message naming the file and key), a target-only backend on the host, a bad
 * scratch expression; and the expression evaluator on its own.
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
#include <sys/stat.h>
#include <unistd.h>

#include "ta_backend_desc.h"
#include "ta_codegen.h"
#include "ta_compile.h"
#include "tflbuild.h"

static char msgs[8192];
static void sink(void *user, ta_severity sev, const char *msg) {
  (void)user, (void)sev;
  size_t n = strlen(msgs);
  snprintf(msgs + n, sizeof msgs - n, "%s\n", msg);
}

/* RELU [1,16] -> FULLY_CONNECTED to 5 outputs, int8, symmetric per-tensor weights. */
static uint8_t *build(size_t *len) {
  tfb *b = tfb_new();
  float s = 0.05f, sw = 0.01f, sb = 0.0005f, sy = 0.1f;
  int64_t zp = 3, z0 = 0, zy = -2;
  int x = tfb_tensor(b, "x", TFB_INT8, 2, (int32_t[]){1, 16}, 0);
  tfb_quant(b, x, 1, &s, &zp, 0);
  int r = tfb_tensor(b, "r", TFB_INT8, 2, (int32_t[]){1, 16}, 0);
  tfb_quant(b, r, 1, &s, &zp, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){r}, 1);
  int8_t wv[5 * 16];
  for (int i = 0; i < 5 * 16; i++)
    wv[i] = (int8_t)(i * 7 % 13 - 6);
  int w = tfb_tensor(b, "w", TFB_INT8, 2, (int32_t[]){5, 16}, tfb_buffer(b, wv, sizeof wv));
  tfb_quant(b, w, 1, &sw, &z0, 0);
  int32_t bv[5] = {1, 2, 3, 4, 5};
  int tb = tfb_tensor(b, "b", TFB_INT32, 1, (int32_t[]){5}, tfb_buffer(b, bv, sizeof bv));
  tfb_quant(b, tb, 1, &sb, &z0, 0);
  int y = tfb_tensor(b, "y", TFB_INT8, 2, (int32_t[]){1, 5}, 0);
  tfb_quant(b, y, 1, &sy, &zy, 0);
  int op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, w, tb}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

static char root[PATH_MAX]; /* the temporary folder, canonical */

static void put(const char *rel, const char *text) {
  char p[PATH_MAX + 64];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void make_tree(const char *json) {
  char tmpl[] = "/tmp/ta-desc-backend-XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  assert_non_null(realpath(tmpl, root));
  char p[PATH_MAX + 64];
  snprintf(p, sizeof p, "%s/be", root);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/be/inc", root);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/ext", root);
  assert_int_equal(mkdir(p, 0700), 0);
  put("be/npu.json", json);
  put("be/npu_fc.c", "/* the adapter */\n");
  put("be/inc/npu.h", "/* the header */\n");
  put("ext/ext_lib.c", "/* a library file */\n");
}

static void remove_tree(void) {
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

static const char k_good[] =
    "{\"name\": \"npu\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"npu_fc_s8\",\n"
    " \"convention\": \"adapter\", \"wraps\": \"lib_fc\", \"scratch\": \"4 * out_c + 8\",\n"
    " \"constraints\": {\"dtypes\": [\"int8\"]}}},\n"
    " \"sources\": [\"npu_fc.c\", \"${EXT}/ext_lib.c\"], \"include_dirs\": [\"inc\", \"${EXT}\"],\n"
    " \"cflags\": [\"-DNPU_FAST=1\"]}\n";

/* Compile the model with the description at be/npu.json (or `backend` when not NULL). */
static ta_status compile(ta_ctx *ctx, const char *backend, const char *target, ta_model *m,
                         uint8_t **bytes) {
  static char path[PATH_MAX + 64], var[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/be/npu.json", root);
  snprintf(var, sizeof var, "EXT=%s/ext", root);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.backends[opt.n_backends++] = backend ? backend : path;
  opt.backend_vars[opt.n_backend_vars++] = var;
  if (target)
    opt.target = target;
  size_t len;
  *bytes = build(&len);
  msgs[0] = 0;
  ta_ctx_init(ctx, NULL, NULL, sink, NULL);
  return ta_compile_bytes(ctx, "m.tflite", *bytes, len, &opt, m);
}

static void test_claims_and_emit(void **state) {
  (void)state;
  make_tree(k_good);
  ta_ctx ctx;
  ta_model m;
  uint8_t *bytes;
  assert_int_equal(compile(&ctx, NULL, NULL, &m, &bytes), TA_OK);
  assert_int_equal(m.g->n_ops, 2);
  assert_ptr_equal(ta_backend_of(&m.calls[0]), &ta_backend_cpu);
  assert_string_equal(m.calls[0].backend_declined, "npu: RELU not taken by backend npu");
  assert_string_equal(ta_backend_of(&m.calls[1])->name, "npu");
  assert_null(m.calls[1].backend_declined);
  assert_int_equal(m.calls[1].scratch_bytes, 4 * 5 + 8); /* the scratch expression */
  assert_true(m.plan.scratch_offset[1] >= 0);

  ta_fileset fs;
  ta_cgen_options co = {"m", "test"};
  assert_int_equal(ta_cgen_emit(m.g, m.calls, &m.plan, &co, &fs), TA_OK);
  const ta_file *c = ta_fileset_find(&fs, "m.c");
  assert_non_null(c);
  assert_non_null(strstr(c->data, "extern tart_status npu_fc_s8(const tart_fc_params *p, "
                                  "const void *const *in,"));
  char call[96];
  snprintf(call, sizeof call, "st = npu_fc_s8(&m_p1, in, out, a + %lld); /* npu */",
           (long long)m.plan.scratch_offset[1]);
  assert_non_null(strstr(c->data, call));
  /* The backend's own files are shipped under its name; the library's stay where they are. */
  const ta_file *f = ta_fileset_find(&fs, "npu/npu_fc.c");
  assert_non_null(f);
  assert_string_equal(f->data, "/* the adapter */\n");
  assert_non_null(ta_fileset_find(&fs, "npu/inc/npu.h"));
  for (int32_t i = 0; i < fs.n; i++)
    assert_null(strstr(fs.files[i].path, "ext_lib"));
  char ext_src[PATH_MAX + 64], ext_inc[PATH_MAX + 64];
  snprintf(ext_src, sizeof ext_src, "%s/ext/ext_lib.c", root);
  snprintf(ext_inc, sizeof ext_inc, "%s/ext", root);
  bool found = false;
  for (int32_t i = 0; i < fs.build.n_sources; i++)
    found = found || strcmp(fs.build.sources[i], ext_src) == 0;
  assert_true(found);
  const ta_file *cm = ta_fileset_find(&fs, "m.cmake");
  char want[PATH_MAX + 128];
  /* The backend's sources and include folders join the shared runtime library (tart), by path
   * relative to the fragment when shipped, absolute when referenced; its flags go with them. */
  snprintf(want, sizeof want, "\n    npu/npu_fc.c\n    %s)\n", ext_src);
  assert_non_null(strstr(cm->data, want));
  snprintf(want, sizeof want, "\n    npu/inc\n    %s)\n", ext_inc);
  assert_non_null(strstr(cm->data, want));
  assert_non_null(strstr(cm->data, "IS_ABSOLUTE ${_tart_file}"));
  assert_non_null(strstr(cm->data, "target_compile_options(tart PRIVATE \"-DNPU_FAST=1\")"));
  const ta_file *mk = ta_fileset_find(&fs, "m.mk");
  assert_non_null(strstr(mk->data, "M_SRCS += $(M_DIR)/npu/npu_fc.c\n"));
  snprintf(want, sizeof want, "M_SRCS += %s\n", ext_src);
  assert_non_null(strstr(mk->data, want));
  snprintf(want, sizeof want, " -I$(M_DIR)/npu/inc -I%s -DNPU_FAST=1\n", ext_inc);
  assert_non_null(strstr(mk->data, want));
  /* The FC runs on the backend: the runtime's FC source is not shipped. */
  assert_null(ta_fileset_find(&fs, "tart/src/fully_connected_s8.c"));
  ta_ctx_free(&ctx);
  free(bytes);
  remove_tree();
}

static void test_unknown_name(void **state) {
  (void)state;
  make_tree(k_good);
  ta_ctx ctx;
  ta_model m;
  uint8_t *bytes;
  assert_int_equal(compile(&ctx, "no-such-backend", NULL, &m, &bytes), TA_ERR_USAGE);
  assert_non_null(strstr(msgs, "unknown backend \"no-such-backend\": no shipped backend"));
  ta_ctx_free(&ctx);
  free(bytes);
  remove_tree();
}

static void test_missing_source(void **state) {
  (void)state;
  make_tree("{\"name\": \"npu\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"f\"}},\n"
            " \"sources\": [\"npu_fc.c\", \"gone.c\"]}\n");
  ta_ctx ctx;
  ta_model m;
  uint8_t *bytes;
  assert_int_equal(compile(&ctx, NULL, NULL, &m, &bytes), TA_ERR_IO);
  char want[PATH_MAX * 2];
  snprintf(want, sizeof want, "npu.json: sources[1]: \"gone.c\" (%s/be/gone.c): No such file",
           root);
  if (!strstr(msgs, want))
    fail_msg("messages:\n%s\nexpected:\n%s", msgs, want);
  ta_ctx_free(&ctx);
  free(bytes);
  remove_tree();
}

static void test_target_only_on_host(void **state) {
  (void)state;
  make_tree("{\"name\": \"npu\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"f\"}},\n"
            " \"targets\": [\"cortex-m*\"]}\n");
  ta_ctx ctx;
  ta_model m;
  uint8_t *bytes;
  assert_int_equal(compile(&ctx, NULL, "host", &m, &bytes), TA_ERR_USAGE);
  assert_non_null(strstr(msgs, "runs on cortex-m* only, not on target host (it is target-only"));
  ta_ctx_free(&ctx);
  free(bytes);
  assert_int_equal(compile(&ctx, NULL, "cortex-m4", &m, &bytes), TA_OK);
  assert_string_equal(ta_backend_of(&m.calls[1])->name, "npu");
  ta_ctx_free(&ctx);
  free(bytes);
  remove_tree();
}

static void test_bad_scratch(void **state) {
  (void)state;
  make_tree("{\"name\": \"npu\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"f\",\n"
            " \"scratch\": \"4 * out_channels\"}}}\n");
  ta_ctx ctx;
  ta_model m;
  uint8_t *bytes;
  assert_int_equal(compile(&ctx, NULL, NULL, &m, &bytes), TA_ERR_MALFORMED);
  assert_non_null(strstr(msgs, "npu.json: ops.FULLY_CONNECTED.scratch: unknown name "
                               "\"out_channels\"; known: batch, in_h"));
  ta_ctx_free(&ctx);
  free(bytes);
  remove_tree();
}

static void test_scratch_expressions(void **state) {
  (void)state;
  const ta_backend_dims d = {1, 10, 12, 3, 5, 6, 16, 3, 3};
  struct {
    const char *expr;
    int64_t want;
  } ok[] = {
      {"0", 0},
      {"4 * align(kernel_h * kernel_w * in_c, 16)", 4 * 32},
      {"max(max(2 * in_c, 496) * kernel_h * kernel_w, 4 * align(kernel_h * kernel_w, 16) + "
       "kernel_h * kernel_w * out_c)",
       496 * 9},
      {"min(in_h, in_w) - 1 + (out_c / 3)", 9 + 5},
      {" batch*out_h*out_w ", 30},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    int64_t v = -1;
    char err[128] = "";
    assert_true(ta_backend_scratch_eval(ok[i].expr, &d, &v, err, sizeof err));
    assert_int_equal(v, ok[i].want);
  }
  const char *bad[][2] = {
      {"4 *", "number, name or '(' expected"},
      {"(1", "')' expected"},
      {"1 / (in_c - 3)", "division by zero"},
      {"in_c - 4", "the size is negative"},
      {"foo(1, 2)", "unknown function \"foo\"; known: max, min, align"},
      {"1 2", "unexpected text after the expression"},
      {"1099511627776 * 2", "value out of range"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t v = -1;
    char err[128] = "";
    assert_false(ta_backend_scratch_eval(bad[i][0], &d, &v, err, sizeof err));
    assert_string_equal(err, bad[i][1]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_claims_and_emit), cmocka_unit_test(test_unknown_name),
      cmocka_unit_test(test_missing_source),  cmocka_unit_test(test_target_only_on_host),
      cmocka_unit_test(test_bad_scratch),     cmocka_unit_test(test_scratch_expressions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
