/**
 * What `graft optimize` reports: the serving article's before/after table (nodes, Const /
 * Variable / Identity counts, graph, variable and total bytes), plus what the article asked for
 * and did by hand: the largest output difference against the original, the median latency at a
 * stated batch size, and the speedup. Plain data, JSON-serialisable as is; `formatOptimizeReport`
 * prints the table a person reads at a glance.
 */
import type { Graph } from '../ir/graph';
import { type SignatureOpsWithoutKernel, formatBytes } from '../inspect/summarize';
import type { Diagnostic } from '../transform/define';
import type { PipelineReport } from '../transform/report';
import type { OutputComparison } from '../verify/compare';
import { type BenchReport, formatMs, formatSpeedup } from './bench';
import { checkArray, checkFields, checkGraphShallow } from '../ir/check';

/** Counts and sizes of one stage of the model. */
export interface ModelStats {
  /** Nodes of the main graph plus those inside its library functions (TF2 keeps its layers there). */
  readonly nodes: number;
  /** Of `nodes`, those inside library functions. */
  readonly functionNodes: number;
  readonly const: number;
  /** Nodes whose op contains "Variable" (VariableV2, VarHandleOp, ReadVariableOp, ...), as the article counted. */
  readonly variable: number;
  readonly identity: number;
  /** Bytes of the graph file (`saved_model.pb`, or the frozen GraphDef encoded). */
  readonly graphBytes: number;
  /** Bytes of the checkpoint (`variables/`). */
  readonly variableBytes: number;
  readonly totalBytes: number;
  /** Nodes per op type, main graph and library functions together; keys sorted. */
  readonly ops: Readonly<Record<string, number>>;
}

/** One row of the per-op-type table: how many nodes of `op` each stage has. */
export interface OpCountRow {
  readonly op: string;
  readonly original: number;
  readonly frozen: number;
  readonly optimized: number;
  /** optimized - original. */
  readonly delta: number;
}

/** One signature's verification. */
export interface SignatureVerification {
  readonly key: string;
  /** pass / fail, or not-verified when it could not be run (the reason says why). */
  readonly status: 'pass' | 'fail' | 'not-verified';
  /** True only for `pass`: original and result ran on the same inputs and agree. */
  readonly verified: boolean;
  /** Why it was not verified, short (`the original cannot run: no kernel for ParseExample`). */
  readonly reason?: string;
  /** The runtime's full message, when not verified. */
  readonly message?: string;
  readonly outputs: readonly OutputComparison[];
  /** Signature input keys fed from the user's data (`--input`); the others were seeded. */
  readonly given?: readonly string[];
  /** The size of unknown dimensions of the seeded inputs it ran on. */
  readonly batch?: number;
  /** Anything else worth knowing (a retry at batch 1, and why). */
  readonly note?: string;
}

/**
 * Whether one requested signature was verified, with the reason when not: one entry per signature
 * the run was asked for (kept or dropped), `__saved_model_init_op` aside.
 */
export interface SignatureVerdict {
  readonly key: string;
  readonly verified: boolean;
  readonly reason?: string;
}

/** Verification of the result against the original. */
export interface VerificationReport {
  /**
   * pass: every signature ran and agrees; partial: those that ran agree, some could not run;
   * fail: one differs; not-verified: none could run.
   */
  readonly status: 'pass' | 'partial' | 'fail' | 'not-verified';
  readonly rtol: number;
  readonly atol: number;
  readonly seed: number;
  readonly batch: number;
  /** Largest |optimized - original| over every compared output element. */
  readonly maxAbsDiff: number;
  readonly maxRelDiff: number;
  readonly signatures: readonly SignatureVerification[];
}

/** Top-1 agreement of a class-score output: rows whose argmax is the same in both models. */
export interface Agreement {
  /** Rows (inputs) whose top-1 class is the same. */
  readonly agree: number;
  /** Rows compared. */
  readonly total: number;
  /** agree / total (0..1). */
  readonly rate: number;
  /**
   * How many different classes the original's top-1 takes over these rows. Seeded inputs are not
   * real data: when they all land in one class, agreement says little, and this number shows it.
   */
  readonly classes: number;
}

/** What a lossy pipeline did to one signature output, measured on the seeded batch. */
export interface OutputCost {
  readonly signature: string;
  /** The signature's output key. */
  readonly output: string;
  readonly dtype: string;
  /** Shape of one run's output (the batch is the first dimension). */
  readonly shape: readonly number[];
  /**
   * Largest and mean |optimized - original| over the elements (NaN on exactly one side counts
   * as Infinity). For integer and bool outputs, the same over their values; those outputs are
   * left out of the report-wide figures, since a difference of class ids is not an error size.
   */
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** Elements compared. */
  readonly elements: number;
  /** Fraction of elements exactly equal (informative for integer outputs such as class ids). */
  readonly equalFraction: number;
  /** For class-score outputs (float, rank 2, last dimension > 1): top-1 agreement. */
  readonly agreement?: Agreement;
}

/** The gates a lossy run was held to (`--max_diff`, `--min_agreement`); absent ones were not set. */
export interface CostThresholds {
  readonly maxDiff?: number;
  readonly minAgreement?: number;
}

/**
 * What a lossy pipeline (one with a step whose transform is `lossy`: `quantize_weights`,
 * `quantize_nodes`, `round_weights`) saves and costs. Its outputs are expected to move, so
 * verification measures instead of gating: the size ratio, the output error, the top-1 agreement
 * of class-score outputs with the float model, and the latency before and after (with `--bench`).
 */
export interface CostReport {
  /** The lossy steps of the pipeline, in transform syntax. */
  readonly lossySteps: readonly string[];
  /** Original total bytes (graph + variables) / optimized total bytes. */
  readonly sizeRatio: number;
  readonly originalBytes: number;
  readonly optimizedBytes: number;
  /** Bytes of constant payloads (main graph and functions) of the frozen graph and of the result. */
  readonly weightBytes: { readonly frozen: number; readonly optimized: number };
  /** weightBytes.frozen / weightBytes.optimized: what the pipeline did to the weights alone. */
  readonly weightRatio: number;
  /**
   * measured: no thresholds were set; pass/fail: against `thresholds`; skipped: not measured
   * (`--no-verify`, or no signature could run: see `skipped`).
   */
  readonly status: 'measured' | 'pass' | 'fail' | 'skipped';
  readonly thresholds: CostThresholds;
  /** Why the thresholds failed, one line each (empty when they passed or none were set). */
  readonly failures: readonly string[];
  readonly seed: number;
  /** Inputs per measurement: the size of unknown (batch) dimensions of the seeded inputs. */
  readonly batch: number;
  /** Largest and mean |diff| over every float output element (mean weighted by elements). */
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** Pooled over every class-score output; null when the model has none. */
  readonly agreement: Agreement | null;
  /** The lowest agreement of any single class-score output (what `--min_agreement` checks). */
  readonly minAgreement: number | null;
  readonly outputs: readonly OutputCost[];
  /** Signatures the runtime could not run, with the reason. */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  /** Median latency before and after, from the benchmark (`--bench`); null without it. */
  readonly latency: { readonly batch: number; readonly before: number; readonly after: number; readonly speedup: number } | null;
}

/** Everything `optimize` did and measured. */
export interface OptimizeReport {
  readonly input: string;
  /** What `input` is: a SavedModel, a GraphDef, or a MetaGraphDef (with its checkpoint beside it). */
  readonly inputKind: 'saved-model' | 'graph-def' | 'meta-graph';
  /** The output (directory or file), or null when nothing was written (in memory). */
  readonly output: string | null;
  /** What the output is (or would be): a SavedModel, or a GraphDef (binary or text). */
  readonly outputKind: { readonly kind: 'saved-model' } | { readonly kind: 'meta-graph' } | { readonly kind: 'graph-def'; readonly text: boolean };
  /**
   * The user's verification inputs (`--input name=file.npy`, `feeds`) and where each came from,
   * by tensor name in the original graph; empty when every input was seeded.
   */
  readonly inputsFrom: readonly { readonly input: string; readonly source: string }[];
  readonly tags: readonly string[];
  /** The pipeline that ran, in transform syntax. */
  readonly transforms: string;
  /** Steps of the default pipeline left out because this build does not register them. */
  readonly skippedSteps: readonly string[];
  readonly signatures: { readonly kept: readonly string[]; readonly dropped: readonly { readonly key: string; readonly reason: string }[] };
  /**
   * Listed before any work: per requested signature, the ops graft cannot run (no kernel), functions
   * included. A signature with ops here cannot be verified.
   */
  readonly unsupportedOps: readonly SignatureOpsWithoutKernel[];
  /**
   * Per requested signature: verified or not, and why not (dropped, not runnable, `--no-verify`,
   * ...). Any `verified: false` makes `graft optimize` exit 3 unless `--allow-unverified`.
   */
  readonly verdicts: readonly SignatureVerdict[];
  /** Variables that became constants. */
  readonly frozenVariables: number;
  /**
   * Variables kept as variables because a kept signature writes them (by checkpoint key), saved in
   * the result's `variables/` with a saver; empty when every variable was frozen.
   */
  readonly keptVariables: readonly string[];
  readonly stages: { readonly original: ModelStats; readonly frozen: ModelStats; readonly optimized: ModelStats };
  /** The per-op-type table: nodes per op type in each stage, sorted by op (`opCountRows(stages)`). */
  readonly ops: readonly OpCountRow[];
  readonly pipeline: PipelineReport;
  /**
   * The strict comparison with the original (lossless pipelines). Null with `--no-verify`, and
   * for lossy pipelines, whose outputs are measured in `cost` instead.
   */
  readonly verification: VerificationReport | null;
  /** What a lossy pipeline saves and costs; null when every step is lossless. */
  readonly cost: CostReport | null;
  readonly bench: BenchReport | null;
  /**
   * The tfjs backend that folded constants, verified and benchmarked (wasm, or cpu when asked for
   * or when wasm could not start); null when nothing ran on the runtime.
   */
  readonly backend: 'wasm' | 'cpu' | null;
  /** Why `backend` is not wasm (asked for cpu, or why wasm could not start); null when it is wasm or null. */
  readonly backendReason: string | null;
  /** Freezing's and the pipeline's diagnostics, and optimize's own notes. */
  readonly diagnostics: readonly Diagnostic[];
  /** Wall time of the whole run, in milliseconds. */
  readonly ms: number;
}

const VARIABLE_OP = /Variable|^VarHandleOp$/;

/** Counts of a graph, over the main graph and its library functions. */
export function graphCounts(graph: Graph): Pick<ModelStats, 'nodes' | 'functionNodes' | 'const' | 'variable' | 'identity'> {
  const fnNodes = graph.library.functions.flatMap((f) => f.nodes);
  const all = [...graph.nodes, ...fnNodes];
  let c = 0;
  let v = 0;
  let i = 0;
  for (const n of all) {
    if (n.op === 'Const') c++;
    else if (n.op === 'Identity') i++;
    if (VARIABLE_OP.test(n.op)) v++;
  }
  return { nodes: all.length, functionNodes: fnNodes.length, const: c, variable: v, identity: i };
}

/** Nodes per op type over the main graph and its library functions, keys in sorted order. */
export function opTypeCounts(graph: Graph): Record<string, number> {
  checkGraphShallow('opTypeCounts', 'graph', graph);
  const counts = new Map<string, number>();
  const add = (op: string) => counts.set(op, (counts.get(op) ?? 0) + 1);
  for (const n of graph.nodes) add(n.op);
  for (const f of graph.library.functions) for (const n of f.nodes) add(n.op);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A stage's stats from its graph and file sizes. */
export function modelStats(graph: Graph, graphBytes: number, variableBytes: number): ModelStats {
  return { ...graphCounts(graph), graphBytes, variableBytes, totalBytes: graphBytes + variableBytes, ops: opTypeCounts(graph) };
}

/**
 * The per-op-type before/after table (onnxsim's view): one row per op type any stage has, sorted
 * by op name, with its node count in the original model, the frozen graph and the result (library
 * functions included), and the change from original to result.
 */
export function opCountRows(stages: OptimizeReport['stages']): OpCountRow[] {
  checkFields('opCountRows', 'stages', stages, { original: 'object', frozen: 'object', optimized: 'object' }, 'an OptimizeReport\'s stages');
  const ops = [...new Set([...Object.keys(stages.original.ops), ...Object.keys(stages.frozen.ops), ...Object.keys(stages.optimized.ops)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ops.map((op) => {
    const original = stages.original.ops[op] ?? 0;
    const optimized = stages.optimized.ops[op] ?? 0;
    return { op, original, frozen: stages.frozen.ops[op] ?? 0, optimized, delta: optimized - original };
  });
}

/**
 * The per-op-type table as text: op, original, frozen, optimized, change (`-3`, `+1`, blank when
 * unchanged), then a total row.
 *
 * @example
 * ```text
 * op               original  frozen  optimized  change
 * Const                  61      34         29     -32
 * Identity               30      27          0     -30
 * MatMul                  2       2          2
 * total                 308      94         62    -246
 * ```
 */
export function formatOpTable(rows: readonly OpCountRow[]): string {
  checkArray('formatOpTable', 'rows', rows, 'an array of OpCountRows (opCountRows)');
  const delta = (d: number) => (d > 0 ? `+${d}` : d < 0 ? String(d) : '');
  const sum = (k: 'original' | 'frozen' | 'optimized') => rows.reduce((n, r) => n + r[k], 0);
  const total = { original: sum('original'), frozen: sum('frozen'), optimized: sum('optimized') };
  const body = [
    ['op', 'original', 'frozen', 'optimized', 'change'],
    ...rows.map((r) => [r.op, String(r.original), String(r.frozen), String(r.optimized), delta(r.delta)]),
    ['total', String(total.original), String(total.frozen), String(total.optimized), delta(total.optimized - total.original)],
  ];
  return table(body, new Set([1, 2, 3, 4])).join('\n');
}

function table(rows: string[][], right: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) =>
    row
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === row.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Bytes in one short unit: 856 B, 57.5 KiB, 10.4 MiB. */
export function shortBytes(bytes: number): string {
  const full = formatBytes(bytes);
  const m = /\(([^)]+)\)$/.exec(full);
  return m ? m[1]! : `${bytes} B`;
}

/** A difference in a short, stable form. */
function diff(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  return v >= 1e-3 && v < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

function tol(v: number): string {
  return v !== 0 && v < 1e-3 ? v.toExponential() : String(v);
}

function percent(before: number, after: number): string {
  if (before === 0) return '';
  const p = ((after - before) / before) * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(p !== 0 && Math.abs(p) < 1 ? 2 : 1)}%`;
}

function rate(r: number): string {
  return r === 1 ? '100%' : `${(r * 100).toFixed(1)}%`;
}

function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}x` : '-';
}

/**
 * The cost of a lossy pipeline in a few lines: what it saves and costs in one, then how it was
 * judged, then (with several outputs) one line per output.
 */
export function costLines(c: CostReport): string[] {
  const label = c.lossySteps.length === 0 ? 'cost' : c.lossySteps.every((s) => s.startsWith('quantize')) ? 'quantization' : 'lossy pipeline';
  const parts = [
    `${ratio(c.sizeRatio)} smaller model (${shortBytes(c.originalBytes)} → ${shortBytes(c.optimizedBytes)}; weights ${ratio(c.weightRatio)}, ${shortBytes(c.weightBytes.frozen)} → ${shortBytes(c.weightBytes.optimized)})`,
  ];
  if (c.status !== 'skipped') {
    parts.push(`max |diff| ${diff(c.maxAbsDiff)}`, `mean |diff| ${diff(c.meanAbsDiff)}`);
    const rows = c.outputs.reduce((n, o) => Math.max(n, o.agreement?.total ?? 0), 0);
    const classes = c.outputs.reduce((n, o) => Math.max(n, o.agreement?.classes ?? 0), 0);
    parts.push(c.agreement ? `top-1 agreement ${rate(c.agreement.rate)} (${rows} seeded inputs, ${classes} distinct top-1 class${classes === 1 ? '' : 'es'})` : 'top-1 agreement: no class-score output');
  }
  if (c.latency) parts.push(`latency ${formatMs(c.latency.before)} → ${formatMs(c.latency.after)} (${formatSpeedup(c.latency.speedup)}, batch ${c.latency.batch})`);
  const lines = [`${label}: ${parts.join(', ')}`];
  const skipped = c.skipped.length ? `; ${c.skipped.length} signature${c.skipped.length === 1 ? '' : 's'} NOT VERIFIED (below)` : '';
  const gates = [
    ...(c.thresholds.maxDiff !== undefined ? [`max |diff| <= ${diff(c.thresholds.maxDiff)}`] : []),
    ...(c.thresholds.minAgreement !== undefined ? [`top-1 agreement >= ${rate(c.thresholds.minAgreement)}`] : []),
  ];
  const how = `seed ${c.seed}, ${c.batch} inputs per signature`;
  if (c.status === 'skipped') lines.push(c.skipped.length ? 'verify: NOT MEASURED: no signature could be run' : 'verify: not run (`verify: false`)');
  else if (c.status === 'measured') lines.push(`verify: MEASURED, not gated (${c.lossySteps.length ? `lossy steps: ${c.lossySteps.join(' ')}` : 'no lossy step'}; set \`maxDiff\`/\`minAgreement\` to fail on them), ${how}${skipped}`);
  else lines.push(`verify: ${c.status.toUpperCase()}: ${gates.join(', ')} (${how})${skipped}`);
  const shown = c.outputs.filter((o) => o.dtype !== '');
  if (shown.length > 1) {
    for (const o of shown) {
      const what = isFloatName(o.dtype) ? `max |diff| ${diff(o.maxAbsDiff)}, mean |diff| ${diff(o.meanAbsDiff)}` : `${rate(o.equalFraction)} of values equal`;
      lines.push(`  ${o.signature}/${o.output} ${o.dtype}: ${what}${o.agreement ? `, top-1 agreement ${rate(o.agreement.rate)} (${o.agreement.agree}/${o.agreement.total})` : ''}`);
    }
  }
  return lines;
}

function isFloatName(d: string): boolean {
  return d === 'float' || d === 'double' || d === 'half' || d === 'bfloat16';
}

/**
 * The before/after table, then one line each for verification, speed, signatures and notes.
 * Options are named as the API spells them, in backticks (`` `maxDiff` ``, `` `verify: false` ``);
 * `graft optimize` puts its flag names in their place.
 *
 * Columns: stage, nodes (main graph + functions), Const, Variable, Identity, graph bytes,
 * variable bytes, total bytes, max |diff| against the original, median latency at the batch size.
 *
 * @example
 * ```text
 * stage       nodes  Const  Variable  Identity     graph  variables     total  max |diff|  median (batch 100)
 * original      308     61        97        30  57.5 KiB   10.4 MiB  10.5 MiB              189.8 ms
 * frozen         94     34         0        27  10.4 MiB        0 B  10.4 MiB
 * optimized      62     29         0         0  10.4 MiB        0 B  10.4 MiB     1.19e-7  162.4 ms
 * change       -246    -32       -97       -30                        -0.5%                  -14.4%
 *
 * op        original  frozen  optimized  change
 * ...       (formatOpTable)
 *
 * speedup: 1.17x (median original / median optimized; p10-p90 original 185.1-196.0 ms, optimized 158.2-166.9 ms)
 * verify: PASS (serving_default: 1 output), |b - a| <= 1e-5 + 1e-4 * |a|, seed 1, batch 2
 * ```
 */
export function formatOptimizeReport(r: OptimizeReport): string {
  checkFields('formatOptimizeReport', 'r', r, { stages: 'object' }, 'an OptimizeReport (what optimize returns)');
  const { original, frozen, optimized } = r.stages;
  const b = r.bench;
  const latency = (i: number): string => (b && b.models[i] ? formatMs(b.models[i]!.median) : '');
  const maxDiff = r.verification && r.verification.status !== 'not-verified' ? diff(r.verification.maxAbsDiff) : r.cost && r.cost.status !== 'skipped' ? diff(r.cost.maxAbsDiff) : '';
  const row = (name: string, s: ModelStats, d: string, lat: string) => [
    name,
    String(s.nodes),
    String(s.const),
    String(s.variable),
    String(s.identity),
    shortBytes(s.graphBytes),
    shortBytes(s.variableBytes),
    shortBytes(s.totalBytes),
    d,
    lat,
  ];
  const delta = (a: number, z: number) => (z - a > 0 ? `+${z - a}` : String(z - a));
  const rows = [
    ['stage', 'nodes', 'Const', 'Variable', 'Identity', 'graph', 'variables', 'total', 'max |diff|', b ? `median (batch ${b.batch})` : 'median'],
    row('original', original, '', latency(0)),
    row('frozen', frozen, '', ''),
    row('optimized', optimized, maxDiff, latency(1)),
    [
      'change',
      delta(original.nodes, optimized.nodes),
      delta(original.const, optimized.const),
      delta(original.variable, optimized.variable),
      delta(original.identity, optimized.identity),
      '',
      '',
      percent(original.totalBytes, optimized.totalBytes),
      '',
      b && b.models.length === 2 ? percent(b.models[0]!.median, b.models[1]!.median) : '',
    ],
  ];
  const lines = table(rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // Beside the stage table, the per-op-type one (onnxsim's view), set apart by blank lines.
  lines.push('', formatOpTable(r.ops), '');
  if (b && b.models.length === 2) {
    const [o, z] = b.models as [(typeof b.models)[0], (typeof b.models)[0]];
    lines.push(
      `speedup: ${formatSpeedup(b.speedup)} (median original / median optimized; p10-p90 original ${formatMs(o.p10)}-${formatMs(o.p90)}, optimized ${formatMs(z.p10)}-${formatMs(z.p90)}; ${b.warmup} warm-up + ${b.runs} interleaved runs, backend ${b.backend})`,
    );
  } else {
    lines.push('speed: not measured (`bench`)');
  }
  const v = r.verification;
  const unverified = r.verdicts.filter((x) => !x.verified);
  // A lossy pipeline has no strict verification: its cost lines say how it was judged.
  if (r.cost) lines.push(...costLines(r.cost));
  if (!v) {
    if (!r.cost) lines.push(`verify: not run (\`verify: false\`)${unverified.length ? `: ${plural(unverified.length, 'signature')} NOT VERIFIED` : ''}`);
  } else {
    const ran = v.signatures.filter((s) => s.status === 'pass' || s.status === 'fail');
    const outs = ran.reduce((n, s) => n + s.outputs.length, 0);
    const within = `${plural(outs, 'output')} within |b - a| <= ${tol(v.atol)} + ${tol(v.rtol)} * |a| (seed ${v.seed}, batch ${v.batch})`;
    if (v.status === 'pass') lines.push(`verify: PASS: ${plural(ran.length, 'signature')}, ${within}`);
    else if (v.status === 'fail') lines.push(`verify: FAIL: ${within}`);
    else if (v.status === 'partial') lines.push(`verify: ${ran.length} of ${v.signatures.length} signatures verified, ${within}`);
    else lines.push(`verify: NOT VERIFIED: none of ${plural(v.signatures.length, 'signature')} could be run`);
    for (const s of v.signatures) {
      const given = s.given?.length ? `inputs given: ${s.given.join(', ')}` : '';
      if (s.note || given) lines.push(`  ${s.key}: ${[given, s.note].filter(Boolean).join('; ')}`);
    }
  }
  if ((v || r.cost) && r.inputsFrom.length) lines.push(`verified on your inputs: ${r.inputsFrom.map((i) => `${i.input} from ${i.source}`).join(', ')} (any other input seeded)`);
  if (v || r.cost) for (const x of unverified) lines.push(`NOT VERIFIED: ${x.key}: ${x.reason ?? 'not verified'}`);
  if (r.backend !== null && r.backend !== 'wasm') lines.push(`backend: ${r.backend}${r.backendReason ? ` (${r.backendReason})` : ''}: constants were folded and outputs compared on it`);
  if (r.keptVariables.length) lines.push(`variables kept (written by a signature, saved in ${r.outputKind.kind === 'meta-graph' ? 'the checkpoint beside the .meta' : 'variables/'}): ${r.keptVariables.join(', ')}`);
  lines.push(`signatures: ${r.signatures.kept.map((k) => `'${k}'`).join(', ') || 'none'}${r.signatures.dropped.length ? `; not kept ${r.signatures.dropped.map((d) => `'${d.key}'`).join(', ')}${v || r.cost ? ' (NOT VERIFIED above)' : ` (${r.signatures.dropped.map((d) => d.reason).join('; ')})`}` : ''}`);
  lines.push(`pipeline: ${r.transforms}${r.skippedSteps.length ? ` (not registered in this build, left out: ${r.skippedSteps.join(' ')})` : ''}`);
  const notable = r.diagnostics.filter((d) => d.severity !== 'info');
  if (notable.length) lines.push(`${notable.length} diagnostic${notable.length === 1 ? '' : 's'}: ${notable.slice(0, 3).map((d) => `${d.severity} ${d.code}${d.node ? ` [${d.node}]` : ''}`).join('; ')}${notable.length > 3 ? '; ...' : ''}`);
  if (r.output) {
    const kind = r.outputKind.kind === 'graph-def' ? ` (frozen GraphDef, ${r.outputKind.text ? 'text' : 'binary'})` : r.outputKind.kind === 'meta-graph' ? ` (MetaGraphDef${r.keptVariables.length ? ', with its checkpoint' : ', frozen'})` : '';
    lines.push(`wrote ${r.output}${kind}${unverified.length ? `; ${plural(unverified.length, 'signature')} NOT VERIFIED` : ''}`);
  }
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
