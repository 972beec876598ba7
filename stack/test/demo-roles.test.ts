// The demo's detector role: simulated cameras get the model trained on simulated scenes unless DETECTOR_CONFIG names one.
import { describe, expect, it } from 'vitest';
import { demoRoles } from '../src/stack';

describe('demo roles', () => {
  it('runs the detector with the sim-trained model by default, and with DETECTOR_CONFIG when set', () => {
    const detector = (env: Record<string, string>) => demoRoles(env).find((r) => r.name === 'detector')!;
    expect(detector({}).env).toEqual({ DETECTOR_CONFIG: 'models/vehicle-detector/detector.json' });
    expect(detector({ DETECTOR_CONFIG: '/opt/models/yolo/detector.json' }).env).toEqual({ DETECTOR_CONFIG: '/opt/models/yolo/detector.json' });
  });
});
