/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_session.c: the host side of the device session against fake boards.
 *
 * Each fake board is a child process on the other end of a socketpair that reads one request
 * frame and answers with scripted bytes: a good answer, a corrupted frame, a wrong checksum,
 * a truncated tensor, half a frame and then silence, nothing at all. Every failure must come
 * back as an error whose message says what went wrong, within the configured limit; the
 * silent TCP peer is a listening socket that completes the handshake and never speaks.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ta_fw_proto.h"
#include "ta_session.h"
#include "tt_capture.h"

#define LIMIT_MS 300
#define BOUND_MS 3000 /* every failure must be reported well within this */

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the fake board does with each request it reads. */
typedef enum script {
  GOOD_HELLO,  /* a correct HELLO answer */
  BAD_SYNC,    /* first byte is not the sync byte */
  BAD_LENGTH,  /* LEN above the maximum */
  BAD_CRC,     /* correct frame, checksum off by one bit */
  SHORT_READ,  /* READ answered with fewer bytes than asked */
  HALF_FRAME,  /* header and part of the payload, then silence */
  SILENT,      /* reads the request, never answers */
  HANG_UP,     /* reads the request, closes the connection */
  WRONG_SEQ,   /* answers with another sequence number */
  BOARD_ERROR, /* answers TA_FW_T_ERROR */
  FAULT,       /* answers TA_FW_T_FAULT */
} script;

static void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static size_t make_frame(uint8_t *f, uint8_t type, uint8_t seq, const uint8_t *payload,
                         size_t len) {
  f[0] = TA_FW_SYNC;
  f[1] = type;
  f[2] = seq;
  f[3] = (uint8_t)len;
  f[4] = (uint8_t)(len >> 8);
  if (len)
    memcpy(f + 5, payload, len);
  put_u32(f + 5 + len, ta_session_crc32(0, f + 1, 4 + len));
  return 5 + len + 4;
}

static bool read_n(int fd, uint8_t *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r <= 0)
      return false;
    got += (size_t)r;
  }
  return true;
}

static void write_n(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0)
      return;
    p += w;
    n -= (size_t)w;
  }
}

static void fake_board(int fd, script sc) {
  uint8_t req[TA_FW_HEADER_BYTES + TA_FW_MAX_PAYLOAD + TA_FW_CRC_BYTES];
  uint8_t out[2 * TA_FW_MAX_PAYLOAD];
  for (;;) {
    if (!read_n(fd, req, 5))
      return;
    size_t len = (size_t)req[3] | (size_t)req[4] << 8;
    if (!read_n(fd, req + 5, len + 4))
      return;
    uint8_t type = req[1], seq = req[2];
    uint8_t p[64] = {0};
    size_t n = 0;
    switch (sc) {
    case GOOD_HELLO:
    case BAD_SYNC:
    case BAD_CRC:
    case WRONG_SEQ:
      put_u32(p, TA_FW_MAGIC);
      p[4] = TA_FW_VERSION;
      p[6] = 0;
      p[7] = 4; /* max payload 1024 */
      put_u32(p + 8, 0xC0FFEEu);
      put_u32(p + 12, 4096);
      p[16] = 1;
      p[18] = 1;
      p[20] = 3;
      put_u32(p + 24, 25000000u);
      put_u32(p + 28, 490);
      put_u32(p + 32, 12);
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER),
                     sc == WRONG_SEQ ? (uint8_t)(seq + 7) : seq, p, 36);
      if (sc == BAD_SYNC)
        out[0] = 0x3C;
      if (sc == BAD_CRC)
        out[n - 2] ^= 0x10;
      write_n(fd, out, n);
      break;
    case BAD_LENGTH:
      out[0] = TA_FW_SYNC;
      out[1] = (uint8_t)(type | TA_FW_ANSWER);
      out[2] = seq;
      out[3] = 0xFF;
      out[4] = 0xFF;
      write_n(fd, out, 5);
      break;
    case SHORT_READ: {
      static uint8_t data[TA_FW_MAX_PAYLOAD];
      size_t want = (size_t)req[7] | (size_t)req[8] << 8;
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, data, want / 2);
      write_n(fd, out, n);
      break;
    }
    case HALF_FRAME:
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, p, 40);
      write_n(fd, out, 12);
      pause();
      return;
    case SILENT: pause(); return;
    case HANG_UP: return;
    case BOARD_ERROR: {
      uint8_t e[] = {TA_FW_E_RANGE, 'o', 'u', 't', ' ', 'o', 'f', ' ', 'r', 'a', 'n', 'g', 'e'};
      n = make_frame(out, TA_FW_T_ERROR, seq, e, sizeof e);
      write_n(fd, out, n);
      break;
    }
    case FAULT: {
      uint32_t v[6] = {3, 0x1234, 0x5679, 0x01000000, 0x00000400, 0x40000000};
      for (int i = 0; i < 6; i++)
        put_u32(p + 4 * i, v[i]);
      n = make_frame(out, TA_FW_T_FAULT, 0, p, 24);
      write_n(fd, out, n);
      break;
    }
    }
  }
}

typedef struct fixture {
  ta_ctx ctx;
  tt_capture cap;
  pid_t child;
  ta_session *s;
} fixture;

static void start(fixture *fx, script sc) {
  memset(fx, 0, sizeof *fx);
  ta_ctx_init(&fx->ctx, NULL, NULL, tt_capture_sink, &fx->cap);
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fx->child = fork();
  assert_true(fx->child >= 0);
  if (fx->child == 0) {
    close(sv[0]);
    fake_board(sv[1], sc);
    _exit(0);
  }
  close(sv[1]);
  assert_int_equal(ta_session_open_fd(&fx->ctx, sv[0], "fake board", &fx->s), TA_OK);
  ta_session_limits lim = {LIMIT_MS, LIMIT_MS};
  ta_session_set_limits(fx->s, &lim);
}

static void stop(fixture *fx) {
  ta_session_close(fx->s);
  if (fx->child > 0) {
    kill(fx->child, SIGKILL);
    waitpid(fx->child, NULL, 0);
  }
  ta_ctx_free(&fx->ctx);
}

/* Run HELLO against a script; expect status st and a message containing `want`. */
static void expect_hello(script sc, ta_status want_st, const char *want) {
  fixture fx;
  start(&fx, sc);
  ta_fw_info info;
  int64_t t0 = now_ms();
  ta_status st = ta_session_hello(fx.s, &info);
  int64_t dt = now_ms() - t0;
  if (st != want_st || !strstr(fx.cap.text, want))
    fail_msg("script %d: status %d (want %d), message \"%s\" (want \"%s\")", (int)sc, (int)st,
             (int)want_st, fx.cap.text, want);
  assert_true(dt < BOUND_MS);
  /* The session is now unusable, and says so at once. */
  if (st != TA_OK) {
    t0 = now_ms();
    assert_int_not_equal(ta_session_hello(fx.s, &info), TA_OK);
    assert_true(now_ms() - t0 < 50);
    assert_non_null(strstr(fx.cap.text, "unusable"));
  }
  stop(&fx);
}

static void test_crc_check_value(void **state) {
  (void)state;
  /* The CRC-32 check value of "123456789" (IEEE 802.3, as zlib). */
  assert_int_equal(ta_session_crc32(0, "123456789", 9), 0xCBF43926u);
}

static void test_good_hello(void **state) {
  (void)state;
  fixture fx;
  start(&fx, GOOD_HELLO);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(info.model_id, 0xC0FFEEu);
  assert_int_equal(info.n_inputs, 1);
  assert_int_equal(info.n_outputs, 1);
  assert_int_equal(info.n_ops, 3);
  assert_int_equal(info.input_bytes[0], 490);
  assert_int_equal(info.output_bytes[0], 12);
  assert_int_equal(info.timer_hz, 25000000u);
  /* A second request on the same session works too. */
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  stop(&fx);
}

static void test_corrupted_frame(void **state) {
  (void)state;
  expect_hello(BAD_SYNC, TA_ERR_MALFORMED, "first byte 0x3c, expected the sync byte 0xa5");
  expect_hello(BAD_LENGTH, TA_ERR_MALFORMED, "payload length 65535, at most 1024 allowed");
}

static void test_wrong_checksum(void **state) {
  (void)state;
  expect_hello(BAD_CRC, TA_ERR_MALFORMED, "wrong checksum in the answer to HELLO");
}

static void test_out_of_sequence(void **state) {
  (void)state;
  expect_hello(WRONG_SEQ, TA_ERR_MALFORMED, "answer out of sequence");
}

static void test_truncated_tensor(void **state) {
  (void)state;
  fixture fx;
  start(&fx, SHORT_READ);
  uint8_t buf[3000];
  int64_t t0 = now_ms();
  assert_int_equal(ta_session_read_output(fx.s, 0, buf, sizeof buf), TA_ERR_MALFORMED);
  assert_true(now_ms() - t0 < BOUND_MS);
  assert_non_null(strstr(fx.cap.text, "truncated tensor: output 0, bytes [0, 1024) of 3000 "
                                      "requested, the board sent 512"));
  stop(&fx);
}

static void test_truncated_frame(void **state) {
  (void)state;
  expect_hello(HALF_FRAME, TA_ERR_IO,
               "7 of 44 bytes of the frame payload and checksum received "
               "(truncated frame)");
}

static void test_silent_board(void **state) {
  (void)state;
  expect_hello(SILENT, TA_ERR_IO, "no answer to HELLO within 300 ms");
}

static void test_hang_up(void **state) {
  (void)state;
  expect_hello(HANG_UP, TA_ERR_IO, "closed the connection while answering HELLO");
}

static void test_board_error_and_fault(void **state) {
  (void)state;
  expect_hello(BOARD_ERROR, TA_ERR_IO, "the board rejected HELLO: out of range (error 4)");
  expect_hello(FAULT, TA_ERR_IO, "stopped with a HardFault during HELLO: pc=0x00001234");
}

/* A TCP peer that accepts (the kernel completes the handshake from the backlog) and never
 * says anything: connect succeeds, the first answer times out. */
static void test_silent_tcp_peer(void **state) {
  (void)state;
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(ls >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(ls, 4), 0);
  assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
  char where[64];
  snprintf(where, sizeof where, "tcp:127.0.0.1:%u", ntohs(a.sin_port));
  ta_ctx ctx;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  ta_session *s;
  assert_int_equal(ta_session_connect(&ctx, where, 1000, &s), TA_OK);
  ta_session_limits lim = {LIMIT_MS, LIMIT_MS};
  ta_session_set_limits(s, &lim);
  ta_fw_info info;
  int64_t t0 = now_ms();
  assert_int_equal(ta_session_hello(s, &info), TA_ERR_IO);
  int64_t dt = now_ms() - t0;
  assert_true(dt >= LIMIT_MS - 20 && dt < BOUND_MS);
  assert_non_null(strstr(cap.text, "no answer to HELLO within 300 ms"));
  /* RUN has its own limit. */
  ta_session_close(s);
  assert_int_equal(ta_session_connect(&ctx, where, 1000, &s), TA_OK);
  ta_session_set_limits(s, &lim);
  int32_t model_st;
  uint32_t ticks;
  t0 = now_ms();
  assert_int_equal(ta_session_run(s, false, &model_st, &ticks), TA_ERR_IO);
  assert_true(now_ms() - t0 < BOUND_MS);
  assert_non_null(strstr(cap.text, "no answer to RUN within 300 ms"));
  ta_session_close(s);
  close(ls);
  ta_ctx_free(&ctx);
}

static void test_bad_endpoints(void **state) {
  (void)state;
  ta_ctx ctx;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  ta_session *s;
  assert_int_equal(ta_session_connect(&ctx, "tcp:nohostport", 100, &s), TA_ERR_USAGE);
  assert_non_null(strstr(cap.text, "expected tcp:HOST:PORT"));
  assert_int_equal(ta_session_connect(&ctx, "/nonexistent/ttyUSB9", 100, &s), TA_ERR_IO);
  assert_non_null(strstr(cap.text, "cannot open '/nonexistent/ttyUSB9'"));
  assert_int_equal(ta_session_connect(&ctx, "/dev/null", 100, &s), TA_ERR_IO);
  assert_non_null(strstr(cap.text, "is not a serial device"));
  assert_int_equal(ta_session_connect(&ctx, "/dev/ttyS0@12345", 100, &s), TA_ERR_USAGE);
  assert_non_null(strstr(cap.text, "unsupported baud rate"));
  ta_ctx_free(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crc_check_value), cmocka_unit_test(test_good_hello),
      cmocka_unit_test(test_corrupted_frame), cmocka_unit_test(test_wrong_checksum),
      cmocka_unit_test(test_out_of_sequence), cmocka_unit_test(test_truncated_tensor),
      cmocka_unit_test(test_truncated_frame), cmocka_unit_test(test_silent_board),
      cmocka_unit_test(test_hang_up),         cmocka_unit_test(test_board_error_and_fault),
      cmocka_unit_test(test_silent_tcp_peer), cmocka_unit_test(test_bad_endpoints),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
