/**
 * The flags `graft run` and `graft compare` share: which model graph to load, what to feed, what
 * to fetch, how generated inputs are made, and the backend. Kept in one place so both commands
 * accept and check them the same way.
 */
import { GraftError, isGraftError } from '../../errors';
import type { Backend } from '../../runtime/index';
import type { LoadRunnableOptions, RunModelOptions } from '../../verify/runnable';
import { splitList } from '../args';

/** The parseFlags options of the shared flags. */
export const RUN_FLAGS = {
  input: { type: 'string', multiple: true },
  output: { type: 'string', multiple: true },
  seed: { type: 'string' },
  batch: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  tag_set: { type: 'string' },
  signature_def: { type: 'string' },
  max_input_mb: { type: 'string' },
  max_tensor_mb: { type: 'string' },
  max_loop_iterations: { type: 'string' },
} as const;

/** The flag that sets each library option a limit error names (`GraftError.param`). */
export const LIMIT_FLAGS: Readonly<Record<string, string>> = {
  maxInputBytes: '--max_input_mb',
  maxTensorBytes: '--max_tensor_mb',
  maxLoopIterations: '--max_loop_iterations',
};

/**
 * The library's option names (`runModel`, `compareModels`) and the flags of `graft run` and
 * `graft compare` that set them, for {@link flagError}.
 */
export const RUN_FLAG_NAMES: Readonly<Record<string, string>> = {
  inputs: '--input',
  outputs: '--output',
  seed: '--seed',
  batch: '--batch',
  rtol: '--rtol',
  atol: '--atol',
  signature: '--signature_def',
  tagSet: '--tag_set',
};

/** Usage lines of the limit flags. */
export const LIMIT_USAGE = `  --max_input_mb N       largest generated input, in MiB (default 512)
  --max_tensor_mb N      largest tensor a run may create, in MiB (default 1024)
  --max_loop_iterations N  most iterations of one while loop (default 100000)`;

/** The parsed values of {@link RUN_FLAGS}. */
export interface RunFlagValues {
  readonly input?: string[];
  readonly output?: string[];
  readonly seed?: string;
  readonly batch?: string;
  readonly backend?: string;
  readonly tag_set?: string;
  readonly signature_def?: string;
  readonly max_input_mb?: string;
  readonly max_tensor_mb?: string;
  readonly max_loop_iterations?: string;
}

/** A number flag, or undefined when absent; `cli/usage` when it does not parse. */
export function parseNumberFlag(name: string, value: string | undefined, opts: { integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (opts.integer && !Number.isInteger(n))) {
    throw new GraftError('cli/usage', `--${name} must be a ${opts.integer ? 'non-negative integer' : 'non-negative number'}, not '${value}'`);
  }
  return n;
}

/** The --backend flag, or undefined when absent; `cli/usage` when it names no backend. */
export function parseBackend(value: string | undefined): Backend | undefined {
  if (value === undefined) return undefined;
  if (value !== 'wasm' && value !== 'cpu') throw new GraftError('cli/usage', `--backend must be wasm or cpu, not '${value}'`);
  return value;
}

/** `loadRunnable` options from --tag_set and --signature_def. */
export function loadOptionsFromFlags(values: RunFlagValues): LoadRunnableOptions {
  return { tagSet: values.tag_set, signature: values.signature_def };
}

/**
 * Feeds, fetches, seed, batch and backend from the flags (the options `runModel` and
 * `compareModels` share); `cli/usage` for a malformed number or backend, checked in that order.
 */
export function runOptionsFromFlags(values: RunFlagValues): RunModelOptions {
  const seed = parseNumberFlag('seed', values.seed, { integer: true });
  const batch = parseNumberFlag('batch', values.batch, { integer: true });
  const backend = parseBackend(values.backend);
  const maxInputMb = parseNumberFlag('max_input_mb', values.max_input_mb);
  const maxTensorMb = parseNumberFlag('max_tensor_mb', values.max_tensor_mb);
  const maxLoop = parseNumberFlag('max_loop_iterations', values.max_loop_iterations, { integer: true });
  const limits = {
    ...(maxTensorMb !== undefined ? { maxTensorBytes: maxTensorMb * 2 ** 20 } : {}),
    ...(maxLoop !== undefined ? { maxLoopIterations: maxLoop } : {}),
  };
  return {
    ...(maxInputMb !== undefined ? { maxInputBytes: maxInputMb * 2 ** 20 } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    inputs: values.input ?? [],
    outputs: (values.output ?? []).flatMap((o) => splitList(o)),
    ...(seed !== undefined ? { seed } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(backend !== undefined ? { backend } : {}),
  };
}

/**
 * A limit error (`runtime/too-large`, `runtime/loop-limit`) with a hint naming the flag that
 * raises the limit, as the library names its option; other errors unchanged.
 */
export function withLimitFlag(e: unknown, flags: Readonly<Record<string, string>> = LIMIT_FLAGS, extra = ''): unknown {
  if (!isGraftError(e) || e.param === undefined || flags[e.param] === undefined) return e;
  const flag = flags[e.param]!;
  const hint = `${e.param === 'maxInputBytes' ? extra : ''}Raise the limit with ${flag} if the model really needs it.`;
  return new GraftError(e.code, e.message, { ...(e.file !== undefined ? { file: e.file } : {}), ...(e.node !== undefined ? { node: e.node } : {}), ...(e.op !== undefined ? { op: e.op } : {}), hint, cause: e, param: e.param });
}
