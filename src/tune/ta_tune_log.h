/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_tune_log.h: the tuning log. One JSON object per line, one line per measured candidate:
 *
 *   {"tinyaot":"0.1","workload":"<ta_sched_workload_key>","target":"cortex-m4",
 *    "variant":"packed","knobs":{"weights":16},"instructions":123,"cycles":null,
 *    "status":"ok","reason":null}
 *
 * The tuner appends (one whole line per write, then fsync, so a killed run keeps every record
 * it finished and never leaves half a line behind it); compile/run/bench/eval/inspect read the
 * log with --tuning-log and schedule each op with the best "ok" record of its workload for the
 * command's target, the heuristic doing the rest.
 *
 * The reader takes the log as untrusted input: every line is checked in full and every problem
 * is one error "PATH:LINE: KEY: reason" (not JSON, not an object, a missing or wrong-typed key,
 * an unknown status, a negative count, a knob that is not name -> integer, too many knobs, a
 * line longer than TA_TUNE_MAX_LINE_BYTES); checking goes on with the next line. A last line
 * without its newline is an error too ("truncated"): it can only come from a writer killed
 * mid-write or from an edit, and appending after it would glue the next record onto it, so
 * the user deletes it (the message says so). Keys the reader does not know are ignored, so a
 * newer tinyaot's extra fields do not break an older reader. Blank lines are skipped.
 *
 * Everything read lives in the context arena; the log is immutable once read.
 */
#ifndef TA_TUNE_LOG_H
#define TA_TUNE_LOG_H

#include "ta_base.h"
#include "ta_schedule.h"

/* A record holds as many knobs as a variant may have (ta_sched_knob_settings). */
#define TA_TUNE_MAX_KNOBS TA_SCHED_MAX_KNOBS
#define TA_TUNE_MAX_LINE_BYTES 16384 /* a workload key of a large op stays well under it */
#define TA_TUNE_MAX_RECORDS 1000000

/* One measured candidate. Strings are NUL-terminated; knob_names[i] = knobs[i] for i below
 * n_knobs, in the order of the file (the reader) or of the caller (append). instructions and
 * cycles: 0 means not measured (null in the file); a record of status "ok" always has
 * instructions. reason may be NULL. line: 1-based line in the file it was read from (0 for a
 * record built in memory). */
typedef struct ta_tune_record {
  const char *version, *workload, *target, *variant;
  const char *knob_names[TA_TUNE_MAX_KNOBS];
  int32_t knobs[TA_TUNE_MAX_KNOBS];
  int32_t n_knobs;
  uint64_t instructions, cycles;
  const char *status, *reason; /* status: "ok", "wrong", "fault" or "error" */
  int32_t line;
} ta_tune_record;

typedef struct ta_tune_log ta_tune_log;

/* Read the log at path into *log (context arena). allow_missing: a file that does not exist
 * gives an empty log (the tuner's first run); otherwise TA_ERR_IO. A malformed log reports
 * every bad line and returns TA_ERR_MALFORMED (TA_ERR_LIMIT past TA_TUNE_MAX_RECORDS), *log
 * untouched. */
ta_status ta_tune_log_open(ta_ctx *ctx, const char *path, bool allow_missing, ta_tune_log **log);
/* ta_tune_log_open(ctx, path, false, log). */
ta_status ta_tune_log_read(ta_ctx *ctx, const char *path, ta_tune_log **log);
/* The same from bytes in memory; name stands for the path in messages (the fuzz target). */
ta_status ta_tune_log_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                            ta_tune_log **log);

/* Append one record as one line: the file is opened with O_APPEND (created 0644 if missing),
 * the line goes out in a single write, then fsync. The record is checked first (the strings
 * present, status known, at most TA_TUNE_MAX_KNOBS knobs): TA_ERR_USAGE and nothing written
 * when it is not valid; TA_ERR_IO naming path on a failed open/write/fsync. */
ta_status ta_tune_log_append(ta_ctx *ctx, const char *path, const ta_tune_record *r);

/* The best record of (workload, target): status "ok", fewest instructions, or fewest cycles
 * when both records have cycles; ties go to the first in the file. NULL when there is none. */
const ta_tune_record *ta_tune_log_best(const ta_tune_log *log, const char *workload,
                                       const char *target);
/* Whether the log holds a record (any status) of this candidate: for resume. knobs in the
 * variant's order; n_knobs 0 matches a record with no knobs. Knob names are not compared, only
 * the values in order (the tuner writes them in the variant's order). */
bool ta_tune_log_has(const ta_tune_log *log, const char *workload, const char *target,
                     const char *variant, const int32_t *knobs, int32_t n_knobs);

int32_t ta_tune_log_count(const ta_tune_log *log);
const ta_tune_record *ta_tune_log_at(const ta_tune_log *log, int32_t i);
/* The path (or name) the log was read from. */
const char *ta_tune_log_path(const ta_tune_log *log);

/* The target a command applies the log for: want when non-NULL (it must occur in the log, or
 * TA_ERR_USAGE naming the targets it has); else the log's only target; an error when the log
 * holds several (naming them: pass --tuning-target). An empty log: *target NULL, TA_OK. */
ta_status ta_tune_log_target(ta_ctx *ctx, const ta_tune_log *log, const char *want,
                             const char **target);

/* Install on opts an override that schedules each op with the best record of its workload for
 * target (ta_tune_log_best). A record whose variant or knobs the op no longer has (a log from
 * an older tinyaot or another model build) is a warning naming PATH:LINE and the op falls back
 * to the heuristic; the compile never fails on a stale log. log and target must outlive the
 * ta_sched_run that uses opts; the override's state lives in ctx's arena. */
ta_status ta_tune_log_install(ta_ctx *ctx, const ta_tune_log *log, const char *target,
                              ta_sched_options *opts);

#endif
