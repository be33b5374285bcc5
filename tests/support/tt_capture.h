/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tt_capture.h: the one message-capture diagnostics sink of the tests. Library code reports
 * through the context's sink and never prints; a test passes tt_capture_sink and a
 * tt_capture to ta_ctx_init and asserts on the text kept. Header only (static inline), so any
 * test can use it whatever libraries it links.
 *   tt_capture cap; memset(&cap, 0, sizeof cap); (cap.errors_only = true: errors only)
 *   ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
 *   ... assert_true(tt_captured(&cap, "expected text"));
 * In a cmocka test, tt_assert_line and tt_assert_captured check a message and print every
 * message kept when it is not there.
 */
#ifndef TT_CAPTURE_H
#define TT_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ta_base.h"

typedef struct tt_capture {
  char text[16384]; /* the messages kept, one per line; later ones dropped when full */
  char last[1024];  /* the last message kept */
  bool errors_only; /* set by the test: keep TA_ERROR messages only */
  int n;            /* messages kept (including those the text had no room for) */
  int n_warnings;   /* of those, TA_WARNING messages */
} tt_capture;

static inline void tt_capture_sink(void *user, ta_severity sev, const char *msg) {
  tt_capture *c = (tt_capture *)user;
  if (c->errors_only && sev != TA_ERROR)
    return;
  c->n++;
  c->n_warnings += sev == TA_WARNING;
  snprintf(c->last, sizeof c->last, "%s", msg);
  size_t used = strlen(c->text), n = strlen(msg);
  if (used + n + 2 <= sizeof c->text) {
    memcpy(c->text + used, msg, n);
    memcpy(c->text + used + n, "\n", 2);
  }
}

/* Forget the messages kept (errors_only stays). */
static inline void tt_capture_reset(tt_capture *c) {
  c->text[0] = c->last[0] = '\0';
  c->n = c->n_warnings = 0;
}

/* Whether some kept message contains s. */
static inline bool tt_captured(const tt_capture *c, const char *s) {
  return strstr(c->text, s) != NULL;
}

/* Whether line is one whole kept message (a line of the text). */
static inline bool tt_captured_line(const tt_capture *c, const char *line) {
  size_t n = strlen(line);
  for (const char *p = c->text; (p = strstr(p, line)) != NULL; p++)
    if ((p == c->text || p[-1] == '\n') && p[n] == '\n')
      return true;
  return false;
}

/* cmocka assertions (macros, so this header needs cmocka.h only where they are used): a kept
 * message is exactly line / contains text; on failure every kept message is printed. */
#define tt_assert_line(c, line)                                                                    \
  do {                                                                                             \
    if (!tt_captured_line((c), (line))) {                                                          \
      print_error("expected the message line\n  %s\ngot:\n%s", (line), (c)->text);                 \
      fail();                                                                                      \
    }                                                                                              \
  } while (0)
#define tt_assert_captured(c, fragment)                                                            \
  do {                                                                                             \
    if (!tt_captured((c), (fragment))) {                                                           \
      print_error("expected a message containing\n  %s\ngot:\n%s", (fragment), (c)->text);         \
      fail();                                                                                      \
    }                                                                                              \
  } while (0)
/* A status equal to want; otherwise both statuses and every kept message are printed. */
#define tt_assert_status(c, st, want)                                                              \
  do {                                                                                             \
    ta_status st_ = (st), want_ = (want);                                                          \
    if (st_ != want_) {                                                                            \
      print_error("status %s, expected %s; messages:\n%s", ta_status_name(st_),                    \
                  ta_status_name(want_), (c)->text);                                               \
      fail();                                                                                      \
    }                                                                                              \
  } while (0)

#endif
