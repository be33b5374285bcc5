/* SPDX-License-Identifier: Apache-2.0 */
/*
 * observe.c: range observers. Each float activation gets a histogram of its calibration
 * values over the range the first pass found; a method then picks the int8 range [a, b]:
 *   minmax      the whole range;
 *   percentile  each tail clipped so that (100 - p)% of the values fall outside it;
 *   mse         the range, among 200 shrinkings of the whole one, whose int8 quantization has
 *               the least mean squared error (what a clipped value loses plus the rounding
 *               noise step^2/12 of the values inside): a few large outliers no longer cost
 *               the resolution of all the other values;
 *   auto        whichever of the three has the least of that same error, per tensor.
 * A range always contains 0 (so 0 is exact, as padding and ReLU need).
 */
#include "ta_quantize.h"

#include <math.h>
#include <string.h>

const char *ta_calib_method_name(ta_calib_method m) {
  switch (m) {
  case TA_CALIB_MINMAX: return "minmax";
  case TA_CALIB_PERCENTILE: return "percentile";
  case TA_CALIB_MSE: return "mse";
  case TA_CALIB_AUTO: return "auto";
  }
  return "?";
}

bool ta_calib_method_parse(const char *s, ta_calib_method *m) {
  for (int k = TA_CALIB_MINMAX; k <= TA_CALIB_AUTO; k++)
    if (strcmp(s, ta_calib_method_name((ta_calib_method)k)) == 0) {
      *m = (ta_calib_method)k;
      return true;
    }
  return false;
}

void ta_quant_params(double a, double b, float *scale, int32_t *zero_point) {
  if (a > 0)
    a = 0;
  if (b < 0)
    b = 0;
  double s = (b - a) / 255.0;
  /* An all-zero tensor: any scale represents it; 1/255 keeps later multipliers sane. */
  if (!(s > 1e-12))
    s = 1.0 / 255.0;
  *scale = (float)s;
  /* TFLite's ChooseQuantizationParams: the zero point from whichever end is nearer exact. */
  const double zp_from_min = -128.0 - a / (double)*scale;
  const double zp_from_max = 127.0 - b / (double)*scale;
  const double err_min = fabs(-128.0) + fabs(a / (double)*scale);
  const double err_max = fabs(127.0) + fabs(b / (double)*scale);
  double zp = err_min < err_max ? zp_from_min : zp_from_max;
  zp = round(zp);
  if (zp < -128)
    zp = -128;
  if (zp > 127)
    zp = 127;
  *zero_point = (int32_t)zp;
}

void ta_hist_init(ta_hist *h, double lo, double hi) {
  memset(h, 0, sizeof *h);
  h->lo = lo < 0 ? lo : 0;
  h->hi = hi > 0 ? hi : 0;
  if (h->hi <= h->lo)
    h->hi = h->lo + 1e-6;
}

void ta_hist_add(ta_hist *h, const float *x, size_t n) {
  const double w = (h->hi - h->lo) / TA_HIST_BINS;
  for (size_t i = 0; i < n; i++) {
    double b = floor(((double)x[i] - h->lo) / w);
    if (b < 0)
      b = 0;
    if (b > TA_HIST_BINS - 1)
      b = TA_HIST_BINS - 1;
    h->count[(int)b] += 1.0;
  }
  h->total += (double)n;
}

double ta_hist_mse(const ta_hist *h, double a, double b) {
  if (h->total <= 0)
    return 0;
  float s;
  int32_t zp;
  ta_quant_params(a, b, &s, &zp);
  /* The representable range: what the zero point's rounding really gives. */
  const double qa = ((double)-128 - zp) * (double)s, qb = ((double)127 - zp) * (double)s;
  const double w = (h->hi - h->lo) / TA_HIST_BINS, noise = (double)s * (double)s / 12.0;
  double err = 0;
  for (int k = 0; k < TA_HIST_BINS; k++) {
    if (h->count[k] == 0)
      continue;
    const double x = h->lo + (k + 0.5) * w;
    double e = noise;
    if (x < qa)
      e = (qa - x) * (qa - x);
    else if (x > qb)
      e = (x - qb) * (x - qb);
    err += h->count[k] * e;
  }
  return err / h->total;
}

/* The value below which a fraction f of the values lie (bin edges interpolated). */
static double quantile(const ta_hist *h, double f) {
  const double want = f * h->total, w = (h->hi - h->lo) / TA_HIST_BINS;
  double run = 0;
  for (int k = 0; k < TA_HIST_BINS; k++) {
    if (run + h->count[k] >= want && h->count[k] > 0)
      return h->lo + (k + (want - run) / h->count[k]) * w;
    run += h->count[k];
  }
  return h->hi;
}

void ta_hist_range(const ta_hist *h, ta_calib_method m, double percentile, double *a, double *b,
                   ta_calib_method *chosen) {
  if (percentile <= 0 || percentile > 100)
    percentile = 99.99;
  *chosen = m;
  switch (m) {
  case TA_CALIB_MINMAX: *a = h->lo, *b = h->hi; return;
  case TA_CALIB_PERCENTILE: {
    const double tail = (100.0 - percentile) / 100.0;
    *a = h->lo < 0 ? fmin(0, quantile(h, tail)) : 0;
    *b = h->hi > 0 ? fmax(0, quantile(h, 1.0 - tail)) : 0;
    return;
  }
  case TA_CALIB_MSE: {
    double best = INFINITY;
    *a = h->lo, *b = h->hi;
    for (int k = 200; k >= 1; k--) {
      const double f = k / 200.0;
      const double e = ta_hist_mse(h, h->lo * f, h->hi * f);
      if (e < best) {
        best = e;
        *a = h->lo * f, *b = h->hi * f;
      }
    }
    return;
  }
  case TA_CALIB_AUTO: {
    double best = INFINITY;
    for (int k = TA_CALIB_MINMAX; k <= TA_CALIB_MSE; k++) {
      double ka, kb;
      ta_calib_method c;
      ta_hist_range(h, (ta_calib_method)k, percentile, &ka, &kb, &c);
      const double e = ta_hist_mse(h, ka, kb);
      if (e < best) {
        best = e;
        *a = ka, *b = kb, *chosen = (ta_calib_method)k;
      }
    }
    return;
  }
  }
}
