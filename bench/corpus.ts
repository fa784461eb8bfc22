/** The PDUs benchmarks and the fuzzer start from: every valid golden fixture, by protocol and direction. */
import { fixtureProtocols, loadFixtures, type Fixture } from '../test/support/fixtures';

export function corpus(protocol: string): Fixture[] {
  return fixtureProtocols().includes(protocol) ? loadFixtures(protocol).filter((f) => f.roundTrip && !f.variant && !f.context) : [];
}
