/**
 * The Java classes hodor puts in its bodies (PROTOCOLS.md §2.4), as protostuff tables: field number = position of
 * the field in the class. The same tables give the member order Gson writes for JSON bodies (declaration order).
 * Class names are the real ones from dromara/hodor (hodor-remoting-api, hodor-model).
 */
import type { PbField, PbMessage, PbOptions } from '../../codec/protobuf';
import { CLASS_KEY } from '../../codec/protobuf';
import type { JsonSchema } from '../../codec/schema';
import type { JsonValue } from '../../codec/json';

/** org.dromara.hodor.model.enums.JobExecuteStatus, by ordinal (the protostuff wire value). */
export const JOB_EXECUTE_STATUS = ['READY', 'PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED', 'TIMEOUT', 'ERROR', 'FINISHED'] as const;

/** Statuses after which the executor sends another JobExec response for the same request. */
export const NON_FINAL_STATUS: ReadonlySet<string> = new Set(['READY', 'PENDING', 'RUNNING']);

const REQUEST_PKG = 'org.dromara.hodor.remoting.api.message.request.';
const RESPONSE_PKG = 'org.dromara.hodor.remoting.api.message.response.';

/** Java class names (package paths as in dromara/hodor). */
export const JAVA_CLASS = {
  RemotingResponse: 'org.dromara.hodor.remoting.api.message.RemotingResponse',
  HeartbeatRequest: `${REQUEST_PKG}HeartbeatRequest`,
  JobExecuteRequest: `${REQUEST_PKG}JobExecuteRequest`,
  JobExecuteStatusRequest: `${REQUEST_PKG}JobExecuteStatusRequest`,
  JobExecuteLogRequest: `${REQUEST_PKG}JobExecuteLogRequest`,
  KillRunningJobRequest: `${REQUEST_PKG}KillRunningJobRequest`,
  HeartbeatResponse: `${RESPONSE_PKG}HeartbeatResponse`,
  JobExecuteResponse: `${RESPONSE_PKG}JobExecuteResponse`,
  JobExecuteStatusResponse: `${RESPONSE_PKG}JobExecuteStatusResponse`,
  JobExecuteLogResponse: `${RESPONSE_PKG}JobExecuteLogResponse`,
  KillRunningJobResponse: `${RESPONSE_PKG}KillRunningJobResponse`,
  JobKey: 'org.dromara.hodor.model.job.JobKey',
} as const;

const f = (no: number, name: string, type: PbField['type'], extra: Partial<PbField> = {}): PbField => ({ no, name, type, ...extra });
const status = (no: number): PbField => f(no, 'status', 'enum', { enum: JOB_EXECUTE_STATUS, description: 'READY … FINISHED (ordinal on the protostuff wire, name in JSON)' });
const requestId = f(1, 'requestId', 'int64', { description: 'request id (Java Long)' });

export const JobKey: PbMessage = {
  name: 'JobKey',
  fields: [f(1, 'groupName', 'string'), f(2, 'jobName', 'string'), f(3, 'command', 'string')],
};

export const HeartbeatRequest: PbMessage = { name: 'HeartbeatRequest', fields: [requestId] };

export const JobExecuteRequest: PbMessage = {
  name: 'JobExecuteRequest',
  fields: [
    requestId,
    f(2, 'instanceId', 'int64', { description: 'job instance id' }),
    f(3, 'jobName', 'string'),
    f(4, 'groupName', 'string'),
    f(5, 'jobCommandType', 'string', { description: 'e.g. java, shell, python' }),
    f(6, 'jobCommand', 'string'),
    f(7, 'jobParameters', 'string'),
    f(8, 'extensibleParameters', 'string'),
    f(9, 'parentJobData', 'dynamic', { description: 'dynamic object (field 127 = class name)' }),
    f(10, 'parentJobExecuteResults', 'raw', { description: 'map<int64, object> (protostuff map encoding, shown raw)' }),
    f(11, 'parentJobExecuteStatuses', 'raw', { description: 'map<int64, status> (protostuff map encoding, shown raw)' }),
    f(12, 'timeout', 'int32', { description: 'seconds (default 180)' }),
    f(13, 'shardingCount', 'int32', { description: 'default 1' }),
    f(14, 'shardingId', 'int32', { description: 'default 0' }),
    f(15, 'shardingParams', 'string'),
    f(16, 'retryCount', 'int32', { description: 'default 0' }),
    f(17, 'version', 'int32', { description: 'default 0' }),
  ],
};

export const JobExecuteStatusRequest: PbMessage = { name: 'JobExecuteStatusRequest', fields: [requestId] };

export const JobExecuteLogRequest: PbMessage = {
  name: 'JobExecuteLogRequest',
  fields: [requestId, f(2, 'groupName', 'string'), f(3, 'jobName', 'string'), f(4, 'offset', 'int32'), f(5, 'length', 'int32')],
};

export const KillRunningJobRequest: PbMessage = { name: 'KillRunningJobRequest', fields: [requestId] };

export const HeartbeatResponse: PbMessage = { name: 'HeartbeatResponse', fields: [requestId] };

export const JobExecuteResponse: PbMessage = {
  name: 'JobExecuteResponse',
  fields: [
    requestId,
    f(2, 'instanceId', 'int64'),
    f(3, 'jobKey', 'message', { message: JobKey }),
    status(4),
    f(5, 'startTime', 'string', { description: 'yyyy-MM-dd HH:mm:ss' }),
    f(6, 'completeTime', 'string', { description: 'yyyy-MM-dd HH:mm:ss' }),
    f(7, 'processTime', 'int64', { description: 'milliseconds' }),
    f(8, 'shardingCount', 'int32'),
    f(9, 'shardingId', 'int32'),
    f(10, 'shardingParams', 'string'),
    f(11, 'comments', 'string'),
    f(12, 'result', 'bytes', { description: 'byte[] (Base64 in the JSON view)' }),
  ],
};

export const JobExecuteStatusResponse: PbMessage = {
  name: 'JobExecuteStatusResponse',
  fields: [
    requestId, status(2),
    f(3, 'startTime', 'string'), f(4, 'completeTime', 'string'), f(5, 'comments', 'string'),
    f(6, 'result', 'bytes', { description: 'byte[] (Base64 in the JSON view)' }),
  ],
};

export const JobExecuteLogResponse: PbMessage = {
  name: 'JobExecuteLogResponse',
  fields: [requestId, f(2, 'data', 'string', { description: 'log text' }), f(3, 'offset', 'int32'), f(4, 'length', 'int32')],
};

export const KillRunningJobResponse: PbMessage = {
  name: 'KillRunningJobResponse',
  fields: [requestId, status(2), f(3, 'completeTime', 'string')],
};

/** The wrapper of every response (protostuff: the top-level message, no class name on the wire). */
export const RemotingResponse: PbMessage = {
  name: 'RemotingResponse',
  fields: [
    f(1, 'code', 'int32', { description: '0 success, 1 failure' }),
    f(2, 'msg', 'string', { description: '"success", or an error text / stack trace' }),
    f(3, 'data', 'dynamic', { description: 'the response object (absent on failure)' }),
  ],
};

/** JSON member order of the wrapper: generation A also has `requestId` first. */
export const JSON_WRAPPER_ORDER = ['requestId', 'code', 'msg', 'data'] as const;

export interface TypeClasses {
  request: PbMessage;
  requestClass: string;
  response: PbMessage;
  responseClass: string;
}

/** Per message type (§2.3): request class (c2s body) and response `data` class. */
export const TYPE_CLASSES: readonly TypeClasses[] = [
  { request: HeartbeatRequest, requestClass: JAVA_CLASS.HeartbeatRequest, response: HeartbeatResponse, responseClass: JAVA_CLASS.HeartbeatResponse },
  { request: JobExecuteRequest, requestClass: JAVA_CLASS.JobExecuteRequest, response: JobExecuteResponse, responseClass: JAVA_CLASS.JobExecuteResponse },
  { request: JobExecuteStatusRequest, requestClass: JAVA_CLASS.JobExecuteStatusRequest, response: JobExecuteStatusResponse, responseClass: JAVA_CLASS.JobExecuteStatusResponse },
  { request: JobExecuteLogRequest, requestClass: JAVA_CLASS.JobExecuteLogRequest, response: JobExecuteLogResponse, responseClass: JAVA_CLASS.JobExecuteLogResponse },
  { request: KillRunningJobRequest, requestClass: JAVA_CLASS.KillRunningJobRequest, response: KillRunningJobResponse, responseClass: JAVA_CLASS.KillRunningJobResponse },
];

const BY_SIMPLE_NAME = new Map<string, PbMessage>(
  [JobKey, ...TYPE_CLASSES.flatMap((t) => [t.request, t.response])].map((m) => [m.name, m]),
);

export function simpleClassName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1);
}

/**
 * A dynamic object's table from its Java class name. Matched on the simple name so the same classes under an older
 * package still resolve; the full name stays in the JSON view (`@class`) and is written back as it was.
 */
export function resolveClass(className: string): PbMessage | undefined {
  return BY_SIMPLE_NAME.get(simpleClassName(className));
}

/** int64 per N6 (number up to 2^53−1, else a decimal string), byte[] as Base64: the JSON view of §2.4. */
export const PB_OPTIONS: PbOptions = { int64: 'json', bytesAs: 'base64', resolveClass };

// ---------------------------------------------------------------------------------------------------------------
// JSON member order (Gson writes fields in declaration order)

type JsonObject = { [key: string]: JsonValue };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Members in declaration order of `order`, then any others in the order given. */
function reorder(v: JsonObject, order: readonly string[], child: (key: string, value: JsonValue) => JsonValue): JsonObject {
  const out: JsonObject = {};
  for (const k of order) if (k in v) out[k] = child(k, v[k]);
  for (const k of Object.keys(v)) if (!(k in out)) out[k] = child(k, v[k]);
  return out;
}

/** A table's member names in field-number order and the first field of each name, computed once per table. */
interface TableOrder { names: string[]; byName: Map<string, PbField> }
const TABLE_ORDER = new WeakMap<PbMessage, TableOrder>();

function tableOrder(table: PbMessage): TableOrder {
  let order = TABLE_ORDER.get(table);
  if (!order) {
    const fields = [...table.fields].sort((a, b) => a.no - b.no);
    const byName = new Map<string, PbField>();
    for (const d of fields) if (!byName.has(d.name)) byName.set(d.name, d);
    order = { names: fields.map((d) => d.name), byName };
    TABLE_ORDER.set(table, order);
  }
  return order;
}

export function orderByTable(v: JsonValue, table: PbMessage | undefined): JsonValue {
  if (!table || !isObject(v)) return v;
  const { names, byName } = tableOrder(table);
  return reorder(v, names, (k, value) => {
    const def = byName.get(k);
    if (def?.type === 'message') return orderByTable(value, def.message);
    if (def?.type === 'dynamic' && isObject(value) && typeof value[CLASS_KEY] === 'string') return orderByTable(value, resolveClass(value[CLASS_KEY] as string));
    return value;
  });
}

/** A JSON body in Gson's member order for the message type and direction (unknown members kept, after). */
export function orderJsonBody(v: JsonValue, type: number, direction: 'c2s' | 's2c'): JsonValue {
  const classes = TYPE_CLASSES[type];
  if (!classes) return v;
  if (direction === 'c2s') return orderByTable(v, classes.request);
  if (!isObject(v)) return v;
  return reorder(v, JSON_WRAPPER_ORDER, (k, value) => (k === 'data' ? orderByTable(value, classes.response) : value));
}

// ---------------------------------------------------------------------------------------------------------------
// JSON Schemas of the body views (the composer's completion)

function fieldSchema(def: PbField): JsonSchema {
  const description = def.description;
  switch (def.type) {
    case 'int32': case 'uint32': case 'short': return { type: 'integer', description };
    case 'int64': case 'uint64': return { type: ['integer', 'string'], pattern: '^-?\\d+$', description: `${description ?? def.name} — a decimal string beyond 2^53−1` };
    case 'bool': return { type: 'boolean', description };
    case 'enum': return { enum: [...(def.enum ?? [])], description };
    case 'string': return { type: 'string', description };
    case 'bytes': return { type: 'string', description: description ?? 'Base64' };
    case 'message': return def.message ? tableSchema(def.message) : { type: 'object' };
    case 'dynamic': return { type: 'object', description, properties: { [CLASS_KEY]: { type: 'string', description: 'Java class name (protostuff field 127)' } } };
    case 'raw': return { description: `${description ?? def.name} — decoded as raw protobuf, not encodable` };
  }
}

export function tableSchema(table: PbMessage, data?: { table: PbMessage; className: string }): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const def of table.fields) properties[def.name] = fieldSchema(def);
  if (data) {
    const inner = tableSchema(data.table);
    inner.properties![CLASS_KEY] = { type: 'string', default: data.className, description: `Java class name (protostuff field 127), e.g. ${data.className}; omit in JSON bodies` };
    properties.data = { ...inner, description: `${data.table.name} (absent on failure)` };
  }
  return { type: 'object', title: table.name, properties, additionalProperties: true };
}
