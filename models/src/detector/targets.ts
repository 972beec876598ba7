// CenterNet training targets: a per-class Gaussian heatmap peaking at 1 on each box centre cell, and at the
// centre cell log-size (in strides) and the centre's offset inside the cell.
import type { Box } from '@phatnguoi/core/contracts/detection';

export interface TrainBox {
  /** Model-input pixels. */
  box: Box;
  cls: number;
}

export interface TargetGrid {
  gw: number;
  gh: number;
  stride: number;
  numClasses: number;
}

/**
 * Writes the targets of one example into `heat` ([gh,gw,C]), `reg` ([gh,gw,4]) and `mask` ([gh,gw]) at `offset`
 * (in cells) of batch buffers. Smaller boxes are drawn last, so they win a shared centre cell.
 */
export function drawTargets(boxes: TrainBox[], g: TargetGrid, heat: Float32Array, reg: Float32Array, mask: Float32Array, cellOffset = 0): number {
  const sorted = [...boxes].sort((a, b) => area(b.box) - area(a.box));
  let positives = 0;
  for (const { box, cls } of sorted) {
    const wc = (box[2] - box[0]) / g.stride;
    const hc = (box[3] - box[1]) / g.stride;
    if (wc <= 0 || hc <= 0) continue;
    const gx = (box[0] + box[2]) / 2 / g.stride;
    const gy = (box[1] + box[3]) / 2 / g.stride;
    const ix = Math.min(g.gw - 1, Math.max(0, Math.floor(gx)));
    const iy = Math.min(g.gh - 1, Math.max(0, Math.floor(gy)));
    const sx = Math.max(0.5, wc / 6);
    const sy = Math.max(0.5, hc / 6);
    const rx = Math.ceil(3 * sx);
    const ry = Math.ceil(3 * sy);
    for (let y = Math.max(0, iy - ry); y <= Math.min(g.gh - 1, iy + ry); y++) {
      for (let x = Math.max(0, ix - rx); x <= Math.min(g.gw - 1, ix + rx); x++) {
        const v = Math.exp(-((x - ix) ** 2) / (2 * sx * sx) - (y - iy) ** 2 / (2 * sy * sy));
        const o = (cellOffset + y * g.gw + x) * g.numClasses + cls;
        if (v > heat[o]!) heat[o] = v;
      }
    }
    const cell = cellOffset + iy * g.gw + ix;
    heat[cell * g.numClasses + cls] = 1;
    if (mask[cell] === 0) positives++;
    mask[cell] = 1;
    reg[cell * 4] = Math.log(wc);
    reg[cell * 4 + 1] = Math.log(hc);
    reg[cell * 4 + 2] = gx - ix;
    reg[cell * 4 + 3] = gy - iy;
  }
  return positives;
}

function area(b: Box): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}
