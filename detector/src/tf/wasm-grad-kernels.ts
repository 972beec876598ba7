// Gradient kernels the wasm backend lacks (or has slow versions of), expressed through forward ops that
// wasm runs fast (XNNPACK convolutions, pads, slices, transposes). Registered once per process for 'wasm'.
//
// Notation (NHWC): x [N,H,W,Ci], filter [KH,KW,Ci,Co], dy [N,OH,OW,Co], stride s, padding top/left pt/pl.
//   y[n,oh,ow,co] = Σ x[n, oh·s+kh−pt, ow·s+kw−pl, ci] · w[kh,kw,ci,co]
// Filter gradient: dw[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pt, …, ci] · dy[n,oh,ow,co]; a stride-1 convolution
//   of x viewed as [Ci,H,W,N] with dy viewed as the filter [OH,OW,N,Co], dilated by s, giving [Ci,KH,KW,Co].
// Input gradient: dx = stride-1 convolution of dy zero-upsampled by s, with the filter rotated by 180° and its
//   channel axes swapped ([KH,KW,Co,Ci]), padded KH−1−pt on top.
import * as tf from '@tensorflow/tfjs';

type Pads = [[number, number], [number, number], [number, number], [number, number]];
type Pair = [number, number];

interface ConvAttrs {
  strides: number | Pair;
  pad: 'valid' | 'same' | number | Pads;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | Pair;
}

function asTensor(info: tf.TensorInfo): tf.Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

function pair(v: number | Pair | undefined): Pair {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

function assertNoDilation(kernel: string, dilations: number | Pair | undefined): void {
  const [dh, dw] = pair(dilations);
  if (dh !== 1 || dw !== 1) throw new Error(`${kernel} on wasm: dilation > 1 is not supported in gradients`);
}

/**
 * Crops a NHWC tensor by whole rows and columns. Written as 3-D/2-D slices whose inner dimension is a whole
 * (or partial) row, because wasm's 4-D Slice copies one channel vector at a time in JavaScript.
 */
export function crop4d(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  let out: tf.Tensor = t;
  const oh = h - top - bottom;
  const ow = w - left - right;
  if (top > 0 || bottom > 0) out = tf.slice(tf.reshape(out, [n, h, w * c]), [0, top, 0], [n, oh, w * c]);
  if (left > 0 || right > 0) out = tf.slice(tf.reshape(out, [n * oh, w * c]), [0, left * c], [n * oh, ow * c]);
  return tf.reshape(out, [n, oh, ow, c]);
}

/** Crops (negative pads) are applied as a slice; positive pads are left for the convolution itself. */
function cropForNegativePads(t: tf.Tensor4D, pads: Pads): { t: tf.Tensor4D; pads: Pads } {
  const [, [top, bottom], [left, right]] = pads;
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return { t, pads };
  const neg = (v: number) => Math.max(0, -v);
  return {
    t: crop4d(t, neg(top), neg(bottom), neg(left), neg(right)),
    pads: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

function toNhwc(t: tf.Tensor4D, dataFormat: 'NHWC' | 'NCHW' | undefined): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t;
}

function shapeToNhwc(shape: number[], dataFormat: 'NHWC' | 'NCHW' | undefined): [number, number, number, number] {
  const [a, b, c, d] = shape as [number, number, number, number];
  return dataFormat === 'NCHW' ? [a, c, d, b] : [a, b, c, d];
}

/**
 * Zero-upsamples dy by the strides: [N,OH,OW,C] → [N,OH·sh,OW·sw,C], each value followed by sh−1 / sw−1 zeros.
 * The trailing zeros of the last row/column are taken out of the convolution's bottom/right padding.
 */
function zeroUpsample(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n * oh, 1, ow, 1, c]), [
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, oh * sh, ow * sw, c]) as tf.Tensor4D;
}

interface GradGeometry {
  sh: number;
  sw: number;
  kh: number;
  kw: number;
  pt: number;
  pl: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

function geometry(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvAttrs, depthwise: boolean): GradGeometry {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, depthwise);
  return {
    sh: info.strideHeight,
    sw: info.strideWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
  };
}

/** Pads for the filter-gradient convolution so its output is exactly KH x KW. */
function filterGradPads(g: GradGeometry): Pads {
  const bottom = (g.outH - 1) * g.sh + g.kh - g.inH - g.pt;
  const right = (g.outW - 1) * g.sw + g.kw - g.inW - g.pl;
  return [
    [0, 0],
    [g.pt, bottom],
    [g.pl, right],
    [0, 0],
  ];
}

/** Pads for the input-gradient convolution over the zero-upsampled dy (trailing zeros included) so its output is exactly H x W. */
function inputGradPads(g: GradGeometry): Pads {
  const top = g.kh - 1 - g.pt;
  const left = g.kw - 1 - g.pl;
  const upH = g.outH * g.sh;
  const upW = g.outW * g.sw;
  return [
    [0, 0],
    [top, g.inH + g.kh - 1 - upH - top],
    [left, g.inW + g.kw - 1 - upW - left],
    [0, 0],
  ];
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = toNhwc(x, attrs.dataFormat);
    const dys = toNhwc(dy, attrs.dataFormat);
    const g = geometry(xs.shape, filterShape, { ...attrs, dataFormat: 'NHWC' }, false);
    const [kh, kw, ci, co] = filterShape;
    // 1x1 stride-1 unpadded: a plain matrix product [Ci, NHW] x [NHW, Co] (transposed explicitly: fast matMul).
    if (kh === 1 && kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.outH === g.inH) {
      const xm = tf.transpose(tf.reshape(xs, [-1, ci]));
      const dym = tf.reshape(dys, [-1, co]);
      return tf.reshape(tf.matMul(xm, dym), [1, 1, ci, co]);
    }
    const xT = tf.transpose(xs, [3, 1, 2, 0]); // [Ci,H,W,N]
    const dyT = tf.transpose(dys, [1, 2, 0, 3]); // [OH,OW,N,Co]
    const cropped = cropForNegativePads(xT, filterGradPads(g));
    const out = tf.conv2d(cropped.t, dyT, 1, cropped.pads, 'NHWC', [g.sh, g.sw]); // [Ci,KH,KW,Co]
    if (out.shape[1] !== kh || out.shape[2] !== kw) {
      throw new Error(`Conv2DBackpropFilter on wasm: produced ${out.shape}, expected [${ci},${kh},${kw},${co}]`);
    }
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const dys = toNhwc(dy, attrs.dataFormat);
    const xShape = shapeToNhwc(inputShape, attrs.dataFormat);
    const g = geometry(xShape, filter.shape, { ...attrs, dataFormat: 'NHWC' }, false);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [KH,KW,Co,Ci]
    const up = zeroUpsample(dys, g.sh, g.sw);
    const cropped = cropForNegativePads(up, inputGradPads(g));
    const dx = tf.conv2d(cropped.t, rotated, 1, cropped.pads);
    return attrs.dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

export function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(x.shape, filterShape, attrs, true);
    const [kh, kw, c, m] = filterShape;
    const [n] = x.shape;
    // Channels of every example become separate depthwise channels: x as [1,H,W,N·C], dy as the
    // depthwise filter [OH,OW,N·C,M] dilated by the stride; the examples are then summed.
    const xT = tf
      .reshape(x, [1, n, g.inH, g.inW, c])
      .transpose([0, 2, 3, 1, 4])
      .reshape([1, g.inH, g.inW, n * c]);
    const dyT = tf
      .reshape(dy, [n, g.outH, g.outW, c, m])
      .transpose([1, 2, 0, 3, 4])
      .reshape([g.outH, g.outW, n * c, m]) as tf.Tensor4D;
    const cropped = cropForNegativePads(xT as tf.Tensor4D, filterGradPads(g));
    const out = tf.depthwiseConv2d(cropped.t, dyT, 1, cropped.pads, 'NHWC', [g.sh, g.sw]); // [1,KH,KW,N·C·M]
    return tf.sum(tf.reshape(out, [kh, kw, n, c, m]), 2) as tf.Tensor4D;
  });
}

export function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(inputShape, filter.shape, attrs, true);
    const [kh, kw, c, m] = filter.shape;
    const [n] = dy.shape;
    // Each of the C·M output channels convolves with its own rotated filter; the M multipliers are summed.
    const rotated = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
    const up = zeroUpsample(dy, g.sh, g.sw);
    const cropped = cropForNegativePads(up, inputGradPads(g));
    const dx = tf.depthwiseConv2d(cropped.t, rotated, 1, cropped.pads); // [N,H,W,C·M]
    if (m === 1) return dx;
    return tf.sum(tf.reshape(dx, [n, g.inH, g.inW, c, m]), 4) as tf.Tensor4D;
  });
}

/**
 * Batch-norm gradient that broadcasts the per-channel factors instead of tiling them to the input shape
 * (the stock gradient spends about a third of a training step in Tile on wasm). Same maths.
 */
const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dyT = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const scaleValue = scale ?? tf.scalar(1);
    const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor): tf.Tensor => tf.reshape(reductionAxes.length > 0 ? tf.sum(t, reductionAxes) : t, mean.shape);
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScale = tf.mul(dyT, scaleValue);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(tf.mul(tf.mul(rstd, rstd), rstd), tf.scalar(-0.5));
    return {
      x: () => tf.reshape(tf.mul(dyTimesScale, rstd), x.shape),
      mean: () => reduce(tf.mul(tf.neg(rstd), dyTimesScale)),
      variance: () => reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale)),
      scale: () => reduce(tf.mul(dyT, tf.mul(xMinusMean, rstd))),
      offset: () => reduce(dyT),
    };
  },
};

function kernel(name: string, fn: tf.KernelFunc): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn });
}

let registered = false;

/** Registers the gradient kernels for the wasm backend (idempotent). Safe to call before the backend is set. */
export function registerWasmGradKernels(): void {
  if (registered) return;
  registered = true;
  kernel('Conv2DBackpropFilter', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    assertNoDilation('Conv2DBackpropFilter', a.dilations);
    return conv2dBackpropFilter(asTensor(inputs.x as tf.TensorInfo) as tf.Tensor4D, asTensor(inputs.dy as tf.TensorInfo) as tf.Tensor4D, a.filterShape, a);
  });
  kernel('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    assertNoDilation('Conv2DBackpropInput', a.dilations);
    return conv2dBackpropInput(asTensor(inputs.dy as tf.TensorInfo) as tf.Tensor4D, asTensor(inputs.filter as tf.TensorInfo) as tf.Tensor4D, a.inputShape, a);
  });
  kernel('DepthwiseConv2dNativeBackpropFilter', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    assertNoDilation('DepthwiseConv2dNativeBackpropFilter', a.dilations);
    return depthwiseBackpropFilter(asTensor(inputs.x as tf.TensorInfo) as tf.Tensor4D, asTensor(inputs.dy as tf.TensorInfo) as tf.Tensor4D, a.filterShape, a);
  });
  kernel('DepthwiseConv2dNativeBackpropInput', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    assertNoDilation('DepthwiseConv2dNativeBackpropInput', a.dilations);
    return depthwiseBackpropInput(
      asTensor(inputs.dy as tf.TensorInfo) as tf.Tensor4D,
      asTensor(inputs.filter as tf.TensorInfo) as tf.Tensor4D,
      a.inputShape,
      a,
    );
  });
  // Gradients are global (not per backend); the broadcasting form is equally correct everywhere.
  // The registry warns when a gradient is replaced on purpose; IS_TEST silences tfjs' log for that one call.
  const wasTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', true);
  tf.registerGradient(fusedBatchNormGrad);
  tf.env().set('IS_TEST', wasTest);
}
