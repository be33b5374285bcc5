/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_session.c: the host side of the device session against fake boards.
 *
 * Each fake board is a child process on the other end of a socketpair that reads one request
 * frame and answers with scripted bytes: a good answer, a corrupted frame, a wrong checksum,
 * a truncated tensor, half a frame and then silence, nothing at all. Every failure must come
 * back as an error whose message says what went wrong, within the configured limit; the
 * silent TCP peer is a listening socket that completes the handshake and never speaks.
 *
 * The tuning commands (WRITE, READMEM, CALL) run against a fake tuning firmware that keeps a
 * code and a tensor area in memory, checks ranges as the real one does and takes frames of
 * at most 256 bytes (the host must chunk by the max_payload of HELLO); its variants fault
 * during CALL (then serve HELLO again, as a board that reset itself), never answer CALL, or
 * answer CALL and READMEM short.
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
  HELLO_V1,    /* a version 1 firmware's HELLO (no flags, no areas) */
  HELLO_SHORT, /* version 2 without the appended fields */
  HELLO_V9,    /* a protocol version from the future */
  TUNER,       /* a tuning firmware: memory areas, range checks, CALL */
  TUNER_FAULT, /* ... whose CALL faults; afterwards it answers as after a reset */
  TUNER_HANG,  /* ... whose CALL never returns */
  TUNER_SHORT, /* ... whose CALL and READMEM answers are short */
} script;

#define CODE_BASE 0x20020000u
#define TENSOR_BASE 0x20030000u
#define AREA_BYTES 0x10000u
#define FAKE_MAX_PAYLOAD 256u

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

/* HELLO's payload: version, the model part, then (version >= 2, unless cut) the appended
 * flags and areas. Returns its length. */
static size_t hello_payload(uint8_t *p, uint32_t version, bool tuner, bool appended) {
  memset(p, 0, 64);
  put_u32(p, TA_FW_MAGIC);
  p[4] = (uint8_t)version;
  p[7] = tuner ? 1 : 4; /* max payload 256 or 1024 */
  if (tuner) {
    put_u32(p + 24, 25000000u);
    put_u32(p + 28, TA_FW_F_TUNER);
    put_u32(p + 32, CODE_BASE);
    put_u32(p + 36, AREA_BYTES);
    put_u32(p + 40, TENSOR_BASE);
    put_u32(p + 44, AREA_BYTES);
    return 48;
  }
  put_u32(p + 8, 0xC0FFEEu);
  put_u32(p + 12, 4096);
  p[16] = 1;
  p[18] = 1;
  p[20] = 3;
  put_u32(p + 24, 25000000u);
  put_u32(p + 28, 490);
  put_u32(p + 32, 12);
  return appended ? 56 : 36; /* flags and areas of a model firmware: zeros */
}

static bool in_area(uint32_t addr, uint32_t n, uint32_t base) {
  return addr >= base && addr - base <= AREA_BYTES && n <= AREA_BYTES - (addr - base);
}

/* The fake tuning firmware's answer to one request. */
static void fake_tuner(int fd, script sc, const uint8_t *req, size_t len, uint8_t *mem,
                       bool *faulted) {
  static uint8_t out[2 * TA_FW_MAX_PAYLOAD + 16];
  uint8_t p[64] = {0};
  uint8_t type = req[1], seq = req[2];
  const uint8_t *q = req + 5;
  size_t n = 0;
  uint8_t e[64];
  size_t en = 0;
  if (len > FAKE_MAX_PAYLOAD) {
    e[0] = TA_FW_E_FRAME;
    memcpy(e + 1, "frame above 256 bytes", en = 21);
    n = make_frame(out, TA_FW_T_ERROR, seq, e, en + 1);
  } else if (type == TA_FW_C_HELLO) {
    n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, p, hello_payload(p, 2, true, true));
  } else if (type == TA_FW_C_WRITE && len >= 4) {
    uint32_t addr = get_u32(q), m = (uint32_t)len - 4;
    bool code = in_area(addr, m, CODE_BASE), tensor = in_area(addr, m, TENSOR_BASE);
    if (code || tensor) {
      memcpy(mem + (addr - CODE_BASE), q + 4, m);
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, NULL, 0);
    } else {
      e[0] = TA_FW_E_RANGE;
      memcpy(e + 1, "WRITE: out of the areas", en = 23);
      n = make_frame(out, TA_FW_T_ERROR, seq, e, en + 1);
    }
  } else if (type == TA_FW_C_READMEM && len >= 6) {
    uint32_t addr = get_u32(q), m = (uint32_t)q[4] | (uint32_t)q[5] << 8;
    if (m <= FAKE_MAX_PAYLOAD && (in_area(addr, m, CODE_BASE) || in_area(addr, m, TENSOR_BASE)))
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, mem + (addr - CODE_BASE),
                     sc == TUNER_SHORT ? m / 2 : m);
    else {
      e[0] = TA_FW_E_RANGE;
      memcpy(e + 1, "READMEM: out of the areas", en = 25);
      n = make_frame(out, TA_FW_T_ERROR, seq, e, en + 1);
    }
  } else if (type == TA_FW_C_CALL && len >= 12) {
    uint32_t arg = get_u32(q + 4), repeat = get_u32(q + 8);
    if (sc == TUNER_HANG)
      return;
    if (sc == TUNER_FAULT && !*faulted) {
      uint32_t v[6] = {3, get_u32(q) & ~1u, 0xFFFFFFF9u, 0x01000000, 0x00010000, 0x40000000};
      for (int i = 0; i < 6; i++)
        put_u32(p + 4 * i, v[i]);
      n = make_frame(out, TA_FW_T_FAULT, 0, p, 24);
      /* The board resets: a few bytes of boot noise follow, which the host must drop. */
      out[n++] = 0x00;
      out[n++] = 0x17;
      *faulted = true;
    } else {
      uint32_t v[6] = {arg + 1, 50 * repeat, 40, TA_FW_CALL_CYCLES, 1000 * repeat, 190};
      for (int i = 0; i < 6; i++)
        put_u32(p + 4 * i, v[i]);
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER), seq, p, sc == TUNER_SHORT ? 8 : 24);
    }
  } else {
    e[0] = TA_FW_E_COMMAND;
    memcpy(e + 1, "unknown command", en = 15);
    n = make_frame(out, TA_FW_T_ERROR, seq, e, en + 1);
  }
  write_n(fd, out, n);
}

static void fake_board(int fd, script sc) {
  static uint8_t mem[0x20000]; /* code area, then tensor area */
  bool faulted = false;
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
    case HELLO_V1:
    case HELLO_SHORT:
    case HELLO_V9: {
      uint32_t version = sc == HELLO_V1 ? 1u : sc == HELLO_V9 ? 9u : TA_FW_VERSION;
      size_t m = hello_payload(p, version, false, sc != HELLO_V1 && sc != HELLO_SHORT);
      n = make_frame(out, (uint8_t)(type | TA_FW_ANSWER),
                     sc == WRONG_SEQ ? (uint8_t)(seq + 7) : seq, p, m);
      if (sc == BAD_SYNC)
        out[0] = 0x3C;
      if (sc == BAD_CRC)
        out[n - 2] ^= 0x10;
      write_n(fd, out, n);
      break;
    }
    case TUNER:
    case TUNER_FAULT:
    case TUNER_HANG:
    case TUNER_SHORT: fake_tuner(fd, sc, req, len, mem, &faulted); break;
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

/* Version 1 firmware (before the tuning commands) is still spoken to; a version 2 HELLO without
 * its appended fields, or an unknown version, is refused. */
static void test_hello_versions(void **state) {
  (void)state;
  fixture fx;
  start(&fx, HELLO_V1);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(info.version, 1);
  assert_int_equal(info.flags, 0);
  assert_int_equal(info.output_bytes[0], 12);
  stop(&fx);
  start(&fx, GOOD_HELLO);
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(info.version, 2);
  assert_int_equal(info.flags, 0);
  assert_int_equal(info.code_bytes, 0);
  stop(&fx);
  expect_hello(HELLO_SHORT, TA_ERR_MALFORMED,
               "HELLO of a version 2 firmware has 36 bytes, expected 56 (flags and areas missing)");
  expect_hello(HELLO_V9, TA_ERR_UNSUPPORTED,
               "firmware protocol version 9, this tinyaot speaks 1 to 2");
}

/* WRITE and READMEM in chunks of the board's max_payload (256 here: a bigger frame is
 * refused by the fake), CALL's answer fields, and the board's range errors. */
static void test_tuner_memory_and_call(void **state) {
  (void)state;
  fixture fx;
  start(&fx, TUNER);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(info.flags, TA_FW_F_TUNER);
  assert_int_equal(info.max_payload, FAKE_MAX_PAYLOAD);
  assert_int_equal(info.code_base, CODE_BASE);
  assert_int_equal(info.code_bytes, AREA_BYTES);
  assert_int_equal(info.tensor_base, TENSOR_BASE);
  assert_int_equal(info.tensor_bytes, AREA_BYTES);
  static uint8_t data[3001], back[3001];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 31u + 5u);
  uint32_t at = TENSOR_BASE + AREA_BYTES - (uint32_t)sizeof data; /* up to the last byte */
  assert_int_equal(ta_session_write_mem(fx.s, at, data, sizeof data), TA_OK);
  assert_int_equal(ta_session_read_mem(fx.s, at, back, sizeof back), TA_OK);
  assert_memory_equal(data, back, sizeof data);
  ta_call_result r;
  assert_int_equal(ta_session_call(fx.s, CODE_BASE | 1u, 41, 5, &r), TA_OK);
  assert_int_equal(r.ret, 42);
  assert_int_equal(r.batch_ticks, 250);
  assert_int_equal(r.min_ticks, 40);
  assert_true(r.has_cycles);
  assert_int_equal(r.batch_cycles, 5000);
  assert_int_equal(r.min_cycles, 190);
  assert_int_equal(ta_session_call(fx.s, CODE_BASE | 1u, 0, 0, &r), TA_ERR_USAGE);
  assert_non_null(strstr(fx.cap.text, "CALL with a repeat count of 0"));
  /* One byte past the tensor area: the board refuses, the session says so. */
  int64_t t0 = now_ms();
  assert_int_equal(ta_session_write_mem(fx.s, at + 1, data, sizeof data), TA_ERR_IO);
  assert_true(now_ms() - t0 < BOUND_MS);
  tt_assert_captured(&fx.cap, "the board rejected WRITE: WRITE: out of the areas (error 4)");
  stop(&fx);
  start(&fx, TUNER);
  assert_int_equal(ta_session_read_mem(fx.s, CODE_BASE - 1, back, 16), TA_ERR_IO);
  tt_assert_captured(&fx.cap, "the board rejected READMEM: READMEM: out of the areas (error 4)");
  stop(&fx);
  /* Chunks are cut by the board's max_payload: without HELLO the host assumes 1024, which
   * this board refuses. */
  start(&fx, TUNER);
  assert_int_equal(ta_session_write_mem(fx.s, TENSOR_BASE, data, 1000), TA_ERR_IO);
  tt_assert_captured(&fx.cap, "the board rejected WRITE: frame above 256 bytes (error 1)");
  stop(&fx);
}

/* A CALL that faults: an error naming the exception and pc; the session knows it was a fault,
 * and after resynchronising (the board's boot noise dropped) HELLO and CALL work again. */
static void test_tuner_call_fault(void **state) {
  (void)state;
  fixture fx;
  start(&fx, TUNER_FAULT);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_false(ta_session_faulted(fx.s));
  ta_call_result r;
  assert_int_equal(ta_session_call(fx.s, CODE_BASE + 0x101u, 0, 3, &r), TA_ERR_IO);
  tt_assert_captured(&fx.cap, "stopped with a HardFault during CALL: pc=0x20020100");
  assert_true(ta_session_faulted(fx.s));
  assert_int_equal(ta_session_hello(fx.s, &info), TA_ERR_IO); /* unusable until resync */
  assert_int_equal(ta_session_resync(fx.s, 50), TA_OK);
  assert_false(ta_session_faulted(fx.s));
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(ta_session_call(fx.s, CODE_BASE + 0x101u, 1, 3, &r), TA_OK);
  assert_int_equal(r.ret, 2);
  stop(&fx);
}

/* A CALL that never returns ends at the run limit, not as a fault; short answers are
 * rejected with the sizes. */
static void test_tuner_silent_and_short(void **state) {
  (void)state;
  fixture fx;
  start(&fx, TUNER_HANG);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  ta_call_result r;
  int64_t t0 = now_ms();
  assert_int_equal(ta_session_call(fx.s, CODE_BASE | 1u, 0, 1, &r), TA_ERR_IO);
  int64_t dt = now_ms() - t0;
  assert_true(dt >= LIMIT_MS - 20 && dt < BOUND_MS);
  tt_assert_captured(&fx.cap, "no answer to CALL within 300 ms (the board stopped answering)");
  assert_false(ta_session_faulted(fx.s));
  stop(&fx);
  start(&fx, TUNER_SHORT);
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  assert_int_equal(ta_session_call(fx.s, CODE_BASE | 1u, 0, 1, &r), TA_ERR_MALFORMED);
  tt_assert_captured(&fx.cap, "the answer to CALL has 8 payload bytes, expected 24");
  stop(&fx);
  start(&fx, TUNER_SHORT);
  assert_int_equal(ta_session_hello(fx.s, &info), TA_OK);
  uint8_t buf[300];
  assert_int_equal(ta_session_read_mem(fx.s, TENSOR_BASE, buf, sizeof buf), TA_ERR_MALFORMED);
  tt_assert_captured(&fx.cap,
                     "truncated answer: READMEM of 256 bytes at 0x20030000, the board sent 128");
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
      cmocka_unit_test(test_crc_check_value),  cmocka_unit_test(test_good_hello),
      cmocka_unit_test(test_corrupted_frame),  cmocka_unit_test(test_wrong_checksum),
      cmocka_unit_test(test_out_of_sequence),  cmocka_unit_test(test_truncated_tensor),
      cmocka_unit_test(test_truncated_frame),  cmocka_unit_test(test_silent_board),
      cmocka_unit_test(test_hang_up),          cmocka_unit_test(test_board_error_and_fault),
      cmocka_unit_test(test_silent_tcp_peer),  cmocka_unit_test(test_bad_endpoints),
      cmocka_unit_test(test_hello_versions),   cmocka_unit_test(test_tuner_memory_and_call),
      cmocka_unit_test(test_tuner_call_fault), cmocka_unit_test(test_tuner_silent_and_short),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
