/** Text renderings of decoded frames: the tree as `tshark -V` prints it, and node value display. */
import type { DecodedFrame } from './protocol';
import type { FieldNode } from './tree';

export function nodeDisplay(node: FieldNode): string {
  if (node.display !== undefined) return node.display;
  if (node.value === undefined) return '';
  return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
}

/** One line per node, indented four spaces a level: `label (abbrev): display  [start+length]`. */
export function renderTree(tree: readonly FieldNode[], opts: { ranges?: boolean } = {}): string {
  const lines: string[] = [];
  const visit = (nodes: readonly FieldNode[], depth: number): void => {
    for (const n of nodes) {
      const display = nodeDisplay(n);
      const name = n.abbrev && n.abbrev !== n.label ? `${n.label} (${n.abbrev})` : n.label;
      const gen = n.generated ? ' [generated]' : '';
      const range = opts.ranges === false ? '' : `  [${n.start}+${n.length}]`;
      lines.push(`${'    '.repeat(depth)}${name}${display ? `: ${display}` : ''}${gen}${range}`);
      for (const note of n.notes ?? []) lines.push(`${'    '.repeat(depth + 1)}[${note.severity}] ${note.message}`);
      if (n.children) visit(n.children, depth + 1);
    }
  };
  visit(tree, 0);
  return lines.join('\n');
}

export function renderFrame(frame: DecodedFrame, index: number, offset: number): string {
  const head = `Frame ${index + 1}: ${frame.protocol} ${frame.direction} ${frame.message}, ${frame.length} bytes at offset ${offset}${frame.malformed ? ' [MALFORMED]' : ''}`;
  const notes = frame.notes.map((n) => `    [${n.severity}] ${n.message}`);
  return [head, `    Summary: ${frame.summary}`, ...notes, renderTree(frame.tree).replace(/^/gm, '    ')].join('\n');
}
