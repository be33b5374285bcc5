/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codegen.c: emit the generated C library (see ta_codegen.h).
 *
 * Everything per-model was decided before this point: each op's prepare hook filled a
 * runtime parameter struct, the planner fixed every arena offset. The emitter is generic: it
 * prints each parameter struct field by field from the descriptors derived from the
 * runtime's .def files, the constant tensors the kernels read, and one call per op, which
 * the op's backend spells (ta_backend.h); the backends list the files shipped with it.
 */
#include "ta_codegen.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_config.h"

bool ta_cgen_valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 48 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
      return false;
  return true;
}

const ta_file *ta_fileset_find(const ta_fileset *fs, const char *path) {
  for (int32_t i = 0; i < fs->n; i++)
    if (strcmp(fs->files[i].path, path) == 0)
      return &fs->files[i];
  return NULL;
}

/* Takes ownership of b's bytes by copying them into the arena. */
static ta_status add_file(ta_ctx *ctx, ta_fileset *fs, const char *path, ta_buf *b) {
  if (!b->ok)
    return ta_err(ctx, TA_ERR_LIMIT, "out of memory generating %s", path);
  if (fs->n == fs->cap) {
    int32_t cap = fs->cap ? fs->cap * 2 : 16;
    ta_file *n = ta_new_array(ctx, (size_t)cap, sizeof *n);
    if (!n)
      return TA_ERR_LIMIT;
    if (fs->n)
      memcpy(n, fs->files, (size_t)fs->n * sizeof *n);
    fs->files = n;
    fs->cap = cap;
  }
  char *data = ta_strndup(ctx, b->data ? b->data : "", b->len);
  char *p = ta_strdup(ctx, path);
  if (!data || !p)
    return TA_ERR_LIMIT;
  fs->files[fs->n++] = (ta_file){p, data, b->len};
  return TA_OK;
}

static ta_status add_static_file(ta_ctx *ctx, ta_fileset *fs, const char *path, const char *data,
                                 size_t len) {
  ta_buf b;
  ta_buf_init(&b, ctx);
  ta_buf_append(&b, data, len);
  ta_status st = add_file(ctx, fs, path, &b);
  ta_buf_free(&b);
  return st;
}

static void put_i32(ta_buf *b, int32_t v) {
  if (v == INT32_MIN)
    ta_buf_puts(b, "(-2147483647 - 1)");
  else
    ta_buf_printf(b, "%d", v);
}

/* A float literal that reads back to exactly the same value. */
static void put_f32(ta_buf *b, float v) {
  char s[48];
  snprintf(s, sizeof s, "%.9g", (double)v);
  if (!strpbrk(s, ".eEn"))
    strcat(s, ".0");
  ta_buf_printf(b, "%sf", s);
}

static void put_array_body(ta_buf *b, ta_dtype dt, const uint8_t *data, size_t n) {
  for (size_t i = 0; i < n; i++) {
    ta_buf_puts(b, (i % 16) ? " " : "\n  ");
    switch (dt) {
    case TA_DT_I8: ta_buf_printf(b, "%d,", (int)(int8_t)data[i]); break;
    case TA_DT_U8:
    case TA_DT_BOOL: ta_buf_printf(b, "%u,", (unsigned)data[i]); break;
    case TA_DT_I16: {
      int16_t v;
      memcpy(&v, data + 2 * i, 2);
      ta_buf_printf(b, "%d,", (int)v);
      break;
    }
    case TA_DT_I32: {
      int32_t v;
      memcpy(&v, data + 4 * i, 4);
      put_i32(b, v);
      ta_buf_puts(b, ",");
      break;
    }
    case TA_DT_F32: {
      float v;
      memcpy(&v, data + 4 * i, 4);
      /* Hex floats are exact and C99; infinities and NaN are <math.h>'s constants. */
      if (isnan(v))
        ta_buf_puts(b, "NAN,");
      else if (isinf(v))
        ta_buf_puts(b, v < 0 ? "-INFINITY," : "INFINITY,");
      else
        ta_buf_printf(b, "%af,", (double)v);
      break;
    }
    case TA_DT_U16: {
      uint16_t v;
      memcpy(&v, data + 2 * i, 2);
      ta_buf_printf(b, "%u,", (unsigned)v);
      break;
    }
    case TA_DT_U32: {
      uint32_t v;
      memcpy(&v, data + 4 * i, 4);
      ta_buf_printf(b, "%luUL,", (unsigned long)v);
      break;
    }
    case TA_DT_U64: {
      uint64_t v;
      memcpy(&v, data + 8 * i, 8);
      ta_buf_printf(b, "%lluULL,", (unsigned long long)v);
      break;
    }
    case TA_DT_I64: {
      int64_t v;
      memcpy(&v, data + 8 * i, 8);
      if (v == INT64_MIN)
        ta_buf_puts(b, "(-9223372036854775807LL - 1),");
      else
        ta_buf_printf(b, "%lldLL,", (long long)v);
      break;
    }
    default: ta_buf_puts(b, "0,"); break;
    }
  }
  ta_buf_puts(b, "\n");
}

/* Text from the model (tensor and op names, the model path) as it may appear inside a C
 * comment: "*" "/" would end the comment and let a hostile model inject code into the
 * generated library, and "/" "*" inside a comment is refused by -Wall -Werror builds; both get
 * a space between their characters. Control characters become '?'. Returns s itself when
 * nothing needs changing, else a copy in the arena ("?" if that fails). */
static const char *comment_text(ta_ctx *ctx, const char *s) {
  if (!s)
    return "";
  size_t n = 0, extra = 0;
  bool change = false;
  for (; s[n]; n++) {
    unsigned char c = (unsigned char)s[n];
    if (c < 0x20 || c == 0x7f)
      change = true;
    if ((c == '*' && s[n + 1] == '/') || (c == '/' && s[n + 1] == '*'))
      extra++;
  }
  if (!change && !extra)
    return s;
  char *d = ta_new(ctx, n + extra + 1);
  if (!d)
    return "?";
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    d[o++] = (c < 0x20 || c == 0x7f) ? '?' : s[i];
    if ((c == '*' && s[i + 1] == '/') || (c == '/' && s[i + 1] == '*'))
      d[o++] = ' ';
  }
  d[o] = '\0';
  return d;
}

typedef struct emitter {
  ta_graph *g;
  const ta_kernel_call *calls;
  const ta_plan *plan;
  const char *name;
  char upper[64];
  bool *weight_used; /* per tensor */
  bool uses_float;
} emitter;

/* Whether the graph keeps recurrent state in the arena (TA_TENSOR_STATE tensors in use). */
static bool has_state(const emitter *e) {
  for (int32_t t = 0; t < e->g->n_tensors; t++)
    if ((e->g->tensors[t].flags & TA_TENSOR_STATE) && e->plan->tensor_offset[t] >= 0)
      return true;
  return false;
}

/* C expression for the data of tensor t inside NAME_run: where its storage group lives. */
static void put_tensor_ref(emitter *e, ta_buf *b, int32_t t, bool as_input) {
  int32_t idx;
  switch (ta_plan_storage(e->g, e->plan, t, &idx)) {
  case TA_STORE_CONST: ta_buf_printf(b, "%s_w%d", e->name, idx); return;
  case TA_STORE_OUTPUT: ta_buf_printf(b, "outputs[%d]", idx); return;
  case TA_STORE_INPUT:
    /* The planner never lets an op write into a graph input's storage. */
    ta_buf_printf(b, as_input ? "inputs[%d]" : "(void *)(uintptr_t)inputs[%d]", idx);
    return;
  case TA_STORE_ARENA: ta_buf_printf(b, "a + %lld", (long long)e->plan->tensor_offset[t]); return;
  case TA_STORE_POOL:
    ta_buf_printf(b, "%s_pool_%s + %lld", e->name, e->plan->pools[idx].name,
                  (long long)e->plan->tensor_offset[t]);
    return;
  }
}

/* Whether tensor t's storage is in a backend's memory pool. */
static bool in_pool(const emitter *e, int32_t t) {
  return t >= 0 && e->plan->tensor_pool && e->plan->tensor_pool[t] >= 0;
}

/* A pool's name in capitals, for its macros (NAME_POOL_<POOL>_SIZE). */
static const char *pool_upper(const emitter *e, int32_t k, char *buf, size_t cap) {
  const char *n = e->plan->pools[k].name;
  size_t i = 0;
  for (; n[i] && i + 1 < cap; i++)
    buf[i] = (char)toupper((unsigned char)n[i]);
  buf[i] = 0;
  return buf;
}

/* The constant arrays of the struct at p (described by d), parts included, each as
 * NAME_p<op>_<path><field>: path names the parts on the way ("rq_"), so names stay unique. */
static ta_status emit_param_arrays(emitter *e, ta_buf *b, int32_t op_idx, const ta_params_desc *d,
                                   const char *p, const char *path) {
  for (int32_t f = 0; f < d->n_fields; f++) {
    const ta_field *fd = &d->fields[f];
    if (fd->kind == TA_FIELD_SUB) {
      /* Part names come from the runtime's .def files (a few short words), never from a
       * model: a prefix that does not fit is a tinyaot bug. */
      char sub[128];
      const int n = snprintf(sub, sizeof sub, "%s%s_", path, fd->name);
      if (n < 0 || (size_t)n >= sizeof sub)
        return ta_err(e->g->ctx, TA_ERR_INTERNAL, "parameter part prefix %s%s_ is too long", path,
                      fd->name);
      ta_status st = emit_param_arrays(e, b, op_idx, fd->part, p + fd->offset, sub);
      if (st != TA_OK)
        return st;
      continue;
    }
    if (fd->kind < TA_FIELD_I8_ARR)
      continue;
    const void *arr;
    memcpy(&arr, p + fd->offset, sizeof arr);
    if (!arr)
      continue;
    int32_t count;
    if (!ta_params_get_i32(d, p, fd->count_field, &count) || count < 0)
      return ta_err(e->g->ctx, TA_ERR_INTERNAL, "params %s: bad count field %s for %s", d->family,
                    fd->count_field, fd->name);
    static const struct {
      const char *ctype;
      ta_dtype dt;
    } kinds[] = {
        [TA_FIELD_I8_ARR] = {"int8_t", TA_DT_I8},
        [TA_FIELD_I16_ARR] = {"int16_t", TA_DT_I16},
        [TA_FIELD_I32_ARR] = {"int32_t", TA_DT_I32},
        [TA_FIELD_F32_ARR] = {"float", TA_DT_F32},
    };
    ta_buf_printf(b, "static const %s %s_p%d_%s%s[%d] = {", kinds[fd->kind].ctype, e->name, op_idx,
                  path, fd->name, count > 0 ? count : 1);
    if (count > 0)
      put_array_body(b, kinds[fd->kind].dt, arr, (size_t)count);
    else
      ta_buf_puts(b, "0");
    ta_buf_puts(b, "};\n");
  }
  return TA_OK;
}

/* The designated initializer of the struct at p: one field a line, a part as a nested
 * initializer indented one step further. */
static ta_status emit_param_fields(emitter *e, ta_buf *b, int32_t op_idx, const ta_params_desc *d,
                                   const char *p, const char *path, int depth) {
  for (int32_t f = 0; f < d->n_fields; f++) {
    const ta_field *fd = &d->fields[f];
    ta_buf_printf(b, "%*s.%s = ", 2 * depth, "", fd->name);
    switch (fd->kind) {
    case TA_FIELD_I32: {
      int32_t v;
      memcpy(&v, p + fd->offset, sizeof v);
      put_i32(b, v);
      break;
    }
    case TA_FIELD_F32: {
      float v;
      memcpy(&v, p + fd->offset, sizeof v);
      if (!isfinite(v))
        return ta_err(e->g->ctx, TA_ERR_INTERNAL, "params %s.%s of op %d is not finite", d->family,
                      fd->name, op_idx);
      put_f32(b, v);
      break;
    }
    case TA_FIELD_I32_VEC: {
      ta_buf_puts(b, "{");
      for (int32_t i = 0; i < fd->vec_len; i++) {
        int32_t v;
        memcpy(&v, p + fd->offset + (size_t)i * sizeof v, sizeof v);
        if (i)
          ta_buf_puts(b, ", ");
        put_i32(b, v);
      }
      ta_buf_puts(b, "}");
      break;
    }
    case TA_FIELD_SUB: {
      /* Part names come from the runtime's .def files (a few short words), never from a
       * model: a prefix that does not fit is a tinyaot bug. */
      char sub[128];
      const int n = snprintf(sub, sizeof sub, "%s%s_", path, fd->name);
      if (n < 0 || (size_t)n >= sizeof sub)
        return ta_err(e->g->ctx, TA_ERR_INTERNAL, "parameter part prefix %s%s_ is too long", path,
                      fd->name);
      ta_buf_puts(b, "{\n");
      ta_status st = emit_param_fields(e, b, op_idx, fd->part, p + fd->offset, sub, depth + 1);
      if (st != TA_OK)
        return st;
      ta_buf_printf(b, "%*s}", 2 * depth, "");
      break;
    }
    default: {
      const void *arr;
      memcpy(&arr, p + fd->offset, sizeof arr);
      if (arr)
        ta_buf_printf(b, "%s_p%d_%s%s", e->name, op_idx, path, fd->name);
      else
        ta_buf_puts(b, "NULL");
      break;
    }
    }
    ta_buf_puts(b, ",\n");
  }
  return TA_OK;
}

static ta_status emit_params(emitter *e, ta_buf *b, int32_t op_idx) {
  const ta_kernel_call *c = &e->calls[op_idx];
  const ta_kernel_info *k = ta_kernel_get(c->kernel);
  const ta_params_desc *d = k->params;
  /* Arrays first: the struct initializer refers to them. */
  ta_status st = emit_param_arrays(e, b, op_idx, d, c->params, "");
  if (st != TA_OK)
    return st;
  ta_buf_printf(b, "static const tart_%s_params %s_p%d = {\n", d->family, e->name, op_idx);
  st = emit_param_fields(e, b, op_idx, d, c->params, "", 1);
  if (st != TA_OK)
    return st;
  ta_buf_puts(b, "};\n\n");
  return TA_OK;
}

/* "int8" -> "INT8": the dtype's part of the NAME_DTYPE_<TYPE> macro. */
static void dtype_macro(ta_dtype dt, char *out, size_t cap) {
  size_t i = 0;
  for (const char *s = ta_dtype_name(dt); *s && i + 1 < cap; s++)
    out[i++] = (char)toupper((unsigned char)*s);
  out[i] = '\0';
}

/* The model file's name without its folders: the generated files are the same wherever the
 * model was compiled from, and carry no path of the build machine. */
static const char *source_name(ta_ctx *ctx, const ta_cgen_options *opt) {
  if (!opt->source)
    return "a model";
  const char *s = opt->source, *slash = strrchr(s, '/');
#ifdef _WIN32
  const char *bs = strrchr(s, '\\');
  if (bs && (!slash || bs > slash))
    slash = bs;
#endif
  return comment_text(ctx, slash ? slash + 1 : s);
}

static void emit_io_macros(emitter *e, ta_buf *b, const char *kind, const int32_t *list,
                           int32_t n) {
  for (int32_t k = 0; k < n; k++) {
    const ta_tensor *t = &e->g->tensors[list[k]];
    size_t bytes = 0, elems = 0;
    ta_tensor_bytes(t, &bytes);
    ta_tensor_elems(t, &elems);
    ta_buf_printf(b, "/* %s %d: \"%s\" */\n", kind, k, comment_text(e->g->ctx, t->name));
    ta_buf_printf(b, "#define %s_%s_%d_BYTES %zu\n", e->upper, kind, k, bytes);
    ta_buf_printf(b, "#define %s_%s_%d_ELEMS %zu\n", e->upper, kind, k, elems);
    char dt[32];
    dtype_macro(t->dtype, dt, sizeof dt);
    ta_buf_printf(b, "#define %s_%s_%d_DTYPE %s_DTYPE_%s\n", e->upper, kind, k, e->upper, dt);
    ta_buf_printf(b, "#define %s_%s_%d_DTYPE_NAME \"%s\"\n", e->upper, kind, k,
                  ta_dtype_name(t->dtype));
    ta_buf_printf(b, "#define %s_%s_%d_RANK %d\n", e->upper, kind, k, t->rank);
    ta_buf_printf(b, "#define %s_%s_%d_SHAPE {", e->upper, kind, k);
    for (int32_t i = 0; i < t->rank; i++)
      ta_buf_printf(b, i ? ", %d" : "%d", t->dims[i]);
    ta_buf_puts(b, t->rank ? "}\n" : "1}\n");
    /* Each dimension on its own, an integer constant: usable as an array size and in #if. */
    for (int32_t i = 0; i < t->rank; i++)
      ta_buf_printf(b, "#define %s_%s_%d_DIM_%d %d\n", e->upper, kind, k, i, t->dims[i]);
    if (e->plan->tensor_offset[list[k]] >= 0 && !in_pool(e, list[k]))
      ta_buf_printf(b, "#define %s_%s_%d_ARENA_OFFSET %lld /* lives in the arena */\n", e->upper,
                    kind, k, (long long)e->plan->tensor_offset[list[k]]);
    if (t->q.count == 1) {
      ta_buf_printf(b, "#define %s_%s_%d_SCALE ", e->upper, kind, k);
      put_f32(b, t->q.scale[0]);
      ta_buf_printf(b, "\n#define %s_%s_%d_ZERO_POINT %lld\n", e->upper, kind, k,
                    (long long)t->q.zero_point[0]);
    }
  }
}

static void emit_header(emitter *e, ta_buf *b, const ta_cgen_options *opt) {
  const char *U = e->upper;
  ta_buf_printf(
      b,
      "/* %s.h: generated by tinyaot %s from %s. Do not edit.\n"
      " *\n"
      " * Usage:\n"
      " *   static uint8_t arena[%s_ARENA_SIZE] __attribute__((aligned(%s_ARENA_ALIGN)));\n"
      " *   const void *in[%s_NUM_INPUTS] = {input_data};\n"
      " *   void *out[%s_NUM_OUTPUTS] = {output_data};\n"
      " *   int32_t err = %s_run(in, out, arena);   (0 on success)\n"
      " * Define %s_STATIC_ARENA when compiling %s.c to let arena be NULL (a static arena\n"
      " * is then used). Per-layer profiling: define %s_PROFILE when compiling %s.c and\n"
      " * define %s_profile_hook (declared below) in your code; or define the macro\n"
      " * %s_PROFILE_HOOK(op_index, op_name, phase) to an expression whose functions are\n"
      " * declared where %s.c sees them (e.g. a header given with -include).\n"
      " */\n",
      e->name, TA_VERSION, source_name(e->g->ctx, opt), U, U, U, U, e->name, U, e->name, U, e->name,
      e->name, U, e->name);
  ta_buf_printf(b, "#ifndef %s_H\n#define %s_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n", U,
                U);
  /* C linkage for C++ callers (Arduino, mbed, Zephyr): the library is compiled as C. */
  ta_buf_puts(b, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
  ta_buf_printf(b, "#define %s_ARENA_SIZE %zu\n", U, e->plan->arena_bytes);
  ta_buf_printf(b, "#define %s_ARENA_ALIGN %zu\n", U, e->plan->opt.alignment);
  for (int32_t k = 0; k < e->plan->n_pools; k++) {
    const ta_plan_pool *p = &e->plan->pools[k];
    char pu[80];
    if (p->n_bufs == 0)
      continue;
    pool_upper(e, k, pu, sizeof pu);
    ta_buf_printf(b,
                  "/* Memory pool %s of backend %s: %zu of its %zu bytes, a static buffer of\n"
                  " * %s.c (%s_pool_%s) in section %s_POOL_%s_SECTION, or at the address\n"
                  " * %s_POOL_%s_ADDR when that macro is defined. Makes %s_run non-reentrant. */\n"
                  "#define %s_POOL_%s_SIZE %zu\n#define %s_POOL_%s_ALIGN %zu\n",
                  p->name, p->backend, p->bytes, p->capacity, e->name, e->name, p->name, U, pu, U,
                  pu, e->name, U, pu, p->bytes, U, pu, p->alignment);
  }
  ta_buf_printf(b, "#define %s_NUM_OPS %d\n", U, e->g->n_ops);
  ta_buf_printf(b, "#define %s_NUM_INPUTS %d\n#define %s_NUM_OUTPUTS %d\n\n", U, e->g->n_inputs, U,
                e->g->n_outputs);
  /* Element types as integer constants (NAME_INPUT_k_DTYPE is one of them), so code can
   * check them in #if and _Static_assert. */
  for (int d = TA_DT_F32; d <= TA_DT_F64; d++) {
    char dt[32];
    dtype_macro((ta_dtype)d, dt, sizeof dt);
    ta_buf_printf(b, "#define %s_DTYPE_%s %d\n", U, dt, d);
  }
  ta_buf_puts(b, "\n");
  emit_io_macros(e, b, "INPUT", e->g->inputs, e->g->n_inputs);
  emit_io_macros(e, b, "OUTPUT", e->g->outputs, e->g->n_outputs);
  ta_buf_printf(b,
                "\n/* Return codes of %s_run. */\n"
                "#define %s_OK 0\n"
                "#define %s_ERR_ARGS 1   /* inputs or outputs is NULL */\n"
                "#define %s_ERR_ARENA 2  /* arena NULL or not aligned to %s_ARENA_ALIGN */\n"
                "#define %s_ERR_KERNEL 3 /* a kernel rejected its parameters */\n"
                "#define %s_ERR_GUARD 4  /* %s_ARENA_GUARD: an op wrote outside its slots */\n\n",
                e->name, U, U, U, U, U, U, U);
  ta_buf_printf(b,
                "/* Run one inference. inputs[k] / outputs[k] point to the tensors' data\n"
                " * (%s_INPUT_k_BYTES / %s_OUTPUT_k_BYTES bytes, caller-owned); arena is\n"
                " * %s_ARENA_SIZE bytes of scratch memory aligned to %s_ARENA_ALIGN, whose\n"
                " * contents need not survive between calls (unless %s_HAS_STATE, below).\n"
                " * Reentrant for distinct arenas. */\n"
                "int32_t %s_run(const void *const *inputs, void *const *outputs, void *arena);\n\n",
                U, U, U, U, U, e->name);
  if (has_state(e))
    ta_buf_printf(
        b,
        "/* The model keeps recurrent state (SVDF, LSTM) in the arena between runs: pass\n"
        " * the same arena to every %s_run of a sequence, and call %s_reset(arena)\n"
        " * before the first run and whenever a new sequence starts (it zeroes the\n"
        " * state, as TensorFlow Lite starts it). Other bytes of the arena remain\n"
        " * scratch. */\n"
        "#define %s_HAS_STATE 1\n"
        "void %s_reset(void *arena);\n\n",
        e->name, e->name, U, e->name);
  else
    ta_buf_printf(b, "#define %s_HAS_STATE 0 /* no recurrent state: no %s_reset */\n\n", U,
                  e->name);
  ta_buf_printf(b,
                "/* The profiling hook, yours to define, called by %s_run when %s.c is compiled\n"
                " * with %s_PROFILE defined (and %s_PROFILE_HOOK not): before (phase 0) and after\n"
                " * (phase 1) op op_index (0 .. %s_NUM_OPS-1), op_name its type (\"CONV_2D\"). */\n"
                "void %s_profile_hook(int32_t op_index, const char *op_name, int32_t phase);\n\n",
                e->name, e->name, U, U, U, e->name);
  ta_buf_puts(b, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* The arena guard, a debug aid compiled in only with NAME_ARENA_GUARD (or TART_ARENA_GUARD,
 * for test builds of many models) defined: the planner packs buffers and a kernel writing past
 * its slot lands in a neighbour's, which ASan cannot see inside one allocation. Before each op
 * the arena is copied to a shadow; after it, every byte outside the op's output and scratch
 * slots must be unchanged, else the op is named on stderr and the run returns NAME_ERR_GUARD.
 * The arena starts filled with a canary (unless an input lives there), so a write into a gap
 * between planned buffers shows too. Host only (stdio) and not reentrant (one shadow). */
static void emit_guard_support(emitter *e, ta_buf *b) {
  const char *U = e->upper, *n = e->name;
  if (e->plan->arena_bytes == 0) { /* nothing to guard */
    ta_buf_printf(b,
                  "#define %s_GUARD_START(a) ((void)0)\n#define %s_GUARD_BEFORE(a) ((void)0)\n"
                  "#define %s_GUARD_AFTER(a, op, kind, n, ...) ((void)0)\n\n",
                  U, U, U);
    return;
  }
  ta_buf_printf(b,
                "#if defined(%s_ARENA_GUARD) || defined(TART_ARENA_GUARD)\n"
                "#include <stdio.h>\n"
                "typedef struct { size_t off, len; } %s_slot;\n"
                "static uint8_t %s_shadow[%s_ARENA_SIZE > 0 ? %s_ARENA_SIZE : 1];\n"
                "static int %s_guard_after(const uint8_t *a, int op, const char *kind,\n"
                "                          const %s_slot *s, int n) {\n"
                "  size_t i;\n  int j;\n"
                "  for (i = 0; i < %s_ARENA_SIZE; i++) {\n"
                "    if (a[i] == %s_shadow[i]) continue;\n"
                "    for (j = 0; j < n && i - s[j].off >= s[j].len; j++) {}\n"
                "    if (j == n) {\n"
                "      fprintf(stderr, \"%s: op %%d %%s wrote arena byte %%lu, outside its output "
                "and scratch slots\\n\", op, kind, (unsigned long)i);\n"
                "      return 1;\n    }\n  }\n  return 0;\n}\n"
                "#define %s_GUARD_START(a) memset((a), 0xA5, %s_ARENA_SIZE)\n"
                "#define %s_GUARD_BEFORE(a) memcpy(%s_shadow, (a), %s_ARENA_SIZE)\n"
                "#define %s_GUARD_AFTER(a, op, kind, n, ...) do { \\\n"
                "    static const %s_slot s_[] = {__VA_ARGS__}; \\\n"
                "    if (%s_guard_after((a), (op), (kind), s_, (n))) return %s_ERR_GUARD; \\\n"
                "  } while (0)\n"
                "#else\n"
                "#define %s_GUARD_START(a) ((void)0)\n"
                "#define %s_GUARD_BEFORE(a) ((void)0)\n"
                "#define %s_GUARD_AFTER(a, op, kind, n, ...) ((void)0)\n"
                "#endif\n\n",
                U, n, n, U, U, n, n, U, n, n, U, U, U, n, U, U, n, n, U, U, U, U);
}

/* The guard's check after op i: its output and scratch slots in the arena (counted, then
 * printed, straight into b so that an allocation failure is b's, which the caller checks). */
static bool guard_slot(const emitter *e, int32_t t, size_t *bytes) {
  return t >= 0 && e->plan->tensor_offset[t] >= 0 && !in_pool(e, t) &&
         ta_tensor_bytes(&e->g->tensors[t], bytes);
}

static void emit_guard_after(emitter *e, ta_buf *b, int32_t i) {
  const ta_kernel_call *c = &e->calls[i];
  size_t bytes = 0;
  int32_t n = c->scratch_bytes > 0 ? 1 : 0;
  for (int32_t j = 0; j < c->n_out; j++)
    n += guard_slot(e, c->out[j], &bytes) ? 1 : 0;
  ta_buf_printf(b, "  %s_GUARD_AFTER(a, %d, \"%s\", %d", e->upper, i,
                ta_op_kind_name(e->g->ops[i].kind), n);
  for (int32_t j = 0; j < c->n_out; j++)
    if (guard_slot(e, c->out[j], &bytes))
      ta_buf_printf(b, ", {%lld, %zu}", (long long)e->plan->tensor_offset[c->out[j]], bytes);
  if (c->scratch_bytes > 0)
    ta_buf_printf(b, ", {%lld, %zu}", (long long)e->plan->scratch_offset[i], c->scratch_bytes);
  ta_buf_puts(b, n ? ");\n" : ", {0, 0});\n");
}

/* The backends' memory pools: a static buffer each, aligned, in a section of its own that the
 * user's linker script can place (the accelerator's SRAM), both overridable. The default
 * section name starts with ".bss." so that a linker script without a rule for it keeps it in
 * RAM as zero-initialized data; GNU ld uses the first rule that matches, so a rule for
 * ".bss.tinyaot.pool.NAME" placed before the one for ".bss.*" wins. */
static void emit_pools(emitter *e, ta_buf *b) {
  const char *U = e->upper, *n = e->name;
  for (int32_t k = 0; k < e->plan->n_pools; k++) {
    const char *pn = e->plan->pools[k].name;
    char pu[80];
    if (e->plan->pools[k].n_bufs == 0)
      continue;
    pool_upper(e, k, pu, sizeof pu);
    ta_buf_printf(b,
                  "/* Memory pool %s: tensors of backend %s's ops. */\n"
                  "#ifdef %s_POOL_%s_ADDR\n"
                  "#define %s_pool_%s ((uint8_t *)(uintptr_t)(%s_POOL_%s_ADDR))\n"
                  "#else\n"
                  "#ifndef %s_POOL_%s_SECTION\n"
                  "#define %s_POOL_%s_SECTION \".bss.tinyaot.pool.%s\"\n"
                  "#endif\n"
                  "static uint8_t %s_pool_%s[%s_POOL_%s_SIZE > 0 ? %s_POOL_%s_SIZE : 1]\n"
                  "#if defined(__ELF__) && (defined(__GNUC__) || defined(__clang__))\n"
                  "    __attribute__((aligned(%s_POOL_%s_ALIGN), section(%s_POOL_%s_SECTION)))\n"
                  "#elif defined(__GNUC__) || defined(__clang__)\n"
                  "    __attribute__((aligned(%s_POOL_%s_ALIGN)))\n"
                  "#endif\n"
                  "    ;\n"
                  "#endif\n\n",
                  pn, e->plan->pools[k].backend, U, pu, n, pn, U, pu, U, pu, U, pu, pn, n, pn, U,
                  pu, U, pu, U, pu, U, pu, U, pu);
  }
}

static ta_status emit_source(emitter *e, ta_buf *b, const ta_cgen_options *opt) {
  const char *U = e->upper;
  ta_graph *g = e->g;
  ta_buf_printf(b, "/* %s.c: generated by tinyaot %s from %s. Do not edit. */\n", e->name,
                TA_VERSION, source_name(g->ctx, opt));
  ta_buf_printf(b,
                "#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n"
                "#include \"%s.h\"\n#include \"tart.h\"\n\n",
                e->name);
  ta_buf_printf(
      b,
      "#if defined(%s_PROFILE_HOOK)\n#define %s_PROF(i, name, phase) %s_PROFILE_HOOK(i, name, "
      "phase)\n"
      "#elif defined(%s_PROFILE)\n#define %s_PROF(i, name, phase) %s_profile_hook(i, name, phase)\n"
      "#else\n#define %s_PROF(i, name, phase) ((void)0)\n#endif\n\n",
      U, U, U, U, U, e->name, U);
  emit_guard_support(e, b);
  /* Constant tensors live in NAME_weights.c. */
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!e->weight_used[t])
      continue;
    const ta_tensor *tt = &g->tensors[t];
    size_t elems = 0;
    ta_tensor_elems(tt, &elems);
    ta_buf_printf(b, "extern const %s %s_w%d[%zu];\n", ta_dtype_ctype(tt->dtype), e->name, t,
                  elems ? elems : 1);
  }
  ta_buf_puts(b, "\n");
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (e->calls[i].kernel < 0)
      continue;
    ta_buf_printf(b, "/* op %d %s \"%s\" */\n", i, ta_op_kind_name(g->ops[i].kind),
                  comment_text(g->ctx, g->ops[i].name));
    ta_status st = emit_params(e, b, i);
    if (st != TA_OK)
      return st;
  }
  ta_buf_printf(b, "#ifdef %s_STATIC_ARENA\n", U);
  ta_buf_printf(b,
                "static uint8_t %s_static_arena[%s_ARENA_SIZE > 0 ? %s_ARENA_SIZE : 1]\n"
                "#if defined(__GNUC__) || defined(__clang__)\n"
                "    __attribute__((aligned(%s_ARENA_ALIGN)))\n#endif\n    ;\n#endif\n\n",
                e->name, U, U, U);
  emit_pools(e, b);
  ta_buf_printf(b,
                "int32_t %s_run(const void *const *inputs, void *const *outputs, void *arena) {\n",
                e->name);
  ta_buf_puts(b, "  uint8_t *a = (uint8_t *)arena;\n  tart_status st;\n");
  ta_buf_printf(b, "  if (inputs == NULL || outputs == NULL) return %s_ERR_ARGS;\n", U);
  ta_buf_printf(b, "#ifdef %s_STATIC_ARENA\n  if (a == NULL) a = %s_static_arena;\n#endif\n", U,
                e->name);
  ta_buf_printf(b,
                "  if (%s_ARENA_SIZE > 0 && (a == NULL || ((uintptr_t)a %% %s_ARENA_ALIGN) != 0))\n"
                "    return %s_ERR_ARENA;\n",
                U, U, U);
  ta_buf_puts(b, "  (void)a;\n  (void)st;\n");
  bool input_in_arena = false;
  for (int32_t k = 0; k < g->n_inputs; k++)
    input_in_arena =
        input_in_arena || (e->plan->tensor_offset[g->inputs[k]] >= 0 && !in_pool(e, g->inputs[k]));
  /* The canary fill would overwrite the recurrent state. */
  if (!input_in_arena && !has_state(e))
    ta_buf_printf(b, "  %s_GUARD_START(a);\n", U);
  /* Inputs placed in the arena or a backend's pool are copied in (unless the caller wrote them
   * there). */
  for (int32_t k = 0; k < g->n_inputs; k++) {
    if (e->plan->tensor_offset[g->inputs[k]] < 0)
      continue;
    ta_buf_printf(b, "  if (inputs[%d] != ", k);
    put_tensor_ref(e, b, g->inputs[k], false);
    ta_buf_puts(b, ") memcpy(");
    put_tensor_ref(e, b, g->inputs[k], false);
    ta_buf_printf(b, ", inputs[%d], %s_INPUT_%d_BYTES);\n", k, U, k);
  }
  /* A graph output that is also a graph input is a copy. */
  for (int32_t k = 0; k < g->n_outputs; k++)
    for (int32_t j = 0; j < g->n_inputs; j++)
      if (g->outputs[k] == g->inputs[j] && e->plan->tensor_offset[g->outputs[k]] < 0)
        ta_buf_printf(b, "  memcpy(outputs[%d], inputs[%d], %s_OUTPUT_%d_BYTES);\n", k, j, U, k);
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_kernel_call *c = &e->calls[i];
    const ta_op *op = &g->ops[i];
    if (c->kernel < 0) {
      ta_buf_printf(b, "  /* op %d %s \"%s\": no code (aliased) */\n", i, ta_op_kind_name(op->kind),
                    comment_text(g->ctx, op->name));
      continue;
    }
    ta_buf_printf(b, "\n  /* op %d %s \"%s\" */\n", i, ta_op_kind_name(op->kind),
                  comment_text(g->ctx, op->name));
    ta_buf_printf(b, "  %s_GUARD_BEFORE(a);\n", U);
    ta_buf_printf(b, "  %s_PROF(%d, \"%s\", 0);\n  {\n", U, i, ta_op_kind_name(op->kind));
    /* Constants a pool holds are copied into it before their first reader. */
    for (int32_t j = 0; j < c->n_in; j++) {
      int32_t t = c->in[j];
      size_t bytes = 0;
      if (!in_pool(e, t) || !ta_tensor_is_const(&g->tensors[t]) || e->plan->first_op[t] != i ||
          !ta_tensor_bytes(&g->tensors[t], &bytes))
        continue;
      ta_buf_puts(b, "    memcpy(");
      put_tensor_ref(e, b, t, false);
      ta_buf_printf(b, ", %s_w%d, %zu);\n", e->name, t, bytes);
    }
    ta_buf_printf(b, "    const void *in[%d] = {", c->n_in > 0 ? c->n_in : 1);
    for (int32_t j = 0; j < c->n_in; j++) {
      if (j)
        ta_buf_puts(b, ", ");
      if (c->in[j] < 0)
        ta_buf_puts(b, "NULL");
      else
        put_tensor_ref(e, b, c->in[j], true);
    }
    if (c->n_in == 0)
      ta_buf_puts(b, "NULL");
    ta_buf_printf(b, "};\n    void *out[%d] = {", c->n_out > 0 ? c->n_out : 1);
    for (int32_t j = 0; j < c->n_out; j++) {
      if (j)
        ta_buf_puts(b, ", ");
      if (c->out[j] < 0)
        ta_buf_puts(b, "NULL");
      else
        put_tensor_ref(e, b, c->out[j], false);
    }
    if (c->n_out == 0)
      ta_buf_puts(b, "NULL");
    ta_buf_puts(b, "};\n");
    /* The op's backend says how to call it. */
    char params[80], scratch[48] = "NULL";
    snprintf(params, sizeof params, "&%s_p%d", e->name, i);
    if (c->scratch_bytes > 0)
      snprintf(scratch, sizeof scratch, "a + %lld", (long long)e->plan->scratch_offset[i]);
    const ta_backend_site site = {params, "in", "out", scratch};
    const ta_backend *be = ta_backend_of(c);
    ta_status st = be->emit_call(be, g, op, c, &site, b);
    if (st != TA_OK)
      return st;
    ta_buf_printf(b, "  }\n  %s_PROF(%d, \"%s\", 1);\n", U, i, ta_op_kind_name(op->kind));
    ta_buf_printf(b, "  if (st != TART_OK) return %s_ERR_KERNEL;\n", U);
    emit_guard_after(e, b, i);
  }
  /* Outputs placed in the arena or a backend's pool are copied out. */
  for (int32_t k = 0; k < g->n_outputs; k++) {
    if (e->plan->tensor_offset[g->outputs[k]] < 0)
      continue;
    ta_buf_printf(b, "  if (outputs[%d] != ", k);
    put_tensor_ref(e, b, g->outputs[k], true);
    ta_buf_printf(b, ") memcpy(outputs[%d], ", k);
    put_tensor_ref(e, b, g->outputs[k], true);
    ta_buf_printf(b, ", %s_OUTPUT_%d_BYTES);\n", U, k);
  }
  ta_buf_printf(b, "  return %s_OK;\n}\n", U);
  if (has_state(e)) {
    ta_buf_printf(b, "\nvoid %s_reset(void *arena) {\n  uint8_t *a = (uint8_t *)arena;\n", e->name);
    ta_buf_printf(b, "#ifdef %s_STATIC_ARENA\n  if (a == NULL) a = %s_static_arena;\n#endif\n", U,
                  e->name);
    ta_buf_puts(b, "  if (a == NULL) return;\n");
    for (int32_t t = 0; t < g->n_tensors; t++) {
      size_t bytes;
      if ((g->tensors[t].flags & TA_TENSOR_STATE) && e->plan->root[t] == t &&
          e->plan->tensor_offset[t] >= 0 && ta_tensor_bytes(&g->tensors[t], &bytes))
        ta_buf_printf(b, "  memset(a + %lld, 0, %zu); /* \"%s\" */\n",
                      (long long)e->plan->tensor_offset[t], bytes,
                      comment_text(g->ctx, g->tensors[t].name));
    }
    ta_buf_puts(b, "}\n");
  }
  return TA_OK;
}

/* Whether a used float constant holds an infinity or a NaN (spelled with <math.h>). */
static bool has_nonfinite(const emitter *e) {
  for (int32_t t = 0; t < e->g->n_tensors; t++) {
    const ta_tensor *tt = &e->g->tensors[t];
    if (!e->weight_used[t] || tt->dtype != TA_DT_F32)
      continue;
    for (size_t i = 0; i + 4 <= tt->data_bytes; i += 4) {
      float v;
      memcpy(&v, tt->data + i, 4);
      if (!isfinite(v))
        return true;
    }
  }
  return false;
}

static void emit_weights(emitter *e, ta_buf *b, const ta_cgen_options *opt) {
  ta_graph *g = e->g;
  ta_buf_printf(b,
                "/* %s_weights.c: generated by tinyaot %s from %s. Do not edit.\n"
                " * Constant tensors: const, so they are placed in flash. */\n"
                "#include <stdint.h>\n%s\n"
                "#if defined(__GNUC__) || defined(__clang__)\n"
                "#define %s_WEIGHT_ALIGN __attribute__((aligned(16)))\n#else\n"
                "#define %s_WEIGHT_ALIGN\n#endif\n\n",
                e->name, TA_VERSION, source_name(g->ctx, opt),
                has_nonfinite(e) ? "#include <math.h>\n" : "", e->upper, e->upper);
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!e->weight_used[t])
      continue;
    const ta_tensor *tt = &g->tensors[t];
    size_t elems = 0;
    ta_tensor_elems(tt, &elems);
    char shape[96];
    ta_buf_printf(b, "/* tensor %d \"%s\" %s %s */\n", t, comment_text(g->ctx, tt->name),
                  ta_dtype_name(tt->dtype), ta_shape_str(tt, shape, sizeof shape));
    ta_buf_printf(b, "extern const %s %s_w%d[%zu];\n", ta_dtype_ctype(tt->dtype), e->name, t,
                  elems ? elems : 1);
    ta_buf_printf(b, "const %s %s_w%d[%zu] %s_WEIGHT_ALIGN = {", ta_dtype_ctype(tt->dtype), e->name,
                  t, elems ? elems : 1, e->upper);
    if (elems)
      put_array_body(b, tt->dtype, tt->data, elems);
    else
      ta_buf_puts(b, "0");
    ta_buf_puts(b, "};\n\n");
  }
}

static bool str_in(const char *const *list, int32_t n, const char *s) {
  for (int32_t i = 0; i < n; i++)
    if (strcmp(list[i], s) == 0)
      return true;
  return false;
}

/* The build fragments, NAME.cmake and NAME.mk. Several models go into one image: the runtime
 * files every backend ships (tart/, a backend's own sources) are the same in each model's
 * folder for one tinyaot version, so the fragments compile each of them once, from the first
 * model that lists it (by its path under the model folder); a model listing a file no model
 * before it listed adds it. CMake: one library, `tart`, that each model's library links;
 * Make: NAME_SRCS holds the model's sources and the runtime files no earlier fragment listed,
 * TART_SRCS all runtime files once. Models from two tinyaot versions are refused. */
static ta_status emit_build_files(emitter *e, ta_fileset *fs, const ta_backend_files *bf) {
  const char *const *srcs = bf->sources;
  const int32_t n_srcs = bf->n_sources;
  const char *N = e->name, *U = e->upper;
  ta_ctx *ctx = e->g->ctx;
  ta_buf b;
  ta_buf_init(&b, ctx);
  ta_buf_printf(
      &b,
      "# %s.cmake: generated by tinyaot %s. In your CMakeLists.txt (the project enables C):\n"
      "#   include(path/to/%s.cmake)\n"
      "#   target_link_libraries(your_app PRIVATE %s)\n"
      "# One include per model: the runtime is one library, tart, shared by every model (each\n"
      "# runtime source compiled once), and every model's library links it.\n"
      "if(NOT TARGET tart)\n  add_library(tart STATIC)\n"
      "  set_target_properties(tart PROPERTIES C_STANDARD 99 TART_VERSION \"%s\")\nendif()\n"
      "get_target_property(_tart_version tart TART_VERSION)\n"
      "if(NOT _tart_version STREQUAL \"%s\")\n"
      "  message(FATAL_ERROR \"%s.cmake: generated by tinyaot %s, but the runtime library tart "
      "comes from tinyaot ${_tart_version}: compile all models with one tinyaot version\")\n"
      "endif()\n"
      "foreach(_tart_file",
      N, TA_VERSION, N, N, TA_VERSION, TA_VERSION, N, TA_VERSION);
  for (int32_t i = 0; i < n_srcs; i++)
    ta_buf_printf(&b, "\n    %s", srcs[i]);
  ta_buf_puts(
      &b, ")\n"
          "  get_target_property(_tart_have tart TART_FILES)\n"
          "  list(FIND _tart_have ${_tart_file} _tart_at)\n"
          "  if(_tart_at EQUAL -1)\n"
          "    set(_tart_path ${CMAKE_CURRENT_LIST_DIR}/${_tart_file})\n"
          "    if(IS_ABSOLUTE ${_tart_file})\n      set(_tart_path ${_tart_file})\n    endif()\n"
          "    target_sources(tart PRIVATE ${_tart_path})\n"
          "    set_property(TARGET tart APPEND PROPERTY TART_FILES ${_tart_file})\n"
          "  endif()\nendforeach()\nforeach(_tart_dir");
  for (int32_t i = 0; i < bf->n_include_dirs; i++)
    ta_buf_printf(&b, "\n    %s", bf->include_dirs[i]);
  ta_buf_puts(&b,
              ")\n"
              "  get_target_property(_tart_have tart TART_INCLUDE_DIRS)\n"
              "  list(FIND _tart_have ${_tart_dir} _tart_at)\n"
              "  if(_tart_at EQUAL -1)\n"
              "    set(_tart_path ${CMAKE_CURRENT_LIST_DIR}/${_tart_dir})\n"
              "    if(IS_ABSOLUTE ${_tart_dir})\n      set(_tart_path ${_tart_dir})\n    endif()\n"
              "    target_include_directories(tart PUBLIC ${_tart_path})\n"
              "    set_property(TARGET tart APPEND PROPERTY TART_INCLUDE_DIRS ${_tart_dir})\n"
              "  endif()\nendforeach()\n");
  ta_buf_printf(&b,
                "add_library(%s STATIC ${CMAKE_CURRENT_LIST_DIR}/%s.c "
                "${CMAKE_CURRENT_LIST_DIR}/%s_weights.c)\n"
                "target_include_directories(%s PUBLIC ${CMAKE_CURRENT_LIST_DIR})\n"
                "set_target_properties(%s PROPERTIES C_STANDARD 99)\n"
                "target_link_libraries(%s PUBLIC tart)\n",
                N, N, N, N, N, N);
  /* A backend's flags apply to its sources, which live in tart (CMake drops repeated options). */
  if (bf->n_cflags) {
    ta_buf_puts(&b, "target_compile_options(tart PRIVATE");
    for (int32_t i = 0; i < bf->n_cflags; i++)
      ta_buf_printf(&b, " \"%s\"", bf->cflags[i]);
    ta_buf_puts(&b, ")\n");
  }
  /* Named, not searched: find_library finds nothing under a cross toolchain file that keeps
   * the search inside its sysroot, and arm-none-eabi's newlib has libm all the same. */
  if (e->uses_float)
    ta_buf_printf(
        &b,
        "# The float kernels call expf and friends: libm, with the compilers that have it.\n"
        "if(CMAKE_C_COMPILER_ID MATCHES \"GNU|Clang\")\n"
        "  target_link_libraries(%s PUBLIC m)\nendif()\n",
        N);
  char *path = ta_fmt(ctx, "%s.cmake", N);
  ta_status st = path ? add_file(ctx, fs, path, &b) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st != TA_OK)
    return st;

  ta_buf_init(&b, ctx);
  ta_buf_printf(
      &b,
      "# %s.mk: generated by tinyaot %s. In your Makefile, for each model:\n"
      "#   include path/to/%s.mk\n"
      "#   SRCS += $(%s_SRCS)\n#   CFLAGS += $(%s_CFLAGS)\n#   LDLIBS += $(%s_LDLIBS)\n"
      "# %s_SRCS lists the model's sources and the runtime sources no model included\n"
      "# before it listed, so each is compiled once; TART_SRCS lists the runtime of all.\n"
      "ifneq ($(filter-out %s,$(TART_VERSION)),)\n"
      "$(error %s.mk: generated by tinyaot %s, but a model included before comes from "
      "tinyaot $(TART_VERSION): compile all models with one tinyaot version)\n"
      "endif\nTART_VERSION := %s\n"
      "%s_DIR := $(patsubst %%/,%%,$(dir $(lastword $(MAKEFILE_LIST))))\n"
      "%s_SRCS := $(%s_DIR)/%s.c $(%s_DIR)/%s_weights.c\n",
      N, TA_VERSION, N, U, U, U, U, TA_VERSION, N, TA_VERSION, TA_VERSION, U, U, U, N, U, N);
  /* An absolute path is a file of a library checkout, used where it is. */
  for (int32_t i = 0; i < n_srcs; i++) {
    const char *dir = srcs[i][0] == '/' ? "" : ta_fmt(ctx, "$(%s_DIR)/", U);
    if (!dir) {
      ta_buf_free(&b); /* the .mk text so far is not handed to the file set */
      return TA_ERR_LIMIT;
    }
    ta_buf_printf(&b,
                  "ifeq ($(filter %s,$(TART_FILES)),)\n"
                  "TART_FILES += %s\n%s_SRCS += %s%s\nTART_SRCS += %s%s\nendif\n",
                  srcs[i], srcs[i], U, dir, srcs[i], dir, srcs[i]);
  }
  ta_buf_printf(&b, "%s_CFLAGS := -I$(%s_DIR)", U, U);
  for (int32_t i = 0; i < bf->n_include_dirs; i++) {
    if (bf->include_dirs[i][0] == '/')
      ta_buf_printf(&b, " -I%s", bf->include_dirs[i]);
    else
      ta_buf_printf(&b, " -I$(%s_DIR)/%s", U, bf->include_dirs[i]);
  }
  for (int32_t i = 0; i < bf->n_cflags; i++)
    ta_buf_printf(&b, " %s", bf->cflags[i]);
  ta_buf_printf(&b, "\n%s_LDLIBS :=%s\n", U, e->uses_float ? " -lm" : "");
  path = ta_fmt(ctx, "%s.mk", N);
  st = path ? add_file(ctx, fs, path, &b) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  return st;
}

ta_status ta_cgen_emit(ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan,
                       const ta_cgen_options *opt, ta_fileset *fs) {
  ta_ctx *ctx = g->ctx;
  memset(fs, 0, sizeof *fs);
  if (!ta_cgen_valid_name(opt->name))
    return ta_err(ctx, TA_ERR_USAGE,
                  "model name '%s' is not a C identifier of at most 48 characters", opt->name);
  emitter e = {g, calls, plan, opt->name, {0}, NULL, false};
  for (size_t i = 0; opt->name[i]; i++)
    e.upper[i] = (char)toupper((unsigned char)opt->name[i]);
  e.weight_used = ta_new_array(ctx, (size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(bool));
  if (!e.weight_used)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_kernel_call *c = &calls[i];
    if (c->kernel < 0)
      continue;
    for (int32_t j = 0; j < c->n_in; j++)
      if (c->in[j] >= 0 && ta_tensor_is_const(&g->tensors[c->in[j]])) {
        const ta_tensor *t = &g->tensors[c->in[j]];
        if (!ta_dtype_ctype(t->dtype))
          return ta_tensor_err(g, c->in[j], TA_ERR_UNSUPPORTED,
                               "constant of type %s cannot be emitted", ta_dtype_name(t->dtype));
        /* The array is printed element by element from the shape: the data must hold them. */
        size_t bytes = 0;
        if (!ta_tensor_bytes(t, &bytes) || bytes != t->data_bytes)
          return ta_tensor_err(g, c->in[j], TA_ERR_INTERNAL,
                               "constant has %zu bytes of data, but its shape needs %zu",
                               t->data_bytes, bytes);
        e.weight_used[c->in[j]] = true;
      }
  }
  for (int32_t t = 0; t < g->n_tensors; t++)
    if (g->tensors[t].dtype == TA_DT_F32)
      e.uses_float = true;

  ta_status st;
  ta_buf b;
  ta_buf_init(&b, ctx);
  emit_header(&e, &b, opt);
  char *path = ta_fmt(ctx, "%s.h", e.name);
  st = path ? add_file(ctx, fs, path, &b) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st != TA_OK)
    return st;

  ta_buf_init(&b, ctx);
  st = emit_source(&e, &b, opt);
  path = ta_fmt(ctx, "%s.c", e.name);
  if (st == TA_OK)
    st = path ? add_file(ctx, fs, path, &b) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st != TA_OK)
    return st;

  ta_buf_init(&b, ctx);
  emit_weights(&e, &b, opt);
  path = ta_fmt(ctx, "%s_weights.c", e.name);
  st = path ? add_file(ctx, fs, path, &b) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  if (st != TA_OK)
    return st;

  /* What the backends ship: the CPU backend's always (the generated code includes the runtime
   * headers), then every other backend that runs an op, in the order of their first op. */
  const ta_backend **bes = ta_new_array(ctx, (size_t)g->n_ops + 1, sizeof *bes);
  if (!bes)
    return TA_ERR_LIMIT;
  int32_t n_bes = 0;
  bes[n_bes++] = &ta_backend_cpu;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_backend *be = ta_backend_of(&calls[i]);
    bool seen = false;
    for (int32_t j = 0; j < n_bes; j++)
      seen = seen || bes[j] == be;
    if (!seen && calls[i].kernel >= 0)
      bes[n_bes++] = be;
  }
  ta_backend_files all;
  ta_backend_files_init(&all, ctx);
  for (int32_t j = 0; j < n_bes && st == TA_OK; j++) {
    ta_backend_files bf;
    ta_backend_files_init(&bf, ctx);
    st = bes[j]->emit_files ? bes[j]->emit_files(bes[j], g, calls, &bf) : TA_OK;
    /* A file two backends ship (a shared header) is written once; so are build entries. */
    for (int32_t k = 0; k < bf.n_files && st == TA_OK; k++)
      if (!ta_fileset_find(fs, bf.files[k].path))
        st = add_static_file(ctx, fs, bf.files[k].path, bf.files[k].data, bf.files[k].len);
    for (int32_t k = 0; k < bf.n_sources && st == TA_OK; k++)
      if (!str_in(all.sources, all.n_sources, bf.sources[k]))
        st = ta_backend_files_source(&all, bf.sources[k]);
    for (int32_t k = 0; k < bf.n_include_dirs && st == TA_OK; k++)
      if (!str_in(all.include_dirs, all.n_include_dirs, bf.include_dirs[k]))
        st = ta_backend_files_include(&all, bf.include_dirs[k]);
    for (int32_t k = 0; k < bf.n_cflags && st == TA_OK; k++)
      if (!str_in(all.cflags, all.n_cflags, bf.cflags[k]))
        st = ta_backend_files_cflag(&all, bf.cflags[k]);
  }
  if (st != TA_OK)
    return st;
  fs->build = all;
  return emit_build_files(&e, fs, &all);
}
