/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npu_model.c: a MODEL of the example NPU's hardware, not a driver and not silicon. It runs
 * on the same (emulated) Cortex-M core as everything else and stands in for the engine the
 * driver (driver/npu_driver.c) talks to: a register block, a 32 KB SRAM, a DMA engine and an
 * int8 compute engine.
 *
 * What it computes: a command descriptor's DMA-in transfers are copied into npu_sram, the
 * operation runs on those SRAM copies with tinyaot's reference kernels (tart_conv2d_s8,
 * tart_fully_connected_s8: TFLite's integer arithmetic, so the results are bit-exact with
 * TFLite Micro), and the DMA-out transfer copies the result back.
 *
 * What it costs: the cycles an engine like this would take, from the description's cost
 * fields (npu.json "cost"): setup_cycles + max(MACs / macs_per_cycle, bytes / bytes_per_cycle)
 * per command, DMA overlapping compute, with bytes every byte moved in and out. They are
 * written to NPU_REG_CYCLES. The model's own instructions are not the engine's time: while it
 * runs, it pauses the board's timer (ta_fw_timer_pause/resume, provided by tinyaot's firmware;
 * the weak versions below do nothing elsewhere), so a benchmark counts the CPU's instructions
 * for everything else, the driver included, and none of the model's. `tinyaot bench` adds the
 * engine's cycles, computed on the host with the same formula from the op's MACs and operand
 * bytes. Pausing and resuming the timer loses up to one timer tick (40 instructions on the
 * emulated boards) per command.
 */
#include <stddef.h>
#include <string.h>

#include "npu_driver.h"

/* The engine's speed: npu.json's "cost" (keep the two in step). */
#define NPU_MACS_PER_CYCLE 32u
#define NPU_BYTES_PER_CYCLE 8u
#define NPU_SETUP_CYCLES 120u

/* The hardware's state: its register block and its SRAM. On silicon both are at fixed
 * addresses; in the model they are the only mutable statics of the backend. */
static uintptr_t npu_regs[NPU_REG_COUNT];
static uint8_t npu_sram[NPU_SRAM_BYTES] __attribute__((aligned(NPU_SRAM_ALIGN)));

/* The board timer's pause and resume. tinyaot's firmware (firmware/cmsdk.c) defines them;
 * anywhere else these do nothing. */
void ta_fw_timer_pause(void);
void ta_fw_timer_resume(void);
__attribute__((weak)) void ta_fw_timer_pause(void) {}
__attribute__((weak)) void ta_fw_timer_resume(void) {}

volatile uintptr_t *npu_model_regs(void) {
  return npu_regs;
}

static int dma_ok(const npu_dma *d) {
  return d->sram_off <= NPU_SRAM_BYTES && d->bytes <= NPU_SRAM_BYTES - d->sram_off;
}

static uint64_t div_up(uint64_t a, uint64_t b) {
  return (a + b - 1u) / b;
}

/* Run one descriptor; the status register's value. */
static uint32_t execute(const npu_descriptor *d) {
  uint64_t bytes = d->dma_out.bytes;
  if (d->n_in > NPU_MAX_DMA_IN || !dma_ok(&d->dma_out))
    return NPU_STATUS_ERROR;
  const void *in[NPU_MAX_DMA_IN] = {NULL, NULL, NULL};
  for (uint32_t k = 0; k < d->n_in; k++) {
    const npu_dma *t = &d->dma_in[k];
    if (!dma_ok(t))
      return NPU_STATUS_ERROR;
    if (t->bytes) {
      memcpy(npu_sram + t->sram_off, (const void *)t->cpu_addr, t->bytes);
      in[k] = npu_sram + t->sram_off;
    }
    bytes += t->bytes;
  }
  void *out[1] = {npu_sram + d->dma_out.sram_off};
  tart_status st = TART_ERR_PARAMS;
  if (d->op == NPU_OP_CONV2D_S8)
    st = tart_conv2d_s8((const tart_conv_params *)d->params, in, out, NULL);
  else if (d->op == NPU_OP_FC_S8)
    st = tart_fully_connected_s8((const tart_fc_params *)d->params, in, out, NULL);
  if (st != TART_OK)
    return NPU_STATUS_ERROR;
  memcpy((void *)d->dma_out.cpu_addr, npu_sram + d->dma_out.sram_off, d->dma_out.bytes);
  uint64_t compute = div_up(d->macs, NPU_MACS_PER_CYCLE);
  uint64_t dma = div_up(bytes, NPU_BYTES_PER_CYCLE);
  npu_regs[NPU_REG_CYCLES] = (uint32_t)(NPU_SETUP_CYCLES + (compute > dma ? compute : dma));
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
