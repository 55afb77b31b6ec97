/**
 * Defining a transform: a name, documentation, a parameter schema, and a pure `apply`.
 *
 * One schema declaration has four uses: it types `params` in `apply`, it drives the string
 * parser's conversion and validation (`fold_constants(ignore_errors=true)`), it types the
 * builder (`.use(foldConstants, { maxConstantSizeInBytes: 1e6 })`), and it generates the
 * reference in docs/transforms.md.
 *
 * Parameter names in the schema are TensorFlow's snake_case (as the transform string spells
 * them); `apply` and the builder see them in camelCase.
 */
import { GraftError } from '../errors';
import type { DType } from '../ir/dtype';
import type { Severity } from '../diagnostics';
import type { Graph } from '../ir/graph';

// ---------------------------------------------------------------- parameter schema

export type ParamKind = 'bool' | 'int' | 'float' | 'string' | 'dtype' | 'shape' | 'enum';

/** The JS value a parameter kind converts to. */
export interface ParamValueOf {
  bool: boolean;
  int: number;
  float: number;
  string: string;
  dtype: DType;
  /** Dimensions; -1 is unknown (`?` in the string). */
  shape: number[];
  enum: string;
}

export interface ParamSpec<K extends ParamKind = ParamKind, V = ParamValueOf[K], R extends boolean = boolean, D extends boolean = boolean> {
  readonly kind: K;
  readonly doc: string;
  /** Repeated like TensorFlow's `op=Identity, op=CheckNumerics`: the value is an array. */
  readonly repeated: R;
  /** True when a default is given (then the value is never undefined). */
  readonly hasDefault: D;
  readonly default?: R extends true ? readonly V[] : V;
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** Bounds for int and float. */
  readonly min?: number;
  readonly max?: number;
  /** Marks a parameter TensorFlow accepts but graft ignores or deprecates. */
  readonly deprecated?: string;
  /**
   * Type-level only, never set at run time: carries the element type `V` so that
   * `ParamValues` can read it back (inferring `V` through the conditional `default` type
   * does not work reliably).
   */
  readonly __value?: V;
}

export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** The element type of a spec (for a repeated spec, the type of one value). */
type ElemOf<S> = S extends { readonly __value?: infer V } ? Exclude<V, undefined> : never;

type SpecValue<S> = S extends { readonly repeated: true }
  ? readonly ElemOf<S>[]
  : S extends { readonly hasDefault: true }
    ? ElemOf<S>
    : ElemOf<S> | undefined;

/** `max_inputs` → `maxInputs`. */
export type CamelCase<S extends string> = S extends `${infer A}_${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : S;

/** The typed parameter values `apply` receives: camelCase keys. */
export type ParamValues<P extends ParamSchema> = { readonly [K in keyof P & string as CamelCase<K>]: SpecValue<P[K]> };

/** What a caller may pass to the builder: every key optional, camelCase; a repeated key takes one value or an array. */
export type ParamInput<P extends ParamSchema> = {
  readonly [K in keyof P & string as CamelCase<K>]?: P[K] extends { readonly repeated: true } ? readonly ElemOf<P[K]>[] | ElemOf<P[K]> : ElemOf<P[K]>;
};

interface SpecOptions<V> {
  doc: string;
  default?: V;
  deprecated?: string;
}

interface Bounds {
  min?: number;
  max?: number;
}

function spec<K extends ParamKind>(kind: K) {
  // Not generic in the value type: `param.dtype({ default: 'float' })` must check 'float'
  // against DType rather than infer `string`.
  function make(o: SpecOptions<ParamValueOf[K]> & Bounds & { default: ParamValueOf[K] }): ParamSpec<K, ParamValueOf[K], false, true>;
  function make(o: SpecOptions<ParamValueOf[K]> & Bounds): ParamSpec<K, ParamValueOf[K], false, false>;
  function make(o: SpecOptions<unknown> & Bounds): ParamSpec {
    return Object.freeze({ kind, repeated: false, hasDefault: o.default !== undefined, ...o }) as ParamSpec;
  }
  return make;
}

function enumSpec<const E extends string>(values: readonly E[], o: SpecOptions<NoInfer<E>> & { default: NoInfer<E> }): ParamSpec<'enum', E, false, true>;
function enumSpec<const E extends string>(values: readonly E[], o: SpecOptions<NoInfer<E>>): ParamSpec<'enum', E, false, false>;
function enumSpec(values: readonly string[], o: SpecOptions<string>): ParamSpec {
  return Object.freeze({ kind: 'enum', repeated: false, hasDefault: o.default !== undefined, values: Object.freeze([...values]), ...o }) as ParamSpec;
}

/** Parameter constructors for a transform's schema. */
export const param = {
  bool: spec('bool'),
  int: spec('int'),
  float: spec('float'),
  string: spec('string'),
  dtype: spec('dtype'),
  shape: spec('shape'),
  /** One of a fixed set of strings: `param.enum(['MIN_COMBINED', 'SCALED'], { doc, default: 'MIN_COMBINED' })`. */
  enum: enumSpec,
  /** A parameter that may be given several times; its value is an array (empty by default). */
  repeated<K extends ParamKind, V>(inner: ParamSpec<K, V, false, boolean>, o: { doc?: string; default?: readonly V[] } = {}): ParamSpec<K, V, true, true> {
    return Object.freeze({ ...inner, doc: o.doc ?? inner.doc, repeated: true, hasDefault: true, default: o.default ?? [] }) as unknown as ParamSpec<K, V, true, true>;
  },
};

// ---------------------------------------------------------------- diagnostics and context

export type { Diagnostic, Severity } from '../diagnostics';

/** A diagnostic code a transform declares: its usual severity and what it means. */
export interface CodeSpec {
  readonly severity: Severity;
  readonly doc: string;
}

/** Counter name → what it counts. */
export type CounterSchema<C extends string = string> = Readonly<Record<C, string>>;
/** Code (the part after `<transform>/`) → severity and meaning. */
export type CodeSchema<K extends string = string> = Readonly<Record<K, CodeSpec>>;

/**
 * What `ctx.report` takes. For a transform that declares `codes`, `code` is one of its keys and
 * is reported as `<transform>/<code>`; `severity` defaults to the declared one. A transform that
 * declares no codes reports free codes as written (`<transform>/<kind>` by convention).
 */
export interface ReportInput<K extends string = string> {
  readonly code: K;
  readonly severity?: Severity;
  readonly node?: string;
  readonly message: string;
  readonly hint?: string;
}

/** What a transform sees besides the graph and its parameters. */
export interface TransformContext<C extends string = string, K extends string = string> {
  /** Graph inputs as given to the pipeline (`--inputs`), verbatim (ports kept). */
  readonly inputs: readonly string[];
  /** Graph outputs as given to the pipeline (`--outputs`), verbatim. */
  readonly outputs: readonly string[];
  /** Node names of the inputs and outputs: transforms must not remove or rename these. */
  readonly protectedNodes: ReadonlySet<string>;
  /** Reports a finding (see `ReportInput`); `transform` is filled in. */
  report(d: ReportInput<K>): void;
  /** Adds to one of the transform's declared counters in the step's report. */
  count(counter: C, by?: number): void;
  /**
   * Runs another (synchronous) transform on `graph` as a sub-step: its parameters are checked and
   * defaulted as in a pipeline, and its counters and diagnostics are reported under its own name,
   * as a sub-step of this one. Throws `transform/failed` when `transform` answers asynchronously,
   * or is a built-in whose body has not loaded yet (built-ins load on first use; `runPipeline` and
   * `applyTransform` load them all before a transform of one's own runs).
   */
  run<P extends ParamSchema>(transform: Transform<P, string, string>, graph: Graph, params?: ParamInput<P>): Graph;
  /** Aborts a long run: a transform with a long loop may check `signal?.throwIfAborted()`. */
  readonly signal?: AbortSignal;
  /** Reads a file a parameter names (the pipeline's `readFile` option); absent in the pure core. */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
  /** The tfjs backend a transform that evaluates nodes (fold_constants) asks for (the pipeline's `backend` option; default wasm). */
  readonly backend?: 'wasm' | 'cpu';
}

// ---------------------------------------------------------------- transforms

export interface TransformAlias {
  readonly name: string;
  /** Shown as a deprecation diagnostic when the alias is used. */
  readonly deprecated?: string;
}

export interface TransformDefinition<P extends ParamSchema, C extends string = string, K extends string = string> {
  /** TensorFlow's snake_case name. */
  readonly name: string;
  readonly aliases?: readonly (string | TransformAlias)[];
  /** One line, for listings. */
  readonly summary: string;
  /** Markdown, for the reference. */
  readonly description?: string;
  readonly params: P;
  /** Transforms that should normally run before this one (soft: a warning when missing). */
  readonly requires?: readonly string[];
  /**
   * True when the transform changes the model's numbers on purpose (quantization, rounding), so
   * its output is expected to differ from its input. `graft optimize` then measures the
   * difference (error, top-1 agreement, size) instead of failing on it. Default false.
   */
  readonly lossy?: boolean;
  /**
   * The counters `ctx.count` may add to, each with what it counts (MLIR's declared statistics).
   * Listed in docs/transforms.md. A transform that declares none may count freely.
   */
  readonly counters?: CounterSchema<C>;
  /**
   * The diagnostic codes `ctx.report` may use (without the `<transform>/` prefix, which the
   * context adds), each with its usual severity and meaning. Listed in docs/transforms.md.
   */
  readonly codes?: CodeSchema<K>;
  /**
   * Returns the new graph, or the same instance when nothing changed. Must not mutate its input.
   * Throw a `GraftError` to fail the step. May be async (the runner awaits it): transforms that
   * evaluate nodes load the runtime lazily.
   */
  apply(graph: Graph, params: ParamValues<P>, ctx: TransformContext<C, K>): Graph | Promise<Graph>;
}

/** A defined transform (what `defineTransform` returns and registries hold). */
export interface Transform<P extends ParamSchema = ParamSchema, C extends string = string, K extends string = string> extends TransformDefinition<P, C, K> {
  readonly aliases: readonly TransformAlias[];
  readonly requires: readonly string[];
}

/**
 * Defines a transform.
 *
 * @example
 * ```ts
 * export const removeDevice = defineTransform({
 *   name: 'remove_device',
 *   summary: 'Clears the device of every node.',
 *   params: {},
 *   apply(graph) { ... },
 * });
 * ```
 */
export function defineTransform<const P extends ParamSchema, const C extends string = string, const K extends string = string>(def: TransformDefinition<P, C, K>): Transform<P, C, K> {
  const bad = (param: string, message: string) => new GraftError('api/bad-argument', `defineTransform: ${message}`, { param });
  if (typeof def !== 'object' || def === null) throw bad('def', `expects a transform definition object, not ${def === null ? 'null' : typeof def}`);
  if (typeof def.name !== 'string' || !/^[A-Za-z0-9_]+$/.test(def.name)) throw bad('def.name', `Transform name '${String(def.name)}' must match [A-Za-z0-9_]+`);
  if (typeof def.apply !== 'function') throw bad('def.apply', `transform '${def.name}' needs an apply function`);
  if (typeof def.params !== 'object' || def.params === null) throw bad('def.params', `transform '${def.name}' needs a params object ({} for none)`);
  for (const key of Object.keys(def.params)) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) throw bad('def.params', `Parameter '${key}' of ${def.name} must match [A-Za-z0-9_]+`);
  }
  for (const key of [...Object.keys(def.counters ?? {}), ...Object.keys(def.codes ?? {})]) {
    if (!/^[a-z0-9_-]+$/.test(key)) throw bad('def.counters', `Counter or code '${key}' of ${def.name} must match [a-z0-9_-]+`);
  }
  return Object.freeze({
    ...def,
    ...(def.counters !== undefined ? { counters: Object.freeze({ ...def.counters }) } : {}),
    ...(def.codes !== undefined ? { codes: Object.freeze(Object.fromEntries(Object.entries<CodeSpec>(def.codes).map(([k, v]) => [k, Object.freeze({ ...v })]))) as CodeSchema<K> } : {}),
    aliases: Object.freeze((def.aliases ?? []).map((a) => (typeof a === 'string' ? { name: a } : a))),
    requires: Object.freeze([...(def.requires ?? [])]),
  });
}

// ---------------------------------------------------------------- an apply loaded on first use

/** The `apply` of the defined transform `T`, typed by its schema, counters and codes: what an `apply` kept in a module of its own declares. */
export type ApplyOf<T> = T extends Transform<infer P, infer C, infer K> ? TransformDefinition<P, C, K>['apply'] : never;

/** Each lazy `apply` → what loads its module (once). */
const LOADERS = new WeakMap<object, () => Promise<void>>();
/** The lazy `apply`s whose module has loaded. */
const LOADED = new WeakSet<object>();
/** Every lazy `apply` defined so far, for `loadAllTransforms`. */
const ALL_LOADERS = new Set<() => Promise<void>>();

/**
 * An `apply` whose body lives in another module, loaded with `import()` on first use: what keeps
 * the built-in transforms' bodies out of what the core loads on import (a browser bundle loads
 * only the transforms a pipeline runs). `load` resolves to a module exporting `apply`. Until it
 * has loaded, the returned `apply` answers with a promise; once loaded it calls the module's
 * `apply` directly (synchronously when that is), so `ctx.run` can run a loaded transform.
 * `runs` names the transforms the body runs with `ctx.run`: they are loaded with it.
 */
export function lazyApply(
  load: () => Promise<{ readonly apply?: unknown }>,
  runs: readonly Transform[] = [],
  // `any`: the loaded apply is typed where it is written (`ApplyOf<typeof transform>`); typing it
  // here would make the definition's type depend on the module that depends on it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): (graph: Graph, params: any, ctx: any) => Graph | Promise<Graph> {
  let impl: ((graph: Graph, params: unknown, ctx: unknown) => Graph | Promise<Graph>) | undefined;
  let loading: Promise<void> | undefined;
  const ensure = (): Promise<void> =>
    (loading ??= Promise.all([load(), ...runs.map(loadTransform)]).then(
      ([mod]) => {
        if (typeof mod.apply !== 'function') throw new GraftError('transform/failed', 'a lazily loaded transform module exports no apply function');
        impl = mod.apply as typeof impl;
        LOADED.add(apply);
      },
      (e: unknown) => {
        loading = undefined; // a failed load (a chunk the network lost) is tried again next time
        throw e;
      },
    ));
  const apply = (graph: Graph, params: unknown, ctx: unknown): Graph | Promise<Graph> => (impl ? impl(graph, params, ctx) : ensure().then(() => impl!(graph, params, ctx)));
  LOADERS.set(apply, ensure);
  ALL_LOADERS.add(ensure);
  return apply;
}

/** Loads a transform's `apply` if it is loaded lazily (`lazyApply`); resolves at once otherwise. */
export function loadTransform(t: Transform): Promise<void> {
  return LOADERS.get(t.apply)?.() ?? Promise.resolve();
}

/** True unless the transform's `apply` is lazy and not loaded yet (then it answers with a promise). */
export function transformLoaded(t: Transform): boolean {
  return !LOADERS.has(t.apply) || LOADED.has(t.apply);
}

/** Loads every lazily loaded `apply` defined so far: before a transform of the caller's own runs, since it may run any built-in with `ctx.run`. */
export async function loadAllTransforms(): Promise<void> {
  await Promise.all([...ALL_LOADERS].map((load) => load()));
}

const BUILTIN = new WeakSet<object>();

/** Marks graft's own transforms (called once, by the built-in list): the runner trusts them not to change their input in place. */
export function markBuiltinTransforms(transforms: readonly Transform[]): void {
  for (const t of transforms) BUILTIN.add(t);
}

/** True for one of graft's own transforms (as defined, not a copy). */
export function isBuiltinTransform(t: Transform): boolean {
  return BUILTIN.has(t);
}

/** `max_inputs` → `maxInputs` at run time. */
export function camelCase(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
