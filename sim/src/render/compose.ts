// Per-frame compositing: background, vehicles (painter's order, optional motion blur), signal lamps with
// LED flicker and countdown, foreground occluder, then sensor effects (rain, noise, JPEG). Also measures
// what each object really shows on screen (visible fraction, plate legibility) for the truth file.
import sharp from 'sharp';
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { Scenario } from '../scenario/schema';
import { subRng, uniform } from '../random';
import { clipBox, projectVehicle, type Pt } from '../world/project';
import type { SimActor, SimFrame, SimResult } from '../world/simulate';
import { backgroundSvg, occluderSvg, rasteriseRgb, rasteriseRgba } from './background';
import { createCanvas, drawSpriteQuad, fillCircle, fillConvex, glow, hexToRgb, overlay, shade, type Canvas, type Rgb } from './raster';
import { pickMip, renderFace, type FaceSprite } from './sprites';

export interface TruthPlate {
  text: string;
  layout: 'one-line' | 'two-line';
  colour: 'white' | 'yellow' | 'blue' | 'red';
  box: Box;
  /** Plate faces the camera, is wholly on screen, at least 8 px wide and at least 80 % unoccluded. */
  visible: boolean;
  /** Visible with characters at least 7 px tall: a reader can be expected to get it right. */
  legible: boolean;
  /** Height of one character in pixels. */
  charHeightPx: number;
}

export interface TruthObject {
  trackId: string;
  cls: SimActor['cls'];
  kind: SimActor['kind'];
  box: Box;
  /** Fraction of the object's drawn pixels hidden by nearer objects or the foreground (0..1). */
  occluded: number;
  plate: TruthPlate | null;
}

export interface TruthLight {
  headId: string;
  round: 'red' | 'yellow' | 'green';
  arrow: 'green' | 'off' | null;
  countdown: number | null;
  /** False when the frame caught the LED dark (flicker); `round` is still the controller state. */
  lit: boolean;
}

export interface TruthFrame {
  index: number;
  t: number;
  objects: TruthObject[];
  lights: TruthLight[];
}

export interface RenderOptions {
  /** Skip sensor effects (noise, rain, JPEG, flicker): used by tests comparing against the empty scene. */
  clean?: boolean;
  /** Leave vehicles out (background plate only). */
  noVehicles?: boolean;
}

const SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abged',
  '3': 'abgcd',
  '4': 'fgbc',
  '5': 'afgcd',
  '6': 'afgedc',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
};

const LAMP_RGB: Record<'red' | 'yellow' | 'green', Rgb> = { red: [255, 45, 35], yellow: [255, 196, 30], green: [40, 235, 110] };

export class SceneRenderer {
  private sprites = new Map<string, Promise<FaceSprite>>();
  private noise: Int8Array | null = null;

  private constructor(
    readonly sim: SimResult,
    private readonly background: Uint8Array,
    private readonly foreground: Uint8Array | null,
    private readonly opts: RenderOptions,
  ) {
    const c = sim.scenario.conditions;
    if (!opts.clean && c.noise > 0) {
      const rng = subRng(sim.scenario.seed, 'noise');
      this.noise = new Int8Array(1 << 20);
      for (let i = 0; i < this.noise.length; i++) this.noise[i] = Math.round((rng() + rng() + rng() - 1.5) * 2 * 24 * c.noise);
    }
  }

  static async create(sim: SimResult, opts: RenderOptions = {}): Promise<SceneRenderer> {
    const s = sim.scenario;
    const bg = await rasteriseRgb(backgroundSvg(s, sim.layout, sim.camera));
    const fg = s.conditions.occluder ? (await rasteriseRgba(occluderSvg(s))).data : null;
    return new SceneRenderer(sim, bg, fg, opts);
  }

  get scenario(): Scenario {
    return this.sim.scenario;
  }

  get frameCount(): number {
    return this.sim.frames.length;
  }

  backgroundRgb(): Uint8Array {
    return this.background;
  }

  sprite(a: SimActor): Promise<FaceSprite> {
    let p = this.sprites.get(a.id);
    if (!p) {
      const cam = this.sim.camera;
      const near = Math.max(3, cam.depth(0, a.dims.h / 2, cam.nearZ()));
      const ppm = Math.min(400, (cam.f / near) * 1.15);
      p = renderFace(a, this.scenario.conditions.time === 'night', ppm);
      this.sprites.set(a.id, p);
    }
    return p;
  }

  /** Drop sprites of vehicles that have left (keeps memory flat on long scenes). */
  private evict(frame: SimFrame): void {
    const live = new Set(frame.actors.map((a) => a.id));
    for (const id of this.sprites.keys()) if (!live.has(id)) this.sprites.delete(id);
  }

  async render(k: number): Promise<{ rgb: Uint8Array; truth: TruthFrame }> {
    const s = this.scenario;
    const frame = this.sim.frames[k]!;
    const cam = this.sim.camera;
    const W = s.width;
    const H = s.height;
    const cv = createCanvas(W, H, this.background);
    const rng = subRng(s.seed, `frame:${k}`);
    const items = this.opts.noVehicles
      ? []
      : frame.actors
          .map((st) => {
            const a = this.sim.actors.get(st.id)!;
            return { st, a, pv: projectVehicle(cam, st.x, st.z, st.heading, a.dims) };
          })
          .filter((it) => it.pv.depth > 0.8 && it.pv.box[2] > 0 && it.pv.box[0] < W && it.pv.box[3] > 0 && it.pv.box[1] < H)
          .sort((p, q) => q.pv.depth - p.pv.depth || (p.a.id < q.a.id ? -1 : 1));
    const sprites = await Promise.all(items.map((it) => this.sprite(it.a)));
    const blur = this.opts.clean ? 0 : s.conditions.motionBlur;
    const drawn: number[] = [];
    const plates: (TruthPlate | null)[] = [];
    items.forEach((it, j) => {
      const sp = sprites[j]!;
      const copies = blur > 0 && it.st.v > 1 ? 3 : 1;
      let plate: TruthPlate | null = null;
      for (let c = 0; c < copies; c++) {
        const back = copies === 1 ? 0 : (((copies - 1 - c) / (copies - 1)) * it.st.v * (blur * 0.8)) / s.fps;
        const x = it.st.x - Math.sin(it.st.heading) * back;
        const z = it.st.z - Math.cos(it.st.heading) * back;
        const pv = c === copies - 1 ? it.pv : projectVehicle(cam, x, z, it.st.heading, it.a.dims);
        const p = this.drawVehicle(cv, it.a, { x, z, heading: it.st.heading }, pv, sp, 1 / (c + 1), j);
        if (c === copies - 1) plate = p;
      }
      const b = clipBox(it.pv.box, W, H);
      drawn.push(b ? countIds(cv, b, j) : 0);
      plates.push(plate);
    });
    const lights = this.drawSignals(cv, frame, rng);
    if (this.foreground) overlay(cv, this.foreground);

    const objects: TruthObject[] = [];
    items.forEach((it, j) => {
      const box = clipBox(it.pv.box, W, H);
      if (!box) return;
      const own = drawn[j]!;
      const visible = countIds(cv, box, j);
      const occluded = own > 0 ? Math.max(0, Math.min(1, 1 - visible / own)) : 1;
      let plate = plates[j]!;
      if (plate) {
        const pb = clipBox(plate.box, W, H);
        const pv = pb ? countIds(cv, pb, j) / Math.max(1, (pb[2] - pb[0]) * (pb[3] - pb[1])) : 0;
        const visible =
          !!pb &&
          plate.box[2] - plate.box[0] >= 8 &&
          pv >= 0.8 &&
          pb[0] === plate.box[0] &&
          pb[2] === plate.box[2] &&
          pb[1] === plate.box[1] &&
          pb[3] === plate.box[3];
        // Character height over plate height: 80/110 on one-line plates, 54/140 or 64/165 on two-line ones.
        const charHeightPx = Math.round((plate.box[3] - plate.box[1]) * (plate.layout === 'one-line' ? 0.727 : 0.386) * 10) / 10;
        plate = { ...plate, box: round2(plate.box), visible, legible: visible && charHeightPx >= 7, charHeightPx };
      }
      objects.push({ trackId: it.a.id, cls: it.a.cls, kind: it.a.kind, box: round2(box), occluded: Math.round(occluded * 1000) / 1000, plate });
    });
    if (!this.opts.clean) await this.effects(cv, k, rng);
    const out = this.opts.clean || !s.conditions.jpegQuality ? cv.data : await jpegRoundTrip(cv, s.conditions.jpegQuality);
    if (k % 50 === 49) this.evict(frame);
    return { rgb: out, truth: { index: k, t: Math.round(frame.t * 1000) / 1000, objects, lights } };
  }

  private drawVehicle(
    cv: Canvas,
    a: SimActor,
    pose: { x: number; z: number; heading: number },
    pv: ReturnType<typeof projectVehicle>,
    sp: FaceSprite,
    alpha: number,
    id: number,
  ): TruthPlate | null {
    const night = this.scenario.conditions.time === 'night';
    const base = hexToRgb(a.bodyColour);
    const body = night ? shade(base, 0.4) : base;
    if (a.kind === 'motorbike') {
      // The bike itself: a narrow dark body under the rider (the rider is on the end-face sprite).
      const bike = projectVehicle(this.sim.camera, pose.x, pose.z, pose.heading, { w: 0.24, l: 1.7, h: 0.6 });
      for (const f of bike.faces)
        if (f.face !== 'rear' && f.face !== 'front') fillConvex(cv, f.quad, f.face === 'top' ? shade(body, 0.9) : [28, 28, 30], alpha, id);
    }
    for (const f of pv.faces) {
      if (f.face === 'rear' || f.face === 'front') continue;
      if (a.kind === 'motorbike') continue;
      const colour = f.face === 'top' ? shade(body, 1.12) : shade(body, 0.78);
      fillConvex(cv, f.quad, colour, alpha, id);
      if (f.face === 'top' && (a.kind === 'car' || a.kind === 'taxi')) {
        // Seen from above a car is mostly roof between two dark windscreens.
        const [r0, r1, f1, f0] = f.quad as [Pt, Pt, Pt, Pt]; // rear-left, rear-right, front-right, front-left
        const at = (along: number, across: number): Pt => {
          const l = { u: r0.u + (f0.u - r0.u) * along, v: r0.v + (f0.v - r0.v) * along };
          const r = { u: r1.u + (f1.u - r1.u) * along, v: r1.v + (f1.v - r1.v) * along };
          return { u: l.u + (r.u - l.u) * across, v: l.v + (r.v - l.v) * across };
        };
        const glass: Rgb = night ? [10, 14, 20] : [40, 52, 64];
        fillConvex(cv, [at(0.14, 0.1), at(0.14, 0.9), at(0.3, 0.88), at(0.3, 0.12)], glass, alpha, id);
        fillConvex(cv, [at(0.6, 0.12), at(0.6, 0.88), at(0.78, 0.92), at(0.78, 0.08)], glass, alpha, id);
        fillConvex(cv, [at(0.78, 0.02), at(0.78, 0.98), at(1, 0.98), at(1, 0.02)], shade(body, 0.95), alpha, id);
      }
      if (f.face !== 'top' && (a.kind === 'car' || a.kind === 'taxi' || a.kind === 'bus')) {
        // window band on the upper part of the side
        const [p0, p1, p2, p3] = f.quad as [Pt, Pt, Pt, Pt];
        const lerp = (p: Pt, q: Pt, t: number): Pt => ({ u: p.u + (q.u - p.u) * t, v: p.v + (q.v - p.v) * t });
        const top = a.kind === 'bus' ? 0.12 : 0.05;
        const bottom = a.kind === 'bus' ? 0.5 : 0.42;
        // p0, p1 are the bottom corners, p3, p2 the top ones: the band runs from `top` to `bottom` down the side.
        const q = [lerp(p3, p0, top), lerp(p2, p1, top), lerp(p2, p1, bottom), lerp(p3, p0, bottom)];
        fillConvex(cv, q, night ? [12, 16, 22] : [48, 62, 76], alpha, id);
      }
    }
    const end = pv.faces.find((f) => f.face === sp.face);
    if (!end) return null;
    const quad = end.quad; // [top-left, top-right, bottom-right, bottom-left] as seen from outside
    const width = Math.hypot(quad[1]!.u - quad[0]!.u, quad[1]!.v - quad[0]!.v);
    drawSpriteQuad(cv, pickMip(sp, width), quad, alpha, id);
    if (!sp.plate) return null;
    const [tl, tr, br, bl] = quad as [Pt, Pt, Pt, Pt];
    const map = (mx: number, my: number): Pt => {
      const a1 = mx / sp.widthM;
      const b1 = my / sp.heightM;
      const ax = (tr.u - tl.u + br.u - bl.u) / 2;
      const ay = (tr.v - tl.v + br.v - bl.v) / 2;
      const bx = (bl.u - tl.u + br.u - tr.u) / 2;
      const by = (bl.v - tl.v + br.v - tr.v) / 2;
      return { u: tl.u + a1 * ax + b1 * bx, v: tl.v + a1 * ay + b1 * by };
    };
    const [x0, y0, x1, y1] = sp.plate;
    const corners = [map(x0, y0), map(x1, y0), map(x1, y1), map(x0, y1)];
    const box: Box = [
      Math.min(...corners.map((c) => c.u)),
      Math.min(...corners.map((c) => c.v)),
      Math.max(...corners.map((c) => c.u)),
      Math.max(...corners.map((c) => c.v)),
    ];
    return { text: a.plate.text, layout: a.plate.layout, colour: a.plate.colour, box, visible: false, legible: false, charHeightPx: 0 };
  }

  private drawSignals(cv: Canvas, frame: SimFrame, rng: () => number): TruthLight[] {
    const s = this.scenario;
    const cam = this.sim.camera;
    const out: TruthLight[] = [];
    for (const head of this.sim.layout.heads) {
      const st = frame.signals.get(head.spec.id)!;
      const dark = !this.opts.clean && s.conditions.flicker > 0 && rng() < s.conditions.flicker;
      const glare = this.opts.clean ? 0 : (s.conditions.glare ?? 0);
      // PWM arrows aliasing with the frame rate: lit on every other frame only.
      const arrowDark = !this.opts.clean && s.conditions.arrowFlicker === true && frame.index % 2 === 1;
      for (const lamp of head.lamps) {
        const c = cam.project(lamp.x, lamp.y, lamp.z);
        const r = (cam.f * lamp.r) / Math.max(1, c.depth);
        const lit = !dark && (lamp.shape === 'round' ? st.round === lamp.colour : st.arrow === 'green' && !arrowDark);
        const colour = LAMP_RGB[lamp.colour];
        // Sunlit unlit lens: a dull, bright, barely tinted grey.
        const unlit = (base: Rgb, k: number): Rgb =>
          glare > 0 ? (base.map((v, i) => Math.round(shade(base, k)[i]! * (1 - glare) + (150 + v * 0.12) * glare)) as Rgb) : shade(base, k);
        if (lamp.shape === 'round') {
          fillCircle(cv, c.u, c.v, r, lit ? colour : unlit(colour, 0.18));
          if (lit) glow(cv, c.u, c.v, r * 2.6, colour, s.conditions.time === 'night' ? 0.9 : 0.45);
          // Overexposed centre: only a ring keeps the lamp's colour.
          if (lit && glare > 0) fillCircle(cv, c.u, c.v, r * (0.35 + 0.35 * glare), [255, 250, 235]);
        } else {
          fillCircle(cv, c.u, c.v, r, [18, 18, 18]);
          const col = lit ? colour : unlit(colour, 0.2);
          const pt = (dx: number, dy: number): Pt => ({ u: c.u + dx * r, v: c.v + dy * r });
          fillConvex(cv, [pt(-0.75, -0.18), pt(0.1, -0.18), pt(0.1, 0.18), pt(-0.75, 0.18)], col);
          fillConvex(cv, [pt(0.05, -0.6), pt(0.8, 0), pt(0.05, 0.6)], col);
          if (lit && glare > 0) {
            // A lit LED arrow in daylight overexposes along its middle; the edges keep the colour.
            const hot: Rgb = [235, 255, 240];
            fillConvex(cv, [pt(-0.65, -0.08), pt(0.1, -0.08), pt(0.1, 0.08), pt(-0.65, 0.08)], hot);
            fillConvex(cv, [pt(0.12, -0.35), pt(0.6, 0), pt(0.12, 0.35)], hot);
          }
          if (lit) glow(cv, c.u, c.v, r * 2.2, colour, 0.4);
        }
      }
      let countdown: number | null = null;
      if (head.countdown) {
        countdown = Math.min(99, st.remaining);
        const d = head.countdown;
        const tl = cam.project(d.x - d.w / 2, d.y + d.h / 2, d.z);
        const br = cam.project(d.x + d.w / 2, d.y - d.h / 2, d.z);
        const colour = dark ? ([30, 30, 30] as Rgb) : LAMP_RGB[st.round];
        const text = String(countdown).padStart(2, '0');
        const cw = (br.u - tl.u) / 2;
        for (let i = 0; i < 2; i++) drawDigit(cv, text[i]!, tl.u + cw * i + cw * 0.15, tl.v + (br.v - tl.v) * 0.1, cw * 0.7, (br.v - tl.v) * 0.8, colour);
      }
      out.push({ headId: head.spec.id, round: st.round, arrow: st.arrow, countdown, lit: !dark });
    }
    return out;
  }

  private async effects(cv: Canvas, k: number, rng: () => number): Promise<void> {
    const c = this.scenario.conditions;
    const d = cv.data;
    if (c.rain > 0) {
      for (let i = 0; i < d.length; i++) d[i] = d[i]! * (1 - 0.15 * c.rain) + 12 * c.rain;
      const streaks = Math.round((c.rain * (cv.width * cv.height)) / 1400);
      const light: Rgb = c.time === 'night' ? [120, 125, 135] : [205, 210, 218];
      for (let i = 0; i < streaks; i++) {
        const x = uniform(rng, 0, cv.width);
        const y = uniform(rng, -20, cv.height);
        const len = uniform(rng, 8, 22) * (cv.height / 720);
        const pts = [
          { u: x, v: y },
          { u: x + 1.2, v: y },
          { u: x + 1.2 - len * 0.18, v: y + len },
          { u: x - len * 0.18, v: y + len },
        ];
        fillConvex(cv, pts, light, 0.35);
      }
    }
    if (this.noise) {
      const n = this.noise;
      const mask = n.length - 1;
      let o = Math.floor(subRng(this.scenario.seed, `noise:${k}`)() * n.length);
      for (let i = 0; i < d.length; i++) {
        const v = d[i]! + n[(o + i) & mask]!;
        d[i] = v < 0 ? 0 : v > 255 ? 255 : v;
        if ((i & 4095) === 4095) o = (o + 7919) & mask;
      }
    }
  }
}

function drawDigit(cv: Canvas, ch: string, x: number, y: number, w: number, h: number, colour: Rgb): void {
  const t = Math.max(1, w * 0.2);
  const seg: Record<string, [number, number, number, number]> = {
    a: [x, y, x + w, y + t],
    b: [x + w - t, y, x + w, y + h / 2],
    c: [x + w - t, y + h / 2, x + w, y + h],
    d: [x, y + h - t, x + w, y + h],
    e: [x, y + h / 2, x + t, y + h],
    f: [x, y, x + t, y + h / 2],
    g: [x, y + h / 2 - t / 2, x + w, y + h / 2 + t / 2],
  };
  for (const sname of SEGMENTS[ch] ?? '') {
    const [a, b, c2, d] = seg[sname]!;
    fillConvex(
      cv,
      [
        { u: a, v: b },
        { u: c2, v: b },
        { u: c2, v: d },
        { u: a, v: d },
      ],
      colour,
    );
  }
}

function countIds(cv: Canvas, b: Box, id: number): number {
  let n = 0;
  const x0 = Math.floor(b[0]);
  const x1 = Math.min(cv.width, Math.ceil(b[2]));
  const y0 = Math.floor(b[1]);
  const y1 = Math.min(cv.height, Math.ceil(b[3]));
  for (let y = y0; y < y1; y++) {
    const row = y * cv.width;
    for (let x = x0; x < x1; x++) if (cv.ids[row + x] === id) n++;
  }
  return n;
}

function round2(b: Box): Box {
  return b.map((v) => Math.round(v * 100) / 100) as Box;
}

async function jpegRoundTrip(cv: Canvas, quality: number): Promise<Uint8Array> {
  const raw = { width: cv.width, height: cv.height, channels: 3 as const };
  const jpg = await sharp(Buffer.from(cv.data.buffer, cv.data.byteOffset, cv.data.length), { raw })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
  const back = await sharp(jpg).raw().toBuffer();
  return new Uint8Array(back.buffer, back.byteOffset, back.length);
}
