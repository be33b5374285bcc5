/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_base.h: what every module of the compiler stands on.
 *
 * One compilation context (ta_ctx) owns one arena: every allocation of the IR and of the
 * passes comes from it, and ta_ctx_free releases all of it at once. Library code never
 * prints: it reports through the context's diagnostics sink, with a location that names the
 * input file and the byte offset, operator or tensor concerned. Allocation goes through one
 * hook so tests can make the N-th allocation fail.
 */
#ifndef TA_BASE_H
#define TA_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status of every fallible compiler function. MALFORMED: the input file is broken.
 * UNSUPPORTED: a valid input we cannot handle. LIMIT: a configured limit was exceeded
 * (or memory ran out). INTERNAL: a bug in tinyaot. */
typedef enum ta_status {
  TA_OK = 0,
  TA_ERR_IO,
  TA_ERR_MALFORMED,
  TA_ERR_UNSUPPORTED,
  TA_ERR_LIMIT,
  TA_ERR_USAGE,
  TA_ERR_INTERNAL,
} ta_status;

const char *ta_status_name(ta_status st);

typedef enum ta_severity { TA_NOTE, TA_WARNING, TA_ERROR } ta_severity;

/* A diagnostics sink receives one fully formatted message per call (no trailing newline). */
typedef void (*ta_diag_sink)(void *user, ta_severity sev, const char *msg);

/* Allocation hook: same contract as realloc(ptr, size) with free when size is 0. Tests install
 * one that fails the N-th allocation. */
typedef void *(*ta_alloc_fn)(void *user, void *ptr, size_t size);

#define TA_MAX_ERRORS_DEFAULT 20

typedef struct ta_arena_block ta_arena_block;

typedef struct ta_ctx {
  ta_alloc_fn alloc;
  void *alloc_user;
  ta_diag_sink sink;
  void *sink_user;
  const char *file;   /* the input file named in messages; may be NULL */
  int n_errors;       /* errors reported so far */
  int max_errors;     /* stop reporting (not checking) past this many */
  bool oom;           /* an allocation failed: the context is unusable for new work */
  size_t block_bytes; /* smallest arena block (0: 64 KiB); allocation-failure tests set 1 so
                       * that every ta_new reaches the allocation hook */
  ta_arena_block *blocks;
} ta_ctx;

/* Initialise a context in caller storage. alloc may be NULL (uses malloc/realloc/free);
 * sink may be NULL (messages are dropped but still counted). */
void ta_ctx_init(ta_ctx *ctx, ta_alloc_fn alloc, void *alloc_user, ta_diag_sink sink,
                 void *sink_user);
/* Release everything allocated from the context. */
void ta_ctx_free(ta_ctx *ctx);

/* Zeroed memory from the context's arena, aligned to 16 bytes; NULL and an error reported
 * ("out of memory") when the allocator fails. Lives until ta_ctx_free. */
void *ta_new(ta_ctx *ctx, size_t bytes);
/* ta_new(count * size) with the multiplication checked for overflow. */
void *ta_new_array(ta_ctx *ctx, size_t count, size_t size);
/* A copy of s (len bytes, then NUL) in the arena. */
char *ta_strndup(ta_ctx *ctx, const char *s, size_t len);
char *ta_strdup(ta_ctx *ctx, const char *s);
/* printf into a new arena string. */
char *ta_fmt(ta_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Raw allocation through the context's hook, for buffers that grow (ta_buf). Returns NULL and
 * reports on failure; the old block stays valid then. */
void *ta_realloc(ta_ctx *ctx, void *ptr, size_t bytes);
void ta_free(ta_ctx *ctx, void *ptr);

/* Report a message. The text is prefixed with "FILE: " when ctx->file is set. Errors are
 * counted; past max_errors they are counted but not passed to the sink. */
void ta_report(ta_ctx *ctx, ta_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ta_vreport(ta_ctx *ctx, ta_severity sev, const char *fmt, va_list ap);
/* Shorthand for an error; returns st so callers can write `return ta_err(ctx, st, ...)`. */
ta_status ta_err(ta_ctx *ctx, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checked size arithmetic: false on overflow, *out untouched then. */
bool ta_mul_size(size_t a, size_t b, size_t *out);
bool ta_add_size(size_t a, size_t b, size_t *out);

/* A growable byte buffer whose storage comes from the context's hook (freed by ta_buf_free,
 * not by the arena). Appends fail softly: ok turns false and stays false. */
typedef struct ta_buf {
  ta_ctx *ctx;
  char *data;
  size_t len;
  size_t cap;
  bool ok;
} ta_buf;

void ta_buf_init(ta_buf *b, ta_ctx *ctx);
void ta_buf_free(ta_buf *b);
void ta_buf_append(ta_buf *b, const void *data, size_t len);
void ta_buf_puts(ta_buf *b, const char *s);
void ta_buf_printf(ta_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ta_buf_vprintf(ta_buf *b, const char *fmt, va_list ap);

/* Whole-file I/O. ta_read_file: the bytes in the arena (plus a NUL after them), TA_ERR_IO with
 * a message naming the path and errno text on failure. */
ta_status ta_read_file(ta_ctx *ctx, const char *path, uint8_t **data, size_t *len);
/* Write len bytes to path atomically: to "path.tmp.<pid>" first, then rename. */
ta_status ta_write_file(ta_ctx *ctx, const char *path, const void *data, size_t len);

/* A size in bytes as people write it: a whole number, optionally followed by K, KB or KiB
 * (times 1024) or M, MB or MiB (times 1048576), as "256K", "64KiB", "1M", "4096". Binary
 * multiples throughout, as microcontroller datasheets count flash and RAM ("256 KB" = 262144).
 * false (*bytes untouched) for anything else, 0 and values past 2^48. */
bool ta_parse_bytes(const char *s, uint64_t *bytes);

/* s made fit for a message quoting a file's text: control characters and DEL as \xNN, cut
 * with "..." after max_len characters, into buf (cap bytes: 4 * max_len + 8 is enough). */
const char *ta_shown(char *buf, size_t cap, const char *s, size_t max_len);
/* What ta_parse_bytes accepts, for messages: "bytes, or with K/KiB or M/MiB (1K = 1024)". */
#define TA_BYTES_SYNTAX                                                                            \
  "a size in bytes: a whole number, optionally with K, KiB, M or MiB (1K = 1024)"
/* A clock: "120000000", "64e6", "120M", "120MHz", "32k", "32kHz": Hz from 1 kHz to 4 GHz,
 * rounded; 0 for anything else. */
uint32_t ta_parse_hz(const char *s);

/* The non-empty comma-separated items of s ("a,b,,c": a, b, c), copied into the arena, into
 * out (at most max); their number. */
int32_t ta_split_list(ta_ctx *ctx, const char *s, const char **out, int32_t max);

#define TA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Unsupported-operator tally: a frontend that meets the same missing operator many times
 * reports it once, with a count and the first node names, instead of one error per node (and
 * "too many errors" long before the last distinct one). Entries live in the context's arena.
 *   ta_tally t = {0};
 *   ta_tally_add(ctx, &t, "Erf", "node 3 Erf \"e1\": operator Erf (opset 13) is not supported",
 *                "e1");                                                 (per unsupported node)
 *   ta_tally_flush(ctx, &t, TA_ERR_UNSUPPORTED, "nodes");               (once, at the end)
 * The flush reports one error per key, in order of first appearance: the first node's line,
 * then, when more nodes share the key, "; N nodes: "e1", "e2", "e3", ..." (at most
 * TA_TALLY_NAMES names). */
#define TA_TALLY_NAMES 3
typedef struct ta_tally_entry {
  const char *key, *first_line;
  const char *names[TA_TALLY_NAMES];
  int32_t count;
} ta_tally_entry;
typedef struct ta_tally {
  ta_tally_entry *e;
  int32_t n, cap;
} ta_tally;
/* Count one more node under key (strings copied). false when out of memory (reported). */
bool ta_tally_add(ta_ctx *ctx, ta_tally *t, const char *key, const char *first_line,
                  const char *name);
/* Report every key once as an error of status st (noun: what the count counts, "nodes");
 * returns the number of keys. */
int32_t ta_tally_flush(ta_ctx *ctx, ta_tally *t, ta_status st, const char *noun);

#endif
