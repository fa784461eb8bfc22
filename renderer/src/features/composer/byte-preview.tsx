/**
 * The composer's live preview: the field tree of the bytes that would be sent and the bytes themselves, linked both
 * ways like the main tree and hex panes (same line layout helpers and styles; the ranges are the decoder's). Small
 * PDUs only, so no virtualisation.
 */
import { useMemo, type ReactElement } from 'react';
import { nodeDisplay } from '../../../../shared/codec/render';
import { nodeAtOffset, type FieldNode } from '../../../../shared/codec/tree';
import { asciiChar, BYTES_PER_LINE, hexByte, inRange, lineCount, offsetLabel } from '../../lib/hex-layout';
import { nodeByKey } from '../../stores/detail-slice';
import { nodeText, visibleLines } from '../field-tree/visible-nodes';

/** Every key of a tree (all expanded: the preview is small). */
function allKeys(tree: readonly FieldNode[], prefix = '', out = new Set<string>()): Set<string> {
  tree.forEach((n, i) => {
    const key = prefix ? `${prefix}.${i}` : String(i);
    out.add(key);
    if (n.children) allKeys(n.children, key, out);
  });
  return out;
}

/** The key of the deepest node covering a byte. */
export function keyAtOffset(tree: readonly FieldNode[], offset: number): string | undefined {
  const path = nodeAtOffset(tree, offset);
  if (path.length === 0) return undefined;
  const indices: number[] = [];
  let level: readonly FieldNode[] = tree;
  for (const node of path) {
    indices.push(level.indexOf(node));
    level = node.children ?? [];
  }
  return indices.join('.');
}

/** The first node (depth first) whose field name ends with `.member` (the member on the editor's cursor line). */
export function keyOfMember(tree: readonly FieldNode[], member: string): string | undefined {
  const visit = (nodes: readonly FieldNode[], prefix: string): string | undefined => {
    for (let i = 0; i < nodes.length; i++) {
      const key = prefix ? `${prefix}.${i}` : String(i);
      const n = nodes[i];
      if (n.abbrev && (n.abbrev.endsWith(`.${member}`) || n.abbrev === member)) return key;
      const inner = n.children ? visit(n.children, key) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return visit(tree, '');
}

export function PreviewTree({ tree, selected, onSelect }: { tree: readonly FieldNode[]; selected?: string; onSelect(key: string): void }): ReactElement {
  const lines = useMemo(() => visibleLines(tree, allKeys(tree)), [tree]);
  return (
    <div className="preview-tree" role="tree" aria-label="Preview fields" data-testid="composer-tree">
      {lines.map((line) => line.kind === 'note' ? (
        <div key={line.key} className={`preview-line note ${line.note.severity}`} style={{ paddingLeft: 6 + line.depth * 14 }}>{line.note.message}</div>
      ) : (
        <div
          key={line.key} role="treeitem" aria-selected={line.key === selected}
          className={`preview-line${line.key === selected ? ' selected' : ''}${line.node.generated ? ' generated' : ''}`}
          style={{ paddingLeft: 6 + line.depth * 14 }} data-key={line.key} data-abbrev={line.node.abbrev}
          title={line.node.abbrev ? `${line.node.abbrev} — bytes ${line.node.start}…${line.node.start + line.node.length - 1}` : undefined}
          onMouseDown={() => onSelect(line.key)}
        >{nodeText(line.node, nodeDisplay(line.node))}</div>
      ))}
    </div>
  );
}

export function PreviewHex({ bytes, tree, selected, onSelect }: {
  bytes: Uint8Array; tree?: readonly FieldNode[]; selected?: string; onSelect(key: string): void;
}): ReactElement {
  const node = tree ? nodeByKey(tree, selected) : undefined;
  const range = node && node.length > 0 ? { start: node.start, length: node.length } : undefined;
  const pick = (o: number): void => {
    const key = tree ? keyAtOffset(tree, o) : undefined;
    if (key) onSelect(key);
  };
  const lines: ReactElement[] = [];
  for (let line = 0; line < lineCount(bytes.length); line++) {
    const base = line * BYTES_PER_LINE;
    const end = Math.min(bytes.length, base + BYTES_PER_LINE);
    const hex: ReactElement[] = [];
    const ascii: ReactElement[] = [];
    for (let o = base; o < end; o++) {
      const hl = inRange(o, range) ? ' hl' : '';
      hex.push(<span key={o} className={`byte${hl}${o - base === 8 ? ' gap' : ''}`} data-offset={o} onMouseDown={() => pick(o)}>{hexByte(bytes[o])}</span>);
      ascii.push(<span key={o} className={`ch${hl}`} data-offset={o} onMouseDown={() => pick(o)}>{asciiChar(bytes[o])}</span>);
    }
    lines.push(
      <div key={line} className="preview-hex-line">
        <span className="offset">{offsetLabel(base, bytes.length)}</span>
        <span className="hex">{hex}</span>
        <span className="ascii">{ascii}</span>
      </div>,
    );
  }
  return <div className="preview-hex" data-testid="composer-hex">{lines}</div>;
}
