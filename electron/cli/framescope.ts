/**
 * The `framescope` command: the same engine as the desktop app, headless. Every sub-command prints its result on
 * stdout; user errors are one line on stderr and a non-zero exit, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_BUSY_POLL_MICROS } from '../engine/util/busy-poll';
import { CliError, UsageError } from './cli-error';
import { flushOutput, output } from './output';

// Each sub-command is imported when it runs, not at start: `read` then loads no proxy, web server, demo or capture
// code (the bundle is split per command by scripts/build-cli.mjs), which is most of the start-up time.

const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('framescope')
    .description('Inspect, proxy and craft custom binary TCP protocols: flyer, hodor, tt, txlcn, push and HTTP/1.1.')
    .version(VERSION)
    .exitOverride()
    // Usage errors are one line, like every other error: the hint goes on the same line.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`${s.trimEnd()} (run framescope --help for usage)\n`),
    });

  program.command('decode')
    .description("decode one direction of one connection's byte stream (any number of PDUs, maybe a partial one at the end)")
    .requiredOption('-p, --protocol <id>', 'protocol id, or auto to detect it from the first bytes')
    .option('--hex <hex>', 'the bytes as hex (spaces, colons allowed)')
    .option('--file <path>', 'the bytes from a binary file (- for stdin)')
    .option('--direction <dir>', 'c2s (client to server) or s2c; guessed from the bytes when absent')
    .option('--variant <id>', 'decode as a variant (hodor: C, A, B, doc; txlcn: json)')
    .option('--charset <name>', 'string charset: utf-8 (default) or gbk')
    .option('--max-pdu <bytes>', 'largest PDU accepted; larger headers are treated as garbage')
    .option('--json', 'print {"frames":[…],"remainder":n} instead of a tree')
    .action(async (flags) => output((await import('./decode-command')).runDecode(flags)));

  program.command('encode')
    .description('encode a frame object (as decode --json prints it) and print the PDU as lowercase hex')
    .option('-p, --protocol <id>', "protocol id (default: the frame's own protocol)")
    .requiredOption('--json <file>', 'the frame object, or a whole decode --json output; - for stdin')
    .option('--variant <id>', 'encode a variant (hodor: C, A, B, doc; txlcn: json)')
    .option('--charset <name>', 'string charset: utf-8 (default) or gbk')
    .action(async (flags) => output((await import('./encode-command')).runEncode(flags)));

  program.command('proxy')
    .description('MITM proxy: forward a listen port to an upstream, printing one line per decoded frame')
    .requiredOption('-l, --listen <[host:]port>', 'where clients connect (host defaults to 127.0.0.1)')
    .requiredOption('-u, --upstream <host:port>', 'the real server')
    .option('-p, --protocol <id>', 'protocol id, or auto (detect per connection)', 'auto')
    .option('-w, --write <file.pcapng>', 'save the session as pcapng (synthesized TCP packets)')
    .option('-Y, --display-filter <filter>', 'print only frames matching a display filter')
    .option('-q, --quiet', 'print no frame lines')
    .option('--busy-poll <µs>', 'keep polling this long after relaying instead of sleeping (lower latency; 0: off)', String(DEFAULT_BUSY_POLL_MICROS))
    .action(async (flags) => {
      const { runProxy } = await import('./proxy-command');
      const proxy = await runProxy(flags, output, (line) => process.stderr.write(`${line}\n`));
      await untilInterrupted();
      await proxy.stop();
    });

  program.command('send')
    .description('connect to a server, send a message (or a sequence file) and print the conversation decoded, like proxy')
    .requiredOption('--to <host:port>', 'the server')
    .option('-p, --protocol <id>', "protocol id (default: the document's or the sequence's own)")
    .option('--json <file>', 'a message document (a decode --json frame), a decode --json output, or a sequence file; - for stdin')
    .option('--hex <hex>', 'raw bytes to send instead')
    .option('--variant <id>', 'encode and decode a variant (hodor: C, A, B, doc; txlcn: json)')
    .option('--timeout <ms>', 'how long each request waits for its reply', '5000')
    .option('--linger <ms>', 'how long to keep printing pushes after the last reply', '200')
    .option('-q, --quiet', 'print no frame lines (errors only)')
    .action(async (flags) => (await import('./send-command')).runSend(flags, output, (line) => process.stderr.write(`${line}\n`)));

  program.command('mock')
    .description('a mock server: answer requests that match rules (display filter → reply template); Ctrl-C stops it')
    .requiredOption('-l, --listen <[host:]port>', 'where clients connect (host defaults to 127.0.0.1)')
    .option('-p, --protocol <id>', "protocol id (default: the rules file's)")
    .requiredOption('-r, --rules <file>', 'the rules file (see electron/engine/craft/README.md)')
    .option('--variant <id>', 'decode and encode a variant')
    .option('-q, --quiet', 'print no frame lines')
    .action(async (flags) => {
      const { runMock } = await import('./mock-command');
      const mock = await runMock(flags, output, (line) => process.stderr.write(`${line}\n`));
      await untilInterrupted();
      await mock.stop();
    });

  program.command('capture')
    .description('capture live traffic through libpcap, decode it and print one line per frame, like tshark -i')
    .requiredOption('-i, --interface <name>', 'interface to capture on (see framescope interfaces; any = all on Linux)')
    .option('-f, --filter <bpf>', 'capture filter (BPF, as tcpdump takes it), e.g. "tcp port 20180"')
    .option('-w, --write <file.pcapng>', 'save the captured packets as pcapng')
    .option('-Y, --display-filter <filter>', 'print only frames matching a display filter')
    .option('-d, --decode-as <rule>', 'tcp.port==N,protocol (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('-B, --buffer-size <MiB>', 'kernel capture buffer in MiB (default 16)')
    .option('-q, --quiet', 'print no frame lines')
    .action(async (flags) => {
      const { runCapture } = await import('./capture-command');
      const capture = await runCapture(flags, output, (line) => process.stderr.write(`${line}\n`));
      await untilInterrupted();
      process.stderr.write(`${await capture.stop()}\n`);
    });

  program.command('interfaces')
    .description('list the interfaces live capture can use')
    .action(async () => output((await import('./capture-command')).runInterfaces()));

  program.command('read')
    .description('read a pcap/pcapng file: reassemble, decode and print (or count) the frames, like tshark -r')
    .requiredOption('-r, --read <file>', 'the capture file')
    .option('-Y, --display-filter <filter>', 'only frames matching a display filter')
    .option('-d, --decode-as <rule>', 'tcp.port==N,protocol (repeatable): decode a port as a protocol', (v: string, all: string[] = []) => [...all, v])
    .option('--count', 'print only the number of matching frames')
    .option('--json', 'print matching frames as JSON')
    .action(async (flags) => {
      // A large file starts to be read on a worker thread while this one loads the protocols.
      const opened = (await import('../engine/capture/file-ingest')).openCaptureFile(flags.read);
      await (await import('./read-command')).runRead(flags, output, opened);
    });

  program.command('serve')
    .description('serve the web UI and the engine API to a browser')
    .option('--host <address>', 'address to listen on (non-loopback needs care: see the warning)', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8712')
    .action(async (flags) => {
      const { runServe } = await import('./serve-command');
      const server = await runServe(flags, (line) => process.stderr.write(`${line}\n`));
      output(`Framescope is running at ${server.url}`);
      await untilInterrupted();
      await server.stop();
    });

  program.command('protocols')
    .description('list protocols, their messages and their fields with types')
    .option('--json', 'machine-readable output')
    .action(async (flags) => output((await import('./protocols-command')).runProtocols(flags)));

  program.command('demo')
    .description('demo servers and clients that speak the protocols (live traffic to try the proxy and the capture); Ctrl-C stops them')
    .argument('<mode>', 'server, client, or all (servers plus looping clients)')
    .requiredOption('-p, --protocol <id>', 'protocol id, a comma-separated list, or all')
    .option('--host <host>', 'address to listen on (server, all) or connect to (client)', '127.0.0.1')
    .option('--port <n>', "server port (default: the protocol's own, tt 8300; an ephemeral one when busy); 0 = ephemeral")
    .option('--connect <host:port>', 'client: the server (or proxy) to talk to')
    .option('--rounds <n>', 'client sessions to run (client default 1; all default 0 = until Ctrl-C)')
    .option('--interval <ms>', 'pause between two client sessions', '1000')
    .action(async (mode: string, flags) => (await import('./demo-command')).runDemoCommand(mode, flags, output, (line) => process.stderr.write(`framescope: ${line}\n`)));

  return program;
}

/** Resolves on Ctrl-C or SIGTERM, so long-running commands can close files cleanly. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    flushOutput();
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      process.stderr.write(`framescope: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    process.stderr.write(`framescope: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return 70;
  }
}

// `framescope read … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); else throw e; });

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
