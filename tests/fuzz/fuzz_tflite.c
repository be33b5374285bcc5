/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_tflite.c: libFuzzer target for the TFLite reader: bytes -> graph IR.
 *
 * Besides memory safety (ASan, UBSan) it checks what a reader promises its callers: a graph
 * only with TA_OK, and then a well-formed one (fuzz_check_graph).
 */
#include <string.h>

#include "fuzz_common.h"
#include "ta_tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ctx.file = "fuzz.tflite";
  ta_graph *g = NULL;
  ta_status st = ta_tfl_read(&ctx, data, size, &g);
  fuzz_check_status(&ctx, st, "ta_tfl_read");
  if ((st == TA_OK) != (g != NULL))
    fuzz_fail("graph returned with an error, or none with TA_OK", NULL);
  if (st == TA_OK && ctx.n_errors)
    fuzz_fail("TA_OK after an error was reported", NULL);
  if (g)
    fuzz_check_graph(g);
  ta_ctx_free(&ctx);
  return 0;
}
