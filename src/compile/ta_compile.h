/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_compile.h: the one compile entry point. Every command, test and fuzzer takes a model
 * through the pipeline with ta_compile_bytes (or ta_compile_file), steered by one options
 * struct, so a stage added to the pipeline reaches all of them at once.
 *
 * The stages, in order (compile.c): frontend (format sniffed from the bytes) -> graph passes
 * (for every format) -> [quantize: a float graph to int8 from calibration data, when asked] ->
 * check (structure, operator checks, shape inference) -> prepare (kernel
 * parameters) -> memory plan. The result is a ta_model whose graph, kernel calls and plan the
 * code generator and the device runners take as they are.
 */
#ifndef TA_COMPILE_H
#define TA_COMPILE_H

#include "ta_onnx.h"
#include "ta_codegen.h"
#include "ta_plan.h"
#include "ta_quantize.h"

/* Static shapes for model inputs (--input-shape NAME=D0,D1,...; ONNX inputs with dynamic
 * dimensions need one). The names are held here, so the struct can be copied. */
#define TA_MAX_INPUT_SHAPES 16
typedef struct ta_input_shapes {
  ta_onnx_shape s[TA_MAX_INPUT_SHAPES];
  char names[TA_MAX_INPUT_SHAPES][256];
  int32_t n;
} ta_input_shapes;

/* Backends given to one compile (--backend, --backend-var). */
#define TA_MAX_BACKENDS 8
#define TA_MAX_BACKEND_VARS 32

/* The stages a compile runs; ta_compile_options.last_stage stops after one of them. */
typedef enum ta_compile_stage {
  TA_STAGE_SCHEDULE, /* read, passes, check, prepare, partition, schedule: kernel calls with
                      * their variants chosen, no plan (m->plan zeroed) */
  TA_STAGE_PLAN,     /* everything: the memory plan too (the default) */
} ta_compile_stage;

typedef struct ta_compile_options {
  /* Static shapes for graph inputs with dynamic dimensions (ONNX), by input name. */
  ta_input_shapes shapes;
  /* Values for ONNX graph inputs an operator needs at compile time (weights, shapes, axes:
   * the backend conformance tests pass even those as inputs): see ta_onnx_options.bind. Each
   * also gives its input's static shape, after those of `shapes`. NULL: none. */
  const ta_onnx_tensor *bind;
  int32_t n_bind;
  /* Memory plan: alignment, inputs and outputs in the arena, in-place, reordering, limit. */
  ta_plan_options plan;
  /* Prepare picks the reference kernels, never an optimized variant (the graph's
   * reference_kernels flag). */
  bool reference_kernels;
  /* --optimize size: where a kernel variant trades flash for speed (the packed kernels' int16
   * weights), the smaller form; the default spends a bounded amount of flash on speed. */
  bool optimize_size;
  /* The target the model is built for ("host", "cortex-m4", ...; see ta_board_find). The
   * commands that build firmware look their board up with it; a tuning log applies its
   * records (unless tuning_target says otherwise). */
  const char *target;
  /* Backends, in order (--backend NAME_OR_FILE): each op goes to the first that takes it, else
   * to the CPU. A bare name ("cmsis-nn": no '/', no ".json") is a shipped backend,
   * backends/NAME/NAME.json of tinyaot's source tree or share/tinyaot/backends/NAME/NAME.json of
   * its install prefix; anything else is a description file's path. Loading them is the one
   * file access of ta_compile_bytes (none when n_backends is 0). A backend whose "targets" do
   * not match `target` is refused (USAGE). The strings are not copied. */
  const char *backends[TA_MAX_BACKENDS];
  int32_t n_backends;
  /* "KEY=VALUE" for ${KEY} in the descriptions (--backend-var; the last of a key wins, then
   * the environment). Not copied. */
  const char *backend_vars[TA_MAX_BACKEND_VARS];
  int32_t n_backend_vars;
  /* Keep operators tinyaot lacks as UNSUPPORTED placeholders (TFLite models) instead of
   * failing: for `inspect`, which shows the graph with them marked. Such a graph is only read
   * and checked (ops downstream of a placeholder are not checked, their shapes unknown):
   * no passes, m->calls all without a kernel, no plan; the compile returns TA_OK. Never for
   * a compile that generates or runs code. */
  bool allow_unsupported;
  /* Stop after this stage (default TA_STAGE_PLAN). */
  ta_compile_stage last_stage;
  /* Post-training quantization after the passes (quant.mode TA_QUANT_INT8: calibration files,
   * method, bias correction, report; see ta_quantize.h). Default: none. */
  ta_quant_options quant;
  /* A tuning log (--tuning-log FILE, see ta_tune_log.h): each op whose workload has an "ok"
   * record for the tuning target runs the best record's variant and knobs; the others keep
   * the heuristic. A stale record is a warning. NULL: none. Not copied. */
  const char *tuning_log;
  /* Whose records to apply (--tuning-target T). NULL: `target` when it names a board (not
   * "host"), else the log's only target (an error when it holds several). Not copied. */
  const char *tuning_target;
} ta_compile_options;

/* Defaults: no backends, no input shapes, no bound inputs, ta_plan_options_default, optimized
 * kernels, target "host", every stage, no quantization (when asked: method minmax, percentile
 * 99.99). */
void ta_compile_options_init(ta_compile_options *opt);

/* The compile options as command-line words (options.c), for every front end that takes
 * them as text:
 *   --input-shape NAME=D0,D1,...   a static shape for an ONNX input with dynamic dimensions
 *   --align N, --io-in-arena, --no-inplace, --no-reorder, --max-arena BYTES   memory plan
 *   --reference-kernels            the reference kernels only, no optimized variant
 *   --quantize int8|none, --calibration FILE[,FILE...], --quant-method M, --bias-correction,
 *   --int8-io                      post-training quantization of a float model
 *   --backend NAME_OR_FILE, --backend-var KEY=VALUE   backends (kept in order; the compile
 *                                  reads the descriptions and checks the variables)
 *   --tuning-log FILE, --tuning-target T   apply a tuning log (the compile reads it)
 * ta_compile_option_is_flag: name is one that takes no value; ta_compile_option_takes_value:
 * one that does. */
bool ta_compile_option_is_flag(const char *name);
bool ta_compile_option_takes_value(const char *name);
/* Apply the option name (with its value v; NULL for a flag) to opt. A bad value is reported
 * on ctx ("--align takes a power of two from 1 to 4096, not '3'") and gives TA_ERR_USAGE; so
 * does a name that is no compile option. v is not copied: the strings stored in opt point
 * into it, and --calibration's list is split in place (its commas become NULs). */
ta_status ta_compile_option_set(ta_ctx *ctx, const char *name, char *v, ta_compile_options *opt);

/* A compiled model: the graph, one kernel call per op, the memory plan. All of it lives in
 * the context's arena. */
typedef struct ta_model {
  ta_graph *g;
  ta_kernel_call *calls;
  ta_plan plan;
  /* With quantization: the float graph g was made from, and the report when it was asked
   * for (quant.report); NULL otherwise. */
  ta_graph *float_g;
  ta_quant_report *quant_report;
} ta_model;

/* Take model bytes through every stage into m. The format is recognised from the bytes
 * (TFLite by its "TFL3" identifier, ONNX as a ModelProto) or, failing that, the .onnx
 * extension of path; path also names the model in messages (ctx->file). The bytes must
 * outlive the context (constant tensors point into them). No file system access beyond the
 * backend descriptions and the tuning log the options name: the fuzz targets use this. opt may be
 * NULL (defaults). Returns the first failing stage's status; messages went to the context's sink.
 */
ta_status ta_compile_bytes(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len,
                           const ta_compile_options *opt, ta_model *m);

/* ta_compile_bytes on the contents of the file at path (read into the context's arena). */
ta_status ta_compile_file(ta_ctx *ctx, const char *path, const ta_compile_options *opt,
                          ta_model *m);

/* ta_compile_file, then the model's C library (ta_cgen_emit, symbol prefix name) into fs.
 * Afterwards ctx->file is cleared: later messages are not about the model file. */
ta_status ta_compile_emit(ta_ctx *ctx, const char *path, const ta_compile_options *opt,
                          const char *name, ta_model *m, ta_fileset *fs);

/* The default model name (symbol prefix of the generated code) for a model file: its stem
 * made into a C identifier (lower case, '_' for other characters, "m_" before a digit, at
 * most 40 characters; "model" when empty). In the arena. */
const char *ta_default_model_name(ta_ctx *ctx, const char *path);

/* The (quantized) graph g of the model file at model_path serialized into b in the format
 * out_path's name asks for: QDQ ONNX for a name ending in .onnx (the ONNX model with Q/DQ
 * added; TA_ERR_USAGE when model_path is not ONNX), else .tflite. `tinyaot quantize -o`
 * writes b to out_path (ta_write_file_atomic). */
ta_status ta_compile_serialize(ta_ctx *ctx, const char *model_path, const ta_graph *g,
                               const char *out_path, ta_buf *b);

#endif
