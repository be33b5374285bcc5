/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc.c: the backend description reader (JSON through Debian's jansson -> ta_backend_desc).
 *
 * jansson parses; this file only walks the tree it gives and checks it against the format of
 * docs/BACKENDS.md, one table of known keys per object. A description is user input like a
 * model: every problem becomes one message naming the file, the key path
 * (ops.CONV_2D.constraints.stride) and the reason, checking goes on after it, and text taken
 * from the file is quoted with its control characters escaped. ${VAR} in paths and flags is
 * expanded from the caller's variables, then its environment hook; relative paths are
 * resolved from the description's folder, and sources and include folders must exist.
 * jansson's tree lives on the heap only for the duration of one read; the result is copied
 * into the context's arena.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_backend_desc.h"

#define MAX_LIST 256     /* sources, flags, targets, values of a constraint */
#define MAX_NAME_LEN 64  /* backend, pool and function names */
#define MAX_SHOWN_LEN 80 /* input text quoted in a message */

typedef struct rd {
  ta_ctx *ctx;
  const char *file;
  const ta_backend_desc_options *opt;
  ta_backend_desc *d;
  ta_status st; /* the first error's status */
} rd;

/* ---- messages ---- */

static void keep(rd *r, ta_status st) {
  if (r->st == TA_OK)
    r->st = st;
}

/* One error: "FILE: KEY.PATH: reason". */
__attribute__((format(printf, 4, 5))) static void fail(rd *r, ta_status st, const char *key,
                                                       const char *fmt, ...) {
  char reason[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  keep(r, st);
  if (key && key[0])
    ta_report(r->ctx, TA_ERROR, "%s: %s: %s", r->file, key, reason);
  else
    ta_report(r->ctx, TA_ERROR, "%s: %s", r->file, reason);
}

/* s made fit for a message (ta_shown), cut after MAX_SHOWN_LEN. */
static const char *shown(char *buf, size_t cap, const char *s) {
  return ta_shown(buf, cap, s, MAX_SHOWN_LEN);
}

/* "parent.child" (or "child" at the top), with the child's name made printable. */
static void key_join(char *out, size_t cap, const char *parent, const char *child) {
  char c[4 * MAX_SHOWN_LEN + 8];
  shown(c, sizeof c, child);
  /* A key path longer than the buffer is cut; it ends in "..." so the message says so. */
  const int n =
      parent && parent[0] ? snprintf(out, cap, "%s.%s", parent, c) : snprintf(out, cap, "%s", c);
  if (n >= 0 && (size_t)n >= cap && cap > 4)
    memcpy(out + cap - 4, "...", 4);
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number with a fraction";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  }
  return "?";
}

static bool is_ident(const char *s, bool dash) {
  if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
    return false;
  size_t n = 0;
  for (const char *p = s; *p; p++, n++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || (dash && c == '-');
    if (!ok)
      return false;
  }
  return n <= MAX_NAME_LEN;
}

/* Report every key of obj not in known (a NULL-terminated list), listing the known ones. */
static void check_keys(rd *r, const json_t *obj, const char *path, const char *const *known) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    bool found = false;
    for (const char *const *q = known; *q && !found; q++)
      found = strcmp(*q, k) == 0;
    if (found)
      continue;
    char list[1024] = "";
    size_t o = 0;
    for (const char *const *q = known; *q && o < sizeof list; q++)
      o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", q == known ? "" : ", ", *q);
    char key[512];
    key_join(key, sizeof key, path, k);
    fail(r, TA_ERR_MALFORMED, key, "unknown key; known keys: %s", list);
  }
}

/* ---- typed getters: NULL/false after reporting "expected X, found Y" ---- */

static bool want_type(rd *r, const json_t *v, const char *key, json_type t, const char *what) {
  bool ok = json_typeof(v) == t || (t == JSON_TRUE && json_typeof(v) == JSON_FALSE);
  if (!ok)
    fail(r, TA_ERR_MALFORMED, key, "expected %s, found %s", what, type_name(v));
  return ok;
}

/* A string without control characters, copied to the arena. */
static const char *get_string(rd *r, const json_t *v, const char *key) {
  if (!want_type(r, v, key, JSON_STRING, "a string"))
    return NULL;
  const char *s = json_string_value(v);
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20) {
      fail(r, TA_ERR_MALFORMED, key, "control character 0x%02x in the string",
           (unsigned)(unsigned char)*p);
      return NULL;
    }
  return ta_strdup(r->ctx, s);
}

static bool get_bool(rd *r, const json_t *v, const char *key, bool *out) {
  if (!want_type(r, v, key, JSON_TRUE, "true or false"))
    return false;
  *out = json_is_true(v);
  return true;
}

/* An integer in [lo, hi]. */
static bool get_int(rd *r, const json_t *v, const char *key, int64_t lo, int64_t hi, int64_t *out) {
  if (!want_type(r, v, key, JSON_INTEGER, "an integer"))
    return false;
  json_int_t x = json_integer_value(v);
  if (x < lo || x > hi) {
    if (lo == 1 && x < 1)
      fail(r, TA_ERR_MALFORMED, key, "must be positive, found %lld", (long long)x);
    else
      fail(r, TA_ERR_MALFORMED, key, "%lld out of range [%lld, %lld]", (long long)x, (long long)lo,
           (long long)hi);
    return false;
  }
  *out = x;
  return true;
}

/* A number (integer or not) >= lo, and > lo unless zero_ok. */
static bool get_number(rd *r, const json_t *v, const char *key, bool zero_ok, double *out) {
  if (!json_is_number(v)) {
    fail(r, TA_ERR_MALFORMED, key, "expected a number, found %s", type_name(v));
    return false;
  }
  double x = json_number_value(v);
  if (!(x > 0.0 || (zero_ok && x == 0.0))) {
    fail(r, TA_ERR_MALFORMED, key,
         zero_ok ? "must not be negative, found %g" : "must be positive, found %g", x);
    return false;
  }
  *out = x;
  return true;
}

/* A list of up to MAX_LIST strings; *n set, NULL when not a list (reported). An entry that is
 * not a string is reported and left NULL, so the others are still checked. */
static const char **get_strings(rd *r, const json_t *v, const char *key, int32_t *n) {
  *n = 0;
  if (!want_type(r, v, key, JSON_ARRAY, "a list of strings"))
    return NULL;
  size_t count = json_array_size(v);
  if (count > MAX_LIST) {
    fail(r, TA_ERR_MALFORMED, key, "%zu entries, at most %d allowed", count, MAX_LIST);
    return NULL;
  }
  const char **out = ta_new_array(r->ctx, count ? count : 1, sizeof *out);
  if (!out) {
    keep(r, TA_ERR_LIMIT);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    char k[600];
    snprintf(k, sizeof k, "%s[%zu]", key, i);
    out[i] = get_string(r, json_array_get(v, i), k);
  }
  *n = (int32_t)count;
  return out;
}

/* ---- ${VAR} expansion and paths ---- */

static const char *var_lookup(const rd *r, const char *name) {
  const ta_backend_desc_options *o = r->opt;
  if (!o)
    return NULL;
  for (int32_t i = o->n_vars - 1; i >= 0; i--)
    if (o->vars[i].key && strcmp(o->vars[i].key, name) == 0)
      return o->vars[i].value ? o->vars[i].value : "";
  return o->getenv_fn ? o->getenv_fn(name) : NULL;
}

/* s with every ${NAME} replaced; NULL after reporting an undefined variable or a bad ${. */
static const char *expand(rd *r, const char *s, const char *key) {
  ta_buf b;
  ta_buf_init(&b, r->ctx);
  bool ok = true;
  for (const char *p = s; *p;) {
    if (p[0] != '$' || p[1] != '{') {
      ta_buf_append(&b, p++, 1);
      continue;
    }
    const char *end = strchr(p + 2, '}');
    char name[MAX_NAME_LEN + 1];
    size_t len = end ? (size_t)(end - (p + 2)) : 0;
    if (end && len <= MAX_NAME_LEN) {
      memcpy(name, p + 2, len);
      name[len] = 0;
    }
    if (!end || len > MAX_NAME_LEN || !is_ident(name, false)) {
      char t[4 * MAX_SHOWN_LEN + 8];
      fail(r, TA_ERR_MALFORMED, key, "\"%s\": \"${\" must be followed by a variable name and \"}\"",
           shown(t, sizeof t, s));
      ok = false;
      break;
    }
    const char *value = var_lookup(r, name);
    if (!value) {
      fail(r, TA_ERR_USAGE, key,
           "variable %s is not set (give --backend-var %s=VALUE or set it in the environment)",
           name, name);
      ok = false;
      break;
    }
    ta_buf_puts(&b, value);
    p = end + 1;
  }
  char *out = NULL;
  if (ok && b.ok)
    out = ta_strndup(r->ctx, b.data ? b.data : "", b.len);
  if (!b.ok || (ok && !out))
    keep(r, TA_ERR_LIMIT);
  ta_buf_free(&b);
  return out;
}

/* Expand, resolve from the description's folder and, unless disabled, check the path is a
 * regular file (want_dir false) or a folder (true). */
static const char *resolve_path(rd *r, const char *s, const char *key, bool want_dir) {
  const char *x = expand(r, s, key);
  if (!x)
    return NULL;
  if (!x[0]) {
    fail(r, TA_ERR_MALFORMED, key, "empty path");
    return NULL;
  }
  const char *full = x[0] == '/' ? x : ta_fmt(r->ctx, "%s/%s", r->d->dir, x);
  if (!full) {
    keep(r, TA_ERR_LIMIT);
    return NULL;
  }
  if (r->opt && r->opt->no_file_checks)
    return full;
  struct stat sb;
  const char *problem = NULL;
  if (stat(full, &sb) != 0)
    problem = strerror(errno);
  else if (want_dir && !S_ISDIR(sb.st_mode))
    problem = "not a folder";
  else if (!want_dir && !S_ISREG(sb.st_mode))
    problem = "not a regular file";
  if (problem) {
    char t1[4 * MAX_SHOWN_LEN + 8], t2[4 * MAX_SHOWN_LEN + 8];
    if (strcmp(s, full) == 0)
      fail(r, TA_ERR_IO, key, "\"%s\": %s", shown(t1, sizeof t1, s), problem);
    else
      fail(r, TA_ERR_IO, key, "\"%s\" (%s): %s", shown(t1, sizeof t1, s),
           shown(t2, sizeof t2, full), problem);
    return NULL;
  }
  return full;
}

static const char *const *get_paths(rd *r, const json_t *v, const char *key, bool dirs,
                                    int32_t *n) {
  const char **list = get_strings(r, v, key, n);
  if (!list)
    return NULL;
  for (int32_t i = 0; i < *n; i++) {
    char k[600];
    snprintf(k, sizeof k, "%s[%d]", key, (int)i);
    if (list[i])
      list[i] = resolve_path(r, list[i], k, dirs);
  }
  return list;
}

/* ---- constraints ---- */

static const char *const k_intset[] = {"min", "max", NULL};

/* An integer (exactly that), a list of integers (one of them) or {"min": A, "max": B}; every
 * value >= 1. */
static void get_intset(rd *r, const json_t *v, const char *key, ta_backend_intset *out) {
  const int64_t hi = INT32_MAX;
  if (json_is_integer(v)) {
    int64_t x;
    int32_t *vals = ta_new(r->ctx, sizeof *vals);
    if (!vals) {
      keep(r, TA_ERR_LIMIT);
      return;
    }
    if (!get_int(r, v, key, 1, hi, &x))
      return;
    vals[0] = (int32_t)x;
    *out = (ta_backend_intset){.set = true, .n_values = 1, .values = vals};
    return;
  }
  if (json_is_array(v)) {
    size_t n = json_array_size(v);
    if (n == 0 || n > MAX_LIST) {
      fail(r, TA_ERR_MALFORMED, key, "a list of 1 to %d integers expected, found %zu entries",
           MAX_LIST, n);
      return;
    }
    int32_t *vals = ta_new_array(r->ctx, n, sizeof *vals);
    if (!vals) {
      keep(r, TA_ERR_LIMIT);
      return;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
      char k[600];
      int64_t x = 0;
      snprintf(k, sizeof k, "%s[%zu]", key, i);
      ok = get_int(r, json_array_get(v, i), k, 1, hi, &x) && ok;
      vals[i] = (int32_t)x;
    }
    if (ok)
      *out = (ta_backend_intset){.set = true, .n_values = (int32_t)n, .values = vals};
    return;
  }
  if (json_is_object(v)) {
    check_keys(r, v, key, k_intset);
    int64_t lo = 1, up = hi;
    bool ok = true;
    const json_t *a = json_object_get(v, "min"), *b = json_object_get(v, "max");
    char k[600];
    if (!a && !b) {
      fail(r, TA_ERR_MALFORMED, key, "a range needs \"min\", \"max\" or both");
      return;
    }
    if (a) {
      snprintf(k, sizeof k, "%s.min", key);
      ok = get_int(r, a, k, 1, hi, &lo) && ok;
    }
    if (b) {
      snprintf(k, sizeof k, "%s.max", key);
      ok = get_int(r, b, k, 1, hi, &up) && ok;
    }
    if (ok && lo > up) {
      fail(r, TA_ERR_MALFORMED, key, "min %lld above max %lld", (long long)lo, (long long)up);
      ok = false;
    }
    if (ok)
      *out = (ta_backend_intset){.set = true, .min = lo, .max = up};
    return;
  }
  fail(r, TA_ERR_MALFORMED, key,
       "expected an integer, a list of integers or {\"min\": N, \"max\": M}, found %s",
       type_name(v));
}

static const char *const k_constraints[] = {"dtypes",
                                            "activations",
                                            "kernel",
                                            "stride",
                                            "dilation",
                                            "depth_multiplier",
                                            "batch",
                                            "input_channels_multiple",
                                            "output_channels_multiple",
                                            "max_tensor_bytes",
                                            "weights",
                                            "weights_symmetric",
                                            "broadcast",
                                            "count_include_pad",
                                            NULL};

static bool is_spatial(ta_op_kind k) {
  return k == TA_OP_CONV_2D || k == TA_OP_DEPTHWISE_CONV_2D || k == TA_OP_AVERAGE_POOL_2D ||
         k == TA_OP_MAX_POOL_2D;
}
static bool has_weights(ta_op_kind k) {
  return k == TA_OP_CONV_2D || k == TA_OP_DEPTHWISE_CONV_2D || k == TA_OP_FULLY_CONNECTED;
}
static bool is_binary(ta_op_kind k) {
  return k == TA_OP_ADD || k == TA_OP_MUL || k == TA_OP_SUB || k == TA_OP_DIV;
}

/* A constraint given for an operator it cannot apply to is a mistake worth a message. */
static bool applies(rd *r, ta_op_kind kind, const char *name, const char *key) {
  const char *only = NULL;
  if (!strcmp(name, "kernel") || !strcmp(name, "stride") || !strcmp(name, "dilation"))
    only = is_spatial(kind) ? NULL : "CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D";
  else if (!strcmp(name, "depth_multiplier"))
    only = kind == TA_OP_DEPTHWISE_CONV_2D ? NULL : "DEPTHWISE_CONV_2D";
  else if (!strcmp(name, "weights") || !strcmp(name, "weights_symmetric"))
    only = has_weights(kind) ? NULL : "CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED";
  else if (!strcmp(name, "broadcast"))
    only = is_binary(kind) ? NULL : "ADD, MUL, SUB and DIV";
  else if (!strcmp(name, "count_include_pad"))
    only = kind == TA_OP_AVERAGE_POOL_2D ? NULL : "AVERAGE_POOL_2D";
  if (only)
    fail(r, TA_ERR_MALFORMED, key, "does not apply to %s (only to %s)", ta_op_kind_name(kind),
         only);
  return only == NULL;
}

/* A non-empty list of names from a table; the bit of each index found is set in *mask. */
static void get_name_set(rd *r, const json_t *v, const char *key, const char *what,
                         const char *const *names, int n_names, uint32_t *mask) {
  if (!want_type(r, v, key, JSON_ARRAY, "a list of strings"))
    return;
  size_t n = json_array_size(v);
  if (n == 0) {
    fail(r, TA_ERR_MALFORMED, key, "empty list (leave the key out to accept every %s)", what);
    return;
  }
  uint32_t m = 0;
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    char k[600];
    snprintf(k, sizeof k, "%s[%zu]", key, i);
    const json_t *e = json_array_get(v, i);
    if (!want_type(r, e, k, JSON_STRING, "a string")) {
      ok = false;
      continue;
    }
    int found = -1;
    for (int j = 0; j < n_names && found < 0; j++)
      if (names[j] && !strcmp(names[j], json_string_value(e)))
        found = j;
    if (found < 0) {
      char list[512] = "", t[4 * MAX_SHOWN_LEN + 8];
      size_t o = 0;
      for (int j = 0; j < n_names && o < sizeof list; j++)
        if (names[j])
          o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", names[j]);
      fail(r, TA_ERR_MALFORMED, k, "unknown %s \"%s\"; known: %s", what,
           shown(t, sizeof t, json_string_value(e)), list);
      ok = false;
      continue;
    }
    m |= 1u << found;
  }
  if (ok)
    *mask = m;
}

/* Activations as the format spells them, indexed by ta_act. */
static const char *const act_names[] = {"none", "relu", "relu_n1_to_1", "relu6"};

static void read_constraints(rd *r, const json_t *c, const char *key, ta_backend_op *o) {
  if (!want_type(r, c, key, JSON_OBJECT, "an object"))
    return;
  check_keys(r, c, key, k_constraints);
  /* dtypes as ta_dtype_name spells them, indexed by ta_dtype ("unknown" is not one). */
  const char *dt[TA_DT_F64 + 1];
  for (int i = 0; i <= TA_DT_F64; i++)
    dt[i] = i == TA_DT_UNKNOWN ? NULL : ta_dtype_name((ta_dtype)i);
  for (const char *const *name = k_constraints; *name; name++) {
    const json_t *v = json_object_get(c, *name);
    if (!v)
      continue;
    char k[600];
    key_join(k, sizeof k, key, *name);
    if (!applies(r, o->kind, *name, k))
      continue;
    int64_t x;
    const char *n = *name;
    if (!strcmp(n, "dtypes"))
      get_name_set(r, v, k, "dtype", dt, TA_DT_F64 + 1, &o->dtypes);
    else if (!strcmp(n, "activations"))
      get_name_set(r, v, k, "activation", act_names, (int)TA_ARRAY_LEN(act_names), &o->activations);
    else if (!strcmp(n, "kernel"))
      get_intset(r, v, k, &o->kernel);
    else if (!strcmp(n, "stride"))
      get_intset(r, v, k, &o->stride);
    else if (!strcmp(n, "dilation"))
      get_intset(r, v, k, &o->dilation);
    else if (!strcmp(n, "depth_multiplier"))
      get_intset(r, v, k, &o->depth_multiplier);
    else if (!strcmp(n, "batch"))
      get_intset(r, v, k, &o->batch);
    else if (!strcmp(n, "input_channels_multiple") && get_int(r, v, k, 1, INT32_MAX, &x))
      o->input_channels_multiple = (int32_t)x;
    else if (!strcmp(n, "output_channels_multiple") && get_int(r, v, k, 1, INT32_MAX, &x))
      o->output_channels_multiple = (int32_t)x;
    else if (!strcmp(n, "max_tensor_bytes") && get_int(r, v, k, 1, INT64_MAX, &x))
      o->max_tensor_bytes = (uint64_t)x;
    else if (!strcmp(n, "weights")) {
      const char *s = get_string(r, v, k);
      char t[4 * MAX_SHOWN_LEN + 8];
      if (!s)
        continue;
      if (!strcmp(s, "any"))
        o->weights = TA_BACKEND_WEIGHTS_ANY;
      else if (!strcmp(s, "per-tensor"))
        o->weights = TA_BACKEND_WEIGHTS_PER_TENSOR;
      else if (!strcmp(s, "per-channel"))
        o->weights = TA_BACKEND_WEIGHTS_PER_CHANNEL;
      else
        fail(r, TA_ERR_MALFORMED, k,
             "unknown weight quantization \"%s\"; known: per-tensor, per-channel, any",
             shown(t, sizeof t, s));
    } else if (!strcmp(n, "weights_symmetric"))
      get_bool(r, v, k, &o->weights_symmetric);
    else if (!strcmp(n, "broadcast"))
      get_bool(r, v, k, &o->broadcast);
    else if (!strcmp(n, "count_include_pad"))
      get_bool(r, v, k, &o->count_include_pad);
  }
}

/* ---- operators ---- */

static const char *const k_op[] = {"function", "convention",  "wraps",
                                   "scratch",  "constraints", NULL};

static void read_op(rd *r, ta_op_kind kind, const json_t *v, const char *key) {
  if (!want_type(r, v, key, JSON_OBJECT, "an object"))
    return;
  check_keys(r, v, key, k_op);
  ta_backend_op *o = ta_new(r->ctx, sizeof *o);
  if (!o) {
    keep(r, TA_ERR_LIMIT);
    return;
  }
  o->kind = kind;
  o->broadcast = true;
  o->count_include_pad = true;
  bool ok = true;
  char k[600], t[4 * MAX_SHOWN_LEN + 8];
  const json_t *f = json_object_get(v, "function");
  key_join(k, sizeof k, key, "function");
  if (!f) {
    fail(r, TA_ERR_MALFORMED, key, "\"function\" is missing (the C function to call)");
    ok = false;
  } else if ((o->function = get_string(r, f, k)) == NULL) {
    ok = false;
  } else if (!is_ident(o->function, false)) {
    fail(r, TA_ERR_MALFORMED, k, "\"%s\" is not a C identifier", shown(t, sizeof t, o->function));
    ok = false;
  }
  const json_t *c = json_object_get(v, "convention");
  key_join(k, sizeof k, key, "convention");
  const char *conv = c ? get_string(r, c, k) : "tinyaot";
  if (!conv)
    ok = false;
  else if (!strcmp(conv, "adapter"))
    o->convention = TA_BACKEND_CALL_ADAPTER;
  else if (strcmp(conv, "tinyaot") != 0) {
    fail(r, TA_ERR_MALFORMED, k, "unknown convention \"%s\"; known: tinyaot, adapter",
         shown(t, sizeof t, conv));
    ok = false;
  }
  const json_t *w = json_object_get(v, "wraps");
  key_join(k, sizeof k, key, "wraps");
  if (w && conv && o->convention != TA_BACKEND_CALL_ADAPTER) {
    fail(r, TA_ERR_MALFORMED, k,
         "only an adapter wraps a function (set \"convention\": "
         "\"adapter\")");
    ok = false;
  } else if (w && (o->wraps = get_string(r, w, k)) == NULL) {
    ok = false;
  } else if (o->wraps && !is_ident(o->wraps, false)) {
    fail(r, TA_ERR_MALFORMED, k, "\"%s\" is not a C identifier", shown(t, sizeof t, o->wraps));
    ok = false;
  }
  /* Checked on made-up dimensions, so a typo is reported when the file is read, not when a
   * model happens to use the operator. */
  const json_t *sc = json_object_get(v, "scratch");
  key_join(k, sizeof k, key, "scratch");
  if (sc && (o->scratch = get_string(r, sc, k)) == NULL) {
    ok = false;
  } else if (o->scratch) {
    const ta_backend_dims dims = {1, 8, 8, 8, 8, 8, 8, 3, 3};
    int64_t bytes;
    char why[256];
    if (!ta_backend_scratch_eval(o->scratch, &dims, &bytes, why, sizeof why)) {
      fail(r, TA_ERR_MALFORMED, k, "%s in \"%s\"", why, shown(t, sizeof t, o->scratch));
      ok = false;
    }
  }
  const json_t *cons = json_object_get(v, "constraints");
  if (cons) {
    key_join(k, sizeof k, key, "constraints");
    ta_status before = r->st;
    int errors = r->ctx->n_errors;
    read_constraints(r, cons, k, o);
    ok = ok && r->ctx->n_errors == errors && r->st == before;
  }
  if (ok) {
    r->d->ops[kind] = o;
    r->d->n_ops++;
  }
}

static void read_ops(rd *r, const json_t *v) {
  if (!want_type(r, v, "ops", JSON_OBJECT, "an object (operator name -> entry)"))
    return;
  if (json_object_size(v) == 0) {
    fail(r, TA_ERR_MALFORMED, "ops", "no operator declared");
    return;
  }
  const char *name;
  json_t *e;
  json_object_foreach((json_t *)v, name, e) {
    char key[600];
    key_join(key, sizeof key, "ops", name);
    int found = -1;
    /* UNSUPPORTED is inspect's placeholder, not an operator a backend can take. */
    for (int k = 0; k < TA_OP_COUNT && found < 0; k++)
      if (k != TA_OP_UNSUPPORTED && !strcmp(ta_op_kind_name((ta_op_kind)k), name))
        found = k;
    if (found < 0) {
      char list[1024] = "", t[4 * MAX_SHOWN_LEN + 8];
      size_t o = 0;
      for (int k = 0; k < TA_OP_COUNT && o < sizeof list; k++)
        if (k != TA_OP_UNSUPPORTED)
          o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "",
                                ta_op_kind_name((ta_op_kind)k));
      fail(r, TA_ERR_MALFORMED, key, "unknown operator \"%s\"; tinyaot's operators: %s",
           shown(t, sizeof t, name), list);
      continue;
    }
    read_op(r, (ta_op_kind)found, e, key);
  }
}

/* ---- the rest of the top level ---- */

static const char *const k_pool[] = {"name", "bytes", "alignment", "weights", NULL};
static const char *const k_cost[] = {"macs_per_cycle", "bytes_per_cycle", "setup_cycles", NULL};
static const char *const k_top[] = {"name",    "description",  "version",   "ops",
                                    "sources", "include_dirs", "cflags",    "memory_pool",
                                    "cost",    "targets",      "subgraphs", NULL};

static void read_pool(rd *r, const json_t *v) {
  if (!want_type(r, v, "memory_pool", JSON_OBJECT, "an object"))
    return;
  check_keys(r, v, "memory_pool", k_pool);
  ta_backend_pool p = {.alignment = 16};
  bool ok = true;
  const json_t *n = json_object_get(v, "name"), *b = json_object_get(v, "bytes"),
               *a = json_object_get(v, "alignment"), *w = json_object_get(v, "weights");
  char t[4 * MAX_SHOWN_LEN + 8];
  if (!n || !b) {
    fail(r, TA_ERR_MALFORMED, "memory_pool", "\"%s\" is missing", !n ? "name" : "bytes");
    ok = false;
  }
  if (n && (p.name = get_string(r, n, "memory_pool.name")) == NULL)
    ok = false;
  else if (p.name && !is_ident(p.name, false)) {
    fail(r, TA_ERR_MALFORMED, "memory_pool.name", "\"%s\" is not a C identifier",
         shown(t, sizeof t, p.name));
    ok = false;
  }
  int64_t x;
  if (b) {
    if (get_int(r, b, "memory_pool.bytes", 1, INT64_MAX, &x))
      p.bytes = (uint64_t)x;
    else
      ok = false;
  }
  if (a) {
    x = 0;
    if (!get_int(r, a, "memory_pool.alignment", 1, 65536, &x)) {
      ok = false;
    } else if ((x & (x - 1)) != 0) {
      fail(r, TA_ERR_MALFORMED, "memory_pool.alignment", "%lld is not a power of two",
           (long long)x);
      ok = false;
    } else {
      p.alignment = (uint32_t)x;
    }
  }
  if (w) {
    const char *ws = get_string(r, w, "memory_pool.weights");
    if (!ws) {
      ok = false;
    } else if (strcmp(ws, "pool") == 0 || strcmp(ws, "flash") == 0) {
      p.weights_in_pool = strcmp(ws, "pool") == 0;
    } else {
      fail(r, TA_ERR_MALFORMED, "memory_pool.weights", "\"%s\" is neither \"pool\" nor \"flash\"",
           shown(t, sizeof t, ws));
      ok = false;
    }
  }
  if (ok) {
    r->d->has_pool = true;
    r->d->pool = p;
  }
}

static void read_cost(rd *r, const json_t *v) {
  if (!want_type(r, v, "cost", JSON_OBJECT, "an object"))
    return;
  check_keys(r, v, "cost", k_cost);
  ta_backend_cost c = {0};
  bool ok = true;
  double *fields[] = {&c.macs_per_cycle, &c.bytes_per_cycle, &c.setup_cycles};
  for (int i = 0; i < 3; i++) {
    const json_t *f = json_object_get(v, k_cost[i]);
    char k[64];
    snprintf(k, sizeof k, "cost.%s", k_cost[i]);
    if (!f) {
      fail(r, TA_ERR_MALFORMED, "cost", "\"%s\" is missing", k_cost[i]);
      ok = false;
    } else if (!get_number(r, f, k, i == 2, fields[i]))
      ok = false;
  }
  if (ok) {
    r->d->has_cost = true;
    r->d->cost = c;
  }
}

static void read_top(rd *r, const json_t *root) {
  ta_backend_desc *d = r->d;
  char t[4 * MAX_SHOWN_LEN + 8];
  check_keys(r, root, "", k_top);
  const json_t *v;
  if ((v = json_object_get(root, "version")) != NULL) {
    int64_t x;
    if (get_int(r, v, "version", INT64_MIN, INT64_MAX, &x) && x != 1)
      fail(r, TA_ERR_UNSUPPORTED, "version", "%lld is not supported (this tinyaot reads 1)",
           (long long)x);
  }
  if ((v = json_object_get(root, "name")) == NULL)
    fail(r, TA_ERR_MALFORMED, NULL, "\"name\" is missing (the backend's name)");
  else if ((d->name = get_string(r, v, "name")) != NULL && !is_ident(d->name, true))
    fail(r, TA_ERR_MALFORMED, "name", "\"%s\": use letters, digits, '_' and '-' (at most %d)",
         shown(t, sizeof t, d->name), MAX_NAME_LEN);
  if ((v = json_object_get(root, "description")) != NULL)
    d->summary = get_string(r, v, "description");
  if ((v = json_object_get(root, "ops")) == NULL)
    fail(r, TA_ERR_MALFORMED, NULL, "\"ops\" is missing (the operators the backend takes)");
  else
    read_ops(r, v);
  if ((v = json_object_get(root, "sources")) != NULL)
    d->sources = get_paths(r, v, "sources", false, &d->n_sources);
  if ((v = json_object_get(root, "include_dirs")) != NULL)
    d->include_dirs = get_paths(r, v, "include_dirs", true, &d->n_include_dirs);
  if ((v = json_object_get(root, "cflags")) != NULL) {
    const char **flags = get_strings(r, v, "cflags", &d->n_cflags);
    for (int32_t i = 0; flags && i < d->n_cflags; i++) {
      char k[64];
      snprintf(k, sizeof k, "cflags[%d]", (int)i);
      if (flags[i])
        flags[i] = expand(r, flags[i], k);
    }
    d->cflags = flags;
  }
  if ((v = json_object_get(root, "memory_pool")) != NULL)
    read_pool(r, v);
  if ((v = json_object_get(root, "cost")) != NULL)
    read_cost(r, v);
  if ((v = json_object_get(root, "targets")) != NULL) {
    const char **list = get_strings(r, v, "targets", &d->n_targets);
    for (int32_t i = 0; list && i < d->n_targets; i++)
      if (list[i] && !list[i][0])
        fail(r, TA_ERR_MALFORMED, "targets", "empty target pattern");
    if (list && d->n_targets == 0)
      fail(r, TA_ERR_MALFORMED, "targets", "empty list (leave the key out for every target)");
    d->targets = list;
  }
  if ((v = json_object_get(root, "subgraphs")) != NULL)
    get_bool(r, v, "subgraphs", &d->subgraphs);
}

ta_status ta_backend_desc_read(ta_ctx *ctx, const char *path, const char *text, size_t len,
                               const ta_backend_desc_options *opt, ta_backend_desc **out) {
  *out = NULL;
  rd r = {.ctx = ctx, .file = path ? path : "<backend>", .opt = opt};
  /* Messages carry the description's name, not the model's the context may name. */
  const char *saved_file = ctx->file;
  ctx->file = NULL;
  r.d = ta_new(ctx, sizeof *r.d);
  if (!r.d) {
    ctx->file = saved_file;
    return TA_ERR_LIMIT;
  }
  r.d->path = ta_strdup(ctx, r.file);
  const char *slash = path ? strrchr(path, '/') : NULL;
  r.d->dir = !slash ? "." : slash == path ? "/" : ta_strndup(ctx, path, (size_t)(slash - path));
  if (!r.d->path || !r.d->dir) {
    ctx->file = saved_file;
    return TA_ERR_LIMIT;
  }
  json_error_t err;
  json_t *root = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &err);
  if (!root) {
    char t[4 * sizeof err.text];
    ta_report(ctx, TA_ERROR, "%s:%d:%d: syntax error: %s", r.file, err.line, err.column,
              shown(t, sizeof t, err.text));
    ctx->file = saved_file;
    return TA_ERR_MALFORMED;
  }
  if (!json_is_object(root))
    fail(&r, TA_ERR_MALFORMED, NULL, "expected an object at the top level, found %s",
         type_name(root));
  else
    read_top(&r, root);
  json_decref(root);
  ctx->file = saved_file;
  if (r.st == TA_OK && ctx->oom)
    r.st = TA_ERR_LIMIT;
  if (r.st != TA_OK)
    return r.st;
  *out = r.d;
  return TA_OK;
}

ta_status ta_backend_desc_load(ta_ctx *ctx, const char *path, const ta_backend_desc_options *opt,
                               ta_backend_desc **out) {
  *out = NULL;
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, path, &data, &len);
  if (st != TA_OK)
    return st;
  return ta_backend_desc_read(ctx, path, (const char *)data, len, opt, out);
}

ta_status ta_backend_var_parse(ta_ctx *ctx, const char *arg, ta_backend_var *var) {
  const char *eq = strchr(arg, '=');
  char name[MAX_NAME_LEN + 1] = "";
  size_t n = eq ? (size_t)(eq - arg) : 0;
  if (eq && n <= MAX_NAME_LEN) {
    memcpy(name, arg, n);
    name[n] = 0;
  }
  if (!eq || n > MAX_NAME_LEN || !is_ident(name, false)) {
    char t[4 * MAX_SHOWN_LEN + 8];
    return ta_err(ctx, TA_ERR_USAGE,
                  "--backend-var \"%s\": expected KEY=VALUE, KEY a variable name "
                  "([A-Za-z_][A-Za-z0-9_]*, at most %d characters)",
                  shown(t, sizeof t, arg), MAX_NAME_LEN);
  }
  const char *key = ta_strdup(ctx, name);
  if (!key)
    return TA_ERR_LIMIT;
  var->key = key;
  var->value = eq + 1;
  return TA_OK;
}
