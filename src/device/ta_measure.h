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
  bool match;      /* the board's outputs follow the host's */
  char check[160]; /* how outputs were compared, and the result, for people */
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
  char *dir; /* build directory, removed by ta_device_stream_close */
  ta_firmware fw;
  ta_device_link link;
} ta_device_stream;

/* Build g's firmware (emitted into fs under `name`) for board b in a temporary directory and
 * open a session to it on QEMU. */
ta_status ta_device_stream_open(ta_graph *g, const ta_fileset *fs, const char *name,
                                const ta_board *b, ta_device_stream *s);
/* Read the memory statistics of the last run into *mem (when st is TA_OK and mem given),
 * close the session, remove the build. Returns st, or the statistics' failure. */
ta_status ta_device_stream_close(ta_device_stream *s, ta_status st, ta_fw_memstats *mem);

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
} ta_conformance;

/* One data set of one ONNX backend test: read set_dir's input_K.pb and output_K.pb, compile
 * the model (bytes, len; read from model_path) with every input bound to the data set's
 * value, build and run it on the host, compare each output (float: rtol 1e-4, atol 1e-5, or
 * with loose rtol 1e-3, atol 1e-7; NaN matches NaN; integers exactly). Messages go to ctx's
 * sink; reason (cap bytes) gets a one-line reason for a failure the messages do not give.
 * *kept: the build directory when c->keep, else NULL. */
ta_conformance_result ta_device_conformance_run(ta_conformance *c, ta_ctx *ctx,
                                                const char *model_path, const uint8_t *model,
                                                size_t len, const char *set_dir, bool loose,
                                                char *reason, size_t cap, const char **kept);

#endif
