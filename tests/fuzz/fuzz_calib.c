/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_calib.c: libFuzzer target for the calibration data reader (ta_calib_parse): bytes as a
 * raw float32 file or a .npy array for a model input of shape [1,4,3].
 *
 * Besides memory safety it checks the reader's promises: records only with TA_OK, then at least
 * one, every value finite; a failure always has a message (fuzz_check_status), never
 * TA_ERR_INTERNAL.
 */
#include <math.h>
#include <string.h>

#include "fuzz_common.h"
#include "ta_quantize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ta_tensor t;
  memset(&t, 0, sizeof t);
  t.name = "x";
  t.dtype = TA_DT_F32;
  t.rank = 3;
  t.shape_known = true;
  t.dims[0] = 1, t.dims[1] = 4, t.dims[2] = 3;
  float *v = NULL;
  int64_t n = -1;
  ta_status st = ta_calib_parse(&ctx, "fuzz.npy", data, size, &t, &v, &n);
  fuzz_check_status(&ctx, st, "ta_calib_parse");
  if (st == TA_OK) {
    if (!v || n < 1)
      fuzz_fail("TA_OK without records", NULL);
    for (int64_t i = 0; i < n * 12; i++)
      if (!isfinite(v[i]))
        fuzz_fail("a non-finite value passed", NULL);
  } else if (v || n != 0) {
    fuzz_fail("records returned with an error", NULL);
  }
  ta_ctx_free(&ctx);
  return 0;
}
