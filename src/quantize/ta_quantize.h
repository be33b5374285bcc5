/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_quantize.h: post-training int8 quantization of a float graph from a calibration set.
 *
 * The central idea: the float graph is evaluated in process with the runtime kernels over the
 * calibration records; an observer per float activation tensor chooses a range; the rewrite
 * then builds a NEW graph in the TFLite int8 scheme (per-channel symmetric int8 weights, int32
 * bias at input scale times weight scale, asymmetric int8 activations, fused activations in
 * the output clamp), plain IR that the existing int8 kernels run and a writer can serialize:
 * QUANTIZE/DEQUANTIZE ops, int8 tensors with scales and zero points, int32 bias constants.
 * An op is made int8 only when its own check hook accepts the int8 form (so only ops with an
 * int8 kernel are); the others stay float between DEQUANTIZE and QUANTIZE and the report
 * names them. Finally both graphs run over the calibration set again for the report.
 *
 * Calibration data (ta_calib_read):
 *   - raw .bin: float32 little-endian records of the model input's size, back to back (the
 *     file size is a multiple of the input's byte size);
 *   - .npy (recognised by its magic): float32 or float64, little-endian, C order, whose
 *     shape ends with the input's dims without their leading 1s ([1,32,32,3] takes
 *     (N,32,32,3), (N,1,32,32,3) or (32,32,3)); the dims before count the records.
 *   A model with one input takes any number of files, their records concatenated in order. A
 *   model with k > 1 inputs takes exactly k files, one per input in the graph's input order,
 *   with the same number of records each (record r of every file is one calibration sample).
 *   Refused with a message naming the file: a size that is not a multiple of the record size
 *   (both sizes given), a NaN or infinity (record and element index), no records, a broken
 *   .npy header (MALFORMED); a wrong number of files (USAGE).
 */
#ifndef TA_QUANTIZE_H
#define TA_QUANTIZE_H

#include "ta_ops.h"

typedef enum ta_quant_mode {
  TA_QUANT_NONE = 0, /* keep the model as it is */
  TA_QUANT_INT8,     /* TFLite int8 scheme */
} ta_quant_mode;

/* How an activation range is chosen from the calibration values. */
typedef enum ta_calib_method {
  TA_CALIB_MINMAX = 0, /* the smallest and largest values seen */
  TA_CALIB_PERCENTILE, /* both tails clipped at ta_quant_options.percentile */
  TA_CALIB_MSE,        /* the range of least quantization MSE (clipping + rounding) */
  TA_CALIB_AUTO,       /* per tensor, whichever of the three has the least MSE */
} ta_calib_method;

/* "minmax", "percentile", "mse", "auto"; ta_calib_method_parse: false for anything else. */
const char *ta_calib_method_name(ta_calib_method m);
bool ta_calib_method_parse(const char *s, ta_calib_method *m);

/* Calibration records per graph input: data[i] holds n_records * elems[i] floats (arena). */
typedef struct ta_calib_set {
  int32_t n_inputs;
  int64_t n_records;
  size_t *elems;
  float **data;
} ta_calib_set;

/* Parse one calibration file's bytes (name for messages) for a graph input t of g: .npy when
 * the bytes start with its magic, raw float32 otherwise. *values (arena) gets *n_records
 * records of the input's element count. Errors as the header says. No file system access
 * (the fuzz target calls this). */
ta_status ta_calib_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                         const ta_tensor *t, float **values, int64_t *n_records);

/* Read paths[0..n_paths) for the inputs of g by the rule above into *set. */
ta_status ta_calib_read(ta_ctx *ctx, const ta_graph *g, const char *const *paths, int32_t n_paths,
                        ta_calib_set *set);

/* Progress over the calibration set: phase ("calibrate", "histogram", "bias", "report"),
 * records done of total. */
typedef void (*ta_quant_progress_fn)(void *user, const char *phase, int64_t done, int64_t total);

#define TA_QUANT_MAX_CALIB_FILES 64

typedef struct ta_quant_options {
  ta_quant_mode mode;
  ta_calib_method method;
  double percentile; /* for TA_CALIB_PERCENTILE and AUTO, in percent (0: 99.99) */
  bool bias_correction;
  bool int8_io; /* int8 graph inputs and outputs instead of QUANTIZE/DEQUANTIZE at the edges */
  bool report;  /* evaluate the int8 graph against the float one (ta_quant_report) */
  const char *calib_paths[TA_QUANT_MAX_CALIB_FILES];
  int32_t n_calib_paths;
  const char *labels_path; /* optional: one uint8 class id per record (accuracy in the report) */
  ta_quant_progress_fn progress;
  void *progress_user;
} ta_quant_options;

/* One quantized activation: the int8 output of an op, compared with its float counterpart. */
typedef struct ta_quant_layer {
  const char *op_kind, *op_name, *tensor;
  const char *method; /* the observer that chose the range; "fixed" or "input" when the op fixes
                       * it (softmax, logistic, tanh; ops that keep their input's) */
  float lo, hi, scale;
  int32_t zero_point;
  double sqnr_db, cosine;
} ta_quant_layer;

/* An op left in float, and why its int8 form was refused (its check's message). */
typedef struct ta_quant_float_op {
  const char *op_kind, *op_name, *reason;
} ta_quant_float_op;

typedef struct ta_quant_output {
  const char *name;
  double sqnr_db, cosine, max_abs_err, mean_abs_err;
} ta_quant_output;

typedef struct ta_quant_report {
  const char *method;
  bool bias_correction;
  int64_t n_records;
  int32_t n_int8_ops, n_float_ops_total;
  ta_quant_layer *layers;
  int32_t n_layers;
  ta_quant_float_op *float_ops;
  int32_t n_float_ops;
  ta_quant_output *outputs;
  int32_t n_outputs;
  bool has_labels;
  int64_t n_labels;
  double acc_float, acc_int8, agreement; /* fractions in [0, 1] */
} ta_quant_report;

/* Quantize the checked float graph fg with the calibration set into a new graph *qg (same
 * context; fg is left as it was). With opt->report, *rep gets the report (else NULL). The new
 * graph still needs the pipeline's check and prepare. UNSUPPORTED when fg has no float
 * activation to quantize (an int8 model) or a non-float input. */
ta_status ta_quantize_graph(ta_graph *fg, const ta_calib_set *cal, const ta_quant_options *opt,
                            ta_graph **qg, ta_quant_report **rep);

/* ta_calib_read with opt's paths, then ta_quantize_graph (and the labels file if given). */
ta_status ta_quantize_run(ta_graph *fg, const ta_quant_options *opt, ta_graph **qg,
                          ta_quant_report **rep);

/* The report as text (a table per layer) or JSON, appended to out. */
void ta_quant_report_text(const ta_quant_report *r, ta_buf *out);
void ta_quant_report_json(const ta_quant_report *r, ta_buf *out);

/* ---- observers (observe.c), exposed for tests ------------------------------------------- */

#define TA_HIST_BINS 2048

/* A histogram of values over [lo, hi] (lo <= 0 <= hi), filled after a first pass found the
 * range. */
typedef struct ta_hist {
  double lo, hi;
  double count[TA_HIST_BINS];
  double total;
} ta_hist;

void ta_hist_init(ta_hist *h, double lo, double hi);
void ta_hist_add(ta_hist *h, const float *x, size_t n);
/* The quantization MSE of int8 over [a, b] (asymmetric, 256 steps) for the values h holds:
 * rounding error inside, clipping error outside. */
double ta_hist_mse(const ta_hist *h, double a, double b);
/* The range a method picks from h (percentile in percent, for PERCENTILE); for AUTO,
 * *chosen tells which method won. */
void ta_hist_range(const ta_hist *h, ta_calib_method m, double percentile, double *a, double *b,
                   ta_calib_method *chosen);

/* TFLite's asymmetric int8 parameters for the range [a, b] (widened to contain 0). */
void ta_quant_params(double a, double b, float *scale, int32_t *zero_point);

#endif
