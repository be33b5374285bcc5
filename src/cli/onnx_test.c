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
 * only the model's own two files and the runner are compiled per test, at -O0. A data set's
 * run and the folder loop are the library's (ta_device_conformance_dirs); this file prints one
 * line per test and the totals.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"

typedef struct suite {
  ta_conformance run;    /* shared by every data set: directory, kernels, compile options */
  const char *loose[64]; /* tests compared with ONNX's own backend tolerance */
  int32_t n_loose;
  bool verbose;
} suite;

static void kept(void *user, const char *dir) {
  (void)user;
  fprintf(stderr, "tinyaot onnx-test: kept %s\n", dir);
}

/* One line per test (its messages after it with --verbose when it did not pass). */
static void print_test(void *user, const char *label, const ta_conformance_outcome *o) {
  const suite *s = user;
  if (o->result == TA_CONFORMANCE_PASS)
    printf("pass         %s%s\n", label, o->loose ? " (--loose: rtol 1e-3, atol 1e-7)" : "");
  else if (o->result == TA_CONFORMANCE_UNSUPPORTED)
    printf("unsupported  %s: %s\n", label, o->reason);
  else
    printf("FAIL         %s: %s\n", label, o->reason[0] ? o->reason : "(no message)");
  if (o->result != TA_CONFORMANCE_PASS && s->verbose && o->len)
    printf("%s", o->messages);
  fflush(stdout);
}

int ta_cmd_onnx_test(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "onnx-test");
  const char *dirs[256];
  int32_t n_dirs = 0;
  suite s;
  memset(&s, 0, sizeof s);
  ta_compile_options_init(&s.run.copt);
  s.run.kept = kept;
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    const char *v;
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--verbose", &s.verbose) || ta_arg_switch(&a, "-v", &s.verbose) ||
        ta_arg_switch(&a, "--keep", &s.run.keep) || ta_arg_compile_option(&a, &s.run.copt, &st))
      continue;
    if (ta_arg_value(&a, "--loose", &v, &st)) {
      if (st == TA_OK && s.n_loose == (int32_t)TA_ARRAY_LEN(s.loose)) {
        ta_cli_error(&a, "at most %zu --loose tests", TA_ARRAY_LEN(s.loose));
        return 1;
      }
      if (st == TA_OK)
        s.loose[s.n_loose++] = v;
      continue;
    }
    if (ta_arg_unknown(&a))
      return 1;
    if (n_dirs == (int32_t)TA_ARRAY_LEN(dirs)) {
      ta_cli_error(&a, "at most %zu folders", TA_ARRAY_LEN(dirs));
      return 1;
    }
    dirs[n_dirs++] = argv[a.i];
  }
  if (st != TA_OK)
    return 1;
  if (n_dirs == 0)
    return ta_arg_missing(&a, "no DIR given");
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  s.run.ctx = &ctx;
  char *tmp;
  if (ta_make_temp_dir(&ctx, "onnx-test", &tmp) != TA_OK) {
    ta_ctx_free(&ctx);
    return 2;
  }
  s.run.dir = tmp;
  int32_t n[3] = {0, 0, 0};
  const int32_t n_tests =
      ta_device_conformance_dirs(&s.run, dirs, n_dirs, s.loose, s.n_loose, print_test, &s, n);
  printf("%d passed, %d failed, %d unsupported\n", n[TA_CONFORMANCE_PASS], n[TA_CONFORMANCE_FAIL],
         n[TA_CONFORMANCE_UNSUPPORTED]);
  if (s.run.keep)
    fprintf(stderr, "tinyaot onnx-test: build directories kept in %s\n", tmp);
  else
    ta_remove_tree(tmp);
  ta_ctx_free(&ctx);
  if (n_tests == 0) {
    ta_cli_error(&a, "no test folders (with model.onnx) found");
    return 1;
  }
  return n[TA_CONFORMANCE_FAIL] == 0 ? 0 : 1;
}
