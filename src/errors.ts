/**
 * The one error class graft throws. Every failure carries a stable `code`
 * (documented in docs/errors.md), and where known the file, node and op involved,
 * so a CLI can print one line and a program can branch on the code.
 */

/** Stable error codes. New codes are added here, never renamed. */
export type ErrorCode =
  // reading and writing files
  | 'io/not-found' // a file or directory does not exist
  | 'io/truncated' // a file ends before its structure does
  | 'io/corrupt' // bytes that do not decode as the expected message or structure
  | 'io/bad-magic' // a magic number or footer is wrong
  | 'io/checksum' // a crc32c does not match
  | 'io/bad-length' // a length prefix larger than what is left in the file
  | 'io/unsupported' // a valid but unsupported variant (compression kind, format version)
  | 'io/not-saved-model' // a directory without saved_model.pb / saved_model.pbtxt
  | 'io/missing-variables' // a SavedModel whose variables/ checkpoint is absent
  | 'io/unknown-format' // cannot tell what kind of file this is
  | 'io/wrong-format' // a file of another format (TFLite, ONNX, Keras, tfjs, a checkpoint, numpy)
  | 'io/write-failed' // writing output failed (nothing partial is left)
  | 'io/exists' // the output exists and graft will not replace it
  | 'io/unsafe-path' // a path that would leave its directory
  | 'io/overlaps-input' // the output is an input, contains one, or lies inside one
  | 'io/locked' // another graft process is writing the same output
  | 'io/not-a-file' // a FIFO, device or socket where a regular file is read
  | 'io/too-large' // a file larger than graft reads into memory for its kind
  | 'io/symlink-loop' // symbolic links that lead back to themselves
  | 'io/permission-denied' // the operating system refused access to a file
  // the graph
  | 'graph/dangling-input' // an input names a node that does not exist
  | 'graph/duplicate-name' // two nodes share a name
  | 'graph/cycle' // a cycle outside a TF1 loop frame
  | 'graph/missing-node' // a requested node (input, output) does not exist
  | 'graph/bad-edge' // an edge name that does not parse
  | 'graph/bad-tensor' // a tensor whose data does not fit its dtype and shape
  | 'graph/bad-attr' // an attribute of the wrong kind
  | 'graph/unknown-dtype' // a DataType enum value graft does not know
  | 'graph/bad-output-index' // an input names an output its producer does not have
  | 'graph/too-large' // a tensor declares more elements than graft can hold in memory
  // saved models
  | 'model/unknown-tag-set' // no meta graph with the requested tags
  | 'model/unknown-signature' // no signature with the requested key
  | 'model/asset-outside' // an asset or variables file that resolves outside the model directory
  // transforms and pipelines
  | 'transform/parse' // the transform string does not parse
  | 'transform/unknown' // no transform with that name
  | 'transform/unknown-param' // no parameter with that name
  | 'transform/bad-param' // a parameter value of the wrong type or range
  | 'transform/duplicate' // registering a name that is taken
  | 'transform/failed' // a step threw
  | 'transform/invalid-output' // a step produced an invalid graph
  | 'transform/mutated-input' // a step changed the graph it was given (it must return a new one)
  // running graphs
  | 'runtime/unsupported-op' // ops without a kernel (listed up front, with node names)
  | 'runtime/missing-feed' // a placeholder that the fetches need was not fed
  | 'runtime/bad-feed' // a fed tensor of the wrong dtype or shape
  | 'runtime/unsupported-dtype' // a value the kernels cannot hold exactly (int64 beyond 2^31, ...)
  | 'runtime/failed' // a kernel failed on a node
  | 'runtime/missing-variable' // a variable whose value is not in the checkpoint
  | 'runtime/too-large' // a tensor over the run's size limit (or generated inputs over theirs)
  | 'runtime/loop-limit' // a while loop over the run's iteration limit
  | 'runtime/no-file-sink' // a node writes files (SaveV2, MergeV2Checkpoints) and the session was given no writeFile sink
  // freezing and converting
  | 'freeze/unsupported' // something the freezer cannot handle (named)
  | 'freeze/missing-output' // an output name that does not exist
  // verification
  | 'verify/mismatch' // outputs differ beyond the tolerance
  | 'verify/bad-input' // an input to run or compare on that is not written name=source, or a tensor given twice
  // optimize
  | 'optimize/bad-option' // an option of optimize out of range, or two that contradict each other
  | 'optimize/bad-input' // a verification input that names no input of the verified signatures, or one given twice
  // the library's callers
  | 'api/bad-argument' // a public function called with an argument of the wrong type or shape
  // command line
  | 'cli/usage'; // wrong flags or arguments

export interface GraftErrorDetails {
  /** The file being read or written. */
  file?: string;
  /** The node involved, if any. */
  node?: string;
  /** The op of that node, if known. */
  op?: string;
  /** A hint for fixing the problem. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
  /** The option or parameter involved (`maxInputBytes`, `graph`), so a CLI can name its flag. */
  param?: string;
}

/** Names longer than this are shortened in messages (the full name stays in `node`). */
export const MAX_NAME_IN_MESSAGE = 200;

/**
 * A message with every over-long run of non-blank characters (a node name of a megabyte, a
 * hostile path) cut to {@link MAX_NAME_IN_MESSAGE} characters with an ellipsis, and the whole
 * message cut to a few thousand characters: an error stays a readable line whatever the input.
 */
export function capMessage(message: string): string {
  // Runs a little longer than the cap (a name `shortName` already cut, in quotes) are left alone.
  let out = message.length > 200 ? message.replace(/[^\s…]{203,}/g, (w) => `${w.slice(0, MAX_NAME_IN_MESSAGE)}… (${w.length} characters)`) : message;
  if (out.length > 4000) out = `${out.slice(0, 4000)}… (message cut, ${out.length} characters)`;
  return out;
}

/** A name for a message: quoted as given when short, cut with an ellipsis when long. */
export function shortName(name: string): string {
  return name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}… (${name.length} characters)` : name;
}

/**
 * Words for a JavaScript engine error, for a person: what ran out, not V8's wording
 * ("Invalid typed array length", "Maximum call stack size exceeded"). Other errors keep their
 * message.
 */
export function describeError(e: unknown): string {
  if (isGraftError(e)) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  if (/Invalid (typed )?array length|Array buffer allocation failed|Invalid string length|allocation failed|out of memory/i.test(message)) {
    return 'a value too large to allocate in memory';
  }
  if (/Maximum call stack size exceeded/i.test(message)) return 'the structure nests too deeply to process';
  if (/memory access out of bounds|Cannot enlarge memory|WebAssembly\.Memory/i.test(message)) return 'the tensor runtime ran out of memory (a value too large, or too many at once)';
  return message;
}

/** True when `e` is a JavaScript engine error meaning "out of memory" (not a graft bug in logic). */
export function isResourceError(e: unknown): boolean {
  if (isGraftError(e)) return false;
  const message = e instanceof Error ? e.message : String(e);
  return /Invalid (typed )?array length|Array buffer allocation failed|Invalid string length|allocation failed|out of memory|memory access out of bounds|Maximum call stack size exceeded/i.test(message);
}

/**
 * An error with a stable code and the place it happened.
 *
 * @example
 * ```ts
 * try { await loadSavedModel('model/') }
 * catch (e) { if (e instanceof GraftError && e.code === 'io/not-saved-model') ... }
 * ```
 */
export class GraftError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly node?: string;
  readonly op?: string;
  readonly hint?: string;
  readonly param?: string;

  constructor(code: ErrorCode, message: string, details: GraftErrorDetails = {}) {
    // Never throws itself: a message that is not a string is shown as String(message), details that are not an object are ignored.
    if (details === null || typeof details !== 'object') details = {};
    super(capMessage(typeof message === 'string' ? message : String(message)), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GraftError';
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.node !== undefined) this.node = details.node;
    if (details.op !== undefined) this.op = details.op;
    if (details.hint !== undefined) this.hint = capMessage(details.hint);
    if (details.param !== undefined) this.param = details.param;
  }

  /**
   * This error naming `file`: in its `file` field and, unless the message already mentions it, as
   * a prefix of the message (so a CLI that prints only the message still says where).
   */
  inFile(file: string): GraftError {
    const named = this.file ?? file;
    if (this.file !== undefined && this.message.includes(named)) return this;
    const message = this.message.includes(named) ? this.message : `${named}: ${this.message}`;
    return new GraftError(this.code, message, { file: named, node: this.node, op: this.op, hint: this.hint, cause: this.cause, param: this.param });
  }
}

/** True when `e` is a GraftError (also across duplicated module copies). */
export function isGraftError(e: unknown): e is GraftError {
  return e instanceof GraftError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'GraftError');
}

/** What a value is, for a message about a bad argument: `null`, `an array`, `a string ('x')`, `a number (3)`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array (${v.length} items)`;
  if (v instanceof Uint8Array) return `${v.constructor.name} (${v.length} bytes)`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  switch (typeof v) {
    case 'string':
      return `a string ('${shortName(v.length > 40 ? `${v.slice(0, 40)}…` : v)}')`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `a ${typeof v} (${String(v)})`;
    case 'function':
      return 'a function';
    default: {
      const name = (v as object).constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'a plain object';
    }
  }
}

/**
 * The error for a public function called with a bad argument: `api/bad-argument` naming the
 * function, the parameter (also in `param`), what it must be and what it was.
 *
 * @example throw badArgument('runGraph', 'feeds', 'an object mapping tensor names to Tensors', feeds);
 */
export function badArgument(fn: string, param: string, expected: string, value: unknown, hint?: string): GraftError {
  return new GraftError('api/bad-argument', `${fn}: ${param} must be ${expected}, not ${describeValue(value)}`, { param, ...(hint ? { hint } : {}) });
}
