/**
 * Pipelines: an ordered list of transform steps, built with a typed immutable builder or parsed
 * from TensorFlow's transform string. Both give the same `Pipeline`; `toString()` prints the
 * string syntax, so a string and a builder that say the same thing print the same.
 */
import { GraftError } from '../errors';
import type { ParamInput, ParamSchema, Transform, TransformAlias } from './define';
import { createRegistry, unknownTransformMessage, type Registry } from './registry';
import { applyDefaults, convertCallParams, convertObjectParams, isIgnoreErrorsKey, printStepCall, readIgnoreErrors } from './params';
import { formatCaret, parseTransforms, type TransformCall } from './syntax';
import { isGraftError } from '../errors';

/** One step of a pipeline, as given (resolution against a registry happens at run time for names). */
export interface PipelineStep {
  /** The transform name as written: a registered name or an alias. */
  readonly name: string;
  /**
   * The transform, when known: given as an object to `use`, or looked up when parsing a string.
   * Unset for steps added by name with `use('name', ...)`; the runner looks those up.
   */
  readonly transform?: Transform;
  /** Set when `name` is an alias of `transform`. */
  readonly viaAlias?: TransformAlias;
  /**
   * With `transform` set: the given parameters converted to their typed values (camelCase keys,
   * no defaults). Without: the parameters exactly as passed to `use`.
   */
  readonly params: Readonly<Record<string, unknown>>;
  /** TensorFlow's universal `ignore_errors`. */
  readonly ignoreErrors: boolean;
  /** For steps parsed from a string: the source and the parsed call (positions for messages). */
  readonly origin?: { readonly source: string; readonly call: TransformCall };
}

/** Options of one step. */
export interface StepOptions {
  /** Turn an error of this step into a diagnostic and continue with its input graph. */
  readonly ignoreErrors?: boolean;
}

/** The parameters `use(transform, params)` takes: the schema's keys in camelCase, plus `ignoreErrors`. */
export type StepParams<P extends ParamSchema> = ParamInput<P> & { readonly ignoreErrors?: boolean };

/**
 * An immutable pipeline. Every `use` or `concat` returns a new pipeline.
 *
 * @example
 * ```ts
 * const p = pipeline()
 *   .use(stripUnusedNodes, { type: 'float', shape: [1, 28, 28] })
 *   .use('fold_constants', {}, { ignoreErrors: true });
 * p.toString(); // 'strip_unused_nodes(type=float, shape="1,28,28") fold_constants(ignore_errors=true)'
 * const { graph, report } = await runPipeline(input, p, { inputs: ['x'], outputs: ['y'] });
 * ```
 */
export class Pipeline {
  /** The steps, in order. */
  readonly steps: readonly PipelineStep[];
  /** The registry names are looked up in by `toString` and, unless the run says otherwise, the runner. */
  readonly registry: Registry | undefined;

  /** Use `pipeline()` or `parsePipeline()`. */
  constructor(steps: readonly PipelineStep[] = [], registry?: Registry) {
    this.steps = Object.freeze([...steps]);
    this.registry = registry;
    Object.freeze(this);
  }

  /** Adds a transform given as an object; its parameters are typed by its schema and checked now. */
  use<P extends ParamSchema>(transform: Transform<P>, params?: StepParams<P>, options?: StepOptions): Pipeline;
  /**
   * Adds a transform by name (or alias). Its parameters (camelCase or snake_case keys) are
   * checked against the schema when the pipeline is resolved or run.
   */
  use(name: string, params?: Readonly<Record<string, unknown>>, options?: StepOptions): Pipeline;
  use(transformOrName: Transform | string, params: Readonly<Record<string, unknown>> = {}, options: StepOptions = {}): Pipeline {
    const index = this.steps.length;
    let step: PipelineStep;
    if (typeof transformOrName === 'string') {
      if (!/^[A-Za-z0-9_]+$/.test(transformOrName)) {
        throw new GraftError('transform/unknown', `'${transformOrName}' is not a valid transform name (letters, digits and _ only)`);
      }
      // The universal flag does not depend on the transform, so it is read now.
      let fromParams: boolean | undefined;
      const raw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) {
        if (isIgnoreErrorsKey(k)) fromParams = v === undefined ? undefined : readIgnoreErrors(v, `Step ${index + 1} (${transformOrName})`);
        else raw[k] = v;
      }
      step = { name: transformOrName, params: Object.freeze(raw), ignoreErrors: options.ignoreErrors ?? fromParams ?? false };
    } else {
      const converted = convertObjectParams(transformOrName, params, `Step ${index + 1} (${transformOrName.name})`);
      step = {
        name: transformOrName.name,
        transform: transformOrName,
        params: converted.given,
        ignoreErrors: options.ignoreErrors ?? converted.ignoreErrors,
      };
    }
    return new Pipeline([...this.steps, Object.freeze(step)], this.registry);
  }

  /** This pipeline's steps followed by `other`'s. */
  concat(other: Pipeline): Pipeline {
    return new Pipeline([...this.steps, ...other.steps], this.registry ?? other.registry);
  }

  /** The number of steps. */
  get length(): number {
    return this.steps.length;
  }

  /**
   * The pipeline in TensorFlow's transform syntax, canonical: parameters that were given, in
   * schema order (repeated ones as repeated keys), `ignore_errors=true` last when set, steps
   * joined by single spaces.
   */
  toString(): string {
    let registry: Registry | undefined;
    return this.steps
      .map((s) => {
        if (s.transform !== undefined) return printStepCall(s.name, s.transform, s.params, s.ignoreErrors);
        registry ??= lookupRegistry(this);
        const entry = registry.get(s.name);
        if (entry !== undefined) {
          try {
            return printStepCall(s.name, entry.transform, convertObjectParams(entry.transform, s.params, s.name).given, s.ignoreErrors);
          } catch {
            // Invalid parameters are reported when the pipeline runs; print them as given.
          }
        }
        return printStepCall(s.name, undefined, s.params, s.ignoreErrors);
      })
      .join(' ');
  }
}

/**
 * The registry names of `p` are looked up in: `override` (a run's `registry` option), else the
 * pipeline's own, else a fresh `createRegistry()`. The one place a default registry is made for
 * a pipeline (steps given as objects or parsed from a string need none).
 */
export function lookupRegistry(p: Pipeline, override?: Registry): Registry {
  return override ?? p.registry ?? createRegistry();
}

/**
 * Starts an empty pipeline. `registry` is where names given to `use` are looked up (a run may
 * pass another); without one, a fresh `createRegistry()` is used.
 */
export function pipeline(registry?: Registry): Pipeline {
  return new Pipeline([], registry);
}

/**
 * Parses a TensorFlow transform string into a pipeline, resolving every name and converting
 * every value against `registry` (default: a fresh `createRegistry()`).
 *
 * @throws GraftError `transform/parse`, `transform/unknown`, `transform/unknown-param` or
 *   `transform/bad-param`, each with line, column and a caret.
 * @example
 * ```ts
 * const p = parsePipeline('fold_constants(ignore_errors=true) strip_unused_nodes(type=float, shape="1,28,28")');
 * p.steps[1].params // { type: 'float', shape: [1, 28, 28] }
 * ```
 */
export function parsePipeline(source: string, registry: Registry = createRegistry()): Pipeline {
  const { calls } = parseTransforms(source);
  const steps = calls.map((call): PipelineStep => {
    const entry = registry.get(call.name);
    if (entry === undefined) {
      const { message, hint } = unknownTransformMessage(call.name, registryNamesAndAliases(registry));
      throw new GraftError(
        'transform/unknown',
        `line ${call.namePos.line}, column ${call.namePos.column}: ${message}\n${formatCaret(source, call.namePos)}`,
        hint === undefined ? {} : { hint },
      );
    }
    const { given, ignoreErrors } = convertCallParams(entry.transform, call, source);
    return Object.freeze({
      name: call.name,
      transform: entry.transform,
      ...(entry.viaAlias !== undefined ? { viaAlias: entry.viaAlias } : {}),
      params: given,
      ignoreErrors,
      origin: Object.freeze({ source, call }),
    });
  });
  return new Pipeline(steps, registry);
}

function registryNamesAndAliases(registry: Registry): string[] {
  return registry.names().concat(registry.list().flatMap((t) => registry.aliasesOf(t.name).map((a) => a.name)));
}

// ---------------------------------------------------------------------------------------------
// Resolved steps: what the runner runs.

/** A step ready to run. */
export interface ResolvedStep {
  /** The name as written: the transform's name, or an alias of it. */
  readonly name: string;
  readonly transform: Transform;
  /** Set when `name` is an alias. */
  readonly viaAlias?: TransformAlias;
  /** The parameters that were given, converted (camelCase keys). */
  readonly given: Readonly<Record<string, unknown>>;
  /** What `apply` receives: `given` plus defaults for every schema key (camelCase). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Whether an error from `apply` is turned into a diagnostic and the step skipped. */
  readonly ignoreErrors: boolean;
  /** The step in canonical transform syntax, `fold_constants(ignore_errors=true)`. */
  readonly call: string;
}

/**
 * Resolves one pipeline step against a registry (used for steps given by name; steps given as
 * a transform object or parsed from a string carry their transform already; by default a fresh
 * `createRegistry()`).
 * `index` and `count` are for messages (`Step 2 of 3 (strip_unused_nodes)`).
 */
export function resolveStep(step: PipelineStep, registry?: Registry, index = 0, count = 1): ResolvedStep {
  let transform = step.transform;
  let viaAlias = step.viaAlias;
  let given = step.params;
  if (transform === undefined) {
    let entry;
    try {
      entry = (registry ?? createRegistry()).resolve(step.name);
    } catch (e) {
      throw new GraftError('transform/unknown', `Step ${index + 1} of ${count}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, ...(isGraftError(e) && e.hint !== undefined ? { hint: e.hint } : {}) });
    }
    transform = entry.transform;
    viaAlias = entry.viaAlias;
    given = convertObjectParams(transform, step.params, `Step ${index + 1} of ${count} (${step.name})`).given;
  }
  return Object.freeze({
    name: step.name,
    transform,
    ...(viaAlias !== undefined ? { viaAlias } : {}),
    given,
    params: applyDefaults(transform, given),
    ignoreErrors: step.ignoreErrors,
    call: printStepCall(step.name, transform, given, step.ignoreErrors),
  });
}

/**
 * Resolves every step of a pipeline, so that an unknown name or a bad value fails before any
 * step runs (TensorFlow finds an unknown transform only when it reaches it).
 *
 * @example
 * ```ts
 * const steps = resolvePipeline(pipeline().use('fold_constants'), createRegistry());
 * steps[0].params // { ... defaults ... }
 * ```
 */
export function resolvePipeline(p: Pipeline, registry?: Registry): ResolvedStep[] {
  // Only steps added by name need a registry, and only then is a default one made.
  let lookup: Registry | undefined;
  return p.steps.map((s, i) => resolveStep(s, s.transform !== undefined ? undefined : (lookup ??= lookupRegistry(p, registry)), i, p.steps.length));
}
