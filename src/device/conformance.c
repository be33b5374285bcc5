/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conformance.c: an ONNX backend test's data sets through the generated C on the host.
 * Every model input is bound to the data set's value (the tests pass weights, shapes and axes
 * as inputs, which operators need at compile time), the model is built against the runtime
 * kernels compiled once for the whole run, and each output is compared with the expected one
 * under the tolerance of ONNX's backend tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_measure.h"

#define MAX_IO 64

/* Compare got (the generated code's output k) with want; a message into why on mismatch. */
static bool compare(const ta_tensor *t, int32_t k, const uint8_t *got, size_t got_len,
                    const ta_onnx_tensor *want, bool loose, char *why, size_t cap) {
  const double rtol = loose ? 1e-3 : 1e-4, atol = loose ? 1e-7 : 1e-5;
  size_t elems = 0;
  ta_tensor_elems(t, &elems);
  if (t->dtype != want->dtype) {
    snprintf(why, cap, "output %d \"%s\" is %s, expected %s", k, t->name, ta_dtype_name(t->dtype),
             ta_dtype_name(want->dtype));
    return false;
  }
  size_t want_elems = 1;
  for (int32_t d = 0; d < want->rank; d++)
    want_elems *= (size_t)want->dims[d];
  if (want_elems != elems || got_len != want->bytes) {
    snprintf(why, cap, "output %d \"%s\" has %zu elements (%zu bytes), expected %zu (%zu bytes)", k,
             t->name, elems, got_len, want_elems, want->bytes);
    return false;
  }
  const ta_device_tol tol = {atol, rtol, false, true, true};
  ta_device_cmp c;
  if (ta_device_compare(t->dtype, want->data, got, got_len, &tol, &c))
    return true;
  if (t->dtype != TA_DT_F32) {
    snprintf(why, cap,
             "output %d \"%s\" element %zu: got %.17g, expected %.17g (integers "
             "must match exactly)",
             k, t->name, c.bad_elem, c.got, c.want);
    return false;
  }
  snprintf(why, cap, "output %d \"%s\" element %zu: got %.9g, expected %.9g (rtol %g, atol %g)", k,
           t->name, c.bad_elem, c.got, c.want, rtol, atol);
  return false;
}

/* One data set (see ta_device_conformance_test). */
static ta_conformance_result run_set(ta_conformance *c, ta_ctx *ctx, const char *model_path,
                                     const uint8_t *model, size_t len, const char *set_dir,
                                     bool loose, char *reason, size_t cap) {
  ta_onnx_tensor in[MAX_IO], out[MAX_IO];
  int32_t n_in, n_out;
  reason[0] = '\0';
  ta_status rs = ta_onnx_read_tensor_files(ctx, set_dir, "input", MAX_IO, in, &n_in);
  if (rs == TA_OK)
    rs = ta_onnx_read_tensor_files(ctx, set_dir, "output", MAX_IO, out, &n_out);
  if (rs != TA_OK) {
    /* Relative, so that the expected lists of tests/onnx/expected hold no machine's paths. */
    const char *set_name = strrchr(set_dir, '/') ? strrchr(set_dir, '/') + 1 : set_dir;
    /* Test data that does not parse, or cannot be read, is a failure: a broken reader must not
     * pass for an unsupported model. A valid file tinyaot cannot hold (a string tensor, more
     * dimensions than TA_MAX_RANK; a SequenceProto or OptionalProto read as a TensorProto
     * exceeds the limits) belongs to a model that is unsupported: let the frontend say why. */
    if (rs != TA_ERR_UNSUPPORTED && (rs != TA_ERR_LIMIT || ctx->oom)) {
      snprintf(reason, cap, "the test data in %s does not parse (%s)", set_name,
               rs == TA_ERR_MALFORMED ? "malformed TensorProto" : "cannot be read");
      return TA_CONFORMANCE_FAIL;
    }
    ta_graph *g;
    ctx->file = model_path;
    const int before = ctx->n_errors;
    if (ta_onnx_read(ctx, model, len, NULL, &g) != TA_OK && ctx->n_errors > before)
      return TA_CONFORMANCE_UNSUPPORTED;
    snprintf(reason, cap, "the test data in %s is not made of tensors tinyaot supports", set_name);
    return TA_CONFORMANCE_UNSUPPORTED;
  }
  const char **names;
  int32_t n_names;
  if (ta_onnx_input_names(ctx, model, len, &names, &n_names) != TA_OK)
    return TA_CONFORMANCE_FAIL;
  if (n_names != n_in) {
    snprintf(reason, cap, "the model has %d inputs, the data set %d", n_names, n_in);
    return TA_CONFORMANCE_FAIL;
  }
  for (int32_t k = 0; k < n_in; k++)
    in[k].name = names[k];
  /* Every input bound to the data set's value (and shape). */
  ta_compile_options copt = c->copt;
  copt.bind = in;
  copt.n_bind = n_in;
  ta_model m;
  ta_status st = ta_compile_bytes(ctx, model_path, model, len, &copt, &m);
  if (st == TA_ERR_UNSUPPORTED)
    return TA_CONFORMANCE_UNSUPPORTED;
  if (st != TA_OK)
    return TA_CONFORMANCE_FAIL;
  ta_fileset fs;
  ta_cgen_options co = {"m", model_path};
  if (ta_cgen_emit(m.g, m.calls, &m.plan, &co, &fs) != TA_OK)
    return TA_CONFORMANCE_FAIL;
  if (m.g->n_outputs != n_out) {
    snprintf(reason, cap, "the model computes %d outputs, the data set has %d", m.g->n_outputs,
             n_out);
    return TA_CONFORMANCE_FAIL;
  }
  if (!c->rt_ready && !c->rt_failed) {
    c->rt_failed = ta_host_runtime_build(c->ctx, c->dir, &c->rt) != TA_OK;
    c->rt_ready = !c->rt_failed;
  }
  if (!c->rt_ready) {
    snprintf(reason, cap, "the runtime kernels do not compile");
    return TA_CONFORMANCE_FAIL;
  }
  /* The data set's tensors, by name, as the runtime inputs. */
  char *dir = ta_fmt(ctx, "%s/t%d", c->dir, c->serial++);
  if (!dir || mkdir(dir, 0700) != 0)
    return TA_CONFORMANCE_FAIL;
  ta_conformance_result result = TA_CONFORMANCE_FAIL;
  const char *paths[MAX_IO];
  for (int32_t k = 0; k < m.g->n_inputs; k++) {
    const ta_tensor *t = &m.g->tensors[m.g->inputs[k]];
    const ta_onnx_tensor *src = NULL;
    for (int32_t j = 0; j < n_in && !src; j++)
      if (strcmp(in[j].name, t->name) == 0)
        src = &in[j];
    size_t bytes = 0;
    ta_tensor_bytes(t, &bytes);
    if (!src || src->bytes != bytes) {
      snprintf(reason, cap, "no test data of %zu bytes for input \"%s\"", bytes, t->name);
      goto done;
    }
    char *p = ta_fmt(ctx, "%s/in_%d.bin", dir, k);
    if (!p || ta_write_file(ctx, p, src->data, src->bytes) != TA_OK)
      goto done;
    paths[k] = p;
  }
  ta_host_run_options ro = {"m", paths, m.g->n_inputs, dir, c->keep, &c->rt};
  if (ta_host_run(m.g, &fs, &ro) != TA_OK)
    goto done;
  result = TA_CONFORMANCE_PASS;
  for (int32_t k = 0; k < m.g->n_outputs && result == TA_CONFORMANCE_PASS; k++) {
    uint8_t *got;
    size_t got_len;
    if (ta_read_file(ctx, ta_fmt(ctx, "%s/output_%d.bin", dir, k), &got, &got_len) != TA_OK ||
        !compare(&m.g->tensors[m.g->outputs[k]], k, got, got_len, &out[k], loose, reason, cap))
      result = TA_CONFORMANCE_FAIL;
  }
done:
  if (!c->keep)
    ta_remove_tree(dir);
  else if (c->kept)
    c->kept(c->user, dir);
  return result;
}

static bool is_data_set(const char *parent, const char *name) {
  (void)parent;
  return strncmp(name, "test_data_set_", 14) == 0;
}

ta_conformance_result ta_device_conformance_test(ta_conformance *c, ta_ctx *ctx, const char *dir,
                                                 bool loose, char *reason, size_t cap) {
  char *model_path = ta_fmt(ctx, "%s/model.onnx", dir);
  uint8_t *model = NULL;
  size_t len = 0;
  ta_conformance_result o = TA_CONFORMANCE_FAIL;
  int32_t n_sets = 0;
  char **sets = NULL;
  reason[0] = '\0';
  if (model_path && ta_read_file(ctx, model_path, &model, &len) == TA_OK)
    sets = ta_list_dir(ctx, dir, is_data_set, &n_sets);
  if (model && n_sets == 0)
    snprintf(reason, cap, "no test_data_set_* folder");
  for (int32_t i = 0; i < n_sets; i++) {
    char *set_dir = ta_fmt(ctx, "%s/%s", dir, sets[i]);
    o = set_dir ? run_set(c, ctx, model_path, model, len, set_dir, loose, reason, cap)
                : TA_CONFORMANCE_FAIL;
    if (o != TA_CONFORMANCE_PASS)
      break;
  }
  return o;
}

/* ---- a run over test folders: finding them, one folder's outcome with its messages ---- */

static bool exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

static bool is_test_dir(const char *parent, const char *name) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s/model.onnx", parent, name);
  return exists(p);
}

ta_conformance_dir *ta_device_conformance_list(ta_ctx *ctx, const char *dir, int32_t *n) {
  char p[4096];
  snprintf(p, sizeof p, "%s/model.onnx", dir);
  if (exists(p)) {
    ta_conformance_dir *one = ta_new(ctx, sizeof *one);
    *n = one ? 1 : 0;
    if (one)
      *one = (ta_conformance_dir){dir, dir};
    return one;
  }
  char **names = ta_list_dir(ctx, dir, is_test_dir, n);
  if (!names)
    return NULL;
  ta_conformance_dir *tests = ta_new_array(ctx, (size_t)*n + 1, sizeof *tests);
  for (int32_t i = 0; tests && i < *n; i++)
    tests[i] = (ta_conformance_dir){ta_fmt(ctx, "%s/%s", dir, names[i]), names[i]};
  return tests;
}

/* Collects a folder's messages, each "error: TEXT\n" (as many as fit). */
static void collect(void *user, ta_severity sev, const char *msg) {
  ta_conformance_outcome *o = user;
  const size_t n = strlen(msg);
  if (o->len + n + 16 >= sizeof o->messages)
    return;
  const char *tag = sev == TA_ERROR ? "error: " : sev == TA_WARNING ? "warning: " : "note: ";
  o->len += (size_t)snprintf(o->messages + o->len, sizeof o->messages - o->len, "%s%s\n", tag, msg);
}

/* The first error message, on one line, for the summary of an unsupported or failed test. */
static void first_error(const char *text, char *out, size_t cap) {
  /* An unsupported operator is the reason to give when there is one. */
  const char *e = strstr(text, ": operator ");
  while (e && e > text && e[-1] != '\n')
    e--;
  if (!e || strncmp(e, "error: ", 7) != 0)
    e = strstr(text, "error: ");
  out[0] = '\0';
  if (!e)
    return;
  e += 7;
  /* Skip "FILE: " (the path of model.onnx) to keep lines short. */
  const char *colon = strstr(e, "model.onnx: ");
  if (colon && colon - e < 4096)
    e = colon + 12;
  size_t n = strcspn(e, "\n");
  if (n >= cap)
    n = cap - 1;
  memcpy(out, e, n);
  out[n] = '\0';
}

void ta_device_conformance_run(ta_conformance *c, const char *dir, const char *const *loose,
                               int32_t n_loose, ta_conformance_outcome *out) {
  const char *base = strrchr(dir, '/');
  base = base && base[1] ? base + 1 : dir;
  memset(out, 0, sizeof *out);
  for (int32_t i = 0; i < n_loose; i++)
    if (strcmp(loose[i], base) == 0)
      out->loose = true;
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, collect, out);
  out->result =
      ta_device_conformance_test(c, &ctx, dir, out->loose, out->reason, sizeof out->reason);
  if (out->result != TA_CONFORMANCE_PASS && !out->reason[0])
    first_error(out->messages, out->reason, sizeof out->reason);
  ta_ctx_free(&ctx);
}

int32_t ta_device_conformance_dirs(ta_conformance *c, const char *const *dirs, int32_t n_dirs,
                                   const char *const *loose, int32_t n_loose,
                                   void (*each)(void *user, const char *label,
                                                const ta_conformance_outcome *o),
                                   void *user, int32_t counts[3]) {
  int32_t n_tests = 0;
  ta_conformance_outcome o;
  for (int32_t d = 0; d < n_dirs; d++) {
    int32_t n;
    const ta_conformance_dir *tests = ta_device_conformance_list(c->ctx, dirs[d], &n);
    if (!tests) {
      ta_err(c->ctx, TA_ERR_IO, "cannot read folder '%s': %s", dirs[d], strerror(errno));
      counts[TA_CONFORMANCE_FAIL]++;
      continue;
    }
    for (int32_t i = 0; i < n; i++) {
      if (!tests[i].path)
        continue;
      ta_device_conformance_run(c, tests[i].path, loose, n_loose, &o);
      counts[o.result]++;
      each(user, tests[i].label, &o);
    }
    n_tests += n;
  }
  return n_tests;
}
