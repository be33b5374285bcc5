/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: the tuning log (see ta_tune_log.h). Stub bodies for now: the interface is committed
 * first so that the tuner's branch can code against it.
 */
#include "ta_tune_log.h"

ta_status ta_tune_log_open(ta_ctx *ctx, const char *path, bool allow_missing, ta_tune_log **log) {
  (void)allow_missing;
  (void)log;
  return ta_err(ctx, TA_ERR_INTERNAL, "%s: tuning log reader not yet", path);
}
