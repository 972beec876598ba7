// Pinhole camera over a flat road. World: X across the road (right), Y up, Z along the road away from
// the camera's foot. The camera sits at (offsetX, height, 0), tilted down by `pitch`.

export interface CameraParams {
  width: number;
  height: number;
  heightM: number;
  pitchDeg: number;
  hfovDeg: number;
  offsetXM: number;
}

export interface Projected {
  u: number;
  v: number;
  depth: number;
}

export class Camera {
  readonly f: number;
  readonly cx: number;
  readonly cy: number;
  private readonly sin: number;
  private readonly cos: number;

  constructor(readonly p: CameraParams) {
    this.f = p.width / 2 / Math.tan((p.hfovDeg * Math.PI) / 360);
    this.cx = p.width / 2;
    this.cy = p.height / 2;
    this.sin = Math.sin((p.pitchDeg * Math.PI) / 180);
    this.cos = Math.cos((p.pitchDeg * Math.PI) / 180);
  }

  /** Camera-space depth of a world point (> 0 in front of the camera). */
  depth(x: number, y: number, z: number): number {
    return -(y - this.p.heightM) * this.sin + z * this.cos;
  }

  project(x: number, y: number, z: number): Projected {
    const dy = y - this.p.heightM;
    const depth = -dy * this.sin + z * this.cos;
    const up = dy * this.cos + z * this.sin;
    const d = Math.max(depth, 1e-3);
    return { u: this.cx + (this.f * (x - this.p.offsetXM)) / d, v: this.cy - (this.f * up) / d, depth };
  }

  /** Ground point (y = 0) seen at image row v and column u; null above the horizon. */
  unprojectGround(u: number, v: number): { x: number; z: number } | null {
    // Ray direction in world for pixel (u, v).
    const a = (u - this.cx) / this.f;
    const b = (this.cy - v) / this.f; // up component in camera frame
    // camera axes in world: forward (0, -sin, cos), up (0, cos, sin), right (1, 0, 0)
    const dy = -this.sin + b * this.cos;
    const dz = this.cos + b * this.sin;
    if (dy >= -1e-6) return null;
    const t = this.p.heightM / -dy;
    return { x: this.p.offsetXM + a * t, z: dz * t };
  }

  /** Nearest Z on the ground visible at the bottom of the image (at the image centre column). */
  nearZ(): number {
    return this.unprojectGround(this.cx, this.p.height)?.z ?? 0;
  }
}
