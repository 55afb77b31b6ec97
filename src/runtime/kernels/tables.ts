/**
 * Lookup tables (`tensorflow/core/kernels/lookup_table_op.cc`, `lookup_table_init_op.cc`,
 * `lookup_util.cc`). A table lives in the session's resources, keyed by its shared name (the node
 * name when empty); the handle is a `resource` value naming it, so it travels through function
 * calls like a variable handle.
 *
 * - `HashTableV2`/`HashTable` are initializable: lookups before an initializer ran fail with
 *   TensorFlow's `Table not initialized.`; initializing an initialized table is a no-op (TensorFlow
 *   accepts the same entries again and ignores a second file initialization).
 * - `MutableHashTableV2`/`MutableHashTable` need no initializer; `LookupTableImportV2` replaces
 *   their contents, `LookupTableInsertV2`/`LookupTableRemoveV2` edit them.
 * - `InitializeTableFromTextFileV2` reads its vocabulary through the session's `readFile`, with
 *   TensorFlow's rules: `key_index`/`value_index` -1 is the line number (plus `offset`), -2 the
 *   whole line, n >= 0 the n-th `delimiter`-separated field; `vocab_size` stops early and fails
 *   when the file is shorter; an empty line is an error; a trailing `\r` is dropped.
 */
import { baseDType, type DType } from '../../ir/dtype';
import { type Tensor, makeStringTensor, numElements, tensorStrings, tensorToArray, tensorToNumbers } from '../../ir/tensor';
import { type Scalar, type TextFileTableSpec, checkTextFileSpec, parseTextFileEntries } from '../../ir/lookup-tables';
import type { Kernel, KernelContext } from '../kernel';
import { type Value, tensorFromArray } from '../values';


/** One table: entries by key text, in insertion order. */
export interface LookupTable {
  readonly name: string;
  readonly keyDType: DType;
  readonly valueDType: DType;
  readonly mutable: boolean;
  initialized: boolean;
  readonly entries: Map<string, { key: Scalar; value: Scalar }>;
}

const TABLE_PREFIX = 'table:';

function keyText(k: Scalar): string {
  if (k instanceof Uint8Array) {
    let s = 's';
    for (const b of k) s += String.fromCharCode(b);
    return s;
  }
  return `n${String(k)}`;
}

function scalars(t: Tensor): Scalar[] {
  const b = baseDType(t.dtype);
  if (b === 'string') return tensorStrings(t);
  if (b === 'int64' || b === 'uint64') return Array.from(tensorToArray(t) as BigInt64Array);
  return tensorToNumbers(t);
}

function tensorOf(dtype: DType, shape: readonly number[], values: Scalar[]): Tensor {
  if (dtype === 'string') return makeStringTensor(shape, values as Uint8Array[]);
  if (dtype === 'int64' || dtype === 'uint64') return tensorFromArray(dtype, shape, values.map((v) => (typeof v === 'bigint' ? v : BigInt(v as number))));
  return tensorFromArray(dtype, shape, values as number[]);
}

function createTable(mutable: boolean): Kernel {
  return (ctx) => {
    const shared = ctx.attrString('shared_name', '');
    const useNodeName = ctx.attrBool('use_node_name_sharing', false);
    const name = shared || (useNodeName ? ctx.node.name : ctx.node.name);
    const key = TABLE_PREFIX + name;
    const keyDType = ctx.attrType('key_dtype');
    const valueDType = ctx.attrType('value_dtype');
    const existing = ctx.resources.get(key) as LookupTable | undefined;
    if (existing) {
      if (existing.keyDType !== keyDType || existing.valueDType !== valueDType) {
        throw ctx.fail(`Conflicting key/value dtypes ${keyDType}->${valueDType} with ${existing.keyDType}-${existing.valueDType} for table ${name}`);
      }
    } else {
      const table: LookupTable = { name, keyDType, valueDType, mutable, initialized: false, entries: new Map() };
      ctx.resources.set(key, table);
    }
    const v: Value = { kind: 'resource', name: key, node: ctx.node.name };
    return [v];
  };
}

function tableOf(ctx: KernelContext, i = 0): LookupTable {
  const h = ctx.inputs[i];
  if (h?.kind !== 'resource' || !h.name.startsWith(TABLE_PREFIX)) throw ctx.fail(`input ${i} is not a lookup table handle`);
  const t = ctx.resources.get(h.name) as LookupTable | undefined;
  if (!t) throw ctx.fail(`Table ${h.name.slice(TABLE_PREFIX.length)} does not exist`);
  return t;
}

function checkDTypes(ctx: KernelContext, table: LookupTable, keys: DType, values?: DType): void {
  if (keys !== table.keyDType || (values !== undefined && values !== table.valueDType)) {
    throw ctx.fail(`Conflicting key/value dtypes ${keys}->${values ?? table.valueDType} with ${table.keyDType}-${table.valueDType} for table ${table.name}`);
  }
}

function show(v: Scalar): string {
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
}

/** HashTable's insert: a key seen again must carry the same value. */
function insert(ctx: KernelContext, table: LookupTable, keys: Scalar[], values: Scalar[], overwrite: boolean): void {
  keys.forEach((k, i) => {
    const kt = keyText(k);
    const v = values[i]!;
    const old = table.entries.get(kt);
    if (old && !overwrite && keyText(old.value) !== keyText(v)) {
      throw ctx.fail(`HashTable has different value for same key. Key ${show(k)} has ${show(old.value)} and trying to add value ${show(v)}`);
    }
    table.entries.set(kt, { key: k, value: v });
  });
}

function keysAndValues(ctx: KernelContext, table: LookupTable, ki: number, vi: number): [Scalar[], Scalar[]] {
  const keys = ctx.host(ki);
  const values = ctx.host(vi);
  checkDTypes(ctx, table, baseDType(keys.dtype), baseDType(values.dtype));
  if (numElements(keys.shape) !== numElements(values.shape)) {
    throw ctx.fail(`Keys and values must have the same size ${numElements(keys.shape)} vs ${numElements(values.shape)}`);
  }
  return [scalars(keys), scalars(values)];
}

const initializeTable: Kernel = (ctx) => {
  const table = tableOf(ctx);
  const [keys, values] = keysAndValues(ctx, table, 1, 2);
  if (table.initialized) return [];
  insert(ctx, table, keys, values, false);
  table.initialized = true;
  return [];
};

const findKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  if (!table.mutable && !table.initialized) throw ctx.fail('Table not initialized.');
  const keys = ctx.host(1);
  checkDTypes(ctx, table, baseDType(keys.dtype));
  const def = ctx.host(2);
  if (baseDType(def.dtype) !== table.valueDType) throw ctx.fail(`default_value must be ${table.valueDType}, not ${def.dtype}`);
  if (numElements(def.shape) !== 1) throw ctx.fail(`Expected shape [] for default_value, got [${def.shape.join(',')}]`);
  const fallback = scalars(def)[0]!;
  const out = scalars(keys).map((k) => table.entries.get(keyText(k))?.value ?? fallback);
  return [tensorOf(table.valueDType, keys.shape, out)];
};

const sizeKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  return [tensorFromArray('int64', [], [BigInt(table.entries.size)])];
};

const exportKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  const entries = [...table.entries.values()];
  return [tensorOf(table.keyDType, [entries.length], entries.map((e) => e.key)), tensorOf(table.valueDType, [entries.length], entries.map((e) => e.value))];
};

const importKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  const [keys, values] = keysAndValues(ctx, table, 1, 2);
  if (table.mutable) {
    table.entries.clear();
    insert(ctx, table, keys, values, true);
  } else if (!table.initialized) {
    insert(ctx, table, keys, values, false);
  }
  table.initialized = true;
  return [];
};

const insertKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  if (!table.mutable) throw ctx.fail(`Table ${table.name} is not mutable`);
  const [keys, values] = keysAndValues(ctx, table, 1, 2);
  insert(ctx, table, keys, values, true);
  return [];
};

const removeKernel: Kernel = (ctx) => {
  const table = tableOf(ctx);
  if (!table.mutable) throw ctx.fail(`Table ${table.name} is not mutable`);
  const keys = ctx.host(1);
  checkDTypes(ctx, table, baseDType(keys.dtype));
  for (const k of scalars(keys)) table.entries.delete(keyText(k));
  return [];
};

const initializeFromTextFile: Kernel = async (ctx) => {
  const table = tableOf(ctx);
  const fileT = ctx.host(1);
  if (baseDType(fileT.dtype) !== 'string' || fileT.shape.length !== 0) throw ctx.fail('filename must be a string scalar');
  const filename = new TextDecoder().decode(tensorStrings(fileT)[0]!);
  const spec: TextFileTableSpec = {
    keyDType: table.keyDType,
    valueDType: table.valueDType,
    keyIndex: ctx.attrInt('key_index'),
    valueIndex: ctx.attrInt('value_index'),
    vocabSize: ctx.attrInt('vocab_size', -1),
    delimiter: ctx.attrString('delimiter', '\t'),
    offset: ctx.attrInt('offset', 0),
  };
  const fail = (m: string) => ctx.fail(m);
  checkTextFileSpec(spec, fail);
  if (table.initialized) return [];
  const [keys, values] = parseTextFileEntries(await ctx.readFile(filename), filename, spec, fail);
  insert(ctx, table, keys, values, false);
  table.initialized = true;
  return [];
};

export { TABLE_CREATE_OPS, TABLE_INIT_OPS } from '../../ir/lookup-tables';

export const TABLE_KERNELS: Record<string, Kernel> = {
  HashTable: createTable(false),
  HashTableV2: createTable(false),
  MutableHashTable: createTable(true),
  MutableHashTableV2: createTable(true),
  InitializeTable: initializeTable,
  InitializeTableV2: initializeTable,
  InitializeTableFromTextFile: initializeFromTextFile,
  InitializeTableFromTextFileV2: initializeFromTextFile,
  LookupTableFind: findKernel,
  LookupTableFindV2: findKernel,
  LookupTableSize: sizeKernel,
  LookupTableSizeV2: sizeKernel,
  LookupTableExport: exportKernel,
  LookupTableExportV2: exportKernel,
  LookupTableImport: importKernel,
  LookupTableImportV2: importKernel,
  LookupTableInsert: insertKernel,
  LookupTableInsertV2: insertKernel,
  LookupTableRemoveV2: removeKernel,
};
