/**
 * Mixed-radix (2, 3, 4, 5) complex FFTs on split real/imaginary Float64Arrays, for the L×L grids of the
 * FFT-accelerated gradient. Sizes need only be 5-smooth (2^a·3^b·5^c), so the grid can follow the embedding's extent
 * in small steps instead of doubling at powers of two.
 *
 * A 2-D transform is two passes of 1-D transforms down the columns with a square in-place transpose between them.
 * A pass treats each row as one vector: every butterfly combines whole rows with one twiddle, so the inner loops run
 * over contiguous columns (Stockham's self-sorting order, ping-ponging with a scratch grid: no bit reversal).
 * The convolution pair `forwardT` / `inverseT` skips the transpose back, so spectra are held transposed; that is
 * invisible to a pointwise product with a kernel transformed the same way. Both skip the columns known to be zero
 * on the way in or not needed on the way out.
 *
 * Self-contained (no imports), so the helper thread loads it on its own.
 */
export class Fft2d {
  readonly size: number;
  /** Radix of each stage, in the order applied. */
  private readonly radix: Int32Array;
  /** Twiddles of stage s start at twOff[s]: for block offset k < P and q in 1..r−1, e^{−2πi·qk/(P·r)}. */
  private readonly twOff: Int32Array;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private tRe = new Float64Array(0);
  private tIm = new Float64Array(0);

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2) throw new Error(`FFT size must be an integer ≥ 2, got ${size}`);
    const radix: number[] = [];
    let rest = size;
    for (const r of [4, 2, 3, 5])
      while (rest % r === 0) {
        radix.push(r);
        rest /= r;
      }
    if (rest !== 1) throw new Error(`FFT size must be a product of 2, 3 and 5, got ${size}`);
    this.size = size;
    this.radix = Int32Array.from(radix);
    this.twOff = new Int32Array(radix.length + 1);
    let p = 1;
    for (let s = 0; s < radix.length; s++) {
      this.twOff[s + 1] = this.twOff[s] + p * (radix[s] - 1);
      p *= radix[s];
    }
    this.twRe = new Float64Array(this.twOff[radix.length]);
    this.twIm = new Float64Array(this.twOff[radix.length]);
    p = 1;
    for (let s = 0; s < radix.length; s++) {
      const r = radix[s];
      for (let k = 0; k < p; k++)
        for (let q = 1; q < r; q++) {
          const ang = (-2 * Math.PI * q * k) / (p * r);
          this.twRe[this.twOff[s] + k * (r - 1) + q - 1] = Math.cos(ang);
          this.twIm[this.twOff[s] + k * (r - 1) + q - 1] = Math.sin(ang);
        }
      p *= r;
    }
  }

  /**
   * 1-D FFTs down columns [0, width) of the L×L grid, in place (forward e^{−i…}; inverse unscaled). Columns at or
   * beyond `width` are left as they were. Strips of STRIP columns are copied out, transformed and copied back, so
   * all the stages of a strip run in cache.
   */
  columns(re: Float64Array, im: Float64Array, width: number, inverse: boolean): void {
    const L = this.size;
    const B = STRIP;
    if (this.tRe.length !== 2 * L * B) {
      this.tRe = new Float64Array(2 * L * B);
      this.tIm = new Float64Array(2 * L * B);
    }
    const { radix, twOff, twRe, twIm } = this;
    const sg = inverse ? -1 : 1;
    const ar = this.tRe.subarray(0, L * B);
    const ai = this.tIm.subarray(0, L * B);
    const br = this.tRe.subarray(L * B);
    const bi = this.tIm.subarray(L * B);
    for (let c0 = 0; c0 < width; c0 += B) {
      const w = Math.min(B, width - c0);
      for (let row = 0; row < L; row++) {
        const src = row * L + c0;
        const dst = row * B;
        for (let c = 0; c < w; c++) {
          ar[dst + c] = re[src + c];
          ai[dst + c] = im[src + c];
        }
      }
      let xr = ar;
      let xi = ai;
      let yr = br;
      let yi = bi;
      let ns = 1;
      for (let s = 0; s < radix.length; s++) {
        const r = radix[s];
        const stride = L / r;
        const si = stride * B;
        const so = ns * B;
        for (let j = 0; j < stride; j++) {
          const k = j % ns;
          const tb = twOff[s] + k * (r - 1);
          // Inputs are rows j + q·stride; outputs rows (j − k)·r + k + q·ns.
          const i0 = j * B;
          const o0 = ((j - k) * r + k) * B;
          if (r === 4)
            radix4(
              xr,
              xi,
              yr,
              yi,
              i0,
              si,
              o0,
              so,
              w,
              twRe[tb],
              sg * twIm[tb],
              twRe[tb + 1],
              sg * twIm[tb + 1],
              twRe[tb + 2],
              sg * twIm[tb + 2],
              sg,
            );
          else if (r === 2) radix2(xr, xi, yr, yi, i0, si, o0, so, w, twRe[tb], sg * twIm[tb]);
          else if (r === 3)
            radix3(xr, xi, yr, yi, i0, si, o0, so, w, twRe[tb], sg * twIm[tb], twRe[tb + 1], sg * twIm[tb + 1], sg);
          else radix5(xr, xi, yr, yi, i0, si, o0, so, w, twRe, twIm, tb, sg);
        }
        ns *= r;
        const ur = xr;
        const ui = xi;
        xr = yr;
        xi = yi;
        yr = ur;
        yi = ui;
      }
      for (let row = 0; row < L; row++) {
        const dst = row * L + c0;
        const src = row * B;
        for (let c = 0; c < w; c++) {
          re[dst + c] = xr[src + c];
          im[dst + c] = xi[src + c];
        }
      }
    }
  }

  /** In-place transpose of an L×L grid, in 32×32 tiles so both sides stay in cache. */
  transpose(re: Float64Array, im: Float64Array): void {
    const L = this.size;
    const B = 32;
    for (let i0 = 0; i0 < L; i0 += B) {
      const i1 = Math.min(L, i0 + B);
      for (let j0 = i0; j0 < L; j0 += B) {
        const j1 = Math.min(L, j0 + B);
        for (let i = i0; i < i1; i++)
          for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) {
            const a = i * L + j;
            const b = j * L + i;
            let t = re[a];
            re[a] = re[b];
            re[b] = t;
            t = im[a];
            im[a] = im[b];
            im[b] = t;
          }
      }
    }
  }

  /**
   * Forward 2-D FFT, result transposed (entry [u][v] holds frequency (v, u)); the input must be zero outside its
   * top-left `nonzero`×`nonzero` block.
   */
  forwardT(re: Float64Array, im: Float64Array, nonzero = this.size): void {
    this.columns(re, im, nonzero, false);
    this.transpose(re, im);
    this.columns(re, im, this.size, false);
  }

  /** Unscaled inverse of `forwardT` (divide by L² yourself); only the top-left `needed`×`needed` block is computed. */
  inverseT(re: Float64Array, im: Float64Array, needed = this.size): void {
    this.columns(re, im, this.size, true);
    this.transpose(re, im);
    this.columns(re, im, needed, true);
  }

  /** Forward 2-D FFT in natural layout. */
  forward(re: Float64Array, im: Float64Array): void {
    this.forwardT(re, im);
    this.transpose(re, im);
  }

  /** Unscaled inverse 2-D FFT in natural layout (divide by L² yourself). */
  inverse(re: Float64Array, im: Float64Array): void {
    this.transpose(re, im);
    this.inverseT(re, im);
  }
}

/** Columns transformed together: a strip of L rows × 16 columns (L ≤ 2,000) is ≤ 1 MiB with its scratch. */
const STRIP = 16;

// Butterflies over whole rows: inputs at i0 + q·si, outputs at o0 + q·so (q < radix), `width` columns each; input q
// is first multiplied by the twiddle w_q (w_0 = 1). sg is −1 for the inverse (the twiddles come conjugated).

function radix2(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  i0: number,
  si: number,
  o0: number,
  so: number,
  width: number,
  wr: number,
  wi: number,
): void {
  const i1 = i0 + si;
  const o1 = o0 + so;
  for (let c = 0; c < width; c++) {
    const ar = xr[i0 + c];
    const ai = xi[i0 + c];
    const br = xr[i1 + c];
    const bi = xi[i1 + c];
    const tr = wr * br - wi * bi;
    const ti = wr * bi + wi * br;
    yr[o0 + c] = ar + tr;
    yi[o0 + c] = ai + ti;
    yr[o1 + c] = ar - tr;
    yi[o1 + c] = ai - ti;
  }
}

function radix3(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  i0: number,
  si: number,
  o0: number,
  so: number,
  width: number,
  w1r: number,
  w1i: number,
  w2r: number,
  w2i: number,
  sg: number,
): void {
  const i1 = i0 + si;
  const i2 = i1 + si;
  const o1 = o0 + so;
  const o2 = o1 + so;
  // sin(2π/3), signed for the direction.
  const s3 = sg * 0.8660254037844386;
  for (let c = 0; c < width; c++) {
    const br = xr[i1 + c];
    const bi = xi[i1 + c];
    const cr = xr[i2 + c];
    const ci = xi[i2 + c];
    const x1r = w1r * br - w1i * bi;
    const x1i = w1r * bi + w1i * br;
    const x2r = w2r * cr - w2i * ci;
    const x2i = w2r * ci + w2i * cr;
    const sr = x1r + x2r;
    const sim = x1i + x2i;
    const ur = s3 * (x1r - x2r);
    const ui = s3 * (x1i - x2i);
    const ar = xr[i0 + c];
    const ai = xi[i0 + c];
    const mr = ar - 0.5 * sr;
    const mi = ai - 0.5 * sim;
    yr[o0 + c] = ar + sr;
    yi[o0 + c] = ai + sim;
    yr[o1 + c] = mr + ui;
    yi[o1 + c] = mi - ur;
    yr[o2 + c] = mr - ui;
    yi[o2 + c] = mi + ur;
  }
}

function radix4(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  i0: number,
  si: number,
  o0: number,
  so: number,
  width: number,
  w1r: number,
  w1i: number,
  w2r: number,
  w2i: number,
  w3r: number,
  w3i: number,
  sg: number,
): void {
  const i1 = i0 + si;
  const i2 = i1 + si;
  const i3 = i2 + si;
  const o1 = o0 + so;
  const o2 = o1 + so;
  const o3 = o2 + so;
  for (let c = 0; c < width; c++) {
    const x0r = xr[i0 + c];
    const x0i = xi[i0 + c];
    const ar = xr[i1 + c];
    const ai = xi[i1 + c];
    const br = xr[i2 + c];
    const bi = xi[i2 + c];
    const cr = xr[i3 + c];
    const ci = xi[i3 + c];
    const x1r = w1r * ar - w1i * ai;
    const x1i = w1r * ai + w1i * ar;
    const x2r = w2r * br - w2i * bi;
    const x2i = w2r * bi + w2i * br;
    const x3r = w3r * cr - w3i * ci;
    const x3i = w3r * ci + w3i * cr;
    const t0r = x0r + x2r;
    const t0i = x0i + x2i;
    const t1r = x0r - x2r;
    const t1i = x0i - x2i;
    const t2r = x1r + x3r;
    const t2i = x1i + x3i;
    const t3r = sg * (x1r - x3r);
    const t3i = sg * (x1i - x3i);
    yr[o0 + c] = t0r + t2r;
    yi[o0 + c] = t0i + t2i;
    yr[o2 + c] = t0r - t2r;
    yi[o2 + c] = t0i - t2i;
    // ∓i·t3
    yr[o1 + c] = t1r + t3i;
    yi[o1 + c] = t1i - t3r;
    yr[o3 + c] = t1r - t3i;
    yi[o3 + c] = t1i + t3r;
  }
}

function radix5(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  i0: number,
  si: number,
  o0: number,
  so: number,
  width: number,
  twRe: Float64Array,
  twIm: Float64Array,
  tb: number,
  sg: number,
): void {
  const w1r = twRe[tb];
  const w1i = sg * twIm[tb];
  const w2r = twRe[tb + 1];
  const w2i = sg * twIm[tb + 1];
  const w3r = twRe[tb + 2];
  const w3i = sg * twIm[tb + 2];
  const w4r = twRe[tb + 3];
  const w4i = sg * twIm[tb + 3];
  const i1 = i0 + si;
  const i2 = i1 + si;
  const i3 = i2 + si;
  const i4 = i3 + si;
  const o1 = o0 + so;
  const o2 = o1 + so;
  const o3 = o2 + so;
  const o4 = o3 + so;
  // cos and sin of 2π/5 and 4π/5, the sines signed for the direction.
  const c1 = 0.30901699437494745;
  const c2 = -0.8090169943749475;
  const s1 = sg * 0.9510565162951535;
  const s2 = sg * 0.5877852522924731;
  for (let c = 0; c < width; c++) {
    const br = xr[i1 + c];
    const bi = xi[i1 + c];
    const cr = xr[i2 + c];
    const ci = xi[i2 + c];
    const dr = xr[i3 + c];
    const di = xi[i3 + c];
    const er = xr[i4 + c];
    const ei = xi[i4 + c];
    const x1r = w1r * br - w1i * bi;
    const x1i = w1r * bi + w1i * br;
    const x2r = w2r * cr - w2i * ci;
    const x2i = w2r * ci + w2i * cr;
    const x3r = w3r * dr - w3i * di;
    const x3i = w3r * di + w3i * dr;
    const x4r = w4r * er - w4i * ei;
    const x4i = w4r * ei + w4i * er;
    const t1r = x1r + x4r;
    const t1i = x1i + x4i;
    const t2r = x2r + x3r;
    const t2i = x2i + x3i;
    const t3r = x1r - x4r;
    const t3i = x1i - x4i;
    const t4r = x2r - x3r;
    const t4i = x2i - x3i;
    const x0r = xr[i0 + c];
    const x0i = xi[i0 + c];
    const a1r = x0r + c1 * t1r + c2 * t2r;
    const a1i = x0i + c1 * t1i + c2 * t2i;
    const a2r = x0r + c2 * t1r + c1 * t2r;
    const a2i = x0i + c2 * t1i + c1 * t2i;
    const b1r = s1 * t3r + s2 * t4r;
    const b1i = s1 * t3i + s2 * t4i;
    const b2r = s2 * t3r - s1 * t4r;
    const b2i = s2 * t3i - s1 * t4i;
    yr[o0 + c] = x0r + t1r + t2r;
    yi[o0 + c] = x0i + t1i + t2i;
    yr[o1 + c] = a1r + b1i;
    yi[o1 + c] = a1i - b1r;
    yr[o4 + c] = a1r - b1i;
    yi[o4 + c] = a1i + b1r;
    yr[o2 + c] = a2r + b2i;
    yi[o2 + c] = a2i - b2r;
    yr[o3 + c] = a2r - b2i;
    yi[o3 + c] = a2i + b2r;
  }
}
