/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: `tinyaot eval MODEL --data FILE --labels FILE [--target T]`: run a labelled data
 * set through a classifier on a target, one record after another through the device session
 * (or in process on the host), and report accuracy per class, the confusion matrix, how
 * closely the outputs follow reference outputs (e.g. the training framework's), instructions
 * per inference, flash and RAM, and whether that fits a given part. Optionally an HTML
 * report with the confusion matrix and a few records drawn as plots (inline SVG). With --json
 * the figures are one JSON object on stdout and the progress goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ta_cli.h"

static const char help[] =
    "usage: tinyaot eval MODEL --data FILE --labels FILE [options]\n"
    "\n"
    "Run every record of a labelled data set through the classifier MODEL on a target and\n"
    "report accuracy per class, the confusion matrix, agreement with reference outputs,\n"
    "instructions per inference, flash and RAM. The model must have one input and one output\n"
    "(class scores; the predicted class is the largest).\n"
    "\n"
    "options:\n"
    "  --data FILE          records back to back, each exactly the model input's bytes\n"
    "  --labels FILE        one uint8 class index per record\n"
    "  --classes FILE       class names, one per line (default: class 0, class 1, ...)\n"
    "  --expect FILE        reference outputs, one per record (e.g. PyTorch's), compared with\n"
    "                       |out - ref| <= atol + rtol * |ref| for float outputs, exactly for\n"
    "                       integer outputs\n"
    "  --atol X, --rtol X   tolerances (default 1e-4 and 1e-3)\n"
    "  --target T           host (in process, the same kernels), or a board: cortex-m4, ...\n"
    "                       (default cortex-m4)\n"
    "  --flash-budget N     flash of the part to fit, bytes (default 262144: 256 KB)\n"
    "  --ram-budget N       RAM of the part to fit, bytes (default 65536: 64 KB)\n"
    "  --report FILE        write an HTML report (confusion matrix, plots of a few records)\n"
    "  --plot-layout L      how a record is drawn: TxC (time-major, channels last) or CxT\n"
    "                       (default: guessed from the input shape)\n"
    "  --limit N            only the first N records\n"
    "  --json               print the results as one JSON object (accuracy, instructions,\n"
    "                       flash_bytes, ram_bytes, per class, every predicted class);\n"
    "                       progress goes to stderr\n"
    "  --name NAME          symbol prefix of the generated code\n" TA_CLI_COMPILE_OPTIONS_HELP
    "  -h, --help           this text\n";

typedef struct eval_opts {
  const char *model, *data, *labels, *classes, *expect, *report, *target, *name, *layout;
  double atol, rtol;
  uint64_t flash_budget, ram_budget;
  uint64_t limit;
  bool json;
  ta_compile_options compile;
} eval_opts;

static void progress(FILE *f, int32_t done, int32_t total, bool tty) {
  if (tty) {
    int32_t w = 40, fill = total ? (int32_t)((int64_t)w * done / total) : w;
    fprintf(f, "\r  [");
    for (int32_t i = 0; i < w; i++)
      fputc(i < fill ? '#' : '.', f);
    fprintf(f, "] %d/%d", done, total);
    if (done == total)
      fputc('\n', f);
    fflush(f);
  } else if (total && (done == total || (done * 10 / total) != ((done - 1) * 10 / total))) {
    fprintf(f, "  %d/%d records\n", done, total);
    fflush(f);
  }
}

/* Each record's output goes to the statistics; a progress bar (a terminal) or a line per tenth
 * (a log) on stdout. */
typedef struct record_ctx {
  ta_eval_stats *r;
  const ta_eval_set *set;
  FILE *log;
  bool tty;
} record_ctx;

static ta_status on_record(void *user, int64_t k, const uint8_t *out, uint64_t insns) {
  record_ctx *c = user;
  ta_report_eval_add(c->r, c->set, k, out, insns);
  progress(c->log, (int32_t)k + 1, c->r->n, c->tty);
  return TA_OK;
}

static ta_status run_eval(ta_ctx *ctx, const eval_opts *o) {
  ta_model m;
  ta_status st = ta_compile_file(ctx, o->model, &o->compile, &m);
  if (st != TA_OK)
    return st;
  ctx->file = NULL;
  ta_eval_set set;
  ta_eval_stats r;
  const ta_eval_files files = {o->data, o->labels, o->expect};
  if ((st = ta_report_eval_load(ctx, m.g, o->model, &files, (int64_t)o->limit, &set)) != TA_OK ||
      (st = ta_report_eval_init(ctx, &set, o->classes, o->atol, o->rtol, &r)) != TA_OK)
    return st;
  uint8_t *out = ta_new(ctx, set.out_bytes);
  if (!out)
    return TA_ERR_LIMIT;
  r.arena = m.plan.arena_bytes;
  /* With --json, stdout carries the JSON only. */
  FILE *log = o->json ? stderr : stdout;
  record_ctx rc = {&r, &set, log, isatty(fileno(log))};
  bool host = strcmp(o->target, "host") == 0;
  r.board = host ? NULL : ta_board_find(o->target);
  if (!host && !r.board)
    return ta_err(ctx, TA_ERR_USAGE, "unknown target '%s' (targets: host, %s)", o->target,
                  ta_board_names());
  r.device = !host;
  if (!host) {
    ta_fileset fs;
    const char *name = o->name ? o->name : ta_default_model_name(ctx, o->model);
    ta_cgen_options copt = {name, o->model};
    if ((st = ta_cgen_emit(m.g, m.calls, &m.plan, &copt, &fs)) != TA_OK)
      return st;
    fprintf(log, "building the firmware for %s (%s, %s)...\n", r.board->target, r.board->machine,
            r.board->core);
    ta_device_stream ds;
    if ((st = ta_device_stream_open(m.g, &fs, name, r.board, &ds)) != TA_OK)
      return st;
    fprintf(log, "streaming %d records through the device session (QEMU %s, -icount shift=0):\n",
            r.n, r.board->machine);
    st = ta_device_run_records(ctx, &ds.link, r.board, set.data, set.in_bytes, set.n, out,
                               set.out_bytes, on_record, &rc);
    ta_fw_memstats mem;
    if ((st = ta_device_stream_close(&ds, st, &mem)) != TA_OK)
      return st;
    ta_report_eval_device_cost(&r, &ds.fw.sizes, &mem);
  } else {
    fprintf(log, "evaluating %d records in process on the host:\n", r.n);
    st = ta_device_run_records_host(&m, set.data, set.in_bytes, set.n, out, on_record, &rc);
    if (st != TA_OK)
      return st;
  }
  ta_report_eval_finish(&r);
  ta_buf b;
  ta_buf_init(&b, ctx);
  if (o->json) {
    ta_report_eval_json(&b, &r, o->model, o->target);
  } else {
    ta_buf_puts(&b, "\n");
    ta_report_eval_text(&b, &r, o->expect, o->flash_budget, o->ram_budget);
  }
  if (b.ok)
    fputs(b.data, stdout);
  ta_buf_free(&b);
  if (o->report) {
    ta_buf_init(&b, ctx);
    ta_report_eval_html(&b, o->model, o->data, o->layout, set.in, &r, set.data, set.in_bytes);
    st = b.ok ? ta_write_file(ctx, o->report, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
    if (st != TA_OK)
      return st;
    fprintf(log, "report: %s\n", o->report);
  }
  return TA_OK;
}

int ta_cmd_eval(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "eval");
  eval_opts o;
  memset(&o, 0, sizeof o);
  o.target = "cortex-m4";
  const char *atol = NULL, *rtol = NULL;
  o.flash_budget = 256 * 1024;
  o.ram_budget = 64 * 1024;
  ta_compile_options_init(&o.compile);
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a, help))
      return 0;
    if (ta_arg_switch(&a, "--json", &o.json))
      continue;
    if (ta_arg_value(&a, "--data", &o.data, &st) || ta_arg_value(&a, "--labels", &o.labels, &st) ||
        ta_arg_value(&a, "--classes", &o.classes, &st) ||
        ta_arg_value(&a, "--expect", &o.expect, &st) ||
        ta_arg_value(&a, "--report", &o.report, &st) ||
        ta_arg_value(&a, "--target", &o.target, &st) || ta_arg_value(&a, "--name", &o.name, &st) ||
        ta_arg_value(&a, "--plot-layout", &o.layout, &st) ||
        ta_arg_value(&a, "--atol", &atol, &st) || ta_arg_value(&a, "--rtol", &rtol, &st) ||
        ta_arg_count(&a, "--flash-budget", &o.flash_budget, &st) ||
        ta_arg_count(&a, "--ram-budget", &o.ram_budget, &st) ||
        ta_arg_count(&a, "--limit", &o.limit, &st) || ta_arg_compile_option(&a, &o.compile, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &o.model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  o.atol = atol ? strtod(atol, NULL) : 1e-4;
  o.rtol = rtol ? strtod(rtol, NULL) : 1e-3;
  if (!o.model || !o.data || !o.labels) {
    return ta_arg_missing(&a,
                          !o.model  ? "no MODEL given"
                          : !o.data ? "no --data given"
                                    : "no --labels given",
                          help);
  }
  if (o.layout && strcmp(o.layout, "TxC") != 0 && strcmp(o.layout, "CxT") != 0) {
    return ta_cli_error(&a, "--plot-layout is TxC or CxT, not '%s'", o.layout);
  }
  o.compile.target = o.target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  return ta_cli_done(&ctx, run_eval(&ctx, &o));
}
