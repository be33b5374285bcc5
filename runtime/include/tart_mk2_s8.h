/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_mk2_s8.h: the int8 micro-kernels that read each weight word once for two output
 * pixels (conv2d_s8_packed with pixels = 2), and the one-pixel fully connected micro-kernel
 * over an input expanded to int16 (fully_connected_s8_packed).
 *
 * The weights are tart_mk_s8.h's packed (int8) or packed16 (int16) layout, unchanged. The
 * input is expanded once per pixel pair ("xx", int32 words of two int16) so that the inner
 * loops are loads and SMLAD only: per quad of taps the four words
 *   A(t0,t2) B(t0,t2) A(t1,t3) B(t1,t3)
 * (A, B the two pixels; what SXTB16 and SXTB16 ROR #8 make of a pixel's four bytes). The
 * expansion costs 13 instructions per quad of the pair on the Cortex-M4 (2 LDR, 4 SXTB16,
 * 4 STR and the loop), paid once for every output channel. Each word pairs the taps the weight word
 * of the same half pairs, so every product matches the same tap of input and weights and the sums
 * are the scalar ones (tart_simd.h), wrapping modulo 2^32 on every path.
 *
 * The kernels are written once over TART_MK_SMLAD / TART_MK_SXTB16 / TART_MK_SXTB16_ROR8,
 * the DSP instructions on Armv7E-M and their C twins elsewhere (the host, Cortex-M0/M3),
 * which compute the same values from the same words: the host tests run the same data flow
 * as the device. The three inner loops (tart_mk2x4_s16, tart_mk2x2_s8, tart_mk1x4_s8x) are
 * hand-scheduled assembly on Armv7E-M, two quads an iteration with post-incremented LDRD
 * (GCC's code for the same C keeps a spilled loop end, separate pointer increments and, for
 * the weights of the fully connected loop, four LDR where two LDRD do); each one's C twin is
 * the loop under its assembly, which also takes the odd first quad of tart_mk2x2_s8 and
 * tart_mk1x4_s8x on the device (tart_mk2x4_s16's assembly enters its loop halfway instead).
 * With int16 weights and SSAT requantization, tart_mk2x4_s16_rq_sat does a pixel pair's
 * blocks, loop and requantization, in assembly (its C twin: tart_mk_blocks2_body). Assembly
 * runs only on the device: the M4 golden tests and the device variant tests cover it.
 */
#ifndef TART_MK2_S8_H
#define TART_MK2_S8_H

#include <stdint.h>

#include "tart_mk_s8.h"

/* Inlined wherever called, also where GCC would rather call one copy: the constant arguments
 * of tart_mk_blocks2_body's callers select its loops. */
#if defined(__GNUC__)
#define TART_MK_SPECIALIZE __attribute__((always_inline)) inline
#else
#define TART_MK_SPECIALIZE inline
#endif

/* The int32 word of two int16 (lo in the low half). */
static inline int32_t tart_pair16(int32_t lo, int32_t hi) {
  return (int32_t)((uint32_t)(uint16_t)lo | ((uint32_t)(uint16_t)hi << 16));
}

#if TART_HAVE_SMLAD
#define TART_MK_SMLAD(x, w, acc) __smlad((x), (w), (acc))
#define TART_MK_SXTB16(v) __sxtb16(v)
#define TART_MK_SXTB16_ROR8(v) tart_sxtb16_ror8(v)
#else
/* acc + lo(x) * lo(w) + hi(x) * hi(w), wrapping as SMLAD (the two products of int16 fit). */
static inline int32_t tart_mk_smlad_c(int32_t x, int32_t w, int32_t acc) {
  return tart_wrap_add(acc, tart_w16(x, 0) * tart_w16(w, 0) + tart_w16(x, 1) * tart_w16(w, 1));
}
#define TART_MK_SMLAD(x, w, acc) tart_mk_smlad_c((x), (w), (acc))
#define TART_MK_SXTB16(v) tart_pair16(tart_w8((v), 0), tart_w8((v), 2))
#define TART_MK_SXTB16_ROR8(v) tart_pair16(tart_w8((v), 1), tart_w8((v), 3))
#endif

/* Pixels A (xa) and B (xb), nq quads each, to xx (4 words a quad, the order above). */
static inline void tart_mk_expand2_s8(const int8_t *restrict xa, const int8_t *restrict xb,
                                      int32_t nq, int32_t *restrict xx) {
  for (int32_t q = 0; q < nq; q++, xa += 4, xb += 4, xx += 4) {
#if TART_HAVE_SMLAD
    const int32_t va = tart_ld4(xa), vb = tart_ld4(xb);
    xx[0] = __sxtb16(va);
    xx[1] = __sxtb16(vb);
    xx[2] = tart_sxtb16_ror8(va);
    xx[3] = tart_sxtb16_ror8(vb);
#else
    xx[0] = tart_pair16(xa[0], xa[2]);
    xx[1] = tart_pair16(xb[0], xb[2]);
    xx[2] = tart_pair16(xa[1], xa[3]);
    xx[3] = tart_pair16(xb[1], xb[3]);
#endif
  }
}

/* One pixel x (nq quads) to xx, 2 words a quad: x(t0,t2) x(t1,t3). */
static inline void tart_mk_expand1_s8(const int8_t *restrict x, int32_t nq, int32_t *restrict xx) {
  for (int32_t q = 0; q < nq; q++, x += 4, xx += 2) {
#if TART_HAVE_SMLAD
    const int32_t v = tart_ld4(x);
    xx[0] = __sxtb16(v);
    xx[1] = tart_sxtb16_ror8(v);
#else
    xx[0] = tart_pair16(x[0], x[2]);
    xx[1] = tart_pair16(x[1], x[3]);
#endif
  }
}

#if TART_HAVE_SMLAD
/* One quad of the 2x4 int16-weight loop (the two functions below share it): per half of the
 * quad (taps 0,2 then 1,3) one LDRD of pixel A's and B's input pairs (r2, r3), two LDRD of two
 * channels' weight words each (r12, lr), eight SMLAD into a0..a3 (r4..r7) and b0..b3
 * (r8..r11); r0 and r1 advance. */
#define TART_MK2X4_S16_HALF                                                                        \
  "ldrd   r2, r3, [r0], #8\n"                                                                      \
  "ldrd   r12, lr, [r1], #8\n"                                                                     \
  "smlad  r4, r2, r12, r4\n"                                                                       \
  "smlad  r8, r3, r12, r8\n"                                                                       \
  "smlad  r5, r2, lr, r5\n"                                                                        \
  "smlad  r9, r3, lr, r9\n"                                                                        \
  "ldrd   r12, lr, [r1], #8\n"                                                                     \
  "smlad  r6, r2, r12, r6\n"                                                                       \
  "smlad  r10, r3, r12, r10\n"                                                                     \
  "smlad  r7, r2, lr, r7\n"                                                                        \
  "smlad  r11, r3, lr, r11\n"
#define TART_MK2X4_S16_QUAD TART_MK2X4_S16_HALF TART_MK2X4_S16_HALF

/* The inner loop of tart_mk2x4_s16 as a function in assembly (AAPCS; a local symbol of each
 * file that includes this header, in a section of its own that the linker drops where it is
 * not called): an inline asm statement would need 13 free registers, which GCC cannot always
 * give (at -O0 the frame pointer is taken; at -O3 it reports impossible constraints), and
 * generated code must build at any optimization level. Arguments: r0 xx, r1 w, r2 the end
 * of xx (an even count of quads from xx), r3 acc (a0..a3 then b0..b3, read and written).
 * Registers in the loop: r4..r7 a0..a3 and r8..r11 b0..b3 (pixel A and B, channels 0..3);
 * r2, r3 pixel A's and B's input pair (taps 0,2, then taps 1,3); r12 and lr two channels'
 * weight words for that pair (one LDRD: packed16 keeps the same half of a block's four
 * channels together); r0 and r1 the input and weight pointers, post-incremented; the end of
 * xx and acc on the stack (the end is read into r2, free at the loop's foot). Two quads an
 * iteration: 12 LDRD + 32 SMLAD + LDR + CMP + BNE = 47 instructions per 64 MACs (before the
 * packed16 order had one channel's two words together: 4 LDRD + 16 LDR + ... = 54). Cortex-M4
 * cycles by the TRM's table (LDRD 3, LDR 2, SMLAD 1, a taken branch 3, no credit for
 * pipelined loads): 74 per iteration, against 80 for the LDR form. */
void tart_mk2x4_s16_loop(const int32_t *xx, const int32_t *w, const int32_t *end, int32_t *acc);
/* The same loop for an odd count of quads: it enters the loop at its second quad (the same
 * code as the first, from the same pointers), so the first pass does one quad. One more
 * instruction (B) than tart_mk2x4_s16_loop, where a quad in C costs about 25. */
void tart_mk2x4_s16_loop_odd(const int32_t *xx, const int32_t *w, const int32_t *end, int32_t *acc);
__asm__(".pushsection .text.tart_mk2x4_s16_loop,\"ax\",%progbits\n"
        ".syntax unified\n"
        ".thumb\n"
        ".balign 4\n"
        ".thumb_func\n"
        ".type tart_mk2x4_s16_loop_odd, %function\n"
        "tart_mk2x4_s16_loop_odd:\n"
        "push   {r4-r11, lr}\n"
        "push   {r2, r3}\n"
        "ldm    r3, {r4-r11}\n"
        "b      2f\n"
        ".size tart_mk2x4_s16_loop_odd, .-tart_mk2x4_s16_loop_odd\n"
        ".thumb_func\n"
        ".type tart_mk2x4_s16_loop, %function\n"
        "tart_mk2x4_s16_loop:\n"
        "push   {r4-r11, lr}\n"
        "push   {r2, r3}\n"
        "ldm    r3, {r4-r11}\n"
        "1:\n" TART_MK2X4_S16_QUAD "2:\n" TART_MK2X4_S16_QUAD "ldr    r2, [sp]\n"
        "cmp    r0, r2\n"
        "bne    1b\n"
        "pop    {r2, r3}\n"
        "stm    r3, {r4-r11}\n"
        "pop    {r4-r11, pc}\n"
        ".size tart_mk2x4_s16_loop, .-tart_mk2x4_s16_loop\n"
        ".popsection\n");

/* The blocks of tart_mk_blocks2_s8 with int16 weights and the fast requantization saturated
 * by SSAT (mode 2) in one assembly function: per block of four channels the eight
 * accumulators start from acc_init in registers, tart_mk2x4_s16_loop's loop runs (entered at
 * its second quad for an odd count), and the eight outputs are requantized (per channel: LDM
 * of its three constants, then per output LSL, SMMULR, ADD ASR #31, ADD, ASR, SSAT: the C of
 * tart_requant_fast), packed by BFI and stored as two words; no call and no accumulator
 * array per block. Arguments: r0 xx, r1 w (packed16), r2 nq (>= 1), r3 ctl: {acc_init, fq,
 * oa, ob - oa (bytes), blocks (>= 1)}. Frame: [sp] xx, [sp, #4] its end, [sp, #8..#24] ctl's
 * copy, advanced block by block. Registers: r4..r7 a0..a3, r8..r11 b0..b3; in the loop as
 * tart_mk2x4_s16_loop (the end read from [sp, #4]); in the requantization r0 mult, r2 add,
 * r3 r, lr fq. Per block outside
 * the loop: 11 instructions before it, 68 after (the C around tart_mk2x4_s16_loop: about
 * 110). */
void tart_mk2x4_s16_rq_sat(const int32_t *xx, const int32_t *w, int32_t nq, int32_t *ctl);
__asm__(".pushsection .text.tart_mk2x4_s16_rq_sat,\"ax\",%progbits\n"
        ".syntax unified\n"
        ".thumb\n"
        ".balign 4\n"
        ".thumb_func\n"
        ".type tart_mk2x4_s16_rq_sat, %function\n"
        "tart_mk2x4_s16_rq_sat:\n"
        "push   {r4-r11, lr}\n"
        "sub    sp, #28\n"
        "add    r2, r0, r2, lsl #4\n"
        "strd   r0, r2, [sp]\n"
        "ldm    r3, {r4-r8}\n"
        "add    r12, sp, #8\n"
        "stm    r12, {r4-r8}\n"
        "3:\n"
        "ldr    r12, [sp, #8]\n"
        "ldm    r12!, {r4-r7}\n"
        "str    r12, [sp, #8]\n"
        "mov    r8, r4\n"
        "mov    r9, r5\n"
        "mov    r10, r6\n"
        "mov    r11, r7\n"
        "ldrd   r0, r2, [sp]\n"
        "sub    r2, r2, r0\n"
        "tst    r2, #16\n"
        "bne    2f\n"
        "1:\n" TART_MK2X4_S16_QUAD "2:\n" TART_MK2X4_S16_QUAD "ldr    r2, [sp, #4]\n"
        "cmp    r0, r2\n"
        "bne    1b\n"
        "ldr    lr, [sp, #12]\n"
        "ldm    lr!, {r0, r2, r3}\n"
        "lsl    r4, r4, #1\n"
        "smmulr r4, r4, r0\n"
        "add    r4, r4, r4, asr #31\n"
        "add    r4, r4, r2\n"
        "asr    r4, r4, r3\n"
        "ssat   r4, #8, r4\n"
        "lsl    r8, r8, #1\n"
        "smmulr r8, r8, r0\n"
        "add    r8, r8, r8, asr #31\n"
        "add    r8, r8, r2\n"
        "asr    r8, r8, r3\n"
        "ssat   r8, #8, r8\n"
        "ldm    lr!, {r0, r2, r3}\n"
        "lsl    r5, r5, #1\n"
        "smmulr r5, r5, r0\n"
        "add    r5, r5, r5, asr #31\n"
        "add    r5, r5, r2\n"
        "asr    r5, r5, r3\n"
        "ssat   r5, #8, r5\n"
        "lsl    r9, r9, #1\n"
        "smmulr r9, r9, r0\n"
        "add    r9, r9, r9, asr #31\n"
        "add    r9, r9, r2\n"
        "asr    r9, r9, r3\n"
        "ssat   r9, #8, r9\n"
        "ldm    lr!, {r0, r2, r3}\n"
        "lsl    r6, r6, #1\n"
        "smmulr r6, r6, r0\n"
        "add    r6, r6, r6, asr #31\n"
        "add    r6, r6, r2\n"
        "asr    r6, r6, r3\n"
        "ssat   r6, #8, r6\n"
        "lsl    r10, r10, #1\n"
        "smmulr r10, r10, r0\n"
        "add    r10, r10, r10, asr #31\n"
        "add    r10, r10, r2\n"
        "asr    r10, r10, r3\n"
        "ssat   r10, #8, r10\n"
        "ldm    lr!, {r0, r2, r3}\n"
        "lsl    r7, r7, #1\n"
        "smmulr r7, r7, r0\n"
        "add    r7, r7, r7, asr #31\n"
        "add    r7, r7, r2\n"
        "asr    r7, r7, r3\n"
        "ssat   r7, #8, r7\n"
        "lsl    r11, r11, #1\n"
        "smmulr r11, r11, r0\n"
        "add    r11, r11, r11, asr #31\n"
        "add    r11, r11, r2\n"
        "asr    r11, r11, r3\n"
        "ssat   r11, #8, r11\n"
        "str    lr, [sp, #12]\n"
        "bfi    r4, r5, #8, #8\n"
        "bfi    r4, r6, #16, #8\n"
        "bfi    r4, r7, #24, #8\n"
        "bfi    r8, r9, #8, #8\n"
        "bfi    r8, r10, #16, #8\n"
        "bfi    r8, r11, #24, #8\n"
        "ldrd   r12, r0, [sp, #16]\n"
        "str    r8, [r12, r0]\n"
        "str    r4, [r12], #4\n"
        "str    r12, [sp, #16]\n"
        "ldr    r2, [sp, #24]\n"
        "subs   r2, #1\n"
        "str    r2, [sp, #24]\n"
        "bne    3b\n"
        "add    sp, #28\n"
        "pop    {r4-r11, pc}\n"
        ".size tart_mk2x4_s16_rq_sat, .-tart_mk2x4_s16_rq_sat\n"
        ".popsection\n");
#endif

/* Two pixels x four channels over int16 weights (packed16: per quad, channel j's words j
 * (t0,t2) and 4 + j (t1,t3)): a[j] += A . channel j, b[j] += B . channel j. Each weight word
 * is loaded once and feeds two SMLAD. On Armv7E-M tart_mk2x4_s16_loop (assembly) does two
 * quads an iteration, 47 instructions per 64 MACs (GCC's code for the C loop below: 31 per
 * 32), every quad: an odd count enters its loop at the second quad
 * (tart_mk2x4_s16_loop_odd). The C loop is its twin elsewhere. Returns the next block. */
static TART_MK_SPECIALIZE const int32_t *tart_mk2x4_s16(const int32_t *restrict xx,
                                                        const int32_t *restrict w, int32_t nq,
                                                        int32_t a[4], int32_t b[4]) {
  int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  int32_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
#if !TART_HAVE_SMLAD
  for (int32_t q = 0; q < nq; q++) {
    for (int32_t h = 0; h < 2; h++) {
      const int32_t xa = xx[2 * h], xb = xx[2 * h + 1], *v = w + 4 * h;
      a0 = TART_MK_SMLAD(xa, v[0], a0), b0 = TART_MK_SMLAD(xb, v[0], b0);
      a1 = TART_MK_SMLAD(xa, v[1], a1), b1 = TART_MK_SMLAD(xb, v[1], b1);
      a2 = TART_MK_SMLAD(xa, v[2], a2), b2 = TART_MK_SMLAD(xb, v[2], b2);
      a3 = TART_MK_SMLAD(xa, v[3], a3), b3 = TART_MK_SMLAD(xb, v[3], b3);
    }
    xx += 4;
    w += 8;
  }
#else
  const int32_t *const end = xx + 4 * nq;
  if (xx != end) {
    int32_t acc[8] = {a0, a1, a2, a3, b0, b1, b2, b3};
    if (nq & 1)
      tart_mk2x4_s16_loop_odd(xx, w, end, acc);
    else
      tart_mk2x4_s16_loop(xx, w, end, acc);
    w += 2 * (end - xx); /* 8 weight words a quad, 4 input words */
    a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    b0 = acc[4], b1 = acc[5], b2 = acc[6], b3 = acc[7];
  }
#endif
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
  b[0] = b0, b[1] = b1, b[2] = b2, b[3] = b3;
  return w;
}

/* Two pixels x two channels over int8 weights: w points at the first channel's word of the
 * first quad of a block of four (packed: 4 words a quad, one a channel); the second channel's
 * word follows it. Each weight word is sign-extended once (SXTB16, SXTB16 ROR #8) for both
 * pixels. On Armv7E-M a hand-scheduled loop does two quads an iteration: per quad 3 LDRD, 4
 * SXTB16, 8 SMLAD, and CMP, BNE once, 16 instructions per 16 MACs (GCC's code for the C loop
 * below: 19); an odd first quad takes the C loop. */
static inline void tart_mk2x2_s8(const int32_t *restrict xx, const int32_t *restrict w, int32_t nq,
                                 int32_t a[2], int32_t b[2]) {
  int32_t a0 = a[0], a1 = a[1], b0 = b[0], b1 = b[1];
#if TART_HAVE_SMLAD
  const int32_t *const end = xx + 4 * nq;
  if (nq & 1) {
#else
  for (int32_t q = 0; q < nq; q++) {
#endif
    const int32_t xa02 = xx[0], xb02 = xx[1], xa13 = xx[2], xb13 = xx[3];
    const int32_t v0 = w[0], v1 = w[1];
    int32_t e = TART_MK_SXTB16(v0);
    a0 = TART_MK_SMLAD(xa02, e, a0), b0 = TART_MK_SMLAD(xb02, e, b0);
    e = TART_MK_SXTB16_ROR8(v0);
    a0 = TART_MK_SMLAD(xa13, e, a0), b0 = TART_MK_SMLAD(xb13, e, b0);
    e = TART_MK_SXTB16(v1);
    a1 = TART_MK_SMLAD(xa02, e, a1), b1 = TART_MK_SMLAD(xb02, e, b1);
    e = TART_MK_SXTB16_ROR8(v1);
    a1 = TART_MK_SMLAD(xa13, e, a1), b1 = TART_MK_SMLAD(xb13, e, b1);
    xx += 4;
    w += 4;
  }
#if TART_HAVE_SMLAD
  if (xx != end) {
    /* Registers: %0 a0, %1 a1 (pixel A, channels 0 and 1), %2 b0, %3 b1 (pixel B); %4, %5
     * pixel A's and B's input pair (taps 0,2, then reloaded with taps 1,3); %6, %7 the two
     * channels' weight words, turned in place into their taps 1,3 after %10 took their taps
     * 0,2; %8 the input pointer xx and %9 the weight pointer w, post-incremented (w by a
     * whole quad of the block of four); %11 the end of xx. */
    int32_t x0, x1, v0, v1, t;
    __asm__ volatile("1:\n\t"
                     "ldrd   %4, %5, [%8], #8\n\t"
                     "ldrd   %6, %7, [%9], #16\n\t"
                     "sxtb16 %10, %6\n\t"
                     "smlad  %0, %4, %10, %0\n\t"
                     "smlad  %2, %5, %10, %2\n\t"
                     "sxtb16 %10, %7\n\t"
                     "smlad  %1, %4, %10, %1\n\t"
                     "smlad  %3, %5, %10, %3\n\t"
                     "ldrd   %4, %5, [%8], #8\n\t"
                     "sxtb16 %6, %6, ror #8\n\t"
                     "smlad  %0, %4, %6, %0\n\t"
                     "smlad  %2, %5, %6, %2\n\t"
                     "sxtb16 %7, %7, ror #8\n\t"
                     "smlad  %1, %4, %7, %1\n\t"
                     "smlad  %3, %5, %7, %3\n\t"
                     "ldrd   %4, %5, [%8], #8\n\t"
                     "ldrd   %6, %7, [%9], #16\n\t"
                     "sxtb16 %10, %6\n\t"
                     "smlad  %0, %4, %10, %0\n\t"
                     "smlad  %2, %5, %10, %2\n\t"
                     "sxtb16 %10, %7\n\t"
                     "smlad  %1, %4, %10, %1\n\t"
                     "smlad  %3, %5, %10, %3\n\t"
                     "ldrd   %4, %5, [%8], #8\n\t"
                     "sxtb16 %6, %6, ror #8\n\t"
                     "smlad  %0, %4, %6, %0\n\t"
                     "smlad  %2, %5, %6, %2\n\t"
                     "sxtb16 %7, %7, ror #8\n\t"
                     "smlad  %1, %4, %7, %1\n\t"
                     "smlad  %3, %5, %7, %3\n\t"
                     "cmp    %8, %11\n\t"
                     "bne    1b"
                     : "+r"(a0), "+r"(a1), "+r"(b0), "+r"(b1), "=&r"(x0), "=&r"(x1), "=&r"(v0),
                       "=&r"(v1), "+r"(xx), "+r"(w), "=&r"(t)
                     : "r"(end)
                     : "cc", "memory");
  }
#endif
  a[0] = a0, a[1] = a1, b[0] = b0, b[1] = b1;
}

/* v clamped to [-128, 127]: one SSAT on Armv7-M (base instruction set, M3 included). */
static inline int32_t tart_mk_sat8(int32_t v) {
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
  return r;
#else
  return tart_clamp_i32(v, -128, 127);
#endif
}

/* One channel of both pixels (accumulators va, vb; fq: the channel's three constants) to
 * int8: sat != 0 when the clamp range is the whole int8 range (SSAT alone), else [lo, hi]. */
static inline void tart_mk_rq2_s8(const int32_t *restrict fq, int32_t va, int32_t vb, int sat,
                                  int32_t lo, int32_t hi, int8_t *restrict oa,
                                  int8_t *restrict ob) {
  const int32_t m = fq[0], add = fq[1], r = fq[2];
  va = tart_requant_fast(va, m, add, r);
  vb = tart_requant_fast(vb, m, add, r);
  if (sat) {
    *oa = (int8_t)tart_mk_sat8(va);
    *ob = (int8_t)tart_mk_sat8(vb);
  } else {
    *oa = (int8_t)tart_clamp_i32(va, lo, hi);
    *ob = (int8_t)tart_clamp_i32(vb, lo, hi);
  }
}

/* The blocks of four output channels of a pixel pair, for out_c4 channels (a multiple of 4),
 * from the pair expanded to xx, with int8 weights w8 if not NULL, else int16 w16; mode: 0 q's
 * requantization, 1 fq's clamped to q's range, 2 fq's saturated by SSAT (the range is the
 * whole int8 range). Called with constant arguments, so that each combination is a loop of
 * its own without tests. */
static TART_MK_SPECIALIZE void
tart_mk_blocks2_body(const int32_t *restrict xx, const int32_t *restrict w8,
                     const int32_t *restrict w16, int32_t nq, int32_t out_c4,
                     const int32_t *restrict acc_init, const int32_t *restrict fq,
                     const tart_requant *restrict q, int8_t *restrict oa, int8_t *restrict ob,
                     int int8_weights, int mode) {
  const int32_t lo = q->clamp_min, hi = q->clamp_max;
  for (int32_t c = 0; c < out_c4; c += 4, acc_init += 4) {
    int32_t a[4] = {acc_init[0], acc_init[1], acc_init[2], acc_init[3]};
    int32_t b[4] = {a[0], a[1], a[2], a[3]};
    if (int8_weights) {
      tart_mk2x2_s8(xx, w8, nq, a, b);
      tart_mk2x2_s8(xx, w8 + 2, nq, a + 2, b + 2);
      w8 += 4 * nq;
    } else {
      w16 = tart_mk2x4_s16(xx, w16, nq, a, b);
    }
    if (mode == 0) {
      tart_requant4_s8(q, a[0], a[1], a[2], a[3], c, oa + c);
      tart_requant4_s8(q, b[0], b[1], b[2], b[3], c, ob + c);
    } else {
      const int sat = mode == 2;
      tart_mk_rq2_s8(fq, a[0], b[0], sat, lo, hi, oa + c, ob + c);
      tart_mk_rq2_s8(fq + 3, a[1], b[1], sat, lo, hi, oa + c + 1, ob + c + 1);
      tart_mk_rq2_s8(fq + 6, a[2], b[2], sat, lo, hi, oa + c + 2, ob + c + 2);
      tart_mk_rq2_s8(fq + 9, a[3], b[3], sat, lo, hi, oa + c + 3, ob + c + 3);
      fq += 12;
    }
  }
}

/* tart_mk_blocks2_body, one specialized loop per weight width and requantization. Not
 * inlined: its loops then have every register, and the caller's pixel loop keeps its own. */
static TART_NOINLINE void tart_mk_blocks2_s8(const int32_t *restrict xx, const int32_t *restrict w8,
                                             const int32_t *restrict w16, int32_t nq,
                                             int32_t out_c4, const int32_t *restrict acc_init,
                                             const int32_t *restrict fq,
                                             const tart_requant *restrict q, int8_t *restrict oa,
                                             int8_t *restrict ob) {
  const int mode = !fq ? 0 : (q->clamp_min == -128 && q->clamp_max == 127 ? 2 : 1);
#if TART_HAVE_SMLAD
  if (!w8 && mode == 2 && nq > 0 && out_c4 > 0) {
    int32_t ctl[5] = {(int32_t)(uintptr_t)acc_init, (int32_t)(uintptr_t)fq, (int32_t)(uintptr_t)oa,
                      (int32_t)(ob - oa), out_c4 / 4};
    tart_mk2x4_s16_rq_sat(xx, w16, nq, ctl);
    return;
  }
#endif
  if (w8) {
    if (mode == 2)
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 1, 2);
    else if (mode == 1)
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 1, 1);
    else
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 1, 0);
  } else {
    if (mode == 2)
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 0, 2);
    else if (mode == 1)
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 0, 1);
    else
      tart_mk_blocks2_body(xx, w8, w16, nq, out_c4, acc_init, fq, q, oa, ob, 0, 0);
  }
}

/* One channel of two pixels from xx: *a += A . w, *b += B . w over nq quads of the channel's
 * weights at w, int8 (packed, one word a quad) if w8, else int16 (packed16, two words). */
static inline void tart_mk2x1_s8(const int32_t *restrict xx, const int32_t *restrict w, int32_t nq,
                                 int w8, int32_t *a, int32_t *b) {
  int32_t va = *a, vb = *b;
  for (int32_t i = 0; i < nq; i++, xx += 4) {
    int32_t e02, e13;
    if (w8) {
      e02 = TART_MK_SXTB16(w[0]), e13 = TART_MK_SXTB16_ROR8(w[0]);
      w += 1;
    } else {
      e02 = w[0], e13 = w[1];
      w += 2;
    }
    va = TART_MK_SMLAD(xx[0], e02, va), vb = TART_MK_SMLAD(xx[1], e02, vb);
    va = TART_MK_SMLAD(xx[2], e13, va), vb = TART_MK_SMLAD(xx[3], e13, vb);
  }
  *a = va, *b = vb;
}

/* Every output channel of two pixels, expanded to xx (tart_mk_expand2_s8, nq quads), to int8
 * at oa and ob, as tart_mk_pixel_s8 does for one. The channels past the last block of four
 * take tart_mk2x1_s8. */
static inline void tart_mk_pixel2_s8(const int32_t *restrict xx, const int32_t *restrict w8,
                                     const int32_t *restrict w16, int32_t nq, int32_t out_c,
                                     const int32_t *restrict acc_init, const int32_t *restrict fq,
                                     const tart_requant *restrict q, int8_t *restrict oa,
                                     int8_t *restrict ob) {
  int32_t c = out_c & ~3;
  tart_mk_blocks2_s8(xx, w8, w16, nq, c, acc_init, fq, q, oa, ob);
  const int32_t *w = w8 ? w8 + (size_t)c * (size_t)nq : w16 + 2 * (size_t)c * (size_t)nq;
  for (; c < out_c; c++) {
    int32_t acc_a = acc_init[c], acc_b = acc_init[c];
    tart_mk2x1_s8(xx, w, nq, w8 != NULL, &acc_a, &acc_b);
    w += w8 ? nq : 2 * nq;
    if (fq) {
      const int32_t lo = q->clamp_min, hi = q->clamp_max;
      oa[c] = (int8_t)tart_clamp_i32(
          tart_requant_fast(acc_a, fq[3 * c], fq[3 * c + 1], fq[3 * c + 2]), lo, hi);
      ob[c] = (int8_t)tart_clamp_i32(
          tart_requant_fast(acc_b, fq[3 * c], fq[3 * c + 1], fq[3 * c + 2]), lo, hi);
    } else {
      oa[c] = tart_requant_s8(q, acc_a, c);
      ob[c] = tart_requant_s8(q, acc_b, c);
    }
  }
}

/* One pixel x four channels over int8 weights (packed: per quad, channel j's word j) and the
 * pixel expanded by tart_mk_expand1_s8 (xx: 2 words a quad): a[j] += x . channel j. Returns
 * the next block. On Armv7E-M a hand-scheduled loop does two quads an iteration: 2 LDRD of
 * input, 4 LDRD of weights, 16 SXTB16, 16 SMLAD, CMP, BNE for 32 MACs (GCC's own code for
 * the same C loads each weight word with its own LDR); an odd first quad takes the C loop. */
static inline const int32_t *tart_mk1x4_s8x(const int32_t *restrict xx, const int32_t *restrict w,
                                            int32_t nq, int32_t a[4]) {
  int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
#if TART_HAVE_SMLAD
  const int32_t *const end = xx + 2 * nq;
  if (nq & 1) {
#else
  for (int32_t q = 0; q < nq; q++) {
#endif
    const int32_t x02 = xx[0], x13 = xx[1];
    int32_t v = w[0];
    a0 = TART_MK_SMLAD(x02, TART_MK_SXTB16(v), a0);
    a0 = TART_MK_SMLAD(x13, TART_MK_SXTB16_ROR8(v), a0);
    v = w[1];
    a1 = TART_MK_SMLAD(x02, TART_MK_SXTB16(v), a1);
    a1 = TART_MK_SMLAD(x13, TART_MK_SXTB16_ROR8(v), a1);
    v = w[2];
    a2 = TART_MK_SMLAD(x02, TART_MK_SXTB16(v), a2);
    a2 = TART_MK_SMLAD(x13, TART_MK_SXTB16_ROR8(v), a2);
    v = w[3];
    a3 = TART_MK_SMLAD(x02, TART_MK_SXTB16(v), a3);
    a3 = TART_MK_SMLAD(x13, TART_MK_SXTB16_ROR8(v), a3);
    xx += 2;
    w += 4;
  }
#if TART_HAVE_SMLAD
  if (xx != end) {
    /* Registers: %0..%3 the accumulators a0..a3; %4 the input pointer xx and %5 the weight
     * pointer w (both post-incremented); %6 x02 and %7 x13, the quad's input pairs (taps 0,2
     * and 1,3); %8, %9 two channels' weight words, each turned in place into its taps 1,3
     * after %10 took its taps 0,2; %11 the end of xx. */
    int32_t x02, x13, v0, v1, t;
    __asm__ volatile("1:\n\t"
                     "ldrd   %6, %7, [%4], #8\n\t"
                     "ldrd   %8, %9, [%5], #8\n\t"
                     "sxtb16 %10, %8\n\t"
                     "smlad  %0, %6, %10, %0\n\t"
                     "sxtb16 %8, %8, ror #8\n\t"
                     "smlad  %0, %7, %8, %0\n\t"
                     "sxtb16 %10, %9\n\t"
                     "smlad  %1, %6, %10, %1\n\t"
                     "sxtb16 %9, %9, ror #8\n\t"
                     "smlad  %1, %7, %9, %1\n\t"
                     "ldrd   %8, %9, [%5], #8\n\t"
                     "sxtb16 %10, %8\n\t"
                     "smlad  %2, %6, %10, %2\n\t"
                     "sxtb16 %8, %8, ror #8\n\t"
                     "smlad  %2, %7, %8, %2\n\t"
                     "sxtb16 %10, %9\n\t"
                     "smlad  %3, %6, %10, %3\n\t"
                     "sxtb16 %9, %9, ror #8\n\t"
                     "smlad  %3, %7, %9, %3\n\t"
                     "ldrd   %6, %7, [%4], #8\n\t"
                     "ldrd   %8, %9, [%5], #8\n\t"
                     "sxtb16 %10, %8\n\t"
                     "smlad  %0, %6, %10, %0\n\t"
                     "sxtb16 %8, %8, ror #8\n\t"
                     "smlad  %0, %7, %8, %0\n\t"
                     "sxtb16 %10, %9\n\t"
                     "smlad  %1, %6, %10, %1\n\t"
                     "sxtb16 %9, %9, ror #8\n\t"
                     "smlad  %1, %7, %9, %1\n\t"
                     "ldrd   %8, %9, [%5], #8\n\t"
                     "sxtb16 %10, %8\n\t"
                     "smlad  %2, %6, %10, %2\n\t"
                     "sxtb16 %8, %8, ror #8\n\t"
                     "smlad  %2, %7, %8, %2\n\t"
                     "sxtb16 %10, %9\n\t"
                     "smlad  %3, %6, %10, %3\n\t"
                     "sxtb16 %9, %9, ror #8\n\t"
                     "smlad  %3, %7, %9, %3\n\t"
                     "cmp    %4, %11\n\t"
                     "bne    1b"
                     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(xx), "+r"(w), "=&r"(x02),
                       "=&r"(x13), "=&r"(v0), "=&r"(v1), "=&r"(t)
                     : "r"(end)
                     : "cc", "memory");
  }
#endif
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
  return w;
}

/* Every output channel of one pixel x (k4 = 4 * nq readable bytes) to int8 at o, as
 * tart_mk_pixel_s8 with int8 weights w8, through x expanded once to xx (2 * nq words). */
static inline void tart_mk_pixel_s8x(const int8_t *restrict x, int32_t *restrict xx,
                                     const int32_t *restrict w8, int32_t nq, int32_t out_c,
                                     const int32_t *restrict acc_init, const int32_t *restrict fq,
                                     const tart_requant *restrict q, int8_t *restrict o) {
  const int32_t lo = q->clamp_min, hi = q->clamp_max;
  tart_mk_expand1_s8(x, nq, xx);
  int32_t c = 0;
  for (; c + 4 <= out_c; c += 4) {
    int32_t acc[4] = {acc_init[c], acc_init[c + 1], acc_init[c + 2], acc_init[c + 3]};
    w8 = tart_mk1x4_s8x(xx, w8, nq, acc);
    if (fq)
      tart_requant_fast4_s8(fq + 3 * c, acc[0], acc[1], acc[2], acc[3], lo, hi, o + c);
    else
      tart_requant4_s8(q, acc[0], acc[1], acc[2], acc[3], c, o + c);
  }
  for (; c < out_c; c++, w8 += nq) {
    const int32_t acc = tart_mk1_s8(x, w8, nq, acc_init[c]);
    if (fq)
      o[c] = (int8_t)tart_clamp_i32(tart_requant_fast(acc, fq[3 * c], fq[3 * c + 1], fq[3 * c + 2]),
                                    lo, hi);
    else
      o[c] = tart_requant_s8(q, acc, c);
  }
}

#endif
