/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npu_model.c: a MODEL of the example NPU's hardware, not a driver and not silicon. It runs
 * on the same (emulated) Cortex-M core as everything else and stands in for the engine the
 * driver (driver/npu_driver.c) talks to: a register block, a 32 KB SRAM, a DMA engine and an
 * int8 compute engine.
 *
 * What it computes: the operation of a command descriptor, with tinyaot's reference kernels
 * (tart_conv2d_s8, tart_fully_connected_s8: TFLite's integer arithmetic, so the results are
 * bit-exact with TFLite Micro), reading the input from and writing the result into the SRAM
 * where tinyaot's planner placed them (the generated code's pool buffer, which is the SRAM of
 * this model), and the weights from flash as the engine's DMA would. It refuses an input or
 * output not aligned to NPU_SRAM_ALIGN, as an engine whose SRAM port works in 16-byte words
 * would.
 *
 * What it costs: the cycles an engine like this would take, from the description's cost
 * fields (npu.json "cost"): setup_cycles + max(MACs / macs_per_cycle, bytes / bytes_per_cycle)
 * per command, memory traffic overlapping compute, with bytes every byte the engine reads
 * (input, weights, bias) and writes. They are written to NPU_REG_CYCLES and reported to the
 * firmware (ta_fw_accel_cycles), which adds them up per layer and sends them to `tinyaot
 * bench` with the per-layer timings. The model's own instructions are not the engine's time:
 * while it runs, it pauses the board's timer (ta_fw_timer_pause/resume, provided by tinyaot's
 * firmware; the weak versions below do nothing elsewhere), so a benchmark counts the CPU's
 * instructions for everything else, the driver included, and none of the model's. Pausing and
 * resuming the timer loses up to one timer tick (40 instructions on the emulated boards) per
 * command.
 */
#include <stddef.h>

#include "npu_driver.h"

/* The engine's speed: npu.json's "cost" (keep the two in step). */
#define NPU_MACS_PER_CYCLE 32u
#define NPU_BYTES_PER_CYCLE 8u
#define NPU_SETUP_CYCLES 120u

/* The hardware's state: its register block. On silicon it is at a fixed address; in the model
 * it is the only mutable static of the backend (the SRAM is the generated code's pool). */
static uintptr_t npu_regs[NPU_REG_COUNT];

/* The board timer's pause and resume. tinyaot's firmware (firmware/cmsdk.c) defines them;
 * anywhere else these do nothing. */
void ta_fw_timer_pause(void);
void ta_fw_timer_resume(void);
void ta_fw_accel_cycles(uint32_t cycles);
__attribute__((weak)) void ta_fw_timer_pause(void) {}
__attribute__((weak)) void ta_fw_timer_resume(void) {}
__attribute__((weak)) void ta_fw_accel_cycles(uint32_t cycles) {
  (void)cycles;
}

volatile uintptr_t *npu_model_regs(void) {
  return npu_regs;
}

static int sram_ok(uintptr_t addr) {
  return addr != 0u && addr % NPU_SRAM_ALIGN == 0u;
}

static uint64_t div_up(uint64_t a, uint64_t b) {
  return (a + b - 1u) / b;
}

/* Run one descriptor; the status register's value. */
static uint32_t execute(const npu_descriptor *d) {
  uint64_t bytes = d->out_bytes;
  if (d->n_in > NPU_MAX_IN || d->n_in < 1u || !sram_ok(d->in_addr[0]) || !sram_ok(d->out_addr))
    return NPU_STATUS_ERROR;
  const void *in[NPU_MAX_IN] = {NULL, NULL, NULL};
  for (uint32_t k = 0; k < d->n_in; k++) {
    if (d->in_bytes[k])
      in[k] = (const void *)d->in_addr[k];
    bytes += d->in_bytes[k];
  }
  void *out[1] = {(void *)d->out_addr};
  tart_status st = TART_ERR_PARAMS;
  if (d->op == NPU_OP_CONV2D_S8)
    st = tart_conv2d_s8((const tart_conv_params *)d->params, in, out, NULL);
  else if (d->op == NPU_OP_FC_S8)
    st = tart_fully_connected_s8((const tart_fc_params *)d->params, in, out, NULL);
  if (st != TART_OK)
    return NPU_STATUS_ERROR;
  uint64_t compute = div_up(d->macs, NPU_MACS_PER_CYCLE);
  uint64_t dma = div_up(bytes, NPU_BYTES_PER_CYCLE);
  npu_regs[NPU_REG_CYCLES] = (uint32_t)(NPU_SETUP_CYCLES + (compute > dma ? compute : dma));
  ta_fw_accel_cycles((uint32_t)npu_regs[NPU_REG_CYCLES]); /* the board sends them to bench */
  return NPU_STATUS_DONE;
}

void npu_model_doorbell(void) {
  if (!(npu_regs[NPU_REG_CTRL] & NPU_CTRL_START))
    return;
  ta_fw_timer_pause();
  npu_regs[NPU_REG_CTRL] = 0u;
  npu_regs[NPU_REG_STATUS] = execute((const npu_descriptor *)(uintptr_t)npu_regs[NPU_REG_DESC]);
  ta_fw_timer_resume();
}
