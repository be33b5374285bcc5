/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuner.c: the tuning firmware's side of a session (protocol: ta_fw_proto.h). No model is
 * linked: the host writes code (a blob linked at the code area) and tensors (into the tensor
 * area) with WRITE, runs an entry point of the blob with CALL, reads results with READMEM.
 * A candidate kernel is thus measured on the board without reflashing it.
 *
 * The two areas are RAM the firmware itself does not use; they come from the build as
 * macros (src/device/boards.c, ta_board_tune_areas): TA_FW_CODE_BASE, TA_FW_CODE_BYTES,
 * TA_FW_TENSOR_BASE, TA_FW_TENSOR_BYTES. Every WRITE and READMEM range must lie inside one of
 * them, and a CALL entry inside the code area, so a host bug cannot overwrite the firmware.
 *
 * CALL times every call with the board timer (restarted first, as RUN does, so QEMU gives the
 * same ticks every time) and, where the core has a DWT cycle counter that really counts,
 * with it too. A fault inside the called code is reported (TA_FW_T_FAULT, from startup.c) and
 * the board then resets itself (SYSRESETREQ), so the host can say HELLO again and go on.
 */
#include <stddef.h>
#include <string.h>

#include "ta_fw.h"
#include "ta_fw_proto.h"

#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define SCB_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define DWT_CTRL_CYCCNTENA 1u

static uint8_t rx[TA_FW_HEADER_BYTES + TA_FW_MAX_PAYLOAD + TA_FW_CRC_BYTES];
static uint8_t tx[TA_FW_MAX_PAYLOAD];
static uint32_t has_cycles;

typedef int32_t (*entry_fn)(uint32_t arg);

/* Reset the whole board once the fault report is out. A real UART may still be shifting the
 * last bytes: wait about 2 ms of timer ticks first (a CMSDK UART has no "transmitter empty"
 * flag). */
void ta_fw_after_fault(void) {
  ta_fw_timer_restart();
  uint32_t t0 = ta_fw_timer_now();
  while (t0 - ta_fw_timer_now() < (uint32_t)(TA_FW_TIMER_HZ) / 500u) {
  }
  __asm volatile("dsb" ::: "memory");
  SCB_AIRCR = (0x05FAu << 16) | (SCB_AIRCR & 0x0700u) | (1u << 2); /* VECTKEY, SYSRESETREQ */
  __asm volatile("dsb" ::: "memory");
  for (;;)
    __asm volatile("wfi");
}

/* The DWT cycle counter counts when the core has one (NOCYCCNT clear) and it advances: an
 * emulator may show the registers but never count (QEMU reads them as zero). */
static uint32_t cycles_probe(void) {
  SCB_DEMCR |= DEMCR_TRCENA;
  if (DWT_CTRL & DWT_CTRL_NOCYCCNT)
    return 0;
  DWT_CYCCNT = 0;
  DWT_CTRL |= DWT_CTRL_CYCCNTENA;
  uint32_t c0 = DWT_CYCCNT;
  for (volatile uint32_t i = 0; i < 16u; i++) {
  }
  return DWT_CYCCNT != c0 ? 1u : 0u;
}

/* [addr, addr + n) inside the code area or inside the tensor area (no wrap-around). */
static int in_area(uint32_t addr, uint32_t n, uint32_t base, uint32_t bytes) {
  return addr >= base && addr - base <= bytes && n <= bytes - (addr - base);
}
static int in_areas(uint32_t addr, uint32_t n) {
  return in_area(addr, n, TA_FW_CODE_BASE, TA_FW_CODE_BYTES) ||
         in_area(addr, n, TA_FW_TENSOR_BASE, TA_FW_TENSOR_BYTES);
}

static void do_hello(uint32_t seq) {
  uint8_t *q = tx;
  q = ta_fw_put_u32(q, TA_FW_MAGIC);
  q = ta_fw_put_u16(q, TA_FW_VERSION);
  q = ta_fw_put_u16(q, TA_FW_MAX_PAYLOAD);
  q = ta_fw_put_u32(q, 0); /* model id: no model */
  q = ta_fw_put_u32(q, 0); /* arena */
  q = ta_fw_put_u16(q, 0); /* inputs, outputs, ops, reserved */
  q = ta_fw_put_u16(q, 0);
  q = ta_fw_put_u16(q, 0);
  q = ta_fw_put_u16(q, 0);
  q = ta_fw_put_u32(q, TA_FW_TIMER_HZ);
  q = ta_fw_put_u32(q, TA_FW_F_TUNER);
  q = ta_fw_put_u32(q, TA_FW_CODE_BASE);
  q = ta_fw_put_u32(q, TA_FW_CODE_BYTES);
  q = ta_fw_put_u32(q, TA_FW_TENSOR_BASE);
  q = ta_fw_put_u32(q, TA_FW_TENSOR_BYTES);
  ta_fw_send_frame(TA_FW_C_HELLO | TA_FW_ANSWER, seq, tx, (uint32_t)(q - tx));
}

static void do_write(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 4) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "WRITE: short payload");
    return;
  }
  uint32_t addr = ta_fw_get_u32(p), n = len - 4;
  if (!in_areas(addr, n)) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "WRITE: range outside the code and tensor areas");
    return;
  }
  memcpy((void *)(uintptr_t)addr, p + 4, n);
  ta_fw_send_frame(TA_FW_C_WRITE | TA_FW_ANSWER, seq, tx, 0);
}

static void do_readmem(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 6) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "READMEM: short payload");
    return;
  }
  uint32_t addr = ta_fw_get_u32(p), n = ta_fw_get_u16(p + 4);
  if (n > TA_FW_MAX_PAYLOAD || !in_areas(addr, n)) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "READMEM: range outside the code and tensor areas");
    return;
  }
  ta_fw_send_frame(TA_FW_C_READMEM | TA_FW_ANSWER, seq, (const uint8_t *)(uintptr_t)addr, n);
}

static void do_call(uint32_t seq, const uint8_t *p, uint32_t len) {
  if (len < 12) {
    ta_fw_send_error(seq, TA_FW_E_FRAME, "CALL: short payload");
    return;
  }
  uint32_t entry = ta_fw_get_u32(p), arg = ta_fw_get_u32(p + 4), repeat = ta_fw_get_u32(p + 8);
  if (!(entry & 1u) || !in_area(entry & ~1u, 2, TA_FW_CODE_BASE, TA_FW_CODE_BYTES)) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "CALL: entry not a Thumb address in the code area");
    return;
  }
  if (repeat == 0) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "CALL: zero repeats");
    return;
  }
  entry_fn fn = (entry_fn)(uintptr_t)entry;
  /* The code area was just written as data: complete the writes, refetch instructions. */
  __asm volatile("dsb\n\tisb" ::: "memory");
  int32_t ret = 0;
  uint32_t min_ticks = 0xFFFFFFFFu, min_cycles = 0xFFFFFFFFu;
  ta_fw_timer_restart();
  uint32_t t0 = ta_fw_timer_now(), c0 = has_cycles ? DWT_CYCCNT : 0;
  for (uint32_t i = 0; i < repeat; i++) {
    uint32_t a = ta_fw_timer_now(), ca = has_cycles ? DWT_CYCCNT : 0;
    ret = fn(arg);
    uint32_t b = ta_fw_timer_now(), cb = has_cycles ? DWT_CYCCNT : 0;
    if (a - b < min_ticks)
      min_ticks = a - b;
    if (cb - ca < min_cycles)
      min_cycles = cb - ca;
  }
  uint32_t t1 = ta_fw_timer_now(), c1 = has_cycles ? DWT_CYCCNT : 0;
  uint8_t *q = ta_fw_put_u32(tx, (uint32_t)ret);
  q = ta_fw_put_u32(q, t0 - t1);
  q = ta_fw_put_u32(q, min_ticks);
  q = ta_fw_put_u32(q, has_cycles ? TA_FW_CALL_CYCLES : 0u);
  q = ta_fw_put_u32(q, has_cycles ? c1 - c0 : 0u);
  q = ta_fw_put_u32(q, has_cycles ? min_cycles : 0u);
  ta_fw_send_frame(TA_FW_C_CALL | TA_FW_ANSWER, seq, tx, (uint32_t)(q - tx));
}

void ta_fw_main(void) {
  ta_fw_io_init();
  has_cycles = cycles_probe();
  for (;;) {
    int32_t len = ta_fw_recv_frame(rx);
    if (len < 0)
      continue;
    uint32_t type = rx[1], seq = rx[2], n = (uint32_t)len;
    const uint8_t *p = rx + TA_FW_HEADER_BYTES;
    switch (type) {
    case TA_FW_C_HELLO: do_hello(seq); break;
    case TA_FW_C_WRITE: do_write(seq, p, n); break;
    case TA_FW_C_READMEM: do_readmem(seq, p, n); break;
    case TA_FW_C_CALL: do_call(seq, p, n); break;
    case TA_FW_C_CALIBRATE: ta_fw_calibrate(seq, p, n); break;
    default: ta_fw_send_error(seq, TA_FW_E_COMMAND, "unknown command"); break;
    }
  }
}
