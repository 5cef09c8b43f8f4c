/**
 * Radix-2 complex FFTs on split real/imaginary Float64Arrays, for the L×L grids of the FFT-accelerated
 * gradient. Rows are transformed one by one; columns by butterflies between whole rows, so memory is always
 * walked contiguously (no transposes).
 */
export class Fft2d {
  readonly size: number;
  /** Twiddles per stage: for a stage of half-size h, e^{-iπj/h} sits at index h + j. */
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly rev: Int32Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new Error(`FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    this.twRe = new Float64Array(size);
    this.twIm = new Float64Array(size);
    for (let h = 1; h < size; h <<= 1)
      for (let j = 0; j < h; j++) {
        this.twRe[h + j] = Math.cos((Math.PI * j) / h);
        this.twIm[h + j] = -Math.sin((Math.PI * j) / h);
      }
    this.rev = new Int32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** In-place FFT of one row starting at `offset` (forward e^{-i…}; inverse unscaled). */
  row(re: Float64Array, im: Float64Array, offset: number, inverse: boolean): void {
    const L = this.size;
    const rev = this.rev;
    for (let i = 0; i < L; i++) {
      const r = rev[i];
      if (r > i) {
        const a = offset + i;
        const b = offset + r;
        let t = re[a];
        re[a] = re[b];
        re[b] = t;
        t = im[a];
        im[a] = im[b];
        im[b] = t;
      }
    }
    // First two stages together as radix-4 butterflies: twiddles are 1 and ∓i.
    const s = inverse ? -1 : 1;
    for (let a = offset, end = offset + L; a < end; a += 4) {
      const r0 = re[a] + re[a + 1];
      const i0 = im[a] + im[a + 1];
      const r1 = re[a] - re[a + 1];
      const i1 = im[a] - im[a + 1];
      const r2 = re[a + 2] + re[a + 3];
      const i2 = im[a + 2] + im[a + 3];
      // (x2 − x3)·(∓i)
      const r3 = s * (im[a + 2] - im[a + 3]);
      const i3 = -s * (re[a + 2] - re[a + 3]);
      re[a] = r0 + r2;
      im[a] = i0 + i2;
      re[a + 2] = r0 - r2;
      im[a + 2] = i0 - i2;
      re[a + 1] = r1 + r3;
      im[a + 1] = i1 + i3;
      re[a + 3] = r1 - r3;
      im[a + 3] = i1 - i3;
    }
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let half = 4; half < L; half <<= 1) {
      for (let start = offset, end = offset + L; start < end; start += 2 * half) {
        for (let j = 0; j < half; j++) {
          const wr = twRe[half + j];
          const wi = s * twIm[half + j];
          const a = start + j;
          const b = a + half;
          const br = re[b];
          const bi = im[b];
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }

  /** In-place FFT along columns, for columns [c0, c1) only. */
  columns(re: Float64Array, im: Float64Array, inverse: boolean, c0 = 0, c1 = this.size): void {
    const L = this.size;
    const rev = this.rev;
    for (let i = 0; i < L; i++) {
      const r = rev[i];
      if (r > i) {
        const a = i * L;
        const b = r * L;
        for (let c = c0; c < c1; c++) {
          let t = re[a + c];
          re[a + c] = re[b + c];
          re[b + c] = t;
          t = im[a + c];
          im[a + c] = im[b + c];
          im[b + c] = t;
        }
      }
    }
    const s = inverse ? -1 : 1;
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let half = 1; half < L; half <<= 1) {
      for (let start = 0; start < L; start += 2 * half) {
        for (let j = 0; j < half; j++) {
          const wr = twRe[half + j];
          const wi = s * twIm[half + j];
          const a = (start + j) * L;
          const b = a + half * L;
          if (j === 0) {
            for (let c = c0; c < c1; c++) {
              const tr = re[b + c];
              const ti = im[b + c];
              re[b + c] = re[a + c] - tr;
              im[b + c] = im[a + c] - ti;
              re[a + c] += tr;
              im[a + c] += ti;
            }
            continue;
          }
          for (let c = c0; c < c1; c++) {
            const br = re[b + c];
            const bi = im[b + c];
            const tr = wr * br - wi * bi;
            const ti = wr * bi + wi * br;
            re[b + c] = re[a + c] - tr;
            im[b + c] = im[a + c] - ti;
            re[a + c] += tr;
            im[a + c] += ti;
          }
        }
      }
    }
  }

  /** Forward 2-D FFT of an L×L grid whose rows ≥ `rows` are zero. */
  forward(re: Float64Array, im: Float64Array, rows = this.size): void {
    for (let r = 0; r < rows; r++) this.row(re, im, r * this.size, false);
    this.columns(re, im, false);
  }

  /** Unscaled inverse 2-D FFT (divide by L² yourself) of which only rows < `rows` are needed. */
  inverse(re: Float64Array, im: Float64Array, rows = this.size): void {
    this.columns(re, im, true);
    for (let r = 0; r < rows; r++) this.row(re, im, r * this.size, true);
  }
}
