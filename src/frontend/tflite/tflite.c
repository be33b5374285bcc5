/* SPDX-License-Identifier: Apache-2.0 */
/* tflite.c: placeholder, being written. */
#include "ta_tflite.h"

ta_status ta_tfl_read(ta_ctx *ctx, const uint8_t *data, size_t len, ta_graph **out) {
  (void)data;
  (void)len;
  (void)out;
  return ta_err(ctx, TA_ERR_UNSUPPORTED, "TFLite reader not written yet");
}

ta_status ta_tfl_load(ta_ctx *ctx, const char *path, ta_graph **out) {
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, path, &data, &len);
  if (st != TA_OK) return st;
  return ta_tfl_read(ctx, data, len, out);
}
