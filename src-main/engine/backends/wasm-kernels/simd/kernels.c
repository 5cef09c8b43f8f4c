/*
 * AE Explorer's SIMD training kernels for the wasm backend.
 *
 * Compiled to wasm32 with 128-bit SIMD (npm run build:simd writes binary.ts).
 * The module imports tfjs-backend-wasm's own memory and works in place on
 * its tensors, so no data is copied in or out. It has no data segments and
 * no function uses the C stack (build-simd checks both), so nothing of the
 * module itself lands in memory that tfjs owns.
 *
 * Every function takes byte offsets into that memory as pointers and is
 * tested against the cpu backend (test/engine/backends/simd-kernels.test.ts).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* ---------- log, 4 lanes (Cephes logf: about 1 ulp on normal positive floats) ---------- */

static inline v128_t log4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  v128_t bits = x;
  /* x = m · 2^e with m in [0.5, 1). */
  v128_t e = wasm_f32x4_convert_i32x4(wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), wasm_i32x4_splat(126)));
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i32x4_splat(0x007fffff)), wasm_i32x4_splat(0x3f000000));
  /* m < sqrt(1/2): use 2m − 1 and e − 1, else m − 1, so the polynomial's argument is in [−0.29, 0.41). */
  v128_t small = wasm_f32x4_lt(m, wasm_f32x4_splat(0.707106781186547524f));
  v128_t t = wasm_v128_and(m, small);
  m = wasm_f32x4_add(wasm_f32x4_sub(m, one), t);
  e = wasm_f32x4_sub(e, wasm_v128_and(one, small));
  v128_t z = wasm_f32x4_mul(m, m);
  v128_t p = wasm_f32x4_splat(7.0376836292e-2f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(-1.1514610310e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(1.1676998740e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(-1.2420140846e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(1.4249322787e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(-1.6668057665e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(2.0000714765e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(-2.4999993993e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), wasm_f32x4_splat(3.3333331174e-1f));
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, m), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(e, wasm_f32x4_splat(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, wasm_f32x4_splat(0.5f)));
  return wasm_f32x4_add(wasm_f32x4_add(m, y), wasm_f32x4_mul(e, wasm_f32x4_splat(0.693359375f)));
}

/** Lane-wise log of the n floats at src into dst (test hook for log4; n a multiple of 4). */
EXPORT(log_f32)
void log_f32(const float* src, float* dst, int n) {
  for (int i = 0; i + 4 <= n; i += 4) wasm_v128_store(dst + i, log4(wasm_v128_load(src + i)));
}

/*
 * Binary cross-entropy of predictions y against targets x, value and gradient
 * in one pass. yc = clip(y, eps, 1 − eps); returns
 * Σ x·log(yc) + (1 − x)·log(1 − yc) (the caller negates and averages) and
 * writes grad = (yc − x) / (yc·(1 − yc)) · scale where the clip let y
 * through, else 0 (the clip's own gradient).
 */
EXPORT(bce)
double bce(const float* y, const float* x, float* grad, int n, float eps, float scale) {
  const v128_t lo = wasm_f32x4_splat(eps), hi = wasm_f32x4_splat(1.0f - eps), one = wasm_f32x4_splat(1.0f);
  const v128_t vs = wasm_f32x4_splat(scale);
  double total = 0;
  int i = 0;
  while (i + 4 <= n) {
    /* Partial sums in float over blocks of 1,024 values, then in double. */
    v128_t acc = wasm_f32x4_splat(0.0f);
    int end = i + 1024 < n ? i + 1024 : n;
    for (; i + 4 <= end; i += 4) {
      v128_t yv = wasm_v128_load(y + i), xv = wasm_v128_load(x + i);
      v128_t yc = wasm_f32x4_min(wasm_f32x4_max(yv, lo), hi);
      v128_t rest = wasm_f32x4_sub(one, yc);
      v128_t ly = log4(yc), lr = log4(rest);
      acc = wasm_f32x4_add(acc, wasm_f32x4_add(lr, wasm_f32x4_mul(xv, wasm_f32x4_sub(ly, lr))));
      v128_t g = wasm_f32x4_div(wasm_f32x4_sub(yc, xv), wasm_f32x4_mul(yc, rest));
      v128_t through = wasm_f32x4_eq(yc, yv);
      wasm_v128_store(grad + i, wasm_v128_and(wasm_f32x4_mul(g, vs), through));
    }
    total += (double)wasm_f32x4_extract_lane(acc, 0) + (double)wasm_f32x4_extract_lane(acc, 1) +
             (double)wasm_f32x4_extract_lane(acc, 2) + (double)wasm_f32x4_extract_lane(acc, 3);
  }
  for (; i < n; i++) {
    /* The tail through lane 0 of the same vector code, so every element is computed alike. */
    v128_t yv = wasm_f32x4_splat(y[i]), xv = wasm_f32x4_splat(x[i]);
    v128_t yc = wasm_f32x4_min(wasm_f32x4_max(yv, lo), hi);
    v128_t rest = wasm_f32x4_sub(one, yc);
    v128_t ly = log4(yc), lr = log4(rest);
    total += (double)wasm_f32x4_extract_lane(wasm_f32x4_add(lr, wasm_f32x4_mul(xv, wasm_f32x4_sub(ly, lr))), 0);
    v128_t g = wasm_f32x4_div(wasm_f32x4_sub(yc, xv), wasm_f32x4_mul(yc, rest));
    v128_t through = wasm_f32x4_eq(yc, yv);
    grad[i] = wasm_f32x4_extract_lane(wasm_v128_and(wasm_f32x4_mul(g, vs), through), 0);
  }
  return total;
}

/* ---------- reductions ---------- */

/**
 * Sum over the rows of a rows×c matrix into out[c] (a bias gradient: every axis
 * but the last reduced). Rows are added in order, 4 channels at a time.
 */
EXPORT(sum_rows)
void sum_rows(const float* src, float* out, int rows, int c) {
  int j = 0;
  for (; j + 16 <= c; j += 16) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    const float* p = src + j;
    for (int r = 0; r < rows; r++, p += c) {
      a0 = wasm_f32x4_add(a0, wasm_v128_load(p));
      a1 = wasm_f32x4_add(a1, wasm_v128_load(p + 4));
      a2 = wasm_f32x4_add(a2, wasm_v128_load(p + 8));
      a3 = wasm_f32x4_add(a3, wasm_v128_load(p + 12));
    }
    wasm_v128_store(out + j, a0);
    wasm_v128_store(out + j + 4, a1);
    wasm_v128_store(out + j + 8, a2);
    wasm_v128_store(out + j + 12, a3);
  }
  for (; j + 4 <= c; j += 4) {
    v128_t a = wasm_f32x4_splat(0);
    const float* p = src + j;
    for (int r = 0; r < rows; r++, p += c) a = wasm_f32x4_add(a, wasm_v128_load(p));
    wasm_v128_store(out + j, a);
  }
  for (; j < c; j++) {
    float a = 0;
    const float* p = src + j;
    for (int r = 0; r < rows; r++, p += c) a += *p;
    out[j] = a;
  }
}

/* ---------- conv2d filter gradient ---------- */

/* The first output index o in [0, n) with o·s − pad + k ≥ 0, and one past the last with o·s − pad + k < size. */
static inline int first_valid(int k, int pad, int s) {
  int need = pad - k; /* o·s ≥ need */
  return need <= 0 ? 0 : (need + s - 1) / s;
}
static inline int end_valid(int k, int pad, int s, int size, int n) {
  int lim = size - 1 + pad - k; /* o·s ≤ lim */
  if (lim < 0) return 0;
  int e = lim / s + 1;
  return e < n ? e : n;
}

/*
 * dW[kh,kw,ci,co] = Σ_{b,oy,ox} x[b, oy·sh − top + kh, ox·sw − left + kw, ci] · dy[b,oy,ox,co]
 * (NHWC, filter HWIO, dilation 1), into dw (fh·fw·ci·co floats, overwritten).
 * One image at a time, so its x and dy stay in cache while every tap reads
 * them; the accumulators of one tap's block stay in registers over the
 * image's pixels: 4 vectors of output channels per input channel when co is
 * a multiple of 4, else 4 vectors of input channels per output channel when
 * ci is, else scalars.
 */
EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(const float* x, const float* dy, float* dw, int nb, int h, int w, int ci, int oh, int ow,
                        int co, int fh, int fw, int sh, int sw, int top, int left) {
  const int taps = fh * fw;
  for (int i = 0; i < taps * ci * co; i++) dw[i] = 0;
  for (int b = 0; b < nb; b++) {
    const float* xb = x + (long)b * h * w * ci;
    const float* db = dy + (long)b * oh * ow * co;
    for (int kh = 0; kh < fh; kh++) {
      int y0 = first_valid(kh, top, sh), y1 = end_valid(kh, top, sh, h, oh);
      for (int kw = 0; kw < fw; kw++) {
        int x0 = first_valid(kw, left, sw), x1 = end_valid(kw, left, sw, w, ow);
        if (y0 >= y1 || x0 >= x1) continue;
        float* dt = dw + (kh * fw + kw) * ci * co;
        const int xstep = sw * ci;
        if ((co & 3) == 0) {
          for (int c = 0; c < ci; c++) {
            float* drow = dt + c * co;
            int o = 0;
            for (; o + 16 <= co; o += 16) {
              v128_t a0 = wasm_v128_load(drow + o), a1 = wasm_v128_load(drow + o + 4);
              v128_t a2 = wasm_v128_load(drow + o + 8), a3 = wasm_v128_load(drow + o + 12);
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co) {
                  v128_t xv = wasm_f32x4_splat(*xp);
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(dp)));
                  a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(dp + 4)));
                  a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(xv, wasm_v128_load(dp + 8)));
                  a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(xv, wasm_v128_load(dp + 12)));
                }
              }
              wasm_v128_store(drow + o, a0);
              wasm_v128_store(drow + o + 4, a1);
              wasm_v128_store(drow + o + 8, a2);
              wasm_v128_store(drow + o + 12, a3);
            }
            for (; o + 8 <= co; o += 8) {
              v128_t a0 = wasm_v128_load(drow + o), a1 = wasm_v128_load(drow + o + 4);
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co) {
                  v128_t xv = wasm_f32x4_splat(*xp);
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(dp)));
                  a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(dp + 4)));
                }
              }
              wasm_v128_store(drow + o, a0);
              wasm_v128_store(drow + o + 4, a1);
            }
            for (; o < co; o += 4) {
              v128_t a0 = wasm_v128_load(drow + o);
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co)
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_f32x4_splat(*xp), wasm_v128_load(dp)));
              }
              wasm_v128_store(drow + o, a0);
            }
          }
        } else if ((ci & 3) == 0) {
          /* dW's rows are ci long per co: dt[c·co + o]; gather the block of 4 vectors in registers. */
          for (int o = 0; o < co; o++) {
            int c = 0;
            for (; c + 16 <= ci; c += 16) {
              v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co) {
                  v128_t d = wasm_f32x4_splat(*dp);
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), d));
                  a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), d));
                  a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), d));
                  a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), d));
                }
              }
              float* q = dt + c * co + o;
              q[0] += wasm_f32x4_extract_lane(a0, 0), q[co] += wasm_f32x4_extract_lane(a0, 1);
              q[2 * co] += wasm_f32x4_extract_lane(a0, 2), q[3 * co] += wasm_f32x4_extract_lane(a0, 3);
              q += 4 * co;
              q[0] += wasm_f32x4_extract_lane(a1, 0), q[co] += wasm_f32x4_extract_lane(a1, 1);
              q[2 * co] += wasm_f32x4_extract_lane(a1, 2), q[3 * co] += wasm_f32x4_extract_lane(a1, 3);
              q += 4 * co;
              q[0] += wasm_f32x4_extract_lane(a2, 0), q[co] += wasm_f32x4_extract_lane(a2, 1);
              q[2 * co] += wasm_f32x4_extract_lane(a2, 2), q[3 * co] += wasm_f32x4_extract_lane(a2, 3);
              q += 4 * co;
              q[0] += wasm_f32x4_extract_lane(a3, 0), q[co] += wasm_f32x4_extract_lane(a3, 1);
              q[2 * co] += wasm_f32x4_extract_lane(a3, 2), q[3 * co] += wasm_f32x4_extract_lane(a3, 3);
            }
            for (; c < ci; c += 4) {
              v128_t a0 = wasm_f32x4_splat(0);
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co)
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_f32x4_splat(*dp)));
              }
              float* q = dt + c * co + o;
              q[0] += wasm_f32x4_extract_lane(a0, 0), q[co] += wasm_f32x4_extract_lane(a0, 1);
              q[2 * co] += wasm_f32x4_extract_lane(a0, 2), q[3 * co] += wasm_f32x4_extract_lane(a0, 3);
            }
          }
        } else {
          for (int c = 0; c < ci; c++)
            for (int o = 0; o < co; o++) {
              float a = 0;
              for (int oy = y0; oy < y1; oy++) {
                const float* xp = xb + (((oy * sh - top + kh) * w) + (x0 * sw - left + kw)) * ci + c;
                const float* dp = db + (oy * ow + x0) * co + o;
                for (int ox = x0; ox < x1; ox++, xp += xstep, dp += co) a += *xp * *dp;
              }
              dt[c * co + o] += a;
            }
        }
      }
    }
  }
}

/* ---------- 2×2, stride-2 max-pool gradient ---------- */

/*
 * dx for a 2×2 max pool of stride 2 with no top/left padding (NHWC), every
 * channel at once when c is a multiple of 4: each input pixel gets its
 * window's dy if it is the window's first strict maximum (row-major, as the
 * cpu backend picks it), else 0. Windows cut by the bottom or right edge
 * keep their in-bounds pixels. Returns 0 when c is not a multiple of 4 (the
 * caller's scalar loop does it then).
 */
EXPORT(max_pool_grad_2x2)
int max_pool_grad_2x2(const float* x, const float* dy, float* dx, int nb, int h, int w, int c, int oh, int ow) {
  if (c & 3) return 0;
  for (int b = 0; b < nb; b++)
    for (int r = 0; r < oh; r++) {
      int i0 = 2 * r, rows = i0 + 1 < h ? 2 : 1;
      for (int q = 0; q < ow; q++) {
        int j0 = 2 * q, cols = j0 + 1 < w ? 2 : 1;
        const float* d = dy + (((long)b * oh + r) * ow + q) * c;
        long p00 = (((long)b * h + i0) * w + j0) * c;
        long p01 = p00 + c, p10 = p00 + (long)w * c, p11 = p10 + c;
        for (int k = 0; k < c; k += 4) {
          v128_t g = wasm_v128_load(d + k);
          /* The first pixel holds the window until a later one is strictly greater (as in pool-grads.ts). */
          v128_t m = wasm_v128_load(x + p00 + k);
          v128_t w0 = wasm_i32x4_splat(-1);
          v128_t w1 = wasm_i32x4_splat(0), w2 = w1, w3 = w1;
          if (cols == 2) {
            v128_t v1 = wasm_v128_load(x + p01 + k);
            w1 = wasm_f32x4_gt(v1, m);
            m = wasm_v128_bitselect(v1, m, w1);
          }
          if (rows == 2) {
            v128_t v2 = wasm_v128_load(x + p10 + k);
            w2 = wasm_f32x4_gt(v2, m);
            m = wasm_v128_bitselect(v2, m, w2);
            if (cols == 2) {
              v128_t v3 = wasm_v128_load(x + p11 + k);
              w3 = wasm_f32x4_gt(v3, m);
            }
          }
          /* A later winner overrides the earlier ones. */
          v128_t later = w3;
          wasm_v128_store(dx + p00 + k, wasm_v128_and(g, wasm_v128_andnot(w0, wasm_v128_or(w1, wasm_v128_or(w2, w3)))));
          if (cols == 2) wasm_v128_store(dx + p01 + k, wasm_v128_and(g, wasm_v128_andnot(w1, wasm_v128_or(w2, w3))));
          if (rows == 2) {
            wasm_v128_store(dx + p10 + k, wasm_v128_and(g, wasm_v128_andnot(w2, later)));
            if (cols == 2) wasm_v128_store(dx + p11 + k, wasm_v128_and(g, w3));
          }
        }
      }
    }
  return 1;
}

/* ---------- 2× nearest-neighbour upsampling gradient ---------- */

/*
 * dx[b,i,j,:] = Σ of dy over the 2×2 block at (2i, 2j) (NHWC; dy is
 * nb×2h×2w×c), for the plain 2× resize (no aligned corners, no half-pixel
 * centres). Returns 0 when c is not a multiple of 4.
 */
EXPORT(resize_nearest_grad_2x)
int resize_nearest_grad_2x(const float* dy, float* dx, int nb, int h, int w, int c) {
  if (c & 3) return 0;
  const long row = 2L * w * c;
  for (int b = 0; b < nb; b++)
    for (int i = 0; i < h; i++) {
      const float* d0 = dy + ((long)b * 2 * h + 2 * i) * row;
      const float* d1 = d0 + row;
      float* o = dx + ((long)b * h + i) * w * c;
      for (int j = 0; j < w; j++, d0 += 2 * c, d1 += 2 * c, o += c)
        for (int k = 0; k < c; k += 4) {
          v128_t s = wasm_f32x4_add(wasm_v128_load(d0 + k), wasm_v128_load(d0 + c + k));
          s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_v128_load(d1 + k), wasm_v128_load(d1 + c + k)));
          wasm_v128_store(o + k, s);
        }
    }
  return 1;
}

/*
 * The plain 2× nearest-neighbour upsampling itself: every pixel of x
 * (nb×h×w×c) to its 2×2 block of y. Returns 0 when c is not a multiple of 4.
 */
EXPORT(resize_nearest_2x)
int resize_nearest_2x(const float* x, float* y, int nb, int h, int w, int c) {
  if (c & 3) return 0;
  const long row = 2L * w * c;
  for (int b = 0; b < nb; b++)
    for (int i = 0; i < h; i++) {
      const float* s = x + ((long)b * h + i) * w * c;
      float* y0 = y + ((long)b * 2 * h + 2 * i) * row;
      float* y1 = y0 + row;
      for (int j = 0; j < w; j++, s += c, y0 += 2 * c, y1 += 2 * c)
        for (int k = 0; k < c; k += 4) {
          v128_t v = wasm_v128_load(s + k);
          wasm_v128_store(y0 + k, v);
          wasm_v128_store(y0 + c + k, v);
          wasm_v128_store(y1 + k, v);
          wasm_v128_store(y1 + c + k, v);
        }
    }
  return 1;
}

/* ---------- relu gradient ---------- */

/* dx = dy where x > 0, else 0 (x NaN: 0), in one pass instead of step, cast and multiply. */
EXPORT(relu_grad)
void relu_grad(const float* x, const float* dy, float* dx, int n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(x + i), zero)));
  for (; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
}

/* ---------- copies, padding and bias ---------- */

/*
 * Copies n0×n1×n2 runs of `run` floats from src to dst, each side with its
 * own strides (in floats) over the three outer axes: a slice when dst is
 * packed, a padded copy when src is. memory.copy does each run.
 */
EXPORT(copy_strided)
void copy_strided(const float* src, float* dst, int n0, int n1, int n2, int s0, int s1, int s2, int d0, int d1, int d2,
                  int run) {
  for (int i = 0; i < n0; i++)
    for (int j = 0; j < n1; j++) {
      const float* s = src + (long)i * s0 + (long)j * s1;
      float* d = dst + (long)i * d0 + (long)j * d1;
      for (int k = 0; k < n2; k++, s += s2, d += d2) __builtin_memcpy(d, s, (unsigned long)run * 4);
    }
}

/* out = x + b over the last axis: x is rows×c, b has c values. */
EXPORT(bias_add)
void bias_add(const float* x, const float* b, float* out, int rows, int c) {
  if ((c & 3) == 0) {
    for (int r = 0; r < rows; r++, x += c, out += c)
      for (int k = 0; k < c; k += 4)
        wasm_v128_store(out + k, wasm_f32x4_add(wasm_v128_load(x + k), wasm_v128_load(b + k)));
    return;
  }
  for (int r = 0; r < rows; r++, x += c, out += c)
    for (int k = 0; k < c; k++) out[k] = x[k] + b[k];
}

/* ---------- conv2d with one filter ---------- */

/*
 * out[b,oy,ox] = bias + Σ_{kh,kw,c} x[b, oy·sh − top + kh, ox·sw − left + kw, c] · f[kh,kw,c]
 * (NHWC, filter HWI with one output channel, dilation 1): the conv model's
 * output layer. Each output is a dot product over the window, 4 channels at
 * a time when ci is a multiple of 4.
 */
EXPORT(conv2d_one_filter)
void conv2d_one_filter(const float* x, const float* f, float* out, int nb, int h, int w, int ci, int oh, int ow, int fh,
                       int fw, int sh, int sw, int top, int left, float bias) {
  for (int b = 0; b < nb; b++) {
    const float* xb = x + (long)b * h * w * ci;
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        float rest = 0;
        for (int kh = 0; kh < fh; kh++) {
          int iy = oy * sh - top + kh;
          if (iy < 0 || iy >= h) continue;
          for (int kw = 0; kw < fw; kw++) {
            int ix = ox * sw - left + kw;
            if (ix < 0 || ix >= w) continue;
            const float* xp = xb + ((long)iy * w + ix) * ci;
            const float* fp = f + (kh * fw + kw) * ci;
            int c = 0;
            for (; c + 4 <= ci; c += 4)
              acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(xp + c), wasm_v128_load(fp + c)));
            for (; c < ci; c++) rest += xp[c] * fp[c];
          }
        }
        *out++ = bias + rest + ((wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
                                (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3)));
      }
  }
}

/* ---------- Adam ---------- */

/*
 * One Adam step of n weights (training/adam.ts has the same update in
 * TypeScript): m and v in place, the new weights into out.
 * m = b1·m + (1 − b1)·g; v = b2·v + (1 − b2)·g²; out = w − step·m / (√(v·invC2) + eps),
 * where step = rate / (1 − b1^t) and invC2 = 1 / (1 − b2^t).
 */
EXPORT(adam)
void adam(const float* w, const float* g, float* m, float* v, float* out, int n, float b1, float b2, float step,
          float invC2, float eps) {
  const v128_t vb1 = wasm_f32x4_splat(b1), va1 = wasm_f32x4_splat(1.0f - b1);
  const v128_t vb2 = wasm_f32x4_splat(b2), va2 = wasm_f32x4_splat(1.0f - b2);
  const v128_t vstep = wasm_f32x4_splat(step), vinv = wasm_f32x4_splat(invC2), veps = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + i)), wasm_f32x4_mul(va1, gi));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + i)), wasm_f32x4_mul(va2, wasm_f32x4_mul(gi, gi)));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t den = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_mul(vi, vinv)), veps);
    wasm_v128_store(out + i, wasm_f32x4_sub(wasm_v128_load(w + i), wasm_f32x4_div(wasm_f32x4_mul(vstep, mi), den)));
  }
  for (; i < n; i++) {
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = w[i] - step * mi / (__builtin_sqrtf(vi * invC2) + eps);
  }
}
