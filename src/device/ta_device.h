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
/* Write len bytes to path through a temporary file next to it (mode 0644) renamed over it, so
 * a failure at any step leaves path as it was and no temporary file behind. Messages name
 * path, never the temporary file. */
ta_status ta_write_file_atomic(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len);
/* Whether a file can be written at path later: its folder exists and is writable, and path is
 * no folder. Checked before a long run, so the run is not lost to a typo in the report's
 * path. TA_ERR_USAGE (reported, naming `what`, e.g. "--report") when not. */
ta_status ta_check_writable(ta_ctx *ctx, const char *what, const char *path);

/* Make a fresh private temporary directory; path in the arena. */
ta_status ta_make_temp_dir(ta_ctx *ctx, const char *tag, char **path);
/* rm -rf path (no symlink following). Errors are ignored: best effort cleanup. */
void ta_remove_tree(const char *path);

/* The names of dir's entries (not those starting with '.') for which want(dir, name) holds
 * (want NULL: all), sorted by strcmp, in the arena; *n of them. NULL when dir cannot be
 * opened (errno says why). */
char **ta_list_dir(ta_ctx *ctx, const char *dir, bool (*want)(const char *, const char *),
                   int32_t *n);

/* The stems of dir's files whose names end in ext (".tflite") and are longer than it: the
 * first max of them in ta_list_dir's order, then sorted by stem; *n of them, in the arena. NULL
 * when dir cannot be opened (errno says why). */
char **ta_list_stems(ta_ctx *ctx, const char *dir, const char *ext, int32_t max, int32_t *n);

/* Run argv (argv[0] looked up in PATH) with stdout+stderr captured into out (may be NULL),
 * waiting at most timeout_s seconds (then killed). *exit_code gets the exit status, or
 * 128+signal. Returns TA_ERR_IO when it could not be started or timed out. */
ta_status ta_spawn(ta_ctx *ctx, char *const *argv, int timeout_s, ta_buf *out, int *exit_code);

/* The runtime kernels (all of them) compiled once for the host at -O1, for many host runs
 * that link them instead of compiling their own (onnx-test builds hundreds of models). */
typedef struct ta_host_runtime {
  const char *include_dir; /* -I for tart.h and the parameter structs */
  char **objects;
  int32_t n_objects;
} ta_host_runtime;

/* Write the embedded runtime sources under dir/rt (dir: an existing private directory) and
 * compile each with the host compiler (as ta_host_run does). A kernel that does not compile
 * is reported with the compiler's output. */
ta_status ta_host_runtime_build(ta_ctx *ctx, const char *dir, ta_host_runtime *rt);

typedef struct ta_host_run_options {
  const char *name;          /* model name (symbol prefix) */
  const char *const *inputs; /* input file paths, one per graph input */
  int32_t n_inputs;
  const char *output_dir; /* output_K.bin are written there */
  bool keep;              /* keep the build directory (its path is reported as a note) */
  /* NULL: compile the model with the kernels it ships (tart/) at -O2. Else link these
   * prebuilt kernels and compile only the model's own files, at -O0 (fast to build). */
  const ta_host_runtime *runtime;
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

/* Code size of a generated library, one object per source, from `size -A`: text, rodata and
 * data summed over the model's own files (NAME.c, NAME_weights.c) and over the runtime kernels
 * it ships (tart/). board NULL: compiled for the host ($CC, -Os); else cross-compiled for the
 * board as the firmware build compiles the model library ($TA_ARM_CC, default
 * arm-none-eabi-gcc, the board's CPU flags, -mthumb -O2 -ffunction-sections -fdata-sections,
 * $TA_ARM_CFLAGS) and measured with the matching size tool (arm-none-eabi-size). Objects,
 * not a link: a linked firmware drops the sections nothing calls (tinyaot bench reports
 * those figures). target names what was measured ("host" or the board's target). */
struct ta_board;
typedef struct ta_code_size {
  const char *target;
  uint64_t model_text, model_rodata, model_data;
  uint64_t runtime_text, runtime_rodata, runtime_data;
} ta_code_size;
ta_status ta_code_size_measure(ta_ctx *ctx, const ta_fileset *fs, const struct ta_board *board,
                               ta_code_size *out);

/* Element i of a raw tensor of dtype dt, as a double (for comparisons and messages). */
double ta_device_elem(ta_dtype dt, const uint8_t *p, size_t i);

/* How closely a float32 output must follow its reference: element by element,
 * |got - want| <= atol + rtol * scale, where scale is |want| or, with rtol_floor_one,
 * max(1, |want|). Integer dtypes always compare as identical bytes. */
typedef struct ta_device_tol {
  double atol, rtol;
  bool rtol_floor_one;
  bool nan_equal;     /* NaN matches NaN and equal infinities match (ONNX's rule) */
  bool stop_at_first; /* stop at the first bad element (max_err then covers those before it) */
} ta_device_tol;

typedef struct ta_device_cmp {
  bool match;
  size_t n_elems;
  size_t bad_elem, bad_byte; /* the first mismatch */
  double want, got;          /* its values */
  double bad_err, bad_bound; /* float32: its error and the bound it broke */
  double max_err;            /* float32: the largest |got - want| seen */
} ta_device_cmp;

/* Compare got with its reference want (bytes each) under tol; r says where the first
 * mismatch is. Returns r->match. The one output comparison of bench, eval, onnx-test and
 * the golden tests. */
bool ta_device_compare(ta_dtype dt, const uint8_t *want, const uint8_t *got, size_t bytes,
                       const ta_device_tol *tol, ta_device_cmp *r);

/* The reference vectors' xorshift input k (shared/vectors/<model>/meta.txt): xorshift32 from
 * state 0x12345678 + k, one step per element, mapped to t's dtype; elems elements into p. */
void ta_device_fill_xorshift(const ta_tensor *t, int32_t k, uint8_t *p, size_t elems);

#endif
