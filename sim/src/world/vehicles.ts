// Vehicle kinds: sizes, speeds, the detector class they map to, paint colours.
import type { VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { SimVehicleKind } from '../scenario/schema';

export interface VehicleDims {
  w: number;
  l: number;
  h: number;
}

export const DIMS: Record<SimVehicleKind, VehicleDims> = {
  motorbike: { w: 0.75, l: 1.9, h: 1.55 },
  car: { w: 1.8, l: 4.5, h: 1.5 },
  taxi: { w: 1.8, l: 4.5, h: 1.5 },
  bus: { w: 2.5, l: 11, h: 3.1 },
  truck: { w: 2.4, l: 7.5, h: 3.0 },
};

export const CLASS_OF: Record<SimVehicleKind, VehicleClass> = {
  motorbike: 'motorbike',
  car: 'car',
  taxi: 'car',
  bus: 'bus',
  truck: 'truck',
};

/** Free-flow speed range in km/h. */
export const SPEED_KMH: Record<SimVehicleKind, [number, number]> = {
  motorbike: [28, 42],
  car: [32, 48],
  taxi: [32, 48],
  bus: [26, 36],
  truck: [26, 38],
};

export const BODY_COLOURS: Record<SimVehicleKind, string[]> = {
  motorbike: ['#1b1b1b', '#b71c1c', '#0d47a1', '#eeeeee', '#2e7d32', '#6d4c41', '#9e9e9e', '#f9a825'],
  car: ['#fafafa', '#212121', '#9e9e9e', '#b0bec5', '#c62828', '#1565c0', '#5d4037', '#e0e0e0'],
  taxi: ['#ffffff', '#2e7d32', '#fbc02d', '#1976d2'],
  bus: ['#2e7d32', '#1565c0', '#f57f17', '#c62828'],
  truck: ['#1565c0', '#e0e0e0', '#c62828', '#455a64', '#f9a825'],
};
