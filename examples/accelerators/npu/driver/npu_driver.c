/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npu_driver.c: the example NPU's driver (see npu_driver.h for the part). Each call fills a
 * command descriptor with the layer's operand addresses, starts it and waits for done.
 *
 * Memory: the operands already are where the engine wants them. tinyaot's planner placed the
 * layer's input and output in the NPU's SRAM (the description's memory_pool "npu_sram"), the
 * previous layer's result stays there for the next one, and the weights and bias are read by
 * the engine's DMA from flash; so a call moves nothing. The graph's input and output are
 * copied into and out of the SRAM once per inference by the generated run function.
 */
#include <stddef.h>

#include "npu_driver.h"

/* Operand k of descriptor d: (ptr, bytes); an absent one (NULL, no bias) moves 0 bytes. */
static void operand(npu_descriptor *d, uint32_t k, const void *ptr, uint32_t bytes) {
  d->in_addr[k] = (uintptr_t)ptr;
  d->in_bytes[k] = ptr ? bytes : 0u;
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
  const uint32_t in_bytes = (uint32_t)(p->batches * p->in_h * p->in_w * p->in_c);
  const uint32_t w_bytes = (uint32_t)(p->out_c * p->win.filter_h * p->win.filter_w * p->filter_c);
  const uint32_t out_bytes = (uint32_t)(p->batches * p->out_h * p->out_w * p->out_c);
  d.op = NPU_OP_CONV2D_S8;
  d.n_in = 3u;
  d.params = p;
  d.macs = (uint64_t)out_bytes * (uint64_t)(p->win.filter_h * p->win.filter_w * p->filter_c);
  operand(&d, 0u, in[0], in_bytes);
  operand(&d, 1u, in[1], w_bytes);
  operand(&d, 2u, in[2], 4u * (uint32_t)p->out_c);
  d.out_addr = (uintptr_t)out[0];
  d.out_bytes = out_bytes;
  return run(&d);
}

tart_status npu_fully_connected_s8(const tart_fc_params *p, const void *const *in, void *const *out,
                                   void *scratch) {
  (void)scratch;
  npu_descriptor d;
  const uint32_t in_bytes = (uint32_t)(p->batches * p->accum_depth);
  const uint32_t w_bytes = (uint32_t)(p->out_c * p->accum_depth);
  const uint32_t out_bytes = (uint32_t)(p->batches * p->out_c);
  d.op = NPU_OP_FC_S8;
  d.n_in = 3u;
  d.params = p;
  d.macs = (uint64_t)out_bytes * (uint64_t)p->accum_depth;
  operand(&d, 0u, in[0], in_bytes);
  operand(&d, 1u, in[1], w_bytes);
  operand(&d, 2u, in[2], 4u * (uint32_t)p->out_c);
  d.out_addr = (uintptr_t)out[0];
  d.out_bytes = out_bytes;
  return run(&d);
}
