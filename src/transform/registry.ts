/**
 * Registries: which transform a name (or an old alias) means.
 *
 * There is no global registry. `createRegistry()` returns a fresh instance holding the built-in
 * transforms; custom transforms are registered on an instance, so two embedders in one process
 * (a CLI and a bundler plugin, two tests) never see each other's registrations.
 */
import { GraftError } from '../errors';
import { builtinTransforms } from '../transforms';
import type { Transform, TransformAlias } from './define';
import { nearestNames } from '../suggest';
import { checkOptions } from '../ir/check';

/** What a name resolves to: the transform, and the alias when the name was one. */
export interface RegistryEntry {
  readonly transform: Transform;
  /** Set when the name looked up is an alias of `transform.name`. */
  readonly viaAlias?: TransformAlias;
}

export interface RegisterOptions {
  /** Replace a transform of the same name, and take over clashing aliases. Default false. */
  readonly override?: boolean;
}

/** A set of transforms addressable by name and alias. */
export interface Registry {
  /**
   * Adds a transform. A name or alias already taken (as a name or an alias) throws
   * `transform/duplicate` unless `override` is set; with `override`, a transform of the same
   * name is replaced and clashing aliases now point to the new transform.
   * Returns the registry, for chaining.
   */
  register(transform: Transform, options?: RegisterOptions): Registry;
  /** The transform a name or alias means, or undefined. Names are case-sensitive, as in TensorFlow. */
  get(name: string): RegistryEntry | undefined;
  /**
   * Like `get`, but throws `transform/unknown` (`Transform 'x' not recognized.`, as TensorFlow
   * words it) with the nearest registered names as a "did you mean".
   */
  resolve(name: string): RegistryEntry;
  /** Whether a name or alias is registered. */
  has(name: string): boolean;
  /** Every transform, sorted by name. */
  list(): Transform[];
  /** Every transform name (not aliases), sorted. */
  names(): string[];
  /** The aliases that currently resolve to `name` in this registry (an override may have taken some). */
  aliasesOf(name: string): TransformAlias[];
  /** An independent copy: registering on either does not affect the other. */
  copy(): Registry;
  /** A copy with `transforms` registered on it (this registry is not changed). */
  extend(transforms?: readonly Transform[], options?: RegisterOptions): Registry;
}

export interface CreateRegistryOptions {
  /** Start with the built-in transforms. Default true. */
  readonly builtins?: boolean;
}

/** The message and hint of an unknown-transform error (shared with the string resolver, which adds a position). */
export function unknownTransformMessage(name: string, candidates: Iterable<string>): { message: string; hint?: string } {
  const near = nearestNames(name, candidates);
  const message = `Transform '${name}' not recognized.`;
  if (near.length === 0) return { message };
  return { message: `${message} Did you mean ${near.map((n) => `'${n}'`).join(', ')}?`, hint: `did you mean ${near.join(', ')}` };
}

class TransformMap implements Registry {
  /** Primary name → transform. */
  private readonly transforms = new Map<string, Transform>();
  /** Name or alias → entry. */
  private readonly lookup = new Map<string, RegistryEntry>();

  register(transform: Transform, options: RegisterOptions = {}): Registry {
    const keys = [transform.name, ...transform.aliases.map((a) => a.name)];
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) {
        throw new GraftError('transform/duplicate', `Transform '${transform.name}' lists '${key}' twice (as its name or an alias)`);
      }
      seen.add(key);
    }
    if (!options.override) {
      for (const key of keys) {
        const taken = this.lookup.get(key);
        if (taken === undefined) continue;
        const what = taken.viaAlias ? `an alias of '${taken.transform.name}'` : 'a registered transform';
        throw new GraftError('transform/duplicate', `Cannot register '${transform.name}': '${key}' is already ${what}`, {
          hint: 'register with { override: true } to replace it',
        });
      }
    } else {
      // Replacing a transform of the same name also drops the aliases that pointed to it.
      const old = this.transforms.get(transform.name);
      if (old !== undefined) {
        this.transforms.delete(old.name);
        for (const [key, entry] of this.lookup) if (entry.transform === old) this.lookup.delete(key);
      }
      // A clash with another transform's name removes that transform: a name cannot be both.
      for (const alias of transform.aliases) {
        const other = this.transforms.get(alias.name);
        if (other !== undefined) {
          this.transforms.delete(other.name);
          for (const [key, entry] of this.lookup) if (entry.transform === other) this.lookup.delete(key);
        }
      }
    }
    this.transforms.set(transform.name, transform);
    this.lookup.set(transform.name, { transform });
    for (const alias of transform.aliases) this.lookup.set(alias.name, { transform, viaAlias: alias });
    return this;
  }

  get(name: string): RegistryEntry | undefined {
    return this.lookup.get(name);
  }

  resolve(name: string): RegistryEntry {
    const entry = this.lookup.get(name);
    if (entry !== undefined) return entry;
    const { message, hint } = unknownTransformMessage(name, this.lookup.keys());
    throw new GraftError('transform/unknown', message, hint === undefined ? {} : { hint });
  }

  has(name: string): boolean {
    return this.lookup.has(name);
  }

  list(): Transform[] {
    return this.names().map((n) => this.transforms.get(n) as Transform);
  }

  names(): string[] {
    return [...this.transforms.keys()].sort(compareNames);
  }

  aliasesOf(name: string): TransformAlias[] {
    const t = this.transforms.get(name);
    if (t === undefined) return [];
    return t.aliases.filter((a) => this.lookup.get(a.name)?.transform === t);
  }

  copy(): Registry {
    const r = new TransformMap();
    for (const [k, v] of this.transforms) r.transforms.set(k, v);
    for (const [k, v] of this.lookup) r.lookup.set(k, v);
    return r;
  }

  extend(transforms: readonly Transform[] = [], options: RegisterOptions = {}): Registry {
    const r = this.copy();
    for (const t of transforms) r.register(t, options);
    return r;
  }
}

/** Code-unit order, like TensorFlow's sorted map (not locale order, which would vary by machine). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Creates a registry, holding the built-in transforms unless `builtins: false`.
 *
 * @example
 * ```ts
 * const registry = createRegistry().register(myTransform);
 * registry.resolve('fold_constants').transform.summary;
 * ```
 */
export function createRegistry(options: CreateRegistryOptions = {}): Registry {
  checkOptions('createRegistry', 'options', options);
  const r = new TransformMap();
  if (options.builtins !== false) for (const t of builtinTransforms) r.register(t);
  return r;
}
