// Types of electron-binary.mjs for the TypeScript tests.
export function platformExecutable(platform?: string): string;
export function findElectronBinary(opts?: {
  env?: Record<string, string | undefined>;
  root?: string;
  platform?: string;
}): { path: string; reason?: undefined } | { path?: undefined; reason: string };
