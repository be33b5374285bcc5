/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tfl_build.c: the TFLite flatbuffer builder (see tfl_build.h), the one writer of .tflite
 * bytes: tflite_write.c serializes a graph through it, and the tests build models with it.
 *
 * The model is collected in plain arrays, then serialized front to back in one pass: every
 * object is written before the objects it points to, so each uoffset (which must point
 * forward) is a placeholder patched once its target has been written. Each table's vtable
 * is written just before the table (a positive soffset). Vectors and strings get their
 * length 4-aligned and their elements aligned to their size, buffer data to 16 bytes, as
 * FlatBuffers' builder does; all fields are written explicitly, defaults included.
 *
 * The file ends with the last byte of buffer data (no trailing padding): every prefix of a
 * model whose buffers are all used is then missing something a reader must check, which
 * the truncation tests rely on.
 */
#include "tfl_build.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct tb_tensor {
  char *name;
  int type;
  int rank;
  int32_t *dims;
  int buffer;
  int nq; /* quantization scales, -1 when there are no quantization parameters */
  float *scales;
  int nzp;
  int64_t *zps;
  int qdim;
  int32_t *signature; /* shape_signature, rank entries; NULL: not written */
  bool variable;      /* is_variable (written only when true) */
} tb_tensor;

typedef struct tb_scalar {
  int slot;
  int size; /* 1, 4 or 8 bytes */
  uint64_t bits;
  const char *name;
} tb_scalar;

typedef struct tb_op {
  int code; /* index into codes */
  int *in, *out;
  int n_in, n_out;
  int opt_type; /* BuiltinOptions union type, 0 for none */
  const char *opt_name;
  tb_scalar opt[8];
  int n_opt;
  int32_t *new_shape; /* ReshapeOptions.new_shape */
  int n_new_shape;
} tb_op;

typedef struct tb_code {
  int builtin;
  char *custom;
} tb_code;

typedef struct tb_buffer {
  uint8_t *data;
  size_t len;
  bool outside;
} tb_buffer;

typedef struct tb_mark {
  const char *table;
  int index;
  const char *field;
  size_t pos;
} tb_mark;

struct tfb {
  tb_tensor *tensors;
  int n_tensors;
  tb_op *ops;
  int n_ops;
  tb_code *codes;
  int n_codes;
  tb_buffer *buffers;
  int n_buffers;
  int *inputs, *outputs;
  int n_inputs, n_outputs;
  char *description;
  char *sg_name;
  uint32_t version;
  bool oom;
  /* serialization state */
  uint8_t *out;
  size_t len, cap;
  tb_mark *marks;
  size_t n_marks, cap_marks;
};

/* Grow *arr (of *n elements of size sz) by one zeroed element; NULL and b->oom on failure.
 * The capacity is the next power of two (reallocated when *n is one), so building a model of
 * n ops costs O(n) copying, not O(n^2) (16384-op models in the limit tests under ASan). */
static void *push(tfb *b, void **arr, int *n, size_t sz) {
  void *p = *arr;
  if (*n == 0 || (*n & (*n - 1)) == 0) {
    p = realloc(*arr, (size_t)(*n ? 2 * *n : 1) * sz);
    if (!p) {
      b->oom = true;
      return NULL;
    }
  }
  *arr = p;
  void *e = (char *)p + (size_t)*n * sz;
  memset(e, 0, sz);
  (*n)++;
  return e;
}

static char *dupstr(tfb *b, const char *s) {
  size_t n = strlen(s ? s : "");
  char *d = malloc(n + 1);
  if (!d) {
    b->oom = true;
    return NULL;
  }
  memcpy(d, s ? s : "", n + 1);
  return d;
}

/* A copy of n bytes at p; zeros when p is NULL. */
static void *dupmem(tfb *b, const void *p, size_t n) {
  void *d = calloc(1, n ? n : 1);
  if (!d) {
    b->oom = true;
    return NULL;
  }
  if (n && p)
    memcpy(d, p, n);
  return d;
}

tfb *tfb_new(void) {
  tfb *b = calloc(1, sizeof *b);
  if (!b)
    return NULL;
  b->version = 3;
  b->description = dupstr(b, "tinyaot tflbuild");
  b->sg_name = dupstr(b, "main");
  tb_buffer *empty = push(b, (void **)&b->buffers, &b->n_buffers, sizeof *empty);
  (void)empty; /* buffer 0: the empty sentinel every model starts with */
  return b;
}

void tfb_free(tfb *b) {
  if (!b)
    return;
  for (int i = 0; i < b->n_tensors; i++) {
    free(b->tensors[i].name);
    free(b->tensors[i].dims);
    free(b->tensors[i].signature);
    free(b->tensors[i].scales);
    free(b->tensors[i].zps);
  }
  for (int i = 0; i < b->n_ops; i++) {
    free(b->ops[i].in);
    free(b->ops[i].out);
    free(b->ops[i].new_shape);
  }
  for (int i = 0; i < b->n_codes; i++)
    free(b->codes[i].custom);
  for (int i = 0; i < b->n_buffers; i++)
    free(b->buffers[i].data);
  free(b->tensors);
  free(b->ops);
  free(b->codes);
  free(b->buffers);
  free(b->inputs);
  free(b->outputs);
  free(b->description);
  free(b->sg_name);
  free(b->marks);
  free(b->out);
  free(b);
}

static int add_buffer(tfb *b, const void *data, size_t len, bool outside) {
  tb_buffer *buf = push(b, (void **)&b->buffers, &b->n_buffers, sizeof *buf);
  if (!buf)
    return 0;
  buf->data = dupmem(b, data, len);
  buf->len = len;
  buf->outside = outside;
  return b->n_buffers - 1;
}

int tfb_buffer(tfb *b, const void *data, size_t len) {
  return add_buffer(b, data, len, false);
}

int tfb_buffer_outside(tfb *b, const void *data, size_t len) {
  return add_buffer(b, data, len, true);
}

int tfb_tensor(tfb *b, const char *name, int type, int rank, const int32_t *dims, int buffer) {
  tb_tensor *t = push(b, (void **)&b->tensors, &b->n_tensors, sizeof *t);
  if (!t)
    return -1;
  t->name = dupstr(b, name);
  t->type = type;
  t->rank = rank > 0 ? rank : 0;
  t->dims = dupmem(b, dims, (size_t)t->rank * sizeof(int32_t));
  t->buffer = buffer;
  t->nq = -1;
  return b->n_tensors - 1;
}

void tfb_shape_signature(tfb *b, int tensor, const int32_t *signature) {
  if (tensor < 0 || tensor >= b->n_tensors)
    return;
  tb_tensor *t = &b->tensors[tensor];
  free(t->signature);
  t->signature = dupmem(b, signature, (size_t)t->rank * sizeof(int32_t));
}

void tfb_quant_n(tfb *b, int tensor, int n_scales, const float *scales, int n_zero_points,
                 const int64_t *zero_points, int quantized_dimension) {
  if (tensor < 0 || tensor >= b->n_tensors || n_scales < 0 || n_zero_points < 0)
    return;
  tb_tensor *t = &b->tensors[tensor];
  free(t->scales);
  free(t->zps);
  t->nq = n_scales;
  t->nzp = n_zero_points;
  t->scales = dupmem(b, scales, (size_t)n_scales * sizeof(float));
  t->zps = dupmem(b, zero_points, (size_t)n_zero_points * sizeof(int64_t));
  t->qdim = quantized_dimension;
}

void tfb_quant(tfb *b, int tensor, int n, const float *scales, const int64_t *zero_points,
               int quantized_dimension) {
  tfb_quant_n(b, tensor, n, scales, n, zero_points, quantized_dimension);
}

static int find_code(tfb *b, int builtin, const char *custom) {
  for (int i = 0; i < b->n_codes; i++) {
    const tb_code *c = &b->codes[i];
    if (c->builtin == builtin && !c->custom == !custom &&
        (!custom || strcmp(c->custom, custom) == 0))
      return i;
  }
  tb_code *c = push(b, (void **)&b->codes, &b->n_codes, sizeof *c);
  if (!c)
    return 0;
  c->builtin = builtin;
  c->custom = custom ? dupstr(b, custom) : NULL;
  return b->n_codes - 1;
}

static int add_op(tfb *b, int code, const int *inputs, int n_in, const int *outputs, int n_out) {
  tb_op *op = push(b, (void **)&b->ops, &b->n_ops, sizeof *op);
  if (!op)
    return -1;
  op->code = code;
  op->n_in = n_in > 0 ? n_in : 0;
  op->n_out = n_out > 0 ? n_out : 0;
  op->in = dupmem(b, inputs, (size_t)op->n_in * sizeof(int));
  op->out = dupmem(b, outputs, (size_t)op->n_out * sizeof(int));
  return b->n_ops - 1;
}

int tfb_op(tfb *b, int builtin_code, const int *inputs, int n_in, const int *outputs, int n_out) {
  return add_op(b, find_code(b, builtin_code, NULL), inputs, n_in, outputs, n_out);
}

int tfb_custom_op(tfb *b, const char *custom_code, const int *inputs, int n_in, const int *outputs,
                  int n_out) {
  return add_op(b, find_code(b, TFB_OP_CUSTOM, custom_code), inputs, n_in, outputs, n_out);
}

/* BuiltinOptions union types and table names, from the reader's tfl_schema.def. */
enum {
#define TFL_OPTIONS(id, table, code) OPT_##id = code,
#include "tfl_schema.def"
};
static const char *const options_names[] = {
#define TFL_OPTIONS(id, table, code) [code] = #table,
#include "tfl_schema.def"
};

/* Options: the union type, then the table's scalar fields by slot. */
static tb_op *opts(tfb *b, int op, int type) {
  if (op < 0 || op >= b->n_ops)
    return NULL;
  tb_op *o = &b->ops[op];
  o->opt_type = type;
  o->opt_name = options_names[type];
  o->n_opt = 0;
  return o;
}

static void opt_field(tb_op *o, int slot, int size, uint64_t bits, const char *name) {
  if (!o || o->n_opt >= (int)(sizeof o->opt / sizeof o->opt[0]))
    return;
  o->opt[o->n_opt++] = (tb_scalar){slot, size, bits, name};
}

static uint64_t i32bits(int v) {
  return (uint64_t)(uint32_t)v;
}

void tfb_conv_options(tfb *b, int op, int padding, int stride_w, int stride_h, int act,
                      int dilation_w, int dilation_h) {
  tb_op *o = opts(b, op, OPT_CONV2D);
  opt_field(o, 0, 1, (uint8_t)padding, "padding");
  opt_field(o, 1, 4, i32bits(stride_w), "stride_w");
  opt_field(o, 2, 4, i32bits(stride_h), "stride_h");
  opt_field(o, 3, 1, (uint8_t)act, "fused_activation_function");
  opt_field(o, 4, 4, i32bits(dilation_w), "dilation_w_factor");
  opt_field(o, 5, 4, i32bits(dilation_h), "dilation_h_factor");
}

void tfb_dwconv_options(tfb *b, int op, int padding, int stride_w, int stride_h,
                        int depth_multiplier, int act, int dilation_w, int dilation_h) {
  tb_op *o = opts(b, op, OPT_DEPTHWISE_CONV2D);
  opt_field(o, 0, 1, (uint8_t)padding, "padding");
  opt_field(o, 1, 4, i32bits(stride_w), "stride_w");
  opt_field(o, 2, 4, i32bits(stride_h), "stride_h");
  opt_field(o, 3, 4, i32bits(depth_multiplier), "depth_multiplier");
  opt_field(o, 4, 1, (uint8_t)act, "fused_activation_function");
  opt_field(o, 5, 4, i32bits(dilation_w), "dilation_w_factor");
  opt_field(o, 6, 4, i32bits(dilation_h), "dilation_h_factor");
}

void tfb_pool_options(tfb *b, int op, int padding, int stride_w, int stride_h, int filter_w,
                      int filter_h, int act) {
  tb_op *o = opts(b, op, OPT_POOL2D);
  opt_field(o, 0, 1, (uint8_t)padding, "padding");
  opt_field(o, 1, 4, i32bits(stride_w), "stride_w");
  opt_field(o, 2, 4, i32bits(stride_h), "stride_h");
  opt_field(o, 3, 4, i32bits(filter_w), "filter_width");
  opt_field(o, 4, 4, i32bits(filter_h), "filter_height");
  opt_field(o, 5, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_variable(tfb *b, int tensor) {
  if (tensor >= 0 && tensor < b->n_tensors)
    b->tensors[tensor].variable = true;
}

void tfb_svdf_options(tfb *b, int op, int rank, int act) {
  tb_op *o = opts(b, op, OPT_SVDF);
  opt_field(o, 0, 4, i32bits(rank), "rank");
  opt_field(o, 1, 1, (uint8_t)act, "fused_activation_function");
  opt_field(o, 2, 1, 0, "asymmetric_quantize_inputs");
}

void tfb_lstm_options(tfb *b, int op, int act, float cell_clip, int time_major) {
  tb_op *o = opts(b, op, OPT_UNIDIRECTIONAL_SEQUENCE_LSTM);
  uint32_t bits;
  memcpy(&bits, &cell_clip, sizeof bits);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
  opt_field(o, 1, 4, bits, "cell_clip");
  opt_field(o, 2, 4, 0, "proj_clip");
  opt_field(o, 3, 1, time_major ? 1 : 0, "time_major");
}

void tfb_fc_options(tfb *b, int op, int act, int keep_num_dims) {
  tb_op *o = opts(b, op, OPT_FULLY_CONNECTED);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
  opt_field(o, 1, 1, 0, "weights_format");
  opt_field(o, 2, 1, keep_num_dims ? 1 : 0, "keep_num_dims");
}

void tfb_add_options(tfb *b, int op, int act) {
  tb_op *o = opts(b, op, OPT_ADD);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_mul_options(tfb *b, int op, int act) {
  tb_op *o = opts(b, op, OPT_MUL);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_sub_options(tfb *b, int op, int act) {
  tb_op *o = opts(b, op, OPT_SUB);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_div_options(tfb *b, int op, int act) {
  tb_op *o = opts(b, op, OPT_DIV);
  opt_field(o, 0, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_softmax_options(tfb *b, int op, float beta) {
  tb_op *o = opts(b, op, OPT_SOFTMAX);
  uint32_t bits;
  memcpy(&bits, &beta, sizeof bits);
  opt_field(o, 0, 4, bits, "beta");
}

void tfb_concat_options(tfb *b, int op, int axis, int act) {
  tb_op *o = opts(b, op, OPT_CONCATENATION);
  opt_field(o, 0, 4, i32bits(axis), "axis");
  opt_field(o, 1, 1, (uint8_t)act, "fused_activation_function");
}

void tfb_reshape_options(tfb *b, int op, const int32_t *new_shape, int n) {
  tb_op *o = opts(b, op, OPT_RESHAPE);
  if (!o)
    return;
  free(o->new_shape);
  o->n_new_shape = n > 0 ? n : 0;
  o->new_shape = dupmem(b, new_shape, (size_t)o->n_new_shape * sizeof(int32_t));
}

void tfb_reducer_options(tfb *b, int op, int keep_dims) {
  tb_op *o = opts(b, op, OPT_REDUCER);
  opt_field(o, 0, 1, keep_dims ? 1 : 0, "keep_dims");
}

void tfb_gather_options(tfb *b, int op, int axis) {
  tb_op *o = opts(b, op, OPT_GATHER);
  opt_field(o, 0, 4, i32bits(axis), "axis");
}

void tfb_strided_slice_options(tfb *b, int op, int begin_mask, int end_mask, int ellipsis_mask,
                               int new_axis_mask, int shrink_axis_mask) {
  tb_op *o = opts(b, op, OPT_STRIDED_SLICE);
  opt_field(o, 0, 4, i32bits(begin_mask), "begin_mask");
  opt_field(o, 1, 4, i32bits(end_mask), "end_mask");
  opt_field(o, 2, 4, i32bits(ellipsis_mask), "ellipsis_mask");
  opt_field(o, 3, 4, i32bits(new_axis_mask), "new_axis_mask");
  opt_field(o, 4, 4, i32bits(shrink_axis_mask), "shrink_axis_mask");
}

void tfb_split_options(tfb *b, int op, int v, int num_splits) {
  tb_op *o = opts(b, op, v ? OPT_SPLIT_V : OPT_SPLIT);
  opt_field(o, 0, 4, i32bits(num_splits), "num_splits");
}

void tfb_resize_options(tfb *b, int op, int bilinear, int align_corners, int half_pixel_centers) {
  tb_op *o = opts(b, op, bilinear ? OPT_RESIZE_BILINEAR : OPT_RESIZE_NEAREST_NEIGHBOR);
  const int base = bilinear ? 2 : 0; /* ResizeBilinearOptions keeps two deprecated fields */
  opt_field(o, base, 1, align_corners ? 1 : 0, "align_corners");
  opt_field(o, base + 1, 1, half_pixel_centers ? 1 : 0, "half_pixel_centers");
}

void tfb_transpose_conv_options(tfb *b, int op, int padding, int stride_w, int stride_h, int act) {
  tb_op *o = opts(b, op, OPT_TRANSPOSE_CONV);
  opt_field(o, 0, 1, (uint64_t)(uint8_t)padding, "padding");
  opt_field(o, 1, 4, i32bits(stride_w), "stride_w");
  opt_field(o, 2, 4, i32bits(stride_h), "stride_h");
  opt_field(o, 3, 1, (uint64_t)(uint8_t)act, "fused_activation_function");
}

void tfb_mirror_pad_options(tfb *b, int op, int mode) {
  tb_op *o = opts(b, op, OPT_MIRROR_PAD);
  opt_field(o, 0, 1, (uint64_t)(uint8_t)mode, "mode");
}

void tfb_io(tfb *b, const int *inputs, int n_in, const int *outputs, int n_out) {
  free(b->inputs);
  free(b->outputs);
  b->n_inputs = n_in > 0 ? n_in : 0;
  b->n_outputs = n_out > 0 ? n_out : 0;
  b->inputs = dupmem(b, inputs, (size_t)b->n_inputs * sizeof(int));
  b->outputs = dupmem(b, outputs, (size_t)b->n_outputs * sizeof(int));
}

static void replace_str(tfb *b, char **dst, const char *s) {
  char *d = dupstr(b, s);
  if (!d)
    return;
  free(*dst);
  *dst = d;
}

void tfb_description(tfb *b, const char *text) {
  replace_str(b, &b->description, text);
}
void tfb_subgraph_name(tfb *b, const char *name) {
  replace_str(b, &b->sg_name, name);
}
void tfb_version(tfb *b, uint32_t version) {
  b->version = version;
}

/* ---- serialization ---- */

static void emit(tfb *b, const void *p, size_t n) {
  if (b->oom)
    return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *q = realloc(b->out, cap);
    if (!q) {
      b->oom = true;
      return;
    }
    b->out = q;
    b->cap = cap;
  }
  if (p)
    memcpy(b->out + b->len, p, n);
  else
    memset(b->out + b->len, 0, n);
  b->len += n;
}

/* Little-endian scalar of `size` bytes. */
static void emit_le(tfb *b, uint64_t v, int size) {
  uint8_t bytes[8];
  for (int k = 0; k < size; k++)
    bytes[k] = (uint8_t)(v >> (8 * k));
  emit(b, bytes, (size_t)size);
}

static void put_le(tfb *b, size_t at, uint64_t v, int size) {
  if (b->oom)
    return;
  for (int k = 0; k < size; k++)
    b->out[at + (size_t)k] = (uint8_t)(v >> (8 * k));
}

/* Zero padding so that (len + extra) is a multiple of align. */
static void pad(tfb *b, size_t align, size_t extra) {
  size_t r = (b->len + extra) % align;
  if (r)
    emit(b, NULL, align - r);
}

/* Point the uoffset stored at `at` to `target` (always later in the file). */
static void patch(tfb *b, size_t at, size_t target) {
  put_le(b, at, (uint64_t)(target - at), 4);
}

static void mark(tfb *b, const char *table, int index, const char *field, size_t pos) {
  if (b->oom || !field)
    return;
  if (b->n_marks == b->cap_marks) {
    size_t cap = b->cap_marks ? 2 * b->cap_marks : 64;
    tb_mark *m = realloc(b->marks, cap * sizeof *m);
    if (!m) {
      b->oom = true;
      return;
    }
    b->marks = m;
    b->cap_marks = cap;
  }
  b->marks[b->n_marks++] = (tb_mark){table, index, field, pos};
}

/* A table being written: scalar fields and offset fields (4 bytes, patched later). */
typedef struct tb_field {
  int slot;
  int size;
  uint64_t bits;
  const char *name;
  size_t at; /* position written */
} tb_field;

typedef struct tb_table {
  const char *type;
  int index;
  tb_field f[16];
  int n;
} tb_table;

static void tt_init(tb_table *t, const char *type, int index) {
  t->type = type;
  t->index = index;
  t->n = 0;
}

static int tt_field(tb_table *t, int slot, int size, uint64_t bits, const char *name) {
  t->f[t->n] = (tb_field){slot, size, bits, name, 0};
  return t->n++;
}

/* Write vtable + table; fields go largest first so each is aligned to its size. Returns the
 * table's position. */
static size_t tt_write(tfb *b, tb_table *t) {
  int n_slots = 0, align = 4;
  for (int k = 0; k < t->n; k++) {
    if (t->f[k].slot + 1 > n_slots)
      n_slots = t->f[k].slot + 1;
    if (t->f[k].size > align)
      align = t->f[k].size;
  }
  size_t vt_bytes = 4 + 2 * (size_t)n_slots;
  pad(b, 2, 0);
  size_t vt = b->len;
  emit(b, NULL, vt_bytes);
  pad(b, (size_t)align, 0);
  size_t tp = b->len;
  emit_le(b, (uint64_t)(uint32_t)(tp - vt), 4); /* soffset: vtable = table - soffset */
  uint16_t offs[64] = {0};
  for (int size = 8; size >= 1; size /= 2) {
    for (int k = 0; k < t->n; k++) {
      tb_field *f = &t->f[k];
      if (f->size != size)
        continue;
      pad(b, (size_t)size, 0);
      f->at = b->len;
      offs[f->slot] = (uint16_t)(b->len - tp);
      emit_le(b, f->bits, size);
      mark(b, t->type, t->index, f->name, f->at);
    }
  }
  size_t tsize = b->len - tp;
  put_le(b, vt, vt_bytes, 2);
  put_le(b, vt + 2, tsize, 2);
  for (int s = 0; s < n_slots; s++)
    put_le(b, vt + 4 + 2 * (size_t)s, offs[s], 2);
  return tp;
}

static size_t write_string(tfb *b, const char *s) {
  size_t n = strlen(s);
  pad(b, 4, 0);
  size_t pos = b->len;
  emit_le(b, n, 4);
  emit(b, s, n);
  emit(b, "", 1);
  return pos;
}

/* A vector of n 32-bit values (ints), elements from an int array. */
static size_t write_i32_vec(tfb *b, const int *v, int n) {
  pad(b, 4, 0);
  size_t pos = b->len;
  emit_le(b, (uint64_t)n, 4);
  for (int k = 0; k < n; k++)
    emit_le(b, (uint64_t)(uint32_t)v[k], 4);
  return pos;
}

static size_t write_i32_vec32(tfb *b, const int32_t *v, int n) {
  pad(b, 4, 0);
  size_t pos = b->len;
  emit_le(b, (uint64_t)n, 4);
  for (int k = 0; k < n; k++)
    emit_le(b, (uint64_t)(uint32_t)v[k], 4);
  return pos;
}

/* A vector of n uoffset placeholders; element k is at pos + 4 + 4k. */
static size_t write_offset_vec(tfb *b, int n) {
  pad(b, 4, 0);
  size_t pos = b->len;
  emit_le(b, (uint64_t)n, 4);
  emit(b, NULL, 4 * (size_t)n);
  return pos;
}

static void write_quant(tfb *b, int ti, const tb_tensor *t, size_t at) {
  tb_table q;
  tt_init(&q, "QuantizationParameters", ti);
  int fs = tt_field(&q, 2, 4, 0, "scale");
  int fz = tt_field(&q, 3, 4, 0, "zero_point");
  tt_field(&q, 6, 4, i32bits(t->qdim), "quantized_dimension");
  patch(b, at, tt_write(b, &q));
  pad(b, 4, 0);
  patch(b, q.f[fs].at, b->len);
  emit_le(b, (uint64_t)t->nq, 4);
  for (int k = 0; k < t->nq; k++) {
    uint32_t bits;
    memcpy(&bits, &t->scales[k], sizeof bits);
    emit_le(b, bits, 4);
  }
  pad(b, 8, 4); /* int64 elements 8-aligned */
  patch(b, q.f[fz].at, b->len);
  emit_le(b, (uint64_t)t->nzp, 4);
  for (int k = 0; k < t->nzp; k++)
    emit_le(b, (uint64_t)t->zps[k], 8);
}

static void write_tensor(tfb *b, int ti, size_t at) {
  const tb_tensor *t = &b->tensors[ti];
  tb_table tt;
  tt_init(&tt, "Tensor", ti);
  int fshape = tt_field(&tt, 0, 4, 0, "shape");
  tt_field(&tt, 1, 1, (uint8_t)t->type, "type");
  tt_field(&tt, 2, 4, (uint32_t)t->buffer, "buffer");
  int fname = tt_field(&tt, 3, 4, 0, "name");
  int fq = t->nq >= 0 ? tt_field(&tt, 4, 4, 0, "quantization") : -1;
  if (t->variable)
    tt_field(&tt, 5, 1, 1, "is_variable");
  int fsig = t->signature ? tt_field(&tt, 7, 4, 0, "shape_signature") : -1;
  patch(b, at, tt_write(b, &tt));
  patch(b, tt.f[fshape].at, write_i32_vec32(b, t->dims, t->rank));
  patch(b, tt.f[fname].at, write_string(b, t->name));
  if (fq >= 0)
    write_quant(b, ti, t, tt.f[fq].at);
  if (fsig >= 0)
    patch(b, tt.f[fsig].at, write_i32_vec32(b, t->signature, t->rank));
}

static void write_operator(tfb *b, int oi, size_t at) {
  const tb_op *o = &b->ops[oi];
  tb_table ot;
  tt_init(&ot, "Operator", oi);
  tt_field(&ot, 0, 4, (uint32_t)o->code, "opcode_index");
  int fin = tt_field(&ot, 1, 4, 0, "inputs");
  int fout = tt_field(&ot, 2, 4, 0, "outputs");
  int fopt = -1;
  if (o->opt_type) {
    tt_field(&ot, 3, 1, (uint8_t)o->opt_type, "builtin_options_type");
    fopt = tt_field(&ot, 4, 4, 0, "builtin_options");
  }
  patch(b, at, tt_write(b, &ot));
  patch(b, ot.f[fin].at, write_i32_vec(b, o->in, o->n_in));
  patch(b, ot.f[fout].at, write_i32_vec(b, o->out, o->n_out));
  if (fopt < 0)
    return;
  tb_table opt;
  tt_init(&opt, o->opt_name, oi);
  for (int k = 0; k < o->n_opt; k++)
    tt_field(&opt, o->opt[k].slot, o->opt[k].size, o->opt[k].bits, o->opt[k].name);
  int fns = o->new_shape ? tt_field(&opt, 0, 4, 0, "new_shape") : -1;
  patch(b, ot.f[fopt].at, tt_write(b, &opt));
  if (fns >= 0)
    patch(b, opt.f[fns].at, write_i32_vec32(b, o->new_shape, o->n_new_shape));
}

static void write_subgraph(tfb *b, size_t at) {
  tb_table sg;
  tt_init(&sg, "SubGraph", 0);
  int ft = tt_field(&sg, 0, 4, 0, "tensors");
  int fi = tt_field(&sg, 1, 4, 0, "inputs");
  int fo = tt_field(&sg, 2, 4, 0, "outputs");
  int fops = tt_field(&sg, 3, 4, 0, "operators");
  int fn = tt_field(&sg, 4, 4, 0, "name");
  patch(b, at, tt_write(b, &sg));

  size_t v = write_offset_vec(b, b->n_tensors);
  patch(b, sg.f[ft].at, v);
  for (int i = 0; i < b->n_tensors; i++)
    write_tensor(b, i, v + 4 + 4 * (size_t)i);
  patch(b, sg.f[fi].at, write_i32_vec(b, b->inputs, b->n_inputs));
  patch(b, sg.f[fo].at, write_i32_vec(b, b->outputs, b->n_outputs));
  v = write_offset_vec(b, b->n_ops);
  patch(b, sg.f[fops].at, v);
  for (int i = 0; i < b->n_ops; i++)
    write_operator(b, i, v + 4 + 4 * (size_t)i);
  patch(b, sg.f[fn].at, write_string(b, b->sg_name));
}

static void write_codes(tfb *b, size_t at) {
  size_t v = write_offset_vec(b, b->n_codes);
  patch(b, at, v);
  for (int i = 0; i < b->n_codes; i++) {
    const tb_code *c = &b->codes[i];
    tb_table ct;
    tt_init(&ct, "OperatorCode", i);
    /* Codes that do not fit the old byte field leave 127 (PLACEHOLDER_FOR_GREATER_OP_CODES)
     * there, as the converter does. */
    int dep = c->builtin < TFB_OP_PLACEHOLDER_FOR_GREATER_OP_CODES
                  ? c->builtin
                  : TFB_OP_PLACEHOLDER_FOR_GREATER_OP_CODES;
    tt_field(&ct, 0, 1, (uint8_t)dep, "deprecated_builtin_code");
    int fc = c->custom ? tt_field(&ct, 1, 4, 0, "custom_code") : -1;
    tt_field(&ct, 2, 4, 1, "version");
    tt_field(&ct, 3, 4, i32bits(c->builtin), "builtin_code");
    patch(b, v + 4 + 4 * (size_t)i, tt_write(b, &ct));
    if (fc >= 0)
      patch(b, ct.f[fc].at, write_string(b, c->custom));
  }
}

/* Buffer tables first, then their data, so the file ends with buffer bytes. */
static void write_buffers(tfb *b, size_t at) {
  size_t v = write_offset_vec(b, b->n_buffers);
  patch(b, at, v);
  size_t *data_at = calloc((size_t)b->n_buffers, sizeof *data_at);
  if (!data_at) {
    b->oom = true;
    return;
  }
  for (int i = 0; i < b->n_buffers; i++) {
    const tb_buffer *buf = &b->buffers[i];
    tb_table bt;
    tt_init(&bt, "Buffer", i);
    int fd = -1;
    if (buf->outside) {
      fd = tt_field(&bt, 1, 8, 0, "offset");
      tt_field(&bt, 2, 8, buf->len, "size");
    } else if (buf->len) {
      fd = tt_field(&bt, 0, 4, 0, "data");
    }
    patch(b, v + 4 + 4 * (size_t)i, tt_write(b, &bt));
    data_at[i] = fd >= 0 ? bt.f[fd].at : 0;
  }
  for (int i = 0; i < b->n_buffers; i++) {
    const tb_buffer *buf = &b->buffers[i];
    if (buf->outside || !buf->len)
      continue;
    pad(b, 16, 4); /* data 16-aligned, like the converter's force_align: 16 */
    patch(b, data_at[i], b->len);
    emit_le(b, buf->len, 4);
    emit(b, buf->data, buf->len);
  }
  for (int i = 0; i < b->n_buffers; i++) {
    const tb_buffer *buf = &b->buffers[i];
    if (!buf->outside)
      continue;
    pad(b, 16, 0);
    put_le(b, data_at[i], b->len, 8);
    emit(b, buf->data, buf->len);
  }
  free(data_at);
}

uint8_t *tfb_finish(tfb *b, size_t *len) {
  *len = 0;
  if (b->oom)
    return NULL;
  free(b->out);
  b->out = NULL;
  b->len = b->cap = 0;
  b->n_marks = 0;

  emit(b, NULL, 4); /* root uoffset */
  emit(b, "TFL3", 4);
  tb_table m;
  tt_init(&m, "Model", 0);
  tt_field(&m, 0, 4, b->version, "version");
  int fcodes = tt_field(&m, 1, 4, 0, "operator_codes");
  int fsg = tt_field(&m, 2, 4, 0, "subgraphs");
  int fdesc = tt_field(&m, 3, 4, 0, "description");
  int fbuf = tt_field(&m, 4, 4, 0, "buffers");
  patch(b, 0, tt_write(b, &m));
  patch(b, m.f[fdesc].at, write_string(b, b->description));
  write_codes(b, m.f[fcodes].at);
  size_t v = write_offset_vec(b, 1);
  patch(b, m.f[fsg].at, v);
  write_subgraph(b, v + 4);
  write_buffers(b, m.f[fbuf].at);

  if (b->oom)
    return NULL;
  uint8_t *bytes = malloc(b->len);
  if (!bytes)
    return NULL;
  memcpy(bytes, b->out, b->len);
  *len = b->len;
  return bytes;
}

long tfb_field_pos(const tfb *b, const char *table, int index, const char *field) {
  for (size_t k = 0; k < b->n_marks; k++) {
    const tb_mark *m = &b->marks[k];
    if (m->index == index && strcmp(m->table, table) == 0 && strcmp(m->field, field) == 0)
      return (long)m->pos;
  }
  return -1;
}
