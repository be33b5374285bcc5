/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.c: `tinyaot bench MODEL [--target T] [--input FILE...] [--json]` and
 * `tinyaot bench --suite DIR ...`: what a model costs on a Cortex-M.
 *
 * One benchmark: compile the model, run it on the host (the reference for the outputs),
 * build the firmware for the board, run it on the device twice without and once with
 * per-layer timing, and report instructions per inference (whole and per layer), flash and
 * RAM. Instructions are QEMU's exact count of executed guest instructions: under
 * `-icount shift=0` the board's timer ticks once per 1e9/clock_hz instructions, so the
 * figure is timer ticks x that ratio (resolution: one tick; see README, "Measuring"). The
 * milliseconds shown are that count divided by the board's reference clock, a conversion,
 * not a measured time. The suite mode runs several models on several cores and writes a
 * Markdown report and an SVG chart, next to TensorFlow Lite Micro's figures when an anchors
 * file is given.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_cli.h"
#include "ta_config.h"
#include "ta_report.h"
#include "ta_session.h"

static const char help[] =
    "usage: tinyaot bench MODEL [--target T] [--input FILE...] [--json] [options]\n"
    "       tinyaot bench --suite DIR [--models A,B,...] [--targets T,...] [--report FILE]\n"
    "                     [--svg FILE] [--anchors FILE]\n"
    "\n"
    "Build MODEL's firmware for a Cortex-M board, run it on QEMU's model of the board (or on a\n"
    "real board, --device), check its outputs against the host build, and print instructions\n"
    "per inference and per layer (with MACs and MACs per instruction), flash bytes (firmware\n"
    "and model alone) and RAM bytes (arena + stack high-water + data + bss). Instructions are\n"
    "counted exactly and deterministically (QEMU -icount shift=0); the milliseconds shown are\n"
    "instructions / the board's reference clock, not a measured time. Without --input the\n"
    "input is the xorshift pattern of the reference vectors (input k: xorshift32 from state\n"
    "0x12345678+k, one step per element).\n"
    "\n"
    "options:\n"
    "  --target T        cortex-m4 (default), cortex-m3, cortex-m7, cortex-m33\n"
    "  --input FILE      a raw input tensor (repeat once per model input)\n"
    "  --json            print one JSON object instead of the text report\n"
    "  --device WHERE    a real board running this model's firmware: tcp:HOST:PORT or a serial\n"
    "                    device PATH[@BAUD]; its timer then counts clock cycles\n"
    "  --timeout S       limit for one inference, in seconds (default 600)\n"
    "  --name NAME       symbol prefix for the generated code\n"
    "  --keep-build      keep the temporary build directory and print its "
    "path\n" TA_CLI_COMPILE_OPTIONS_HELP "suite options:\n"
    "  --suite DIR       benchmark every .tflite model of DIR (or those of --models)\n"
    "  --models LIST     comma-separated model names (file stems) to take from DIR\n"
    "  --targets LIST    comma-separated targets (default cortex-m4,cortex-m7,cortex-m33)\n"
    "  --report FILE     write a Markdown report (default BENCHMARKS.md)\n"
    "  --svg FILE        write a bar chart of instructions per model and core\n"
    "  --anchors FILE    TensorFlow Lite Micro figures to compare with (a Markdown table)\n"
    "  -h, --help        this text\n";

#define MAX_INPUTS 64
#define MAX_TARGETS 8
#define MAX_MODELS TA_REPORT_MAX_MODELS

/* One model on one board. */
typedef struct bench_run {
  const ta_board *board;
  ta_firmware fw;
  ta_device_result dev;
  bool match;
  char check[160]; /* how outputs were compared, and the result */
} bench_run;

typedef struct bench_model {
  const char *path, *name;
  ta_model m;
  ta_fileset fs;
  uint8_t *inputs[TA_SESSION_MAX_IO];
  const char *input_desc;
  uint8_t *host_out[TA_SESSION_MAX_IO];
  size_t host_bytes[TA_SESSION_MAX_IO];
  uint64_t macs;
  char *dir; /* temporary build directory */
} bench_model;

/* Compare device outputs with the host's: integers bit for bit, float32 within
 * |err| <= 1e-5 * max(1, |ref|). */
static void compare_outputs(const bench_model *bm, bench_run *r) {
  const ta_graph *g = bm->m.g;
  const ta_device_tol tol = {0, 1e-5, true, false, false};
  r->match = true;
  bool any_float = false;
  double worst = 0;
  int32_t bad_k = -1;
  size_t bad_i = 0;
  for (int32_t k = 0; k < g->n_outputs; k++) {
    const ta_tensor *t = &g->tensors[g->outputs[k]];
    size_t n = bm->host_bytes[k];
    if (!r->dev.outputs[k] || r->dev.output_bytes[k] != n) {
      r->match = false;
      bad_k = k;
      continue;
    }
    ta_device_cmp c;
    any_float |= t->dtype == TA_DT_F32;
    if (!ta_device_compare(t->dtype, bm->host_out[k], r->dev.outputs[k], n, &tol, &c) && r->match) {
      r->match = false;
      bad_k = k;
      bad_i = t->dtype == TA_DT_F32 ? c.bad_elem : c.bad_byte;
    }
    if (c.max_err > worst)
      worst = c.max_err;
  }
  if (!r->match)
    snprintf(r->check, sizeof r->check, "NO: output %d differs from the host at element %zu", bad_k,
             bad_i);
  else if (any_float)
    snprintf(r->check, sizeof r->check,
             "yes (float32 within 1e-5 relative: max |err| %.3g; integers identical bytes)", worst);
  else
    snprintf(r->check, sizeof r->check, "yes (identical bytes)");
}

/* Load, compile, make the inputs and run the host build. */
static ta_status prepare_model(ta_ctx *ctx, bench_model *bm, const char *name,
                               const char *const *input_files, int32_t n_inputs,
                               const ta_compile_options *copt) {
  ta_status st = ta_compile_file(ctx, bm->path, copt, &bm->m);
  if (st != TA_OK)
    return st;
  ta_graph *g = bm->m.g;
  bm->name = name ? name : ta_default_model_name(ctx, bm->path);
  ta_cgen_options opt = {bm->name, bm->path};
  st = ta_cgen_emit(g, bm->m.calls, &bm->m.plan, &opt, &bm->fs);
  if (st != TA_OK)
    return st;
  ctx->file = NULL;
  if (g->n_inputs > TA_SESSION_MAX_IO || g->n_outputs > TA_SESSION_MAX_IO)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "at most %d inputs and outputs on a device",
                  TA_SESSION_MAX_IO);
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op_def *d = ta_op_def_get(g->ops[i].kind);
    if (d && d->macs)
      bm->macs += d->macs(g, &g->ops[i]);
  }
  st = ta_make_temp_dir(ctx, "bench", &bm->dir);
  if (st != TA_OK)
    return st;
  const char *paths[TA_SESSION_MAX_IO];
  if (n_inputs > 0) {
    st = ta_device_read_inputs(g, input_files, n_inputs, bm->inputs);
    if (st != TA_OK)
      return st;
    for (int32_t k = 0; k < n_inputs; k++)
      paths[k] = input_files[k];
    bm->input_desc = n_inputs == 1 ? input_files[0] : "the --input files";
  } else {
    bm->input_desc = "xorshift";
    for (int32_t k = 0; k < g->n_inputs; k++) {
      const ta_tensor *t = &g->tensors[g->inputs[k]];
      size_t bytes = 0, elems = 0;
      ta_tensor_bytes(t, &bytes);
      ta_tensor_elems(t, &elems);
      bm->inputs[k] = ta_new(ctx, bytes ? bytes : 1);
      char *p = ta_fmt(ctx, "%s/input_%d.bin", bm->dir, k);
      if (!bm->inputs[k] || !p)
        return TA_ERR_LIMIT;
      ta_device_fill_xorshift(t, k, bm->inputs[k], elems);
      st = ta_write_file(ctx, p, bm->inputs[k], bytes);
      if (st != TA_OK)
        return st;
      paths[k] = p;
    }
  }
  char *host_dir = ta_fmt(ctx, "%s/host", bm->dir);
  if (!host_dir)
    return TA_ERR_LIMIT;
  ta_host_run_options ro = {bm->name, paths, g->n_inputs, host_dir, false, NULL};
  st = ta_host_run(g, &bm->fs, &ro);
  for (int32_t k = 0; k < g->n_outputs && st == TA_OK; k++) {
    char *p = ta_fmt(ctx, "%s/output_%d.bin", host_dir, k);
    st = p ? ta_read_file(ctx, p, &bm->host_out[k], &bm->host_bytes[k]) : TA_ERR_LIMIT;
  }
  return st;
}

static ta_status bench_on(bench_model *bm, const ta_board *b, const char *device, int32_t timeout_s,
                          bench_run *r) {
  ta_ctx *ctx = bm->m.g->ctx;
  memset(r, 0, sizeof *r);
  r->board = b;
  char *dir = ta_fmt(ctx, "%s/%s", bm->dir, b->target);
  if (!dir)
    return TA_ERR_LIMIT;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
  ta_status st = ta_fw_build(bm->m.g, &bm->fs, bm->name, b, dir, &r->fw);
  if (st != TA_OK)
    return st;
  ta_device_options o = {device, true, 2, timeout_s, NULL};
  st = ta_device_run(bm->m.g, &r->fw, (const void *const *)bm->inputs, &o, &r->dev);
  if (st != TA_OK)
    return st;
  compare_outputs(bm, r);
  return TA_OK;
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      fprintf(f, "\\u%04x", (unsigned char)*s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

static uint64_t op_macs(const ta_graph *g, int32_t i) {
  const ta_op_def *d = ta_op_def_get(g->ops[i].kind);
  return d && d->macs ? d->macs(g, &g->ops[i]) : 0;
}

static void print_json(FILE *f, const bench_model *bm, const bench_run *r, const char *device) {
  const ta_graph *g = bm->m.g;
  const ta_fw_sizes *s = &r->fw.sizes;
  uint32_t ipt = r->dev.insns_per_tick;
  fprintf(f, "{\"model\": ");
  json_str(f, bm->path);
  fprintf(f, ", \"name\": ");
  json_str(f, bm->name);
  fprintf(f, ", \"target\": \"%s\", \"board\": ", r->board->target);
  json_str(f, device ? device : r->board->machine);
  fprintf(f, ", \"input\": ");
  json_str(f, bm->input_desc);
  fprintf(f, ", \"counts\": \"%s\"",
          device ? "clock cycles (real board)" : "instructions (QEMU -icount)");
  fprintf(f,
          ",\n \"instructions\": %llu, \"instructions_per_tick\": %u, \"repeatable\": %s, "
          "\"clock_hz\": %u, \"ms_at_reference_clock\": %.3f, \"macs\": %llu,\n",
          (unsigned long long)r->dev.instructions, ipt, r->dev.repeats_identical ? "true" : "false",
          r->board->clock_hz, (double)r->dev.instructions * 1000.0 / r->board->clock_hz,
          (unsigned long long)bm->macs);
  fprintf(f,
          " \"flash_bytes\": %llu, \"model_flash_bytes\": %llu, \"ram_bytes\": %llu, "
          "\"arena_bytes\": %llu, \"stack_bytes\": %u, \"run_stack_bytes\": %u, "
          "\"data_bytes\": %llu, \"bss_bytes\": %llu, \"text_bytes\": %llu, "
          "\"rodata_bytes\": %llu,\n",
          (unsigned long long)ta_fw_flash_bytes(s), (unsigned long long)ta_fw_model_flash_bytes(s),
          (unsigned long long)ta_fw_ram_bytes(&r->fw.sizes, &r->dev.mem),
          (unsigned long long)s->arena, r->dev.mem.stack_used, r->dev.mem.run_stack_used,
          (unsigned long long)s->data, (unsigned long long)s->bss, (unsigned long long)s->text,
          (unsigned long long)s->rodata);
  fprintf(f, " \"outputs_match_host\": %s, \"output_check\": ", r->match ? "true" : "false");
  json_str(f, r->check);
  fprintf(f, ",\n \"layers\": [");
  bool first = true;
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (bm->m.calls[i].kernel < 0)
      continue;
    uint64_t ins = r->dev.layer_ticks ? (uint64_t)r->dev.layer_ticks[i] * ipt : 0;
    fprintf(f, "%s\n  {\"op\": %d, \"type\": \"%s\", \"instructions\": %llu, \"macs\": %llu}",
            first ? "" : ",", g->ops[i].src_index, ta_op_kind_name(g->ops[i].kind),
            (unsigned long long)ins, (unsigned long long)op_macs(g, i));
    first = false;
  }
  fprintf(f, "\n ]}\n");
}

static void print_text(FILE *f, const bench_model *bm, const bench_run *r, const char *device) {
  const ta_graph *g = bm->m.g;
  const ta_fw_sizes *s = &r->fw.sizes;
  uint32_t ipt = r->dev.insns_per_tick;
  char a[32], b[32], c[32], d[32], e[32];
  fprintf(f, "tinyaot bench: %s on %s (%s, %s), input %s\n", bm->path, r->board->target,
          device ? device : r->board->machine, r->board->core, bm->input_desc);
  fprintf(f, "outputs match the host build: %s\n", r->check);
  if (device) {
    /* A real board: the timer counts clock cycles, and time is measured. */
    fprintf(f, "clock cycles per inference: %s (timer ticks; %s on a second run)\n",
            ta_report_commas(a, sizeof a, r->dev.instructions),
            r->dev.repeats_identical ? "identical" : "different");
    fprintf(f, "  = %.2f ms at %.0f MHz\n",
            (double)r->dev.instructions * 1000.0 / r->board->clock_hz, r->board->clock_hz / 1e6);
  } else {
    fprintf(f,
            "instructions per inference: %s (%s on a second run; 1 timer tick = %u "
            "instructions)\n",
            ta_report_commas(a, sizeof a, r->dev.instructions),
            r->dev.repeats_identical ? "identical" : "DIFFERENT", ipt);
    fprintf(f,
            "  = %.2f ms at the %.0f MHz reference clock (instructions / clock, not a "
            "measured time)\n",
            (double)r->dev.instructions * 1000.0 / r->board->clock_hz, r->board->clock_hz / 1e6);
  }
  if (bm->macs)
    fprintf(f, "  %s MACs, %.3f MACs per instruction\n", ta_report_commas(a, sizeof a, bm->macs),
            r->dev.instructions ? (double)bm->macs / (double)r->dev.instructions : 0.0);
  fprintf(f, "\n   op  type                   instructions          MACs  MACs/instr\n");
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    if (bm->m.calls[i].kernel < 0) {
      fprintf(f, "  %3d  %-20s %14s %13s  (no code: aliased)\n", op->src_index,
              ta_op_kind_name(op->kind), "-", "-");
      continue;
    }
    uint64_t ins = r->dev.layer_ticks ? (uint64_t)r->dev.layer_ticks[i] * ipt : 0;
    uint64_t macs = op_macs(g, i);
    char ratio[16] = "";
    if (macs && ins)
      snprintf(ratio, sizeof ratio, "%.3f", (double)macs / (double)ins);
    fprintf(f, "  %3d  %-20s %14s %13s  %s\n", op->src_index, ta_op_kind_name(op->kind),
            ta_report_commas(a, sizeof a, ins), macs ? ta_report_commas(b, sizeof b, macs) : "-",
            ratio);
  }
  fprintf(f,
          "  (per layer: resolution %u instructions; the timed run takes %s instructions in "
          "all)\n\n",
          ipt, ta_report_commas(a, sizeof a, (uint64_t)r->dev.profiled_ticks * ipt));
  fprintf(f, "flash: %s bytes (text %s + rodata %s + data %s)\n",
          ta_report_commas(a, sizeof a, ta_fw_flash_bytes(s)),
          ta_report_commas(b, sizeof b, s->text), ta_report_commas(c, sizeof c, s->rodata),
          ta_report_commas(d, sizeof d, s->data));
  fprintf(f,
          "  model alone (%s.c, %s_weights.c, tart/): %s bytes (text %s + rodata %s + data "
          "%llu)\n",
          bm->name, bm->name, ta_report_commas(a, sizeof a, ta_fw_model_flash_bytes(s)),
          ta_report_commas(b, sizeof b, s->model_text),
          ta_report_commas(c, sizeof c, s->model_rodata), (unsigned long long)s->model_data);
  fprintf(f, "RAM:   %s bytes (arena %s + stack high-water %s + data %s + bss %s)\n",
          ta_report_commas(a, sizeof a, ta_fw_ram_bytes(&r->fw.sizes, &r->dev.mem)),
          ta_report_commas(b, sizeof b, s->arena),
          ta_report_commas(c, sizeof c, r->dev.mem.stack_used),
          ta_report_commas(d, sizeof d, s->data), ta_report_commas(e, sizeof e, s->bss));
  fprintf(f,
          "  stack: %u bytes below the run function's caller; bss holds the runner's input, "
          "output and frame buffers\n",
          r->dev.mem.run_stack_used);
}

/* ---- suite: several models x several cores, a Markdown report and an SVG chart ---- */

static int32_t split_list(ta_ctx *ctx, const char *s, const char **out, int32_t max) {
  int32_t n = 0;
  char *copy = ta_strdup(ctx, s);
  if (!copy)
    return 0;
  for (char *tok = strtok(copy, ","); tok && n < max; tok = strtok(NULL, ","))
    out[n++] = tok;
  return n;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *tool_versions(ta_ctx *ctx) {
  ta_buf out;
  ta_buf_init(&out, ctx);
  const char *cmds[][3] = {{"qemu-system-arm", "--version", NULL},
                           {"arm-none-eabi-gcc", "--version", NULL}};
  ta_buf_puts(&out, "Tools: ");
  for (size_t i = 0; i < TA_ARRAY_LEN(cmds); i++) {
    ta_buf log;
    ta_buf_init(&log, ctx);
    int code = 0;
    char *argv[] = {(char *)(uintptr_t)cmds[i][0], (char *)(uintptr_t)cmds[i][1], NULL};
    if (ta_spawn(ctx, argv, 30, &log, &code) == TA_OK && code == 0 && log.data) {
      size_t l = strcspn(log.data, "\n");
      ta_buf_printf(&out, "%s`%.*s`", i ? ", " : "", (int)l, log.data);
    }
    ta_buf_free(&log);
  }
  ta_buf_puts(&out, ".\n\n");
  char *s = out.data ? ta_strdup(ctx, out.data) : NULL;
  ta_buf_free(&out);
  return s ? s : "";
}

static int run_suite(int argc, char **argv, const char *dir, const char *models_arg,
                     const char *targets_arg, const char *report, const char *svg,
                     const char *anchors_path, int32_t timeout_s, const ta_compile_options *copt) {
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  const char *targets[MAX_TARGETS];
  int32_t n_targets = split_list(&ctx, targets_arg ? targets_arg : "cortex-m4,cortex-m7,cortex-m33",
                                 targets, MAX_TARGETS);
  const ta_board *boards[MAX_TARGETS];
  for (int32_t t = 0; t < n_targets; t++)
    if (!(boards[t] = ta_board_find(targets[t]))) {
      fprintf(stderr, "tinyaot bench: unknown target '%s' (known: %s)\n", targets[t],
              ta_board_names());
      ta_ctx_free(&ctx);
      return 1;
    }
  const char *models[MAX_MODELS];
  int32_t n_models = 0;
  if (models_arg) {
    n_models = split_list(&ctx, models_arg, models, MAX_MODELS);
  } else {
    DIR *d = opendir(dir);
    if (!d) {
      fprintf(stderr, "tinyaot bench: cannot open '%s': %s\n", dir, strerror(errno));
      ta_ctx_free(&ctx);
      return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) && n_models < MAX_MODELS) {
      size_t l = strlen(e->d_name);
      if (l > 7 && strcmp(e->d_name + l - 7, ".tflite") == 0)
        models[n_models++] = ta_strndup(&ctx, e->d_name, l - 7);
    }
    closedir(d);
    qsort(models, (size_t)n_models, sizeof models[0], cmp_str);
  }
  ta_anchors an;
  ta_anchors_load(&ctx, anchors_path, &an);
  if (anchors_path && !an.loaded)
    fprintf(stderr, "tinyaot bench: warning: cannot read anchors '%s'; no comparison columns\n",
            anchors_path);
  ta_bench_row *rows = ta_new_array(&ctx, (size_t)(n_models * n_targets + 1), sizeof *rows);
  if (!rows)
    return 2;
  int32_t n_rows = 0, failures = 0;
  for (int32_t m = 0; m < n_models; m++) {
    ta_ctx mctx; /* per model, freed after it; the rows keep copies of what they print */
    ta_cli_ctx_init(&mctx);
    bench_model bm;
    memset(&bm, 0, sizeof bm);
    bm.path = ta_fmt(&mctx, "%s/%s.tflite", dir, models[m]);
    fprintf(stderr, "tinyaot bench: %s ...\n", models[m]);
    ta_status st = prepare_model(&mctx, &bm, models[m], NULL, 0, copt);
    for (int32_t t = 0; t < n_targets; t++) {
      ta_bench_row *r = &rows[n_rows++];
      r->model = models[m];
      r->macs = bm.macs;
      r->board = boards[t];
      for (int32_t k = 0; st == TA_OK && k < bm.m.g->n_inputs + bm.m.g->n_outputs; k++) {
        int32_t ti =
            k < bm.m.g->n_inputs ? bm.m.g->inputs[k] : bm.m.g->outputs[k - bm.m.g->n_inputs];
        size_t bytes = 0;
        ta_tensor_bytes(&bm.m.g->tensors[ti], &bytes);
        r->io_bytes += bytes;
      }
      if (st != TA_OK) {
        failures++;
        continue;
      }
      bench_run run; /* its per-layer ticks and outputs live in mctx: only figures are kept */
      ta_status rs = bench_on(&bm, boards[t], NULL, timeout_s, &run);
      r->ok = rs == TA_OK && run.match && run.dev.repeats_identical;
      r->instructions = run.dev.instructions;
      r->sizes = run.fw.sizes;
      r->mem = run.dev.mem;
      if (!r->ok) {
        failures++;
        fprintf(stderr, "tinyaot bench: %s on %s: %s\n", models[m], targets[t],
                rs != TA_OK ? "failed" : run.check);
      } else {
        char a[32];
        fprintf(stderr, "  %-11s %16s instructions, flash %llu, RAM %llu, outputs %s\n", targets[t],
                ta_report_commas(a, sizeof a, r->instructions),
                (unsigned long long)ta_fw_flash_bytes(&r->sizes),
                (unsigned long long)ta_fw_ram_bytes(&r->sizes, &r->mem), run.check);
      }
    }
    if (bm.dir)
      ta_remove_tree(bm.dir);
    ta_ctx_free(&mctx);
  }
  ta_buf cmd;
  ta_buf_init(&cmd, &ctx);
  ta_buf_puts(&cmd, "tinyaot");
  for (int i = 0; i < argc; i++)
    ta_buf_printf(&cmd, " %s", argv[i]);
  ta_buf b;
  ta_buf_init(&b, &ctx);
  ta_report_bench_md(&b, rows, n_rows, &an, cmd.data ? cmd.data : "tinyaot bench",
                     tool_versions(&ctx));
  ta_status st = b.ok ? ta_write_file(&ctx, report, b.data, b.len) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st == TA_OK && svg) {
    ta_buf_init(&b, &ctx);
    ta_report_bench_svg(&b, rows, n_rows, &an, models, n_models);
    st = b.ok ? ta_write_file(&ctx, svg, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
  }
  ta_buf_free(&cmd);
  if (st == TA_OK)
    fprintf(stderr, "tinyaot bench: wrote %s%s%s (%d of %d runs failed)\n", report,
            svg ? " and " : "", svg ? svg : "", failures, n_rows);
  ta_ctx_free(&ctx);
  if (st != TA_OK)
    return ta_cli_exit_code(st);
  return failures ? 1 : 0;
}

int ta_cmd_bench(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "bench"};
  const char *model = NULL, *name = NULL, *target = "cortex-m4", *device = NULL;
  const char *timeout = NULL, *suite = NULL, *models = NULL, *targets = NULL;
  const char *report = "BENCHMARKS.md", *svg = NULL, *anchors_path = NULL;
  const char *inputs[MAX_INPUTS];
  int32_t n_inputs = 0;
  bool json = false, keep = false;
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    const char *v;
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_flag(&a, "--json")) {
      json = true;
      continue;
    }
    if (ta_arg_flag(&a, "--keep-build")) {
      keep = true;
      continue;
    }
    if (ta_arg_value(&a, "--input", &v, &st)) {
      if (st != TA_OK)
        break;
      if (n_inputs == MAX_INPUTS) {
        fprintf(stderr, "tinyaot bench: at most %d inputs\n", MAX_INPUTS);
        return 1;
      }
      inputs[n_inputs++] = v;
      continue;
    }
    if (ta_arg_value(&a, "--target", &target, &st) || ta_arg_value(&a, "--name", &name, &st) ||
        ta_arg_value(&a, "--device", &device, &st) ||
        ta_arg_value(&a, "--timeout", &timeout, &st) || ta_arg_value(&a, "--suite", &suite, &st) ||
        ta_arg_value(&a, "--models", &models, &st) ||
        ta_arg_value(&a, "--targets", &targets, &st) ||
        ta_arg_value(&a, "--report", &report, &st) || ta_arg_value(&a, "--svg", &svg, &st) ||
        ta_arg_value(&a, "--anchors", &anchors_path, &st) || ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot bench: unknown option '%s' (see tinyaot bench --help)\n", argv[a.i]);
      return 1;
    }
    if (model) {
      fprintf(stderr, "tinyaot bench: more than one model given ('%s' and '%s')\n", model,
              argv[a.i]);
      return 1;
    }
    model = argv[a.i];
  }
  if (st != TA_OK)
    return 1;
  long timeout_s = 0;
  if (timeout) {
    char *end;
    timeout_s = strtol(timeout, &end, 10);
    if (*end || timeout_s <= 0 || timeout_s > 86400) {
      fprintf(stderr, "tinyaot bench: --timeout '%s': expected seconds, 1 to 86400\n", timeout);
      return 1;
    }
  }
  if (suite) {
    if (model || n_inputs || device) {
      fprintf(stderr, "tinyaot bench: --suite takes no MODEL, --input or --device\n");
      return 1;
    }
    return run_suite(argc, argv, suite, models, targets, report, svg, anchors_path,
                     (int32_t)timeout_s, &copt);
  }
  if (!model) {
    fprintf(stderr, "tinyaot bench: no MODEL given\n%s", help);
    return 1;
  }
  const ta_board *board = ta_board_find(target);
  if (!board) {
    fprintf(stderr, "tinyaot bench: unknown target '%s' (known: %s)\n", target, ta_board_names());
    return 1;
  }
  copt.target = target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  bench_model bm;
  memset(&bm, 0, sizeof bm);
  bm.path = model;
  bench_run r;
  st = prepare_model(&ctx, &bm, name, inputs, n_inputs, &copt);
  if (st == TA_OK)
    st = bench_on(&bm, board, device, (int32_t)timeout_s, &r);
  if (st == TA_OK) {
    if (json)
      print_json(stdout, &bm, &r, device);
    else
      print_text(stdout, &bm, &r, device);
    if (!r.match) {
      fprintf(stderr, "tinyaot bench: the board's outputs differ from the host build's\n");
      st = TA_ERR_INTERNAL;
    }
  }
  if (bm.dir) {
    if (keep)
      ta_report(&ctx, TA_NOTE, "build kept in %s", bm.dir);
    else
      ta_remove_tree(bm.dir);
  }
  ta_ctx_free(&ctx);
  return ta_cli_exit_code(st);
}
