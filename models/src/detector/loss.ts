// CenterNet loss: penalty-reduced focal loss on the heatmap plus L1 on log-size and offset at centre cells,
// both normalised by the number of objects. Written with log-sigmoid for numerical stability.
import * as tf from '@tensorflow/tfjs';

export interface LossParts {
  total: tf.Scalar;
  heatmap: tf.Scalar;
  box: tf.Scalar;
}

/** pred [B,H,W,C+4]; heat [B,H,W,C]; reg [B,H,W,4]; mask [B,H,W,1]. */
export function centerNetLoss(pred: tf.Tensor4D, heat: tf.Tensor4D, reg: tf.Tensor4D, mask: tf.Tensor4D, numClasses: number): LossParts {
  const [b, h, w] = pred.shape;
  const logits = tf.slice(pred, [0, 0, 0, 0], [b, h, w, numClasses]);
  const boxPred = tf.slice(pred, [0, 0, 0, numClasses], [b, h, w, 4]);
  const p = tf.sigmoid(logits);
  const logP = tf.neg(tf.softplus(tf.neg(logits)));
  const log1mP = tf.neg(tf.softplus(logits));
  const pos = tf.cast(tf.greaterEqual(heat, 0.999), 'float32');
  const neg = tf.sub(1, pos);
  const numPos = tf.maximum(tf.sum(mask), 1);
  const posTerm = tf.mul(tf.mul(tf.square(tf.sub(1, p)), logP), pos);
  const negWeight = tf.square(tf.square(tf.sub(1, heat)));
  const negTerm = tf.mul(tf.mul(tf.mul(negWeight, tf.square(p)), log1mP), neg);
  const heatmap = tf.div(tf.neg(tf.sum(tf.add(posTerm, negTerm))), numPos) as tf.Scalar;
  const box = tf.div(tf.sum(tf.mul(tf.abs(tf.sub(boxPred, reg)), mask)), numPos) as tf.Scalar;
  return { total: tf.add(heatmap, box) as tf.Scalar, heatmap, box };
}
