/** The field tree every decoder produces: what the tree pane shows and the hex pane highlights. */

export type Severity = 'error' | 'warn' | 'info';

export interface Note {
  severity: Severity;
  message: string;
}

/** A JSON-compatible field value, typed per PROTOCOLS.md §0.2 N8 (64-bit integers and bytes are strings). */
export type FieldValue = string | number | boolean | null;

export interface FieldNode {
  /** Display-filter name (`tt.length`); absent on grouping nodes such as repeated items (`friend[0]`). */
  abbrev?: string;
  label: string;
  /** Byte range inside the PDU. Generated fields cover the bytes they were derived from, or length 0. */
  start: number;
  length: number;
  value?: FieldValue;
  /** Human rendering when it differs from the value (`1002 (ShakeHand)`). */
  display?: string;
  generated?: boolean;
  notes?: Note[];
  children?: FieldNode[];
}

export function addNote(node: FieldNode, severity: Severity, message: string): void {
  (node.notes ??= []).push({ severity, message });
}

/**
 * Flattens a tree into `abbrev → value` (CLI `--json`, filters): a name seen once maps to its value, a name seen
 * more than once to an array in wire order (N5).
 */
export function flattenFields(tree: readonly FieldNode[]): Record<string, FieldValue | FieldValue[]> {
  const out: Record<string, FieldValue | FieldValue[]> = {};
  const repeated = new Set<string>();
  const visit = (nodes: readonly FieldNode[]): void => {
    for (const node of nodes) {
      if (node.abbrev !== undefined && node.value !== undefined) {
        const name = node.abbrev;
        if (!(name in out)) out[name] = node.value;
        else if (repeated.has(name)) (out[name] as FieldValue[]).push(node.value);
        else { out[name] = [out[name] as FieldValue, node.value]; repeated.add(name); }
      }
      if (node.children) visit(node.children);
    }
  };
  visit(tree);
  return out;
}

/** Every node, depth first, with its depth: for text rendering and searches. */
export function* walkTree(tree: readonly FieldNode[], depth = 0): Generator<[FieldNode, number]> {
  for (const node of tree) {
    yield [node, depth];
    if (node.children) yield* walkTree(node.children, depth + 1);
  }
}

/** The deepest node whose range covers `offset`: what a click on a hex byte selects. */
export function nodeAtOffset(tree: readonly FieldNode[], offset: number): FieldNode[] {
  const path: FieldNode[] = [];
  let level: readonly FieldNode[] | undefined = tree;
  while (level) {
    let hit: FieldNode | undefined;
    for (const node of level) {
      if (node.length > 0 && offset >= node.start && offset < node.start + node.length) { hit = node; break; }
    }
    if (!hit) break;
    path.push(hit);
    level = hit.children;
  }
  return path;
}
