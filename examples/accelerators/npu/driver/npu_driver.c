/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npu_driver.c: the example NPU's driver (see npu_driver.h for the part). Each call lays the
 * layer's operands out in the NPU's 32 KB SRAM, one after the other from offset 0, fills a
 * command descriptor, starts it and waits for done.
 *
 * Memory: the SRAM belongs to this layer call only. Operands are copied in and the result
 * copied out by the engine's DMA on every call; nothing stays in SRAM between layers. The
 * description's memory_pool (npu_sram, 32768 bytes) is read by tinyaot but the planner does
 * not place operands there yet, so no layer hands the next one its output in SRAM. Its
 * max_tensor_bytes constraints keep each operand at or below half the SRAM; an op whose
 * operands together do not fit is refused here with TART_ERR_PARAMS (the run fails, loudly).
 */
#include <stddef.h>

#include "npu_driver.h"

static uint32_t align_up(uint32_t v) {
  return (v + NPU_SRAM_ALIGN - 1u) & ~(NPU_SRAM_ALIGN - 1u);
}

/* Place operand (ptr, bytes) at *off in SRAM as transfer d; false when it does not fit. */
static int place(npu_dma *d, const void *ptr, uint32_t bytes, uint32_t *off) {
  d->cpu_addr = (uintptr_t)ptr;
  d->sram_off = *off;
  d->bytes = ptr ? bytes : 0u;
  if (d->bytes > NPU_SRAM_BYTES - *off)
    return 0;
  *off = align_up(*off + d->bytes);
  if (*off > NPU_SRAM_BYTES)
    *off = NPU_SRAM_BYTES;
  return 1;
}

/* Start the descriptor and wait for the engine. */
static tart_status run(const npu_descriptor *desc) {
  volatile uintptr_t *regs = npu_model_regs();
  regs[NPU_REG_STATUS] = 0u;
  regs[NPU_REG_DESC] = (uintptr_t)desc;
  regs[NPU_REG_CTRL] = NPU_CTRL_START;
  npu_model_doorbell(); /* the model only: silicon starts on the write above */
  while (!(regs[NPU_REG_STATUS] & (NPU_STATUS_DONE | NPU_STATUS_ERROR))) {
  }
  return (regs[NPU_REG_STATUS] & NPU_STATUS_ERROR) ? TART_ERR_PARAMS : TART_OK;
}

tart_status npu_conv2d_s8(const tart_conv_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  (void)scratch;
  npu_descriptor d;
  uint32_t off = 0;
  const uint32_t in_bytes = (uint32_t)(p->batches * p->in_h * p->in_w * p->in_c);
  const uint32_t w_bytes = (uint32_t)(p->out_c * p->win.filter_h * p->win.filter_w * p->filter_c);
  const uint32_t out_bytes = (uint32_t)(p->batches * p->out_h * p->out_w * p->out_c);
  d.op = NPU_OP_CONV2D_S8;
  d.n_in = 3u;
  d.params = p;
  d.macs = (uint64_t)out_bytes * (uint64_t)(p->win.filter_h * p->win.filter_w * p->filter_c);
  if (!place(&d.dma_in[0], in[0], in_bytes, &off) || !place(&d.dma_in[1], in[1], w_bytes, &off) ||
      !place(&d.dma_in[2], in[2], 4u * (uint32_t)p->out_c, &off) ||
      !place(&d.dma_out, out[0], out_bytes, &off))
    return TART_ERR_PARAMS;
  return run(&d);
}

tart_status npu_fully_connected_s8(const tart_fc_params *p, const void *const *in, void *const *out,
                                   void *scratch) {
  (void)scratch;
  npu_descriptor d;
  uint32_t off = 0;
  const uint32_t in_bytes = (uint32_t)(p->batches * p->accum_depth);
  const uint32_t w_bytes = (uint32_t)(p->out_c * p->accum_depth);
  const uint32_t out_bytes = (uint32_t)(p->batches * p->out_c);
  d.op = NPU_OP_FC_S8;
  d.n_in = 3u;
  d.params = p;
  d.macs = (uint64_t)out_bytes * (uint64_t)p->accum_depth;
  if (!place(&d.dma_in[0], in[0], in_bytes, &off) || !place(&d.dma_in[1], in[1], w_bytes, &off) ||
      !place(&d.dma_in[2], in[2], 4u * (uint32_t)p->out_c, &off) ||
      !place(&d.dma_out, out[0], out_bytes, &off))
    return TART_ERR_PARAMS;
  return run(&d);
}
