/**
 * Monaco on a JSON document validated and completed from a JSON Schema (the codec's, per message): completion,
 * squiggles, hover with each field's meaning and enum labels. Monaco is imported on first use (monaco-setup.ts).
 * One model per `path`, so undo history belongs to a message; the parent owns the text.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { JsonSchema } from '../../../../shared/codec/schema';

type MonacoModule = typeof import('./monaco-setup');
type Editor = import('monaco-editor/editor/editor.api').editor.IStandaloneCodeEditor;

let loading: Promise<MonacoModule> | undefined;
function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monaco-setup');
  return loading;
}

/** Every schema the editors use, by model URI: Monaco's JSON defaults are global, so they are set together. */
const schemas = new Map<string, { uri: string; fileMatch: string[]; schema: JsonSchema }>();

export interface JsonEditorProps {
  /** Model path (`tt/LoginRequest/c2s`): its own model, schema and undo history. */
  path: string;
  value: string;
  schema?: JsonSchema;
  theme: 'dark' | 'light';
  onChange(text: string): void;
  /** The member name on the cursor's line (`"username": …` → `username`), for field ↔ bytes. */
  onCursorKey?(key: string | undefined): void;
}

export function JsonEditor({ path, value, schema, theme, onChange, onCursorKey }: JsonEditorProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | undefined>(undefined);
  const monacoRef = useRef<MonacoModule | undefined>(undefined);
  const handlers = useRef({ onChange, onCursorKey });
  handlers.current = { onChange, onCursorKey };
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let disposed = false;
    loadMonaco().then((m) => {
      if (disposed || !host.current) return;
      monacoRef.current = m;
      const ed = m.monaco.editor.create(host.current, {
        language: 'json', automaticLayout: true, minimap: { enabled: false }, fontSize: 12, tabSize: 2,
        scrollBeyondLastLine: false, lineNumbersMinChars: 3, fixedOverflowWidgets: true, wordWrap: 'on',
        theme: theme === 'dark' ? 'vs-dark' : 'vs', renderLineHighlight: 'line', quickSuggestions: { strings: true, other: true, comments: false },
      });
      ed.onDidChangeModelContent(() => {
        const text = ed.getValue();
        handlers.current.onChange(text);
      });
      ed.onDidChangeCursorPosition((e) => {
        const line = ed.getModel()?.getLineContent(e.position.lineNumber) ?? '';
        handlers.current.onCursorKey?.(/^\s*"([^"]+)"\s*:/.exec(line)?.[1]);
      });
      editor.current = ed;
      setReady(true);
    }, (e: Error) => setError(e.message));
    return () => {
      disposed = true;
      editor.current?.dispose();
      editor.current = undefined;
    };
    // The editor is created once; model, theme and schema follow in the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Model per path; the text is owned by the parent and only set when it differs (a template picked, a frame to edit).
  useEffect(() => {
    const m = monacoRef.current;
    const ed = editor.current;
    if (!ready || !m || !ed) return;
    const uri = m.monaco.Uri.parse(`inmemory://framescope/${path}.json`);
    let model = m.monaco.editor.getModel(uri);
    if (!model) model = m.monaco.editor.createModel(value, 'json', uri);
    else if (model.getValue() !== value) model.setValue(value);
    if (ed.getModel() !== model) ed.setModel(model);
  }, [ready, path, value]);

  // The message's schema, for its model.
  useEffect(() => {
    const m = monacoRef.current;
    if (!ready || !m || !schema) return;
    const uri = m.monaco.Uri.parse(`inmemory://framescope/${path}.json`).toString();
    schemas.set(uri, { uri: `framescope://schema/${path}`, fileMatch: [uri], schema });
    m.jsonDefaults.setDiagnosticsOptions({ validate: true, allowComments: false, enableSchemaRequest: false, schemas: [...schemas.values()] });
  }, [ready, path, schema]);

  useEffect(() => {
    const m = monacoRef.current;
    if (ready && m) m.monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs');
  }, [ready, theme]);

  return (
    <div className="json-editor" data-testid="composer-editor" data-ready={ready ? 'true' : 'false'}>
      <div ref={host} className="json-editor-host" />
      {!ready ? <div className="json-editor-loading">{error ? `Editor failed to load: ${error}` : 'Loading editor…'}</div> : null}
    </div>
  );
}
