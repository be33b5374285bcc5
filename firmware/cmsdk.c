/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmsdk.c: the two devices the runner needs, as found on the Arm MPS2 boards (and in many
 * Cortex-M SoCs built from the Cortex-M System Design Kit).
 *
 * UART (CMSDK APB UART): DATA +0x00, STATE +0x04 (bit 0 TX full, bit 1 RX full), CTRL +0x08
 * (bit 0 TX enable, bit 1 RX enable, bit 3 RX interrupt enable), INTSTATUS +0x0C (write 1 to
 * clear), BAUDDIV +0x10 (peripheral clock / baud, at least 16). Polled; while waiting for a
 * byte the core sleeps in WFI: the RX interrupt is enabled in the UART and the NVIC but never
 * taken (PRIMASK is set), and a pending interrupt still ends WFI. An emulator then idles
 * instead of spinning.
 *
 * Timer (CMSDK APB timer): CTRL +0x00 (bit 0 enable), VALUE +0x04, RELOAD +0x08. It counts
 * down at the peripheral clock and reloads at zero; with RELOAD = 0xFFFFFFFF, the difference
 * of two readings (mod 2^32) is the elapsed ticks for up to 2^32 ticks (171 s at 25 MHz).
 * Under QEMU -icount shift=0 one tick is exactly 1e9 / TA_FW_TIMER_HZ instructions.
 * Writing VALUE restarts the count, which also fixes where the tick boundaries fall relative
 * to the code that follows: a measurement started right after a restart gives the same ticks
 * on every run, whatever the (real-time dependent) idle time before it.
 */
#include "ta_fw.h"

#define REG(base, off) (*(volatile uint32_t *)((uintptr_t)(base) + (off)))

#define UART_DATA REG(TA_FW_UART_BASE, 0x00u)
#define UART_STATE REG(TA_FW_UART_BASE, 0x04u)
#define UART_CTRL REG(TA_FW_UART_BASE, 0x08u)
#define UART_INTSTATUS REG(TA_FW_UART_BASE, 0x0Cu)
#define UART_BAUDDIV REG(TA_FW_UART_BASE, 0x10u)
#define UART_TXFULL 1u
#define UART_RXFULL 2u
#define UART_TX_EN 1u
#define UART_RX_EN 2u
#define UART_RX_INTEN 8u
#define UART_RX_INT 2u

#define TIMER_CTRL REG(TA_FW_TIMER_BASE, 0x00u)
#define TIMER_VALUE REG(TA_FW_TIMER_BASE, 0x04u)
#define TIMER_RELOAD REG(TA_FW_TIMER_BASE, 0x08u)

#define NVIC_ISER(n) REG(0xE000E100u, 4u * (n))
#define NVIC_ICPR(n) REG(0xE000E280u, 4u * (n))
#define RX_IRQ_WORD ((uint32_t)(TA_FW_UART_RX_IRQ) / 32u)
#define RX_IRQ_BIT (1u << ((uint32_t)(TA_FW_UART_RX_IRQ) % 32u))

void ta_fw_io_init(void) {
  UART_BAUDDIV = (uint32_t)(TA_FW_TIMER_HZ) / (uint32_t)(TA_FW_BAUD);
  UART_CTRL = UART_TX_EN | UART_RX_EN | UART_RX_INTEN;
  NVIC_ICPR(RX_IRQ_WORD) = RX_IRQ_BIT;
  NVIC_ISER(RX_IRQ_WORD) = RX_IRQ_BIT;
  TIMER_CTRL = 0;
  TIMER_RELOAD = 0xFFFFFFFFu;
  TIMER_VALUE = 0xFFFFFFFFu;
  TIMER_CTRL = 1u;
}

uint8_t ta_fw_getc(void) {
  while (!(UART_STATE & UART_RXFULL))
    __asm volatile("wfi" ::: "memory");
  uint8_t c = (uint8_t)UART_DATA;
  /* Clear the interrupt in the UART, then in the NVIC; the loop above re-checks RXFULL
   * before sleeping, so a byte that arrives in between is never slept through. */
  UART_INTSTATUS = UART_RX_INT;
  NVIC_ICPR(RX_IRQ_WORD) = RX_IRQ_BIT;
  return c;
}

void ta_fw_putc(uint8_t c) {
  while (UART_STATE & UART_TXFULL) {
  }
  UART_DATA = c;
}

uint32_t ta_fw_timer_now(void) {
  return TIMER_VALUE;
}

void ta_fw_timer_restart(void) {
  TIMER_VALUE = 0xFFFFFFFFu;
}

void ta_fw_timer_pause(void) {
  TIMER_CTRL = 0u;
}

void ta_fw_timer_resume(void) {
  TIMER_CTRL = 1u;
}
