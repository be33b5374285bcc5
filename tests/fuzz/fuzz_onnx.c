/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_onnx.c: libFuzzer target for the ONNX reader: bytes -> graph IR (ta_onnx_read, which
 * decodes the protobuf with protobuf-c into the context's arena, locates decoding errors with
 * its own wire-format walk, and imports the graph in NHWC). The whole pipeline on ONNX bytes is
 * fuzzed by fuzz_pipeline, which routes them by the same sniffing as the command line.
 *
 * Properties besides memory safety: those of fuzz_common.h, and a graph only with TA_OK, a
 * well-formed one (fuzz_check_graph).
 */
#include "fuzz_common.h"
#include "ta_onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ctx.file = "fuzz.onnx";
  ta_graph *g = NULL;
  ta_status st = ta_onnx_read(&ctx, data, size, NULL, &g);
  fuzz_check_status(&ctx, st, "ta_onnx_read");
  if ((st == TA_OK) != (g != NULL))
    fuzz_fail("graph returned with an error, or none with TA_OK", NULL);
  if (st == TA_OK && ctx.n_errors)
    fuzz_fail("TA_OK after an error was reported", NULL);
  if (g)
    fuzz_check_graph(g);
  ta_ctx_free(&ctx);
  return 0;
}
