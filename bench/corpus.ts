/** The PDUs benchmarks and the fuzzer start from: every valid golden fixture, by protocol and direction. */
import { concatBytes } from '../shared/codec/bytes';
import { StreamDeframer } from '../shared/codec/framing';
import type { Direction, Protocol } from '../shared/codec/protocol';
import { fixtureProtocols, loadFixtures, type Fixture } from '../test/support/fixtures';

export function corpus(protocol: string): Fixture[] {
  return fixtureProtocols().includes(protocol) ? loadFixtures(protocol).filter((f) => f.roundTrip && !f.variant && !f.context && !f.charset) : [];
}

/**
 * Fixtures that frame as themselves in the middle of a stream and again after the others: a realistic
 * stream, without PDUs that only occur at a stream's start (push's magic) or end one (a TLS upgrade).
 */
export function streamable(protocol: Protocol, direction: Direction): Uint8Array[] {
  const accepted: Uint8Array[] = [];
  for (const f of corpus(protocol.id).filter((x) => x.direction === direction)) {
    const trial = [...accepted, f.bytes, ...accepted, f.bytes];
    const out = new StreamDeframer(protocol.framer(direction)).push(concatBytes(trial));
    if (out.length === trial.length && out.every((p, i) => !p.skipped && p.bytes.length === trial[i].length)) accepted.push(f.bytes);
  }
  return accepted;
}
