/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_cli.h: the command line, a thin layer that strings the pipeline stages together.
 * Exit codes: 0 success, 1 bad input or usage, 2 internal error (a bug: please report it).
 */
#ifndef TA_CLI_H
#define TA_CLI_H

#include "ta_onnx.h"
#include "ta_device.h"

/* A loaded, checked, prepared and planned model. */
typedef struct ta_model {
  ta_graph *g;
  ta_kernel_call *calls;
  ta_plan plan;
} ta_model;

/* Read a model file (format detected from its bytes: TFLite by the "TFL3" identifier) and
 * run check, infer, prepare and memory planning. Messages name the file. */
ta_status ta_model_load(ta_ctx *ctx, const char *path, ta_model *m);
/* Same with memory-plan options (NULL: defaults). */
ta_status ta_model_load_opts(ta_ctx *ctx, const char *path, const ta_plan_options *opt,
                             ta_model *m);
/* Same from model bytes already in memory (they must outlive the context: constant tensors
 * point into them); path only names the model in messages and picks the format when the
 * bytes do not. No file system access: the fuzz targets use this. */
ta_status ta_model_read(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len,
                        const ta_plan_options *opt, ta_model *m);
/* Same with options for the ONNX frontend (NULL: none). ONNX is recognised by its bytes (a
 * ModelProto) or the .onnx extension; its graph goes through the ONNX passes. */
ta_status ta_model_read_ext(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len,
                            const ta_plan_options *opt, const ta_onnx_options *onnx, ta_model *m);
/* check, infer, prepare and plan m->g, a graph a frontend built. */
ta_status ta_model_finish(ta_ctx *ctx, const ta_plan_options *opt, ta_model *m);

/* Static shapes for model inputs (--input-shape NAME=D0,D1,...; ONNX inputs with dynamic
 * dimensions need one). */
#define TA_MAX_INPUT_SHAPES 16
typedef struct ta_input_shapes {
  ta_onnx_shape s[TA_MAX_INPUT_SHAPES];
  char names[TA_MAX_INPUT_SHAPES][256];
  int32_t n;
} ta_input_shapes;
/* ta_model_load_opts with input shapes (shapes may be NULL). */
ta_status ta_model_load_shapes(ta_ctx *ctx, const char *path, const ta_plan_options *opt,
                               const ta_input_shapes *shapes, ta_model *m);

/* Default model name from a path: the file stem made into a C identifier. */
const char *ta_default_model_name(ta_ctx *ctx, const char *path);

/* A context whose diagnostics go to stderr as "tinyaot: error: ...". */
void ta_cli_ctx_init(ta_ctx *ctx);
/* Exit code for a status (0, 1 or 2). */
int ta_cli_exit_code(ta_status st);

/* Command-line arguments, parsed one at a time. */
typedef struct ta_args {
  int argc;
  char **argv;
  int i;
  const char *cmd;
} ta_args;
/* true if argv[i] is the option `name` (e.g. "--name"); its value (from "--name X" or
 * "--name=X") is stored in *value, and a missing value is reported as usage error. */
bool ta_arg_value(ta_args *a, const char *name, const char **value, ta_status *st);
bool ta_arg_flag(ta_args *a, const char *name);
/* Parse a planner option at a->argv[a->i] (--align N, --io-in-arena, --no-inplace,
 * --no-reorder, --max-arena BYTES); true if it was one. */
bool ta_arg_plan_option(ta_args *a, ta_plan_options *opt, ta_status *st);
/* Parse --input-shape NAME=D0,D1,... at a->argv[a->i] into shapes; true if it was one (a bad
 * value is reported and sets *st). */
bool ta_arg_input_shape(ta_args *a, ta_input_shapes *shapes, ta_status *st);

int ta_cmd_compile(int argc, char **argv);
int ta_cmd_run(int argc, char **argv);
int ta_cmd_inspect(int argc, char **argv);
int ta_cmd_eval(int argc, char **argv);
int ta_cmd_bench(int argc, char **argv);
int ta_cmd_onnx_test(int argc, char **argv);

#endif
