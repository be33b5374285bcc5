/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blob.c: code blobs for the tuning firmware's code area, and the tuning board that loads and
 * calls them (see ta_tune_device.h).
 */
#include "ta_tune_device.h"

#include <string.h>

ta_status ta_blob_build(ta_ctx *ctx, const ta_board *b, const ta_fileset *fs,
                        const char *entry_symbol, uint32_t code_base, uint32_t code_bytes,
                        const char *cache_dir, ta_blob *out) {
  (void)b, (void)fs, (void)entry_symbol, (void)code_base, (void)code_bytes, (void)cache_dir;
  memset(out, 0, sizeof *out);
  return ta_err(ctx, TA_ERR_INTERNAL, "ta_blob_build: not yet");
}
