// CTC loss for TF.js (which has none), written with forward ops that every backend has so that
// autodiff gives the gradient: the classic alpha recursion in log space over the label extended
// with blanks. Impossible paths use a large negative number instead of -Infinity so gradients stay finite.
import * as tf from '@tensorflow/tfjs';

const NEG = -1e4;

export interface CtcTargets {
  /** [B, C, S]: one-hot of the extended label (blank, l1, blank, l2, ..., blank), padded with blanks. */
  oneHot: tf.Tensor3D;
  /** [B, S]: 1 where the s-2 → s transition is allowed (non-blank, differs from the label two back). */
  skip: tf.Tensor2D;
  /** [B, S]: 0 on the two valid start states, NEG elsewhere. */
  start: tf.Tensor2D;
  /** [B, S]: 0 on the two valid end states, NEG elsewhere. */
  end: tf.Tensor2D;
  dispose(): void;
}

/** Builds the target tensors for a batch of label index sequences. */
export function ctcTargets(labels: number[][], classes: number, blank: number, maxLabel: number): CtcTargets {
  const B = labels.length;
  const S = 2 * maxLabel + 1;
  const oneHot = new Float32Array(B * classes * S);
  const skip = new Float32Array(B * S);
  const start = new Float32Array(B * S).fill(NEG);
  const end = new Float32Array(B * S).fill(NEG);
  labels.forEach((label, b) => {
    if (label.length > maxLabel) throw new Error(`label longer than ${maxLabel}`);
    const ext: number[] = [];
    for (let s = 0; s < S; s++) ext.push(s % 2 === 1 && (s - 1) / 2 < label.length ? label[(s - 1) / 2]! : blank);
    for (let s = 0; s < S; s++) {
      oneHot[b * classes * S + ext[s]! * S + s] = 1;
      if (s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2]) skip[b * S + s] = 1;
    }
    start[b * S] = 0;
    if (label.length > 0) start[b * S + 1] = 0;
    const last = 2 * label.length;
    end[b * S + last] = 0;
    if (label.length > 0) end[b * S + last - 1] = 0;
  });
  const t = {
    oneHot: tf.tensor3d(oneHot, [B, classes, S]),
    skip: tf.tensor2d(skip, [B, S]),
    start: tf.tensor2d(start, [B, S]),
    end: tf.tensor2d(end, [B, S]),
  };
  return { ...t, dispose: () => tf.dispose([t.oneHot, t.skip, t.start, t.end]) };
}

function logSumExp3(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor {
  const m = tf.maximum(tf.maximum(a, b), c);
  return tf.add(m, tf.log(tf.add(tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m))), tf.exp(tf.sub(c, m)))));
}

/** Shift right along axis 1 by k, filling with NEG. */
function shiftRight(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const [B, S] = x.shape;
  return tf.concat([tf.fill([B, k], NEG), tf.slice(x, [0, 0], [B, S - k])], 1);
}

/**
 * Mean negative log-likelihood of the targets under per-step logits [B, T, C].
 * Must be called inside a gradient scope (optimizer.minimize) to train.
 */
export function ctcLoss(logits: tf.Tensor3D, targets: CtcTargets): tf.Scalar {
  const T = logits.shape[1];
  const logp = tf.logSoftmax(logits, -1) as tf.Tensor3D;
  // [B, T, S]: log-probability of each extended-label state at each step.
  const lp = tf.matMul(logp, targets.oneHot) as tf.Tensor3D;
  const steps = tf.unstack(lp, 1) as tf.Tensor2D[];
  const skipPenalty = tf.mul(tf.sub(1, targets.skip), NEG); // 0 where skipping is allowed
  let alpha = tf.add(steps[0]!, targets.start) as tf.Tensor2D;
  for (let t = 1; t < T; t++) {
    const stay = alpha;
    const prev = shiftRight(alpha, 1);
    const skip = tf.add(shiftRight(alpha, 2), skipPenalty);
    alpha = tf.add(logSumExp3(stay, prev, skip), steps[t]!) as tf.Tensor2D;
  }
  const final = tf.add(alpha, targets.end);
  const m = tf.max(final, 1, true);
  const ll = tf.add(tf.squeeze(m, [1]), tf.log(tf.sum(tf.exp(tf.sub(final, m)), 1)));
  return tf.neg(tf.mean(ll)) as tf.Scalar;
}
