/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnxbuild.c: the ONNX model writer for tests (see onnxbuild.h).
 *
 * Every struct, string and array comes from an arena of zeroed chunks owned by the builder,
 * so a model is freed at once and the pointers handed out stay valid while it grows. Arrays
 * of pointers (nodes, initializers, attributes) grow by doubling into fresh arena space; the
 * old copy is simply left behind. protobuf-c does the serialization.
 */
#include "onnxbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
  struct chunk *next;
  size_t used, size;
  _Alignas(16) unsigned char data[];
} chunk;

struct oxb {
  chunk *chunks;
  Onnx__ModelProto m;
  Onnx__GraphProto g;
  bool name_nodes;
  uint8_t *out; /* the bytes of the last oxb_finish */
};

enum { CHUNK_SIZE = 64 * 1024 };

static void *arena(oxb *b, size_t n) {
  n = (n + 15) & ~(size_t)15;
  chunk *c = b->chunks;
  if (!c || c->size - c->used < n) {
    size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
    c = calloc(1, sizeof *c + size);
    if (!c) {
      fprintf(stderr, "onnxbuild: out of memory\n");
      abort();
    }
    c->size = size;
    /* A large block gets a chunk of its own behind the current one, which keeps its room. */
    if (b->chunks && size > CHUNK_SIZE) {
      c->next = b->chunks->next;
      b->chunks->next = c;
    } else {
      c->next = b->chunks;
      b->chunks = c;
    }
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

/* Arrays hold up to 4 entries, then a power of two: full when n is 0, or 4 or more and a power
 * of two. */
static bool full(size_t n) {
  return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

#define PUSH(b, arr, n, item)                                                                      \
  do {                                                                                             \
    if (full(n)) {                                                                                 \
      void *grown_ = arena((b), ((n) ? 2 * (n) : 4) * sizeof *(arr));                              \
      if (n)                                                                                       \
        memcpy(grown_, (arr), (n) * sizeof *(arr));                                                \
      (arr) = grown_;                                                                              \
    }                                                                                              \
    (arr)[(n)++] = (item);                                                                         \
  } while (0)

char *oxb_str(oxb *b, const char *s) {
  size_t n = strlen(s) + 1;
  char *c = arena(b, n);
  memcpy(c, s, n);
  return c;
}

oxb *oxb_new(int64_t opset) {
  oxb *b = calloc(1, sizeof *b);
  if (!b) {
    fprintf(stderr, "onnxbuild: out of memory\n");
    abort();
  }
  onnx__model_proto__init(&b->m);
  onnx__graph_proto__init(&b->g);
  b->m.has_ir_version = 1;
  b->m.ir_version = 8;
  b->m.producer_name = oxb_str(b, "tinyaot onnxbuild");
  b->m.graph = &b->g;
  b->g.name = oxb_str(b, "main");
  oxb_opset(b, "", opset);
  return b;
}

void oxb_free(oxb *b) {
  if (!b)
    return;
  for (chunk *c = b->chunks, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(b->out);
  free(b);
}

Onnx__ModelProto *oxb_model(oxb *b) {
  return &b->m;
}

void oxb_ir_version(oxb *b, int64_t version) {
  b->m.ir_version = version;
}

void oxb_producer(oxb *b, const char *name) {
  b->m.producer_name = oxb_str(b, name);
}

void oxb_graph_name(oxb *b, const char *name) {
  b->g.name = oxb_str(b, name);
}

void oxb_opset(oxb *b, const char *domain, int64_t version) {
  Onnx__OperatorSetIdProto *o = arena(b, sizeof *o);
  onnx__operator_set_id_proto__init(o);
  o->domain = oxb_str(b, domain);
  o->has_version = 1;
  o->version = version;
  PUSH(b, b->m.opset_import, b->m.n_opset_import, o);
}

void oxb_name_nodes(oxb *b) {
  b->name_nodes = true;
}

/* ---- inputs and outputs ---- */

static Onnx__ValueInfoProto *value_info(oxb *b, const char *name, int elem_type, int rank,
                                        const int *dims) {
  Onnx__ValueInfoProto *v = arena(b, sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = oxb_str(b, name);
  Onnx__TypeProto *t = arena(b, sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = arena(b, sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = elem_type;
  if (rank >= 0) {
    Onnx__TensorShapeProto *sp = arena(b, sizeof *sp);
    onnx__tensor_shape_proto__init(sp);
    sp->dim = arena(b, (size_t)(rank ? rank : 1) * sizeof *sp->dim);
    for (int k = 0; k < rank; k++) {
      Onnx__TensorShapeProto__Dimension *d = arena(b, sizeof *d);
      onnx__tensor_shape_proto__dimension__init(d);
      if (dims[k] < 0) { /* a dynamic dimension, as PyTorch exports a batch */
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        d->dim_param = oxb_str(b, "N");
      } else {
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = dims[k];
      }
      sp->dim[sp->n_dim++] = d;
    }
    tt->shape = sp;
  }
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  v->type = t;
  return v;
}

Onnx__ValueInfoProto *oxb_input(oxb *b, const char *name, int elem_type, int rank,
                                const int *dims) {
  Onnx__ValueInfoProto *v = value_info(b, name, elem_type, rank, dims);
  PUSH(b, b->g.input, b->g.n_input, v);
  return v;
}

Onnx__ValueInfoProto *oxb_output(oxb *b, const char *name, int elem_type, int rank,
                                 const int *dims) {
  Onnx__ValueInfoProto *v = value_info(b, name, elem_type, rank, dims);
  PUSH(b, b->g.output, b->g.n_output, v);
  return v;
}

/* ---- tensors ---- */

static size_t elems(const Onnx__TensorProto *t) {
  size_t n = 1;
  for (size_t k = 0; k < t->n_dims; k++)
    n *= (size_t)t->dims[k];
  return n;
}

Onnx__TensorProto *oxb_tensor(oxb *b, const char *name, int data_type, int rank, const int *dims) {
  Onnx__TensorProto *t = arena(b, sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = oxb_str(b, name);
  t->has_data_type = 1;
  t->data_type = data_type;
  t->dims = arena(b, (size_t)(rank ? rank : 1) * sizeof(int64_t));
  for (int k = 0; k < rank; k++)
    t->dims[t->n_dims++] = dims[k];
  return t;
}

void oxb_set_floats(oxb *b, Onnx__TensorProto *t, const float *v) {
  size_t n = elems(t);
  t->float_data = arena(b, (n ? n : 1) * sizeof(float));
  memcpy(t->float_data, v, n * sizeof(float));
  t->n_float_data = n;
}

void oxb_set_int32s(oxb *b, Onnx__TensorProto *t, const int32_t *v) {
  size_t n = elems(t);
  t->int32_data = arena(b, (n ? n : 1) * sizeof(int32_t));
  memcpy(t->int32_data, v, n * sizeof(int32_t));
  t->n_int32_data = n;
}

void oxb_set_int64s(oxb *b, Onnx__TensorProto *t, const int64_t *v) {
  size_t n = elems(t);
  t->int64_data = arena(b, (n ? n : 1) * sizeof(int64_t));
  memcpy(t->int64_data, v, n * sizeof(int64_t));
  t->n_int64_data = n;
}

void oxb_set_doubles(oxb *b, Onnx__TensorProto *t, const double *v) {
  size_t n = elems(t);
  t->double_data = arena(b, (n ? n : 1) * sizeof(double));
  memcpy(t->double_data, v, n * sizeof(double));
  t->n_double_data = n;
}

void oxb_set_raw(oxb *b, Onnx__TensorProto *t, const void *data, size_t len) {
  t->has_raw_data = 1;
  t->raw_data.data = arena(b, len ? len : 1);
  if (len)
    memcpy(t->raw_data.data, data, len);
  t->raw_data.len = len;
}

void oxb_initializer(oxb *b, Onnx__TensorProto *t) {
  PUSH(b, b->g.initializer, b->g.n_initializer, t);
}

Onnx__TensorProto *oxb_init_f32(oxb *b, const char *name, int rank, const int *dims,
                                float (*f)(int)) {
  Onnx__TensorProto *t = oxb_tensor(b, name, OXB_FLOAT, rank, dims);
  size_t n = elems(t);
  t->float_data = arena(b, (n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++)
    t->float_data[t->n_float_data++] = f((int)i);
  oxb_initializer(b, t);
  return t;
}

Onnx__TensorProto *oxb_init_floats(oxb *b, const char *name, int rank, const int *dims,
                                   const float *v) {
  Onnx__TensorProto *t = oxb_tensor(b, name, OXB_FLOAT, rank, dims);
  oxb_set_floats(b, t, v);
  oxb_initializer(b, t);
  return t;
}

Onnx__TensorProto *oxb_init_int32s(oxb *b, const char *name, int data_type, int rank,
                                   const int *dims, const int32_t *v) {
  Onnx__TensorProto *t = oxb_tensor(b, name, data_type, rank, dims);
  oxb_set_int32s(b, t, v);
  oxb_initializer(b, t);
  return t;
}

Onnx__TensorProto *oxb_init_i64(oxb *b, const char *name, int n, const int64_t *v) {
  Onnx__TensorProto *t = oxb_tensor(b, name, OXB_INT64, 1, &n);
  oxb_set_raw(b, t, v, (size_t)n * sizeof *v);
  oxb_initializer(b, t);
  return t;
}

/* ---- nodes and attributes ---- */

/* The names of a space-separated list into arena strings ("-": "", an absent input). */
static char **names(oxb *b, const char *list, size_t *n) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  size_t count = 0;
  for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
    count++;
  char **v = arena(b, (count ? count : 1) * sizeof *v);
  snprintf(buf, sizeof buf, "%s", list);
  *n = 0;
  for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
    v[(*n)++] = oxb_str(b, strcmp(t, "-") == 0 ? "" : t);
  return v;
}

Onnx__NodeProto *oxb_node(oxb *b, const char *op_type, const char *inputs, const char *outputs) {
  Onnx__NodeProto *n = arena(b, sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = oxb_str(b, op_type);
  char name[96] = "";
  if (b->name_nodes)
    snprintf(name, sizeof name, "%s_%zu", op_type, b->g.n_node);
  n->name = oxb_str(b, name);
  n->input = names(b, inputs, &n->n_input);
  n->output = names(b, outputs, &n->n_output);
  PUSH(b, b->g.node, b->g.n_node, n);
  return n;
}

void oxb_node_name(oxb *b, Onnx__NodeProto *n, const char *name) {
  n->name = oxb_str(b, name);
}

void oxb_node_domain(oxb *b, Onnx__NodeProto *n, const char *domain) {
  n->domain = oxb_str(b, domain);
}

static Onnx__AttributeProto *attr(oxb *b, Onnx__NodeProto *n, const char *name,
                                  Onnx__AttributeProto__AttributeType type) {
  Onnx__AttributeProto *a = arena(b, sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = oxb_str(b, name);
  a->has_type = 1;
  a->type = type;
  PUSH(b, n->attribute, n->n_attribute, a);
  return a;
}

void oxb_attr_int(oxb *b, Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = 1;
  a->i = v;
}

void oxb_attr_float(oxb *b, Onnx__NodeProto *n, const char *name, float v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = 1;
  a->f = v;
}

void oxb_attr_string(oxb *b, Onnx__NodeProto *n, const char *name, const char *v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
  a->has_s = 1;
  a->s.data = (uint8_t *)oxb_str(b, v);
  a->s.len = strlen(v);
}

void oxb_attr_tensor(oxb *b, Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
  a->t = t;
}

void oxb_attr_ints(oxb *b, Onnx__NodeProto *n, const char *name, int count, const int64_t *v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->ints = arena(b, (size_t)(count ? count : 1) * sizeof(int64_t));
  for (int i = 0; i < count; i++)
    a->ints[a->n_ints++] = v[i];
}

void oxb_attr_floats(oxb *b, Onnx__NodeProto *n, const char *name, int count, const float *v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
  a->floats = arena(b, (size_t)(count ? count : 1) * sizeof(float));
  for (int i = 0; i < count; i++)
    a->floats[a->n_floats++] = v[i];
}

void oxb_attr_strings(oxb *b, Onnx__NodeProto *n, const char *name, int count,
                      const char *const *v) {
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
  a->strings = arena(b, (size_t)(count ? count : 1) * sizeof *a->strings);
  for (int i = 0; i < count; i++) {
    a->strings[i].data = (uint8_t *)oxb_str(b, v[i]);
    a->strings[i].len = strlen(v[i]);
  }
  a->n_strings = (size_t)count;
}

uint8_t *oxb_finish(oxb *b, size_t *len) {
  free(b->out);
  *len = protobuf_c_message_get_packed_size(&b->m.base);
  b->out = malloc(*len ? *len : 1);
  if (!b->out) {
    fprintf(stderr, "onnxbuild: out of memory\n");
    abort();
  }
  protobuf_c_message_pack(&b->m.base, b->out);
  return b->out;
}
