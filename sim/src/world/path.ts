// A vehicle's route on the ground as a finely sampled polyline with arc length; pose(s) gives
// position and heading (radians from +Z towards +X).

export interface Pose {
  x: number;
  z: number;
  heading: number;
}

export class Path {
  private readonly cum: number[] = [0];
  readonly length: number;

  constructor(readonly pts: { x: number; z: number }[]) {
    if (pts.length < 2) throw new Error('a path needs at least two points');
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      this.cum.push(this.cum[i - 1]! + Math.hypot(b.x - a.x, b.z - a.z));
    }
    this.length = this.cum[this.cum.length - 1]!;
  }

  pose(s: number): Pose {
    const n = this.pts.length;
    let i: number;
    if (s <= 0) i = 1;
    else if (s >= this.length) i = n - 1;
    else {
      let lo = 1;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cum[mid]! < s) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const a = this.pts[i - 1]!;
    const b = this.pts[i]!;
    const seg = this.cum[i]! - this.cum[i - 1]! || 1;
    const f = (s - this.cum[i - 1]!) / seg; // may fall outside [0, 1]: extrapolate along the end segments
    return { x: a.x + (b.x - a.x) * f, z: a.z + (b.z - a.z) * f, heading: Math.atan2(b.x - a.x, b.z - a.z) };
  }

  /** Arc length where the path first reaches Z = z going in +Z (null if never). */
  sAtZ(z: number): number | null {
    for (let i = 1; i < this.pts.length; i++) {
      const a = this.pts[i - 1]!;
      const b = this.pts[i]!;
      if (a.z < z && b.z >= z) return this.cum[i - 1]! + ((z - a.z) / (b.z - a.z)) * (this.cum[i]! - this.cum[i - 1]!);
    }
    return null;
  }
}

export class PathBuilder {
  private readonly pts: { x: number; z: number }[];
  private heading: number;

  constructor(x: number, z: number, heading: number) {
    this.pts = [{ x, z }];
    this.heading = heading;
  }

  private get last() {
    return this.pts[this.pts.length - 1]!;
  }

  straight(len: number, step = 1): this {
    const { x, z } = this.last;
    const n = Math.max(1, Math.ceil(len / step));
    for (let i = 1; i <= n; i++) {
      const d = (len * i) / n;
      this.pts.push({ x: x + Math.sin(this.heading) * d, z: z + Math.cos(this.heading) * d });
    }
    return this;
  }

  /** Arc turning by `angle` radians (positive = towards +X when heading +Z, i.e. a right turn) of radius r. */
  arc(angle: number, r: number, step = 0.25): this {
    const n = Math.max(2, Math.ceil((Math.abs(angle) * r) / step));
    for (let i = 1; i <= n; i++) {
      const h = this.heading + (angle * i) / n;
      const prevH = this.heading + (angle * (i - 1)) / n;
      const chord = 2 * r * Math.sin(Math.abs(angle) / n / 2);
      const mid = (h + prevH) / 2;
      const { x, z } = this.last;
      this.pts.push({ x: x + Math.sin(mid) * chord, z: z + Math.cos(mid) * chord });
    }
    this.heading += angle;
    return this;
  }

  /** Move sideways by dx (world X) over a run of `len` along +Z, smoothly (cosine profile). */
  shift(dx: number, len: number, step = 0.5): this {
    const { x, z } = this.last;
    const n = Math.max(2, Math.ceil(len / step));
    for (let i = 1; i <= n; i++) {
      const f = i / n;
      this.pts.push({ x: x + (dx * (1 - Math.cos(Math.PI * f))) / 2, z: z + len * f });
    }
    return this;
  }

  build(): Path {
    return new Path(this.pts);
  }
}
