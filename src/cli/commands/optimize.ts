import { GraftError, isGraftError } from '../../errors';
import type { Backend } from '../../runtime/index';
import { DEFAULT_BENCH_BATCH, DEFAULT_BENCH_RUNS, DEFAULT_BENCH_WARMUP } from '../../workflow/bench';
import { optimize } from '../../workflow/optimize-files';
import { type OptimizeReport, formatOptimizeReport } from '../../workflow/report';
import { parseFlags, splitList } from '../args';
import { type FlagNames, flagError, withFlagNames } from '../flag-names';
import { JSON_FLAGS, reportMode as outputMode, toJson } from '../json-flag';
import type { Io } from '../output';

export const usage = `Usage: graft optimize IN_MODEL OUT [--transforms='...'] [--signature_def NAME] [--outputs a,b] [--inputs x,y]
                      [--output_format savedmodel|graphdef|metagraph] [--tag_set serve]
                      [--no-verify] [--allow-unverified] [--input name=file.npy|json|@raw ...]
                      [--rtol 1e-4] [--atol 1e-5] [--seed 1]
                      [--max_diff X] [--min_agreement 0.95] [--agreement_batch 256]
                      [--bench] [--batch 100] [--runs 30] [--warmup 3] [--backend wasm|cpu]
                      [--overwrite] [--json]
  IN_MODEL is a SavedModel directory, a frozen GraphDef (.pb or .pbtxt), or a MetaGraphDef (.meta)
  with its checkpoint beside it (model.meta + model.index + model.data-*). Freezes it, runs the
  pipeline (default: the serving article's remove_nodes(op=Identity) merge_duplicate_nodes
  strip_unused_nodes fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms),
  converts back, verifies the outputs against the original (on by default; a difference fails
  and writes nothing) and, with --bench, times both (median at --batch, interleaved runs).
  OUT is the same kind as IN_MODEL: a SavedModel directory for a SavedModel, a GraphDef for a
  GraphDef (text for .pbtxt), and a .meta for a .meta named OUT.meta (the frozen graph with a
  serving_default signature; variables a signature updates stay variables, in a checkpoint beside
  it: OUT.meta with OUT.index and OUT.data-*; another name gives a frozen GraphDef);
  --output_format savedmodel, graphdef or metagraph (OUT named .meta) chooses (a GraphDef OUT
  named .pbtxt is written as text).
  A SavedModel keeps every signature unless --signature_def names one or --outputs names outputs.
  A GraphDef or .meta is kept by its outputs: --outputs, else the nodes nothing consumes (training,
  saving and initialization nodes left out; the inferred names are printed), and its inputs:
  --inputs, else its Placeholders; the result's serving_default signature uses them.
  Progress goes to stderr, the before/after table to stdout.
  Before any work it lists the ops graft cannot run (no kernel), per signature. A signature that
  updates variables keeps them as variables (saved in OUT/variables, or beside OUT.meta, with a saver) and is verified
  over calls in a row. A signature it could not verify (such an op, one dropped) is printed as
  NOT VERIFIED: <signature>: <reason>; the output is still written, and the exit code is 3 unless
  --allow-unverified (or --no-verify). --input verifies on your data instead of seeded inputs:
  name is a signature input key or a tensor name, the value as graft run takes it (repeatable);
  the report says which inputs came from you.
  A pipeline with a lossy step (quantize_weights, quantize_nodes, round_weights) is measured instead
  of verified: size ratio, max and mean |diff|, top-1 agreement of class-score outputs over
  --agreement_batch seeded inputs, and latency with --bench. It fails (writing nothing) only past
  --max_diff (largest |diff| of a float output) or below --min_agreement (a fraction, 0.95 = 95%).`;

/** Exit code of a run whose output was written but not every signature verified. */
export const NOT_VERIFIED_EXIT = 3;

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new GraftError('cli/usage', `--${name} takes a number, not '${v}'`);
  return n;
}

export function backendFlag(v: string | undefined): Backend | undefined {
  if (v === undefined) return undefined;
  if (v !== 'wasm' && v !== 'cpu') throw new GraftError('cli/usage', `--backend is wasm or cpu, not '${v}'`);
  return v;
}

/** The library's option names (as its messages write them) and this command's flags. */
const FLAGS: FlagNames = {
  maxDiff: '--max_diff',
  minAgreement: '--min_agreement',
  agreementBatch: '--agreement_batch',
  inputs: '--input',
  inputNodes: '--inputs',
  tags: '--tag_set',
  outputs: '--outputs',
  outputNodeNames: '--outputs',
  signature: '--signature_def',
  rtol: '--rtol',
  atol: '--atol',
  'verify: false': '--no-verify',
  bench: '--bench',
  batch: '--batch',
  runs: '--runs',
  warmup: '--warmup',
};

/** The report with this command's flag names in its notes, verdicts and cost failures. */
function reportWithFlags(r: OptimizeReport): OptimizeReport {
  const f = (t: string) => withFlagNames(t, FLAGS);
  return {
    ...r,
    verdicts: r.verdicts.map((v) => (v.reason === undefined ? v : { ...v, reason: f(v.reason) })),
    diagnostics: r.diagnostics.map((d) => ({ ...d, message: f(d.message), ...(d.hint !== undefined ? { hint: f(d.hint) } : {}) })),
    ...(r.cost ? { cost: { ...r.cost, failures: r.cost.failures.map(f) } } : {}),
  };
}

export async function optimizeCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      transforms: { type: 'string' },
      signature_def: { type: 'string' },
      outputs: { type: 'string' },
      output_node_names: { type: 'string' },
      inputs: { type: 'string' },
      output_format: { type: 'string' },
      tag_set: { type: 'string' },
      verify: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      'allow-unverified': { type: 'boolean' },
      input: { type: 'string', multiple: true },
      rtol: { type: 'string' },
      atol: { type: 'string' },
      seed: { type: 'string' },
      max_diff: { type: 'string' },
      min_agreement: { type: 'string' },
      agreement_batch: { type: 'string' },
      bench: { type: 'boolean' },
      batch: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      backend: { type: 'string' },
      overwrite: { type: 'boolean' },
      ...JSON_FLAGS,
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  const [input, output, ...extra] = positionals;
  if (input === undefined || output === undefined) throw new GraftError('cli/usage', `optimize needs IN_MODEL and OUT\n${usage}`);
  if (extra.length > 0) throw new GraftError('cli/usage', `Unexpected argument '${extra[0]}'\n${usage}`);
  if (values.verify && values['no-verify']) throw new GraftError('cli/usage', '--verify and --no-verify contradict each other');
  if (values.transforms !== undefined && values.transforms.trim() === '') throw new GraftError('cli/usage', '--transforms is empty; leave it out for the default pipeline');
  const reportMode = outputMode(values, io);
  const outputs = values.outputs ?? values.output_node_names;
  if (outputs !== undefined && values.signature_def !== undefined) throw new GraftError('cli/usage', '--outputs and --signature_def are alternatives: name outputs, or a signature');
  if (!values.bench && (values.runs !== undefined || values.warmup !== undefined || values.batch !== undefined)) {
    throw new GraftError('cli/usage', '--batch, --runs and --warmup are benchmark settings: add --bench');
  }
  const outputFormat = values.output_format;
  if (outputFormat !== undefined && outputFormat !== 'savedmodel' && outputFormat !== 'graphdef' && outputFormat !== 'metagraph') {
    throw new GraftError('cli/usage', `--output_format is savedmodel, graphdef or metagraph, not '${outputFormat}'`);
  }
  const backend = backendFlag(values.backend);
  const seed = number('seed', values.seed);
  const rtol = number('rtol', values.rtol);
  const atol = number('atol', values.atol);
  const maxDiff = number('max_diff', values.max_diff);
  const minAgreement = number('min_agreement', values.min_agreement);
  const agreementBatch = number('agreement_batch', values.agreement_batch);
  if (values['no-verify'] && values.input?.length) throw new GraftError('cli/usage', '--input feeds verification: leave out --no-verify');
  if (values['no-verify'] && (maxDiff !== undefined || minAgreement !== undefined || agreementBatch !== undefined)) {
    throw new GraftError('cli/usage', '--max_diff, --min_agreement and --agreement_batch are verification settings: leave out --no-verify');
  }
  const result = await optimize(input, output, {
    ...(values.transforms !== undefined ? { transforms: values.transforms } : {}),
    ...(values.signature_def !== undefined ? { signature: values.signature_def } : {}),
    ...(outputs !== undefined ? { outputs: splitList(outputs) } : {}),
    ...(values.inputs !== undefined ? { inputNodes: splitList(values.inputs) } : {}),
    ...(outputFormat !== undefined ? { outputFormat } : {}),
    ...(values.tag_set !== undefined ? { tags: splitList(values.tag_set) } : {}),
    verify: !values['no-verify'],
    ...(values.input?.length ? { inputs: values.input } : {}),
    ...(rtol !== undefined ? { rtol } : {}),
    ...(atol !== undefined ? { atol } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(maxDiff !== undefined ? { maxDiff } : {}),
    ...(minAgreement !== undefined ? { minAgreement } : {}),
    ...(agreementBatch !== undefined ? { agreementBatch } : {}),
    ...(backend ? { backend } : {}),
    ...(values.bench
      ? {
          bench: {
            batch: number('batch', values.batch) ?? DEFAULT_BENCH_BATCH,
            runs: number('runs', values.runs) ?? DEFAULT_BENCH_RUNS,
            warmup: number('warmup', values.warmup) ?? DEFAULT_BENCH_WARMUP,
          },
        }
      : {}),
    overwrite: values.overwrite === true,
    onProgress: (p) => io.err(`graft optimize: ${p.message}`),
  }).catch((e: unknown) => {
    // Generated inputs follow --agreement_batch (and --batch with --bench): say which to lower.
    if (isGraftError(e) && e.code === 'runtime/too-large' && e.param === 'maxInputBytes') {
      throw new GraftError(e.code, e.message, { ...(e.node !== undefined ? { node: e.node } : {}), cause: e, param: e.param, hint: 'Lower --agreement_batch (and --batch with --bench): unknown dimensions of generated inputs take that size.' });
    }
    throw flagError(e, FLAGS);
  });
  const report = reportWithFlags(result.report);
  if (reportMode === 'json') io.out(toJson(report));
  else io.out(withFlagNames(formatOptimizeReport(report), FLAGS));
  const unverified = report.verdicts.filter((v) => !v.verified);
  if (unverified.length > 0 && !values['no-verify']) {
    const what = `output written to ${output}; ${unverified.length} signature${unverified.length === 1 ? '' : 's'} NOT VERIFIED (${unverified.map((v) => v.key).join(', ')})`;
    if (values['allow-unverified']) {
      io.err(`graft optimize: ${what}, accepted with --allow-unverified`);
      return 0;
    }
    io.err(`graft optimize: ${what}`);
    io.err('  hint: graft summarize names the ops graft cannot run; pass --allow-unverified to accept an unverified result (exit 0)');
    return NOT_VERIFIED_EXIT;
  }
  return 0;
}
