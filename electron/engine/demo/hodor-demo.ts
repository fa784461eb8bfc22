/**
 * hodor demo (PROTOCOLS.md §2): an executor ("actuator") that answers every request type the way the current one
 * does — heartbeats with the failure wrapper (code 1, its handler returns no data), job executions with RUNNING and
 * then the final status — and a scheduler that uses one connection with JSON bodies (the pre-2023 executors) and
 * one with protostuff bodies (v1.0.1). The executor answers in the format of each request.
 */
import type { DecodedFrame } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';
import { JAVA_CLASS } from '../../../shared/protocols/hodor/classes';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const hodor = getProtocol('hodor')!;

type Format = 'json' | 'protostuff';
type Body = Record<string, unknown>;

const HEARTBEAT_NPE = 'java.lang.NullPointerException\n\tat org.dromara.hodor.actuator.api.action.AbstractAction.execute(AbstractAction.java:58)\n';
/** How long the demo's "quick" job runs before its final answer. */
const QUICK_JOB_MS = 30;
/** Job records the executor keeps for status and log queries. */
const MAX_JOBS = 100;

interface JobRecord {
  requestId: number;
  instanceId: number;
  groupName: string;
  jobName: string;
  status: string;
  startTime: string;
  completeTime?: string;
  log: string;
  /** The JobExec request, answered again when the job ends. */
  request: DecodedFrame;
  conn: DemoConnection;
}

/** Java's `yyyy-MM-dd HH:mm:ss` in local time. */
function javaTime(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function formatOf(f: DecodedFrame): Format {
  return f.value.body_format === 'protostuff' ? 'protostuff' : 'json';
}

/** The body as an object, whether the codec gave the JSON view or kept the JSON text. */
function bodyOf(f: DecodedFrame): Body {
  const b = f.value.body;
  if (typeof b === 'object' && b !== null) return b as Body;
  if (typeof b === 'string' && b.startsWith('{')) {
    try { return JSON.parse(b) as Body; } catch { /* fall through */ }
  }
  return {};
}

/** A response copies the request's id, version and attachment; the body is a `{code, msg, data}` wrapper. */
function reply(conn: DemoConnection, req: DecodedFrame, dataClass: string, code: number, msg: string, data?: Body): void {
  const format = formatOf(req);
  const body: Body = { code, msg };
  // protostuff writes a dynamic object with its Java class name (field 127); Gson writes the members only.
  if (data) body.data = format === 'protostuff' ? { '@class': dataClass, ...data } : data;
  const doc: Doc = { id: req.value.id, version: req.value.version, body };
  if (req.value.attachment !== undefined) doc.attachment = req.value.attachment;
  if (format === 'protostuff') doc.body_format = 'protostuff';
  conn.send(req.message.replace(/Request$/, 'Response'), doc);
}

function createServer(): { accept(conn: DemoConnection): void; close(): void } {
  const jobs = new Map<number, JobRecord>();
  const finish = (job: JobRecord, status: string, comments: string): void => {
    job.status = status;
    job.completeTime = javaTime();
    job.log += `${job.completeTime} INFO  ${job.jobName} ${status.toLowerCase()}\n`;
    if (job.conn.isClosed) return;
    reply(job.conn, job.request, JAVA_CLASS.JobExecuteResponse, 0, 'success', {
      requestId: job.requestId, instanceId: job.instanceId, jobKey: { groupName: job.groupName, jobName: job.jobName },
      status, startTime: job.startTime, completeTime: job.completeTime, processTime: QUICK_JOB_MS, shardingCount: 1, shardingId: 0,
      comments, result: Buffer.from(status === 'SUCCEEDED' ? 'rows=500' : 'interrupted').toString('base64'),
    });
  };
  return {
    accept(conn) {
      conn.onFrame = (f) => {
        const body = bodyOf(f);
        const requestId = Number(body.requestId);
        switch (f.message) {
          case 'HeartbeatRequest':
            // The real heartbeat handler returns no data and the executor wraps the resulting NPE: code 1.
            reply(conn, f, JAVA_CLASS.HeartbeatResponse, 1, HEARTBEAT_NPE);
            break;
          case 'JobExecRequest': {
            const job: JobRecord = {
              requestId, instanceId: Number(body.instanceId), groupName: String(body.groupName), jobName: String(body.jobName),
              status: 'RUNNING', startTime: javaTime(), log: '', request: f, conn,
            };
            job.log = `${job.startTime} INFO  start ${job.groupName}#${job.jobName} instance ${job.instanceId}\n`;
            jobs.set(requestId, job);
            // A looping demo must not remember every job it ever ran: the oldest records go first.
            for (const old of jobs.keys()) { if (jobs.size <= MAX_JOBS) break; jobs.delete(old); }
            reply(conn, f, JAVA_CLASS.JobExecuteResponse, 0, 'success', {
              requestId, instanceId: job.instanceId, jobKey: { groupName: job.groupName, jobName: job.jobName },
              status: 'RUNNING', startTime: job.startTime, shardingCount: 1, shardingId: 0,
            });
            // A short timeout marks the demo's quick job; long jobs run until killed.
            if (Number(body.timeout) <= 180) conn.later(QUICK_JOB_MS, () => finish(job, 'SUCCEEDED', 'done'));
            break;
          }
          case 'FetchJobStatusRequest': {
            const job = jobs.get(requestId);
            if (!job) { reply(conn, f, JAVA_CLASS.JobExecuteStatusResponse, 1, `job request ${requestId} not found`); break; }
            reply(conn, f, JAVA_CLASS.JobExecuteStatusResponse, 0, 'success', {
              requestId, status: job.status, startTime: job.startTime, ...(job.completeTime ? { completeTime: job.completeTime } : {}),
            });
            break;
          }
          case 'FetchJobLogRequest': {
            const job = jobs.get(requestId);
            if (!job) { reply(conn, f, JAVA_CLASS.JobExecuteLogResponse, 1, `log of job request ${requestId} not found`); break; }
            const offset = Number(body.offset) || 0;
            const text = Buffer.from(job.log).subarray(offset, offset + (Number(body.length) || 4096)).toString();
            reply(conn, f, JAVA_CLASS.JobExecuteLogResponse, 0, 'success', { requestId, data: text, offset, length: Buffer.byteLength(text) });
            break;
          }
          case 'KillJobRequest': {
            const job = jobs.get(requestId);
            if (!job || job.status !== 'RUNNING') {
              reply(conn, f, JAVA_CLASS.KillRunningJobResponse, 1, `job request ${requestId} is not running`);
              break;
            }
            job.status = 'KILLED';
            reply(conn, f, JAVA_CLASS.KillRunningJobResponse, 0, 'success', { requestId, status: 'KILLED', completeTime: javaTime() });
            finish(job, 'KILLED', 'killed by the scheduler');
            break;
          }
          default:
            break; // unknown types: the real executor logs and drops them
        }
      };
    },
    close() {
      jobs.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The scheduler

async function runSession(ctx: DemoSessionContext): Promise<void> {
  await schedulerConnection(ctx, 'json', 1);
  await schedulerConnection(ctx, 'protostuff', 2);
}

const statusOf = (f: DecodedFrame): unknown => (bodyOf(f).data as Body | undefined)?.status;

async function schedulerConnection(ctx: DemoSessionContext, format: Format, leg: number): Promise<void> {
  const conn = await ctx.connect();
  const scheduler = { schedulerName: `hodor-scheduler-${conn.socket.localAddress?.replace(/^::ffff:/, '')}:8081` };
  let nextId = ctx.round * 1000 + leg * 100;
  const send = (message: string, body: Body, attachment: Doc = scheduler): { id: string; answer: Promise<DecodedFrame> } => {
    const id = String(nextId++);
    const reply = message.replace(/Request$/, 'Response');
    const answer = conn.next((f) => f.message === reply && f.value.id === id);
    conn.send(message, { id, version: 1, attachment, body, ...(format === 'protostuff' ? { body_format: 'protostuff' } : {}) });
    return { id, answer };
  };
  const expectCode = async (p: Promise<DecodedFrame>, code: number): Promise<DecodedFrame> => {
    const f = await p;
    if (bodyOf(f).code !== code) throw new Error(`hodor: ${f.message} code ${String(bodyOf(f).code)}, expected ${code}`);
    return f;
  };

  // The heartbeat's failure wrapper is what the real executor sends: not an error for the scheduler.
  await expectCode(send('HeartbeatRequest', { requestId: nextId }).answer, 1);

  const quick = { requestId: nextId + 50, instanceId: ctx.round * 10 + leg, jobName: 'syncOrders', groupName: 'demoGroup' };
  const jobAttachment = { ...scheduler, timeType: 'cron', rootJobKey: `${quick.groupName}#${quick.jobName}`, stage: 'split_stage' };
  const exec = send('JobExecRequest', {
    ...quick, jobCommandType: 'java', jobCommand: 'org.example.SyncOrders#run', jobParameters: 'date=2024-01-01',
    timeout: 180, shardingCount: 1, shardingId: 0, retryCount: 0, version: 0,
  }, jobAttachment);
  if (statusOf(await expectCode(exec.answer, 0)) !== 'RUNNING') throw new Error('hodor: first JobExecResponse is not RUNNING');
  const final = await conn.next((f) => f.message === 'JobExecResponse' && f.value.id === exec.id);
  if (statusOf(final) !== 'SUCCEEDED') throw new Error(`hodor: final JobExecResponse is ${String(statusOf(final))}`);

  await expectCode(send('FetchJobStatusRequest', { requestId: quick.requestId }).answer, 0);
  await expectCode(send('FetchJobLogRequest', { requestId: quick.requestId, groupName: quick.groupName, jobName: quick.jobName, offset: 0, length: 4096 }).answer, 0);

  // A long job, killed while it runs: KillJobResponse, then the job's own final answer (KILLED).
  const slow = { requestId: nextId + 60, instanceId: ctx.round * 10 + leg + 5, jobName: 'rebuildIndex', groupName: 'demoGroup' };
  const long = send('JobExecRequest', {
    ...slow, jobCommandType: 'shell', jobCommand: 'bin/rebuild-index.sh', timeout: 3600, shardingCount: 1, shardingId: 0, retryCount: 0, version: 0,
  }, { ...scheduler, timeType: 'fixed_rate', rootJobKey: `${slow.groupName}#${slow.jobName}`, stage: 'split_stage' });
  await expectCode(long.answer, 0);
  const killedFinal = conn.next((f) => f.message === 'JobExecResponse' && f.value.id === long.id);
  await expectCode(send('KillJobRequest', { requestId: slow.requestId }).answer, 0);
  if (statusOf(await killedFinal) !== 'KILLED') throw new Error('hodor: killed job did not end KILLED');

  // Error replies: killing a job that is no longer running, asking about a request the executor never saw.
  await expectCode(send('KillJobRequest', { requestId: slow.requestId }).answer, 1);
  await expectCode(send('FetchJobStatusRequest', { requestId: 1 }).answer, 1);
  await conn.end();
}

export const hodorDemo: DemoPeer = {
  protocol: hodor.id,
  defaultPort: hodor.ports[0],
  createServer,
  runSession,
};
