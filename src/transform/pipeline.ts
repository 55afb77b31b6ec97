/**
 * Pipelines: an ordered list of transform steps, built with a typed immutable builder or parsed
 * from TensorFlow's transform string. Both give the same `Pipeline`; `toString()` prints the
 * string syntax, so a string and a builder that say the same thing print the same.
 */
import { GraftError, badArgument } from '../errors';
import type { ParamInput, ParamSchema, Transform, TransformAlias } from './define';
import { createRegistry, unknownTransformMessage, type Registry } from './registry';
import { applyDefaults, convertCallParams, convertObjectParams, printStepCall } from './params';
import { formatCaret, parseTransforms, type TransformCall } from './syntax';
import { isGraftError } from '../errors';
import { checkArray, checkObject } from '../ir/check';

/**
 * One step of a pipeline, resolved when it was added: by `use` (a transform object, or a name
 * looked up in the pipeline's registry) or by `parsePipeline`. A bad name or value fails there.
 */
export interface PipelineStep {
  /** The transform name as written: a registered name or an alias. */
  readonly name: string;
  /** The transform: given as an object to `use`, or looked up in the pipeline's registry. */
  readonly transform: Transform;
  /** Set when `name` is an alias of `transform`. */
  readonly viaAlias?: TransformAlias;
  /** The given parameters converted to their typed values (camelCase keys, no defaults). */
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
  /** The registry `use('name')` looks names up in (set once, by `pipeline()` or `parsePipeline()`). */
  readonly registry: Registry;

  /** Use `pipeline()` or `parsePipeline()`. */
  constructor(steps: readonly PipelineStep[] = [], registry: Registry = createRegistry()) {
    checkArray('Pipeline', 'steps', steps, 'an array of pipeline steps (use pipeline() or parsePipeline())');
    steps.forEach((s, i) => checkObject('Pipeline', `steps[${i}]`, s, 'a pipeline step'));
    checkObject('Pipeline', 'registry', registry, 'a Registry (createRegistry)');
    this.steps = Object.freeze([...steps]);
    this.registry = registry;
    Object.freeze(this);
  }

  /** Adds a transform given as an object; its parameters are typed by its schema and checked now. */
  use<P extends ParamSchema>(transform: Transform<P>, params?: StepParams<P>, options?: StepOptions): Pipeline;
  /**
   * Adds a transform by name (or alias), looked up now in the pipeline's registry; its parameters
   * (camelCase or snake_case keys, typed values or strings) are checked now against its schema.
   *
   * @throws GraftError `transform/unknown` (with did-you-mean), `transform/unknown-param`,
   *   `transform/bad-param`, naming the step.
   */
  use(name: string, params?: Readonly<Record<string, unknown>>, options?: StepOptions): Pipeline;
  use(transformOrName: Transform | string, params: Readonly<Record<string, unknown>> = {}, options: StepOptions = {}): Pipeline {
    const label = `Step ${this.steps.length + 1}`;
    const entry = typeof transformOrName === 'string' ? lookUp(this.registry, transformOrName, label) : { transform: transformOrName };
    const name = typeof transformOrName === 'string' ? transformOrName : transformOrName.name;
    const converted = convertObjectParams(entry.transform, params, `${label} (${name})`);
    const step: PipelineStep = {
      name,
      transform: entry.transform,
      ...(entry.viaAlias !== undefined ? { viaAlias: entry.viaAlias } : {}),
      params: converted.given,
      ignoreErrors: options.ignoreErrors ?? converted.ignoreErrors,
    };
    return new Pipeline([...this.steps, Object.freeze(step)], this.registry);
  }

  /** This pipeline's steps followed by `other`'s (already resolved); names added later go to this registry. */
  concat(other: Pipeline): Pipeline {
    return new Pipeline([...this.steps, ...other.steps], this.registry);
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
    return this.steps.map((s) => printStepCall(s.name, s.transform, s.params, s.ignoreErrors)).join(' ');
  }
}

/** A name (or alias) looked up in `registry`; unknown: `transform/unknown` naming the step, with did-you-mean. */
function lookUp(registry: Registry, name: string, label: string): { transform: Transform; viaAlias?: TransformAlias } {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new GraftError('transform/unknown', `'${name}' is not a valid transform name (letters, digits and _ only)`);
  }
  try {
    return registry.resolve(name);
  } catch (e) {
    throw new GraftError('transform/unknown', `${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, ...(isGraftError(e) && e.hint !== undefined ? { hint: e.hint } : {}) });
  }
}

/**
 * Starts an empty pipeline. `registry` is where names given to `use` are looked up, when they
 * are added (default: a fresh `createRegistry()`, made here once).
 */
export function pipeline(registry: Registry = createRegistry()): Pipeline {
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
  if (typeof source !== 'string') throw badArgument('parsePipeline', 'source', 'a transform string', source);
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
 * A step ready to run: its parameters with defaults, and its call in canonical syntax.
 * `index` and `count` are kept for callers of the earlier signature; steps are resolved already.
 */
export function resolveStep(step: PipelineStep, _registry?: Registry, _index = 0, _count = 1): ResolvedStep {
  return Object.freeze({
    name: step.name,
    transform: step.transform,
    ...(step.viaAlias !== undefined ? { viaAlias: step.viaAlias } : {}),
    given: step.params,
    params: applyDefaults(step.transform, step.params),
    ignoreErrors: step.ignoreErrors,
    call: printStepCall(step.name, step.transform, step.params, step.ignoreErrors),
  });
}

/**
 * Every step of a pipeline ready to run. Names and values were checked when the steps were added
 * (`use`, `parsePipeline`), so nothing here can fail; `registry` is ignored (kept for callers of
 * the earlier signature).
 *
 * @example
 * ```ts
 * const steps = resolvePipeline(pipeline().use('fold_constants'));
 * steps[0].params // { ... defaults ... }
 * ```
 */
export function resolvePipeline(p: Pipeline, _registry?: Registry): ResolvedStep[] {
  return p.steps.map((s) => resolveStep(s));
}
