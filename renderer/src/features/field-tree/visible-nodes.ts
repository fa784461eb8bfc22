/** The tree flattened to the rows on screen: a node, then its notes and children when it is expanded. */
import type { FieldNode, Note } from '../../../../shared/codec/tree';

export type TreeLine =
  | { kind: 'node'; key: string; node: FieldNode; depth: number; expandable: boolean; open: boolean }
  | { kind: 'note'; key: string; note: Note; depth: number; owner: string };

export function visibleLines(tree: readonly FieldNode[], expanded: ReadonlySet<string>): TreeLine[] {
  const out: TreeLine[] = [];
  const visit = (nodes: readonly FieldNode[], prefix: string, depth: number): void => {
    nodes.forEach((node, i) => {
      const key = prefix ? `${prefix}.${i}` : String(i);
      const expandable = (node.children?.length ?? 0) > 0 || (node.notes?.length ?? 0) > 0;
      const open = expandable && expanded.has(key);
      out.push({ kind: 'node', key, node, depth, expandable, open });
      if (!open) return;
      node.notes?.forEach((note, n) => out.push({ kind: 'note', key: `${key}!${n}`, note, depth: depth + 1, owner: key }));
      if (node.children) visit(node.children, key, depth + 1);
    });
  };
  visit(tree, '', 0);
  return out;
}

/** `Label: display`, generated fields in brackets as Wireshark shows them. */
export function nodeText(node: FieldNode, display: string): string {
  const text = display ? `${node.label}: ${display}` : node.label;
  return node.generated ? `[${text}]` : text;
}
