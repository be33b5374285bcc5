/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npu_driver.h: the driver of tinyaot's example NPU, an int8 engine for convolutions and
 * fully connected layers with its own 32 KB SRAM. Copy this folder as the template for your
 * own accelerator: keep the two entry points (tinyaot's calling convention), replace what is
 * below them with your part's registers and descriptor format.
 *
 * How the part works (command descriptors, as most NPUs do it):
 *   1. the CPU fills a descriptor in its own memory: the operation, the bus addresses of the
 *      operands (the activations in the NPU's 32 KB SRAM, weights and bias where they are,
 *      in flash, which the engine's DMA reads) and of the result (in SRAM), and the layer's
 *      parameters;
 *   2. it writes the descriptor's address to NPU_REG_DESC and 1 to NPU_REG_CTRL (start);
 *   3. the engine streams the weights in by DMA, computes from and into its SRAM, and sets
 *      NPU_STATUS_DONE (or NPU_STATUS_ERROR) in NPU_REG_STATUS; the CPU waits for it.
 * The engine reports the cycles the command took in NPU_REG_CYCLES.
 *
 * Memory: tinyaot's planner places every activation a layer of this NPU reads or writes in the
 * SRAM, the description's memory_pool "npu_sram" (the generated code's static buffer
 * NAME_pool_npu_sram; define NAME_POOL_NPU_SRAM_ADDR to the SRAM's address on a real part, or
 * place its section in your linker script), so consecutive layers hand each other their
 * results in SRAM and nothing is copied per call. The SRAM is CPU-addressable: the CPU's own
 * layers (depthwise convolutions, pooling) read and write it where it is, and the generated
 * run function copies the graph's input in and its output out, the only moves.
 *
 * There is no silicon: the engine is a C model (model/npu_model.c) that runs on the same
 * (emulated) core. On a real part the write to NPU_REG_CTRL starts the hardware by itself;
 * with the model, the driver rings npu_model_doorbell() after that write. That call is the
 * one line a port to real hardware deletes.
 */
#ifndef NPU_DRIVER_H
#define NPU_DRIVER_H

#include <stdint.h>

#include "tart.h"

#define NPU_SRAM_BYTES 32768u /* the description's memory_pool "npu_sram" */
#define NPU_SRAM_ALIGN 16u

/* Operation kinds of a descriptor. */
#define NPU_OP_CONV2D_S8 1u
#define NPU_OP_FC_S8 2u

/* Register block (word offsets). The model's registers are pointer-wide, so it also runs in
 * 64-bit host builds (tinyaot bench's host reference); a 32-bit part's are 32 bits. */
#define NPU_REG_DESC 0u   /* address of the command descriptor */
#define NPU_REG_CTRL 1u   /* write NPU_CTRL_START to run it */
#define NPU_REG_STATUS 2u /* NPU_STATUS_* */
#define NPU_REG_CYCLES 3u /* cycles the last command took */
#define NPU_REG_COUNT 4u

#define NPU_CTRL_START 1u
#define NPU_STATUS_DONE 1u
#define NPU_STATUS_ERROR 2u

#define NPU_MAX_IN 3 /* input, weights, bias */

/* A command descriptor: addresses on the engine's bus. in_addr[0] (the input) and out_addr
 * must be in the SRAM, aligned to NPU_SRAM_ALIGN (the planner puts them there); weights and
 * bias (in_addr[1], in_addr[2]) may be anywhere the engine's DMA reads. The layer's
 * parameters are tinyaot's struct (tart_conv_params or tart_fc_params), pointed at: a real
 * part would take the fields it needs (sizes, strides, zero points, multipliers) copied into
 * its own descriptor format here. */
typedef struct npu_descriptor {
  uint32_t op;   /* NPU_OP_* */
  uint32_t n_in; /* operands used */
  uintptr_t in_addr[NPU_MAX_IN];
  uint32_t in_bytes[NPU_MAX_IN]; /* 0: absent (no bias) */
  uintptr_t out_addr;
  uint32_t out_bytes;
  const void *params;
  uint64_t macs; /* multiply-accumulates of the command (the engine's cost model reads it) */
} npu_descriptor;

/* tinyaot's calling convention (the description's "convention": "tinyaot"): the layer's
 * parameter struct, input pointers (input, weights, bias or NULL), output pointers, scratch
 * (unused). TART_ERR_PARAMS when the engine reports an error (an operand outside its SRAM's
 * alignment: not placed by the planner). */
tart_status npu_conv2d_s8(const tart_conv_params *p, const void *const *in, void *const *out,
                          void *scratch);
tart_status npu_fully_connected_s8(const tart_fc_params *p, const void *const *in, void *const *out,
                                   void *scratch);

/* The hardware side (model/npu_model.c; on silicon these are a register block and a memory
 * at fixed addresses). */
volatile uintptr_t *npu_model_regs(void);
void npu_model_doorbell(void);

#endif
