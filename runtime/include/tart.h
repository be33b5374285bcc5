/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart.h: the tinyaot runtime, the kernel library shipped with every generated model.
 *
 * C99, no heap, nothing from libc beyond <stdint.h>, <stddef.h>, <string.h> (and <math.h> for
 * float kernels). Every kernel has the same calling convention:
 *
 *   tart_status tart_<kernel>(const tart_<family>_params *p,
 *                             const void *const *in, void *const *out, void *scratch);
 *
 * `in` and `out` list tensor data in the order the kernel documents; `scratch` points to
 * tart_<kernel>_scratch_size(p) bytes for kernels that declare one (NULL otherwise).
 * Parameter structs and the kernel list are declared once, in defs/<family>.def, through the
 * X-macros below; the compiler reads the same files to fill and emit the structs, so what it
 * writes is exactly what the kernel reads. All per-model arithmetic (multipliers, shifts,
 * padding, clamp ranges) is done by the compiler: kernels only evaluate.
 *
 * Field kinds of a parameter struct:
 *   TART_I32(fam, f)             int32_t f
 *   TART_F32(fam, f)             float f
 *   TART_I32_VEC(fam, f, n)      int32_t f[n]
 *   TART_I8_ARR(fam, f, cnt)     const int8_t *f, cnt (an I32 field of the same struct) elements
 *   TART_I16_ARR / TART_I32_ARR / TART_F32_ARR likewise.
 *   TART_SUB(fam, f, part)       tart_<part>_params f: a part (defs/parts.def), a small struct
 *                                declared with TART_PARAMS_BEGIN..END like a family, that several
 *                                families embed (the window, the requantization, the clamp)
 *
 * Vocabulary: one name per quantity, across every family.
 *   in_, out_, filter_  the operand a field describes (in1_, in2_ for binary ops; a_, b_ for
 *                  matrix products): in_h, in_c, out_w, filter_h. batches is the N of NHWC.
 *   zp             a zero point as the model states it (q = real / scale + zp): out_zp is
 *                  added after requantization, in_zp is what an input holds for real 0.
 *   neg_zp         minus a zero point, for the kernels that add it to every input value
 *                  before multiplying (TFLite calls it an offset): in_neg_zp = -in_zp. No field
 *                  is called "offset"; the sign is always in the name.
 *   mult, shift_left  a fixed-point multiplier (tart_fixedpoint.h): real = mult *
 *                  2^(shift_left - 31), shift_left > 0 shifts left. Prefixed when there are
 *                  several (in1_mult, out_shift_left); pre_shift_left is a plain left shift.
 *   rq             the requantization part: per-channel (mult, shift_left) and out_zp.
 *   clamp          the output range part: min/max (integers), min_f32/max_f32 (float).
 *   win            the sliding-window part: filter_h/w, stride_h/w, dilation_h/w, pad_h/w
 *                  (padding before; the padding after follows from the output size).
 *   n_<x>          a count: n_elems (elements of a tensor), n_bytes, n_inputs, n_reduced,
 *                  and the length of an array field (n_mult, n_acc_init, n_packed; qlinear's
 *                  arrays have one entry per channel, counted by channels).
 *   _f32 suffix    the float twin of an integer field (clamp.min_f32).
 * Kernel names and runtime/src file names follow one rule, written in tart_defs.h.
 */
#ifndef TART_H
#define TART_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t tart_status;
#define TART_OK 0
#define TART_ERR_PARAMS 1 /* parameters the kernel cannot handle (a compiler bug) */

/* Element types of the kernels that serve every integer type (an int_type field). */
#define TART_INT_I8 0
#define TART_INT_U8 1
#define TART_INT_I16 2
#define TART_INT_U16 3
#define TART_INT_I32 4
#define TART_INT_U32 5
#define TART_INT_I64 6
#define TART_INT_U64 7
/* Non-integer element types of the cast kernel (its in_type/out_type). */
#define TART_TYPE_F32 8
#define TART_TYPE_BOOL 9

#define TART_PARAMS_BEGIN(fam) typedef struct tart_##fam##_params {
#define TART_I32(fam, f) int32_t f;
#define TART_F32(fam, f) float f;
#define TART_I32_VEC(fam, f, n) int32_t f[n];
#define TART_I8_ARR(fam, f, cnt) const int8_t *f;
#define TART_I16_ARR(fam, f, cnt) const int16_t *f;
#define TART_I32_ARR(fam, f, cnt) const int32_t *f;
#define TART_F32_ARR(fam, f, cnt) const float *f;
#define TART_SUB(fam, f, part) tart_##part##_params f;
#define TART_PARAMS_END(fam)                                                                       \
  }                                                                                                \
  tart_##fam##_params;
#define TART_KERNEL(name, fam, src)
#define TART_KERNEL_SCRATCH(name, fam, src)
#include "tart_defs.h"
#include "tart_undef.h"

#define TART_KERNEL(name, fam, src)                                                                \
  tart_status tart_##name(const tart_##fam##_params *p, const void *const *in, void *const *out,   \
                          void *scratch);
#define TART_KERNEL_SCRATCH(name, fam, src)                                                        \
  TART_KERNEL(name, fam, src)                                                                      \
  size_t tart_##name##_scratch_size(const tart_##fam##_params *p);
#define TART_PARAMS_BEGIN(fam)
#define TART_I32(fam, f)
#define TART_F32(fam, f)
#define TART_I32_VEC(fam, f, n)
#define TART_I8_ARR(fam, f, cnt)
#define TART_I16_ARR(fam, f, cnt)
#define TART_I32_ARR(fam, f, cnt)
#define TART_F32_ARR(fam, f, cnt)
#define TART_SUB(fam, f, part)
#define TART_PARAMS_END(fam)
#include "tart_defs.h"
#include "tart_undef.h"

#endif
