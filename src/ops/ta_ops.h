/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_ops.h: the one operator table and the runtime kernel table, as the compiler sees them.
 *
 * Each operator of ir/ops.def has one file, op_<stem>.c, defining `const ta_op_def
 * ta_op_def_<ID>` with its hooks:
 *   check    arity, dtypes, attributes, quantization; reports every problem it finds
 *   infer    output shapes: sets an unknown output shape, or verifies a known one
 *   prepare  (after check+infer succeeded) fills the parameter struct of the reference kernel
 *            for the op's dtypes: multipliers, shifts, padding, clamp ranges are computed
 *            here, once. It never picks an optimized kernel: that is the schedule stage's
 *            choice among the op's variants (src/schedule)
 *   macs     multiply-accumulates of one inference (0 for data movement)
 * and its kernel variants as data (ta_variant): the kernel, the predicate that says it
 * applies, what it needs (a prepare step, in-place operand, knobs).
 * Frontends never look inside these; they map their operator codes to ta_op_kind and fill
 * ta_attrs. Everything else (codegen, host evaluation, inspect) is generic over the table.
 */
#ifndef TA_OPS_H
#define TA_OPS_H

#include "ta_ir.h"
#include "tart.h"

/* Kernel ids, one per TART_KERNEL line of runtime/include/defs/ (tart_defs.h). */
typedef enum ta_kernel_id {
#define TART_PARAMS_BEGIN(fam)
#define TART_I32(fam, f)
#define TART_F32(fam, f)
#define TART_I32_VEC(fam, f, n)
#define TART_I8_ARR(fam, f, cnt)
#define TART_I16_ARR(fam, f, cnt)
#define TART_I32_ARR(fam, f, cnt)
#define TART_F32_ARR(fam, f, cnt)
#define TART_SUB(fam, f, part)
#define TART_PARAMS_END(fam)
#define TART_KERNEL(name, fam, src) TA_K_##name,
#define TART_KERNEL_SCRATCH(name, fam, src) TA_K_##name,
#include "tart_defs.h"
#include "tart_undef.h"
  TA_K_COUNT
} ta_kernel_id;

typedef enum ta_field_kind {
  TA_FIELD_I32,
  TA_FIELD_F32,
  TA_FIELD_I32_VEC,
  TA_FIELD_I8_ARR,
  TA_FIELD_I16_ARR,
  TA_FIELD_I32_ARR,
  TA_FIELD_F32_ARR,
  TA_FIELD_SUB, /* a part: a struct of its own, described by ta_field.part */
} ta_field_kind;

/* One field of a runtime parameter struct, as declared in its .def file. */
typedef struct ta_field {
  const char *name;
  ta_field_kind kind;
  size_t offset;
  int32_t vec_len;         /* TA_FIELD_I32_VEC */
  const char *count_field; /* *_ARR: the I32 field (of the same struct) holding the count */
  const struct ta_params_desc *part; /* TA_FIELD_SUB */
} ta_field;

typedef struct ta_params_desc {
  const char *family; /* "conv" names struct tart_conv_params (a part too: "rq") */
  size_t size;
  const ta_field *fields;
  int32_t n_fields;
} ta_params_desc;

typedef tart_status (*ta_kernel_fn)(const void *params, const void *const *in, void *const *out,
                                    void *scratch);
typedef size_t (*ta_scratch_fn)(const void *params);

typedef struct ta_kernel_info {
  const char *name;   /* "conv2d_s8": the C function is tart_conv2d_s8 */
  const char *source; /* "conv_s8": runtime/src/conv_s8.c */
  const ta_params_desc *params;
  ta_kernel_fn run;
  ta_scratch_fn scratch_size; /* NULL: no scratch */
} ta_kernel_info;

/* Kernel by id; NULL for an invalid id. */
const ta_kernel_info *ta_kernel_get(int32_t id);
/* Value of an I32 field by name ("n_mult", or "part.field" inside an embedded part:
 * "clamp.min"); false if there is no such field. */
bool ta_params_get_i32(const ta_params_desc *d, const void *params, const char *field,
                       int32_t *value);

/* Why the schedule stage (src/schedule) gave a call its variant. */
typedef enum ta_sched_why {
  TA_SCHED_NONE = 0,  /* not scheduled (no code, or a backend that runs its own functions) */
  TA_SCHED_HEURISTIC, /* the default rule: the first variant of the op's table that applies */
  TA_SCHED_REFERENCE, /* reference kernels were asked for */
  TA_SCHED_OVERRIDE,  /* an override named it */
  TA_SCHED_LOG,       /* the tuning log's override named it (--tuning-log) */
} ta_sched_why;

/* How an op runs: one kernel call. kernel -1 means the op needs no code (the planner made its
 * output alias its input, or it was folded). in/out list tensor indices in the order the
 * kernel takes them; -1 passes NULL. */
typedef struct ta_kernel_call {
  int32_t kernel;
  void *params;         /* the kernel's params struct, in the context arena */
  size_t scratch_bytes; /* from the kernel's _scratch_size twin, 0 if none */
  int32_t n_in, n_out;
  int32_t *in, *out;
  /* Set by the partition stage (src/backend): the backend that runs the op; NULL: the CPU. */
  const struct ta_backend *backend;
  const char *backend_declined; /* why an earlier backend declined the op; NULL if none did */
  /* Set by the schedule stage: the variant (of the op's table) that runs, why, and the values
   * of its knobs (variant->n_knobs of them). */
  const struct ta_variant *variant;
  ta_sched_why why;
  const int32_t *knobs;
} ta_kernel_call;

/* Bytes of the constant arrays a call's parameters carry (multipliers, packed weights...):
 * emitted as static const arrays next to the weights. */
size_t ta_params_array_bytes(const ta_kernel_call *call);

/* A knob of a kernel variant: a compile-time choice the kernel takes (blocking, unrolling,
 * weight format), with the values it allows. values[0] is the default. */
typedef struct ta_knob {
  const char *name; /* "block_c" */
  const int32_t *values;
  int32_t n_values;
} ta_knob;

/* A variant's kernel: the reference kernel the op's prepare hook set for its dtypes. */
#define TA_K_PREPARED (-1)

/* One way to run an operator, declared as data next to its hooks. The schedule stage picks
 * one per op (the first of the op's table that applies, unless reference kernels or an
 * override are asked for); the planner switches to an in-place form when the input dies. */
typedef struct ta_variant {
  const char *name; /* "ref", "opt", "inplace": names repeat across dtypes */
  int32_t kernel;   /* ta_kernel_id of the same parameter family as the reference, or
                     * TA_K_PREPARED; scratch comes from that kernel's _scratch_size twin */
  bool reference;   /* the reference variant: the one reference_kernels forces */
  /* Does the variant apply to this op (dtypes, groups, depth multiplier, offsets...)? call
   * holds the reference parameters. NULL: always. */
  bool (*applies)(const ta_graph *g, const ta_op *op, const ta_kernel_call *call);
  /* Fill what the variant needs beyond the reference parameters (accumulator init, packed or
   * re-laid-out weights) into call. false: it cannot serve this op after all, call left
   * unchanged (g->ctx->oom tells an allocation failure). NULL: nothing to add. In-place forms
   * share their base's parameters and have none. call->knobs holds the variant's knob values
   * (the schedule stage sets them first). */
  bool (*prepare)(ta_graph *g, const ta_op *op, ta_kernel_call *call);
  /* In place: bit k set when the output (call->out[0]) may overwrite kernel input k, if
   * inplace_ok (NULL: always) agrees for that operand. */
  uint32_t inplace_operands;
  bool (*inplace_ok)(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                     int32_t operand);
  /* Non-NULL: this variant is the in-place form of the variant so named. Only the planner
   * picks it, when the input it overwrites dies at this op. */
  const char *inplace_of;
  const ta_knob *knobs;
  int32_t n_knobs;
} ta_variant;

/* In-place over any of the first 32 kernel inputs (element-wise kernels). */
#define TA_INPLACE_ANY 0xffffffffu

typedef struct ta_op_def {
  ta_status (*check)(ta_graph *g, ta_op *op);
  ta_status (*infer)(ta_graph *g, ta_op *op);
  ta_status (*prepare)(ta_graph *g, ta_op *op, ta_kernel_call *call);
  uint64_t (*macs)(const ta_graph *g, const ta_op *op);
  /* The op's variants, best first (the default heuristic takes the first that applies).
   * NULL: the reference kernel prepare set, never in place. */
  const ta_variant *variants;
  int32_t n_variants;
} ta_op_def;

/* .variants and .n_variants of a ta_op_def from a static array. */
#define TA_VARIANTS(arr) .variants = (arr), .n_variants = (int32_t)TA_ARRAY_LEN(arr)

#define TA_OP(id, name, stem, flags, act) extern const ta_op_def ta_op_def_##id;
#include "ops.def"
#undef TA_OP

const ta_op_def *ta_op_def_get(ta_op_kind k);

/* Helpers for prepare hooks. */

/* Allocate a kernel call for `kernel` with params of the kernel's struct size (zeroed), and
 * in/out lists copied from the op (the common case; prepare may edit them afterwards). */
ta_status ta_call_init(ta_graph *g, const ta_op *op, ta_kernel_call *call, ta_kernel_id kernel);

/* Helpers shared by the op files. */

/* Keep the first error: *st = s unless *st already holds one (checks go on after an error
 * so one run reports every problem). */
void ta_keep_first(ta_status *st, ta_status s);
/* Every dim >= 1 and at most INT32_MAX elements in all (the kernels index with int32_t). */
bool ta_dims_ok(int32_t rank, const int32_t *dims);
/* Give output y the inferred shape, or, when the model already states one (TFLite files
 * do), check that it agrees: "output "y" has shape [1,5] in the model; expected [1,4]". */
ta_status ta_op_set_output_shape(const ta_graph *g, const ta_op *op, ta_tensor *y, int32_t rank,
                                 const int32_t *dims);

/* Shape inference of the element-wise ops (eltwise.c), usable as infer hooks. */
/* Output 0 gets input 0's shape; a shape the model states must equal it. */
ta_status ta_infer_same_shape(ta_graph *g, ta_op *op);
/* Output 0 gets the numpy broadcast of inputs 0 and 1 (ta_broadcast_shape); a shape the
 * model states must equal it. Inputs that do not broadcast are MALFORMED, the message names
 * the offending dim of each. */
ta_status ta_infer_broadcast(ta_graph *g, ta_op *op);
/* numpy broadcasting of a and b: shapes aligned at the last dim, each pair of dims equal or
 * one of them 1 (a missing leading dim counts as 1). On success *rank and dims[0..*rank) hold
 * the result; on failure *bad_dim is the first offending dim, counted in the result. */
bool ta_broadcast_shape(const ta_tensor *a, const ta_tensor *b, int32_t *rank, int32_t *dims,
                        int32_t *bad_dim);

/* Switch a prepared call to another kernel of the same parameter family (the schedule stage
 * applying a variant) and recompute its scratch size. */
ta_status ta_call_set_kernel(const ta_graph *g, const ta_op *op, ta_kernel_call *call,
                             ta_kernel_id kernel);

/* inplace_ok of element-wise variants: operand may share the output when it has exactly the
 * output's shape and element size (no broadcasting on that operand). */
bool ta_inplace_same_shape(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                           int32_t operand);
/* The one variant of element-wise ops: the reference kernel, in place over any operand of the
 * output's shape. */
extern const ta_variant ta_variant_eltwise[1];

/* A constant int32/int64 tensor of rank <= 1 with at most cap elements into v[0..*n); false
 * for anything else (not constant, another type, too many). */
bool ta_const_ints(const ta_tensor *t, int64_t *v, int32_t cap, int32_t *n);
/* The check shared by the ops that move values without computing (SLICE, SPLIT, GATHER):
 * x has a type of 1, 2, 4 or 8 bytes and a known shape, y the same dtype, and if either is
 * quantized both are, per tensor, with the same scale and zero point. */
ta_status ta_check_moved(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                         const ta_tensor *y);

/* The TART_INT_* code of an integer dtype (int8 .. uint64), or -1 for anything else. */
int32_t ta_int_type(ta_dtype dt);

/* check + infer for every op in order; reports all problems (up to the error cap). */
ta_status ta_graph_check_ops(ta_graph *g);
/* prepare every op; calls[] has g->n_ops entries. */
ta_status ta_graph_prepare(ta_graph *g, ta_kernel_call *calls);
/* Total MACs of the graph. */
uint64_t ta_graph_macs(const ta_graph *g);

/* Run one prepared call on the host. bufs[t] is the data of tensor t (constants included). */
ta_status ta_call_eval(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                       void *const *bufs, void *scratch);

/* The largest constant ta_op_fold (and the frontends) will make: as large as the arena limit
 * of the planner, more than any microcontroller holds. */
#define TA_MAX_CONST_BYTES ((size_t)64 * 1024 * 1024)

/* Evaluate op op_index (checked and shape-inferred), whose inputs are all constant, with the
 * runtime kernels: its outputs get constant data (arena); TA_ERR_LIMIT past
 * TA_MAX_CONST_BYTES. The op stays in the graph; the
 * caller removes it. Used by the frontends and the constant-folding pass. */
ta_status ta_op_fold(ta_graph *g, int32_t op_index);

/* Evaluate a checked and prepared graph on the host, in process (calibration, tests).
 * inputs[i] holds graph input i, outputs[i] receives graph output i (sizes from the IR).
 * Activations and scratch come from the context arena. */
ta_status ta_graph_eval(ta_graph *g, const ta_kernel_call *calls, const void *const *inputs,
                        void *const *outputs);
/* Same, after memory planning: tensors with the same storage root (root[t], from the plan:
 * views and in-place outputs) share one buffer. root may be NULL. */
ta_status ta_graph_eval_shared(ta_graph *g, const ta_kernel_call *calls, const int32_t *root,
                               const void *const *inputs, void *const *outputs);

#endif
