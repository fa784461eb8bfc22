/** What each protocol's demo file provides: a server that behaves like the real one and a scripted client. */
import type { DemoConnection } from './demo-connection';

/** Server logic: one instance per listening server, so state (subscriptions, job records) spans connections. */
export interface DemoServerLogic {
  accept(conn: DemoConnection): void;
  /** Stops timers that belong to the server rather than to one connection. */
  close?(): void;
}

/** What a scripted client session gets from the runner. */
export interface DemoSessionContext {
  /** 1, 2, 3 … : sessions vary ids with it so consecutive rounds are told apart in a capture. */
  round: number;
  /** Opens a connection to the server under test (through the proxy when one is inserted). */
  connect(): Promise<DemoConnection>;
  signal: AbortSignal;
}

export interface DemoPeer {
  protocol: string;
  /** Port the server listens on by default (protocol.ports[0]; tt has none and uses its msg_server sample port). */
  defaultPort: number;
  createServer(): DemoServerLogic;
  /**
   * One round: connects as often as the real client does, exchanges every message type (errors included) and
   * closes everything it opened. Throws when the server answers wrongly or not at all.
   */
  runSession(ctx: DemoSessionContext): Promise<void>;
}
