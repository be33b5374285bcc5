/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_report.h: the reports the commands write, apart from the measuring: what inspect shows
 * of a compiled model, one benchmark as text or JSON, the Markdown table and SVG chart of a
 * benchmark suite (next to TensorFlow Lite Micro's figures, scraped from an anchors Markdown
 * table), an evaluation's statistics with their text and HTML reports, and a tuning run's
 * progress line and result table. Writers fill a
 * ta_buf; the caller writes it where it wants. Nothing here prints.
 */
#ifndef TA_REPORT_H
#define TA_REPORT_H

#include "ta_measure.h"
#include "ta_tune.h"

/* 1234567 -> "1,234,567" into buf (cap bytes); returns buf. */
const char *ta_report_commas(char *buf, size_t cap, uint64_t v);
/* s as a JSON string: quoted, '"' and '\\' escaped, control characters as \u00XX. */
void ta_report_json_str(ta_buf *b, const char *s);
/* The start of every command's JSON document: "{", schema_version, tinyaot_version and
 * command, and a comma for the keys that follow (docs/JSON.md). */
void ta_report_json_head(ta_buf *b, const char *command);

/* An op's name for a text table: TFLite converters join several names with ';'
 * ("a/Relu;a/BiasAdd;..."): the first one and ";..." when there are more. In buf; NULL -> "". */
const char *ta_report_short_name(char *buf, size_t cap, const char *name);

/* ---- inspect ---- */

typedef struct ta_inspect_info {
  const char *model;             /* the path, as given */
  const ta_plan_options *plan;   /* the options the model was planned with */
  size_t weights_bytes;          /* constant data the generated code carries */
  size_t arena_io_bytes;         /* the arena with inputs and outputs in it */
  const ta_code_size *code_size; /* code size (host or target), or NULL when not measured */
} ta_inspect_info;

/* What inspect shows besides the model m (compiled from path with copt): the weights (every
 * constant tensor an op reads, each counted once, and the arrays of the kernel parameters:
 * multipliers, packed weights), the arena with inputs and outputs in it (a second plan, unless
 * m was planned so), and when cs is given the generated code's size compiled for copt->target
 * (a board: cross-compiled for it; else for the host; ta_code_size_measure). */
ta_status ta_report_inspect_info(ta_ctx *ctx, const char *path, const ta_compile_options *copt,
                                 const ta_model *m, ta_code_size *cs, ta_inspect_info *info);
/* Per operator: index, type, input and output shapes and dtypes, MACs, parameter bytes, the
 * kernel variant and why it was chosen; then the totals. As text or one JSON object. */
void ta_report_inspect(ta_buf *b, const ta_model *m, const ta_inspect_info *in, bool json);

/* ---- one benchmark ---- */

/* The report of `tinyaot bench MODEL`: for people, or one JSON object. device: the real
 * board's address (its timer counts clock cycles), NULL on QEMU. */
void ta_report_bench_text(ta_buf *b, const ta_bench_model *bm, const ta_bench_run *r,
                          const char *device);
void ta_report_bench_json(ta_buf *b, const ta_bench_model *bm, const ta_bench_run *r,
                          const char *device);

/* `tinyaot bench MODEL --tuning-log FILE` (ta_device_bench_tuned, ta_measure.h): side by side
 * per layer (variant and instructions) and in total; as text or one JSON object holding both
 * ta_report_bench_json objects. */
void ta_report_bench_tuned_text(ta_buf *b, const ta_bench_tuned *t);
void ta_report_bench_tuned_json(ta_buf *b, const ta_bench_tuned *t);

/* TensorFlow Lite Micro figures of one model, from the anchors table. 0: absent. */
typedef struct ta_anchor_row {
  bool found;
  uint64_t arena_ref, arena_cmsis;
  uint64_t m4_ref, m4_cmsis, m7_cmsis, m33_cmsis;
  uint64_t fw_ref[3], fw_cmsis[3]; /* text, data, bss */
} ta_anchor_row;

typedef struct ta_anchors {
  bool loaded;
  const char *path;              /* the file, as given (named in the report) */
  uint64_t base_text, base_data; /* the same firmware without TFLM and model */
  const char *text;
} ta_anchors;

/* Read an anchors file (a Markdown table whose header row starts "| model |"); a missing
 * file or no path leaves an->loaded false. */
void ta_anchors_load(ta_ctx *ctx, const char *path, ta_anchors *an);
/* The row of model (by name), columns found by their headers. */
ta_anchor_row ta_anchor_find(const ta_anchors *an, const char *model);

/* Models a suite report draws at most. */
#define TA_REPORT_MAX_MODELS 64

/* "Tools: `qemu-system-arm --version`, `arm-none-eabi-gcc --version`." (first lines, as
 * found on this machine), a Markdown line for the suite report. In the arena. */
const char *ta_report_tool_versions(ta_ctx *ctx);

/* What the report calls a suite's comparison build with backend (a name or description
 * file): "CMSIS-NN kernels" for cmsis-nn, else "backend NAME". In the arena. */
const char *ta_report_compare_label(ta_ctx *ctx, const char *backend);

/* BENCHMARKS.md: instructions, flash and RAM per model and core, next to the anchors when
 * an->loaded (without them, no TFLM column and no word about TFLM). compare: NULL, or the
 * label of the rows' comparison build (ta_bench_row.cmp_*), which then gets its own columns.
 * svg: the chart's path, named in the report (NULL: none). A failed row names its log. */
void ta_report_bench_md(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                        const char *cmdline, const char *toolversions, const char *compare,
                        const char *svg);
/* Horizontal grouped bars, log scale: per model, tinyaot per core then TFLM. */
void ta_report_bench_svg(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                         const char *const *models, int32_t n_models);

/* A suite's progress line for ta_bench_suite's progress callback (newline included; nothing
 * when there is nothing to say): before a model's runs ("tinyaot bench: MODEL ...", only when
 * watching), a failed run (naming the model's log in log_dir), or a run's figures. */
void ta_report_bench_progress(ta_buf *b, const char *model, const ta_bench_row *r,
                              const char *check, const char *log_dir, bool watching);
/* The suite's files: the Markdown report at report (its command line: "tinyaot" and argv;
 * compare as for ta_report_bench_md; report NULL: into *md instead, in ctx's arena, for the
 * caller to print), then, when svg is given, the chart there. */
ta_status ta_report_bench_write(ta_ctx *ctx, const ta_bench_row *rows, int32_t n_rows,
                                const ta_anchors *an, const char *const *models, int32_t n_models,
                                int argc, char **argv, const char *report, const char *svg,
                                const char *compare, const char **md);

/* A whole `bench --suite`: the options as the command line gave them (lists comma-separated;
 * targets NULL: cortex-m4,cortex-m7,cortex-m33; models NULL: every DIR/NAME.tflite), checked
 * before the long run in this order: the targets, the models, --report and --svg writable, a
 * log folder made; then ta_device_bench_suite (with compare: a second build with that one
 * backend instead of copt's), the anchors read, and the report written (ta_report_bench_write).
 * say: each progress line (ta_report_bench_progress, watching as given). */
typedef struct ta_bench_suite_run {
  const char *dir, *models, *targets, *report, *svg, *anchors, *compare;
  int32_t timeout_s;
  bool watching;
  const ta_compile_options *copt;
  int argc;
  char **argv;
  void (*say)(void *user, const char *line);
  void *user;
} ta_bench_suite_run;
/* setup_ok: the checks passed (false: the status is theirs, USAGE); ran: the suite ran (false
 * with setup_ok: it failed as a whole). md: the report when no --report, in the arena.
 * failures of n_runs; log_dir: the logs (the caller removes it when no run failed). */
typedef struct ta_bench_suite_result {
  bool setup_ok, ran;
  const char *md;
  int32_t failures, n_runs;
  char *log_dir;
} ta_bench_suite_result;
ta_status ta_report_bench_suite_run(ta_ctx *ctx, const ta_bench_suite_run *s,
                                    ta_bench_suite_result *r);

/* ---- evaluation ---- */

/* The files of a labelled data set: records back to back (each the model input's bytes), one
 * uint8 label per record, and optionally reference outputs (one per record; NULL: none). */
typedef struct ta_eval_files {
  const char *data, *labels, *expect;
} ta_eval_files;

/* A labelled data set for a classifier with one input and one output. */
typedef struct ta_eval_set {
  const ta_tensor *in, *out;
  const uint8_t *data, *labels, *expect; /* expect: NULL without reference outputs */
  size_t in_bytes, out_bytes;
  int64_t n; /* records (at most the limit) */
  int32_t n_classes;
} ta_eval_set;

/* Read the data set's files and check them against g (model: its path, for messages): one
 * input and one output of 2 to 1000 class scores, whole records, one label per record, each
 * below the number of classes, one reference output per record. limit > 0: only the first
 * limit records. Usage errors name the file and the sizes. */
ta_status ta_report_eval_load(ta_ctx *ctx, const ta_graph *g, const char *model,
                              const ta_eval_files *f, int64_t limit, ta_eval_set *s);

/* What `tinyaot eval` found over a data set. */
typedef struct ta_eval_stats {
  int32_t n, n_classes;
  const uint8_t *labels;
  int32_t *pred, *ref_pred;
  float *scores;      /* n x n_classes: each record's class scores (int8/uint8 dequantized) */
  int64_t *confusion; /* n_classes x n_classes: [true][pred] */
  int64_t correct, ref_correct, agree, within;
  double max_err;
  bool have_ref, float_out;
  uint64_t insn_min, insn_max, insn_sum;
  bool device;
  const ta_board *board;
  uint64_t flash, model_flash, ram, arena, stack, data_bss;
  const char **names;
  uint32_t clock_hz;     /* for milliseconds: 0, the board's reference clock; else --clock-hz's */
  uint64_t *layer_insns; /* per op: instructions of one profiled run of record 0 on the
                          * device (ta_device_profile_record), or NULL */
  const char *part;      /* the part the budgets are of (--part), or NULL */
  double atol, rtol;     /* reference outputs: |out - ref| <= atol + rtol * |ref| (float) */
} ta_eval_stats;

/* Empty statistics for s: class names from the file classes (one per line; NULL or missing
 * lines: "class K"), tolerances for the reference outputs. The caller sets device, board and
 * arena. */
ta_status ta_report_eval_init(ta_ctx *ctx, const ta_eval_set *s, const char *classes, double atol,
                              double rtol, ta_eval_stats *r);
/* Record k's output out (and its instructions, on a device): its predicted class, and with
 * reference outputs theirs and whether out is within tolerance (integers: identical). */
void ta_report_eval_add(ta_eval_stats *r, const ta_eval_set *s, int64_t k, const uint8_t *out,
                        uint64_t insns);
/* Flash and RAM of the firmware the records ran on. */
void ta_report_eval_device_cost(ta_eval_stats *r, const ta_fw_sizes *sizes,
                                const ta_fw_memstats *mem);
/* After the last record: the confusion matrix, correct and agreeing counts. */
void ta_report_eval_finish(ta_eval_stats *r);
/* "fits PART (flash F, RAM R): yes|NO (flash x%, RAM y%)" and a newline, or without part "fits
 * a part with F flash and R RAM: ...". Sizes shown in KiB or MiB as whole numbers allow; a
 * budget of 0 is not checked (nor shown). */
void ta_report_fits(ta_buf *b, uint64_t flash, uint64_t ram, uint64_t flash_budget,
                    uint64_t ram_budget, const char *part);
/* The text summary: accuracy, agreement with the reference outputs (expect_path), per class,
 * the confusion matrix, and on a device the cost and whether it fits a part with flash_budget
 * and ram_budget bytes. */
void ta_report_eval_text(ta_buf *b, const ta_eval_stats *r, const char *expect_path,
                         uint64_t flash_budget, uint64_t ram_budget);
/* The same as one JSON object (one line): model, target, records, correct, accuracy (a
 * fraction), reference_* with reference outputs, instructions (mean per inference; null on
 * the host), instructions_min/max, core, flash_bytes, model_flash_bytes, ram_bytes,
 * stack_bytes, data_bss_bytes (null on the host), arena_bytes, flash_budget_bytes,
 * ram_budget_bytes, fits (null on the host), per_class, and predictions (the predicted class
 * of every record, in order). */
void ta_report_eval_json(ta_buf *b, const ta_eval_stats *r, const char *model, const char *target,
                         uint64_t flash_budget, uint64_t ram_budget);
/* Whether the firmware fits a part with flash_budget and ram_budget bytes; true on the host
 * (nothing measured, nothing to miss). */
bool ta_report_eval_fits(const ta_eval_stats *r, uint64_t flash_budget, uint64_t ram_budget);
/* ta_report_eval_fits, and a miss reported on ctx as an error with the figures and the
 * command's exit status for it: "the model misses its budget: flash F of B bytes, ...". */
bool ta_report_eval_verdict(ta_ctx *ctx, const ta_eval_stats *r, uint64_t flash_budget,
                            uint64_t ram_budget, int exit_status);
/* `tinyaot eval` up to its figures: the model compiled (copt), the data set loaded
 * (ta_report_eval_load: files, limit), the statistics started (classes, atol, rtol; clock_hz
 * and part for the report), the records run (ta_device_eval_records on board, NULL: the host;
 * with layers, one profiled run for the per-layer chart), finished, and the budget verdict
 * reported (ta_report_eval_verdict with exit_budget). show (may be NULL): what someone
 * watching sees, written as is: the device library's lines and, with bar, a progress bar with
 * rate and ETA redrawn after each record. */
typedef struct ta_eval_run {
  const char *model, *name, *classes, *part; /* name NULL: the model file's stem */
  const ta_compile_options *copt;
  ta_eval_files files;
  int64_t limit;
  double atol, rtol;
  uint32_t clock_hz;
  const ta_board *board;
  ta_device_options dopt;
  bool keep, layers, bar;
  uint64_t flash_budget, ram_budget;
  int exit_budget;
  void (*show)(void *user, const char *text);
  void *user;
} ta_eval_run;
/* Out: the model, the data set and the statistics; *fits: the verdict. */
ta_status ta_report_eval_run(ta_ctx *ctx, const ta_eval_run *o, ta_model *m, ta_eval_set *set,
                             ta_eval_stats *r, bool *fits);
/* A progress bar for a terminal: "[####....] done/total  R records/s  ETA M:SS" after
 * elapsed_s seconds (rate and ETA once there is a rate to tell). No newline. */
void ta_report_progress_bar(ta_buf *b, int64_t done, int64_t total, double elapsed_s);

/* What the HTML report shows besides the statistics. */
typedef struct ta_eval_html_info {
  const char *model, *data_path;
  const char *layout;     /* how records are drawn: "TxC", "CxT" or NULL (guessed from in) */
  const ta_model *m;      /* the compiled model: the per-layer chart's ops, the memory plan */
  const ta_eval_set *set; /* the records and their input tensor */
  uint64_t flash_budget, ram_budget; /* the verdict (on a device) */
  const char *part;                  /* the budgets' part (--part), or NULL */
  int argc;                          /* the command line, shown: "tinyaot" and argv[0..argc-1] */
  char **argv;
} ta_eval_html_info;

/* The HTML report of an evaluation, one self-contained page (inline SVG and CSS, no script,
 * nothing fetched): tool version, date (UTC; $SOURCE_DATE_EPOCH when set) and command;
 * accuracy and the budget verdict; the confusion matrix; the cost; the instructions of each
 * layer (on a device, r->layer_insns); the memory plan (ta_plan_svg); a few records drawn as
 * plots with axes, a legend of their channels (x, y, z for three) and their class scores. */
void ta_report_eval_html(ta_buf *b, const ta_eval_stats *r, const ta_eval_html_info *h);
/* ta_report_eval_html written to path (TA_ERR_LIMIT when memory ran out). */
ta_status ta_report_eval_html_write(ta_ctx *ctx, const char *path, const ta_eval_stats *r,
                                    const ta_eval_html_info *h);

/* `tinyaot tune`: one progress line of the run (tty: "\r" first and the rest of the terminal
 * line cleared, no newline; else one line), and the result as a table (ta_tune_run's r). */
void ta_report_tune_progress(ta_buf *b, const ta_tune_progress *p, bool tty);
void ta_report_tune_text(ta_buf *b, const ta_tune_result *r);

#endif
