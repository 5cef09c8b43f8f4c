/**
 * Mixed-radix (2, 3, 4, 5) complex FFTs on split real/imaginary Float64Arrays, for the L×L grids of the
 * FFT-accelerated gradient. Sizes need only be 5-smooth (2^a·3^b·5^c), so the grid can follow the embedding's extent
 * in small steps (FIt-SNE's 2 × 3 × boxes) instead of doubling at powers of two.
 *
 * 2-D transforms are rows, a square in-place transpose, rows again: every pass walks memory contiguously. The
 * convolution pair `forwardT` / `inverseT` skips the transpose back, so spectra are held transposed; that is
 * invisible to a pointwise product with a kernel transformed the same way.
 *
 * Self-contained (no outside references): the class's source is also shipped to the helper thread as text.
 */
export class Fft2d {
  readonly size: number;
  /** Radix of each stage, in the order applied. */
  private readonly radix: Int32Array;
  /** Twiddles of stage s start at twOff[s]: for block offset k < P and q in 1..r−1, e^{−2πi·qk/(P·r)}. */
  private readonly twOff: Int32Array;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  /** Input order of the iterative decimation in time: position i reads element perm[i]. */
  private readonly perm: Int32Array;
  private readonly sRe: Float64Array;
  private readonly sIm: Float64Array;

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
    // The last stage combines r blocks, block q holding the elements ≡ q mod r; recursively inside each block.
    this.perm = new Int32Array(size);
    for (let n = 0; n < size; n++) {
      let pos = 0;
      let m = n;
      let block = size;
      for (let s = radix.length - 1; s >= 0; s--) {
        block /= radix[s];
        pos += (m % radix[s]) * block;
        m = Math.floor(m / radix[s]);
      }
      this.perm[pos] = n;
    }
    this.sRe = new Float64Array(size);
    this.sIm = new Float64Array(size);
  }

  /** In-place FFT of one row starting at `offset` (forward e^{−i…}; inverse unscaled). */
  row(re: Float64Array, im: Float64Array, offset: number, inverse: boolean): void {
    const L = this.size;
    const { perm, sRe, sIm, twRe, twIm, radix, twOff } = this;
    for (let i = 0; i < L; i++) {
      sRe[i] = re[offset + perm[i]];
      sIm[i] = im[offset + perm[i]];
    }
    re.set(sRe, offset);
    im.set(sIm, offset);
    const sg = inverse ? -1 : 1;
    let P = 1;
    for (let s = 0; s < radix.length; s++) {
      const r = radix[s];
      const tw = twOff[s];
      const span = P * r;
      for (let g = offset, end = offset + L; g < end; g += span) {
        for (let k = 0; k < P; k++) {
          const a = g + k;
          const tb = tw + k * (r - 1);
          if (r === 4) {
            const b = a + P;
            const c = b + P;
            const d = c + P;
            const w1r = twRe[tb];
            const w1i = sg * twIm[tb];
            const w2r = twRe[tb + 1];
            const w2i = sg * twIm[tb + 1];
            const w3r = twRe[tb + 2];
            const w3i = sg * twIm[tb + 2];
            const x0r = re[a];
            const x0i = im[a];
            const x1r = w1r * re[b] - w1i * im[b];
            const x1i = w1r * im[b] + w1i * re[b];
            const x2r = w2r * re[c] - w2i * im[c];
            const x2i = w2r * im[c] + w2i * re[c];
            const x3r = w3r * re[d] - w3i * im[d];
            const x3i = w3r * im[d] + w3i * re[d];
            const t0r = x0r + x2r;
            const t0i = x0i + x2i;
            const t1r = x0r - x2r;
            const t1i = x0i - x2i;
            const t2r = x1r + x3r;
            const t2i = x1i + x3i;
            const t3r = sg * (x1r - x3r);
            const t3i = sg * (x1i - x3i);
            re[a] = t0r + t2r;
            im[a] = t0i + t2i;
            re[c] = t0r - t2r;
            im[c] = t0i - t2i;
            // ∓i·t3
            re[b] = t1r + t3i;
            im[b] = t1i - t3r;
            re[d] = t1r - t3i;
            im[d] = t1i + t3r;
          } else if (r === 2) {
            const b = a + P;
            const wr = twRe[tb];
            const wi = sg * twIm[tb];
            const xr = wr * re[b] - wi * im[b];
            const xi = wr * im[b] + wi * re[b];
            re[b] = re[a] - xr;
            im[b] = im[a] - xi;
            re[a] += xr;
            im[a] += xi;
          } else if (r === 3) {
            const b = a + P;
            const c = b + P;
            const w1r = twRe[tb];
            const w1i = sg * twIm[tb];
            const w2r = twRe[tb + 1];
            const w2i = sg * twIm[tb + 1];
            const x1r = w1r * re[b] - w1i * im[b];
            const x1i = w1r * im[b] + w1i * re[b];
            const x2r = w2r * re[c] - w2i * im[c];
            const x2i = w2r * im[c] + w2i * re[c];
            const sr = x1r + x2r;
            const si = x1i + x2i;
            // sin(2π/3)
            const ur = sg * 0.8660254037844386 * (x1r - x2r);
            const ui = sg * 0.8660254037844386 * (x1i - x2i);
            const mr = re[a] - 0.5 * sr;
            const mi = im[a] - 0.5 * si;
            re[a] += sr;
            im[a] += si;
            re[b] = mr + ui;
            im[b] = mi - ur;
            re[c] = mr - ui;
            im[c] = mi + ur;
          } else {
            const b = a + P;
            const c = b + P;
            const d = c + P;
            const e = d + P;
            const x1r = twRe[tb] * re[b] - sg * twIm[tb] * im[b];
            const x1i = twRe[tb] * im[b] + sg * twIm[tb] * re[b];
            const x2r = twRe[tb + 1] * re[c] - sg * twIm[tb + 1] * im[c];
            const x2i = twRe[tb + 1] * im[c] + sg * twIm[tb + 1] * re[c];
            const x3r = twRe[tb + 2] * re[d] - sg * twIm[tb + 2] * im[d];
            const x3i = twRe[tb + 2] * im[d] + sg * twIm[tb + 2] * re[d];
            const x4r = twRe[tb + 3] * re[e] - sg * twIm[tb + 3] * im[e];
            const x4i = twRe[tb + 3] * im[e] + sg * twIm[tb + 3] * re[e];
            // cos and sin of 2π/5 and 4π/5
            const c1 = 0.30901699437494745;
            const c2 = -0.8090169943749475;
            const s1 = 0.9510565162951535;
            const s2 = 0.5877852522924731;
            const t1r = x1r + x4r;
            const t1i = x1i + x4i;
            const t2r = x2r + x3r;
            const t2i = x2i + x3i;
            const t3r = x1r - x4r;
            const t3i = x1i - x4i;
            const t4r = x2r - x3r;
            const t4i = x2i - x3i;
            const x0r = re[a];
            const x0i = im[a];
            const a1r = x0r + c1 * t1r + c2 * t2r;
            const a1i = x0i + c1 * t1i + c2 * t2i;
            const a2r = x0r + c2 * t1r + c1 * t2r;
            const a2i = x0i + c2 * t1i + c1 * t2i;
            const b1r = sg * (s1 * t3r + s2 * t4r);
            const b1i = sg * (s1 * t3i + s2 * t4i);
            const b2r = sg * (s2 * t3r - s1 * t4r);
            const b2i = sg * (s2 * t3i - s1 * t4i);
            re[a] = x0r + t1r + t2r;
            im[a] = x0i + t1i + t2i;
            re[b] = a1r + b1i;
            im[b] = a1i - b1r;
            re[e] = a1r - b1i;
            im[e] = a1i + b1r;
            re[c] = a2r + b2i;
            im[c] = a2i - b2r;
            re[d] = a2r - b2i;
            im[d] = a2i + b2r;
          }
        }
      }
      P = span;
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

  /** Forward 2-D FFT, result transposed (entry [u][v] holds frequency (v, u)); rows ≥ `rows` must be zero. */
  forwardT(re: Float64Array, im: Float64Array, rows = this.size): void {
    const L = this.size;
    for (let r = 0; r < rows; r++) this.row(re, im, r * L, false);
    this.transpose(re, im);
    for (let r = 0; r < L; r++) this.row(re, im, r * L, false);
  }

  /** Unscaled inverse of `forwardT` (divide by L² yourself); only rows < `rows` of the result are computed. */
  inverseT(re: Float64Array, im: Float64Array, rows = this.size): void {
    const L = this.size;
    for (let r = 0; r < L; r++) this.row(re, im, r * L, true);
    this.transpose(re, im);
    for (let r = 0; r < rows; r++) this.row(re, im, r * L, true);
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
