/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuneboard.c: a board running the tuning firmware (see ta_tune_device.h).
 */
#include "ta_tune_device.h"

struct ta_tune_board {
  ta_ctx *ctx;
  const ta_board *board;
};

ta_status ta_tune_board_open(ta_ctx *ctx, const ta_board *b, const char *device,
                             const char *work_dir, ta_tune_board **tb, ta_fw_info *info) {
  (void)b, (void)device, (void)work_dir, (void)info;
  *tb = NULL;
  return ta_err(ctx, TA_ERR_INTERNAL, "ta_tune_board_open: not yet");
}

ta_status ta_tune_board_run(ta_tune_board *tb, const ta_blob *blob, uint32_t arg, const void *in,
                            size_t in_bytes, uint32_t in_addr, void *out, size_t out_bytes,
                            uint32_t out_addr, uint32_t repeat, ta_call_result *r) {
  (void)blob, (void)arg, (void)in, (void)in_bytes, (void)in_addr, (void)out, (void)out_bytes,
      (void)out_addr, (void)repeat, (void)r;
  return ta_err(tb->ctx, TA_ERR_INTERNAL, "ta_tune_board_run: not yet");
}

void ta_tune_board_close(ta_tune_board *tb) {
  (void)tb;
}

uint32_t ta_tune_board_insns_per_tick(const ta_tune_board *tb) {
  return ta_board_insns_per_tick(tb->board);
}
