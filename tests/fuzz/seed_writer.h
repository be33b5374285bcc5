/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seed_writer.h: the last step of both seed makers (make_seeds, make_onnx_seeds): check that
 * a seed goes through the whole compiler (compile entry point, then codegen), since a seed
 * that fails would only teach the fuzzer the error paths, and write it to the corpus folder.
 * Header only: each maker is one source file.
 */
#ifndef SEED_WRITER_H
#define SEED_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#include "ta_codegen.h"
#include "ta_compile.h"
#include "tt_capture.h"

/* Compile bytes (opt; NULL: the defaults) and emit its C, then write them to DIR/NAME.EXT.
 * Each problem is printed to stderr after "TOOL: " (a seed that does not compile with its
 * error messages) and counted in *n_failed. Returns whether the file was written. */
static inline bool seed_write(const char *tool, const char *dir, const char *name, const char *ext,
                              const uint8_t *bytes, size_t len, const ta_compile_options *opt,
                              int *n_failed) {
  char path[4096];
  snprintf(path, sizeof path, "%s.%s", name, ext);
  tt_capture cap = {.errors_only = true};
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  ta_model m;
  ta_status st = ta_compile_bytes(&ctx, path, bytes, len, opt, &m);
  ta_fileset fs;
  ta_cgen_options copt = {"seed", name};
  if (st == TA_OK)
    st = ta_cgen_emit(m.g, m.calls, &m.plan, &copt, &fs);
  ta_ctx_free(&ctx);
  if (st != TA_OK) {
    fprintf(stderr, "%s%s: seed %s does not compile (%s)\n", cap.text, tool, name,
            ta_status_name(st));
    (*n_failed)++;
  }
  snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "%s: cannot write %s\n", tool, path);
    (*n_failed)++;
    return false;
  }
  return true;
}

#endif
