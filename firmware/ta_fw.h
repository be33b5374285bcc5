/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_fw.h: the firmware's own modules, as the runner sees them.
 *
 *   startup.c  reset, .data/.bss, FPU, stack painting, fault reports
 *   cmsdk.c    the board's devices: CMSDK APB UART (polled) and CMSDK APB timer
 *   frame.c    the protocol's framing: CRC, frames out, request frames in, fault reports
 *   runner.c   the model firmware's session loop: frames in, model runs, frames out
 *   tuner.c    the tuning firmware's session loop (no model): code and tensors written into
 *              RAM, calls timed on the board (built instead of runner.c)
 *
 * What differs per board comes in as macros from the build (src/device/boards.c writes
 * them on the compiler command line), never by editing a header:
 *   TA_FW_UART_BASE    CMSDK APB UART used for the session
 *   TA_FW_UART_RX_IRQ  its receive interrupt number (NVIC; used only to wake from WFI)
 *   TA_FW_TIMER_BASE   CMSDK APB timer, free running, 32-bit, counting down
 *   TA_FW_TIMER_HZ     the frequency it counts at (the board's peripheral clock)
 *   TA_FW_BAUD         UART baud rate (115200 unless told)
 */
#ifndef TA_FW_H
#define TA_FW_H

#include <stdint.h>

#ifndef TA_FW_BAUD
#define TA_FW_BAUD 115200u
#endif

#define TA_FW_STACK_PAINT 0x5AA5C33Cu

/* startup.c */
void ta_fw_stack_paint(void);
/* Lowest stack address whose paint was overwritten (== top when untouched). */
uint32_t ta_fw_stack_low_water(void);
uint32_t ta_fw_stack_size(void);
uint32_t ta_fw_stack_top(void);
uint32_t ta_fw_data_bytes(void);
uint32_t ta_fw_bss_bytes(void);

/* cmsdk.c */
void ta_fw_io_init(void);
/* One received byte; waits (WFI) until one arrives. */
uint8_t ta_fw_getc(void);
void ta_fw_putc(uint8_t c);
/* Current value of the free-running down-counter. */
uint32_t ta_fw_timer_now(void);
/* Reload the counter (tick boundaries then fall at fixed distances from this call). */
void ta_fw_timer_restart(void);
/* Stop and restart the counter: a modelled accelerator (examples/accelerators/npu) calls
 * them around its own code, so timings count the CPU's instructions without the model's.
 * Each pause loses the tick in progress (under -icount at most 1e9 / TA_FW_TIMER_HZ
 * instructions). */
void ta_fw_timer_pause(void);
void ta_fw_timer_resume(void);

/* frame.c (payloads little-endian) */
static inline uint32_t ta_fw_get_u16(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static inline uint32_t ta_fw_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint8_t *ta_fw_put_u16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  return p + 2;
}
static inline uint8_t *ta_fw_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
  return p + 4;
}
void ta_fw_send_frame(uint32_t type, uint32_t seq, const uint8_t *payload, uint32_t len);
/* TA_FW_T_ERROR with code and msg (cut at 119 characters). */
void ta_fw_send_error(uint32_t seq, uint32_t code, const char *msg);
void ta_fw_send_fault(uint32_t exc, uint32_t pc, uint32_t lr, uint32_t xpsr, uint32_t cfsr,
                      uint32_t hfsr);
/* Wait for one request frame into rx (TA_FW_HEADER_BYTES + TA_FW_MAX_PAYLOAD +
 * TA_FW_CRC_BYTES bytes); returns its payload length, or -1 after answering a broken one. */
int32_t ta_fw_recv_frame(uint8_t *rx);
/* Answer CALIBRATE (payload p, len bytes): the ticks of a known instruction count. */
void ta_fw_calibrate(uint32_t seq, const uint8_t *p, uint32_t len);

/* runner.c or tuner.c (one of them is linked) */
void ta_fw_main(void) __attribute__((noreturn));
/* After a fault was reported: the model firmware stops; the tuning firmware resets itself. */
void ta_fw_after_fault(void) __attribute__((noreturn));
/* Called before (phase 0) and after (phase 1) every layer by the generated code. */
void ta_fw_profile_hook(int32_t op_index, int32_t phase);

#endif
