/** Small stroke icons (inline SVG: no icon font, no network, nothing for the CSP to block). */
import type { ReactElement } from 'react';

const PATHS = {
  play: 'M7 5v14l11-7z',
  stop: 'M7 7h10v10H7z',
  open: 'M3 7h6l2 2h10v10H3z',
  save: 'M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6',
  clear: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  follow: 'M12 4v14M6 12l6 6 6-6M5 21h14',
  demo: 'M12 3l2.2 5.6L20 9l-4.5 3.8L17 19l-5-3.2L7 19l1.5-6.2L4 9l5.8-.4z',
  sun: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4',
  moon: 'M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z',
  expand: 'M7 10l5 5 5-5M7 4l5 5 5-5',
  collapse: 'M7 14l5-5 5 5M7 20l5-5 5 5',
  filter: 'M4 5h16l-6 7v6l-4 2v-8z',
  bookmark: 'M6 4h12v17l-6-4-6 4z',
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  history: 'M12 7v5l3 2M3.5 12a8.5 8.5 0 1 0 2.5-6M3 4v4h4',
  plug: 'M9 3v5M15 3v5M6 8h12v3a6 6 0 0 1-12 0zM12 17v4',
  chevron: 'M9 6l6 6-6 6',
  enter: 'M20 5v7H6M10 8l-4 4 4 4',
  capture: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, title }: { name: IconName; size?: number; title?: string }): ReactElement {
  return (
    <svg
      className="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8}
      strokeLinecap="round" strokeLinejoin="round" aria-hidden={title ? undefined : true} role={title ? 'img' : undefined}
    >
      {title ? <title>{title}</title> : null}
      <path d={PATHS[name]} />
    </svg>
  );
}
