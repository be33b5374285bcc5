/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_device.h: where generated code goes and runs. Writing an output directory atomically,
 * and the host target: compile the generated library with the system C compiler and run it
 * in a child process on input files.
 */
#ifndef TA_DEVICE_H
#define TA_DEVICE_H

#include "ta_codegen.h"

/* Write every file of fs under dir, atomically: the files go to a sibling temporary directory
 * first, which then replaces dir by rename. A failure leaves dir as it was (absent, or the
 * previous output intact). An existing dir is only replaced if it holds a previous tinyaot
 * output (the marker file .tinyaot-output); anything else is refused. */
ta_status ta_write_output_dir(ta_ctx *ctx, const ta_fileset *fs, const char *dir);

/* Make a fresh private temporary directory; path in the arena. */
ta_status ta_make_temp_dir(ta_ctx *ctx, const char *tag, char **path);
/* rm -rf path (no symlink following). Errors are ignored: best effort cleanup. */
void ta_remove_tree(const char *path);

/* Run argv (argv[0] looked up in PATH) with stdout+stderr captured into out (may be NULL),
 * waiting at most timeout_s seconds (then killed). *exit_code gets the exit status, or
 * 128+signal. Returns TA_ERR_IO when it could not be started or timed out. */
ta_status ta_spawn(ta_ctx *ctx, char *const *argv, int timeout_s, ta_buf *out, int *exit_code);

typedef struct ta_host_run_options {
  const char *name;          /* model name (symbol prefix) */
  const char *const *inputs; /* input file paths, one per graph input */
  int32_t n_inputs;
  const char *output_dir; /* output_K.bin are written there */
  bool keep;              /* keep the build directory (its path is reported as a note) */
} ta_host_run_options;

/* Compile fs with the host C compiler ($CC, default cc; extra flags from $TA_HOST_CFLAGS) as
 * C99 with -Wall -Wextra -Werror, run it on the inputs (under the command in
 * $TA_HOST_WRAPPER when set, e.g. valgrind), and write output_0.bin, ... into output_dir
 * (created if needed; each file written atomically). Input sizes are checked against the graph
 * first. */
ta_status ta_host_run(ta_graph *g, const ta_fileset *fs, const ta_host_run_options *opt);

/* The host runner's source (runner.c): `runner IN_FILE... OUT_DIR` reads each input's raw
 * bytes, runs NAME_run, writes OUT_DIR/output_K.bin. */
void ta_host_emit_runner(ta_buf *b, const ta_graph *g, const char *name);

/* Code size of a generated library compiled for the host ($CC, -Os, one object per source),
 * from `size -A`: text, rodata and data summed over the model's own files (NAME.c,
 * NAME_weights.c) and over the runtime kernels it ships (tart/). */
typedef struct ta_code_size {
  uint64_t model_text, model_rodata, model_data;
  uint64_t runtime_text, runtime_rodata, runtime_data;
} ta_code_size;
ta_status ta_host_code_size(ta_ctx *ctx, const ta_fileset *fs, ta_code_size *out);

#endif
