/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_quantize_int.h: what the files of src/quantize share and nobody else sees: the state of
 * the rewrite (rewrite.c), driven by quantize.c.
 */
#ifndef TA_QUANTIZE_INT_H
#define TA_QUANTIZE_INT_H

#include "ta_quantize.h"

/* The float graph fg being rewritten into qg. Per fg tensor: its versions in qg (-1: none
 * yet) and its calibrated range. */
typedef struct ta_rw {
  ta_ctx *ctx;
  ta_graph *fg, *qg;
  int32_t *f_of; /* the version with fg's dtype (float for float tensors) */
  int32_t *q_of; /* the int8 version */
  int32_t *c_of; /* constants copied as they are */
  double *lo, *hi;
  const char **outq_how; /* how an int8 op's output quantization was chosen: NULL (its
                          * range), "fixed", "input" */
} ta_rw;

/* Rewrite fg op i into qg: its int8 form when the op's check accepts it (*kept), else the
 * float op (*why: the reason the int8 form was refused, NULL when none was tried). */
ta_status ta_rw_op(ta_rw *w, int32_t i, bool *kept, const char **why);
/* The float version of fg tensor t in qg (made by a DEQUANTIZE if needed); src names the op
 * for messages. -1 on failure. */
int32_t ta_rw_float(ta_rw *w, int32_t t, int32_t src);
/* The int8 version of activation t in quantization (scale, zp), made by a QUANTIZE (or a
 * requantizing one) when needed; -1 on failure. */
int32_t ta_rw_int8(ta_rw *w, int32_t t, float scale, int32_t zp, int32_t src);
/* The int8 parameters activation t has, or will have. */
void ta_rw_act_quant(const ta_rw *w, int32_t t, float *scale, int32_t *zp);

#endif
