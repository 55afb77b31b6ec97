/**
 * `obfuscate_names` (alias `obsfucate_names`, TF's old spelling, deprecated): renames every node
 * except the graph inputs and outputs to a short id (`0`…`9`, `a`…`z`, `A`…`Z`, `10`, `11`, …, in
 * graph order, skipping ids that a kept name already uses), rewriting every reference with its
 * `^` and port.
 *
 * Differences from TensorFlow: inputs and outputs are protected by node name (`softmax:0` keeps
 * `softmax`; TF compares raw strings and would rename it); colocation constraints
 * (`_class: loc:@name`) are rewritten too (TF leaves them pointing at old names, which breaks
 * re-import). Fails, as TF does, on an input naming a node that does not exist.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const obfuscateNames = defineTransform({
  name: 'obfuscate_names',
  aliases: [{ name: 'obsfucate_names', deprecated: "TensorFlow's old misspelling; use obfuscate_names" }],
  summary: 'Replaces node names with short ids (graph inputs and outputs keep theirs).',
  params: {},
  counters: {
    renamed: 'Nodes renamed.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/obfuscate-names')),
});
