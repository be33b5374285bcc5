/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: `tinyaot eval MODEL --data FILE --labels FILE [--target T]`: run a labelled data
 * set through a classifier on a target, one record after another through the device session
 * (or in process on the host), and report accuracy per class, the confusion matrix, how
 * closely the outputs follow reference outputs (e.g. the training framework's), instructions
 * per inference, flash and RAM, and whether that fits a given part. Optionally an HTML
 * report with the confusion matrix and a few records drawn as plots (inline SVG).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ta_cli.h"
#include "ta_report.h"
#include "ta_session.h"

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
    "  --name NAME          symbol prefix of the generated code\n" TA_CLI_COMPILE_OPTIONS_HELP
    "  -h, --help           this text\n";

typedef struct eval_opts {
  const char *model, *data, *labels, *classes, *expect, *report, *target, *name, *layout;
  double atol, rtol;
  uint64_t flash_budget, ram_budget;
  int64_t limit;
  ta_compile_options compile;
} eval_opts;

static int32_t argmax(const ta_tensor *t, const uint8_t *p, int32_t n) {
  int32_t best = 0;
  double bv = -INFINITY;
  for (int32_t i = 0; i < n; i++) {
    double v;
    if (t->dtype == TA_DT_F32) {
      float f;
      memcpy(&f, p + 4 * (size_t)i, 4);
      v = f;
    } else if (t->dtype == TA_DT_I8) {
      v = (int8_t)p[i];
    } else if (t->dtype == TA_DT_U8) {
      v = p[i];
    } else {
      int32_t x;
      memcpy(&x, p + 4 * (size_t)i, 4);
      v = x;
    }
    if (v > bv)
      bv = v, best = i;
  }
  return best;
}

static uint64_t parse_u64(const char *s, bool *ok) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  *ok = !errno && end != s && *end == '\0';
  return v;
}

/* Class names from a file, one per line; missing ones become "class K". */
static const char **load_names(ta_ctx *ctx, const char *path, int32_t n) {
  const char **names = ta_new_array(ctx, (size_t)n, sizeof(char *));
  if (!names)
    return NULL;
  uint8_t *data = NULL;
  size_t len = 0;
  if (path && ta_read_file(ctx, path, &data, &len) != TA_OK)
    return NULL;
  const char *p = (const char *)data;
  for (int32_t i = 0; i < n; i++) {
    const char *line = NULL;
    size_t ll = 0;
    if (p && *p) {
      ll = strcspn(p, "\r\n");
      line = p;
      p += ll;
      while (*p == '\r' || *p == '\n')
        p++;
    }
    names[i] = ll ? ta_strndup(ctx, line, ll) : ta_fmt(ctx, "class %d", i);
  }
  return names;
}

static void progress(int32_t done, int32_t total, bool tty) {
  if (tty) {
    int32_t w = 40, fill = total ? (int32_t)((int64_t)w * done / total) : w;
    printf("\r  [");
    for (int32_t i = 0; i < w; i++)
      putchar(i < fill ? '#' : '.');
    printf("] %d/%d", done, total);
    if (done == total)
      putchar('\n');
    fflush(stdout);
  } else if (total && (done == total || (done * 10 / total) != ((done - 1) * 10 / total))) {
    printf("  %d/%d records\n", done, total);
    fflush(stdout);
  }
}

/* What each record adds to the statistics: its prediction, its agreement with the reference
 * output (float: |out - ref| <= atol + rtol * |ref|; integers identical), its instructions. */
typedef struct record_ctx {
  const eval_opts *o;
  ta_eval_stats *r;
  const ta_tensor *tout;
  const uint8_t *expect;
  size_t out_bytes;
  bool tty;
} record_ctx;

static ta_status on_record(void *user, int64_t k, const uint8_t *out, uint64_t insns) {
  record_ctx *c = user;
  ta_eval_stats *r = c->r;
  if (r->device) {
    if (insns < r->insn_min)
      r->insn_min = insns;
    if (insns > r->insn_max)
      r->insn_max = insns;
    r->insn_sum += insns;
  }
  r->pred[k] = argmax(c->tout, out, r->n_classes);
  if (c->expect) {
    const uint8_t *ref = c->expect + (size_t)k * c->out_bytes;
    const ta_device_tol tol = {c->o->atol, c->o->rtol, false, false, false};
    ta_device_cmp cmp;
    r->ref_pred[k] = argmax(c->tout, ref, r->n_classes);
    r->within += ta_device_compare(c->tout->dtype, ref, out, c->out_bytes, &tol, &cmp);
    if (cmp.max_err > r->max_err)
      r->max_err = cmp.max_err;
  }
  progress((int32_t)k + 1, r->n, c->tty);
  return TA_OK;
}

static void print_summary(const eval_opts *o, const ta_eval_stats *r) {
  char n1[32], n2[32], n3[32];
  printf("accuracy: %.1f%% (%lld of %d records)\n", 100.0 * (double)r->correct / r->n,
         (long long)r->correct, r->n);
  if (r->have_ref) {
    printf("reference outputs (%s): accuracy %.1f%%; same predicted class on %lld of %d records\n",
           o->expect, 100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n);
    if (r->float_out)
      printf("  outputs within |err| <= %g + %g * |ref|: %lld of %d records (max |error| %.3g)\n",
             o->atol, o->rtol, (long long)r->within, r->n, r->max_err);
    else
      printf("  outputs identical: %lld of %d records\n", (long long)r->within, r->n);
  }
  printf("\nper class:\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    if (row)
      printf("  %-12s %5.1f%%  (%lld of %lld)\n", r->names[i],
             100.0 * (double)r->confusion[i * r->n_classes + i] / (double)row,
             (long long)r->confusion[i * r->n_classes + i], (long long)row);
    else
      printf("  %-12s     -   (no records)\n", r->names[i]);
  }
  printf("\nconfusion matrix (rows: true class, columns: predicted):\n  %-12s", "");
  for (int32_t j = 0; j < r->n_classes; j++)
    printf(" %8.8s", r->names[j]);
  printf("\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    printf("  %-12s", r->names[i]);
    for (int32_t j = 0; j < r->n_classes; j++)
      printf(" %8lld", (long long)r->confusion[i * r->n_classes + j]);
    printf("\n");
  }
  printf("\n");
  if (!r->device) {
    printf("arena: %llu bytes (host, in process: no instruction counts)\n",
           (unsigned long long)r->arena);
    return;
  }
  uint64_t mean = r->insn_sum / (uint64_t)r->n;
  printf("instructions per inference: %s (min %s, max %s) on %s\n",
         ta_report_commas(n1, sizeof n1, mean), ta_report_commas(n2, sizeof n2, r->insn_min),
         ta_report_commas(n3, sizeof n3, r->insn_max), r->board->core);
  printf("  = %.2f ms at the %.0f MHz reference clock (instructions / clock, not a measured "
         "time)\n",
         (double)mean * 1e3 / r->board->clock_hz, r->board->clock_hz / 1e6);
  printf("flash: %s bytes (model and kernels %s)\n", ta_report_commas(n1, sizeof n1, r->flash),
         ta_report_commas(n2, sizeof n2, r->model_flash));
  printf("RAM:   %s bytes (arena %llu + stack %llu + data/bss %llu)\n",
         ta_report_commas(n1, sizeof n1, r->ram), (unsigned long long)r->arena,
         (unsigned long long)r->stack, (unsigned long long)r->data_bss);
  bool fits = r->flash <= o->flash_budget && r->ram <= o->ram_budget;
  printf("fits a part with %llu KB flash and %llu KB RAM: %s (flash %.0f%%, RAM %.0f%%)\n",
         (unsigned long long)(o->flash_budget / 1024), (unsigned long long)(o->ram_budget / 1024),
         fits ? "yes" : "NO", 100.0 * (double)r->flash / (double)o->flash_budget,
         100.0 * (double)r->ram / (double)o->ram_budget);
}

static ta_status run_eval(ta_ctx *ctx, const eval_opts *o) {
  ta_model m;
  ta_status st = ta_compile_file(ctx, o->model, &o->compile, &m);
  if (st != TA_OK)
    return st;
  ta_graph *g = m.g;
  ctx->file = NULL;
  if (g->n_inputs != 1 || g->n_outputs != 1)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %d inputs and %d outputs; eval needs a classifier "
                  "with one input and one output",
                  o->model, g->n_inputs, g->n_outputs);
  const ta_tensor *tin = &g->tensors[g->inputs[0]], *tout = &g->tensors[g->outputs[0]];
  size_t in_bytes = 0, out_bytes = 0, out_elems = 0;
  ta_tensor_bytes(tin, &in_bytes);
  ta_tensor_bytes(tout, &out_bytes);
  ta_tensor_elems(tout, &out_elems);
  uint8_t *data, *labels, *expect = NULL;
  size_t data_len, labels_len, expect_len = 0;
  if ((st = ta_read_file(ctx, o->data, &data, &data_len)) != TA_OK)
    return st;
  if ((st = ta_read_file(ctx, o->labels, &labels, &labels_len)) != TA_OK)
    return st;
  if (o->expect && (st = ta_read_file(ctx, o->expect, &expect, &expect_len)) != TA_OK)
    return st;
  char shape[96];
  if (in_bytes == 0 || data_len % in_bytes != 0 || data_len == 0)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %zu bytes, not a whole number of records of %zu "
                  "bytes (model input \"%s\", %s %s)",
                  o->data, data_len, in_bytes, tin->name, ta_dtype_name(tin->dtype),
                  ta_shape_str(tin, shape, sizeof shape));
  int64_t n = (int64_t)(data_len / in_bytes);
  if ((int64_t)labels_len != n)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu labels, but %s holds %lld records", o->labels,
                  labels_len, o->data, (long long)n);
  if (expect && expect_len != (size_t)n * out_bytes)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu bytes; %lld records of %zu output bytes need %zu",
                  o->expect, expect_len, (long long)n, out_bytes, (size_t)n * out_bytes);
  if (o->limit > 0 && o->limit < n)
    n = o->limit;
  if (out_elems < 2 || out_elems > 1000)
    return ta_err(ctx, TA_ERR_USAGE,
                  "the output has %zu elements; eval expects class scores "
                  "(2 to 1000)",
                  out_elems);
  ta_eval_stats r;
  memset(&r, 0, sizeof r);
  r.n = (int32_t)n;
  r.n_classes = (int32_t)out_elems;
  r.labels = labels;
  for (int64_t k = 0; k < n; k++)
    if (labels[k] >= r.n_classes)
      return ta_err(ctx, TA_ERR_USAGE,
                    "%s: record %lld has label %u, but the model has %d "
                    "classes",
                    o->labels, (long long)k, labels[k], r.n_classes);
  r.names = load_names(ctx, o->classes, r.n_classes);
  r.pred = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  r.ref_pred = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  r.confusion = ta_new_array(ctx, (size_t)(r.n_classes * r.n_classes), sizeof(int64_t));
  uint8_t *out = ta_new(ctx, out_bytes);
  if (!r.names || !r.pred || !r.ref_pred || !r.confusion || !out)
    return TA_ERR_LIMIT;
  r.have_ref = expect != NULL;
  r.float_out = tout->dtype == TA_DT_F32;
  r.insn_min = UINT64_MAX;
  r.arena = m.plan.arena_bytes;

  record_ctx rc = {o, &r, tout, expect, out_bytes, isatty(1)};
  bool host = strcmp(o->target, "host") == 0;
  const ta_board *board = host ? NULL : ta_board_find(o->target);
  if (!host && !board)
    return ta_err(ctx, TA_ERR_USAGE, "unknown target '%s' (targets: host, %s)", o->target,
                  ta_board_names());
  r.device = !host;
  r.board = board;
  ta_device_link link;
  memset(&link, 0, sizeof link);
  ta_firmware fw;
  if (!host) {
    ta_fileset fs;
    const char *name = o->name ? o->name : ta_default_model_name(ctx, o->model);
    ta_cgen_options copt = {name, o->model};
    if ((st = ta_cgen_emit(g, m.calls, &m.plan, &copt, &fs)) != TA_OK)
      return st;
    char *dir;
    if ((st = ta_make_temp_dir(ctx, "eval", &dir)) != TA_OK)
      return st;
    printf("building the firmware for %s (%s, %s)...\n", board->target, board->machine,
           board->core);
    st = ta_fw_build(g, &fs, name, board, dir, &fw);
    ta_device_options dopt = {NULL, false, 1, 0, NULL};
    if (st == TA_OK)
      st = ta_device_open(g, &fw, &dopt, &link);
    if (st != TA_OK) {
      ta_remove_tree(dir);
      return st;
    }
    printf("streaming %d records through the device session (QEMU %s, -icount shift=0):\n", r.n,
           board->machine);
    st =
        ta_device_run_records(ctx, &link, board, data, in_bytes, n, out, out_bytes, on_record, &rc);
    ta_fw_memstats mem;
    memset(&mem, 0, sizeof mem);
    if (st == TA_OK)
      st = ta_session_memstats(link.s, &mem);
    ta_device_close(&link, st != TA_OK);
    ta_remove_tree(dir);
    if (st != TA_OK)
      return st;
    r.flash = ta_fw_flash_bytes(&fw.sizes);
    r.model_flash = ta_fw_model_flash_bytes(&fw.sizes);
    r.stack = mem.stack_used;
    r.arena = fw.sizes.arena;
    r.data_bss = fw.sizes.data + fw.sizes.bss;
    r.ram = ta_fw_ram_bytes(&fw.sizes, &mem);
  } else {
    printf("evaluating %d records in process on the host:\n", r.n);
    for (int64_t k = 0; k < n && st == TA_OK; k++) {
      const void *ins[1] = {data + (size_t)k * in_bytes};
      void *outs[1] = {out};
      st = ta_graph_eval_shared(g, m.calls, m.plan.root, ins, outs);
      if (st == TA_OK)
        st = on_record(&rc, k, out, 0);
    }
    if (st != TA_OK)
      return st;
  }
  for (int64_t k = 0; k < n; k++) {
    r.confusion[labels[k] * r.n_classes + r.pred[k]]++;
    r.correct += r.pred[k] == labels[k];
    if (expect) {
      r.ref_correct += r.ref_pred[k] == labels[k];
      r.agree += r.ref_pred[k] == r.pred[k];
    }
  }
  printf("\n");
  print_summary(o, &r);
  if (o->report) {
    ta_buf b;
    ta_buf_init(&b, ctx);
    ta_report_eval_html(&b, o->model, o->data, o->layout, tin, &r, data, in_bytes);
    st = b.ok ? ta_write_file(ctx, o->report, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
    if (st != TA_OK)
      return st;
    printf("report: %s\n", o->report);
  }
  return TA_OK;
}

int ta_cmd_eval(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "eval"};
  eval_opts o;
  memset(&o, 0, sizeof o);
  o.target = "cortex-m4";
  o.atol = 1e-4;
  o.rtol = 1e-3;
  o.flash_budget = 256 * 1024;
  o.ram_budget = 64 * 1024;
  ta_compile_options_init(&o.compile);
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    const char *v = NULL;
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_value(&a, "--data", &o.data, &st) || ta_arg_value(&a, "--labels", &o.labels, &st) ||
        ta_arg_value(&a, "--classes", &o.classes, &st) ||
        ta_arg_value(&a, "--expect", &o.expect, &st) ||
        ta_arg_value(&a, "--report", &o.report, &st) ||
        ta_arg_value(&a, "--target", &o.target, &st) || ta_arg_value(&a, "--name", &o.name, &st) ||
        ta_arg_value(&a, "--plot-layout", &o.layout, &st) ||
        ta_arg_compile_option(&a, &o.compile, &st))
      continue;
    bool ok = true;
    if (ta_arg_value(&a, "--atol", &v, &st)) {
      if (st == TA_OK)
        o.atol = strtod(v, NULL);
      continue;
    }
    if (ta_arg_value(&a, "--rtol", &v, &st)) {
      if (st == TA_OK)
        o.rtol = strtod(v, NULL);
      continue;
    }
    if (ta_arg_value(&a, "--flash-budget", &v, &st) || ta_arg_value(&a, "--ram-budget", &v, &st) ||
        ta_arg_value(&a, "--limit", &v, &st)) {
      if (st != TA_OK)
        break;
      uint64_t x = parse_u64(v, &ok);
      if (!ok || x == 0) {
        fprintf(stderr, "tinyaot eval: %s takes a positive whole number, not '%s'\n", argv[a.i - 1],
                v);
        return 1;
      }
      if (strcmp(argv[a.i - 1], "--flash-budget") == 0)
        o.flash_budget = x;
      else if (strcmp(argv[a.i - 1], "--ram-budget") == 0)
        o.ram_budget = x;
      else
        o.limit = (int64_t)x;
      continue;
    }
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot eval: unknown option '%s' (see tinyaot eval --help)\n", argv[a.i]);
      return 1;
    }
    if (o.model) {
      fprintf(stderr, "tinyaot eval: more than one model given ('%s' and '%s')\n", o.model,
              argv[a.i]);
      return 1;
    }
    o.model = argv[a.i];
  }
  if (st != TA_OK)
    return 1;
  if (!o.model || !o.data || !o.labels) {
    fprintf(stderr, "tinyaot eval: %s\n%s",
            !o.model  ? "no MODEL given"
            : !o.data ? "no --data given"
                      : "no --labels given",
            help);
    return 1;
  }
  if (o.layout && strcmp(o.layout, "TxC") != 0 && strcmp(o.layout, "CxT") != 0) {
    fprintf(stderr, "tinyaot eval: --plot-layout is TxC or CxT, not '%s'\n", o.layout);
    return 1;
  }
  o.compile.target = o.target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  st = run_eval(&ctx, &o);
  ta_ctx_free(&ctx);
  return ta_cli_exit_code(st);
}
