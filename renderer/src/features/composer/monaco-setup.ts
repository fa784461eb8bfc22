/**
 * Monaco, bundled by Vite (never from a CDN) and loaded only when the composer first opens (dynamic import from
 * json-editor.tsx), so the main bundle stays small. The editor with its contributions and the JSON language only; the
 * editor and JSON workers are Vite `?worker` bundles.
 */
import './monaco-contribs';
import * as monaco from 'monaco-editor/editor/editor.api';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    return label === 'json' ? new JsonWorker({ name: 'monaco-json' }) : new EditorWorker({ name: 'monaco-editor' });
  },
};

export { monaco, jsonDefaults };
