/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_mac_f32.h: the float multiply-accumulate micro-kernels under the optimized float
 * kernels (conv2d_f32_opt.c, depthwise_conv2d_f32_opt.c, fully_connected_f32_opt.c).
 *
 * Rounding: every product is rounded to float, then added to the running sum and rounded
 * again, as the reference kernels compute `total += x * w` under C99 (which does not contract
 * it into a fused multiply-add). On cores with a single-precision FPU (Cortex-M4F/M7/M33) the
 * step is one VMLA.F32, Arm's NON-fused multiply-accumulate: its result is defined as
 * round(acc + round(a * b)), the same bits as VMUL then VADD. The fused VFMA (one rounding) is
 * never used, and GCC emits neither by itself under -std=c99 (it contracts only with
 * -ffp-contract=fast, and then into VFMA), hence the inline assembly. Every sum keeps the
 * reference's order (index 0 first, from +0.0f), so the kernels built on these are bit-exact
 * with the reference kernels on every core, with the same floating-point environment.
 *
 * The blocked kernels sum n products into several accumulators at once, each accumulator in
 * order: acc[p * 4 + j] += x_p[i] * w_j[i] for i = 0..n-1, where w_j = w + j * w_stride is
 * the j-th of four weight rows (four output channels) and x_p the p-th input run (a pixel).
 * The accumulators are read from acc_in and written to acc_out (which may be the same array),
 * so a caller can start a sum from zeros (tart_mac_f32_zeros) and continue it over several
 * runs (the rows of a window). On the FPU the whole loop is one assembly
 * block: accumulators stay in s0-s7, and VLDM loads four inputs or weights per instruction
 * (with write-back, so no pointer arithmetic): per four steps of 2 pixels x 4 channels, 2
 * input VLDMs, 4 weight VLDMs, 32 VMLAs and the loop's SUBS/BGE (40 instructions for 32
 * multiply-accumulates). Elsewhere (the host, Cortex-M0/M3) the C twin below computes the same
 * sums in the same order.
 */
#ifndef TART_MAC_F32_H
#define TART_MAC_F32_H

#include <stdint.h>

/* The assembly needs nine core registers for its operands: an unoptimized build (-O0, which
 * keeps a frame pointer and allocates nothing to registers across statements) cannot give them,
 * so it takes the C twin, which computes the same bits. */
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4) && !defined(__SOFTFP__) &&             \
    defined(__OPTIMIZE__)
#define TART_HAVE_VMLA 1
#else
#define TART_HAVE_VMLA 0
#endif

/* acc + a * b with the product rounded first (non-fused). */
static inline float tart_mla_f32(float acc, float a, float b) {
#if TART_HAVE_VMLA
  __asm__("vmla.f32 %0, %1, %2" : "+t"(acc) : "t"(a), "t"(b));
  return acc;
#else
  const float prod = a * b;
  return acc + prod;
#endif
}

/* Eight +0.0f accumulators to start sums from (read-only). */
static const float tart_mac_f32_zeros[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};

#if TART_HAVE_VMLA
/* Registers: %[x0], %[x1] the two input runs, %[w0]..%[w3] the four weight rows (all
 * advanced by VLDM's write-back), %[n] the steps left, %[acc_in] and %[acc_out] the 8 accumulators
 * in memory. s0-s3: pixel 0's sums for channels 0-3, s4-s7: pixel 1's; s8-s11 four inputs of pixel
 * 0, s12-s15 of pixel 1; s16-s19 four weights of one channel. Each VMLA adds one product to one
 * sum: a sum's products arrive in index order. */
#define TART_MAC_F32_ROW_2X4(w, a0, a1)                                                            \
  "vldmia %[" #w "]!, {s16-s19}\n\t"                                                               \
  "vmla.f32 " #a0 ", s8, s16\n\t"                                                                  \
  "vmla.f32 " #a1 ", s12, s16\n\t"                                                                 \
  "vmla.f32 " #a0 ", s9, s17\n\t"                                                                  \
  "vmla.f32 " #a1 ", s13, s17\n\t"                                                                 \
  "vmla.f32 " #a0 ", s10, s18\n\t"                                                                 \
  "vmla.f32 " #a1 ", s14, s18\n\t"                                                                 \
  "vmla.f32 " #a0 ", s11, s19\n\t"                                                                 \
  "vmla.f32 " #a1 ", s15, s19\n\t"
#endif

/* Two pixels x four channels: acc[p * 4 + j] += x_p[i] * w[j * w_stride + i], i = 0..n-1. */
static inline void tart_mac_f32_2x4(const float *x0, const float *x1, const float *w,
                                    int32_t w_stride, int32_t n, const float acc_in[8],
                                    float acc_out[8]) {
#if TART_HAVE_VMLA
  const float *w0 = w, *w1 = w + w_stride, *w2 = w + 2 * w_stride, *w3 = w + 3 * w_stride;
  __asm__ volatile(
      "vldmia %[acc_in], {s0-s7}\n\t"
      "subs %[n], %[n], #4\n\t"
      "blt 2f\n"
      "1:\n\t"
      "vldmia %[x0]!, {s8-s11}\n\t"
      "vldmia %[x1]!, {s12-s15}\n\t" /* four steps: inputs once, each weight row once */
      TART_MAC_F32_ROW_2X4(w0, s0, s4) TART_MAC_F32_ROW_2X4(w1, s1, s5)
          TART_MAC_F32_ROW_2X4(w2, s2, s6)
              TART_MAC_F32_ROW_2X4(w3, s3, s7) "subs %[n], %[n], #4\n\t"
                                               "bge 1b\n"
                                               "2:\n\t"
                                               "adds %[n], %[n], #4\n\t"
                                               "beq 4f\n"
                                               "3:\n\t" /* the last n % 4 steps, one at a time */
                                               "vldmia %[x0]!, {s8}\n\t"
                                               "vldmia %[x1]!, {s12}\n\t"
                                               "vldmia %[w0]!, {s16}\n\t"
                                               "vldmia %[w1]!, {s17}\n\t"
                                               "vldmia %[w2]!, {s18}\n\t"
                                               "vldmia %[w3]!, {s19}\n\t"
                                               "vmla.f32 s0, s8, s16\n\t"
                                               "vmla.f32 s4, s12, s16\n\t"
                                               "vmla.f32 s1, s8, s17\n\t"
                                               "vmla.f32 s5, s12, s17\n\t"
                                               "vmla.f32 s2, s8, s18\n\t"
                                               "vmla.f32 s6, s12, s18\n\t"
                                               "vmla.f32 s3, s8, s19\n\t"
                                               "vmla.f32 s7, s12, s19\n\t"
                                               "subs %[n], %[n], #1\n\t"
                                               "bne 3b\n"
                                               "4:\n\t"
                                               "vstmia %[acc_out], {s0-s7}\n\t"
      : [x0] "+r"(x0), [x1] "+r"(x1), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3),
        [n] "+r"(n)
      : [acc_in] "r"(acc_in), [acc_out] "r"(acc_out)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",
        "s14", "s15", "s16", "s17", "s18", "s19", "cc", "memory");
#else
  float a[8];
  for (int32_t j = 0; j < 8; j++)
    a[j] = acc_in[j];
  for (int32_t i = 0; i < n; i++) {
    const float u = x0[i], v = x1[i];
    for (int32_t j = 0; j < 4; j++) {
      const float wj = w[j * w_stride + i];
      a[j] = tart_mla_f32(a[j], u, wj);
      a[4 + j] = tart_mla_f32(a[4 + j], v, wj);
    }
  }
  for (int32_t j = 0; j < 8; j++)
    acc_out[j] = a[j];
#endif
}

/* One pixel x four channels: acc[j] += x[i] * w[j * w_stride + i], i = 0..n-1. */
static inline void tart_mac_f32_1x4(const float *x, const float *w, int32_t w_stride, int32_t n,
                                    const float acc_in[4], float acc_out[4]) {
#if TART_HAVE_VMLA
  const float *w0 = w, *w1 = w + w_stride, *w2 = w + 2 * w_stride, *w3 = w + 3 * w_stride;
  /* s0-s3 the four sums, s8-s11 four inputs, s16-s19 four weights of one channel. */
  __asm__ volatile(
      "vldmia %[acc_in], {s0-s3}\n\t"
      "subs %[n], %[n], #4\n\t"
      "blt 2f\n"
      "1:\n\t"
      "vldmia %[x]!, {s8-s11}\n\t"
      "vldmia %[w0]!, {s16-s19}\n\t"
      "vmla.f32 s0, s8, s16\n\t"
      "vmla.f32 s0, s9, s17\n\t"
      "vmla.f32 s0, s10, s18\n\t"
      "vmla.f32 s0, s11, s19\n\t"
      "vldmia %[w1]!, {s16-s19}\n\t"
      "vmla.f32 s1, s8, s16\n\t"
      "vmla.f32 s1, s9, s17\n\t"
      "vmla.f32 s1, s10, s18\n\t"
      "vmla.f32 s1, s11, s19\n\t"
      "vldmia %[w2]!, {s16-s19}\n\t"
      "vmla.f32 s2, s8, s16\n\t"
      "vmla.f32 s2, s9, s17\n\t"
      "vmla.f32 s2, s10, s18\n\t"
      "vmla.f32 s2, s11, s19\n\t"
      "vldmia %[w3]!, {s16-s19}\n\t"
      "vmla.f32 s3, s8, s16\n\t"
      "vmla.f32 s3, s9, s17\n\t"
      "vmla.f32 s3, s10, s18\n\t"
      "vmla.f32 s3, s11, s19\n\t"
      "subs %[n], %[n], #4\n\t"
      "bge 1b\n"
      "2:\n\t"
      "adds %[n], %[n], #4\n\t"
      "beq 4f\n"
      "3:\n\t"
      "vldmia %[x]!, {s8}\n\t"
      "vldmia %[w0]!, {s16}\n\t"
      "vldmia %[w1]!, {s17}\n\t"
      "vldmia %[w2]!, {s18}\n\t"
      "vldmia %[w3]!, {s19}\n\t"
      "vmla.f32 s0, s8, s16\n\t"
      "vmla.f32 s1, s8, s17\n\t"
      "vmla.f32 s2, s8, s18\n\t"
      "vmla.f32 s3, s8, s19\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 3b\n"
      "4:\n\t"
      "vstmia %[acc_out], {s0-s3}\n\t"
      : [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3), [n] "+r"(n)
      : [acc_in] "r"(acc_in), [acc_out] "r"(acc_out)
      : "s0", "s1", "s2", "s3", "s8", "s9", "s10", "s11", "s16", "s17", "s18", "s19", "cc",
        "memory");
#else
  float a[4];
  for (int32_t j = 0; j < 4; j++)
    a[j] = acc_in[j];
  for (int32_t i = 0; i < n; i++) {
    const float u = x[i];
    for (int32_t j = 0; j < 4; j++)
      a[j] = tart_mla_f32(a[j], u, w[j * w_stride + i]);
  }
  for (int32_t j = 0; j < 4; j++)
    acc_out[j] = a[j];
#endif
}

/* One sum: acc + x[i] * w[i], i = 0..n-1, in order. */
static inline float tart_mac_f32_1x1(const float *x, const float *w, int32_t n, float acc) {
  for (int32_t i = 0; i < n; i++)
    acc = tart_mla_f32(acc, x[i], w[i]);
  return acc;
}

#endif
