/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_measure.h: what the commands do with a compiled model on a target, as library calls
 * that return data and never print: one benchmark (host reference run, firmware build,
 * measurement on a board, output check), one run from input files to output files on a
 * board, a stream of records through a board kept open, and one ONNX conformance data set
 * run on the host. The command line (src/cli) only parses arguments and prints what these
 * return; messages go to the context's sink.
 */
#ifndef TA_MEASURE_H
#define TA_MEASURE_H

#include "ta_compile.h"
#include "ta_device.h"
#include "ta_session.h"

/* ---- one benchmark ---- */

/* A model made ready for benchmarking: compiled, emitted, its inputs made, its outputs on
 * the host (the reference) read back. Everything lives in the context's arena. */
typedef struct ta_bench_model {
  const char *path, *name;
  ta_model m;
  ta_fileset fs;
  uint8_t *inputs[TA_SESSION_MAX_IO];
  const char *input_desc; /* where the inputs come from: a file, "the --input files", "xorshift" */
  uint8_t *host_out[TA_SESSION_MAX_IO];
  size_t host_bytes[TA_SESSION_MAX_IO];
  uint64_t macs;
  uint64_t io_bytes; /* bytes of the model's input and output tensors */
  char *dir;         /* temporary build directory (the caller removes it: ta_remove_tree) */
} ta_bench_model;

/* One model on one board. */
typedef struct ta_bench_run {
  const ta_board *board;
  ta_firmware fw;
  ta_device_result dev;
  uint32_t clock_hz; /* for milliseconds: the board's reference clock unless the caller sets
                      * the part's (instructions are counted at the board's, whatever this) */
  bool match;        /* the board's outputs follow the host's */
  char check[160];   /* how outputs were compared, and the result, for people */
} ta_bench_run;

/* Compile path (name: symbol prefix, NULL: from the file name), make the inputs (the n_inputs
 * raw files, or with none the reference vectors' xorshift pattern) and run the host build on
 * them. bm is filled as far as it got, so a caller can still remove bm->dir on failure. */
ta_status ta_device_bench_prepare(ta_ctx *ctx, const char *path, const char *name,
                                  const char *const *input_files, int32_t n_inputs,
                                  const ta_compile_options *copt, ta_bench_model *bm);

/* Build bm's firmware for board b, run it twice without and once with per-layer timing (on
 * QEMU, or on the board at device: see ta_device_options), and compare its outputs with the
 * host's: integers bit for bit, float32 within |err| <= 1e-5 * max(1, |ref|). */
ta_status ta_device_bench_run(ta_bench_model *bm, const ta_board *b, const char *device,
                              int32_t timeout_s, ta_bench_run *r);

/* The instructions of op i in r, a run of bm (ticks x instructions per tick; 0 for an op with
 * no code, or a run without per-layer timing). */
uint64_t ta_device_layer_insns(const ta_bench_model *bm, const ta_bench_run *r, int32_t i);

/* `tinyaot bench MODEL --tuning-log FILE`: the model with the default schedule and with the
 * log's, measured in one run. */
typedef struct ta_bench_tuned {
  const ta_bench_model *untuned, *tuned;
  const ta_bench_run *untuned_run, *tuned_run;
  const char *device;  /* as for ta_report_bench_text */
  const char *log;     /* the tuning log's path */
  const char *target;  /* whose records were applied */
  int32_t n_from_log;  /* ops the log scheduled (why TA_SCHED_LOG) */
  int32_t n_scheduled; /* ops with a scheduled variant */
  bool match;          /* the tuned board's outputs follow the untuned host build's */
  const char *check;   /* how they compared, for people */
} ta_bench_tuned;
/* Build the model at path with the default schedule and with copt's tuning log (the log
 * first: a bad log stops before anything is measured), run both on board b, and compare the
 * tuned board's outputs with the untuned host build's (float32 within 1e-5 relative, integers
 * bit for bit) into t->match and t->check. bm and r (two each: untuned, tuned) are the
 * caller's, t points into them; the caller removes bm[k].dir (also on failure). */
ta_status ta_device_bench_tuned(ta_ctx *ctx, const char *path, const char *name,
                                const char *const *input_files, int32_t n_inputs,
                                const ta_compile_options *copt, const ta_board *b,
                                const char *device, int32_t timeout_s, ta_bench_model bm[2],
                                ta_bench_run r[2], ta_bench_tuned *t);

/* ---- a suite: several models on several boards ---- */

/* One operator of a suite's row, from the profiled run: what its report's per-layer table
 * shows. Strings live in the suite's context. */
typedef struct ta_bench_layer {
  int32_t index;       /* the op's execution-order index (inspect's, bench's) */
  const char *type;    /* TFLite-style kind: CONV_2D */
  const char *variant; /* the scheduled kernel variant ("-" for an op without one) */
  const char *backend; /* the backend that runs it */
  uint64_t macs;
  uint64_t instructions;     /* ticks x instructions per tick; 0: no code (aliased) */
  uint64_t cmp_instructions; /* the comparison build's same op; 0: none or not comparable */
  const char *cmp_backend;   /* the backend that ran it in the comparison build, or NULL */
} ta_bench_layer;

/* One model on one board, as a suite keeps it (figures only) and its report shows it. */
typedef struct ta_bench_row {
  const char *model;
  const ta_board *board;
  uint64_t macs;
  uint64_t io_bytes; /* the model's input and output tensors */
  uint64_t instructions;
  ta_fw_sizes sizes;
  ta_fw_memstats mem;
  bool ok; /* measured, outputs matched, repeatable; else a "failed" row */
  /* The same model built with the suite's comparison options (ta_bench_suite.compare), run
   * on the same board in the same harness; cmp_ok as ok. Zero when there is no comparison. */
  bool cmp_ok;
  uint64_t cmp_instructions;
  ta_fw_sizes cmp_sizes;
  const char *log; /* the model's messages, when a run of it failed (ta_bench_suite.log_dir) */
  /* Per operator (ops with a kernel call, in execution order), from the profiled run; the
   * comparison build's figure next to each when both builds have the same ops. */
  ta_bench_layer *layers;
  int32_t n_layers;
} ta_bench_row;

/* Told before each model (row NULL) and after each of its runs (check: how the outputs
 * compared, NULL when the run failed). A model that does not compile gets one failed row
 * call per board (check NULL). */
typedef void (*ta_bench_progress_fn)(void *user, const char *model, const ta_bench_row *row,
                                     const char *check);

typedef struct ta_bench_suite {
  const char *dir; /* model NAME is dir/NAME.tflite */
  const char *const *models;
  int32_t n_models;
  const ta_board *const *boards;
  int32_t n_boards;
  int32_t timeout_s;
  const ta_compile_options *copt;
  ta_bench_progress_fn progress; /* may be NULL */
  void *user;
  /* NULL, or the options of a second build of every model (for example with --backend
   * cmsis-nn) measured on every board right after the first, same inputs, same harness:
   * the rows' cmp_ fields. Its progress calls name the model "MODEL (compare_label)". */
  const ta_compile_options *compare;
  const char *compare_label;
  /* NULL, or an existing folder: every message of model NAME (its compile, builds, QEMU's
   * output after a failure) goes to log_dir/NAME.log, its errors to ctx's sink as well; the
   * log stays (and the model's rows name it, ta_bench_row.log) only when one of its runs
   * failed. */
  const char *log_dir;
} ta_bench_suite;

/* Benchmark every model on every board: rows (in ctx, model-major, n_models x n_boards of
 * them; *failures: the runs not ok, the comparison's counted too). Each model is compiled and
 * measured in a context of its own (messages to ctx's sink, or to its log), freed after it:
 * the rows keep figures only. */
ta_status ta_device_bench_suite(ta_ctx *ctx, const ta_bench_suite *s, ta_bench_row **rows,
                                int32_t *failures);

/* ---- one run from files to files ---- */

/* Build m's firmware (emitted into fs under `name`) for board b, run it once on QEMU (or at
 * device) on the raw input files, write output_K.bin into out_dir (created if needed). keep:
 * the build directory stays (reported as a note). */
ta_status ta_device_run_files(ta_model *m, const ta_fileset *fs, const char *name,
                              const ta_board *b, const char *const *inputs, int32_t n_inputs,
                              const char *out_dir, const char *device, int32_t timeout_s,
                              bool keep);

/* ---- records streamed through a board ---- */

/* A board kept open for many inferences of one model: its firmware build and session. */
typedef struct ta_device_stream {
  char *dir; /* build directory, removed by ta_device_stream_close (unless keep) */
  bool keep; /* keep the build directory (reported as a note on close) */
  ta_ctx *ctx;
  ta_firmware fw;
  ta_device_link link;
} ta_device_stream;

/* Build g's firmware (emitted into fs under `name`) for board b in a temporary directory and
 * open a session to it on QEMU, or to the board opt->device (opt: device, run_timeout_s; NULL
 * for QEMU and the default limit). keep: the build directory stays. */
ta_status ta_device_stream_open(ta_graph *g, const ta_fileset *fs, const char *name,
                                const ta_board *b, const ta_device_options *opt, bool keep,
                                ta_device_stream *s);
/* Read the memory statistics of the last run into *mem (when st is TA_OK and mem given),
 * close the session, remove the build (or note where it was kept). Returns st, or the
 * statistics' failure. */
ta_status ta_device_stream_close(ta_device_stream *s, ta_status st, ta_fw_memstats *mem);

/* A data set through a model, record after record (`tinyaot eval`). */
typedef struct ta_device_eval {
  ta_model *m;
  const char *name, *model_path; /* symbol prefix of the generated code, the model file */
  const ta_board *board;         /* NULL: on the host, in process (ta_device_run_records_host) */
  ta_device_options dopt;        /* the board's session: device, run_timeout_s */
  bool keep;                     /* keep the firmware build directory (a note says where) */
  const uint8_t *data;           /* n records back to back, in_bytes each */
  size_t in_bytes, out_bytes;
  int64_t n;
  uint8_t *out;          /* out_bytes: each record's output, handed to each */
  uint64_t *layer_insns; /* on a board: m's n_ops + 1 entries filled by one profiled run of
                          * the first record before the records (ta_device_profile_record) */
  ta_device_record_fn each;
  void *user; /* each's and say's */
  /* Lines for people (may be NULL): before the firmware build and before the records, then
   * once with NULL when the records start (for a rate). */
  void (*say)(void *user, const char *line);
} ta_device_eval;

/* Run e's records: on a board, m emitted under e->name, its firmware built and one session
 * kept open for all of them, the firmware's sizes and the memory statistics of the last run
 * into *sizes and *mem (both untouched on the host). */
ta_status ta_device_eval_records(ta_ctx *ctx, const ta_device_eval *e, ta_fw_sizes *sizes,
                                 ta_fw_memstats *mem);

/* The host's counterpart of ta_device_run_records: n records through the model in process
 * (ta_graph_eval_shared, the same kernels), each output to each(user, k, out, 0). */
ta_status ta_device_run_records_host(ta_model *m, const uint8_t *inputs, size_t in_bytes, int64_t n,
                                     uint8_t *out, ta_device_record_fn each, void *user);

/* ---- an ONNX conformance data set on the host ---- */

typedef enum ta_conformance_result {
  TA_CONFORMANCE_PASS,
  TA_CONFORMANCE_FAIL,
  TA_CONFORMANCE_UNSUPPORTED,
} ta_conformance_result;

/* What the data sets of a conformance run share: a private directory, the runtime kernels
 * compiled once for the host, the compile options. */
typedef struct ta_conformance {
  ta_ctx *ctx;        /* lives for the whole run (holds dir and the kernels) */
  const char *dir;    /* private temporary directory */
  ta_host_runtime rt; /* the runtime kernels, compiled on first use */
  bool rt_ready, rt_failed;
  bool keep;               /* keep each data set's build directory */
  ta_compile_options copt; /* --input-shape etc.; the data sets' shapes come after */
  int32_t serial;
  /* With keep: told each kept build directory (may be NULL). */
  void (*kept)(void *user, const char *dir);
  void *user;
} ta_conformance;

/* One ONNX backend test folder, dir: model.onnx and test_data_set_* folders, each run in
 * name order until one does not pass. A data set's run: read its input_K.pb and output_K.pb,
 * compile the model with every input bound to the data set's value, build and run it on the
 * host, compare each output (float: rtol 1e-4, atol 1e-5, or with loose rtol 1e-3, atol 1e-7;
 * NaN matches NaN; integers exactly). Messages go to ctx's sink; reason (cap bytes) gets a
 * one-line reason for a failure the messages do not give. */
ta_conformance_result ta_device_conformance_test(ta_conformance *c, ta_ctx *ctx, const char *dir,
                                                 bool loose, char *reason, size_t cap);

/* A test folder of a run: its path and the name to print for it. */
typedef struct ta_conformance_dir {
  const char *path, *label;
} ta_conformance_dir;

/* The test folders dir names: dir itself (label dir) when it holds model.onnx, else its
 * subfolders that do (label: the subfolder's name), in name order; *n of them, in ctx. NULL
 * when dir cannot be read (errno says why). */
ta_conformance_dir *ta_device_conformance_list(ta_ctx *ctx, const char *dir, int32_t *n);

/* One test folder's outcome, for its report line. */
typedef struct ta_conformance_outcome {
  ta_conformance_result result;
  bool loose;           /* compared with ONNX's own tolerance (rtol 1e-3, atol 1e-7) */
  char reason[4096];    /* one line: why it failed or is unsupported */
  char messages[16384]; /* its messages, "error: TEXT\n" etc. (as many as fit) */
  size_t len;
} ta_conformance_outcome;

/* ta_device_conformance_test on dir in a context of its own whose messages are collected in
 * out->messages; loose when dir's last component is one of the n_loose names. out->reason:
 * the one the test gave, else the first error message (an unsupported operator's when there
 * is one), without the "PATH/model.onnx: " before it. */
void ta_device_conformance_run(ta_conformance *c, const char *dir, const char *const *loose,
                               int32_t n_loose, ta_conformance_outcome *out);

/* The test folders of each of dirs (ta_device_conformance_list) run in order
 * (ta_device_conformance_run), each outcome told to each with the test's label. A folder that
 * cannot be read is reported on c->ctx and counted as a failure. counts: by result (indexed by
 * ta_conformance_result); returns the number of test folders found. */
int32_t ta_device_conformance_dirs(ta_conformance *c, const char *const *dirs, int32_t n_dirs,
                                   const char *const *loose, int32_t n_loose,
                                   void (*each)(void *user, const char *label,
                                                const ta_conformance_outcome *o),
                                   void *user, int32_t counts[3]);

#endif
