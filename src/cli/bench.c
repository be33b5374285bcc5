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
#define MAX_MODELS 64

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

/* The reference vectors' xorshift case (shared/vectors/<model>/meta.txt). */
static void fill_xorshift(const ta_tensor *t, int32_t k, uint8_t *p, size_t elems) {
  uint32_t s = 0x12345678u + (uint32_t)k;
  for (size_t i = 0; i < elems; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    switch (t->dtype) {
    case TA_DT_I8:
    case TA_DT_U8:
    case TA_DT_BOOL: p[i] = (uint8_t)(s >> 24); break;
    case TA_DT_I16: {
      uint16_t v = (uint16_t)(s >> 16);
      memcpy(p + 2 * i, &v, 2);
      break;
    }
    case TA_DT_F32: {
      float v = ((float)(s >> 8) / 16777216.0f) * 2.0f - 1.0f;
      memcpy(p + 4 * i, &v, 4);
      break;
    }
    default: {
      size_t w = ta_dtype_size(t->dtype);
      for (size_t b = 0; b < w; b++)
        p[w * i + b] = (uint8_t)(b < 4 ? s >> (8 * b) : 0);
      break;
    }
    }
  }
}

/* Compare device outputs with the host's: integers bit for bit, float32 within
 * |err| <= 1e-5 * max(1, |ref|). */
static void compare_outputs(const bench_model *bm, bench_run *r) {
  const ta_graph *g = bm->m.g;
  r->match = true;
  bool any_float = false;
  double worst = 0;
  int32_t bad_k = -1;
  size_t bad_i = 0;
  for (int32_t k = 0; k < g->n_outputs; k++) {
    const ta_tensor *t = &g->tensors[g->outputs[k]];
    const uint8_t *a = bm->host_out[k], *b = r->dev.outputs[k];
    size_t n = bm->host_bytes[k];
    if (!b || r->dev.output_bytes[k] != n) {
      r->match = false;
      bad_k = k;
      continue;
    }
    if (t->dtype == TA_DT_F32) {
      any_float = true;
      for (size_t i = 0; i < n / 4; i++) {
        float x, y;
        memcpy(&x, a + 4 * i, 4);
        memcpy(&y, b + 4 * i, 4);
        double err = fabs((double)x - (double)y), lim = 1e-5 * fmax(1.0, fabs((double)x));
        if (err > worst)
          worst = err;
        if (!(err <= lim) && r->match) {
          r->match = false;
          bad_k = k;
          bad_i = i;
        }
      }
    } else {
      for (size_t i = 0; i < n && r->match; i++)
        if (a[i] != b[i]) {
          r->match = false;
          bad_k = k;
          bad_i = i;
        }
    }
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
      fill_xorshift(t, k, bm->inputs[k], elems);
      st = ta_write_file(ctx, p, bm->inputs[k], bytes);
      if (st != TA_OK)
        return st;
      paths[k] = p;
    }
  }
  char *host_dir = ta_fmt(ctx, "%s/host", bm->dir);
  if (!host_dir)
    return TA_ERR_LIMIT;
  ta_host_run_options ro = {bm->name, paths, g->n_inputs, host_dir, false};
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

static uint64_t flash_bytes(const ta_fw_sizes *s) {
  return s->text + s->rodata + s->data;
}
static uint64_t model_flash_bytes(const ta_fw_sizes *s) {
  return s->model_text + s->model_rodata + s->model_data;
}
static uint64_t ram_bytes(const bench_run *r) {
  return r->fw.sizes.arena + r->dev.mem.stack_used + r->fw.sizes.data + r->fw.sizes.bss;
}

/* 1234567 -> "1,234,567" */
static const char *commas(char *buf, size_t cap, uint64_t v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
  size_t o = 0;
  for (int i = 0; i < n && o + 2 < cap; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = '\0';
  return buf;
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
          (unsigned long long)flash_bytes(s), (unsigned long long)model_flash_bytes(s),
          (unsigned long long)ram_bytes(r), (unsigned long long)s->arena, r->dev.mem.stack_used,
          r->dev.mem.run_stack_used, (unsigned long long)s->data, (unsigned long long)s->bss,
          (unsigned long long)s->text, (unsigned long long)s->rodata);
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
            commas(a, sizeof a, r->dev.instructions),
            r->dev.repeats_identical ? "identical" : "different");
    fprintf(f, "  = %.2f ms at %.0f MHz\n",
            (double)r->dev.instructions * 1000.0 / r->board->clock_hz, r->board->clock_hz / 1e6);
  } else {
    fprintf(f,
            "instructions per inference: %s (%s on a second run; 1 timer tick = %u "
            "instructions)\n",
            commas(a, sizeof a, r->dev.instructions),
            r->dev.repeats_identical ? "identical" : "DIFFERENT", ipt);
    fprintf(f,
            "  = %.2f ms at the %.0f MHz reference clock (instructions / clock, not a "
            "measured time)\n",
            (double)r->dev.instructions * 1000.0 / r->board->clock_hz, r->board->clock_hz / 1e6);
  }
  if (bm->macs)
    fprintf(f, "  %s MACs, %.3f MACs per instruction\n", commas(a, sizeof a, bm->macs),
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
            commas(a, sizeof a, ins), macs ? commas(b, sizeof b, macs) : "-", ratio);
  }
  fprintf(f,
          "  (per layer: resolution %u instructions; the timed run takes %s instructions in "
          "all)\n\n",
          ipt, commas(a, sizeof a, (uint64_t)r->dev.profiled_ticks * ipt));
  fprintf(f, "flash: %s bytes (text %s + rodata %s + data %s)\n",
          commas(a, sizeof a, flash_bytes(s)), commas(b, sizeof b, s->text),
          commas(c, sizeof c, s->rodata), commas(d, sizeof d, s->data));
  fprintf(f,
          "  model alone (%s.c, %s_weights.c, tart/): %s bytes (text %s + rodata %s + data "
          "%llu)\n",
          bm->name, bm->name, commas(a, sizeof a, model_flash_bytes(s)),
          commas(b, sizeof b, s->model_text), commas(c, sizeof c, s->model_rodata),
          (unsigned long long)s->model_data);
  fprintf(f, "RAM:   %s bytes (arena %s + stack high-water %s + data %s + bss %s)\n",
          commas(a, sizeof a, ram_bytes(r)), commas(b, sizeof b, s->arena),
          commas(c, sizeof c, r->dev.mem.stack_used), commas(d, sizeof d, s->data),
          commas(e, sizeof e, s->bss));
  fprintf(f,
          "  stack: %u bytes below the run function's caller; bss holds the runner's input, "
          "output and frame buffers\n",
          r->dev.mem.run_stack_used);
}

/* ---- suite: several models x several cores, a Markdown report and an SVG chart ---- */

/* TensorFlow Lite Micro figures of one model, from the anchors table. 0: absent. */
typedef struct anchor_row {
  bool found;
  uint64_t arena_ref, arena_cmsis;
  uint64_t m4_ref, m4_cmsis, m7_cmsis, m33_cmsis;
  uint64_t fw_ref[3], fw_cmsis[3]; /* text, data, bss */
} anchor_row;

typedef struct anchors {
  bool loaded;
  uint64_t base_text, base_data; /* the same firmware without TFLM and model */
  const char *text;
} anchors;

static uint64_t parse_num(const char *s) {
  uint64_t v = 0;
  bool any = false;
  for (; *s && *s != '/' && *s != '|'; s++) {
    if (*s >= '0' && *s <= '9') {
      v = v * 10 + (uint64_t)(*s - '0');
      any = true;
    } else if (*s != ',' && *s != ' ') {
      break;
    }
  }
  return any ? v : 0;
}

/* Cells of a Markdown table row: up to max, trimmed, in buf. */
static int split_row(const char *line, char cells[][96], int max) {
  int n = 0;
  const char *p = strchr(line, '|');
  while (p && n < max) {
    const char *q = strchr(p + 1, '|');
    if (!q)
      break;
    const char *a = p + 1, *e = q;
    while (a < e && *a == ' ')
      a++;
    while (e > a && e[-1] == ' ')
      e--;
    size_t len = (size_t)(e - a) < 95 ? (size_t)(e - a) : 95;
    memcpy(cells[n], a, len);
    cells[n][len] = '\0';
    n++;
    p = q;
  }
  return n;
}

static void parse_triple(const char *s, uint64_t out[3]) {
  for (int i = 0; i < 3; i++) {
    out[i] = parse_num(s);
    s = strchr(s, '/');
    if (!s)
      break;
    s++;
  }
}

static anchor_row anchor_find(const anchors *an, const char *model) {
  anchor_row r = {0};
  if (!an->loaded)
    return r;
  /* Column positions from the header row that starts with "| model |". */
  const char *hdr = strstr(an->text, "| model |");
  if (!hdr)
    return r;
  char cells[12][96];
  int nh = split_row(hdr, cells, 12);
  int c_arena = -1, c_m4r = -1, c_m4c = -1, c_m7 = -1, c_m33 = -1, c_fwr = -1, c_fwc = -1;
  for (int i = 0; i < nh; i++) {
    const char *h = cells[i];
    if (strstr(h, "arena"))
      c_arena = i;
    else if (strstr(h, "M4") && strstr(h, "reference"))
      c_m4r = i;
    else if (strstr(h, "M4") && strstr(h, "CMSIS"))
      c_m4c = i;
    else if (strstr(h, "M7"))
      c_m7 = i;
    else if (strstr(h, "M33"))
      c_m33 = i;
    else if (strstr(h, "firmware") && strstr(h, "ref"))
      c_fwr = i;
    else if (strstr(h, "firmware") && strstr(h, "CMSIS"))
      c_fwc = i;
  }
  for (const char *line = hdr; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (line[0] != '|') {
      if (line != hdr)
        break;
      continue;
    }
    int n = split_row(line, cells, 12);
    if (n < 2 || strcmp(cells[0], model) != 0)
      continue;
    r.found = true;
    if (c_arena >= 0 && c_arena < n) {
      r.arena_ref = parse_num(cells[c_arena]);
      const char *sl = strchr(cells[c_arena], '/');
      r.arena_cmsis = sl ? parse_num(sl + 1) : 0;
    }
    if (c_m4r >= 0 && c_m4r < n)
      r.m4_ref = parse_num(cells[c_m4r]);
    if (c_m4c >= 0 && c_m4c < n)
      r.m4_cmsis = parse_num(cells[c_m4c]);
    if (c_m7 >= 0 && c_m7 < n)
      r.m7_cmsis = parse_num(cells[c_m7]);
    if (c_m33 >= 0 && c_m33 < n)
      r.m33_cmsis = parse_num(cells[c_m33]);
    if (c_fwr >= 0 && c_fwr < n)
      parse_triple(cells[c_fwr], r.fw_ref);
    if (c_fwc >= 0 && c_fwc < n)
      parse_triple(cells[c_fwc], r.fw_cmsis);
    break;
  }
  return r;
}

static void anchors_load(ta_ctx *ctx, const char *path, anchors *an) {
  memset(an, 0, sizeof *an);
  if (!path)
    return;
  uint8_t *d;
  size_t n;
  if (ta_read_file(ctx, path, &d, &n) != TA_OK)
    return;
  an->text = (const char *)d;
  an->loaded = true;
  const char *p = strstr(an->text, "without the model is text");
  if (p) {
    p += strlen("without the model is text");
    an->base_text = parse_num(p);
    const char *q = strstr(p, "data");
    if (q)
      an->base_data = parse_num(q + 4);
  }
}

static uint64_t anchor_cmsis(const anchor_row *a, const char *target) {
  if (strcmp(target, "cortex-m4") == 0)
    return a->m4_cmsis;
  if (strcmp(target, "cortex-m7") == 0)
    return a->m7_cmsis;
  if (strcmp(target, "cortex-m33") == 0)
    return a->m33_cmsis;
  return 0;
}

typedef struct suite_row {
  const char *model;
  uint64_t macs;
  uint64_t io_bytes; /* the model's input and output tensors */
  bench_run run;
  bool ok;
} suite_row;

static const char *num_or_dash(char *buf, size_t cap, uint64_t v) {
  return v ? commas(buf, cap, v) : "—";
}

static void write_report(ta_buf *b, const suite_row *rows, int32_t n, const anchors *an,
                         const char *cmdline, const char *toolversions) {
  char x[32], y[32], z[32], w[32];
  ta_buf_printf(
      b,
      "# Benchmarks\n\n"
      "Made with tinyaot %s by\n\n    %s\n\n"
      "%s"
      "Every figure below comes from running the firmware tinyaot builds for each model on QEMU's "
      "model of the board (input: the `xorshift` case of the reference vectors). Instructions "
      "are guest instructions executed by one call of the model's run function, counted exactly "
      "and repeatably: QEMU runs with `-icount shift=0` (its virtual clock advances 1 ns per "
      "instruction) and the board's CMSDK timer, restarted just before the call, ticks once "
      "every 40 instructions (AN505: 50); the count is ticks x 40, with a resolution of one "
      "tick. Every run was done twice and gave the same count; every output was bit-identical "
      "to the host build of the same generated code. The TensorFlow Lite Micro figures are "
      "from `shared/anchors/tflm-cortex-m.md` (TFLM release build on the same QEMU boards, "
      "counted with a TCG plugin, which agrees with ticks x 40 within one tick).\n\n"
      "Ratios compare instruction counts: above 1, tinyaot executes more instructions than "
      "TFLM for the same inference; below 1, fewer. The per-layer figures behind these totals "
      "come from `tinyaot bench MODEL --target T`.\n\n",
      TA_VERSION, cmdline, toolversions);
  ta_buf_puts(b, "## Instructions per inference\n\n"
                 "| model | core | tinyaot | TFLM reference kernels | TFLM + CMSIS-NN | "
                 "tinyaot / TFLM ref | tinyaot / CMSIS-NN | MACs per instruction (tinyaot) |\n"
                 "|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (int32_t i = 0; i < n; i++) {
    const suite_row *r = &rows[i];
    if (!r->ok) {
      ta_buf_printf(b, "| %s | %s | failed (see the log) | | | | | |\n", r->model,
                    r->run.board->target);
      continue;
    }
    anchor_row a = anchor_find(an, r->model);
    uint64_t ins = r->run.dev.instructions;
    uint64_t ref = strcmp(r->run.board->target, "cortex-m4") == 0 ? a.m4_ref : 0;
    uint64_t cm = anchor_cmsis(&a, r->run.board->target);
    char rr[16] = "—", rc[16] = "—", mpi[16] = "—";
    if (ref)
      snprintf(rr, sizeof rr, "%.2fx", (double)ins / (double)ref);
    if (cm)
      snprintf(rc, sizeof rc, "%.2fx", (double)ins / (double)cm);
    if (r->macs && ins)
      snprintf(mpi, sizeof mpi, "%.3f", (double)r->macs / (double)ins);
    ta_buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r->model, r->run.board->core,
                  commas(x, sizeof x, ins), num_or_dash(y, sizeof y, ref),
                  num_or_dash(z, sizeof z, cm), rr, rc, mpi);
  }
  ta_buf_printf(
      b,
      "\nTFLM reference-kernel figures exist for the Cortex-M4 only. A ratio above 1 means "
      "tinyaot executes more instructions.\n\n"
      "## Flash (bytes)\n\n"
      "tinyaot: text + rodata + data of the whole firmware (startup, session runner, model), and "
      "of the model alone (the generated code, its weights and the runtime kernels it uses, as "
      "linked). TFLM: text + data of a minimal firmware with TFLM, the model and newlib's printf; "
      "\"TFLM + model\" subtracts the same firmware without TFLM and model (text %s + data %s).\n\n"
      "| model | core | tinyaot firmware | tinyaot model alone | TFLM firmware, ref / CMSIS-NN | "
      "TFLM + model, ref / CMSIS-NN |\n|---|---|---:|---:|---:|---:|\n",
      commas(x, sizeof x, an->base_text), commas(y, sizeof y, an->base_data));
  for (int32_t i = 0; i < n; i++) {
    const suite_row *r = &rows[i];
    if (!r->ok)
      continue;
    anchor_row a = anchor_find(an, r->model);
    char t1[48] = "—", t2[48] = "—";
    if (a.found && a.fw_ref[0]) {
      uint64_t fr = a.fw_ref[0] + a.fw_ref[1], fc = a.fw_cmsis[0] + a.fw_cmsis[1];
      uint64_t base = an->base_text + an->base_data;
      snprintf(t1, sizeof t1, "%s / %s", commas(x, sizeof x, fr), commas(y, sizeof y, fc));
      if (base && fr > base && fc > base)
        snprintf(t2, sizeof t2, "%s / %s", commas(z, sizeof z, fr - base),
                 commas(w, sizeof w, fc - base));
    }
    ta_buf_printf(b, "| %s | %s | %s | %s | %s | %s |\n", r->model, r->run.board->core,
                  commas(x, sizeof x, flash_bytes(&r->run.fw.sizes)),
                  commas(y, sizeof y, model_flash_bytes(&r->run.fw.sizes)), t1, t2);
  }
  ta_buf_puts(
      b,
      "\n## RAM (bytes)\n\n"
      "tinyaot: arena + stack high-water (measured by painting the stack, deepest use during "
      "the run) + data + bss (bss holds the runner's input, output and frame buffers). TFLM: "
      "the arena TFLM reports as used, which includes TFLM's bookkeeping and the input and output "
      "tensors (TFLM needs a little more than that to initialise); the column next to it adds "
      "tinyaot's input and output tensors to its arena, to compare like with like.\n\n"
      "| model | core | tinyaot RAM | tinyaot arena | stack | data + bss | tinyaot arena + "
      "inputs + outputs | TFLM arena, ref / CMSIS-NN |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (int32_t i = 0; i < n; i++) {
    const suite_row *r = &rows[i];
    if (!r->ok)
      continue;
    anchor_row a = anchor_find(an, r->model);
    char t1[48] = "—";
    if (a.found && a.arena_ref)
      snprintf(t1, sizeof t1, "%s / %s", commas(x, sizeof x, a.arena_ref),
               commas(y, sizeof y, a.arena_cmsis));
    char v[32];
    ta_buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r->model, r->run.board->core,
                  commas(x, sizeof x, ram_bytes(&r->run)),
                  commas(y, sizeof y, r->run.fw.sizes.arena),
                  commas(z, sizeof z, r->run.dev.mem.stack_used),
                  commas(w, sizeof w, r->run.fw.sizes.data + r->run.fw.sizes.bss),
                  commas(v, sizeof v, r->run.fw.sizes.arena + r->io_bytes), t1);
  }
  ta_buf_puts(b,
              "\nThe chart `bench/instructions.svg` shows the instruction counts (log scale).\n");
}

/* Horizontal grouped bars, log scale: per model, tinyaot per core then TFLM. */
static void write_svg(ta_buf *b, const suite_row *rows, int32_t n, const anchors *an,
                      const char *const *models, int32_t n_models) {
  typedef struct bar {
    const char *label;
    uint64_t v;
    const char *color;
  } bar;
  bar bars[MAX_MODELS * 12];
  char labels[MAX_MODELS * 12][32];
  int32_t nb = 0, group_of[MAX_MODELS * 12];
  static const char *const tcol[] = {"#1f5fa8", "#3f86d4", "#86b6ea", "#b9d5f3"};
  for (int32_t m = 0; m < n_models; m++) {
    int32_t ti = 0;
    for (int32_t i = 0; i < n; i++) {
      if (strcmp(rows[i].model, models[m]) != 0 || !rows[i].ok)
        continue;
      /* "cortex-m4" -> "tinyaot, M4" */
      snprintf(labels[nb], sizeof labels[nb], "tinyaot, %s", rows[i].run.board->target + 7);
      for (char *c = labels[nb]; *c; c++)
        if (*c == 'm')
          *c = 'M';
      bars[nb] = (bar){labels[nb], rows[i].run.dev.instructions, tcol[ti % 4]};
      group_of[nb++] = m;
      ti++;
    }
    anchor_row a = anchor_find(an, models[m]);
    if (a.m4_ref) {
      bars[nb] = (bar){"TFLM ref, M4", a.m4_ref, "#9a9a9a"};
      group_of[nb++] = m;
    }
    const struct {
      const char *l;
      uint64_t v;
    } cm[] = {{"TFLM+CMSIS-NN, M4", a.m4_cmsis},
              {"TFLM+CMSIS-NN, M7", a.m7_cmsis},
              {"TFLM+CMSIS-NN, M33", a.m33_cmsis}};
    for (int i = 0; i < 3; i++)
      if (cm[i].v) {
        bars[nb] = (bar){cm[i].l, cm[i].v, "#e08a2c"};
        group_of[nb++] = m;
      }
  }
  const int left = 200, width = 560, bar_h = 14, gap = 4, group_gap = 26, top = 50;
  int height = top + 40;
  for (int32_t i = 0; i < nb; i++)
    height += bar_h + gap + ((i == 0 || group_of[i] != group_of[i - 1]) ? group_gap : 0);
  const double lo = 5.0, hi = 9.0; /* 1e5 .. 1e9 instructions */
  ta_buf_printf(b,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "font-family=\"sans-serif\" font-size=\"11\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Instructions per "
                "inference (log scale; fewer is better)</text>\n"
                "<text x=\"10\" y=\"36\" fill=\"#444\">tinyaot (blue) vs TensorFlow Lite Micro "
                "reference kernels (grey) and CMSIS-NN (orange), QEMU -icount</text>\n",
                left + width + 130, height);
  for (int e = 5; e <= 9; e++) {
    double x = left + (e - lo) / (hi - lo) * width;
    ta_buf_printf(b,
                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n"
                  "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">1e%d</text>\n",
                  x, top, x, height - 30, x, height - 16, e);
  }
  int y = top;
  for (int32_t i = 0; i < nb; i++) {
    if (i == 0 || group_of[i] != group_of[i - 1]) {
      y += group_gap;
      ta_buf_printf(b, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y - 6,
                    models[group_of[i]]);
    }
    double lv = bars[i].v ? log10((double)bars[i].v) : lo;
    if (lv < lo)
      lv = lo;
    if (lv > hi)
      lv = hi;
    double wdt = (lv - lo) / (hi - lo) * width;
    char num[32];
    ta_buf_printf(b,
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n"
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n"
                  "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%s</text>\n",
                  left - 6, y + bar_h - 3, bars[i].label, left, y, wdt, bar_h, bars[i].color,
                  left + wdt + 4, y + bar_h - 3, commas(num, sizeof num, bars[i].v));
    y += bar_h + gap;
  }
  ta_buf_puts(b, "</svg>\n");
}

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
  anchors an;
  anchors_load(&ctx, anchors_path, &an);
  if (anchors_path && !an.loaded)
    fprintf(stderr, "tinyaot bench: warning: cannot read anchors '%s'; no comparison columns\n",
            anchors_path);
  suite_row *rows = ta_new_array(&ctx, (size_t)(n_models * n_targets + 1), sizeof *rows);
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
      suite_row *r = &rows[n_rows++];
      r->model = models[m];
      r->macs = bm.macs;
      r->run.board = boards[t];
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
      ta_status rs = bench_on(&bm, boards[t], NULL, timeout_s, &r->run);
      r->ok = rs == TA_OK && r->run.match && r->run.dev.repeats_identical;
      if (!r->ok) {
        failures++;
        fprintf(stderr, "tinyaot bench: %s on %s: %s\n", models[m], targets[t],
                rs != TA_OK ? "failed" : r->run.check);
      } else {
        char a[32];
        fprintf(stderr, "  %-11s %16s instructions, flash %llu, RAM %llu, outputs %s\n", targets[t],
                commas(a, sizeof a, r->run.dev.instructions),
                (unsigned long long)flash_bytes(&r->run.fw.sizes),
                (unsigned long long)ram_bytes(&r->run), r->run.check);
      }
      /* The per-layer ticks and outputs live in mctx: drop them before it goes. */
      r->run.dev.layer_ticks = NULL;
      memset(r->run.dev.outputs, 0, sizeof r->run.dev.outputs);
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
  write_report(&b, rows, n_rows, &an, cmd.data ? cmd.data : "tinyaot bench", tool_versions(&ctx));
  ta_status st = b.ok ? ta_write_file(&ctx, report, b.data, b.len) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st == TA_OK && svg) {
    ta_buf_init(&b, &ctx);
    write_svg(&b, rows, n_rows, &an, models, n_models);
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
