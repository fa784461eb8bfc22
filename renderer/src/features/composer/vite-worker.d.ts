/** Vite's `?worker` imports (renderer/vite.config.ts bundles each as its own file; the CSP allows workers from 'self'). */
declare module '*?worker' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}
