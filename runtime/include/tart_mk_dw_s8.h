/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_mk_dw_s8.h: the 3x3 stride-1 micro-kernel of the plane depthwise kernel
 * (depthwise_conv2d_s8_plane.c, whose comment explains the plane): four adjacent outputs of
 * one row per step, in Thumb-2 assembly on cores with the DSP extension, with its C twin for
 * the host and the Cortex-M0/M3.
 *
 * tart_mk_dw3x3_s1_x4(x, rs, n4, w, bias, acc): for g = 0..n4-1 and j = 0..3,
 *   acc[4g + j] = bias + sum_{r<3} sum_{k<3} x[r * rs + 4g + j + k] * wk(r, k)
 * where x is the int16 plane at the row's first window (word aligned), rs the plane's row
 * length in int16 (even), w the six words of the filter, two per filter row r: w[2r] =
 * (w(r,0), w(r,1)) and w[2r+1] = (w(r,1), w(r,2)), the first value in the low half; n4 >= 1.
 * A plane row gives the step three words A = (p0, p1), B = (p2, p3), C = (p4, p5), and
 *   o0 += SMLAD(A, W01) + SMLABT(B, W12)      o1 += SMLATB(A, W01) + SMLAD(B, W12)
 *   o2 += SMLAD(B, W01) + SMLABT(C, W12)      o3 += SMLATB(B, W01) + SMLAD(C, W12)
 * (SMLAD: lo*lo + hi*hi; SMLABT: a.lo * b.hi; SMLATB: a.hi * b.lo): 8 multiplies and 2 loads
 * of the plane and 1 of the weights per row, 36 instructions per step of 4 outputs (36
 * MACs). Sums wrap modulo 2^32 on both paths, as the reference's tart_wrap_add.
 *
 * The assembly is one function in a top-level asm block with a local (not .global) symbol:
 * include this header from one source file only (it is).
 */
#ifndef TART_MK_DW_S8_H
#define TART_MK_DW_S8_H

#include <stdint.h>

#include "tart_requant_fast.h"
#include "tart_simd.h"

#if TART_HAVE_SMLAD && defined(__thumb2__)
#define TART_MK_DW_ASM 1
/* Registers (AAPCS: r0-r3 the first four arguments, the last two on the stack):
 *   r0  x0: plane row 0 at the step's first window, += 8 bytes a step
 *   r1  x1: plane row 1 (x0 + rs), likewise
 *   r2  x2: plane row 2 (x0 + 2 rs), likewise
 *   r3  acc: where the step's four sums go, += 16 bytes a step
 *   r4  end: acc + 16 * n4
 *   r5  bias
 *   r6  W01 of the current filter row (from the stack copy at sp + 8r)
 *   r7  W12 of the current filter row
 *   r8  A, then C (the third word, once A is used)
 *   r9  B
 *   r10 o0, r11 o1, r12 o2, lr o3: the four sums
 * The six weight words live at sp + 0..23 (copied at entry: no register holds their
 * address). */
__asm__(".pushsection .text.tart_mk_dw3x3_s1_x4, \"ax\", %progbits\n"
        ".syntax unified\n"
        ".balign 4\n"
        ".thumb\n"
        ".type tart_mk_dw3x3_s1_x4, %function\n"
        ".thumb_func\n"
        "tart_mk_dw3x3_s1_x4:\n"
        "  push {r4-r11, lr}\n"
        "  sub sp, sp, #24\n"
        "  ldm r3, {r4-r9}\n"        /* the six weight words */
        "  stm sp, {r4-r9}\n"        /* to sp + 0..23 */
        "  ldr r5, [sp, #60]\n"      /* bias (5th argument, above the 36 pushed + 24) */
        "  ldr r3, [sp, #64]\n"      /* acc (6th argument) */
        "  add r4, r3, r2, lsl #4\n" /* end = acc + 16 * n4 */
        "  add r2, r0, r1, lsl #2\n" /* x2 = x0 + 2 * rs int16 = x0 + 4 * rs bytes */
        "  add r1, r0, r1, lsl #1\n" /* x1 = x0 + rs int16 */
        "1:\n"
        "  ldrd r6, r7, [sp, #0]\n"   /* filter row 0 */
        "  ldrd r8, r9, [r0], #8\n"   /* A, B of plane row 0 */
        "  smlad r10, r8, r6, r5\n"   /* o0 = bias + p0 w0 + p1 w1 */
        "  smlatb r11, r8, r6, r5\n"  /* o1 = bias + p1 w0 */
        "  smlad r11, r9, r7, r11\n"  /* o1 += p2 w1 + p3 w2 */
        "  smlabt r10, r9, r7, r10\n" /* o0 += p2 w2 */
        "  smlad r12, r9, r6, r5\n"   /* o2 = bias + p2 w0 + p3 w1 */
        "  smlatb lr, r9, r6, r5\n"   /* o3 = bias + p3 w0 */
        "  ldr r8, [r0]\n"            /* C */
        "  smlabt r12, r8, r7, r12\n" /* o2 += p4 w2 */
        "  smlad lr, r8, r7, lr\n"    /* o3 += p4 w1 + p5 w2 */
        "  ldrd r6, r7, [sp, #8]\n"   /* filter row 1 */
        "  ldrd r8, r9, [r1], #8\n"
        "  smlad r10, r8, r6, r10\n"
        "  smlatb r11, r8, r6, r11\n"
        "  smlad r11, r9, r7, r11\n"
        "  smlabt r10, r9, r7, r10\n"
        "  smlad r12, r9, r6, r12\n"
        "  smlatb lr, r9, r6, lr\n"
        "  ldr r8, [r1]\n"
        "  smlabt r12, r8, r7, r12\n"
        "  smlad lr, r8, r7, lr\n"
        "  ldrd r6, r7, [sp, #16]\n" /* filter row 2 */
        "  ldrd r8, r9, [r2], #8\n"
        "  smlad r10, r8, r6, r10\n"
        "  smlatb r11, r8, r6, r11\n"
        "  smlad r11, r9, r7, r11\n"
        "  smlabt r10, r9, r7, r10\n"
        "  smlad r12, r9, r6, r12\n"
        "  smlatb lr, r9, r6, lr\n"
        "  ldr r8, [r2]\n"
        "  smlabt r12, r8, r7, r12\n"
        "  smlad lr, r8, r7, lr\n"
        "  stmia r3!, {r10, r11, r12, lr}\n"
        "  cmp r3, r4\n"
        "  bne 1b\n"
        "  add sp, sp, #24\n"
        "  pop {r4-r11, pc}\n"
        ".size tart_mk_dw3x3_s1_x4, . - tart_mk_dw3x3_s1_x4\n"
        ".popsection\n");
void tart_mk_dw3x3_s1_x4(const int16_t *x, int32_t rs, int32_t n4, const int32_t *w, int32_t bias,
                         int32_t *acc);
/* tart_mk_dw3x3_s1_x4_rq: the same sums (from doubled weights and bias: 2 * acc), each
 * requantized at once by tart_requant_fast.h's constants fq = (mult, add, r) without its
 * acc << 1, clamped to [-128, 127] by SSAT and stored at out, out + step, ... (4 n4 bytes, step
 * apart). Registers as above, except:
 *   r3  out: where the next int8 goes, += step an output
 *   r4  end: out + 4 * n4 * step
 *   r6, r7, r8, r9  after the sums: mult, add, r, step (from the stack copy at sp + 24..39)
 * and each sum o becomes, in its own register: y = SMMULR(o, mult); y + (y >> 31) + add;
 * >> r; SSAT to 8 bits. */
__asm__(".pushsection .text.tart_mk_dw3x3_s1_x4_rq, \"ax\", %progbits\n"
        ".syntax unified\n"
        ".balign 4\n"
        ".thumb\n"
        ".type tart_mk_dw3x3_s1_x4_rq, %function\n"
        ".thumb_func\n"
        "tart_mk_dw3x3_s1_x4_rq:\n"
        "  push {r4-r11, lr}\n"
        "  sub sp, sp, #40\n"
        "  ldm r3, {r4-r9}\n"   /* the six weight words */
        "  stm sp, {r4-r9}\n"   /* to sp + 0..23 */
        "  ldr r3, [sp, #88]\n" /* fq (8th argument, above the 36 pushed + 40) */
        "  ldm r3, {r4-r6}\n"   /* mult, add, r */
        "  ldr r7, [sp, #84]\n" /* step (7th argument) */
        "  add r8, sp, #24\n"
        "  stm r8, {r4-r7}\n"        /* to sp + 24..39 */
        "  ldr r5, [sp, #76]\n"      /* bias (5th argument) */
        "  ldr r3, [sp, #80]\n"      /* out (6th argument) */
        "  mul r4, r2, r7\n"         /* n4 * step */
        "  add r4, r3, r4, lsl #2\n" /* end = out + 4 * n4 * step */
        "  add r2, r0, r1, lsl #2\n" /* x2 = x0 + 2 * rs int16 */
        "  add r1, r0, r1, lsl #1\n" /* x1 = x0 + rs int16 */
        "1:\n"
        "  ldrd r6, r7, [sp, #0]\n"   /* filter row 0 */
        "  ldrd r8, r9, [r0], #8\n"   /* A, B of plane row 0 */
        "  smlad r10, r8, r6, r5\n"   /* o0 = bias + p0 w0 + p1 w1 */
        "  smlatb r11, r8, r6, r5\n"  /* o1 = bias + p1 w0 */
        "  smlad r11, r9, r7, r11\n"  /* o1 += p2 w1 + p3 w2 */
        "  smlabt r10, r9, r7, r10\n" /* o0 += p2 w2 */
        "  smlad r12, r9, r6, r5\n"   /* o2 = bias + p2 w0 + p3 w1 */
        "  smlatb lr, r9, r6, r5\n"   /* o3 = bias + p3 w0 */
        "  ldr r8, [r0]\n"            /* C */
        "  smlabt r12, r8, r7, r12\n" /* o2 += p4 w2 */
        "  smlad lr, r8, r7, lr\n"    /* o3 += p4 w1 + p5 w2 */
        "  ldrd r6, r7, [sp, #8]\n"   /* filter row 1 */
        "  ldrd r8, r9, [r1], #8\n"
        "  smlad r10, r8, r6, r10\n"
        "  smlatb r11, r8, r6, r11\n"
        "  smlad r11, r9, r7, r11\n"
        "  smlabt r10, r9, r7, r10\n"
        "  smlad r12, r9, r6, r12\n"
        "  smlatb lr, r9, r6, lr\n"
        "  ldr r8, [r1]\n"
        "  smlabt r12, r8, r7, r12\n"
        "  smlad lr, r8, r7, lr\n"
        "  ldrd r6, r7, [sp, #16]\n" /* filter row 2 */
        "  ldrd r8, r9, [r2], #8\n"
        "  smlad r10, r8, r6, r10\n"
        "  smlatb r11, r8, r6, r11\n"
        "  smlad r11, r9, r7, r11\n"
        "  smlabt r10, r9, r7, r10\n"
        "  smlad r12, r9, r6, r12\n"
        "  smlatb lr, r9, r6, lr\n"
        "  ldr r8, [r2]\n"
        "  smlabt r12, r8, r7, r12\n"
        "  smlad lr, r8, r7, lr\n"
        "  ldrd r6, r7, [sp, #24]\n" /* mult, add */
        "  ldrd r8, r9, [sp, #32]\n" /* r, step */
        "  smmulr r10, r10, r6\n"    /* o0: y */
        "  add r10, r10, r10, asr #31\n"
        "  add r10, r10, r7\n"
        "  asr r10, r10, r8\n"
        "  ssat r10, #8, r10\n"
        "  strb r10, [r3]\n"
        "  add r3, r3, r9\n"
        "  smmulr r11, r11, r6\n" /* o1 */
        "  add r11, r11, r11, asr #31\n"
        "  add r11, r11, r7\n"
        "  asr r11, r11, r8\n"
        "  ssat r11, #8, r11\n"
        "  strb r11, [r3]\n"
        "  add r3, r3, r9\n"
        "  smmulr r12, r12, r6\n" /* o2 */
        "  add r12, r12, r12, asr #31\n"
        "  add r12, r12, r7\n"
        "  asr r12, r12, r8\n"
        "  ssat r12, #8, r12\n"
        "  strb r12, [r3]\n"
        "  add r3, r3, r9\n"
        "  smmulr lr, lr, r6\n" /* o3 */
        "  add lr, lr, lr, asr #31\n"
        "  add lr, lr, r7\n"
        "  asr lr, lr, r8\n"
        "  ssat lr, #8, lr\n"
        "  strb lr, [r3]\n"
        "  add r3, r3, r9\n"
        "  cmp r3, r4\n"
        "  bne 1b\n"
        "  add sp, sp, #40\n"
        "  pop {r4-r11, pc}\n"
        ".size tart_mk_dw3x3_s1_x4_rq, . - tart_mk_dw3x3_s1_x4_rq\n"
        ".popsection\n");
void tart_mk_dw3x3_s1_x4_rq(const int16_t *x, int32_t rs, int32_t n4, const int32_t *w,
                            int32_t bias, int8_t *out, int32_t step, const int32_t *fq);
#else
#define TART_MK_DW_ASM 0
/* The C twin: the same sums, the products of the int16 halves. */
static inline int32_t tart_mk_dw_h(int32_t v, int32_t i) {
  return (int32_t)((uint32_t)v << (16 - 16 * i)) >> 16;
}
static void tart_mk_dw3x3_s1_x4(const int16_t *x, int32_t rs, int32_t n4, const int32_t *w,
                                int32_t bias, int32_t *acc) {
  for (int32_t g = 0; g < n4; g++, x += 4, acc += 4)
    for (int32_t j = 0; j < 4; j++) {
      int32_t a = bias;
      for (int32_t r = 0; r < 3; r++) {
        const int16_t *xr = x + (size_t)r * (size_t)rs + j;
        a = tart_wrap_add(a, (int32_t)xr[0] * tart_mk_dw_h(w[2 * r], 0));
        a = tart_wrap_add(a, (int32_t)xr[1] * tart_mk_dw_h(w[2 * r], 1));
        a = tart_wrap_add(a, (int32_t)xr[2] * tart_mk_dw_h(w[2 * r + 1], 1));
      }
      acc[j] = a;
    }
}
/* The C twin of the fused form: the sums as above, then the fast requantization of the
 * doubled sums and the clamp to [-128, 127]. */
static void tart_mk_dw3x3_s1_x4_rq(const int16_t *x, int32_t rs, int32_t n4, const int32_t *w,
                                   int32_t bias, int8_t *out, int32_t step, const int32_t *fq) {
  for (int32_t g = 0; g < n4; g++, x += 4) {
    int32_t acc[4];
    tart_mk_dw3x3_s1_x4(x, rs, 1, w, bias, acc);
    for (int32_t j = 0; j < 4; j++, out += step) {
      const int32_t y = tart_smmulr(acc[j], fq[0]);
      const int32_t v = (int32_t)((uint32_t)y + (uint32_t)(y >> 31) + (uint32_t)fq[1]) >> fq[2];
      *out = (int8_t)tart_clamp_i32(v, -128, 127);
    }
  }
}
#endif

#endif
