// TF.js runtime selection: tfjs-node when it installed (optional dependency), else the wasm backend
// (SIMD, one thread per process: scale by processes), else the pure-JS cpu backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradKernels } from './wasm-grad-kernels';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface InitTfOptions {
  /** Force a backend (e.g. tests comparing wasm against cpu); default: the best one present. */
  prefer?: TfBackendName;
  /** Called once with the backend chosen (default: a line on stderr). */
  log?: (message: string) => void;
}

let chosen: TfBackendName | null = null;
let initialising: Promise<TfBackendName> | null = null;

/** Folder holding the .wasm binaries shipped inside @tensorflow/tfjs-backend-wasm. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist') + path.sep;
}

async function tryTfjsNode(): Promise<boolean> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return tf.findBackend('tensorflow') !== undefined && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    setWasmPaths(wasmDistDir());
    // Node has SharedArrayBuffer, so the backend would pick the threaded build; one thread per process.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) return false;
    registerWasmGradKernels();
    return true;
  } catch {
    return false;
  }
}

async function pick(opts: InitTfOptions): Promise<TfBackendName> {
  const order: TfBackendName[] = opts.prefer ? [opts.prefer] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && (await tryTfjsNode())) return 'tensorflow';
    if (name === 'wasm' && (await tryWasm())) return 'wasm';
    if (name === 'cpu' && (await tf.setBackend('cpu'))) return 'cpu';
  }
  throw new Error(`TF.js backend ${order.join(', ')} could not be initialised`);
}

/**
 * Picks and initialises the best TF.js backend once per process and returns its name.
 * With `prefer`, switches to that backend (used by tests and benchmarks).
 */
export async function initTf(opts: InitTfOptions = {}): Promise<TfBackendName> {
  if (opts.prefer && chosen && opts.prefer !== chosen) {
    initialising = null;
  }
  if (!initialising) {
    initialising = pick(opts).then(async (name) => {
      await tf.ready();
      chosen = name;
      (opts.log ?? ((m: string) => process.stderr.write(m + '\n')))(`tfjs backend: ${name}`);
      return name;
    });
  }
  return initialising;
}

/** The backend `initTf` chose, or null before it ran. */
export function tfBackendName(): TfBackendName | null {
  return chosen;
}

export { tf };
