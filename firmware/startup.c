/* SPDX-License-Identifier: Apache-2.0 */
/*
 * startup.c: reset and fault handling for the Cortex-M boards (ARMv7-M and ARMv8-M Mainline).
 *
 * The processor loads SP from word 0 of the vector table and jumps to word 1 (ta_fw_reset),
 * so C runs from the first instruction. Reset then: enables the FPU when the core has one
 * (CPACR grants CP10/CP11), copies .data from its load address in flash to RAM, zeroes .bss,
 * paints the unused stack with TA_FW_STACK_PAINT (the high-water mark is found later by
 * looking for the deepest word that changed), and enters the runner loop. Interrupts stay
 * masked (PRIMASK) for the whole life of the firmware: the runner polls, and only faults are
 * taken, which report themselves to the host (TA_FW_T_FAULT) and then stop (model firmware)
 * or reset the board (tuning firmware): ta_fw_after_fault.
 *
 * Symbols from link.ld: __data_load, __data_start, __data_end, __bss_start, __bss_end,
 * __stack_bottom, __stack_top.
 */
#include <stdint.h>

#include "ta_fw.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

void ta_fw_reset(void) __attribute__((noreturn));
void ta_fw_fault(void) __attribute__((naked, noreturn));
void ta_fw_fault_report(const uint32_t *frame, uint32_t exc_return) __attribute__((noreturn));

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)

/* The vector table: initial SP, reset, then the system exceptions (all faults go to one
 * handler). No interrupt is ever enabled, so no IRQ entries are needed. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    ta_fw_reset,
    ta_fw_fault, /* NMI */
    ta_fw_fault, /* HardFault */
    ta_fw_fault, /* MemManage */
    ta_fw_fault, /* BusFault */
    ta_fw_fault, /* UsageFault */
    ta_fw_fault, /* SecureFault (ARMv8-M) */
    0,
    0,
    0,
    ta_fw_fault, /* SVCall */
    ta_fw_fault, /* DebugMonitor */
    0,
    ta_fw_fault, /* PendSV */
    ta_fw_fault, /* SysTick */
};

void ta_fw_reset(void) {
  __asm volatile("cpsid i" ::: "memory");
#if defined(__ARM_FP)
  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
  __asm volatile("dsb\n\tisb" ::: "memory");
#endif
#if defined(__ARM_ARCH_8M_MAIN__)
  /* A stack overflow faults (UsageFault STKOF) instead of corrupting .bss. */
  __asm volatile("msr msplim, %0" ::"r"(__stack_bottom));
#endif
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
    *dst++ = *src++;
  for (uint32_t *p = __bss_start; p < __bss_end;)
    *p++ = 0;
  ta_fw_stack_paint();
  ta_fw_main();
}

void ta_fw_stack_paint(void) {
  uint32_t *sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  /* Leave the words near the current frame alone: this function's own frame is there. */
  for (uint32_t *p = __stack_bottom; p < sp - 16;)
    *p++ = TA_FW_STACK_PAINT;
}

uint32_t ta_fw_stack_low_water(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == TA_FW_STACK_PAINT)
    p++;
  return (uint32_t)(uintptr_t)p;
}

uint32_t ta_fw_stack_size(void) {
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

uint32_t ta_fw_stack_top(void) {
  return (uint32_t)(uintptr_t)__stack_top;
}

uint32_t ta_fw_data_bytes(void) {
  return (uint32_t)((uintptr_t)__data_end - (uintptr_t)__data_start);
}

uint32_t ta_fw_bss_bytes(void) {
  return (uint32_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start);
}

/* Every fault: hand the stacked exception frame (on MSP: the firmware never uses PSP) and
 * EXC_RETURN to the reporter. */
void ta_fw_fault(void) {
  __asm volatile("mrs r0, msp\n\t"
                 "mov r1, lr\n\t"
#if defined(__ARM_ARCH_8M_MAIN__)
                 /* After a stack overflow MSP sits at the limit: lift it, or the reporter's
                  * own pushes would fault again (a lockup). */
                 "movs r2, #0\n\t"
                 "msr msplim, r2\n\t"
#endif
                 "b ta_fw_fault_report\n\t");
}

void ta_fw_fault_report(const uint32_t *frame, uint32_t exc_return) {
  (void)exc_return;
  uint32_t exc = SCB_ICSR & 0x1FFu;
  /* The stacked frame: r0, r1, r2, r3, r12, lr, pc, xpsr. A fault while pushing it (stack
   * overflow) leaves MSP outside the stack; then report zeros. */
  uint32_t pc = 0, lr = 0, xpsr = 0;
  if ((uintptr_t)frame >= (uintptr_t)__stack_bottom &&
      (uintptr_t)(frame + 8) <= (uintptr_t)__stack_top) {
    lr = frame[5];
    pc = frame[6];
    xpsr = frame[7];
  }
  ta_fw_send_fault(exc, pc, lr, xpsr, SCB_CFSR, SCB_HFSR);
  ta_fw_after_fault();
}
