/**
 * flyer demo (PROTOCOLS.md §1): a flyer server that shakes hands, answers heartbeats, hands out jobs, cancels one
 * and acknowledges results; and a job-executor client that pulls the topology on its own short connection, then
 * runs the jobs it is given: one succeeds, one throws, one is cancelled, one is not deployed here (refused).
 */
import type { DecodedFrame } from '../../../shared/codec/protocol';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const flyer = getProtocol('flyer')!;

/** The server-side configuration version; a client holding an older one pulls the topology again. */
const SERVER_VERSION = 7;
const APP = { appCode: 'demo-app', vhost: '' };

/** What the server dispatches after each handshake. The client deploys every job but `reportJob`. */
const DISPATCH = [
  { jobBeanId: 'orderSyncJob', paramData: '{"date":"2024-01-01","shard":0}' },
  { jobBeanId: 'invoiceJob', paramData: '{"batch":500}' },
  { jobBeanId: 'archiveJob', paramData: '{"olderThanDays":90}' },
  { jobBeanId: 'reportJob', paramData: '{"format":"pdf"}' },
];
/** The job the server cancels once the client has accepted it. */
const CANCELLED_JOB = 'archiveJob';

const packetId = (f: DecodedFrame): string => String(f.value.packet_id);

function createServer(): { accept(conn: DemoConnection): void } {
  let nextRecord = 1024;
  return {
    accept(conn) {
      conn.onFrame = (f) => {
        const id = packetId(f);
        switch (f.message) {
          case 'PullTopology':
            conn.send('PullTopologyResponse', { packet_id: id, serverVersion: SERVER_VERSION, servers: serverList(conn) });
            break;
          case 'ShakeHand':
            conn.send('ShakeHandResponse', { packet_id: id, resp: 1 });
            // Jobs follow the handshake at once; their packet id is the job record id chosen here.
            for (const job of DISPATCH) conn.send('ExecuteJob', { packet_id: String(nextRecord++), ...job });
            break;
          case 'Heartbeat':
            conn.send('HeartbeatResponse', { packet_id: id, resp: 1, serverVersion: SERVER_VERSION });
            break;
          case 'ExecuteJobResponse':
            if (f.value.jobBeanId === CANCELLED_JOB && f.value.result === 0) conn.send('CancelJob', { packet_id: id, jobBeanId: CANCELLED_JOB });
            break;
          case 'ReportJobResult':
            conn.send('ReportJobResultResponse', { packet_id: id, jobBeanId: f.value.jobBeanId, result: 0 });
            break;
          case 'CommitJob':
            // Not implemented by the real server: answered header-only so the exchange shows both ids (1012/1013).
            conn.send('CommitJobResponse', { packet_id: id });
            break;
          default:
            break; // CancelJobResponse is only logged by the real server; unknown ids are ignored
        }
      };
    },
  };
}

/** The cluster as the server announces it: itself first. */
function serverList(conn: DemoConnection): string {
  const self = `${conn.socket.localAddress?.replace(/^::ffff:/, '')}:${conn.socket.localPort}`;
  return `${self},10.0.0.2:20180`;
}

let sequence = 0;
/** PullTopology's fresh id: seconds since 2018, a process number, a 5-digit sequence (e.g. `2725371800012`). */
function uniquePacketId(): string {
  const seconds = Math.floor((Date.now() - Date.UTC(2018, 0, 1)) / 1000);
  sequence = (sequence + 1) % 100000;
  return `${seconds}${process.pid % 10}${String(sequence).padStart(5, '0')}`;
}

function expectEcho(reply: DecodedFrame, id: string): void {
  if (packetId(reply) !== id) throw new Error(`flyer: ${reply.message} has packet id ${packetId(reply)}, expected ${id}`);
}

async function runSession(ctx: DemoSessionContext): Promise<void> {
  // The topology pull uses its own short-lived connection, as the client library does.
  const topo = await ctx.connect();
  const pullId = uniquePacketId();
  const topology = await topo.request('PullTopology', { packet_id: pullId }, 'PullTopologyResponse');
  expectEcho(topology, pullId);
  await topo.end();

  const conn = await ctx.connect();
  expectEcho(await conn.request('ShakeHand', { packet_id: '0', ...APP, req: 0 }, 'ShakeHandResponse'), '0');
  const beat = await conn.request('Heartbeat', { packet_id: '0', ...APP, req: 0 }, 'HeartbeatResponse');
  if (beat.value.serverVersion !== topology.value.serverVersion) throw new Error('flyer: server version changed between topology and heartbeat');

  // The server wrote its jobs before it could read the heartbeat, so they are all here now.
  const jobs = conn.take('ExecuteJob');
  if (jobs.length === 0) throw new Error('flyer: the server dispatched no job after the handshake');
  for (const job of jobs) await runJob(conn, job);

  const last = packetId(jobs[jobs.length - 1]);
  expectEcho(await conn.request('CommitJob', { packet_id: last }, 'CommitJobResponse'), last);
  await conn.end();
}

/** Accept or refuse one ExecuteJob, run it and report; 1006 … 1011 all carry the job record id. */
async function runJob(conn: DemoConnection, job: DecodedFrame): Promise<void> {
  const id = packetId(job);
  const jobBeanId = String(job.value.jobBeanId);
  const deployed = DISPATCH.some((d) => d.jobBeanId === jobBeanId) && jobBeanId !== 'reportJob';
  if (!deployed) {
    conn.send('ExecuteJobResponse', { packet_id: id, jobBeanId, result: 1 }); // no such job bean: failed to submit
    return;
  }
  const cancel = jobBeanId === CANCELLED_JOB ? conn.next((f) => f.message === 'CancelJob' && packetId(f) === id) : undefined;
  conn.send('ExecuteJobResponse', { packet_id: id, jobBeanId, result: 0 });
  let report: { result: number; logStr: string };
  if (cancel) {
    await cancel;
    conn.send('CancelJobResponse', { packet_id: id, jobBeanId, result: 0 });
    report = { result: 2, logStr: 'job cancelled by the server after 0 of 1200 files' };
  } else if (jobBeanId === 'invoiceJob') {
    report = { result: 1, logStr: 'java.lang.IllegalStateException: invoice 42 has no customer\n\tat demo.InvoiceJob.run(InvoiceJob.java:31)' };
  } else {
    report = { result: 0, logStr: `${jobBeanId} finished in 12 ms, 500 rows` };
  }
  const ack = await conn.request('ReportJobResult', { packet_id: id, jobBeanId, ...report }, (f) => f.message === 'ReportJobResultResponse' && packetId(f) === id);
  if (ack.value.result !== 0) throw new Error(`flyer: ReportJobResultResponse result ${String(ack.value.result)}`);
}

export const flyerDemo: DemoPeer = {
  protocol: flyer.id,
  defaultPort: flyer.ports[0],
  createServer,
  runSession,
};
