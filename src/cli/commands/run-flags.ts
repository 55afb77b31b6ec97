/**
 * The flags `graft run` and `graft compare` share: which model graph to load, what to feed, what
 * to fetch, how generated inputs are made, and the backend. Kept in one place so both commands
 * accept and check them the same way.
 */
import { GraftError } from '../../errors';
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
} as const;

/** The parsed values of {@link RUN_FLAGS}. */
export interface RunFlagValues {
  readonly input?: string[];
  readonly output?: string[];
  readonly seed?: string;
  readonly batch?: string;
  readonly backend?: string;
  readonly tag_set?: string;
  readonly signature_def?: string;
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
  return {
    inputs: values.input ?? [],
    outputs: (values.output ?? []).flatMap((o) => splitList(o)),
    ...(seed !== undefined ? { seed } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(backend !== undefined ? { backend } : {}),
  };
}
