/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_tuned.c: the report of `tinyaot bench MODEL --tuning-log FILE`: the model built twice,
 * with the default schedule and with the tuning log's, measured on the same board in one run,
 * side by side per layer and in total. Both builds run the same graph (the log changes only
 * the kernel variant and knobs of an op), so op i of one is op i of the other.
 */
#include <stdio.h>
#include <string.h>

#include "ta_report.h"
#include "ta_schedule.h"

/* "packed (log)", "ref (heuristic)", "-" for an op that runs no code; knob values after the
 * name ("packed weights=16"). */
static const char *variant_text(char *buf, size_t cap, const ta_kernel_call *c) {
  ta_sched_why why;
  const ta_variant *v = ta_sched_variant(c, &why);
  if (!v) {
    snprintf(buf, cap, "-");
    return buf;
  }
  size_t o = (size_t)snprintf(buf, cap, "%s", v->name);
  for (int32_t k = 0; k < v->n_knobs && c->knobs && o < cap; k++)
    o += (size_t)snprintf(buf + o, cap - o, " %s=%d", v->knobs[k].name, c->knobs[k]);
  if (o < cap)
    snprintf(buf + o, cap - o, " (%s)", ta_sched_why_name(why));
  return buf;
}

/* "+12.5%" / "-3.0%" / "=" : the tuned count against the untuned one. */
static const char *change(char *buf, size_t cap, uint64_t before, uint64_t after) {
  if (before == after)
    snprintf(buf, cap, "=");
  else if (!before)
    snprintf(buf, cap, "-");
  else
    snprintf(buf, cap, "%+.1f%%", ((double)after - (double)before) * 100.0 / (double)before);
  return buf;
}

void ta_report_bench_tuned_text(ta_buf *f, const ta_bench_tuned *t) {
  const ta_bench_model *b0 = t->untuned, *b1 = t->tuned;
  const ta_bench_run *r0 = t->untuned_run, *r1 = t->tuned_run;
  const ta_graph *g = b0->m.g;
  char a[32], b[32], c[32], v0[96], v1[96];
  ta_buf_printf(f, "tinyaot bench: %s on %s (%s, %s), input %s\n", b0->path, r0->board->target,
                t->device ? t->device : r0->board->machine, r0->board->core, b0->input_desc);
  ta_buf_printf(f, "tuning log: %s (records of %s applied to %d of %d ops)\n", t->log, t->target,
                t->n_from_log, t->n_scheduled);
  ta_buf_printf(f, "outputs match the host build: untuned %s; tuned %s\n", r0->check, r1->check);
  ta_buf_printf(f, "tuned outputs match the untuned: %s\n", t->check);
  const char *unit = t->device ? "clock cycles" : "instructions";
  ta_buf_printf(f, "%s per inference: untuned %s, tuned %s (%s)\n", unit,
                ta_report_commas(a, sizeof a, r0->dev.instructions),
                ta_report_commas(b, sizeof b, r1->dev.instructions),
                change(c, sizeof c, r0->dev.instructions, r1->dev.instructions));
  ta_buf_printf(f, "\n   op  type                 %-28s %14s  %-28s %14s  %8s\n", "untuned variant",
                "instructions", "tuned variant", "instructions", "change");
  uint64_t sum0 = 0, sum1 = 0;
  for (int32_t i = 0; i < g->n_ops && i < b1->m.g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    const bool code0 = b0->m.calls[i].kernel >= 0, code1 = b1->m.calls[i].kernel >= 0;
    if (!code0 && !code1) {
      ta_buf_printf(f, "  %3d  %-20s %-28s %14s  %-28s %14s  %8s  (no code: aliased)\n", i,
                    ta_op_kind_name(op->kind), "-", "-", "-", "-", "");
      continue;
    }
    const uint64_t i0 = ta_device_layer_insns(b0, r0, i), i1 = ta_device_layer_insns(b1, r1, i);
    sum0 += i0;
    sum1 += i1;
    char n0[32], n1[32];
    ta_buf_printf(f, "  %3d  %-20s %-28s %14s  %-28s %14s  %8s\n", i, ta_op_kind_name(op->kind),
                  variant_text(v0, sizeof v0, &b0->m.calls[i]), ta_report_commas(n0, sizeof n0, i0),
                  variant_text(v1, sizeof v1, &b1->m.calls[i]), ta_report_commas(n1, sizeof n1, i1),
                  change(c, sizeof c, i0, i1));
  }
  ta_buf_printf(f, "  %3s  %-20s %-28s %14s  %-28s %14s  %8s\n", "", "layers in all", "",
                ta_report_commas(a, sizeof a, sum0), "", ta_report_commas(b, sizeof b, sum1),
                change(c, sizeof c, sum0, sum1));
  ta_buf_printf(f,
                "  (per layer: resolution %u instructions, from the timed runs; the totals above "
                "are the untimed runs)\n\n",
                r0->dev.insns_per_tick);
  ta_buf_printf(f, "flash: untuned %s bytes, tuned %s bytes\n",
                ta_report_commas(a, sizeof a, ta_fw_flash_bytes(&r0->fw.sizes)),
                ta_report_commas(b, sizeof b, ta_fw_flash_bytes(&r1->fw.sizes)));
  ta_buf_printf(f, "RAM:   untuned %s bytes, tuned %s bytes\n",
                ta_report_commas(a, sizeof a, ta_fw_ram_bytes(&r0->fw.sizes, &r0->dev.mem)),
                ta_report_commas(b, sizeof b, ta_fw_ram_bytes(&r1->fw.sizes, &r1->dev.mem)));
}

void ta_report_bench_tuned_json(ta_buf *b, const ta_bench_tuned *t) {
  ta_report_json_head(b, "bench");
  ta_buf_puts(b, "\"tuning_log\": ");
  ta_report_json_str(b, t->log);
  ta_buf_puts(b, ", \"tuning_target\": ");
  ta_report_json_str(b, t->target);
  ta_buf_printf(b, ", \"ops_from_log\": %d, \"ops_scheduled\": %d", t->n_from_log, t->n_scheduled);
  ta_buf_printf(
      b, ", \"tuned_outputs_match_untuned\": %s, \"tuned_check\": ", t->match ? "true" : "false");
  ta_report_json_str(b, t->check);
  ta_buf_puts(b, ",\n\"variants\": [");
  const ta_graph *g = t->untuned->m.g;
  bool first = true;
  for (int32_t i = 0; i < g->n_ops && i < t->tuned->m.g->n_ops; i++) {
    char v0[96], v1[96];
    if (t->untuned->m.calls[i].kernel < 0 && t->tuned->m.calls[i].kernel < 0)
      continue;
    ta_buf_printf(b, "%s\n  {\"index\": %d, \"untuned\": ", first ? "" : ",", i);
    ta_report_json_str(b, variant_text(v0, sizeof v0, &t->untuned->m.calls[i]));
    ta_buf_puts(b, ", \"tuned\": ");
    ta_report_json_str(b, variant_text(v1, sizeof v1, &t->tuned->m.calls[i]));
    ta_buf_puts(b, "}");
    first = false;
  }
  ta_buf_puts(b, "\n],\n\"untuned\": ");
  ta_report_bench_json(b, t->untuned, t->untuned_run, t->device);
  ta_buf_puts(b, ",\n\"tuned\": ");
  ta_report_bench_json(b, t->tuned, t->tuned_run, t->device);
  ta_buf_puts(b, "}\n");
}
