/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tune_log.c: the tuning log (src/tune). Records appended are read back equal, byte for
 * byte on disk; best and has follow their rules; every kind of bad line is refused with a
 * message naming PATH:LINE, the key and the reason; and --tuning-log in the compile entry
 * point schedules the ops the log has a record for by that record, the others by the
 * heuristic, a stale record being a warning and the heuristic, with outputs unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ta_schedule.h"
#include "ta_tune_log.h"
#include "tflbuild.h"
#include "tt_capture.h"
#include "tt_pipeline.h"

static char dir[256];

/* A path in the test's directory (in one of a few rotating buffers: a test holds several). */
static const char *tmp_path(const char *name) {
  static char p[8][512];
  static int next;
  char *out = p[next++ % 8];
  snprintf(out, 512, "%s/%s", dir, name);
  return out;
}

static void write_text(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, n, f), n);
  fclose(f);
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return buf;
}

typedef struct env {
  ta_ctx ctx;
  tt_capture cap;
} env;

static void env_init(env *e) {
  memset(e, 0, sizeof *e);
  ta_ctx_init(&e->ctx, NULL, NULL, tt_capture_sink, &e->cap);
}

/* ---- round trip ---- */

static void test_round_trip(void **state) {
  (void)state;
  env e;
  env_init(&e);
  const char *path = tmp_path("rt.log");
  unlink(path);
  ta_tune_record r[3] = {
      {.version = "0.1.0",
       .workload = "CONV_2D in=int8[1,6,5,4] out=int8[1,6,5,6]",
       .target = "cortex-m4",
       .variant = "packed",
       .knob_names = {"weights"},
       .knobs = {16},
       .n_knobs = 1,
       .instructions = 1234,
       .status = "ok"},
      {.version = "0.1.0",
       .workload = "CONV_2D in=int8[1,6,5,4] out=int8[1,6,5,6]",
       .target = "cortex-m4",
       .variant = "ref",
       .instructions = 5000,
       .cycles = 7000,
       .status = "wrong",
       .reason = "output 0 differs at byte 3: \"quoted\"\nand a newline"},
      {.version = "0.1.0",
       .workload = "FULLY_CONNECTED x",
       .target = "cortex-m7",
       .variant = "packed",
       .knob_names = {"a", "b"},
       .knobs = {-1, 2147483647},
       .n_knobs = 2,
       .status = "fault",
       .reason = "HardFault at pc 0x20001000"},
  };
  for (int i = 0; i < 3; i++)
    assert_int_equal(ta_tune_log_append(&e.ctx, path, &r[i]), TA_OK);
  /* The bytes on disk: one compact line per record, keys in the documented order. */
  const char *text = read_text(path);
  const char *first = "{\"tinyaot\":\"0.1.0\",\"workload\":\"CONV_2D in=int8[1,6,5,4] "
                      "out=int8[1,6,5,6]\",\"target\":\"cortex-m4\",\"variant\":\"packed\","
                      "\"knobs\":{\"weights\":16},\"instructions\":1234,\"cycles\":null,"
                      "\"status\":\"ok\",\"reason\":null}\n";
  assert_memory_equal(text, first, strlen(first));
  int lines = 0;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  assert_int_equal(lines, 3);

  ta_tune_log *log;
  assert_int_equal(ta_tune_log_read(&e.ctx, path, &log), TA_OK);
  assert_int_equal(ta_tune_log_count(log), 3);
  for (int i = 0; i < 3; i++) {
    const ta_tune_record *g = ta_tune_log_at(log, i);
    assert_non_null(g);
    assert_string_equal(g->version, r[i].version);
    assert_string_equal(g->workload, r[i].workload);
    assert_string_equal(g->target, r[i].target);
    assert_string_equal(g->variant, r[i].variant);
    assert_string_equal(g->status, r[i].status);
    assert_int_equal(g->n_knobs, r[i].n_knobs);
    for (int k = 0; k < g->n_knobs; k++) {
      assert_string_equal(g->knob_names[k], r[i].knob_names[k]);
      assert_int_equal(g->knobs[k], r[i].knobs[k]);
    }
    assert_int_equal(g->instructions, r[i].instructions);
    assert_int_equal(g->cycles, r[i].cycles);
    if (r[i].reason)
      assert_string_equal(g->reason, r[i].reason);
    else
      assert_null(g->reason);
    assert_int_equal(g->line, i + 1);
  }
  assert_null(ta_tune_log_at(log, 3));
  assert_string_equal(ta_tune_log_path(log), path);

  /* has: any status, knob values in order. */
  const int32_t k16 = 16, k8 = 8, k2[2] = {-1, 2147483647};
  assert_true(ta_tune_log_has(log, r[0].workload, "cortex-m4", "packed", &k16, 1));
  assert_false(ta_tune_log_has(log, r[0].workload, "cortex-m4", "packed", &k8, 1));
  assert_false(ta_tune_log_has(log, r[0].workload, "cortex-m7", "packed", &k16, 1));
  assert_true(ta_tune_log_has(log, r[0].workload, "cortex-m4", "ref", NULL, 0));
  assert_true(ta_tune_log_has(log, "FULLY_CONNECTED x", "cortex-m7", "packed", k2, 2));
  assert_false(ta_tune_log_has(log, "FULLY_CONNECTED x", "cortex-m7", "packed", k2, 1));
  /* best: "ok" only. */
  const ta_tune_record *b = ta_tune_log_best(log, r[0].workload, "cortex-m4");
  assert_non_null(b);
  assert_int_equal(b->line, 1);
  assert_null(ta_tune_log_best(log, "FULLY_CONNECTED x", "cortex-m7"));

  /* An invalid record is refused and nothing is written. */
  ta_tune_record bad = r[0];
  bad.status = "great";
  assert_int_equal(ta_tune_log_append(&e.ctx, path, &bad), TA_ERR_USAGE);
  bad = r[0];
  bad.instructions = 0;
  assert_int_equal(ta_tune_log_append(&e.ctx, path, &bad), TA_ERR_USAGE);
  bad = r[0];
  bad.n_knobs = TA_TUNE_MAX_KNOBS + 1;
  assert_int_equal(ta_tune_log_append(&e.ctx, path, &bad), TA_ERR_USAGE);
  tt_assert_captured(&e.cap, "not appending an invalid tuning record");
  assert_string_equal(read_text(path), text);
  const char *missing = tmp_path("never.log");
  unlink(missing);
  assert_int_equal(ta_tune_log_append(&e.ctx, missing, &bad), TA_ERR_USAGE);
  assert_int_not_equal(access(missing, F_OK), 0);
  ta_ctx_free(&e.ctx);
}

/* A hand-edited log without its last newline: append puts the record on a line of its own. */
static void test_append_after_unterminated(void **state) {
  (void)state;
  env e;
  env_init(&e);
  const char *path = tmp_path("edit.log");
  const char *line = "{\"tinyaot\":\"0.1.0\",\"workload\":\"W\",\"target\":\"t\",\"variant\":"
                     "\"ref\",\"instructions\":10,\"status\":\"ok\"}";
  write_text(path, line, strlen(line));
  ta_tune_record r = {
      .workload = "W", .target = "t", .variant = "opt", .instructions = 5, .status = "ok"};
  assert_int_equal(ta_tune_log_append(&e.ctx, path, &r), TA_OK);
  ta_tune_log *log;
  assert_int_equal(ta_tune_log_read(&e.ctx, path, &log), TA_OK);
  assert_int_equal(ta_tune_log_count(log), 2);
  assert_string_equal(ta_tune_log_best(log, "W", "t")->variant, "opt");
  ta_ctx_free(&e.ctx);
}

/* ---- best: fewest instructions, cycles when both have them, ties to the first ---- */

static void test_best(void **state) {
  (void)state;
  env e;
  env_init(&e);
  const char *text =
      "{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"a\",\"instructions\":"
      "100,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"b\",\"instructions\":"
      "100,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"c\",\"instructions\":"
      "50,\"status\":\"wrong\"}\n"
      "\n"
      "{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m7\",\"variant\":\"d\",\"instructions\":"
      "10,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"V\",\"target\":\"m4\",\"variant\":\"e\",\"instructions\":"
      "90,\"cycles\":300,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"V\",\"target\":\"m4\",\"variant\":\"f\",\"instructions\":"
      "80,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"V\",\"target\":\"m4\",\"variant\":\"g\",\"instructions\":"
      "95,\"cycles\":200,\"status\":\"ok\",\"extra\":[1,2]}\n";
  ta_tune_log *log;
  assert_int_equal(ta_tune_log_parse(&e.ctx, "b.log", (const uint8_t *)text, strlen(text), &log),
                   TA_OK);
  assert_int_equal(ta_tune_log_count(log), 7); /* the blank line skipped */
  assert_string_equal(ta_tune_log_best(log, "W", "m4")->variant, "a");
  assert_string_equal(ta_tune_log_best(log, "W", "m7")->variant, "d");
  assert_int_equal(ta_tune_log_best(log, "W", "m7")->line, 5);
  /* e vs f: instructions (f has no cycles); f vs g: instructions (80 < 95); e and g both have
   * cycles, but f sits between them: f wins. */
  assert_string_equal(ta_tune_log_best(log, "V", "m4")->variant, "f");
  assert_null(ta_tune_log_best(log, "X", "m4"));

  /* Targets: several need a choice; a wanted one must be there. */
  const char *t;
  assert_int_equal(ta_tune_log_target(&e.ctx, log, NULL, &t), TA_ERR_USAGE);
  tt_assert_captured(&e.cap, "b.log holds records for several targets (m4, m7): say which with "
                             "--tuning-target");
  assert_int_equal(ta_tune_log_target(&e.ctx, log, "m7", &t), TA_OK);
  assert_string_equal(t, "m7");
  assert_int_equal(ta_tune_log_target(&e.ctx, log, "m33", &t), TA_ERR_USAGE);
  tt_assert_captured(&e.cap, "b.log has no record for target m33 (it has: m4, m7)");
  ta_ctx_free(&e.ctx);

  /* Cycles decide when both records have them. */
  env_init(&e);
  const char *cyc =
      "{\"tinyaot\":\"0\",\"workload\":\"V\",\"target\":\"m4\",\"variant\":\"e\",\"instructions\":"
      "90,\"cycles\":300,\"status\":\"ok\"}\n"
      "{\"tinyaot\":\"0\",\"workload\":\"V\",\"target\":\"m4\",\"variant\":\"g\",\"instructions\":"
      "95,\"cycles\":200,\"status\":\"ok\"}\n";
  assert_int_equal(ta_tune_log_parse(&e.ctx, "c.log", (const uint8_t *)cyc, strlen(cyc), &log),
                   TA_OK);
  assert_string_equal(ta_tune_log_best(log, "V", "m4")->variant, "g");
  assert_int_equal(ta_tune_log_target(&e.ctx, log, NULL, &t), TA_OK);
  assert_string_equal(t, "m4");
  ta_ctx_free(&e.ctx);

  /* A missing file: an empty log when allowed (resume), an I/O error otherwise. */
  env_init(&e);
  const char *missing = tmp_path("missing.log");
  unlink(missing);
  assert_int_equal(ta_tune_log_open(&e.ctx, missing, true, &log), TA_OK);
  assert_int_equal(ta_tune_log_count(log), 0);
  assert_int_equal(ta_tune_log_target(&e.ctx, log, NULL, &t), TA_OK);
  assert_null(t);
  assert_int_equal(ta_tune_log_read(&e.ctx, missing, &log), TA_ERR_IO);
  ta_ctx_free(&e.ctx);
}

/* ---- hostile logs: each bad line named, with its key and reason ---- */

#define GOOD                                                                                       \
  "{\"tinyaot\":\"0.1.0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\","               \
  "\"instructions\":10,\"status\":\"ok\"}\n"

typedef struct bad_case {
  const char *text; /* the log (after one good line) */
  const char *msg;  /* the message expected (a whole line) */
} bad_case;

static void test_hostile(void **state) {
  (void)state;
  static const bad_case cases[] = {
      {"{\"tinyaot\":\n", "h.log:2: not JSON: "},
      {"[1,2]\n", "h.log:2: expected a JSON object (one record), found a list"},
      {"{\"tinyaot\":\"0\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":\"error\"}\n",
       "h.log:2: workload: missing (a string)"},
      {"{\"tinyaot\":\"0\",\"workload\":7,\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"error\"}\n",
       "h.log:2: workload: expected a string, found an integer"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"great\"}\n",
       "h.log:2: status: unknown status \"great\" (known: ok, wrong, fault, error)"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"ok\",\"instructions\":-5}\n",
       "h.log:2: instructions: negative count -5"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"ok\",\"instructions\":5,\"cycles\":1.5}\n",
       "h.log:2: cycles: expected an integer or null, found a number with a fraction"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"ok\"}\n",
       "h.log:2: instructions: a record of status ok needs its instruction count (above 0)"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"error\",\"knobs\":{\"weights\":\"16\"}}\n",
       "h.log:2: knobs.weights: expected an integer, found a string"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"error\",\"knobs\":{\"weights\":4294967296}}\n",
       "h.log:2: knobs.weights: 4294967296 is out of the 32-bit range"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"error\",\"knobs\":[16]}\n",
       "h.log:2: knobs: expected an object of knob name -> integer, found a list"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"error\",\"knobs\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":"
       "1}}\n",
       "h.log:2: knobs: 9 knobs, at most 8"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m\\u0001\",\"variant\":\"ref\","
       "\"status\":\"nope\\u0007\"}\n",
       "h.log:2: status: unknown status \"nope\\x07\" (known: ok, wrong, fault, error)"},
      {"{\"tinyaot\":\"0\",\"workload\":\"W\",\"target\":\"m4\",\"variant\":\"ref\",\"status\":"
       "\"ok\",\"instructions\":5,\"status\":\"ok\"}\n",
       "h.log:2: not JSON: duplicate object key"},
      /* Killed mid-write: the last line has no newline and is cut. */
      {"{\"tinyaot\":\"0.1.0\",\"workload\":\"W\",\"target\":\"m4\",\"var",
       "h.log:2: truncated record (the last line has no newline and is not complete JSON: a run "
       "killed mid-write?); delete the line to use the log: "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    env e;
    env_init(&e);
    char text[4096];
    snprintf(text, sizeof text, "%s%s", GOOD, cases[i].text);
    ta_tune_log *log = (ta_tune_log *)&e; /* must stay untouched */
    ta_status st = ta_tune_log_parse(&e.ctx, "h.log", (const uint8_t *)text, strlen(text), &log);
    if (st != TA_ERR_MALFORMED || !strstr(e.cap.text, cases[i].msg))
      print_error("case %zu: status %s, messages:\n%s", i, ta_status_name(st), e.cap.text);
    assert_int_equal(st, TA_ERR_MALFORMED);
    assert_ptr_equal(log, (ta_tune_log *)&e);
    tt_assert_captured(&e.cap, cases[i].msg);
    ta_ctx_free(&e.ctx);
  }

  /* A line too long; and every bad line of one log reported, good lines between them. */
  env e;
  env_init(&e);
  size_t n = TA_TUNE_MAX_LINE_BYTES + 100;
  char *big = malloc(n + 512);
  assert_non_null(big);
  size_t o = (size_t)snprintf(big, n + 512, "%s", GOOD);
  memset(big + o, ' ', TA_TUNE_MAX_LINE_BYTES + 1);
  o += TA_TUNE_MAX_LINE_BYTES + 1;
  o += (size_t)snprintf(big + o, n + 512 - o, "\n%s[]\n%s7\n", GOOD, GOOD);
  ta_tune_log *log;
  assert_int_equal(ta_tune_log_parse(&e.ctx, "m.log", (const uint8_t *)big, o, &log),
                   TA_ERR_MALFORMED);
  tt_assert_line(&e.cap, "m.log:2: line too long (16385 bytes, at most 16384)");
  tt_assert_line(&e.cap, "m.log:4: expected a JSON object (one record), found a list");
  tt_assert_line(&e.cap, "m.log:6: expected a JSON object (one record), found an integer");
  assert_int_equal(e.ctx.n_errors, 3);
  free(big);
  ta_ctx_free(&e.ctx);

  /* Through the file reader and with a model's name in ctx->file: the log is named, not the
   * model. */
  env_init(&e);
  const char *path = tmp_path("hostile.log");
  write_text(path, GOOD "{]\n", strlen(GOOD) + 3);
  e.ctx.file = "model.tflite";
  assert_int_equal(ta_tune_log_read(&e.ctx, path, &log), TA_ERR_MALFORMED);
  char want[600];
  snprintf(want, sizeof want, "%s:2: not JSON: ", path);
  assert_true(strncmp(e.cap.text, want, strlen(want)) == 0);
  assert_string_equal(e.ctx.file, "model.tflite");
  ta_ctx_free(&e.ctx);
}

/* ---- the log applied by the compile entry point ---- */

/* x[1,6,5,4] -> CONV_2D (4 -> 6) -> DEPTHWISE_CONV_2D -> CONV_2D in 2 groups (6 -> 6): three
 * workloads. */
static uint8_t *model3(size_t *len) {
  tfb *b = tfb_new();
  float s = 0.05f, sw = 0.01f, sb = 0.0005f;
  int64_t zp = 3, z0 = 0;
  int32_t dims[4] = {1, 6, 5, 4}, dims6[4] = {1, 6, 5, 6};
  int x = tfb_tensor(b, "x", TFB_INT8, 4, dims, 0);
  tfb_quant(b, x, 1, &s, &zp, 0);
  int prev = x;
  const int kinds[3] = {TFB_OP_CONV_2D, TFB_OP_DEPTHWISE_CONV_2D, TFB_OP_CONV_2D};
  for (int l = 0; l < 3; l++) {
    int32_t wd[4];
    if (l == 0)
      wd[0] = 6, wd[1] = 3, wd[2] = 3, wd[3] = 4;
    else if (l == 1)
      wd[0] = 1, wd[1] = 3, wd[2] = 3, wd[3] = 6;
    else
      wd[0] = 6, wd[1] = 3, wd[2] = 3, wd[3] = 3; /* groups 2 */
    size_t wn = (size_t)wd[0] * (size_t)wd[1] * (size_t)wd[2] * (size_t)wd[3];
    int8_t wv[256];
    for (size_t i = 0; i < wn; i++)
      wv[i] = (int8_t)((int)(i * 7 % 13) - 6 + l);
    char name[16];
    snprintf(name, sizeof name, "w%d", l);
    int w = tfb_tensor(b, name, TFB_INT8, 4, wd, tfb_buffer(b, wv, wn));
    tfb_quant(b, w, 1, &sw, &z0, 0);
    int32_t bv[6] = {100, -200, 300, -400, 500, -600};
    snprintf(name, sizeof name, "b%d", l);
    int bias = tfb_tensor(b, name, TFB_INT32, 1, (int32_t[]){6}, tfb_buffer(b, bv, sizeof bv));
    tfb_quant(b, bias, 1, &sb, &z0, 0);
    snprintf(name, sizeof name, "y%d", l);
    int y = tfb_tensor(b, name, TFB_INT8, 4, dims6, 0);
    float so = 0.1f;
    int64_t zo = -2;
    tfb_quant(b, y, 1, &so, &zo, 0);
    int op = tfb_op(b, kinds[l], (int[]){prev, w, bias}, 3, (int[]){y}, 1);
    if (kinds[l] == TFB_OP_CONV_2D)
      tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_NONE, 1, 1);
    else
      tfb_dwconv_options(b, op, TFB_PAD_SAME, 1, 1, 1, TFB_ACT_NONE, 1, 1);
    prev = y;
  }
  tfb_io(b, (int[]){x}, 1, (int[]){prev}, 1);
  return tt_finish(b, len);
}

typedef struct compiled {
  const char *variant[3];
  ta_sched_why why[3];
  int32_t knob0; /* op 0's first knob value, -99 when none */
  int8_t out[180];
} compiled;

/* Compile model3 (with the log at path when given), evaluate it on a fixed input. */
static ta_status compile3(const char *log, const char *tuning_target, tt_capture *cap,
                          compiled *c) {
  size_t len;
  uint8_t *bytes = model3(&len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  o.last_stage = TA_STAGE_SCHEDULE;
  o.tuning_log = log;
  o.tuning_target = tuning_target;
  tt_run r;
  ta_status st = tt_compile(&r, "m3.tflite", bytes, len, &o);
  free(bytes);
  memset(c, 0, sizeof *c);
  if (st == TA_OK) {
    for (int i = 0; i < 3; i++) {
      const ta_variant *v = ta_sched_variant(&r.calls[i], &c->why[i]);
      assert_non_null(v);
      c->variant[i] = v->name;
    }
    c->knob0 = r.calls[0].knobs ? r.calls[0].knobs[0] : -99;
    int8_t in[120];
    for (int i = 0; i < 120; i++)
      in[i] = (int8_t)(i * 37 % 251 - 125);
    const void *ins[1] = {in};
    void *outs[1] = {c->out};
    assert_int_equal(ta_graph_eval(r.g, r.calls, ins, outs), TA_OK);
  }
  memcpy(cap, &r.cap, sizeof *cap);
  tt_done(&r);
  return st;
}

/* The workload keys of model3's ops, as the compile makes them. */
static void keys3(char keys[3][512]) {
  size_t len;
  uint8_t *bytes = model3(&len);
  tt_run r;
  assert_int_equal(tt_prepare(&r, bytes, len), TA_OK);
  for (int i = 0; i < 3; i++)
    snprintf(keys[i], 512, "%s", ta_sched_workload_key(r.g, &r.g->ops[i]));
  tt_done(&r);
  free(bytes);
}

static void append(const char *path, const char *workload, const char *target, const char *variant,
                   const char *knob, int32_t value, uint64_t insns) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, NULL, NULL);
  ta_tune_record r = {.workload = workload,
                      .target = target,
                      .variant = variant,
                      .knob_names = {knob},
                      .knobs = {value},
                      .n_knobs = knob ? 1 : 0,
                      .instructions = insns,
                      .status = "ok"};
  assert_int_equal(ta_tune_log_append(&ctx, path, &r), TA_OK);
  ta_ctx_free(&ctx);
}

static void test_compile_with_log(void **state) {
  (void)state;
  static tt_capture cap;
  compiled base, tuned;
  char keys[3][512];
  keys3(keys);
  assert_int_equal(compile3(NULL, NULL, &cap, &base), TA_OK);
  /* The heuristic: packed conv, plane depthwise, reference for the grouped conv. */
  assert_string_equal(base.variant[0], "packed");
  assert_string_equal(base.variant[1], "plane");
  assert_string_equal(base.variant[2], "ref");
  for (int i = 0; i < 3; i++)
    assert_int_equal(base.why[i], TA_SCHED_HEURISTIC);

  /* A log for op 0 only: the reference variant (a non-default pick) is its best record; the
   * depthwise and grouped conv are missing from the log: heuristic. */
  const char *path = tmp_path("c.log");
  unlink(path);
  append(path, keys[0], "cortex-m4", "packed", "weights", 16, 900);
  append(path, keys[0], "cortex-m4", "ref", NULL, 0, 800);
  append(path, keys[0], "cortex-m7", "packed", "weights", 8, 100);
  assert_int_equal(compile3(path, "cortex-m4", &cap, &tuned), TA_OK);
  assert_string_equal(tuned.variant[0], "ref");
  assert_int_equal(tuned.why[0], TA_SCHED_LOG);
  assert_string_equal(tuned.variant[1], base.variant[1]);
  assert_int_equal(tuned.why[1], TA_SCHED_HEURISTIC);
  assert_string_equal(tuned.variant[2], base.variant[2]);
  assert_int_equal(tuned.why[2], TA_SCHED_HEURISTIC);
  assert_memory_equal(tuned.out, base.out, sizeof base.out);
  assert_int_equal(cap.n_warnings, 0);
  /* The other target's record: packed with 8-bit weights (the heuristic's 0 lets the op
   * decide). */
  assert_int_equal(compile3(path, "cortex-m7", &cap, &tuned), TA_OK);
  assert_string_equal(tuned.variant[0], "packed");
  assert_int_equal(tuned.why[0], TA_SCHED_LOG);
  assert_int_equal(tuned.knob0, 8);
  assert_int_equal(base.knob0, 0);
  assert_memory_equal(tuned.out, base.out, sizeof base.out);
  /* Two targets and none named: refused, naming both. */
  assert_int_equal(compile3(path, NULL, &cap, &tuned), TA_ERR_USAGE);
  tt_assert_captured(&cap, "holds records for several targets (cortex-m4, cortex-m7)");
  assert_string_equal(ta_sched_why_name(TA_SCHED_LOG), "log");

  /* Stale records: a variant the op does not have, a knob value the variant does not allow,
   * a variant that does not apply (the grouped conv cannot run packed): warnings naming the
   * line, and the heuristic. */
  const char *stale = tmp_path("stale.log");
  unlink(stale);
  append(stale, keys[0], "cortex-m4", "turbo", NULL, 0, 10);
  append(stale, keys[1], "cortex-m4", "opt", "block", 4, 10);
  append(stale, keys[2], "cortex-m4", "packed", "weights", 8, 10);
  assert_int_equal(compile3(stale, NULL, &cap, &tuned), TA_OK);
  for (int i = 0; i < 3; i++) {
    assert_string_equal(tuned.variant[i], base.variant[i]);
    assert_int_equal(tuned.why[i], TA_SCHED_HEURISTIC);
  }
  assert_memory_equal(tuned.out, base.out, sizeof base.out);
  char want[700];
  snprintf(want, sizeof want,
           "%s:1: tuning record names variant \"turbo\", which this op does not have (a stale "
           "log?); the default schedule is used",
           stale);
  tt_assert_captured(&cap, want);
  snprintf(want, sizeof want,
           "%s:2: tuning record for variant opt has 1 knob values, the variant has 0 knobs", stale);
  tt_assert_captured(&cap, want);
  snprintf(want, sizeof want,
           "%s:3: variant \"packed\" does not apply to this op; the default schedule is used",
           stale);
  tt_assert_captured(&cap, want);
  assert_int_equal(cap.n_warnings, 3);

  /* A bad log fails the compile (exit 1 in the CLI), naming the line. */
  const char *bad = tmp_path("bad.log");
  write_text(bad, "{}\n", 3);
  assert_int_equal(compile3(bad, NULL, &cap, &tuned), TA_ERR_MALFORMED);
  snprintf(want, sizeof want, "%s:1: tinyaot: missing (a string)", bad);
  tt_assert_captured(&cap, want);
  /* A log of another target than the one asked for. */
  assert_int_equal(compile3(path, "cortex-m33", &cap, &tuned), TA_ERR_USAGE);
  tt_assert_captured(&cap, "has no record for target cortex-m33");
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/tune_log_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_append_after_unterminated),
      cmocka_unit_test(test_best),
      cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_compile_with_log),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    rc = rc ? rc : 1;
  return rc;
}
