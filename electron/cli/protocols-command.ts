/** `framescope protocols`: protocols, their messages and their fields with types. */
import { PROTOCOLS } from '../../shared/protocols/index';

export function runProtocols(flags: { json?: boolean }): string {
  if (flags.json) {
    return JSON.stringify({
      protocols: PROTOCOLS.map((p) => ({
        id: p.id, name: p.name, description: p.description, ports: p.ports, suggestedPorts: p.suggestedPorts ?? [],
        variants: p.variants ?? [],
        messages: p.messages.map((m) => ({ name: m.name, direction: m.direction, replies: m.replies ?? [], description: m.description })),
        fields: p.catalog,
      })),
    });
  }
  const out: string[] = [];
  for (const p of PROTOCOLS) {
    const ports = p.ports.length ? `ports ${p.ports.join(', ')}` : `no default port${p.suggestedPorts?.length ? ` (suggested ${p.suggestedPorts.join(', ')})` : ''}`;
    out.push(`${p.id} — ${p.name} (${ports})`);
    if (p.variants?.length) out.push(`  variants: ${p.variants.map((v) => `${v.id} (${v.label})`).join(', ')}`);
    out.push('  messages:');
    for (const m of p.messages) out.push(`    ${m.name.padEnd(30)} ${m.direction.padEnd(5)}${m.replies?.length ? ` → ${m.replies.join(', ')}` : ''}`);
    out.push('  fields:');
    for (const f of p.catalog) out.push(`    ${(f.abbrev + (f.dynamic ? '.*' : '')).padEnd(40)} ${f.type.padEnd(8)}${f.generated ? ' (generated)' : ''} ${f.label}`);
    out.push('');
  }
  return out.join('\n');
}
