import { isMap, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml';
import { ExpectedSpec } from '../../../common/schema/index.ts';
import type { SpecCheckView } from '../../../common/schema/index.ts';

export type SpecCheck = SpecCheckView & { spec: ExpectedSpec | null };

/**
 * Parses and validates an expected-spec YAML document. Every problem comes back
 * with its path and, where the YAML has one, its line, so the editor can show
 * it in place. Never throws on bad input.
 */
export function checkSpecYaml(text: string): SpecCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      spec: null,
      issues: doc.errors.map((e) => ({ path: '(yaml)', message: e.message.split('\n')[0] ?? e.message, line: lineCounter.linePos(e.pos[0]).line })),
    };
  }
  const parsed = ExpectedSpec.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { ok: true, spec: parsed.data, issues: [] };
  return {
    ok: false,
    spec: null,
    issues: parsed.error.issues.map((i) => {
      const node = nodeAt(doc.contents as Node | null, i.path as (string | number)[]);
      const offset = node?.range?.[0];
      return { path: i.path.map(String).join('.') || '(root)', message: i.message, line: offset === undefined ? null : lineCounter.linePos(offset).line };
    }),
  };
}

function nodeAt(root: Node | null, path: (string | number)[]): Node | null {
  let node: Node | null = root;
  let last: Node | null = root;
  for (const key of path) {
    if (isMap(node)) node = (node.get(key, true) as Node | undefined) ?? null;
    else if (isSeq(node) && typeof key === 'number') node = (node.get(key, true) as Node | undefined) ?? null;
    else node = null;
    if (!node) return last;
    last = node;
  }
  return node;
}

export function specToYaml(spec: ExpectedSpec, header?: string): string {
  const body = stringify(spec, { lineWidth: 0 });
  return header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}` : body;
}
