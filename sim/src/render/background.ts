// The static scene (road, markings, sidewalks, buildings, signal poles and housings) as SVG in image
// pixels, projected through the camera; rasterised once per scenario with sharp.
import sharp from 'sharp';
import type { Scenario } from '../scenario/schema';
import type { Camera } from '../world/camera';
import type { WorldLayout } from '../world/layout';
import { subRng, uniform } from '../random';

interface Palette {
  sky: [string, string];
  ground: string;
  sidewalk: string;
  curb: string;
  road: string;
  white: string;
  yellow: string;
  building: string[];
  window: string;
  pole: string;
  housing: string;
}

const DAY: Palette = {
  sky: ['#8fb4d8', '#d5e2ec'],
  ground: '#7d8a6a',
  sidewalk: '#b3aea3',
  curb: '#d4d0c8',
  road: '#5b5d5f',
  white: '#e9e9e3',
  yellow: '#e3b62c',
  building: ['#c9b79c', '#d8cfc0', '#a9a39a', '#e2d6b8', '#b98f6d', '#9fb0b8'],
  window: '#5f7489',
  pole: '#6b6f73',
  housing: '#1c1c1c',
};
const NIGHT: Palette = {
  sky: ['#05070f', '#141a2b'],
  ground: '#15170f',
  sidewalk: '#2f2d2a',
  curb: '#3d3b37',
  road: '#202123',
  white: '#8d8d86',
  yellow: '#8a7120',
  building: ['#1f1d1a', '#262421', '#1b1d20', '#23201b'],
  window: '#d9b860',
  pole: '#2c2e30',
  housing: '#0c0c0c',
};

export function palette(s: Scenario): Palette {
  return s.conditions.time === 'night' ? NIGHT : DAY;
}

export function backgroundSvg(s: Scenario, layout: WorldLayout, cam: Camera): string {
  const pal = palette(s);
  const night = s.conditions.time === 'night';
  const rng = subRng(s.seed, 'background');
  const W = s.width;
  const H = s.height;
  const pr = (x: number, z: number, y = 0) => cam.project(x, y, z);
  const pts = (ps: [number, number, number?][]) =>
    ps
      .map(([x, z, y]) => {
        const p = pr(x, z, y ?? 0);
        return `${p.u.toFixed(1)},${p.v.toFixed(1)}`;
      })
      .join(' ');
  const poly = (ps: [number, number, number?][], fill: string, extra = '') => `<polygon points="${pts(ps)}" fill="${fill}" ${extra}/>`;
  const out: string[] = [];
  const horizon = pr(0, 5000).v;
  out.push(
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${pal.sky[0]}"/><stop offset="1" stop-color="${pal.sky[1]}"/></linearGradient></defs>`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="${pal.ground}"/>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${Math.max(0, horizon).toFixed(1)}" fill="url(#sky)"/>`);

  const { roadX0, roadX1, cross } = layout;
  const zNear = 0.5;
  const zFar = layout.farZ;
  const side = 4;
  // Buildings along both sides (facades facing the road), leaving gaps for the cross road.
  for (const dir of [-1, 1]) {
    const xFace = dir < 0 ? roadX0 - side - 1 : roadX1 + side + 1;
    let z = 4;
    while (z < zFar) {
      const len = uniform(rng, 8, 18);
      const h = uniform(rng, 7, 22);
      const blocked = cross && z + len > cross.z0 - side && z < cross.z1 + side && (dir < 0 ? cross.left : cross.right);
      if (!blocked) {
        const colour = pal.building[Math.floor(rng() * pal.building.length)]!;
        out.push(
          poly(
            [
              [xFace, z],
              [xFace, z + len],
              [xFace, z + len, h],
              [xFace, z, h],
            ],
            colour,
            'stroke="#00000033" stroke-width="1"',
          ),
        );
        for (let wy = 3; wy < h - 1.5; wy += 3.2) {
          for (let wz = z + 1; wz < z + len - 1.5; wz += 2.6) {
            if (night && rng() < 0.45) continue;
            out.push(
              poly(
                [
                  [xFace, wz, wy],
                  [xFace, wz + 1.2, wy],
                  [xFace, wz + 1.2, wy + 1.4],
                  [xFace, wz, wy + 1.4],
                ],
                pal.window,
              ),
            );
          }
        }
      }
      z += len + uniform(rng, 0.5, 3);
    }
  }
  // Sidewalks and road surface.
  const crossL = cross?.left ? -80 : roadX0;
  const crossR = cross?.right ? 80 : roadX1;
  out.push(
    poly(
      [
        [roadX0 - side, zNear],
        [roadX1 + side, zNear],
        [roadX1 + side, zFar],
        [roadX0 - side, zFar],
      ],
      pal.sidewalk,
    ),
  );
  if (cross)
    out.push(
      poly(
        [
          [crossL, cross.z0 - side],
          [crossR, cross.z0 - side],
          [crossR, cross.z1 + side],
          [crossL, cross.z1 + side],
        ],
        pal.sidewalk,
      ),
    );
  out.push(
    poly(
      [
        [roadX0, zNear],
        [roadX1, zNear],
        [roadX1, zFar],
        [roadX0, zFar],
      ],
      pal.road,
    ),
  );
  if (cross)
    out.push(
      poly(
        [
          [crossL, cross.z0],
          [crossR, cross.z0],
          [crossR, cross.z1],
          [crossL, cross.z1],
        ],
        pal.road,
      ),
    );
  // Curbs (thin light strips at the road edges, broken at the cross road).
  const curb = (x: number, z0: number, z1: number) =>
    out.push(
      poly(
        [
          [x - 0.12, z0],
          [x + 0.12, z0],
          [x + 0.12, z1],
          [x - 0.12, z1],
        ],
        pal.curb,
      ),
    );
  for (const x of [roadX0, roadX1]) {
    const hasArm = cross && (x === roadX0 ? cross.left : cross.right);
    if (cross && hasArm) {
      curb(x, zNear, cross.z0);
      curb(x, cross.z1, zFar);
    } else curb(x, zNear, zFar);
  }

  // Lane markings on the approach (and, simplified, beyond the intersection).
  const stretch = (x: number, z0: number, z1: number, w: number, colour: string) =>
    out.push(
      poly(
        [
          [x - w / 2, z0],
          [x + w / 2, z0],
          [x + w / 2, z1],
          [x - w / 2, z1],
        ],
        colour,
      ),
    );
  const approachEnd = cross ? layout.stopZ : zFar;
  const segments: [number, number][] = cross
    ? [
        [zNear, approachEnd],
        [cross.z1 + 0.5, zFar],
      ]
    : [[zNear, zFar]];
  layout.lanes.slice(0, -1).forEach((lane, i) => {
    const kind = s.layout.separators[i] ?? 'dashed';
    const x = lane.x1;
    const colour = kind === 'double' ? pal.yellow : pal.white;
    for (const [z0, z1] of segments) {
      if (kind === 'dashed') {
        for (let z = z0; z < z1; z += 6) stretch(x, z, Math.min(z1, z + 3), 0.15, colour);
      } else if (kind === 'solid') stretch(x, z0, z1, 0.15, colour);
      else {
        stretch(x - 0.12, z0, z1, 0.12, colour);
        stretch(x + 0.12, z0, z1, 0.12, colour);
      }
    }
  });
  for (const [z0, z1] of segments) {
    stretch(roadX0 + 0.3, z0, z1, 0.15, pal.white);
    stretch(roadX1 - 0.3, z0, z1, 0.15, pal.white);
  }
  if (cross && layout.hasSignal) {
    out.push(
      poly(
        [
          [layout.forwardX0, layout.stopZ - 0.4],
          [layout.forwardX1, layout.stopZ - 0.4],
          [layout.forwardX1, layout.stopZ],
          [layout.forwardX0, layout.stopZ],
        ],
        pal.white,
      ),
    );
  }
  if (layout.zebra) {
    for (let x = roadX0 + 0.5; x < roadX1 - 0.4; x += 1.1) {
      out.push(
        poly(
          [
            [x, layout.zebra.z0],
            [x + 0.55, layout.zebra.z0],
            [x + 0.55, layout.zebra.z1],
            [x, layout.zebra.z1],
          ],
          pal.white,
        ),
      );
    }
  }
  // Lane arrows and labels, a few metres before the stop line.
  const zArrow = Math.max(cam.nearZ() + 3, layout.stopZ - 8);
  for (const lane of layout.lanes) {
    if (!lane.forward) continue;
    const cx = lane.centre;
    const turns = lane.spec.turns;
    const arrow = (dirX: number): [number, number][] => {
      // shaft along +Z then a head pointing straight (dirX = 0), right (+1) or left (-1)
      if (dirX === 0)
        return [
          [cx - 0.1, zArrow],
          [cx + 0.1, zArrow],
          [cx + 0.1, zArrow + 3],
          [cx + 0.35, zArrow + 3],
          [cx, zArrow + 4.5],
          [cx - 0.35, zArrow + 3],
          [cx - 0.1, zArrow + 3],
        ];
      const s = dirX;
      return [
        [cx - 0.1 * s, zArrow],
        [cx + 0.1 * s, zArrow],
        [cx + 0.1 * s, zArrow + 2.2],
        [cx + 0.6 * s, zArrow + 2.2],
        [cx + 0.6 * s, zArrow + 1.7],
        [cx + 1.0 * s, zArrow + 2.45],
        [cx + 0.6 * s, zArrow + 3.2],
        [cx + 0.6 * s, zArrow + 2.7],
        [cx - 0.1 * s, zArrow + 2.7],
      ];
    };
    for (const t of turns) {
      const shape = arrow(t === 'straight' ? 0 : t === 'right' ? 1 : -1);
      out.push(
        poly(
          shape.map(([x, z]) => [x, z]),
          pal.white,
        ),
      );
    }
    if (lane.spec.label) {
      const zl = zArrow - 3;
      const a = pr(lane.x0 + 0.3, zl);
      const b = pr(lane.x1 - 0.3, zl);
      const c = pr(cx, zl + 2.2);
      const width = b.u - a.u;
      const height = a.v - c.v;
      const fontSize = (width * 0.6) / (lane.spec.label.length * 0.62);
      const squash = Math.min(1, height / (fontSize * 0.75));
      out.push(
        `<text transform="translate(${((a.u + b.u) / 2).toFixed(1)} ${a.v.toFixed(1)}) scale(1 ${squash.toFixed(3)})" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="${fontSize.toFixed(1)}" fill="${pal.white}">${lane.spec.label}</text>`,
      );
    }
  }
  // Signal poles, mast arms and housings (lamps are drawn per frame).
  for (const head of layout.heads) {
    const base = pr(head.poleX + (head.spec.side === 'left' ? -0.8 : 0.8), head.z);
    const top = pr(head.poleX + (head.spec.side === 'left' ? -0.8 : 0.8), head.z, head.housing.y1 + 0.3);
    const pw = Math.max(2, (cam.f * 0.18) / Math.max(1, cam.depth(head.poleX, 3, head.z)));
    out.push(
      `<line x1="${base.u.toFixed(1)}" y1="${base.v.toFixed(1)}" x2="${top.u.toFixed(1)}" y2="${top.v.toFixed(1)}" stroke="${pal.pole}" stroke-width="${pw.toFixed(1)}"/>`,
    );
    const h = head.housing;
    const q = (x0: number, x1: number, y0: number, y1: number) => [pr(x0, h.z, y1), pr(x1, h.z, y1), pr(x1, h.z, y0), pr(x0, h.z, y0)];
    const hs = q(h.x0, h.x1, h.y0, h.y1);
    out.push(`<polygon points="${hs.map((p) => `${p.u.toFixed(1)},${p.v.toFixed(1)}`).join(' ')}" fill="${pal.housing}" stroke="#444" stroke-width="0.6"/>`);
    if (head.countdown) {
      const c = head.countdown;
      const cs = q(c.x - c.w / 2, c.x + c.w / 2, c.y - c.h / 2, c.y + c.h / 2);
      out.push(`<polygon points="${cs.map((p) => `${p.u.toFixed(1)},${p.v.toFixed(1)}`).join(' ')}" fill="${pal.housing}"/>`);
    }
  }
  // Street lights at night: warm pools of light on the road.
  if (night) {
    out.push(
      `<defs><radialGradient id="pool"><stop offset="0" stop-color="#ffcf7a" stop-opacity="0.35"/><stop offset="1" stop-color="#ffcf7a" stop-opacity="0"/></radialGradient></defs>`,
    );
    for (let z = 12; z < 70; z += 18) {
      for (const x of [roadX0 + 1, roadX1 - 1]) {
        const c = pr(x, z);
        const e = pr(x + 6, z);
        const rx = Math.abs(e.u - c.u);
        const ry = Math.abs(pr(x, z + 6).v - c.v);
        out.push(`<ellipse cx="${c.u.toFixed(1)}" cy="${c.v.toFixed(1)}" rx="${rx.toFixed(1)}" ry="${Math.max(2, ry).toFixed(1)}" fill="url(#pool)"/>`);
      }
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${out.join('')}</svg>`;
}

/** A pole and a tree crown in the foreground, as a transparent overlay SVG (scenarios with an occluder). */
export function occluderSvg(s: Scenario): string {
  const W = s.width;
  const H = s.height;
  const rng = subRng(s.seed, 'occluder');
  const x = W * uniform(rng, 0.08, 0.2);
  const night = s.conditions.time === 'night';
  const trunk = night ? '#1a140e' : '#4e3b2a';
  const leaves = night ? ['#0c140c', '#101a10'] : ['#2f5d2a', '#3b6e31', '#28512a'];
  const parts: string[] = [
    `<rect x="${(x - W * 0.012).toFixed(1)}" y="${(H * 0.25).toFixed(1)}" width="${(W * 0.024).toFixed(1)}" height="${(H * 0.75).toFixed(1)}" fill="${trunk}"/>`,
  ];
  for (let i = 0; i < 14; i++) {
    const cx = x + uniform(rng, -W * 0.09, W * 0.09);
    const cy = uniform(rng, -H * 0.05, H * 0.3);
    const r = uniform(rng, W * 0.03, W * 0.07);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" fill="${leaves[i % leaves.length]}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}

export async function rasteriseRgb(svg: string): Promise<Uint8Array> {
  const buf = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export async function rasteriseRgba(svg: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
