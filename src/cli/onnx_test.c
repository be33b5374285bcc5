/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_test.c: `tinyaot onnx-test DIR...`: the ONNX backend conformance tests through the
 * generated C.
 *
 * A test folder holds model.onnx and test_data_set_N folders with input_K.pb and output_K.pb
 * (serialized TensorProtos). For each data set the model is compiled as `tinyaot compile`
 * would, with one difference: inputs that an operator needs at compile time (weights,
 * shapes, axes, quantization parameters; the tests pass even those as inputs) are fixed to
 * the data set's values, and the data set's shapes fill in dynamic dimensions. The generated
 * library is built with the host C compiler and run in a child process; every output is
 * compared with the expected one (float: |got - want| <= 1e-5 + 1e-4 * |want|, NaN matching
 * NaN; integers and bools exactly).
 *
 * Speed: the runtime kernels are compiled once per invocation and linked into every test;
 * only the model's own two files and the runner are compiled per test, at -O0.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_cli.h"

static const char help[] =
    "usage: tinyaot onnx-test [options] DIR...\n"
    "\n"
    "Run ONNX backend test folders (model.onnx + test_data_set_N/input_K.pb, output_K.pb)\n"
    "through the generated C: compile, build with the host C compiler, run, compare (float:\n"
    "rtol 1e-4, atol 1e-5; integers exactly). DIR is a test folder or a folder of them. Prints\n"
    "pass, FAIL or unsupported (with the reason) per test, then 'N passed, N failed,\n"
    "N unsupported'. Inputs an operator needs at compile time (weights, shapes, axes,\n"
    "quantization parameters) are fixed to the test's values. The host compiler is $CC\n"
    "(default cc), extra flags from $TA_HOST_CFLAGS. Test data that does not parse is a\n"
    "failure, not unsupported. Exit code 0 only when nothing failed.\n"
    "\n"
    "options:\n"
    "  -v, --verbose   print every message of failing and unsupported tests\n"
    "  --keep          keep the build directories (their path is printed)\n"
    "  --loose TEST    compare test folder TEST with the tolerance of ONNX's own backend\n"
    "                  tests (rtol 1e-3, atol 1e-7): for expected values written by hand with\n"
    "                  4 digits (repeatable)\n"
    "  -h, --help      this text\n"
    "compile options (an --input-shape comes before each data set's own "
    "shapes):\n" TA_CLI_COMPILE_OPTIONS_HELP;

#define MAX_IO 64

typedef struct msgs {
  char text[16384];
  size_t len;
  int n_errors;
} msgs;

static void sink(void *user, ta_severity sev, const char *msg) {
  msgs *m = user;
  if (sev == TA_ERROR)
    m->n_errors++;
  const size_t n = strlen(msg);
  if (m->len + n + 16 >= sizeof m->text)
    return;
  const char *tag = sev == TA_ERROR ? "error: " : sev == TA_WARNING ? "warning: " : "note: ";
  m->len += (size_t)snprintf(m->text + m->len, sizeof m->text - m->len, "%s%s\n", tag, msg);
}

typedef struct suite {
  ta_ctx *ctx;        /* lives for the whole run */
  char *dir;          /* private temporary directory */
  ta_host_runtime rt; /* the runtime kernels, compiled once */
  bool rt_ready, rt_failed;
  bool verbose, keep;
  const char *loose[64]; /* tests compared with ONNX's own backend tolerance */
  int32_t n_loose;
  bool cur_loose;          /* the test being run is one of them */
  ta_compile_options copt; /* --input-shape etc.; the data sets' shapes come after */
  int32_t n_pass, n_fail, n_unsupported, serial;
} suite;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of the entries of dir that satisfy want (NULL: all), in the arena. */
static char **list_dir(ta_ctx *ctx, const char *dir, bool (*want)(const char *, const char *),
                       int32_t *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return NULL;
  int32_t cap = 64;
  char **names = ta_new_array(ctx, (size_t)cap, sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d))) {
    if (e->d_name[0] == '.' || (want && !want(dir, e->d_name)))
      continue;
    if (*n == cap) {
      char **more = ta_new_array(ctx, (size_t)cap * 2, sizeof *more);
      if (!more)
        break;
      memcpy(more, names, (size_t)cap * sizeof *more);
      names = more;
      cap *= 2;
    }
    names[(*n)++] = ta_strdup(ctx, e->d_name);
  }
  closedir(d);
  if (names)
    qsort(names, (size_t)*n, sizeof *names, cmp_str);
  return names;
}

static bool exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

static bool is_test_dir(const char *parent, const char *name) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s/model.onnx", parent, name);
  return exists(p);
}

static bool is_data_set(const char *parent, const char *name) {
  (void)parent;
  return strncmp(name, "test_data_set_", 14) == 0;
}

static void put_float(char *buf, size_t cap, double v) {
  snprintf(buf, cap, "%.9g", v);
}

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
  char ga[40], wb[40];
  put_float(ga, sizeof ga, c.got);
  put_float(wb, sizeof wb, c.want);
  snprintf(why, cap, "output %d \"%s\" element %zu: got %s, expected %s (rtol %g, atol %g)", k,
           t->name, c.bad_elem, ga, wb, rtol, atol);
  return false;
}

typedef enum outcome { PASS, FAIL, UNSUPPORTED } outcome;

/* Read data set dir's input_K.pb (or output_K.pb) files into ts[]; *n of them. */
static ta_status read_pbs(ta_ctx *ctx, const char *dir, const char *kind, ta_onnx_tensor *ts,
                          int32_t *n) {
  *n = 0;
  for (int32_t k = 0; k < MAX_IO; k++) {
    char *p = ta_fmt(ctx, "%s/%s_%d.pb", dir, kind, k);
    if (!p)
      return TA_ERR_LIMIT;
    if (!exists(p))
      break;
    uint8_t *data;
    size_t len;
    ta_status st = ta_read_file(ctx, p, &data, &len);
    if (st == TA_OK)
      st = ta_onnx_read_tensor(ctx, data, len, &ts[k]);
    if (st != TA_OK)
      return st;
    *n = k + 1;
  }
  return TA_OK;
}

/* One data set of one test. *reason gets the first lines of the messages. */
static outcome run_set(suite *s, ta_ctx *ctx, const char *model_path, const uint8_t *model,
                       size_t model_len, const char *set_dir, char *reason, size_t cap) {
  ta_onnx_tensor in[MAX_IO], out[MAX_IO];
  int32_t n_in, n_out;
  reason[0] = '\0';
  ta_status rs = read_pbs(ctx, set_dir, "input", in, &n_in);
  if (rs == TA_OK)
    rs = read_pbs(ctx, set_dir, "output", out, &n_out);
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
      return FAIL;
    }
    ta_graph *g;
    ctx->file = model_path;
    const int before = ctx->n_errors;
    if (ta_onnx_read(ctx, model, model_len, NULL, &g) != TA_OK && ctx->n_errors > before)
      return UNSUPPORTED;
    snprintf(reason, cap, "the test data in %s is not made of tensors tinyaot supports", set_name);
    return UNSUPPORTED;
  }
  const char **names;
  int32_t n_names;
  if (ta_onnx_input_names(ctx, model, model_len, &names, &n_names) != TA_OK)
    return FAIL;
  if (n_names != n_in) {
    snprintf(reason, cap, "the model has %d inputs, the data set %d", n_names, n_in);
    return FAIL;
  }
  for (int32_t k = 0; k < n_in; k++)
    in[k].name = names[k];
  /* Every input bound to the data set's value (and shape). */
  ta_compile_options copt = s->copt;
  copt.bind = in;
  copt.n_bind = n_in;
  ta_model m;
  ta_status st = ta_compile_bytes(ctx, model_path, model, model_len, &copt, &m);
  if (st == TA_ERR_UNSUPPORTED)
    return UNSUPPORTED;
  if (st != TA_OK)
    return FAIL;
  ta_fileset fs;
  ta_cgen_options co = {"m", model_path};
  if (ta_cgen_emit(m.g, m.calls, &m.plan, &co, &fs) != TA_OK)
    return FAIL;
  if (m.g->n_outputs != n_out) {
    snprintf(reason, cap, "the model computes %d outputs, the data set has %d", m.g->n_outputs,
             n_out);
    return FAIL;
  }
  if (!s->rt_ready && !s->rt_failed) {
    s->rt_failed = ta_host_runtime_build(s->ctx, s->dir, &s->rt) != TA_OK;
    s->rt_ready = !s->rt_failed;
  }
  if (!s->rt_ready) {
    snprintf(reason, cap, "the runtime kernels do not compile");
    return FAIL;
  }
  /* The data set's tensors, by name, as the runtime inputs. */
  char *dir = ta_fmt(ctx, "%s/t%d", s->dir, s->serial++);
  if (!dir || mkdir(dir, 0700) != 0)
    return FAIL;
  outcome result = FAIL;
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
  ta_host_run_options ro = {"m", paths, m.g->n_inputs, dir, s->keep, &s->rt};
  if (ta_host_run(m.g, &fs, &ro) != TA_OK)
    goto done;
  result = PASS;
  for (int32_t k = 0; k < m.g->n_outputs && result == PASS; k++) {
    uint8_t *got;
    size_t got_len;
    if (ta_read_file(ctx, ta_fmt(ctx, "%s/output_%d.bin", dir, k), &got, &got_len) != TA_OK ||
        !compare(&m.g->tensors[m.g->outputs[k]], k, got, got_len, &out[k], s->cur_loose, reason,
                 cap))
      result = FAIL;
  }
done:
  if (s->keep)
    fprintf(stderr, "tinyaot onnx-test: kept %s\n", dir);
  else
    ta_remove_tree(dir);
  return result;
}

/* The first error message, on one line, for the summary of an unsupported or failed test. */
static void first_error(const msgs *m, char *out, size_t cap) {
  /* An unsupported operator is the reason to give when there is one. */
  const char *e = strstr(m->text, ": operator ");
  while (e && e > m->text && e[-1] != '\n')
    e--;
  if (!e || strncmp(e, "error: ", 7) != 0)
    e = strstr(m->text, "error: ");
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

static void run_test(suite *s, const char *dir, const char *label) {
  const char *base = strrchr(dir, '/');
  base = base && base[1] ? base + 1 : dir;
  s->cur_loose = false;
  for (int32_t i = 0; i < s->n_loose; i++)
    if (strcmp(s->loose[i], base) == 0)
      s->cur_loose = true;
  msgs ms;
  memset(&ms, 0, sizeof ms);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, sink, &ms);
  char *model_path = ta_fmt(&ctx, "%s/model.onnx", dir);
  uint8_t *model = NULL;
  size_t len = 0;
  char reason[4096] = "";
  outcome o = FAIL;
  int32_t n_sets = 0;
  char **sets = NULL;
  if (model_path && ta_read_file(&ctx, model_path, &model, &len) == TA_OK)
    sets = list_dir(&ctx, dir, is_data_set, &n_sets);
  if (model && n_sets == 0)
    snprintf(reason, sizeof reason, "no test_data_set_* folder");
  for (int32_t i = 0; i < n_sets; i++) {
    char *set_dir = ta_fmt(&ctx, "%s/%s", dir, sets[i]);
    o = set_dir ? run_set(s, &ctx, model_path, model, len, set_dir, reason, sizeof reason) : FAIL;
    if (o != PASS)
      break;
  }
  if (o != PASS && !reason[0])
    first_error(&ms, reason, sizeof reason);
  switch (o) {
  case PASS:
    s->n_pass++;
    printf("pass         %s%s\n", label, s->cur_loose ? " (--loose: rtol 1e-3, atol 1e-7)" : "");
    break;
  case UNSUPPORTED:
    s->n_unsupported++;
    printf("unsupported  %s: %s\n", label, reason);
    break;
  case FAIL:
    s->n_fail++;
    printf("FAIL         %s: %s\n", label, reason[0] ? reason : "(no message)");
    break;
  }
  if (o != PASS && s->verbose && ms.len)
    printf("%s", ms.text);
  fflush(stdout);
  ta_ctx_free(&ctx);
}

int ta_cmd_onnx_test(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "onnx-test"};
  const char *dirs[256];
  int32_t n_dirs = 0;
  suite s;
  memset(&s, 0, sizeof s);
  ta_compile_options_init(&s.copt);
  for (; a.i < argc; a.i++) {
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_flag(&a, "--verbose") || ta_arg_flag(&a, "-v")) {
      s.verbose = true;
      continue;
    }
    if (ta_arg_flag(&a, "--keep")) {
      s.keep = true;
      continue;
    }
    const char *v;
    ta_status ast = TA_OK;
    if (ta_arg_compile_option(&a, &s.copt, &ast)) {
      if (ast != TA_OK)
        return 1;
      continue;
    }
    if (ta_arg_value(&a, "--loose", &v, &ast)) {
      if (ast != TA_OK)
        return 1;
      if (s.n_loose == (int32_t)TA_ARRAY_LEN(s.loose)) {
        fprintf(stderr, "tinyaot onnx-test: at most %zu --loose tests\n", TA_ARRAY_LEN(s.loose));
        return 1;
      }
      s.loose[s.n_loose++] = v;
      continue;
    }
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot onnx-test: unknown option '%s' (see tinyaot onnx-test --help)\n",
              argv[a.i]);
      return 1;
    }
    if (n_dirs == (int32_t)TA_ARRAY_LEN(dirs)) {
      fprintf(stderr, "tinyaot onnx-test: at most %zu folders\n", TA_ARRAY_LEN(dirs));
      return 1;
    }
    dirs[n_dirs++] = argv[a.i];
  }
  if (n_dirs == 0) {
    fprintf(stderr, "tinyaot onnx-test: no DIR given\n%s", help);
    return 1;
  }
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  s.ctx = &ctx;
  if (ta_make_temp_dir(&ctx, "onnx-test", &s.dir) != TA_OK) {
    ta_ctx_free(&ctx);
    return 2;
  }
  int32_t n_tests = 0;
  for (int32_t d = 0; d < n_dirs; d++) {
    char p[4096];
    snprintf(p, sizeof p, "%s/model.onnx", dirs[d]);
    if (exists(p)) {
      run_test(&s, dirs[d], dirs[d]);
      n_tests++;
      continue;
    }
    int32_t n;
    char **names = list_dir(&ctx, dirs[d], is_test_dir, &n);
    if (!names) {
      fprintf(stderr, "tinyaot onnx-test: cannot read folder '%s': %s\n", dirs[d], strerror(errno));
      s.n_fail++;
      continue;
    }
    for (int32_t i = 0; i < n; i++) {
      char *td = ta_fmt(&ctx, "%s/%s", dirs[d], names[i]);
      if (td)
        run_test(&s, td, names[i]);
    }
    n_tests += n;
  }
  printf("%d passed, %d failed, %d unsupported\n", s.n_pass, s.n_fail, s.n_unsupported);
  if (s.keep)
    fprintf(stderr, "tinyaot onnx-test: build directories kept in %s\n", s.dir);
  else
    ta_remove_tree(s.dir);
  ta_ctx_free(&ctx);
  if (n_tests == 0) {
    fprintf(stderr, "tinyaot onnx-test: no test folders (with model.onnx) found\n");
    return 1;
  }
  return s.n_fail == 0 ? 0 : 1;
}
