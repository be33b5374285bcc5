/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_passes.h: graph rewrites, one file per pass, each a plain function of the graph that
 * keeps it valid (ops in topological order, every tensor written once). Each file opens with
 * its rule. The compile pipeline (ta_passes_run) runs, for every model format, in order:
 *   qdq                DEQUANTIZE -> op -> QUANTIZE  =>  the int8 op, TFLite arithmetic
 *   fold_constants     an op whose inputs are all constant  =>  a constant
 *   cancel_transposes  TRANSPOSE of TRANSPOSE  =>  one (or none); size-1 moves  =>  RESHAPE
 *   fold_batchnorm     conv ; MUL/ADD by per-channel constants  =>  conv with new weights
 *   fuse_activation    conv/fc/add/... ; RELU-family  =>  the op with a fused activation
 *   transpose_into_fc  FULLY_CONNECTED(flatten(TRANSPOSE(x)))  =>  permuted weights
 *   remove_dead        ops whose outputs nobody reads  =>  gone
 * Checks have run on the graph before (shapes are known); passes may leave tensors unused
 * (codegen and the planner skip them).
 */
#ifndef TA_PASSES_H
#define TA_PASSES_H

#include "ta_ops.h"

ta_status ta_pass_qdq(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_fold_constants(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_cancel_transposes(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_fold_batchnorm(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_fuse_activation(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_transpose_into_fc(ta_graph *g, int32_t *n_rewritten);
ta_status ta_pass_remove_dead(ta_graph *g, int32_t *n_rewritten);
/* Not in ta_passes_run: TFLite hybrid filters (int8 under a float32 input) to float32, run by
 * the compile entry point on a TFLite graph before its checks when it quantizes to int8
 * (dequantize_hybrid.c). */
ta_status ta_pass_dequantize_hybrid(ta_graph *g, int32_t *n_rewritten);

/* All of the above, in that order, for a graph a frontend built (any format). */
ta_status ta_passes_run(ta_graph *g);

/* ---- helpers the passes share (pass_util.c) ----------------------------------------------- */

/* Readers of each tensor: n_readers[t] counts op inputs reading t, plus one when t is a graph
 * output. Arrays in the arena; recompute after rewriting. */
typedef struct ta_uses {
  int32_t *producer;  /* per tensor: op index, or -1 */
  int32_t *n_readers; /* per tensor */
} ta_uses;

ta_status ta_uses_build(ta_graph *g, ta_uses *u);
/* The only op reading t (and t is no graph output), or -1. */
int32_t ta_uses_single_reader(const ta_graph *g, const ta_uses *u, int32_t t);

/* Every op input reading `from` reads `to` instead. */
void ta_pass_replace_input(ta_graph *g, int32_t from, int32_t to);
/* Drop the ops marked in dead[] (g->n_ops entries), keeping the order of the others. */
void ta_pass_compact(ta_graph *g, const bool *dead);
/* A new op of `kind` placed at index pos (ops from pos on move up one); its index, or -1
 * on OOM. Inputs and outputs start as -1, attributes as ta_graph_add_op sets them. */
int32_t ta_pass_insert_op(ta_graph *g, int32_t pos, ta_op_kind kind, int32_t n_in, int32_t n_out);
/* A constant copy of tensor t (same dtype, shape and quantization), data copied; -1 on OOM. */
int32_t ta_pass_clone_const(ta_graph *g, int32_t t, const char *name);
/* Whether t is per-channel along its last dim: a constant whose dims are all 1 except
 * possibly the last, which is 1 or channels. */
bool ta_pass_per_channel_const(const ta_tensor *t, int32_t channels);

#endif
