/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pipeline.c: libFuzzer target for the whole compiler on one model: bytes -> read ->
 * check -> prepare -> plan -> generated C, all in memory (ta_compile_bytes, ta_cgen_emit; no
 * file system), plus the plan reports and, for small models, an in-process evaluation with
 * the runtime kernels on the planned storage.
 *
 * Plan options vary with the input's length (so every combination gets explored without
 * changing the bytes the reader sees). The arena limit is lowered to 1 MiB so that accepted
 * models stay fast to evaluate.
 *
 * Every input also goes through the hybrid-filter pass (which --quantize int8 runs on a TFLite
 * graph before its checks; quantizing needs calibration files, which a fuzz run has not) and
 * the checks after it.
 *
 * Properties checked besides memory safety: see fuzz_common.h; the generated C has no control
 * characters and its comments and string literals are well formed, i.e. nothing from the
 * model (tensor and op names) can close a comment and inject code, or nest a comment (which
 * -Wall -Werror builds of the generated code would refuse).
 */
#include <string.h>

#include "fuzz_common.h"
#include "ta_codegen.h"
#include "ta_compile.h"
#include "ta_passes.h"
#include "ta_tflite.h"

#define FUZZ_MAX_ARENA (1u << 20)
#define FUZZ_MAX_EVAL_MACS 2000000u

/* Scan C text: comments must not contain a comment opener, strings and comments must close,
 * and no control characters other than newline may appear. */
static void check_c_text(const ta_file *f) {
  enum { CODE, STR, COMMENT } state = CODE;
  const char *s = f->data;
  for (size_t i = 0; i < f->len; i++) {
    char c = s[i];
    char next = i + 1 < f->len ? s[i + 1] : '\0';
    if ((unsigned char)c < 0x20 && c != '\n')
      fuzz_fail("control character in generated code", f->path);
    switch (state) {
    case CODE:
      if (c == '"')
        state = STR;
      else if (c == '/' && next == '*')
        state = COMMENT, i++;
      else if (c == '/' && next == '/')
        fuzz_fail("line comment in generated C99 code", f->path);
      break;
    case STR:
      if (c == '\\')
        i++;
      else if (c == '"')
        state = CODE;
      else if (c == '\n')
        fuzz_fail("newline in a string literal of generated code", f->path);
      break;
    case COMMENT:
      if (c == '*' && next == '/')
        state = CODE, i++;
      else if (c == '/' && next == '*')
        fuzz_fail("comment opener inside a comment", f->path);
      break;
    }
  }
  if (state != CODE)
    fuzz_fail("unterminated comment or string in generated code", f->path);
}

static void check_fileset(const ta_fileset *fs) {
  if (!ta_fileset_find(fs, "fuzz.h") || !ta_fileset_find(fs, "fuzz.c") ||
      !ta_fileset_find(fs, "fuzz_weights.c"))
    fuzz_fail("generated file set lacks fuzz.h, fuzz.c or fuzz_weights.c", NULL);
  for (int32_t i = 0; i < fs->n; i++) {
    const ta_file *f = &fs->files[i];
    if (!f->path || !f->data || strlen(f->data) != f->len)
      fuzz_fail("broken generated file", f->path);
    if (strncmp(f->path, "tart/", 5) == 0)
      continue; /* the runtime, copied verbatim */
    size_t n = strlen(f->path);
    if (n > 2 && (strcmp(f->path + n - 2, ".c") == 0 || strcmp(f->path + n - 2, ".h") == 0))
      check_c_text(f);
  }
}

/* Evaluate the planned model on zero inputs, each storage group in its own heap block, so
 * that ASan sees a kernel that reads or writes outside a tensor. */
static void eval(ta_model *m) {
  ta_graph *g = m->g;
  if (ta_graph_macs(g) > FUZZ_MAX_EVAL_MACS)
    return;
  /* ta_graph_eval gives every non-constant tensor a buffer, also those no op uses (which the
   * planner does not size-check): skip models where one is large. */
  for (int32_t t = 0; t < g->n_tensors; t++) {
    size_t bytes;
    if (!ta_tensor_is_const(&g->tensors[t]) &&
        (!ta_tensor_bytes(&g->tensors[t], &bytes) || bytes > FUZZ_MAX_ARENA))
      return;
  }
  const void *ins[64];
  void *outs[64];
  if (g->n_inputs > 64 || g->n_outputs > 64)
    return;
  bool ok = true;
  for (int32_t k = 0; k < g->n_inputs; k++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->inputs[k]], &bytes);
    ins[k] = ta_new(g->ctx, bytes);
    ok = ok && ins[k];
  }
  for (int32_t k = 0; k < g->n_outputs; k++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->outputs[k]], &bytes);
    outs[k] = ta_new(g->ctx, bytes);
    ok = ok && outs[k];
  }
  if (!ok)
    return;
  ta_status st = ta_graph_eval_shared(g, m->calls, m->plan.root, ins, outs);
  fuzz_check_status(g->ctx, st, "ta_graph_eval_shared");
}

/* ta_pass_dequantize_hybrid on the read graph, then the op checks, as --quantize int8 has it. */
static void hybrid(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ta_graph *g;
  if (ta_tfl_read(&ctx, data, size, &g) == TA_OK) {
    int32_t n;
    ta_status st = ta_pass_dequantize_hybrid(g, &n);
    fuzz_check_status(&ctx, st, "ta_pass_dequantize_hybrid");
    if (st == TA_OK) {
      fuzz_check_graph(g);
      st = ta_graph_check(g);
      if (st == TA_OK)
        st = ta_graph_check_ops(g);
      fuzz_check_status(&ctx, st, "checks after ta_pass_dequantize_hybrid");
    }
  }
  ta_ctx_free(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hybrid(data, size);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.plan.io_in_arena = (size & 1) != 0;
  opt.plan.no_inplace = (size & 2) != 0;
  opt.plan.alignment = (size & 4) ? 16 : 4;
  opt.plan.no_reorder = (size & 24) == 24;
  opt.plan.max_arena_bytes = FUZZ_MAX_ARENA;
  ta_model m;
  ta_status st = ta_compile_bytes(&ctx, "fuzz.tflite", data, size, &opt, &m);
  fuzz_check_status(&ctx, st, "ta_compile_bytes");
  if (st == TA_OK && ctx.n_errors)
    fuzz_fail("TA_OK after an error was reported", NULL);
  if (st == TA_OK) {
    ta_fileset fs;
    ta_cgen_options copt = {"fuzz", "fuzz.tflite"};
    st = ta_cgen_emit(m.g, m.calls, &m.plan, &copt, &fs);
    fuzz_check_status(&ctx, st, "ta_cgen_emit");
    if (st == TA_OK)
      check_fileset(&fs);
    ta_buf b;
    ta_buf_init(&b, &ctx);
    ta_plan_print(m.g, m.calls, &m.plan, &b);
    ta_plan_svg(m.g, m.calls, &m.plan, &b);
    ta_buf_free(&b);
    if (st == TA_OK && !ctx.oom)
      eval(&m);
  }
  ta_ctx_free(&ctx);
  return 0;
}
