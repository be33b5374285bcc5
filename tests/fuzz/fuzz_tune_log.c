/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_tune_log.c: libFuzzer target for the tuning log reader (ta_tune_log_parse): bytes as a
 * JSON-lines log.
 *
 * Besides memory safety it checks the reader's promises: a log only with TA_OK, and then every
 * record complete (strings present, a known status, at most TA_TUNE_MAX_KNOBS knobs, an "ok"
 * record with its instruction count, lines rising); the queries hold on what was read (best
 * is an "ok" record of the workload and target asked, has finds each record); a failure always
 * has a message (fuzz_check_status), never TA_ERR_INTERNAL, and leaves *log untouched.
 */
#include <string.h>

#include "fuzz_common.h"
#include "ta_tune_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  ta_tune_log *log = NULL;
  ta_status st = ta_tune_log_parse(&ctx, "fuzz.log", data, size, &log);
  fuzz_check_status(&ctx, st, "ta_tune_log_parse");
  if (st != TA_OK) {
    if (log)
      fuzz_fail("a log returned with an error", NULL);
    ta_ctx_free(&ctx);
    return 0;
  }
  if (!log || ta_tune_log_count(log) < 0)
    fuzz_fail("TA_OK without a log", NULL);
  int32_t last_line = 0;
  for (int32_t i = 0; i < ta_tune_log_count(log); i++) {
    const ta_tune_record *r = ta_tune_log_at(log, i);
    if (!r || !r->version || !r->workload || !r->target || !r->variant || !r->status)
      fuzz_fail("a record without its strings", NULL);
    if (r->n_knobs < 0 || r->n_knobs > TA_TUNE_MAX_KNOBS)
      fuzz_fail("knob count out of range", NULL);
    for (int32_t k = 0; k < r->n_knobs; k++)
      if (!r->knob_names[k])
        fuzz_fail("a knob without a name", NULL);
    if (strcmp(r->status, "ok") && strcmp(r->status, "wrong") && strcmp(r->status, "fault") &&
        strcmp(r->status, "error"))
      fuzz_fail("unknown status passed", r->status);
    if (!strcmp(r->status, "ok") && r->instructions == 0)
      fuzz_fail("an ok record without instructions", NULL);
    if (r->line <= last_line)
      fuzz_fail("record lines not rising", NULL);
    last_line = r->line;
    if (!ta_tune_log_has(log, r->workload, r->target, r->variant, r->knobs, r->n_knobs))
      fuzz_fail("has() misses a record read", NULL);
    const ta_tune_record *b = ta_tune_log_best(log, r->workload, r->target);
    if (b && (strcmp(b->status, "ok") || strcmp(b->workload, r->workload) ||
              strcmp(b->target, r->target)))
      fuzz_fail("best() gave another workload's or a failed record", NULL);
    if (!b && !strcmp(r->status, "ok"))
      fuzz_fail("best() missed an ok record", NULL);
  }
  const char *target;
  st = ta_tune_log_target(&ctx, log, NULL, &target);
  if (st != TA_OK && st != TA_ERR_USAGE)
    fuzz_fail("ta_tune_log_target: unexpected status", ta_status_name(st));
  fuzz_check_status(&ctx, st, "ta_tune_log_target");
  ta_ctx_free(&ctx);
  return 0;
}
