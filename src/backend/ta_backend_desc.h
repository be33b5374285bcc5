/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_backend_desc.h: a backend declared by a description file, read into plain data.
 *
 * An accelerator or a vendor library becomes a tinyaot backend without a rebuild of tinyaot:
 * a small JSON file names the operators it takes, the C function each one calls, the
 * constraints an operator must meet to be offloaded, and the sources, include folders and
 * flags that build the backend's code (docs/BACKENDS.md gives the format). The reader turns
 * the file into a ta_backend_desc in the context's arena, reporting every problem it finds
 * with the file, the key path and the reason; the evaluator answers "does this op meet the
 * constraints?" with the first one that fails, in words, for the partition step and inspect.
 * Nothing here knows about code generation: the backend interface (ta_backend.h) builds on it.
 */
#ifndef TA_BACKEND_DESC_H
#define TA_BACKEND_DESC_H

#include "ta_ir.h"

/* How the generated code calls an operator's function. Both take the same arguments as the
 * runtime kernels: (const struct tart_<family>_params *, const void *const *in,
 * void *const *out, void *scratch), with the parameter struct tinyaot's prepare fills. */
typedef enum ta_backend_convention {
  TA_BACKEND_CALL_TINYAOT = 0, /* the backend's own function reads tinyaot's struct */
  TA_BACKEND_CALL_ADAPTER,     /* an adapter in the backend's sources translates the call to
                                * the library function named by `wraps` */
} ta_backend_convention;

/* Quantization the weights (filter) of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED may have. */
typedef enum ta_backend_weights {
  TA_BACKEND_WEIGHTS_ANY = 0,
  TA_BACKEND_WEIGHTS_PER_TENSOR,
  TA_BACKEND_WEIGHTS_PER_CHANNEL,
} ta_backend_weights;

/* The values an integer attribute may take: any (set false), one of a list (n_values > 0),
 * or a closed range [min, max]. */
typedef struct ta_backend_intset {
  bool set;
  int32_t n_values;
  const int32_t *values;
  int64_t min, max;
} ta_backend_intset;

/* One operator a backend takes: what to call and when. A constraint left out accepts
 * anything; the defaults are the most permissive values. */
typedef struct ta_backend_op {
  ta_op_kind kind;
  const char *function; /* C function the generated code calls */
  ta_backend_convention convention;
  const char *wraps;        /* adapter only: the library function it calls; NULL if not given */
  const char *scratch;      /* bytes of scratch per call, an expression (desc_scratch.c); NULL: 0 */
  uint32_t dtypes;          /* bit (1u << ta_dtype) per accepted dtype; 0: any */
  uint32_t activations;     /* bit (1u << ta_act) per accepted fused activation; 0: any */
  ta_backend_intset kernel; /* filter or window height and width */
  ta_backend_intset stride; /* both directions */
  ta_backend_intset dilation; /* both directions */
  ta_backend_intset depth_multiplier;
  ta_backend_intset batch;          /* dimension 0 of the first input */
  int32_t input_channels_multiple;  /* last dim of input 0 % N == 0; 0: any */
  int32_t output_channels_multiple; /* last dim of output 0 % N == 0; 0: any */
  uint64_t max_tensor_bytes;        /* each tensor of the op, constants included; 0: any */
  ta_backend_weights weights;
  bool weights_symmetric; /* every weight zero point must be 0 */
  bool broadcast;         /* false: elementwise inputs must have the same shape */
  bool count_include_pad; /* false: AVERAGE_POOL_2D counting padded taps is declined */
} ta_backend_op;

/* A memory the backend's operands must live in; the planner plans it as an arena of its own. */
typedef struct ta_backend_pool {
  const char *name;
  uint64_t bytes;
  uint32_t alignment; /* a power of two */
  /* "weights": "pool": the constants its ops read are copied into the pool before their first
   * use; "flash" (the default): the backend reads them where they are. */
  bool weights_in_pool;
} ta_backend_pool;

/* A modelled accelerator's speed: cycles = setup_cycles + max(macs / macs_per_cycle,
 * bytes moved / bytes_per_cycle) per call (the model's own business; only stored here). */
typedef struct ta_backend_cost {
  double macs_per_cycle;
  double bytes_per_cycle;
  double setup_cycles;
} ta_backend_cost;

typedef struct ta_backend_desc {
  const char *path;    /* the description file as named by the caller */
  const char *dir;     /* its folder: relative paths inside are resolved from there */
  const char *name;    /* [A-Za-z0-9_-]+ */
  const char *summary; /* the optional "description" text; NULL if absent */
  const ta_backend_op *ops[TA_OP_COUNT]; /* NULL: the backend does not take that operator */
  int32_t n_ops;
  /* Paths after ${VAR} expansion, relative ones joined to dir. */
  const char *const *sources;
  int32_t n_sources;
  const char *const *include_dirs;
  int32_t n_include_dirs;
  const char *const *cflags; /* expanded, passed as they are */
  int32_t n_cflags;
  bool has_pool;
  ta_backend_pool pool;
  bool has_cost;
  ta_backend_cost cost;
  /* Target name patterns (fnmatch, e.g. "cortex-m*", "host"); none: every target. */
  const char *const *targets;
  int32_t n_targets;
  bool subgraphs; /* consecutive offloaded ops may be handed over as one call */
} ta_backend_desc;

/* A variable for ${KEY} in paths and flags (--backend-var KEY=VALUE). */
typedef struct ta_backend_var {
  const char *key;
  const char *value;
} ta_backend_var;

typedef struct ta_backend_desc_options {
  const ta_backend_var *vars; /* looked up first, the last definition of a key winning */
  int32_t n_vars;
  /* Consulted for a key not in vars: pass getenv for the environment; NULL (tests, fuzzing)
   * consults nothing, so an undefined variable is an error. */
  char *(*getenv_fn)(const char *key);
  /* Do not check that sources and include folders exist (reading a shipped description whose
   * adapter sources are not there, or fuzzing). */
  bool no_file_checks;
} ta_backend_desc_options;

/* Read a description from text (len bytes; need not be NUL-terminated). path names the file
 * in messages and gives the folder relative paths start from (NULL: "<backend>" and the
 * current folder). opt may be NULL (no variables, files checked). The result lives in the
 * context's arena. On any error every problem found is reported, one message each, as
 *   FILE:LINE:COLUMN: syntax error: REASON
 *   FILE: KEY.PATH: REASON
 * and *out is NULL; the status is the first error's (MALFORMED for the file's content, IO for
 * a missing source or include folder, USAGE for an undefined variable, LIMIT for memory). */
ta_status ta_backend_desc_read(ta_ctx *ctx, const char *path, const char *text, size_t len,
                               const ta_backend_desc_options *opt, ta_backend_desc **out);
/* ta_backend_desc_read on the contents of the file at path (IO, reported, if unreadable). */
ta_status ta_backend_desc_load(ta_ctx *ctx, const char *path, const ta_backend_desc_options *opt,
                               ta_backend_desc **out);

/* Split "KEY=VALUE" (a --backend-var argument) into var: the key copied to the arena, the
 * value pointing into arg. USAGE, reported, when there is no '=' or KEY is not a variable
 * name ([A-Za-z_][A-Za-z0-9_]*). */
ta_status ta_backend_var_parse(ta_ctx *ctx, const char *arg, ta_backend_var *var);

/* The backend's entry for an operator kind, or NULL. */
const ta_backend_op *ta_backend_desc_op_find(const ta_backend_desc *d, ta_op_kind kind);

/* True when op (of graph g) meets every constraint the backend declares for its kind. When
 * false and why is not NULL, why receives the first constraint that failed, in words
 * ("stride 2 not in [1]", "input channels 3 not a multiple of 4"), truncated to why_len. Never
 * fails on odd graphs: missing tensors or unknown shapes decline the op with a reason. */
bool ta_backend_desc_accepts(const ta_backend_desc *d, const ta_graph *g, const ta_op *op,
                             char *why, size_t why_len);

/* True when the backend can run on the target named (a target of the CLI: "host",
 * "cortex-m4", ...): no "targets" declared, or one of its patterns matches. */
bool ta_backend_desc_runs_on(const ta_backend_desc *d, const char *target);

/* The dimensions a "scratch" expression may name (all 1 where the op has no such dimension):
 * batch (dim 0 of input 0), in_h, in_w, in_c (NHWC input 0; in_c its last dim), out_h, out_w,
 * out_c (output 0), kernel_h, kernel_w (filter of a convolution, window of a pool). */
typedef struct ta_backend_dims {
  int64_t batch, in_h, in_w, in_c, out_h, out_w, out_c, kernel_h, kernel_w;
} ta_backend_dims;

/* The dimensions of op; false when a shape it needs is unknown. */
bool ta_backend_op_dims(const ta_graph *g, const ta_op *op, ta_backend_dims *d);

/* Evaluate a "scratch" expression: integers, the names of ta_backend_dims, + - * / ( ),
 * max(a, b), min(a, b), align(a, b). false, with the reason in err, for a syntax error, an
 * unknown name, a division by zero, a negative or huge result. */
bool ta_backend_scratch_eval(const char *expr, const ta_backend_dims *v, int64_t *out, char *err,
                             size_t err_len);

#endif
