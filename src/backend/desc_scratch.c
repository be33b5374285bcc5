/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc_scratch.c: the scratch memory a description's operator needs, from its "scratch"
 * expression.
 *
 * A library kernel often wants a work buffer whose size depends on the layer (CMSIS-NN's
 * convolution needs an im2col buffer of 4 * kernel_h * kernel_w * in_c bytes). The size must be
 * known at compile time, when the planner gives every buffer its place in the arena, and the
 * library's own size function runs on the target, not in the compiler. So the description
 * states the size as a small integer expression over the layer's dimensions, and the compiler
 * evaluates it per op: integers, the names below, + - * / (integer division), parentheses,
 * max(a, b), min(a, b) and align(a, b) (a rounded up to a multiple of b). A description may
 * take the largest size any build of the library needs (plain C, DSP, Helium): scratch is a
 * bound, the kernel uses what it needs of it.
 */
#include <stdio.h>
#include <string.h>

#include "ta_backend_desc.h"

#define MAX_DEPTH 32
#define VALUE_MAX ((int64_t)1 << 40) /* far above any arena; keeps products from overflowing */

typedef struct ev {
  const char *s;
  const ta_backend_dims *v;
  char *err;
  size_t err_len;
  bool failed;
  int depth;
} ev;

static int64_t fail(ev *e, const char *msg, const char *name) {
  if (!e->failed && e->err && e->err_len)
    snprintf(e->err, e->err_len, msg, name);
  e->failed = true;
  return 0;
}

static void skip(ev *e) {
  while (*e->s == ' ' || *e->s == '\t')
    e->s++;
}

static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int64_t clamp(ev *e, int64_t x) {
  if (x > VALUE_MAX || x < -VALUE_MAX)
    return fail(e, "value out of range%s", "");
  return x;
}

static int64_t expr(ev *e);

static const struct {
  const char *name;
  size_t offset;
} k_names[] = {
    {"batch", offsetof(ta_backend_dims, batch)},
    {"in_h", offsetof(ta_backend_dims, in_h)},
    {"in_w", offsetof(ta_backend_dims, in_w)},
    {"in_c", offsetof(ta_backend_dims, in_c)},
    {"out_h", offsetof(ta_backend_dims, out_h)},
    {"out_w", offsetof(ta_backend_dims, out_w)},
    {"out_c", offsetof(ta_backend_dims, out_c)},
    {"kernel_h", offsetof(ta_backend_dims, kernel_h)},
    {"kernel_w", offsetof(ta_backend_dims, kernel_w)},
};

static int64_t factor(ev *e) {
  skip(e);
  if (++e->depth > MAX_DEPTH)
    return fail(e, "expression nested too deeply%s", "");
  int64_t r = 0;
  if (*e->s == '(') {
    e->s++;
    r = expr(e);
    skip(e);
    if (*e->s != ')')
      r = fail(e, "')' expected%s", "");
    else
      e->s++;
  } else if (is_digit(*e->s)) {
    while (is_digit(*e->s) && !e->failed) {
      r = clamp(e, r * 10 + (*e->s - '0'));
      e->s++;
    }
  } else if (is_alpha(*e->s)) {
    char name[32];
    size_t n = 0;
    while ((is_alpha(*e->s) || is_digit(*e->s)) && n + 1 < sizeof name)
      name[n++] = *e->s++;
    name[n] = 0;
    skip(e);
    if (*e->s == '(') {
      e->s++;
      int64_t a = expr(e);
      skip(e);
      if (*e->s != ',')
        return fail(e, "',' expected in %s(a, b)", name);
      e->s++;
      int64_t b = expr(e);
      skip(e);
      if (*e->s != ')')
        return fail(e, "')' expected after %s(a, b", name);
      e->s++;
      if (!strcmp(name, "max"))
        r = a > b ? a : b;
      else if (!strcmp(name, "min"))
        r = a < b ? a : b;
      else if (!strcmp(name, "align"))
        r = b > 0 ? clamp(e, (a + b - 1) / b * b) : fail(e, "align(a, b) needs b > 0%s", "");
      else
        r = fail(e, "unknown function \"%s\"; known: max, min, align", name);
    } else {
      bool found = false;
      for (size_t i = 0; i < TA_ARRAY_LEN(k_names) && !found; i++)
        if (!strcmp(k_names[i].name, name)) {
          memcpy(&r, (const char *)e->v + k_names[i].offset, sizeof r);
          found = true;
        }
      if (!found)
        r = fail(e,
                 "unknown name \"%s\"; known: batch, in_h, in_w, in_c, out_h, out_w, out_c, "
                 "kernel_h, kernel_w",
                 name);
    }
  } else {
    r = fail(e, "number, name or '(' expected%s", "");
  }
  e->depth--;
  return r;
}

static int64_t term(ev *e) {
  int64_t r = factor(e);
  for (skip(e); !e->failed && (*e->s == '*' || *e->s == '/'); skip(e)) {
    char op = *e->s++;
    int64_t b = factor(e);
    if (op == '*')
      r = (b != 0 && (r > VALUE_MAX / b || r < -VALUE_MAX / b))
              ? fail(e, "value out of range%s", "")
              : r * b;
    else
      r = b != 0 ? r / b : fail(e, "division by zero%s", "");
  }
  return r;
}

static int64_t expr(ev *e) {
  int64_t r = term(e);
  for (skip(e); !e->failed && (*e->s == '+' || *e->s == '-'); skip(e)) {
    char op = *e->s++;
    int64_t b = term(e);
    r = clamp(e, op == '+' ? r + b : r - b);
  }
  return r;
}

bool ta_backend_scratch_eval(const char *text, const ta_backend_dims *v, int64_t *out, char *err,
                             size_t err_len) {
  ev e = {text, v, err, err_len, false, 0};
  int64_t r = expr(&e);
  skip(&e);
  if (!e.failed && *e.s)
    fail(&e, "unexpected text after the expression%s", "");
  if (!e.failed && r < 0)
    fail(&e, "the size is negative%s", "");
  *out = e.failed ? 0 : r;
  return !e.failed;
}

bool ta_backend_op_dims(const ta_graph *g, const ta_op *op, ta_backend_dims *d) {
  memset(d, 0, sizeof *d);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y || !x->shape_known || !y->shape_known || x->rank < 1 || y->rank < 1)
    return false;
  d->batch = x->dims[0];
  d->in_c = x->dims[x->rank - 1];
  d->out_c = y->dims[y->rank - 1];
  d->in_h = x->rank == 4 ? x->dims[1] : 1;
  d->in_w = x->rank == 4 ? x->dims[2] : 1;
  d->out_h = y->rank == 4 ? y->dims[1] : 1;
  d->out_w = y->rank == 4 ? y->dims[2] : 1;
  d->kernel_h = d->kernel_w = 1;
  if (op->kind == TA_OP_CONV_2D || op->kind == TA_OP_DEPTHWISE_CONV_2D) {
    const ta_tensor *w = ta_op_input(g, op, 1);
    if (!w || !w->shape_known || w->rank != 4)
      return false;
    d->kernel_h = w->dims[1];
    d->kernel_w = w->dims[2];
  } else if (op->kind == TA_OP_AVERAGE_POOL_2D || op->kind == TA_OP_MAX_POOL_2D) {
    d->kernel_h = op->a.filter_h;
    d->kernel_w = op->a.filter_w;
  }
  return true;
}
