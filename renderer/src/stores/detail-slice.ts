/**
 * The selected frame's detail: decoded in the worker, its tree's expansion and selected node, and the link between
 * tree and hex (a node highlights its bytes; a byte selects the deepest node covering it). Nodes are keyed by their
 * index path (`0.3.1`); the expansion is kept across frames, so stepping through similar frames keeps the view.
 */
import { nodeAtOffset, type FieldNode } from '../../../shared/codec/tree';
import type { DecodedFrameView } from '../workers/decode-client';
import type { SliceCreator } from './store';

export interface DetailSlice {
  detailState: 'none' | 'loading' | 'ready' | 'error';
  detailError?: string;
  decoded?: DecodedFrameView;
  /** Key of the selected node. */
  selectedNode?: string;
  expanded: ReadonlySet<string>;
  loadDetail(number: number): Promise<void>;
  clearDetail(): void;
  selectNode(key: string | undefined): void;
  selectNodeAtOffset(offset: number): void;
  toggleNode(key: string, open?: boolean): void;
  expandAll(): void;
  collapseAll(): void;
}

export function nodeKey(path: readonly number[]): string {
  return path.join('.');
}

/** The node a key names in a tree. */
export function nodeByKey(tree: readonly FieldNode[], key: string | undefined): FieldNode | undefined {
  if (key === undefined || key === '') return undefined;
  let level: readonly FieldNode[] | undefined = tree;
  let node: FieldNode | undefined;
  for (const part of key.split('.')) {
    node = level?.[Number(part)];
    if (!node) return undefined;
    level = node.children;
  }
  return node;
}

/** Keys of a key's ancestors (`0.3.1` → `0`, `0.3`). */
export function ancestorKeys(key: string): string[] {
  const parts = key.split('.');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

function allKeys(tree: readonly FieldNode[], prefix: number[] = [], out: string[] = []): string[] {
  tree.forEach((node, i) => {
    if (node.children?.length) {
      out.push(nodeKey([...prefix, i]));
      allKeys(node.children, [...prefix, i], out);
    }
  });
  return out;
}

export const createDetailSlice: SliceCreator<DetailSlice> = (set, get, { decoder }) => ({
  detailState: 'none',
  expanded: new Set(['0']),

  async loadDetail(number) {
    const generation = get().generation;
    if (get().decoded?.detail.row.number !== number) set({ detailState: 'loading' });
    try {
      const decoded = await decoder.frame(generation, number);
      if (get().selected !== number || get().generation !== generation) return;
      const keep = get().selectedNode;
      set({ decoded, detailState: 'ready', detailError: undefined, selectedNode: nodeByKey(decoded.view.tree, keep) ? keep : undefined });
    } catch (e) {
      if (get().selected !== number) return;
      set({ detailState: 'error', detailError: (e as Error).message, decoded: undefined });
    }
  },

  clearDetail() {
    set({ detailState: 'none', decoded: undefined, selectedNode: undefined, detailError: undefined });
  },

  selectNode(selectedNode) {
    if (selectedNode === undefined) { set({ selectedNode }); return; }
    const expanded = new Set(get().expanded);
    for (const k of ancestorKeys(selectedNode)) expanded.add(k);
    set({ selectedNode, expanded });
  },

  selectNodeAtOffset(offset) {
    const tree = get().decoded?.view.tree;
    if (!tree) return;
    const path = nodeAtOffset(tree, offset);
    if (path.length === 0) return;
    // nodeAtOffset answers nodes; turn them back into their index path.
    const indices: number[] = [];
    let level: readonly FieldNode[] = tree;
    for (const node of path) {
      const i = level.indexOf(node);
      indices.push(i);
      level = node.children ?? [];
    }
    get().selectNode(nodeKey(indices));
  },

  toggleNode(key, open) {
    const expanded = new Set(get().expanded);
    const next = open ?? !expanded.has(key);
    if (next) expanded.add(key); else expanded.delete(key);
    set({ expanded });
  },

  expandAll() {
    const tree = get().decoded?.view.tree;
    if (tree) set({ expanded: new Set([...get().expanded, ...allKeys(tree)]) });
  },

  collapseAll() {
    set({ expanded: new Set() });
  },
});
