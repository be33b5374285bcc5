/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_testdata.c: the data sets of ONNX backend test folders: a test_data_set_N folder holds
 * one serialized TensorProto per model input (input_0.pb, input_1.pb, ...) and per output
 * (output_0.pb, ...), numbered from 0 without gaps; the first missing number ends the list.
 */
#define _POSIX_C_SOURCE 200809L /* stat */
#include <sys/stat.h>

#include "ta_onnx.h"

ta_status ta_onnx_read_tensor_files(ta_ctx *ctx, const char *dir, const char *kind, int32_t max,
                                    ta_onnx_tensor *ts, int32_t *n) {
  *n = 0;
  for (int32_t k = 0; k < max; k++) {
    char *p = ta_fmt(ctx, "%s/%s_%d.pb", dir, kind, k);
    if (!p)
      return TA_ERR_LIMIT;
    struct stat sb;
    if (stat(p, &sb) != 0)
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
