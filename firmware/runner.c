/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runner.c: the on-device side of a session (protocol: ta_fw_proto.h). It receives input
 * tensors, runs the model, and hands back outputs, timer ticks and memory statistics; the
 * host decides everything else. C99, no heap: every buffer is static and sized by the model's
 * macros.
 *
 * The model comes in through ta_fw_model.h, written by the host for each build:
 *   TA_FW_MODEL_ID              a checksum of the generated code (HELLO reports it, so the
 *                               host knows the board runs the model it thinks it does)
 *   TA_FW_RUN(in, out, arena)   the generated NAME_run
 *   TA_FW_ARENA_SIZE, TA_FW_ARENA_ALIGN, TA_FW_NUM_OPS, TA_FW_NUM_INPUTS, TA_FW_NUM_OUTPUTS
 *   TA_FW_INPUTS(X), TA_FW_OUTPUTS(X)   X(k, bytes) for every input / output tensor
 *
 * Timing: the timer is read just before and just after NAME_run; with per-layer timing on,
 * the generated code's NAME_PROFILE_HOOK calls ta_fw_profile_hook around every layer. With it
 * off the hook returns at once, so the whole-run figure carries only a few instructions of
 * hook overhead per layer.
 *
 * For the tests of the host's error paths, built with -DTA_FW_TEST_FAULT the runner executes
 * an undefined instruction at RUN (a fault report must reach the host), and with
 * -DTA_FW_TEST_HANG it never finishes a RUN (the host's limit must end the wait).
 */
#include <stddef.h>
#include <string.h>

#include "ta_fw.h"
#include "ta_fw_model.h"
#include "ta_fw_proto.h"

#define ALIGNED __attribute__((aligned(16)))

#define DEF_IN(k, n) static uint8_t in_buf_##k[(n) > 0 ? (n) : 1] ALIGNED;
#define DEF_OUT(k, n) static uint8_t out_buf_##k[(n) > 0 ? (n) : 1] ALIGNED;
TA_FW_INPUTS(DEF_IN)
TA_FW_OUTPUTS(DEF_OUT)
#define PTR_IN(k, n) in_buf_##k,
#define PTR_OUT(k, n) out_buf_##k,
#define BYTES(k, n) (uint32_t)(n),
static uint8_t *const in_ptr[TA_FW_NUM_INPUTS + 1] = {TA_FW_INPUTS(PTR_IN) NULL};
static uint8_t *const out_ptr[TA_FW_NUM_OUTPUTS + 1] = {TA_FW_OUTPUTS(PTR_OUT) NULL};
static const uint32_t in_bytes[TA_FW_NUM_INPUTS + 1] = {TA_FW_INPUTS(BYTES) 0};
static const uint32_t out_bytes[TA_FW_NUM_OUTPUTS + 1] = {TA_FW_OUTPUTS(BYTES) 0};

/* Bytes of each input received so far (chunks arrive in order). */
static uint32_t in_filled[TA_FW_NUM_INPUTS + 1];

static uint8_t arena[TA_FW_ARENA_SIZE > 0 ? TA_FW_ARENA_SIZE : 1]
    __attribute__((aligned(TA_FW_ARENA_ALIGN > 16 ? TA_FW_ARENA_ALIGN : 16), section(".arena")));

static volatile uint32_t prof_on;
static uint32_t prof_start;
static uint32_t layer_ticks[TA_FW_NUM_OPS > 0 ? TA_FW_NUM_OPS : 1];
static uint32_t run_stack_used;

static uint8_t rx[TA_FW_HEADER_BYTES + TA_FW_MAX_PAYLOAD + TA_FW_CRC_BYTES];
static uint8_t tx[TA_FW_MAX_PAYLOAD];

void ta_fw_after_fault(void) {
  for (;;)
    __asm volatile("wfi");
}

void ta_fw_profile_hook(int32_t op_index, int32_t phase) {
  if (!prof_on)
    return;
  uint32_t now = ta_fw_timer_now();
  if (phase == 0)
    prof_start = now;
  else if ((uint32_t)op_index < (uint32_t)TA_FW_NUM_OPS)
    layer_ticks[op_index] += prof_start - now;
}

static void do_hello(uint32_t seq) {
  uint8_t *q = tx;
  q = ta_fw_put_u32(q, TA_FW_MAGIC);
  q = ta_fw_put_u16(q, TA_FW_VERSION);
  q = ta_fw_put_u16(q, TA_FW_MAX_PAYLOAD);
  q = ta_fw_put_u32(q, TA_FW_MODEL_ID);
  q = ta_fw_put_u32(q, TA_FW_ARENA_SIZE);
  q = ta_fw_put_u16(q, TA_FW_NUM_INPUTS);
  q = ta_fw_put_u16(q, TA_FW_NUM_OUTPUTS);
  q = ta_fw_put_u16(q, TA_FW_NUM_OPS);
  q = ta_fw_put_u16(q, 0);
  q = ta_fw_put_u32(q, TA_FW_TIMER_HZ);
  for (uint32_t k = 0; k < TA_FW_NUM_INPUTS && q + 4 <= tx + sizeof tx; k++)
    q = ta_fw_put_u32(q, in_bytes[k]);
  for (uint32_t k = 0; k < TA_FW_NUM_OUTPUTS && q + 4 <= tx + sizeof tx; k++)
    q = ta_fw_put_u32(q, out_bytes[k]);
  /* Version 2: flags, code area, tensor area; a model firmware has none of them. */
  for (uint32_t k = 0; k < 5 && q + 4 <= tx + sizeof tx; k++)
    q = ta_fw_put_u32(q, 0);
  ta_fw_send_frame(TA_FW_C_HELLO | TA_FW_ANSWER, seq, tx, (uint32_t)(q - tx));
}

static void do_load(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 8) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "LOAD: short payload");
    return;
  }
  uint32_t k = p[0], off = ta_fw_get_u32(p + 4), n = len - 8;
  if (k >= TA_FW_NUM_INPUTS || off > in_bytes[k] || n > in_bytes[k] - off) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "LOAD: input index or range out of bounds");
    return;
  }
  if (off != 0 && off != in_filled[k]) {
    ta_fw_send_error(seq, TA_FW_E_STATE, "LOAD: chunk out of order");
    return;
  }
  memcpy(in_ptr[k] + off, p + 8, n);
  in_filled[k] = off + n;
  ta_fw_send_frame(TA_FW_C_LOAD | TA_FW_ANSWER, seq, tx, 0);
}

static void do_run(uint32_t seq, const uint8_t *p, uint32_t len) {
  for (uint32_t k = 0; k < TA_FW_NUM_INPUTS; k++)
    if (in_filled[k] != in_bytes[k]) {
      ta_fw_send_error(seq, TA_FW_E_STATE, "RUN: an input tensor is incomplete");
      return;
    }
  const void *ins[TA_FW_NUM_INPUTS + 1];
  void *outs[TA_FW_NUM_OUTPUTS + 1];
  for (uint32_t k = 0; k < TA_FW_NUM_INPUTS; k++)
    ins[k] = in_ptr[k];
  for (uint32_t k = 0; k < TA_FW_NUM_OUTPUTS; k++)
    outs[k] = out_ptr[k];
  memset(layer_ticks, 0, sizeof layer_ticks);
  prof_on = (len >= 1 && (p[0] & TA_FW_RUN_PROFILE)) ? 1u : 0u;
  ta_fw_stack_paint();
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  ta_fw_timer_restart();
  uint32_t t0 = ta_fw_timer_now();
#if defined(TA_FW_TEST_FAULT)
  __asm volatile("udf #0");
#elif defined(TA_FW_TEST_HANG)
  for (;;)
    __asm volatile("" ::: "memory");
#endif
  int32_t st = TA_FW_RUN(ins, outs, arena);
  uint32_t t1 = ta_fw_timer_now();
  prof_on = 0;
  uint32_t low = ta_fw_stack_low_water();
  run_stack_used = low < sp ? sp - low : 0;
  uint8_t *q = ta_fw_put_u32(tx, (uint32_t)st);
  q = ta_fw_put_u32(q, t0 - t1);
  ta_fw_send_frame(TA_FW_C_RUN | TA_FW_ANSWER, seq, tx, (uint32_t)(q - tx));
}

static void do_read(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 8) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "READ: short payload");
    return;
  }
  uint32_t k = p[0], n = ta_fw_get_u16(p + 2), off = ta_fw_get_u32(p + 4);
  if (k >= TA_FW_NUM_OUTPUTS || n > TA_FW_MAX_PAYLOAD || off > out_bytes[k] ||
      n > out_bytes[k] - off) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "READ: output index or range out of bounds");
    return;
  }
  ta_fw_send_frame(TA_FW_C_READ | TA_FW_ANSWER, seq, out_ptr[k] + off, n);
}

static void do_profile(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 4) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "PROFILE: short payload");
    return;
  }
  uint32_t first = ta_fw_get_u16(p), n = ta_fw_get_u16(p + 2);
  if (first > TA_FW_NUM_OPS || n > TA_FW_NUM_OPS - first || 4 * n > TA_FW_MAX_PAYLOAD) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "PROFILE: op range out of bounds");
    return;
  }
  for (uint32_t i = 0; i < n; i++)
    ta_fw_put_u32(tx + 4 * i, layer_ticks[first + i]);
  ta_fw_send_frame(TA_FW_C_PROFILE | TA_FW_ANSWER, seq, tx, 4 * n);
}

static void do_memstats(uint32_t seq) {
  uint8_t *q = tx;
  q = ta_fw_put_u32(q, TA_FW_ARENA_SIZE);
  q = ta_fw_put_u32(q, ta_fw_stack_size());
  q = ta_fw_put_u32(q, ta_fw_stack_top() - ta_fw_stack_low_water());
  q = ta_fw_put_u32(q, run_stack_used);
  q = ta_fw_put_u32(q, ta_fw_data_bytes());
  q = ta_fw_put_u32(q, ta_fw_bss_bytes());
  ta_fw_send_frame(TA_FW_C_MEMSTATS | TA_FW_ANSWER, seq, tx, (uint32_t)(q - tx));
}

void ta_fw_main(void) {
  ta_fw_io_init();
  for (;;) {
    int32_t len = ta_fw_recv_frame(rx);
    if (len < 0)
      continue;
    uint32_t type = rx[1], seq = rx[2], n = (uint32_t)len;
    const uint8_t *p = rx + TA_FW_HEADER_BYTES;
    switch (type) {
    case TA_FW_C_HELLO: do_hello(seq); break;
    case TA_FW_C_LOAD: do_load(seq, p, n); break;
    case TA_FW_C_RUN: do_run(seq, p, n); break;
    case TA_FW_C_READ: do_read(seq, p, n); break;
    case TA_FW_C_PROFILE: do_profile(seq, p, n); break;
    case TA_FW_C_MEMSTATS: do_memstats(seq); break;
    case TA_FW_C_CALIBRATE: ta_fw_calibrate(seq, p, n); break;
    default: ta_fw_send_error(seq, TA_FW_E_COMMAND, "unknown command"); break;
    }
  }
}
