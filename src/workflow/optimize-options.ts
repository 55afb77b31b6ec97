/**
 * The options, progress events and defaults of `optimize` (their own module so that the stages in
 * `optimize-stages.ts` and the faces in `optimize.ts` share them without importing each other).
 */
import type { FileSystem } from '../io/fs';
import type { SavedModelProto } from '../io/saved-model';
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Backend } from '../runtime/index';
import type { Pipeline } from '../transform/pipeline';
import type { Registry } from '../transform/registry';
import type { BenchOptions } from './bench';
import type { OptimizeReport } from './report';

/** The serving article's pipeline, plus `fold_old_batch_norms` (the older batch-norm ops). */
export const ARTICLE_TRANSFORMS: readonly string[] = [
  'remove_nodes(op=Identity)',
  'merge_duplicate_nodes',
  'strip_unused_nodes',
  'fold_constants(ignore_errors=true)',
  'fold_batch_norms',
  'fold_old_batch_norms',
];

/** The default pipeline as one transform string. */
export const DEFAULT_OPTIMIZE_TRANSFORMS = ARTICLE_TRANSFORMS.join(' ');

/** Default size of unknown dimensions in verification inputs: 2, so a graph that bakes in batch 1 shows up. */
export const DEFAULT_VERIFY_BATCH = 2;

/** Default number of seeded inputs a lossy pipeline's top-1 agreement is measured over. */
export const DEFAULT_AGREEMENT_BATCH = 256;

/** A progress event, for a CLI's stderr. */
export interface OptimizeProgress {
  readonly stage: 'load' | 'check' | 'freeze' | 'transform' | 'convert' | 'verify' | 'bench' | 'write';
  readonly message: string;
}

export interface OptimizeOptions {
  /** The pipeline (transform string or builder). Default: the article's (`DEFAULT_OPTIMIZE_TRANSFORMS`). */
  readonly transforms?: string | Pipeline;
  /** Keep only this signature. Default: every signature of the meta graph. */
  readonly signature?: string;
  /**
   * Output node names to keep instead of the signatures (`--output_node_names`); the result gets
   * one `serving_default` signature over the graph's placeholders and these outputs. For a
   * GraphDef or MetaGraphDef, default: inferred (the nodes nothing consumes, leaving out
   * training, saving and initialization nodes), and the report says which.
   */
  readonly outputs?: readonly string[];
  /**
   * With outputs (named or inferred): the graph's inputs (`--inputs`), node or tensor names.
   * Default: its Placeholders.
   */
  readonly inputNodes?: readonly string[];
  /**
   * What to produce: `savedmodel` (a SavedModel, one meta graph, no variables), `graphdef` (the
   * frozen, transformed GraphDef) or `metagraph` (a MetaGraphDef `.meta` holding the frozen graph
   * and a `serving_default` signature; variables a signature writes stay variables, with a saver
   * and a checkpoint beside the `.meta`; `optimize` needs an output named `.meta`). Default: the
   * kind read (a `.meta` with its checkpoint gives a `.meta` when the output is named `.meta`,
   * else a frozen GraphDef).
   */
  readonly outputFormat?: 'savedmodel' | 'graphdef' | 'metagraph';
  /**
   * Write a GraphDef as text (`.pbtxt`). Default: as the GraphDef read was written (`optimize`:
   * by the output's name first, `.pbtxt`/`.txt` text, `.pb` binary).
   */
  readonly outputText?: boolean;
  /**
   * Tags of the meta graph to optimize. Default `['serve']`; a SavedModel without one but with a
   * single meta graph (TF Transform's `transform`) is optimized through that one, and the report
   * says so.
   */
  readonly tags?: readonly string[];
  /**
   * The user's inputs for verification, as `graft run` takes them: `name=file.npy`,
   * `name=file.json`, `name=[json]`, `name=@raw-file`; `name` is a signature input key or a
   * tensor name. They replace the seeded inputs of every signature that has that input. Read
   * with `fs` (`optimize` on directories: Node's file system by default; `optimizeInMemory`: only
   * inline values unless `fs` is given).
   */
  readonly inputs?: readonly string[];
  /** The same, as tensors already made, by signature input key or tensor name. */
  readonly feeds?: Readonly<Record<string, Tensor>>;
  /** Where `inputs` files (and files a step's parameters name) are read. `optimize`: Node's file system by default. */
  readonly fs?: FileSystem;
  /** Compare the result with the original. Default true. */
  readonly verify?: boolean;
  /** Verification tolerance. Defaults 1e-4 and 1e-5. */
  readonly rtol?: number;
  readonly atol?: number;
  /**
   * Gates for a lossy pipeline (one with a `lossy` step, such as `quantize_weights`): fail
   * (`verify/mismatch`, nothing written) when the largest |optimized - original| of any float
   * output exceeds `maxDiff`, or when the top-1 agreement of any class-score output with the
   * original falls below `minAgreement` (0..1). Unset: measured and reported, never failing.
   * They apply to lossless pipelines too, on top of the strict rtol/atol check.
   */
  readonly maxDiff?: number;
  readonly minAgreement?: number;
  /**
   * Seeded inputs a lossy pipeline is measured on (the size of unknown batch dimensions; a model
   * with a fixed batch runs as many times as it takes). Default 256.
   */
  readonly agreementBatch?: number;
  /** Seed of verification and benchmark inputs. Default 1. */
  readonly seed?: number;
  /** Size of unknown dimensions in verification inputs. Default 2. */
  readonly verifyBatch?: number;
  /** Benchmark original against result (true: the defaults of `bench`). Default false. */
  readonly bench?: boolean | BenchOptions;
  /** Where transform names are looked up. Default `createRegistry()`. */
  readonly registry?: Registry;
  /** tfjs backend for verification and benchmark. Default wasm. */
  readonly backend?: Backend;
  readonly onProgress?: (p: OptimizeProgress) => void;
}

export interface OptimizeDirOptions extends OptimizeOptions {
  /** Replace an existing non-empty output directory. Default false: refused before any work. */
  readonly overwrite?: boolean;
}

/** What `optimize` and `optimizeInMemory` return besides the files. */
export interface OptimizeResult {
  readonly report: OptimizeReport;
  /** The SavedModel written (one meta graph; variables only where a signature writes them). */
  readonly savedModel: SavedModelProto;
  /** Its graph. */
  readonly graph: Graph;
}
