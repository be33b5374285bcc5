/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_text.c: the report of one benchmark (`tinyaot bench MODEL`), as text for people or as
 * one JSON object for tools: instructions per inference and per layer, MACs, flash and RAM.
 * On QEMU the counts are instructions (exact, -icount); on a real board the timer counts clock
 * cycles. Milliseconds are the count divided by the board's reference clock, a conversion.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_backend.h"
#include "ta_backend_desc.h"
#include "ta_config.h"
#include "ta_report.h"

void ta_report_json_str(ta_buf *b, const char *s) {
  ta_buf_puts(b, "\"");
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      ta_buf_printf(b, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      ta_buf_printf(b, "\\u%04x", (unsigned char)*s);
    else
      ta_buf_printf(b, "%c", *s);
  }
  ta_buf_puts(b, "\"");
}

void ta_report_json_head(ta_buf *b, const char *command) {
  ta_buf_printf(b, "{\"schema_version\": %d, \"tinyaot_version\": \"%s\", \"command\": ",
                TA_JSON_SCHEMA_VERSION, TA_VERSION);
  ta_report_json_str(b, command);
  ta_buf_puts(b, ", ");
}

static uint64_t op_macs(const ta_graph *g, int32_t i) {
  const ta_op_def *d = ta_op_def_get(g->ops[i].kind);
  return d && d->macs ? d->macs(g, &g->ops[i]) : 0;
}

/* The cycles a modelled accelerator takes for op i (0 when the op runs on no backend with
 * cost fields), computed on the host from its description: setup_cycles + max(ceil(MACs /
 * macs_per_cycle), ceil(bytes / bytes_per_cycle)) with bytes every operand the engine reads and
 * writes (inputs, constants included, and outputs): the formula the example NPU's model
 * (npu_model.c) counts with on the board. */
static uint64_t accel_cycles_host(const ta_bench_model *bm, int32_t i) {
  const ta_graph *g = bm->m.g;
  const ta_backend_cost *c = ta_backend_cost_of(ta_backend_of(&bm->m.calls[i]));
  if (!c)
    return 0;
  const ta_op *op = &g->ops[i];
  uint64_t bytes = 0;
  for (int32_t k = 0; k < op->n_in + op->n_out; k++) {
    int32_t t = k < op->n_in ? op->in[k] : op->out[k - op->n_in];
    size_t n = 0;
    if (t >= 0 && ta_tensor_bytes(&g->tensors[t], &n))
      bytes += n;
  }
  double compute = ceil((double)op_macs(g, i) / c->macs_per_cycle);
  double dma = ceil((double)bytes / c->bytes_per_cycle);
  return (uint64_t)(c->setup_cycles + (compute > dma ? compute : dma));
}

/* Op i's accelerator cycles: the board's figure (the model's own count, sent back with the
 * per-layer timings) when the run has one, else the host's. */
static uint64_t accel_cycles(const ta_bench_model *bm, const ta_bench_run *r, int32_t i) {
  if (!ta_backend_cost_of(ta_backend_of(&bm->m.calls[i])))
    return 0;
  if (r && r->dev.layer_accel)
    return r->dev.layer_accel[i];
  return accel_cycles_host(bm, i);
}

/* The accelerator cycles of the whole run (the board's when it sent them), the host formula's
 * sum in *host, and the name of the first backend with cost fields (NULL: none, the report
 * prints nothing about accelerators). */
static uint64_t accel_total(const ta_bench_model *bm, const ta_bench_run *r, const char **name,
                            uint64_t *host) {
  uint64_t sum = 0;
  *name = NULL;
  *host = 0;
  for (int32_t i = 0; i < bm->m.g->n_ops; i++) {
    if (bm->m.calls[i].kernel < 0 || !ta_backend_cost_of(ta_backend_of(&bm->m.calls[i])))
      continue;
    if (!*name)
      *name = ta_backend_of(&bm->m.calls[i])->name;
    sum += accel_cycles(bm, r, i);
    *host += accel_cycles_host(bm, i);
  }
  return sum;
}

void ta_report_bench_json(ta_buf *b, const ta_bench_model *bm, const ta_bench_run *r,
                          const char *device) {
  const ta_graph *g = bm->m.g;
  const ta_fw_sizes *s = &r->fw.sizes;
  uint32_t ipt = r->dev.insns_per_tick;
  ta_report_json_head(b, "bench");
  ta_buf_puts(b, "\"model\": ");
  ta_report_json_str(b, bm->path);
  ta_buf_puts(b, ", \"name\": ");
  ta_report_json_str(b, bm->name);
  ta_buf_printf(b, ", \"target\": \"%s\", \"board\": ", r->board->target);
  ta_report_json_str(b, device ? device : r->board->machine);
  ta_buf_puts(b, ", \"input\": ");
  ta_report_json_str(b, bm->input_desc);
  ta_buf_printf(b, ", \"counts\": \"%s\"",
                device ? "clock cycles (real board)" : "instructions (QEMU -icount)");
  ta_buf_printf(
      b,
      ",\n \"instructions\": %llu, \"instructions_per_tick\": %u, \"repeatable\": %s, "
      "\"clock_hz\": %u, \"ms\": %.3f, \"ms_at_reference_clock\": %.3f, \"macs\": %llu,\n",
      (unsigned long long)r->dev.instructions, ipt, r->dev.repeats_identical ? "true" : "false",
      r->clock_hz, (double)r->dev.instructions * 1000.0 / r->clock_hz,
      (double)r->dev.instructions * 1000.0 / r->board->clock_hz, (unsigned long long)bm->macs);
  ta_buf_printf(
      b,
      " \"flash_bytes\": %llu, \"model_flash_bytes\": %llu, \"ram_bytes\": %llu, "
      "\"arena_bytes\": %llu, \"stack_bytes\": %u, \"run_stack_bytes\": %u, "
      "\"data_bytes\": %llu, \"bss_bytes\": %llu, \"text_bytes\": %llu, "
      "\"rodata_bytes\": %llu,\n",
      (unsigned long long)ta_fw_flash_bytes(s), (unsigned long long)ta_fw_model_flash_bytes(s),
      (unsigned long long)ta_fw_ram_bytes(&r->fw.sizes, &r->dev.mem), (unsigned long long)s->arena,
      r->dev.mem.stack_used, r->dev.mem.run_stack_used, (unsigned long long)s->data,
      (unsigned long long)s->bss, (unsigned long long)s->text, (unsigned long long)s->rodata);
  const char *accel = NULL;
  uint64_t accel_host = 0;
  const uint64_t accel_sum = accel_total(bm, r, &accel, &accel_host);
  if (accel)
    ta_buf_printf(b,
                  " \"accelerator\": \"%s\", \"accelerator_cycles\": %llu, "
                  "\"accelerator_cycles_from\": \"%s\", \"accelerator_cycles_host\": %llu, "
                  "\"ms_cpu_plus_accelerator\": %.3f,\n",
                  accel, (unsigned long long)accel_sum, r->dev.layer_accel ? "board" : "host",
                  (unsigned long long)accel_host,
                  (double)(r->dev.instructions + accel_sum) * 1000.0 / r->clock_hz);
  ta_buf_printf(b, " \"outputs_match_host\": %s, \"output_check\": ", r->match ? "true" : "false");
  ta_report_json_str(b, r->check);
  ta_buf_puts(b, ",\n \"layers\": [");
  bool first = true;
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (bm->m.calls[i].kernel < 0)
      continue;
    uint64_t ins = r->dev.layer_ticks ? (uint64_t)r->dev.layer_ticks[i] * ipt : 0;
    ta_buf_printf(b, "%s\n  {\"index\": %d, \"type\": \"%s\", \"name\": ", first ? "" : ",", i,
                  ta_op_kind_name(g->ops[i].kind));
    ta_report_json_str(b, g->ops[i].name ? g->ops[i].name : "");
    ta_buf_printf(b, ", \"instructions\": %llu, \"macs\": %llu", (unsigned long long)ins,
                  (unsigned long long)op_macs(g, i));
    if (accel)
      ta_buf_printf(b, ", \"backend\": \"%s\", \"accelerator_cycles\": %llu",
                    ta_backend_of(&bm->m.calls[i])->name,
                    (unsigned long long)accel_cycles(bm, r, i));
    ta_buf_puts(b, "}");
    first = false;
  }
  ta_buf_puts(b, "\n ]}\n");
}

void ta_report_bench_text(ta_buf *f, const ta_bench_model *bm, const ta_bench_run *r,
                          const char *device) {
  const ta_graph *g = bm->m.g;
  const ta_fw_sizes *s = &r->fw.sizes;
  uint32_t ipt = r->dev.insns_per_tick;
  char a[32], b[32], c[32], d[32], e[32];
  ta_buf_printf(f, "tinyaot bench: %s on %s (%s, %s), input %s\n", bm->path, r->board->target,
                device ? device : r->board->machine, r->board->core, bm->input_desc);
  ta_buf_printf(f, "outputs match the host build: %s\n", r->check);
  if (device) {
    /* A real board: the timer counts clock cycles, and time is measured. */
    ta_buf_printf(f, "clock cycles per inference: %s (timer ticks; %s on a second run)\n",
                  ta_report_commas(a, sizeof a, r->dev.instructions),
                  r->dev.repeats_identical ? "identical" : "different");
    ta_buf_printf(f, "  = %.2f ms at %.0f MHz\n",
                  (double)r->dev.instructions * 1000.0 / r->clock_hz, r->clock_hz / 1e6);
  } else {
    ta_buf_printf(f,
                  "instructions per inference: %s (%s on a second run; 1 timer tick = %u "
                  "instructions)\n",
                  ta_report_commas(a, sizeof a, r->dev.instructions),
                  r->dev.repeats_identical ? "identical" : "DIFFERENT", ipt);
    ta_buf_printf(f, "  = %.2f ms at %s%.0f MHz%s (instructions / clock, not a measured time)\n",
                  (double)r->dev.instructions * 1000.0 / r->clock_hz,
                  r->clock_hz == r->board->clock_hz ? "the " : "", r->clock_hz / 1e6,
                  r->clock_hz == r->board->clock_hz ? " reference clock" : "");
  }
  if (bm->macs)
    ta_buf_printf(f, "  %s MACs, %.3f MACs per instruction\n",
                  ta_report_commas(a, sizeof a, bm->macs),
                  r->dev.instructions ? (double)bm->macs / (double)r->dev.instructions : 0.0);
  const char *accel = NULL;
  uint64_t accel_host = 0;
  const uint64_t accel_sum = accel_total(bm, r, &accel, &accel_host);
  if (accel) {
    /* The board's timer was paused while the accelerator's model ran: instructions are the
     * CPU's alone; the accelerator's cycles are its model's count from its description's cost
     * fields, sent back by the board (else computed here with the same formula). */
    if (r->dev.layer_accel)
      ta_buf_printf(f,
                    "CPU/accelerator split: CPU %s instructions + %s %s cycles (counted by its "
                    "model on the board from its cost fields%s%s%s; the timer was paused while "
                    "its model ran)\n",
                    ta_report_commas(a, sizeof a, r->dev.instructions), accel,
                    ta_report_commas(b, sizeof b, accel_sum),
                    accel_host == accel_sum ? ", as the host's formula gives"
                                            : "; the host's formula gives ",
                    accel_host == accel_sum ? "" : ta_report_commas(c, sizeof c, accel_host),
                    accel_host == accel_sum ? "" : ": model and description differ");
    else
      ta_buf_printf(f,
                    "CPU/accelerator split: CPU %s instructions + %s %s cycles (modelled, from "
                    "its cost fields, computed on the host; the timer was paused while its model "
                    "ran)\n",
                    ta_report_commas(a, sizeof a, r->dev.instructions), accel,
                    ta_report_commas(b, sizeof b, accel_sum));
    ta_buf_printf(f,
                  "  total %s cycles = %.2f ms at %.0f MHz (the accelerator clocked with the core, "
                  "one instruction counted as one cycle)\n",
                  ta_report_commas(a, sizeof a, r->dev.instructions + accel_sum),
                  (double)(r->dev.instructions + accel_sum) * 1000.0 / r->clock_hz,
                  r->clock_hz / 1e6);
    ta_buf_puts(f, "\n   op  type                 backend  CPU instructions  accel cycles"
                   "          MACs  name\n");
    for (int32_t i = 0; i < g->n_ops; i++) {
      const ta_op *op = &g->ops[i];
      char nm[128];
      if (bm->m.calls[i].kernel < 0) {
        ta_buf_printf(f, "  %3d  %-20s %-8s %16s %13s %13s  (no code: aliased)\n", i,
                      ta_op_kind_name(op->kind), "-", "-", "-", "-");
        continue;
      }
      uint64_t ins = r->dev.layer_ticks ? (uint64_t)r->dev.layer_ticks[i] * ipt : 0;
      uint64_t macs = op_macs(g, i), cyc = accel_cycles(bm, r, i);
      ta_buf_printf(f, "  %3d  %-20s %-8s %16s %13s %13s  %s\n", i, ta_op_kind_name(op->kind),
                    ta_backend_of(&bm->m.calls[i])->name, ta_report_commas(a, sizeof a, ins),
                    cyc ? ta_report_commas(b, sizeof b, cyc) : "-",
                    macs ? ta_report_commas(c, sizeof c, macs) : "-",
                    ta_report_short_name(nm, sizeof nm, op->name));
    }
    ta_buf_printf(
        f,
        "  (CPU instructions per layer: resolution %u; on an accelerator's layers they are "
        "its driver's; the timed run takes %s instructions in all)\n\n",
        ipt, ta_report_commas(a, sizeof a, (uint64_t)r->dev.profiled_ticks * ipt));
  }
  if (!accel)
    ta_buf_puts(f,
                "\n   op  type                   instructions          MACs  MACs/instr  name\n");
  for (int32_t i = 0; i < g->n_ops && !accel; i++) {
    const ta_op *op = &g->ops[i];
    char nm[128];
    if (bm->m.calls[i].kernel < 0) {
      ta_buf_printf(f, "  %3d  %-20s %14s %13s  (no code: aliased)\n", i, ta_op_kind_name(op->kind),
                    "-", "-");
      continue;
    }
    uint64_t ins = r->dev.layer_ticks ? (uint64_t)r->dev.layer_ticks[i] * ipt : 0;
    uint64_t macs = op_macs(g, i);
    char ratio[16] = "";
    if (macs && ins)
      snprintf(ratio, sizeof ratio, "%.3f", (double)macs / (double)ins);
    ta_buf_printf(f, "  %3d  %-20s %14s %13s  %-10s  %s\n", i, ta_op_kind_name(op->kind),
                  ta_report_commas(a, sizeof a, ins),
                  macs ? ta_report_commas(b, sizeof b, macs) : "-", ratio,
                  ta_report_short_name(nm, sizeof nm, op->name));
  }
  if (!accel)
    ta_buf_printf(
        f,
        "  (per layer: resolution %u instructions; the timed run takes %s instructions in "
        "all)\n\n",
        ipt, ta_report_commas(a, sizeof a, (uint64_t)r->dev.profiled_ticks * ipt));
  ta_buf_printf(f, "flash: %s bytes (text %s + rodata %s + data %s)\n",
                ta_report_commas(a, sizeof a, ta_fw_flash_bytes(s)),
                ta_report_commas(b, sizeof b, s->text), ta_report_commas(c, sizeof c, s->rodata),
                ta_report_commas(d, sizeof d, s->data));
  ta_buf_printf(f,
                "  model alone (%s.c, %s_weights.c, tart/): %s bytes (text %s + rodata %s + data "
                "%llu)\n",
                bm->name, bm->name, ta_report_commas(a, sizeof a, ta_fw_model_flash_bytes(s)),
                ta_report_commas(b, sizeof b, s->model_text),
                ta_report_commas(c, sizeof c, s->model_rodata), (unsigned long long)s->model_data);
  ta_buf_printf(f, "RAM:   %s bytes (arena %s + stack high-water %s + data %s + bss %s)\n",
                ta_report_commas(a, sizeof a, ta_fw_ram_bytes(&r->fw.sizes, &r->dev.mem)),
                ta_report_commas(b, sizeof b, s->arena),
                ta_report_commas(c, sizeof c, r->dev.mem.stack_used),
                ta_report_commas(d, sizeof d, s->data), ta_report_commas(e, sizeof e, s->bss));
  ta_buf_printf(f,
                "  stack: %u bytes below the run function's caller; bss holds the runner's "
                "input, output and frame buffers\n",
                r->dev.mem.run_stack_used);
}

const char *ta_report_tool_versions(ta_ctx *ctx) {
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
