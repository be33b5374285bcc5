/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: the tuning log (see ta_tune_log.h): the JSON-lines reader, the appender, the queries
 * (best, has) and the schedule override that applies a log to a compile.
 *
 * jansson parses one line at a time; this file checks the object it gives key by key and
 * copies what it keeps into the context's arena. The file is split into lines before any
 * parsing, so a hostile line can only spoil itself: every line is checked, each problem is
 * one message "PATH:LINE: KEY: reason", and text quoted from the file has its control
 * characters escaped. The appender writes a whole line with one write(2) on an O_APPEND
 * descriptor and fsyncs it: records of a killed run are either whole or absent.
 */
#define _POSIX_C_SOURCE 200809L
#include "ta_tune_log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ta_config.h"

#define MAX_SHOWN_LEN 80 /* text of the file quoted in a message */

struct ta_tune_log {
  const char *path;
  ta_tune_record *recs;
  int32_t n;
};

static const char *const statuses[] = {"ok", "wrong", "fault", "error"};

/* ---- reading ---- */

typedef struct rd {
  ta_ctx *ctx;
  const char *path;
  int32_t line;
  ta_status st; /* the first error's status */
} rd;

/* s made fit for a message (ta_shown), cut after MAX_SHOWN_LEN. */
static const char *shown(char *buf, size_t cap, const char *s) {
  return ta_shown(buf, cap, s, MAX_SHOWN_LEN);
}

/* One error: "PATH:LINE: KEY: reason" (no KEY for a problem of the whole line). */
__attribute__((format(printf, 3, 4))) static void fail(rd *r, const char *key, const char *fmt,
                                                       ...) {
  char reason[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  if (r->st == TA_OK)
    r->st = TA_ERR_MALFORMED;
  if (key) {
    char k[4 * MAX_SHOWN_LEN + 8];
    ta_report(r->ctx, TA_ERROR, "%s:%d: %s: %s", r->path, r->line, shown(k, sizeof k, key), reason);
  } else {
    ta_report(r->ctx, TA_ERROR, "%s:%d: %s", r->path, r->line, reason);
  }
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number with a fraction";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  }
  return "?";
}

/* A string key: its arena copy; NULL after reporting. Missing or null is allowed (*out NULL)
 * only when optional. */
static bool get_string(rd *r, const json_t *o, const char *key, bool optional, const char **out) {
  *out = NULL;
  const json_t *v = json_object_get(o, key);
  if (!v || json_is_null(v)) {
    if (optional)
      return true;
    fail(r, key, v ? "expected a string, found null" : "missing (a string)");
    return false;
  }
  if (!json_is_string(v)) {
    fail(r, key, "expected a string, found %s", type_name(v));
    return false;
  }
  if (!optional && json_string_length(v) == 0) {
    fail(r, key, "empty string");
    return false;
  }
  *out = ta_strndup(r->ctx, json_string_value(v), json_string_length(v));
  return *out != NULL;
}

/* A count: an integer >= 0, or null / missing (0: not measured). */
static bool get_count(rd *r, const json_t *o, const char *key, uint64_t *out) {
  *out = 0;
  const json_t *v = json_object_get(o, key);
  if (!v || json_is_null(v))
    return true;
  if (!json_is_integer(v)) {
    fail(r, key, "expected an integer or null, found %s", type_name(v));
    return false;
  }
  const json_int_t x = json_integer_value(v);
  if (x < 0) {
    fail(r, key, "negative count %lld", (long long)x);
    return false;
  }
  *out = (uint64_t)x;
  return true;
}

static bool get_knobs(rd *r, const json_t *o, ta_tune_record *rec) {
  const json_t *v = json_object_get(o, "knobs");
  if (!v || json_is_null(v))
    return true; /* no knobs */
  if (!json_is_object(v)) {
    fail(r, "knobs", "expected an object of knob name -> integer, found %s", type_name(v));
    return false;
  }
  if (json_object_size(v) > TA_TUNE_MAX_KNOBS) {
    fail(r, "knobs", "%zu knobs, at most %d", json_object_size(v), TA_TUNE_MAX_KNOBS);
    return false;
  }
  bool ok = true;
  const char *name;
  json_t *x;
  json_object_foreach((json_t *)v, name, x) {
    char key[4 * MAX_SHOWN_LEN + 16];
    snprintf(key, sizeof key, "knobs.%s", name);
    if (!name[0]) {
      fail(r, "knobs", "a knob with an empty name");
      ok = false;
    } else if (!json_is_integer(x)) {
      fail(r, key, "expected an integer, found %s", type_name(x));
      ok = false;
    } else if (json_integer_value(x) < INT32_MIN || json_integer_value(x) > INT32_MAX) {
      fail(r, key, "%lld is out of the 32-bit range", (long long)json_integer_value(x));
      ok = false;
    } else {
      rec->knob_names[rec->n_knobs] = ta_strdup(r->ctx, name);
      rec->knobs[rec->n_knobs++] = (int32_t)json_integer_value(x);
    }
  }
  return ok;
}

/* One line (len bytes, no newline) into rec; false when it is not a valid record. */
static bool read_line(rd *r, const char *text, size_t len, bool last_unterminated,
                      ta_tune_record *rec) {
  json_error_t err;
  json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (!o) {
    char t[4 * MAX_SHOWN_LEN + 8];
    if (last_unterminated)
      fail(r, NULL,
           "truncated record (the last line has no newline and is not complete JSON: a run "
           "killed mid-write?); delete the line to use the log: %s",
           shown(t, sizeof t, err.text));
    else
      fail(r, NULL, "not JSON: %s (column %d)", shown(t, sizeof t, err.text), err.column);
    return false;
  }
  bool ok = true;
  if (!json_is_object(o)) {
    fail(r, NULL, "expected a JSON object (one record), found %s", type_name(o));
    ok = false;
  } else {
    memset(rec, 0, sizeof *rec);
    rec->line = r->line;
    ok = get_string(r, o, "tinyaot", false, &rec->version) && ok;
    ok = get_string(r, o, "workload", false, &rec->workload) && ok;
    ok = get_string(r, o, "target", false, &rec->target) && ok;
    ok = get_string(r, o, "variant", false, &rec->variant) && ok;
    ok = get_knobs(r, o, rec) && ok;
    ok = get_count(r, o, "instructions", &rec->instructions) && ok;
    ok = get_count(r, o, "cycles", &rec->cycles) && ok;
    ok = get_string(r, o, "reason", true, &rec->reason) && ok;
    const char *status = NULL;
    if (get_string(r, o, "status", false, &status)) {
      for (size_t i = 0; i < TA_ARRAY_LEN(statuses) && !rec->status; i++)
        if (strcmp(status, statuses[i]) == 0)
          rec->status = statuses[i];
      if (!rec->status) {
        char t[4 * MAX_SHOWN_LEN + 8];
        fail(r, "status", "unknown status \"%s\" (known: ok, wrong, fault, error)",
             shown(t, sizeof t, status));
        ok = false;
      } else if (rec->status == statuses[0] && rec->instructions == 0) {
        fail(r, "instructions", "a record of status ok needs its instruction count (above 0)");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  json_decref(o);
  return ok && !r->ctx->oom;
}

ta_status ta_tune_log_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                            ta_tune_log **log) {
  const char *saved = ctx->file;
  ctx->file = NULL; /* messages name the log and the line, not the model being compiled */
  rd r = {.ctx = ctx, .path = name, .st = TA_OK};
  size_t lines = 0;
  for (size_t i = 0; i < len; i++)
    lines += data[i] == '\n';
  lines += len > 0 && data[len - 1] != '\n';
  ta_tune_log *l = ta_new(ctx, sizeof *l);
  if (lines > TA_TUNE_MAX_RECORDS) {
    ctx->file = saved;
    return ta_err(ctx, TA_ERR_LIMIT, "%s: %zu lines; a tuning log holds at most %d records", name,
                  lines, TA_TUNE_MAX_RECORDS);
  }
  ta_tune_record *recs = ta_new_array(ctx, lines ? lines : 1, sizeof *recs);
  if (!l || !recs) {
    ctx->file = saved;
    return TA_ERR_LIMIT;
  }
  int32_t n = 0;
  for (size_t at = 0; at < len && !ctx->oom;) {
    r.line++;
    const uint8_t *nl = memchr(data + at, '\n', len - at);
    const size_t end = nl ? (size_t)(nl - data) : len;
    const char *text = (const char *)data + at;
    const size_t n_bytes = end - at;
    at = end + 1;
    if (n_bytes > TA_TUNE_MAX_LINE_BYTES) {
      fail(&r, NULL, "line too long (%zu bytes, at most %d)", n_bytes, TA_TUNE_MAX_LINE_BYTES);
      continue;
    }
    bool blank = true;
    for (size_t i = 0; i < n_bytes && blank; i++)
      blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\r';
    if (blank)
      continue;
    if (read_line(&r, text, n_bytes, !nl, &recs[n]))
      n++;
  }
  ctx->file = saved;
  if (ctx->oom)
    return TA_ERR_LIMIT;
  if (r.st != TA_OK)
    return r.st;
  l->path = ta_strdup(ctx, name);
  l->recs = recs;
  l->n = n;
  if (!l->path)
    return TA_ERR_LIMIT;
  *log = l;
  return TA_OK;
}

ta_status ta_tune_log_open(ta_ctx *ctx, const char *path, bool allow_missing, ta_tune_log **log) {
  struct stat sb;
  if (allow_missing && stat(path, &sb) != 0 && errno == ENOENT) {
    ta_tune_log *l = ta_new(ctx, sizeof *l);
    if (!l || !(l->path = ta_strdup(ctx, path)))
      return TA_ERR_LIMIT;
    *log = l;
    return TA_OK;
  }
  const char *saved = ctx->file;
  ctx->file = NULL;
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, path, &data, &len);
  ctx->file = saved;
  if (st != TA_OK)
    return st;
  return ta_tune_log_parse(ctx, path, data, len, log);
}

ta_status ta_tune_log_read(ta_ctx *ctx, const char *path, ta_tune_log **log) {
  return ta_tune_log_open(ctx, path, false, log);
}

/* ---- appending ---- */

/* The record as one JSON line (with its newline), from jansson's heap: free() it. */
static char *record_line(const ta_tune_record *r) {
  json_t *o = json_object(), *k = json_object();
  if (!o || !k) {
    json_decref(o);
    json_decref(k);
    return NULL;
  }
  json_object_set_new(o, "tinyaot", json_string(r->version ? r->version : TA_VERSION));
  json_object_set_new(o, "workload", json_string(r->workload));
  json_object_set_new(o, "target", json_string(r->target));
  json_object_set_new(o, "variant", json_string(r->variant));
  for (int32_t i = 0; i < r->n_knobs; i++)
    json_object_set_new(k, r->knob_names[i], json_integer(r->knobs[i]));
  json_object_set_new(o, "knobs", k);
  json_object_set_new(o, "instructions",
                      r->instructions ? json_integer((json_int_t)r->instructions) : json_null());
  json_object_set_new(o, "cycles", r->cycles ? json_integer((json_int_t)r->cycles) : json_null());
  json_object_set_new(o, "status", json_string(r->status));
  json_object_set_new(o, "reason", r->reason ? json_string(r->reason) : json_null());
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!s)
    return NULL;
  const size_t n = strlen(s);
  char *line = malloc(n + 2);
  if (line) {
    memcpy(line, s, n);
    memcpy(line + n, "\n", 2);
  }
  free(s);
  return line;
}

/* The checks the reader makes, on a record in memory (names the first problem). */
static const char *record_problem(const ta_tune_record *r) {
  if (!r->workload || !r->workload[0] || !r->target || !r->target[0] || !r->variant ||
      !r->variant[0])
    return "workload, target and variant must be non-empty strings";
  if (r->n_knobs < 0 || r->n_knobs > TA_TUNE_MAX_KNOBS)
    return "too many knobs";
  for (int32_t i = 0; i < r->n_knobs; i++) {
    if (!r->knob_names[i] || !r->knob_names[i][0])
      return "a knob without a name";
    for (int32_t j = 0; j < i; j++)
      if (strcmp(r->knob_names[i], r->knob_names[j]) == 0)
        return "a knob named twice";
  }
  bool known = false;
  for (size_t i = 0; i < TA_ARRAY_LEN(statuses) && r->status && !known; i++)
    known = strcmp(r->status, statuses[i]) == 0;
  if (!known)
    return "status must be ok, wrong, fault or error";
  if (strcmp(r->status, "ok") == 0 && r->instructions == 0)
    return "a record of status ok needs its instruction count";
  if (r->instructions > INT64_MAX || r->cycles > INT64_MAX)
    return "count out of range";
  return NULL;
}

ta_status ta_tune_log_append(ta_ctx *ctx, const char *path, const ta_tune_record *r) {
  const char *problem = record_problem(r);
  if (problem)
    return ta_err(ctx, TA_ERR_USAGE, "%s: not appending an invalid tuning record: %s", path,
                  problem);
  char *line = record_line(r);
  if (!line)
    return ta_err(ctx, TA_ERR_LIMIT, "%s: out of memory formatting a tuning record", path);
  size_t n = strlen(line);
  if (n - 1 > TA_TUNE_MAX_LINE_BYTES) {
    free(line);
    return ta_err(ctx, TA_ERR_USAGE, "%s: a tuning record of %zu bytes (at most %d)", path, n - 1,
                  TA_TUNE_MAX_LINE_BYTES);
  }
  int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    free(line);
    return ta_err(ctx, TA_ERR_IO, "%s: cannot open the tuning log: %s", path, strerror(errno));
  }
  /* A file that does not end in a newline (edited by hand) gets one first, in the same write,
   * so the new record stays on its own line. */
  struct stat sb;
  char last = '\n';
  if (fstat(fd, &sb) == 0 && sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) != 1)
    last = '\n';
  char *out = line;
  if (last != '\n') {
    out = malloc(n + 2);
    if (out) {
      out[0] = '\n';
      memcpy(out + 1, line, n + 1);
      n++;
    }
    free(line);
    if (!out) {
      close(fd);
      return ta_err(ctx, TA_ERR_LIMIT, "%s: out of memory", path);
    }
  }
  ssize_t w;
  do
    w = write(fd, out, n);
  while (w < 0 && errno == EINTR);
  const int werr = errno;
  free(out);
  ta_status st = TA_OK;
  if (w < 0 || (size_t)w != n)
    st = ta_err(ctx, TA_ERR_IO, "%s: writing a tuning record: %s", path,
                w < 0 ? strerror(werr) : "short write");
  else if (fsync(fd) != 0)
    st = ta_err(ctx, TA_ERR_IO, "%s: fsync: %s", path, strerror(errno));
  if (close(fd) != 0 && st == TA_OK)
    st = ta_err(ctx, TA_ERR_IO, "%s: close: %s", path, strerror(errno));
  return st;
}

/* ---- queries ---- */

int32_t ta_tune_log_count(const ta_tune_log *log) {
  return log ? log->n : 0;
}

const ta_tune_record *ta_tune_log_at(const ta_tune_log *log, int32_t i) {
  return log && i >= 0 && i < log->n ? &log->recs[i] : NULL;
}

const char *ta_tune_log_path(const ta_tune_log *log) {
  return log ? log->path : NULL;
}

/* a measured faster than b: cycles when both have them, else instructions. */
static bool faster(const ta_tune_record *a, const ta_tune_record *b) {
  if (a->cycles && b->cycles)
    return a->cycles < b->cycles;
  return a->instructions < b->instructions;
}

const ta_tune_record *ta_tune_log_best(const ta_tune_log *log, const char *workload,
                                       const char *target) {
  const ta_tune_record *best = NULL;
  for (int32_t i = 0; log && i < log->n; i++) {
    const ta_tune_record *r = &log->recs[i];
    if (strcmp(r->status, "ok") != 0 || strcmp(r->workload, workload) != 0 ||
        strcmp(r->target, target) != 0)
      continue;
    if (!best || faster(r, best))
      best = r;
  }
  return best;
}

bool ta_tune_log_has(const ta_tune_log *log, const char *workload, const char *target,
                     const char *variant, const int32_t *knobs, int32_t n_knobs) {
  for (int32_t i = 0; log && i < log->n; i++) {
    const ta_tune_record *r = &log->recs[i];
    if (r->n_knobs != n_knobs || strcmp(r->workload, workload) != 0 ||
        strcmp(r->target, target) != 0 || strcmp(r->variant, variant) != 0)
      continue;
    bool same = true;
    for (int32_t k = 0; k < n_knobs && same; k++)
      same = r->knobs[k] == knobs[k];
    if (same)
      return true;
  }
  return false;
}

ta_status ta_tune_log_target(ta_ctx *ctx, const ta_tune_log *log, const char *want,
                             const char **target) {
  *target = NULL;
  ta_buf names;
  ta_buf_init(&names, ctx);
  int32_t n_targets = 0;
  bool found = false;
  for (int32_t i = 0; i < log->n; i++) {
    const char *t = log->recs[i].target;
    bool seen = false;
    for (int32_t j = 0; j < i && !seen; j++)
      seen = strcmp(log->recs[j].target, t) == 0;
    if (seen)
      continue;
    char s[4 * MAX_SHOWN_LEN + 8];
    ta_buf_printf(&names, "%s%s", n_targets ? ", " : "", shown(s, sizeof s, t));
    if (!*target || (want && strcmp(t, want) == 0))
      *target = t;
    found = found || (want && strcmp(t, want) == 0);
    n_targets++;
  }
  ta_status st = TA_OK;
  if (!names.ok)
    st = TA_ERR_LIMIT;
  else if (want && n_targets > 0 && !found)
    st = ta_err(ctx, TA_ERR_USAGE, "%s has no record for target %s (it has: %s)", log->path, want,
                names.data);
  else if (!want && n_targets > 1)
    st = ta_err(ctx, TA_ERR_USAGE,
                "%s holds records for several targets (%s): say which with --tuning-target",
                log->path, names.data);
  ta_buf_free(&names);
  if (st != TA_OK)
    *target = NULL;
  else if (want)
    *target = want;
  return st;
}

/* ---- the schedule override ---- */

typedef struct install {
  ta_ctx *ctx;
  const ta_tune_log *log;
  const char *target;
} install;

/* Where a record came from, for messages: "PATH:LINE". */
static const char *origin(const install *s, const ta_tune_record *r) {
  return ta_fmt(s->ctx, "%s:%d", s->log->path, r->line);
}

/* The record's knobs by name in v's order, into vals: every knob of v must be there with a
 * value v allows, and no other. NULL, or what is wrong (arena text). */
static const char *map_knobs(ta_ctx *ctx, const ta_tune_record *r, const ta_variant *v,
                             int32_t *vals) {
  if (r->n_knobs != v->n_knobs)
    return ta_fmt(ctx, "has %d knob values, the variant has %d knobs", r->n_knobs, v->n_knobs);
  for (int32_t k = 0; k < v->n_knobs; k++) {
    const ta_knob *kn = &v->knobs[k];
    int32_t j = 0;
    while (j < r->n_knobs && strcmp(r->knob_names[j], kn->name) != 0)
      j++;
    if (j == r->n_knobs)
      return ta_fmt(ctx, "lacks knob %s", kn->name);
    bool allowed = false;
    for (int32_t a = 0; a < kn->n_values && !allowed; a++)
      allowed = kn->values[a] == r->knobs[j];
    if (!allowed)
      return ta_fmt(ctx, "sets %s = %d, which the variant does not allow", kn->name, r->knobs[j]);
    vals[k] = r->knobs[j];
  }
  return NULL;
}

/* The override: the best record of op's workload, when op still has its variant and knobs
 * (names repeat across dtypes: any variant of that name whose knobs match will do; the
 * schedule stage then takes the one that applies). */
static bool log_pick(void *user, const ta_graph *g, const ta_op *op, const char *key,
                     ta_sched_pick *pick) {
  install *s = user;
  if (!s->target)
    return false; /* an empty log */
  const ta_tune_record *r = ta_tune_log_best(s->log, key, s->target);
  if (!r)
    return false;
  int32_t n;
  const ta_variant *vs = ta_sched_variants(op, &n);
  int32_t *vals = ta_new_array(s->ctx, TA_TUNE_MAX_KNOBS, sizeof(int32_t));
  if (!vals)
    return false;
  const char *problem = NULL;
  const ta_variant *named = NULL;
  for (int32_t i = 0; i < n; i++) {
    const ta_variant *v = &vs[i];
    if (v->inplace_of || strcmp(v->name, r->variant) != 0 || v->n_knobs > TA_TUNE_MAX_KNOBS)
      continue;
    named = v;
    problem = map_knobs(s->ctx, r, v, vals);
    if (!problem) {
      pick->variant = v->name;
      pick->knobs = v->n_knobs ? vals : NULL;
      pick->n_knobs = v->n_knobs;
      pick->origin = origin(s, r);
      return true;
    }
  }
  char t[4 * MAX_SHOWN_LEN + 8];
  if (!named)
    ta_op_warn(g, op,
               "%s: tuning record names variant \"%s\", which this op does not have (a stale "
               "log?); the default schedule is used",
               origin(s, r), shown(t, sizeof t, r->variant));
  else
    ta_op_warn(g, op,
               "%s: tuning record for variant %s %s (a stale log?); the default schedule is used",
               origin(s, r), named->name, problem ? problem : "");
  return false;
}

ta_status ta_tune_log_install(ta_ctx *ctx, const ta_tune_log *log, const char *target,
                              ta_sched_options *opts) {
  install *s = ta_new(ctx, sizeof *s);
  if (!s)
    return TA_ERR_LIMIT;
  s->ctx = ctx;
  s->log = log;
  s->target = target;
  opts->override = log_pick;
  opts->override_user = s;
  opts->override_why = TA_SCHED_LOG;
  opts->override_fallback = true;
  return TA_OK;
}
