/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base.c: the compilation context, its arena, diagnostics and checked arithmetic.
 *
 * The arena is a chain of blocks taken from the allocation hook; each ta_new bumps a pointer
 * in the newest block and opens a larger block when it does not fit. Nothing is freed
 * individually, so IR structures never need destructors.
 */
#include "ta_base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ta_arena_block {
  ta_arena_block *next;
  size_t used;
  size_t cap;
  /* Payload follows, 16-byte aligned by the header size. */
};

#define BLOCK_HEADER ((sizeof(ta_arena_block) + 15u) & ~(size_t)15u)
#define BLOCK_MIN (64u * 1024u)

static void *default_alloc(void *user, void *ptr, size_t size) {
  (void)user;
  if (size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, size);
}

const char *ta_status_name(ta_status st) {
  switch (st) {
  case TA_OK: return "ok";
  case TA_ERR_IO: return "i/o error";
  case TA_ERR_MALFORMED: return "malformed input";
  case TA_ERR_UNSUPPORTED: return "unsupported";
  case TA_ERR_LIMIT: return "limit exceeded";
  case TA_ERR_USAGE: return "usage error";
  case TA_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

void ta_ctx_init(ta_ctx *ctx, ta_alloc_fn alloc, void *alloc_user, ta_diag_sink sink,
                 void *sink_user) {
  memset(ctx, 0, sizeof(*ctx));
  ctx->alloc = alloc ? alloc : default_alloc;
  ctx->alloc_user = alloc_user;
  ctx->sink = sink;
  ctx->sink_user = sink_user;
  ctx->max_errors = TA_MAX_ERRORS_DEFAULT;
}

void ta_ctx_free(ta_ctx *ctx) {
  ta_arena_block *b = ctx->blocks;
  while (b) {
    ta_arena_block *next = b->next;
    ctx->alloc(ctx->alloc_user, b, 0);
    b = next;
  }
  ctx->blocks = NULL;
}

static void report_oom(ta_ctx *ctx, size_t bytes) {
  if (!ctx->oom) {
    ctx->oom = true;
    ta_report(ctx, TA_ERROR, "out of memory (allocating %zu bytes)", bytes);
  }
}

void *ta_new(ta_ctx *ctx, size_t bytes) {
  size_t need = (bytes + 15u) & ~(size_t)15u;
  if (need < bytes) {
    report_oom(ctx, bytes);
    return NULL;
  }
  if (need == 0)
    need = 16;
  ta_arena_block *b = ctx->blocks;
  if (!b || b->cap - b->used < need) {
    size_t min = ctx->block_bytes ? ctx->block_bytes : BLOCK_MIN;
    size_t cap = need > min ? need : min;
    size_t total;
    if (!ta_add_size(cap, BLOCK_HEADER, &total)) {
      report_oom(ctx, bytes);
      return NULL;
    }
    b = ctx->alloc(ctx->alloc_user, NULL, total);
    if (!b) {
      report_oom(ctx, bytes);
      return NULL;
    }
    b->next = ctx->blocks;
    b->used = 0;
    b->cap = cap;
    ctx->blocks = b;
  }
  uint8_t *p = (uint8_t *)b + BLOCK_HEADER + b->used;
  b->used += need;
  memset(p, 0, need);
  return p;
}

void *ta_new_array(ta_ctx *ctx, size_t count, size_t size) {
  size_t total;
  if (!ta_mul_size(count, size, &total)) {
    report_oom(ctx, SIZE_MAX);
    return NULL;
  }
  return ta_new(ctx, total);
}

char *ta_strndup(ta_ctx *ctx, const char *s, size_t len) {
  size_t total;
  if (!ta_add_size(len, 1, &total))
    return NULL;
  char *d = ta_new(ctx, total);
  if (!d)
    return NULL;
  if (len)
    memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

char *ta_strdup(ta_ctx *ctx, const char *s) {
  return ta_strndup(ctx, s, strlen(s));
}

char *ta_fmt(ta_ctx *ctx, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    va_end(ap2);
    return NULL;
  }
  char *s = ta_new(ctx, (size_t)n + 1);
  if (s)
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return s;
}

void *ta_realloc(ta_ctx *ctx, void *ptr, size_t bytes) {
  void *p = ctx->alloc(ctx->alloc_user, ptr, bytes ? bytes : 1);
  if (!p)
    report_oom(ctx, bytes);
  return p;
}

void ta_free(ta_ctx *ctx, void *ptr) {
  if (ptr)
    ctx->alloc(ctx->alloc_user, ptr, 0);
}

void ta_vreport(ta_ctx *ctx, ta_severity sev, const char *fmt, va_list ap) {
  if (sev == TA_ERROR) {
    ctx->n_errors++;
    if (ctx->n_errors > ctx->max_errors) {
      if (ctx->n_errors == ctx->max_errors + 1 && ctx->sink)
        ctx->sink(ctx->sink_user, TA_NOTE, "too many errors; further errors are not shown");
      return;
    }
  }
  if (!ctx->sink)
    return;
  char msg[1024];
  size_t off = 0;
  if (ctx->file) {
    int n = snprintf(msg, sizeof msg, "%s: ", ctx->file);
    if (n > 0)
      off = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
  }
  vsnprintf(msg + off, sizeof msg - off, fmt, ap);
  ctx->sink(ctx->sink_user, sev, msg);
}

void ta_report(ta_ctx *ctx, ta_severity sev, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ta_vreport(ctx, sev, fmt, ap);
  va_end(ap);
}

ta_status ta_err(ta_ctx *ctx, ta_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ta_vreport(ctx, TA_ERROR, fmt, ap);
  va_end(ap);
  return st;
}

bool ta_mul_size(size_t a, size_t b, size_t *out) {
  if (a != 0 && b > SIZE_MAX / a)
    return false;
  *out = a * b;
  return true;
}

bool ta_add_size(size_t a, size_t b, size_t *out) {
  if (b > SIZE_MAX - a)
    return false;
  *out = a + b;
  return true;
}

void ta_buf_init(ta_buf *b, ta_ctx *ctx) {
  memset(b, 0, sizeof(*b));
  b->ctx = ctx;
  b->ok = true;
}

void ta_buf_free(ta_buf *b) {
  ta_free(b->ctx, b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void ta_buf_append(ta_buf *b, const void *data, size_t len) {
  if (!b->ok)
    return;
  size_t need;
  if (!ta_add_size(b->len, len + 1, &need)) {
    b->ok = false;
    return;
  }
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
      if (cap > SIZE_MAX / 2) {
        b->ok = false;
        return;
      }
      cap *= 2;
    }
    char *p = ta_realloc(b->ctx, b->data, cap);
    if (!p) {
      b->ok = false;
      return;
    }
    b->data = p;
    b->cap = cap;
  }
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void ta_buf_puts(ta_buf *b, const char *s) {
  ta_buf_append(b, s, strlen(s));
}

void ta_buf_vprintf(ta_buf *b, const char *fmt, va_list ap) {
  char small[512];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  if (n < 0) {
    b->ok = false;
  } else if ((size_t)n < sizeof small) {
    ta_buf_append(b, small, (size_t)n);
  } else {
    char *big = ta_realloc(b->ctx, NULL, (size_t)n + 1);
    if (!big) {
      b->ok = false;
    } else {
      vsnprintf(big, (size_t)n + 1, fmt, ap2);
      ta_buf_append(b, big, (size_t)n);
      ta_free(b->ctx, big);
    }
  }
  va_end(ap2);
}

void ta_buf_printf(ta_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ta_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

ta_status ta_read_file(ta_ctx *ctx, const char *path, uint8_t **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return ta_err(ctx, TA_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(f);
    return ta_err(ctx, TA_ERR_IO, "'%s' is a folder, not a file (give the model file in it)", path);
  }
  ta_buf b;
  ta_buf_init(&b, ctx);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    ta_buf_append(&b, chunk, n);
  int read_error = ferror(f);
  fclose(f);
  if (read_error) {
    ta_buf_free(&b);
    return ta_err(ctx, TA_ERR_IO, "cannot read '%s'", path);
  }
  if (!b.ok) {
    ta_buf_free(&b);
    return TA_ERR_LIMIT;
  }
  uint8_t *out = ta_new(ctx, b.len + 1);
  if (!out) {
    ta_buf_free(&b);
    return TA_ERR_LIMIT;
  }
  if (b.len)
    memcpy(out, b.data, b.len);
  *data = out;
  *len = b.len;
  ta_buf_free(&b);
  return TA_OK;
}

ta_status ta_write_file(ta_ctx *ctx, const char *path, const void *data, size_t len) {
  char *tmp = ta_fmt(ctx, "%s.tmp.%ld", path, (long)getpid());
  if (!tmp)
    return TA_ERR_LIMIT;
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
  bool ok = fwrite(data, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return ta_err(ctx, TA_ERR_IO, "cannot write '%s': %s", path, strerror(e));
  }
  return TA_OK;
}

int32_t ta_split_list(ta_ctx *ctx, const char *s, const char **out, int32_t max) {
  int32_t n = 0;
  char *copy = ta_strdup(ctx, s);
  for (char *p = copy; p && *p && n < max;) {
    const size_t len = strcspn(p, ",");
    if (len)
      out[n++] = p;
    p += len;
    if (*p)
      *p++ = '\0';
  }
  return n;
}

bool ta_parse_bytes(const char *s, uint64_t *bytes) {
  uint64_t v = 0;
  const char *p = s;
  if (!s || *s < '0' || *s > '9')
    return false;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (uint64_t)(*p - '0');
    if (v > (1ull << 48))
      return false;
  }
  uint64_t unit = 1;
  if (*p == 'K' || *p == 'k')
    unit = 1024;
  else if (*p == 'M')
    unit = 1024 * 1024;
  if (unit > 1) {
    p++;
    if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0)
      p += strlen(p);
  }
  if (*p || v == 0 || v > (1ull << 48) / unit)
    return false;
  *bytes = v * unit;
  return true;
}

uint32_t ta_parse_hz(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (end == s)
    return 0;
  if (*end == 'M' || *end == 'k') {
    v *= *end == 'M' ? 1e6 : 1e3;
    end++;
  }
  if (strcmp(end, "Hz") == 0)
    end += 2;
  if (*end || !(v >= 1e3 && v <= 4e9))
    return 0;
  return (uint32_t)(v + 0.5);
}
bool ta_tally_add(ta_ctx *ctx, ta_tally *t, const char *key, const char *first_line,
                  const char *name) {
  ta_tally_entry *e = NULL;
  for (int32_t i = 0; i < t->n && !e; i++)
    if (strcmp(t->e[i].key, key) == 0)
      e = &t->e[i];
  if (!e) {
    if (t->n == t->cap) {
      const int32_t cap = t->cap ? 2 * t->cap : 8;
      ta_tally_entry *ne = ta_new_array(ctx, (size_t)cap, sizeof *ne);
      if (!ne)
        return false;
      if (t->n)
        memcpy(ne, t->e, (size_t)t->n * sizeof *ne);
      t->e = ne;
      t->cap = cap;
    }
    e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->key = ta_strdup(ctx, key);
    e->first_line = ta_strdup(ctx, first_line);
    if (!e->key || !e->first_line)
      return false;
  }
  if (e->count < TA_TALLY_NAMES && !(e->names[e->count] = ta_strdup(ctx, name ? name : "")))
    return false;
  e->count++;
  return true;
}

int32_t ta_tally_flush(ta_ctx *ctx, ta_tally *t, ta_status st, const char *noun) {
  for (int32_t i = 0; i < t->n; i++) {
    const ta_tally_entry *e = &t->e[i];
    if (e->count == 1) {
      ta_err(ctx, st, "%s", e->first_line);
      continue;
    }
    char names[320];
    size_t o = 0;
    for (int32_t k = 0; k < e->count && k < TA_TALLY_NAMES && o < sizeof names; k++) {
      const int n =
          snprintf(names + o, sizeof names - o, "%s\"%.80s\"", k ? ", " : "", e->names[k]);
      o += n > 0 ? (size_t)n : 0;
    }
    ta_err(ctx, st, "%s; %d %s: %s%s", e->first_line, (int)e->count, noun, names,
           e->count > TA_TALLY_NAMES ? ", ..." : "");
  }
  return t->n;
}

const char *ta_shown(char *buf, size_t cap, const char *s, size_t max_len) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < cap; p++) {
    if ((size_t)(p - (const unsigned char *)s) >= max_len) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
    if (*p < 0x20 || *p == 0x7f)
      o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", *p);
    else
      buf[o++] = (char)*p;
  }
  buf[o] = 0;
  return buf;
}
