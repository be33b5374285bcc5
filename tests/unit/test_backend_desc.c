/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_backend_desc.c: backend description files (src/backend/ta_backend_desc.h).
 *
 *   - a description using every key read back field by field, ${VAR} expanded from the
 *     caller's variables and then the environment hook, paths resolved from the file's folder;
 *   - one bad description per error, checking the whole message text (file, key path,
 *     line:column for syntax errors, reason) and that checking goes on after an error;
 *   - the constraint evaluator on one-op TFLite models built in code (tflbuild): each
 *     constraint declining an op with its reason, and accepting it when all hold;
 *   - the shipped descriptions (cmsis-nn, the example NPU) read, and CMSIS-NN's sources found
 *     in ../shared/third_party/CMSIS-NN when that checkout is there.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ta_backend_desc.h"
#include "ta_tflite.h"
#include "tflbuild.h"
#include "tt_capture.h"

/* ---- reading with messages collected ---- */

static tt_capture msgs;

static ta_ctx ctx;
static void ctx_start(void) {
  tt_capture_reset(&msgs);
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &msgs);
}

static ta_status rd(const char *path, const char *json, const ta_backend_desc_options *opt,
                    ta_backend_desc **d) {
  ctx_start();
  return ta_backend_desc_read(&ctx, path, json, strlen(json), opt, d);
}

/* The status and the messages of one bad description; every message must be expected. */
static void bad(const char *json, ta_status want_st, const char *want_msgs) {
  ta_backend_desc *d = (ta_backend_desc *)1;
  ta_status st = rd("b.json", json, NULL, &d);
  if (strcmp(msgs.text, want_msgs) != 0)
    fail_msg("messages:\n%s\nexpected:\n%s", msgs.text, want_msgs);
  assert_int_equal(st, want_st);
  assert_null(d);
  ta_ctx_free(&ctx);
}

#define OPS "\"ops\": {\"ADD\": {\"function\": \"f\"}}"

/* ---- a good description, every key ---- */

static char *fake_env(const char *key) {
  static char sdk[] = "sdk";
  return strcmp(key, "SDK") == 0 ? sdk : NULL;
}

static void write_file(const char *path) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("/* test */\n", f);
  fclose(f);
}

static void test_round_trip(void **state) {
  (void)state;
  char dir[] = "/tmp/ta_bdesc_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char p[512], p2[512];
  snprintf(p, sizeof p, "%s/sdk", dir);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/sdk/k.c", dir);
  write_file(p);
  snprintf(p, sizeof p, "%s/adapter.c", dir);
  write_file(p);
  const char *json =
      "{\n"
      "  \"name\": \"my-npu\",\n"
      "  \"description\": \"a test backend\",\n"
      "  \"version\": 1,\n"
      "  \"ops\": {\n"
      "    \"CONV_2D\": {\"function\": \"npu_conv\", \"constraints\": {\n"
      "      \"dtypes\": [\"int8\", \"int16\"], \"activations\": [\"none\", \"relu6\"],\n"
      "      \"kernel\": [1, 3], \"stride\": {\"max\": 2}, \"dilation\": 1,\n"
      "      \"batch\": {\"min\": 1, \"max\": 4}, \"input_channels_multiple\": 4,\n"
      "      \"output_channels_multiple\": 8, \"max_tensor_bytes\": 32768,\n"
      "      \"weights\": \"per-channel\", \"weights_symmetric\": true}},\n"
      "    \"DEPTHWISE_CONV_2D\": {\"function\": \"npu_dw\", \"convention\": \"adapter\",\n"
      "      \"wraps\": \"vendor_dw\", \"constraints\": {\"depth_multiplier\": [1]}},\n"
      "    \"ADD\": {\"function\": \"npu_add\", \"constraints\": {\"broadcast\": false}},\n"
      "    \"AVERAGE_POOL_2D\": {\"function\": \"npu_avg\",\n"
      "      \"constraints\": {\"count_include_pad\": false}}\n"
      "  },\n"
      "  \"sources\": [\"adapter.c\", \"${SDK}/k.c\", \"${ABS}/adapter.c\"],\n"
      "  \"include_dirs\": [\"${SDK}\"],\n"
      "  \"cflags\": [\"-DNPU=1\", \"-I${SDK}/inc\"],\n"
      "  \"memory_pool\": {\"name\": \"npu_sram\", \"bytes\": 32768, \"alignment\": 64},\n"
      "  \"cost\": {\"macs_per_cycle\": 32, \"bytes_per_cycle\": 4.5, \"setup_cycles\": 0},\n"
      "  \"targets\": [\"cortex-m*\", \"host\"],\n"
      "  \"subgraphs\": true\n"
      "}\n";
  ta_backend_var vars[2] = {{"ABS", "/nonexistent"}, {"ABS", dir}}; /* the last one wins */
  ta_backend_desc_options opt = {.vars = vars, .n_vars = 2, .getenv_fn = fake_env};
  snprintf(p, sizeof p, "%s/desc.json", dir);
  ta_backend_desc *d = NULL;
  ta_status st = rd(p, json, &opt, &d);
  assert_string_equal(msgs.text, "");
  assert_int_equal(st, TA_OK);
  assert_non_null(d);
  assert_string_equal(d->path, p);
  assert_string_equal(d->dir, dir);
  assert_string_equal(d->name, "my-npu");
  assert_string_equal(d->summary, "a test backend");
  assert_int_equal(d->n_ops, 4);
  const ta_backend_op *c = ta_backend_desc_op_find(d, TA_OP_CONV_2D);
  assert_non_null(c);
  assert_int_equal(c->kind, TA_OP_CONV_2D);
  assert_string_equal(c->function, "npu_conv");
  assert_int_equal(c->convention, TA_BACKEND_CALL_TINYAOT);
  assert_null(c->wraps);
  assert_int_equal(c->dtypes, (1u << TA_DT_I8) | (1u << TA_DT_I16));
  assert_int_equal(c->activations, (1u << TA_ACT_NONE) | (1u << TA_ACT_RELU6));
  assert_true(c->kernel.set);
  assert_int_equal(c->kernel.n_values, 2);
  assert_int_equal(c->kernel.values[0], 1);
  assert_int_equal(c->kernel.values[1], 3);
  assert_true(c->stride.set);
  assert_int_equal(c->stride.n_values, 0);
  assert_int_equal(c->stride.min, 1);
  assert_int_equal(c->stride.max, 2);
  assert_int_equal(c->dilation.n_values, 1);
  assert_int_equal(c->dilation.values[0], 1);
  assert_int_equal(c->batch.min, 1);
  assert_int_equal(c->batch.max, 4);
  assert_false(c->depth_multiplier.set);
  assert_int_equal(c->input_channels_multiple, 4);
  assert_int_equal(c->output_channels_multiple, 8);
  assert_int_equal(c->max_tensor_bytes, 32768);
  assert_int_equal(c->weights, TA_BACKEND_WEIGHTS_PER_CHANNEL);
  assert_true(c->weights_symmetric);
  assert_true(c->broadcast);
  assert_true(c->count_include_pad);
  const ta_backend_op *w = ta_backend_desc_op_find(d, TA_OP_DEPTHWISE_CONV_2D);
  assert_int_equal(w->convention, TA_BACKEND_CALL_ADAPTER);
  assert_string_equal(w->wraps, "vendor_dw");
  assert_int_equal(w->dtypes, 0);
  assert_int_equal(w->depth_multiplier.values[0], 1);
  assert_false(ta_backend_desc_op_find(d, TA_OP_ADD)->broadcast);
  assert_false(ta_backend_desc_op_find(d, TA_OP_AVERAGE_POOL_2D)->count_include_pad);
  assert_null(ta_backend_desc_op_find(d, TA_OP_MUL));
  assert_int_equal(d->n_sources, 3);
  snprintf(p2, sizeof p2, "%s/adapter.c", dir);
  assert_string_equal(d->sources[0], p2);
  snprintf(p2, sizeof p2, "%s/sdk/k.c", dir);
  assert_string_equal(d->sources[1], p2);
  snprintf(p2, sizeof p2, "%s/adapter.c", dir);
  assert_string_equal(d->sources[2], p2);
  assert_int_equal(d->n_include_dirs, 1);
  snprintf(p2, sizeof p2, "%s/sdk", dir);
  assert_string_equal(d->include_dirs[0], p2);
  assert_int_equal(d->n_cflags, 2);
  assert_string_equal(d->cflags[0], "-DNPU=1");
  assert_string_equal(d->cflags[1], "-Isdk/inc");
  assert_true(d->has_pool);
  assert_string_equal(d->pool.name, "npu_sram");
  assert_int_equal(d->pool.bytes, 32768);
  assert_int_equal(d->pool.alignment, 64);
  assert_true(d->has_cost);
  assert_true(d->cost.macs_per_cycle == 32.0);
  assert_true(d->cost.bytes_per_cycle == 4.5);
  assert_true(d->cost.setup_cycles == 0.0);
  assert_int_equal(d->n_targets, 2);
  assert_true(ta_backend_desc_runs_on(d, "cortex-m4"));
  assert_true(ta_backend_desc_runs_on(d, "host"));
  assert_false(ta_backend_desc_runs_on(d, "riscv"));
  assert_true(d->subgraphs);
  ta_ctx_free(&ctx);

  /* The same from the file, through ta_backend_desc_load. */
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(json, f);
  fclose(f);
  ctx_start();
  assert_int_equal(ta_backend_desc_load(&ctx, p, &opt, &d), TA_OK);
  assert_int_equal(d->n_ops, 4);
  ta_ctx_free(&ctx);

  /* A missing source, found relative to the description's folder (not the current one). */
  snprintf(p2, sizeof p2, "%s/sdk/k.c", dir);
  assert_int_equal(unlink(p2), 0);
  ctx_start();
  assert_int_equal(ta_backend_desc_load(&ctx, p, &opt, &d), TA_ERR_IO);
  assert_null(d);
  char want[1024];
  snprintf(want, sizeof want,
           "%s: sources[1]: \"${SDK}/k.c\" (%s/sdk/k.c): No such file or directory\n", p, dir);
  assert_string_equal(msgs.text, want);
  ta_ctx_free(&ctx);
  /* ... and not checked when the caller says so. */
  opt.no_file_checks = true;
  ctx_start();
  assert_int_equal(ta_backend_desc_load(&ctx, p, &opt, &d), TA_OK);
  ta_ctx_free(&ctx);

  /* An unreadable description. */
  snprintf(p2, sizeof p2, "%s/none.json", dir);
  ctx_start();
  assert_int_equal(ta_backend_desc_load(&ctx, p2, &opt, &d), TA_ERR_IO);
  assert_null(d);
  ta_ctx_free(&ctx);

  unlink(p);
  snprintf(p, sizeof p, "%s/adapter.c", dir);
  unlink(p);
  snprintf(p, sizeof p, "%s/sdk", dir);
  rmdir(p);
  rmdir(dir);
}

/* ---- one bad description per error ---- */

static void test_syntax(void **state) {
  (void)state;
  bad("{\n  \"name\": \"x\",\n}\n", TA_ERR_MALFORMED,
      "b.json:3:1: syntax error: string or '}' expected near '}'\n");
  bad("{\"name\": \"x\", \"name\": \"y\"}", TA_ERR_MALFORMED,
      "b.json:1:20: syntax error: duplicate object key near '\"name\"'\n");
  bad("", TA_ERR_MALFORMED, "b.json:1:0: syntax error: '[' or '{' expected near end of file\n");
  bad("[1]", TA_ERR_MALFORMED, "b.json: expected an object at the top level, found a list\n");
  /* A control character from the file is shown escaped, never passed on. */
  bad("{\"name\": \"a\x01\"}", TA_ERR_MALFORMED,
      "b.json:1:11: syntax error: control character 0x1 near '\"a'\n");
}

static void test_unknown_key(void **state) {
  (void)state;
  bad("{\"name\": \"x\", " OPS ", \"source\": []}", TA_ERR_MALFORMED,
      "b.json: source: unknown key; known keys: name, description, version, ops, sources, "
      "include_dirs, cflags, memory_pool, cost, targets, subgraphs\n");
  bad("{\"name\": \"x\", \"ops\": {\"CONV_2D\": {\"function\": \"f\", \"constraints\": "
      "{\"strides\": [1]}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.CONV_2D.constraints.strides: unknown key; known keys: dtypes, activations, "
      "kernel, stride, dilation, depth_multiplier, batch, input_channels_multiple, "
      "output_channels_multiple, max_tensor_bytes, weights, weights_symmetric, broadcast, "
      "count_include_pad\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f\", \"calls\": \"g\"}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.ADD.calls: unknown key; known keys: function, convention, wraps, "
      "scratch, constraints\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 4, \"size\": 4}}",
      TA_ERR_MALFORMED,
      "b.json: memory_pool.size: unknown key; known keys: name, bytes, alignment, weights\n");
}

static void test_wrong_type(void **state) {
  (void)state;
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": \"32\"}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.bytes: expected an integer, found a string\n");
  bad("{\"name\": 3, " OPS "}", TA_ERR_MALFORMED,
      "b.json: name: expected a string, found an integer\n");
  bad("{\"name\": \"x\", " OPS ", \"sources\": \"a.c\"}", TA_ERR_MALFORMED,
      "b.json: sources: expected a list of strings, found a string\n");
  bad("{\"name\": \"x\", " OPS ", \"subgraphs\": 1}", TA_ERR_MALFORMED,
      "b.json: subgraphs: expected true or false, found an integer\n");
  bad("{\"name\": \"x\", \"ops\": {\"CONV_2D\": {\"function\": \"f\", \"constraints\": "
      "{\"stride\": \"1\"}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.CONV_2D.constraints.stride: expected an integer, a list of integers or "
      "{\"min\": N, \"max\": M}, found a string\n");
  bad("{\"name\": \"x\", " OPS ", \"cost\": {\"macs_per_cycle\": 1, \"bytes_per_cycle\": true, "
      "\"setup_cycles\": 0}}",
      TA_ERR_MALFORMED, "b.json: cost.bytes_per_cycle: expected a number, found a boolean\n");
}

static void test_unknown_names(void **state) {
  (void)state;
  bad("{\"name\": \"x\", \"ops\": {\"CONV_3D\": {\"function\": \"f\"}}}", TA_ERR_MALFORMED,
      "b.json: ops.CONV_3D: unknown operator \"CONV_3D\"; tinyaot's operators: CONV_2D, "
      "DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL, RESHAPE, "
      "SOFTMAX, QUANTIZE, DEQUANTIZE, MEAN, LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, PAD, "
      "CONCATENATION, SUB, DIV, LEAKY_RELU, CLAMP, TRANSPOSE, BATCH_MATMUL, SLICE, STRIDED_SLICE, "
      "SPLIT, SPLIT_V, GATHER, CAST, HARD_SWISH, HARD_SIGMOID, REDUCE_MAX, REDUCE_MIN, SUM, "
      "MINIMUM, MAXIMUM, SQUARED_DIFFERENCE, NEG, ABS, SQRT, RSQRT, EXP, LOG, LOG_SOFTMAX, ELU, "
      "PRELU, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, TRANSPOSE_CONV, MIRROR_PAD, ERF, POW, "
      "SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM, GRU\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f\", \"constraints\": "
      "{\"dtypes\": [\"int8\", \"int9\"]}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.ADD.constraints.dtypes[1]: unknown dtype \"int9\"; known: float32, int8, "
      "uint8, int16, int32, int64, bool, float16, uint16, uint32, uint64, float64\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f\", \"constraints\": "
      "{\"activations\": [\"gelu\"]}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.ADD.constraints.activations[0]: unknown activation \"gelu\"; known: none, "
      "relu, relu_n1_to_1, relu6\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f\", \"convention\": \"cmsis\"}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.ADD.convention: unknown convention \"cmsis\"; known: tinyaot, adapter\n");
  bad("{\"name\": \"x\", \"ops\": {\"FULLY_CONNECTED\": {\"function\": \"f\", \"constraints\": "
      "{\"weights\": \"per-row\"}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.FULLY_CONNECTED.constraints.weights: unknown weight quantization "
      "\"per-row\"; known: per-tensor, per-channel, any\n");
}

static void test_bad_values(void **state) {
  (void)state;
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 0}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.bytes: must be positive, found 0\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": -4096}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.bytes: must be positive, found -4096\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 64, "
      "\"alignment\": 12}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.alignment: 12 is not a power of two\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 64, "
      "\"alignment\": 131072}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.alignment: 131072 out of range [1, 65536]\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"bytes\": 64}}", TA_ERR_MALFORMED,
      "b.json: memory_pool: \"name\" is missing\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 64, "
      "\"weights\": \"rom\"}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.weights: \"rom\" is neither \"pool\" nor \"flash\"\n");
  bad("{\"name\": \"x\", " OPS ", \"memory_pool\": {\"name\": \"p\", \"bytes\": 64, "
      "\"weights\": true}}",
      TA_ERR_MALFORMED, "b.json: memory_pool.weights: expected a string, found a boolean\n");
  bad("{\"name\": \"x\", " OPS ", \"cost\": {\"macs_per_cycle\": -1, \"bytes_per_cycle\": 1, "
      "\"setup_cycles\": 0}}",
      TA_ERR_MALFORMED, "b.json: cost.macs_per_cycle: must be positive, found -1\n");
  bad("{\"name\": \"x\", \"ops\": {\"CONV_2D\": {\"function\": \"f\", \"constraints\": "
      "{\"kernel\": {\"min\": 5, \"max\": 3}, \"stride\": [1, 0]}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.CONV_2D.constraints.kernel: min 5 above max 3\n"
      "b.json: ops.CONV_2D.constraints.stride[1]: must be positive, found 0\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f\", \"constraints\": "
      "{\"stride\": [1]}}}}",
      TA_ERR_MALFORMED,
      "b.json: ops.ADD.constraints.stride: does not apply to ADD (only to CONV_2D, "
      "DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D)\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"function\": \"f(\"}}}", TA_ERR_MALFORMED,
      "b.json: ops.ADD.function: \"f(\" is not a C identifier\n");
  bad("{\"name\": \"x\", \"ops\": {\"ADD\": {\"wraps\": \"g\"}}}", TA_ERR_MALFORMED,
      "b.json: ops.ADD: \"function\" is missing (the C function to call)\n"
      "b.json: ops.ADD.wraps: only an adapter wraps a function (set \"convention\": "
      "\"adapter\")\n");
  bad("{\"name\": \"a b\", " OPS "}", TA_ERR_MALFORMED,
      "b.json: name: \"a b\": use letters, digits, '_' and '-' (at most 64)\n");
  bad("{\"ops\": {}}", TA_ERR_MALFORMED,
      "b.json: \"name\" is missing (the backend's name)\n"
      "b.json: ops: no operator declared\n");
  bad("{\"name\": \"x\", " OPS ", \"version\": 2}", TA_ERR_UNSUPPORTED,
      "b.json: version: 2 is not supported (this tinyaot reads 1)\n");
}

static void test_variables(void **state) {
  (void)state;
  bad("{\"name\": \"x\", " OPS ", \"sources\": [\"${CMSIS_NN}/a.c\"]}", TA_ERR_USAGE,
      "b.json: sources[0]: variable CMSIS_NN is not set (give --backend-var CMSIS_NN=VALUE or "
      "set it in the environment)\n");
  bad("{\"name\": \"x\", " OPS ", \"cflags\": [\"-I${SDK\"]}", TA_ERR_MALFORMED,
      "b.json: cflags[0]: \"-I${SDK\": \"${\" must be followed by a variable name and \"}\"\n");
  /* The environment hook answers what the variables do not. */
  ta_backend_var v = {"A", "1"};
  ta_backend_desc_options opt = {.vars = &v, .n_vars = 1, .getenv_fn = fake_env};
  ta_backend_desc *d;
  assert_int_equal(
      rd("b.json", "{\"name\": \"x\", " OPS ", \"cflags\": [\"-D${A}${SDK}$B\"]}", &opt, &d),
      TA_OK);
  assert_string_equal(d->cflags[0], "-D1sdk$B");
  ta_ctx_free(&ctx);
  /* --backend-var parsing. */
  ctx_start();
  assert_int_equal(ta_backend_var_parse(&ctx, "CMSIS_NN=/a=b", &v), TA_OK);
  assert_string_equal(v.key, "CMSIS_NN");
  assert_string_equal(v.value, "/a=b");
  assert_int_equal(ta_backend_var_parse(&ctx, "1X=2", &v), TA_ERR_USAGE);
  assert_int_equal(ta_backend_var_parse(&ctx, "NOVALUE", &v), TA_ERR_USAGE);
  assert_string_equal(msgs.text,
                      "--backend-var \"1X=2\": expected KEY=VALUE, KEY a variable name "
                      "([A-Za-z_][A-Za-z0-9_]*, at most 64 characters)\n"
                      "--backend-var \"NOVALUE\": expected KEY=VALUE, KEY a variable name "
                      "([A-Za-z_][A-Za-z0-9_]*, at most 64 characters)\n");
  ta_ctx_free(&ctx);
}

/* Checking goes on after an error; past the context's cap errors are counted, not shown. */
static void test_keeps_checking(void **state) {
  (void)state;
  const char *json = "{\"name\": \"x\", \"ops\": {\"CONV_3D\": {}, \"ADD\": {\"function\": 1}},"
                     " \"sources\": [\"${V}\", 2], \"memory_pool\": {\"name\": \"p\", "
                     "\"bytes\": 0}, \"extra\": 1}";
  ta_backend_desc *d;
  assert_int_equal(rd("b.json", json, NULL, &d), TA_ERR_MALFORMED);
  assert_null(d);
  assert_string_equal(
      msgs.text,
      "b.json: extra: unknown key; known keys: name, description, version, ops, sources, "
      "include_dirs, cflags, memory_pool, cost, targets, subgraphs\n"
      "b.json: ops.CONV_3D: unknown operator \"CONV_3D\"; tinyaot's operators: CONV_2D, "
      "DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL, RESHAPE, "
      "SOFTMAX, QUANTIZE, DEQUANTIZE, MEAN, LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, PAD, "
      "CONCATENATION, SUB, DIV, LEAKY_RELU, CLAMP, TRANSPOSE, BATCH_MATMUL, SLICE, STRIDED_SLICE, "
      "SPLIT, SPLIT_V, GATHER, CAST, HARD_SWISH, HARD_SIGMOID, REDUCE_MAX, REDUCE_MIN, SUM, "
      "MINIMUM, MAXIMUM, SQUARED_DIFFERENCE, NEG, ABS, SQRT, RSQRT, EXP, LOG, LOG_SOFTMAX, ELU, "
      "PRELU, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, TRANSPOSE_CONV, MIRROR_PAD, ERF, POW, "
      "SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM, GRU\n"
      "b.json: ops.ADD.function: expected a string, found an integer\n"
      "b.json: sources[1]: expected a string, found an integer\n"
      "b.json: sources[0]: variable V is not set (give --backend-var V=VALUE or set it in the "
      "environment)\n"
      "b.json: memory_pool.bytes: must be positive, found 0\n");
  assert_int_equal(ctx.n_errors, 6);
  ta_ctx_free(&ctx);
  ctx_start();
  ctx.max_errors = 2;
  assert_int_equal(ta_backend_desc_read(&ctx, "b.json", json, strlen(json), NULL, &d),
                   TA_ERR_MALFORMED);
  assert_int_equal(ctx.n_errors, 6);
  const char *last = strstr(msgs.text, "b.json: ops.CONV_3D");
  assert_non_null(last);
  assert_string_equal(strchr(last, '\n') + 1, "too many errors; further errors are not shown\n");
  ta_ctx_free(&ctx);
  /* The model file the context names does not prefix the description's messages. */
  ctx_start();
  ctx.file = "model.tflite";
  assert_int_equal(ta_backend_desc_read(&ctx, "b.json", "{}", 2, NULL, &d), TA_ERR_MALFORMED);
  assert_string_equal(msgs.text, "b.json: \"name\" is missing (the backend's name)\n"
                                 "b.json: \"ops\" is missing (the operators the backend takes)\n");
  assert_string_equal(ctx.file, "model.tflite");
  ta_ctx_free(&ctx);
}

/* ---- the constraint evaluator on models built in code ---- */

typedef struct conv_model {
  int op;   /* TFB_OP_CONV_2D, _DEPTHWISE_CONV_2D, _ADD, _AVERAGE_POOL_2D */
  int type; /* TFB_INT8 or TFB_FLOAT32 */
  int ci, co, k, stride, act;
  int n_scales; /* weight scales: 1 per-tensor, co per-channel */
  int64_t wzp;
} conv_model;

/* One op on an [1,8,8,ci] input: CONV_2D or DEPTHWISE_CONV_2D (k x k, SAME), ADD of a [ci]
 * vector (broadcast), AVERAGE_POOL_2D (k x k). */
static ta_graph *build_graph(const conv_model *m) {
  tfb *b = tfb_new();
  assert_non_null(b);
  bool q = m->type == TFB_INT8;
  int ho = (8 + m->stride - 1) / m->stride;
  int co = m->op == TFB_OP_ADD || m->op == TFB_OP_AVERAGE_POOL_2D ? m->ci : m->co;
  float s = 0.5f;
  int64_t zp = 0;
  int x = tfb_tensor(b, "x", m->type, 4, (int32_t[]){1, 8, 8, m->ci}, 0);
  int y = tfb_tensor(b, "y", m->type, 4, (int32_t[]){1, ho, ho, co}, 0);
  if (q) {
    tfb_quant(b, x, 1, &s, &zp, 0);
    tfb_quant(b, y, 1, &s, &zp, 0);
  }
  int op;
  if (m->op == TFB_OP_ADD) {
    static const int8_t v[64];
    int c = tfb_tensor(b, "c", m->type, 1, (int32_t[]){m->ci}, tfb_buffer(b, v, (size_t)m->ci));
    if (q)
      tfb_quant(b, c, 1, &s, &zp, 0);
    op = tfb_op(b, TFB_OP_ADD, (int[]){x, c}, 2, (int[]){y}, 1);
    tfb_add_options(b, op, m->act);
  } else if (m->op == TFB_OP_AVERAGE_POOL_2D) {
    op = tfb_op(b, m->op, (int[]){x}, 1, (int[]){y}, 1);
    tfb_pool_options(b, op, TFB_PAD_SAME, m->stride, m->stride, m->k, m->k, m->act);
  } else {
    bool dw = m->op == TFB_OP_DEPTHWISE_CONV_2D;
    int32_t wd[4] = {dw ? 1 : m->co, m->k, m->k, dw ? m->co : m->ci};
    size_t n = (size_t)(wd[0] * wd[1] * wd[2] * wd[3]);
    size_t esize = q ? 1 : 4;
    uint8_t *wdata = calloc(n, esize);
    int32_t *bias = calloc((size_t)m->co, 4);
    int w = tfb_tensor(b, "w", m->type, 4, wd, tfb_buffer(b, wdata, n * esize));
    int bi = tfb_tensor(b, "bias", q ? TFB_INT32 : TFB_FLOAT32, 1, (int32_t[]){m->co},
                        tfb_buffer(b, bias, (size_t)m->co * 4));
    if (q) {
      float ws[64], bs[64];
      int64_t wz[64], bz[64];
      for (int i = 0; i < m->n_scales; i++) {
        ws[i] = 0.25f;
        bs[i] = 0.125f;
        wz[i] = m->wzp;
        bz[i] = 0;
      }
      tfb_quant(b, w, m->n_scales, ws, wz, dw ? 3 : 0);
      tfb_quant(b, bi, m->n_scales, bs, bz, 0);
    }
    op = tfb_op(b, m->op, (int[]){x, w, bi}, 3, (int[]){y}, 1);
    if (dw)
      tfb_dwconv_options(b, op, TFB_PAD_SAME, m->stride, m->stride, m->co / m->ci, m->act, 1, 1);
    else
      tfb_conv_options(b, op, TFB_PAD_SAME, m->stride, m->stride, m->act, 1, 1);
    free(wdata);
    free(bias);
  }
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  size_t len;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(bytes);
  /* The graph points into the model's bytes: they live in the arena with it. */
  uint8_t *kept = ta_new(&ctx, len);
  assert_non_null(kept);
  memcpy(kept, bytes, len);
  free(bytes);
  ta_graph *g = NULL;
  if (ta_tfl_read(&ctx, kept, len, &g) != TA_OK)
    fail_msg("model not read: %s", msgs.text);
  assert_int_equal(g->n_ops, 1);
  return g;
}

/* accepts() for a description whose only entry is `entry` (for the op of m). */
static bool accepts(const char *op_name, const char *constraints, const conv_model *m, char *why,
                    size_t cap) {
  char json[2048];
  snprintf(json, sizeof json,
           "{\"name\": \"t\", \"ops\": {\"%s\": {\"function\": \"f\", \"constraints\": %s}}}",
           op_name, constraints);
  ta_backend_desc *d;
  ta_status st = rd("t.json", json, NULL, &d);
  if (st != TA_OK)
    fail_msg("description not read: %s", msgs.text);
  ta_graph *g = build_graph(m);
  bool ok = ta_backend_desc_accepts(d, g, &g->ops[0], why, cap);
  ta_ctx_free(&ctx);
  return ok;
}

static void declined(const char *op_name, const char *constraints, const conv_model *m,
                     const char *reason) {
  char why[256];
  if (accepts(op_name, constraints, m, why, sizeof why))
    fail_msg("accepted under %s", constraints);
  assert_string_equal(why, reason);
}

static void accepted(const char *op_name, const char *constraints, const conv_model *m) {
  char why[256];
  if (!accepts(op_name, constraints, m, why, sizeof why))
    fail_msg("declined under %s: %s", constraints, why);
  assert_string_equal(why, "");
}

static void test_accepts_conv(void **state) {
  (void)state;
  const conv_model m = {TFB_OP_CONV_2D, TFB_INT8, 3, 8, 3, 2, TFB_ACT_RELU6, 8, 0};
  declined("CONV_2D", "{\"stride\": [1]}", &m, "stride 2 not in [1]");
  declined("CONV_2D", "{\"input_channels_multiple\": 4}", &m,
           "input channels 3 not a multiple of 4");
  declined("CONV_2D", "{\"output_channels_multiple\": 16}", &m,
           "output channels 8 not a multiple of 16");
  declined("CONV_2D", "{\"dtypes\": [\"float32\"]}", &m, "dtype int8 not accepted (input 0 \"x\")");
  declined("CONV_2D", "{\"kernel\": {\"max\": 2}}", &m, "kernel 3 above 2");
  declined("CONV_2D", "{\"kernel\": {\"min\": 5}}", &m, "kernel 3 below 5");
  declined("CONV_2D", "{\"kernel\": {\"min\": 4, \"max\": 7}}", &m, "kernel 3 not in 4..7");
  declined("CONV_2D", "{\"activations\": [\"none\", \"relu\"]}", &m,
           "fused activation relu6 not accepted");
  declined("CONV_2D", "{\"weights\": \"per-tensor\"}", &m,
           "weights per-channel, per-tensor required");
  declined("CONV_2D", "{\"batch\": [2]}", &m, "batch 1 not in [2]");
  declined("CONV_2D", "{\"max_tensor_bytes\": 128}", &m,
           "tensor \"x\" of 192 bytes above max_tensor_bytes 128");
  accepted("CONV_2D",
           "{\"dtypes\": [\"int8\"], \"stride\": [1, 2], \"kernel\": [1, 3], \"dilation\": [1], "
           "\"activations\": [\"relu6\"], \"output_channels_multiple\": 4, \"batch\": 1, "
           "\"weights\": \"per-channel\", \"weights_symmetric\": true, \"max_tensor_bytes\": 256}",
           &m);
  /* The first failing constraint is the one reported. */
  declined("CONV_2D", "{\"stride\": [1], \"input_channels_multiple\": 4}", &m,
           "stride 2 not in [1]");

  const conv_model per_tensor = {TFB_OP_CONV_2D, TFB_INT8, 4, 8, 1, 1, TFB_ACT_NONE, 1, 3};
  declined("CONV_2D", "{\"weights\": \"per-channel\"}", &per_tensor,
           "weights per-tensor, per-channel required");
  declined("CONV_2D", "{\"weights_symmetric\": true}", &per_tensor,
           "weights zero point 3, 0 required (symmetric weights)");
  accepted("CONV_2D", "{\"weights\": \"per-tensor\", \"input_channels_multiple\": 4}", &per_tensor);

  const conv_model f32 = {TFB_OP_CONV_2D, TFB_FLOAT32, 3, 8, 3, 1, TFB_ACT_NONE, 0, 0};
  declined("CONV_2D", "{\"dtypes\": [\"int8\"]}", &f32,
           "dtype float32 not accepted (input 0 \"x\")");
  declined("CONV_2D", "{\"weights\": \"per-channel\"}", &f32,
           "weights \"w\" not quantized (per-channel required)");

  const conv_model dw = {TFB_OP_DEPTHWISE_CONV_2D, TFB_INT8, 4, 8, 5, 1, TFB_ACT_NONE, 8, 0};
  declined("DEPTHWISE_CONV_2D", "{\"depth_multiplier\": [1]}", &dw,
           "depth multiplier 2 not in [1]");
  declined("DEPTHWISE_CONV_2D", "{\"kernel\": [3]}", &dw, "kernel 5 not in [3]");
  accepted("DEPTHWISE_CONV_2D", "{\"depth_multiplier\": {\"max\": 2}, \"kernel\": [3, 5]}", &dw);
  /* An op the backend does not take at all. */
  declined("CONV_2D", "{}", &dw, "DEPTHWISE_CONV_2D not taken by backend t");
}

static void test_accepts_eltwise_pool(void **state) {
  (void)state;
  const conv_model add = {TFB_OP_ADD, TFB_INT8, 4, 4, 0, 1, TFB_ACT_NONE, 0, 0};
  declined("ADD", "{\"broadcast\": false}", &add,
           "inputs of shapes [1,8,8,4] and [4] (broadcasting not accepted)");
  accepted("ADD", "{\"broadcast\": true, \"dtypes\": [\"int8\"]}", &add);
  const conv_model pool = {TFB_OP_AVERAGE_POOL_2D, TFB_INT8, 4, 4, 2, 2, TFB_ACT_NONE, 0, 0};
  declined("AVERAGE_POOL_2D", "{\"stride\": {\"max\": 1}}", &pool, "stride 2 above 1");
  accepted("AVERAGE_POOL_2D", "{\"kernel\": [2], \"dilation\": [1], \"count_include_pad\": false}",
           &pool);
}

/* ---- the shipped descriptions ---- */

static void test_shipped(void **state) {
  (void)state;
  char p[1024];
  ta_backend_desc *d;
  /* The CMSIS-NN checkout of ../shared when there, any folder otherwise (files unchecked). */
  const char *shared = getenv("TA_SHARED_DIR");
  char cmsis[1024];
  snprintf(cmsis, sizeof cmsis, "%s/third_party/CMSIS-NN", shared ? shared : "/nonexistent");
  struct stat sb;
  bool have_cmsis = stat(cmsis, &sb) == 0 && S_ISDIR(sb.st_mode);
  ta_backend_var v = {"CMSIS_NN", cmsis};
  ta_backend_desc_options opt = {.vars = &v, .n_vars = 1, .no_file_checks = true};
  snprintf(p, sizeof p, "%s/backends/cmsis-nn/cmsis-nn.json", TA_SOURCE_DIR);
  ctx_start();
  if (ta_backend_desc_load(&ctx, p, &opt, &d) != TA_OK)
    fail_msg("%s", msgs.text);
  assert_string_equal(d->name, "cmsis-nn");
  assert_int_equal(d->n_ops, 8);
  static const ta_op_kind kinds[] = {TA_OP_CONV_2D,
                                     TA_OP_DEPTHWISE_CONV_2D,
                                     TA_OP_FULLY_CONNECTED,
                                     TA_OP_AVERAGE_POOL_2D,
                                     TA_OP_MAX_POOL_2D,
                                     TA_OP_ADD,
                                     TA_OP_MUL,
                                     TA_OP_SOFTMAX};
  for (size_t i = 0; i < TA_ARRAY_LEN(kinds); i++) {
    const ta_backend_op *o = ta_backend_desc_op_find(d, kinds[i]);
    assert_non_null(o);
    assert_int_equal(o->dtypes, 1u << TA_DT_I8);
    assert_int_equal(o->convention, TA_BACKEND_CALL_ADAPTER);
  }
  assert_true(ta_backend_desc_runs_on(d, "host"));
  assert_false(d->has_pool);
  ta_ctx_free(&ctx);
  /* With the files checked: every CMSIS-NN source is in the checkout; only our adapter
   * sources (a later step) may be missing. */
  if (have_cmsis) {
    opt.no_file_checks = false;
    ctx_start();
    ta_status st = ta_backend_desc_load(&ctx, p, &opt, &d);
    for (const char *line = msgs.text; *line; line = strchr(line, '\n') + 1)
      if (strncmp(strstr(line, "sources[") ? strstr(line, "sources[") : line,
                  "sources[0]: \"cmsis_nn_adapters.c\"", 33) != 0)
        fail_msg("unexpected: %s", line);
    assert_true(st == TA_OK || st == TA_ERR_IO);
    ta_ctx_free(&ctx);
  } else {
    printf("test_shipped: %s absent, CMSIS-NN's sources not checked\n", cmsis);
  }

  snprintf(p, sizeof p, "%s/examples/accelerators/npu/npu.json", TA_SOURCE_DIR);
  opt.no_file_checks = true;
  ctx_start();
  if (ta_backend_desc_load(&ctx, p, &opt, &d) != TA_OK)
    fail_msg("%s", msgs.text);
  assert_string_equal(d->name, "npu");
  assert_int_equal(d->n_ops, 2);
  assert_true(d->has_pool);
  assert_int_equal(d->pool.bytes, 32768);
  assert_true(d->has_cost);
  assert_false(ta_backend_desc_runs_on(d, "host"));
  assert_true(ta_backend_desc_runs_on(d, "cortex-m33"));
  ta_ctx_free(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_syntax),
      cmocka_unit_test(test_unknown_key),   cmocka_unit_test(test_wrong_type),
      cmocka_unit_test(test_unknown_names), cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_variables),     cmocka_unit_test(test_keeps_checking),
      cmocka_unit_test(test_accepts_conv),  cmocka_unit_test(test_accepts_eltwise_pool),
      cmocka_unit_test(test_shipped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
