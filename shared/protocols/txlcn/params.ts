/**
 * The protobuf payloads carried in `MessageDto.bytes` (PROTOCOLS.md §4.5): protostuff writes these flat parameter
 * classes as plain protobuf, field number = declaration position. Which table applies depends on the action, and
 * for a `rok` on the action of the request it answers.
 */
import { scanFields, type PbMessage, type PbOptions } from '../../codec/protobuf';

/** N8: `long` as a decimal string, byte strings (none here) as hex. */
export const PB_OPTIONS: PbOptions = { int64: 'string', bytesAs: 'hex' };

export const JOIN_GROUP_PARAMS: PbMessage = {
  name: 'JoinGroupParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'unitId', type: 'string', description: 'transaction unit id' },
    { no: 3, name: 'unitType', type: 'string', description: 'lcn, tcc or txc' },
    { no: 4, name: 'remoteKey', type: 'string', description: 'the unit\'s TxManager connection' },
  ],
};

export const NOTIFY_GROUP_PARAMS: PbMessage = {
  name: 'NotifyGroupParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'state', type: 'int32', description: '1 commit, 0 rollback' },
  ],
};

export const NOTIFY_UNIT_PARAMS: PbMessage = {
  name: 'NotifyUnitParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'unitId', type: 'string', description: 'transaction unit id' },
    { no: 3, name: 'unitType', type: 'string', description: 'lcn, tcc or txc' },
    { no: 4, name: 'state', type: 'int32', description: '1 commit, 0 rollback' },
  ],
};

export const ASK_TRANSACTION_STATE_PARAMS: PbMessage = {
  name: 'AskTransactionStateParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'unitId', type: 'string', description: 'transaction unit id' },
  ],
};

export const TX_EXCEPTION_PARAMS: PbMessage = {
  name: 'TxExceptionParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'unitId', type: 'string', description: 'transaction unit id' },
    { no: 3, name: 'registrar', type: 'short', description: 'who reports the exception' },
    { no: 4, name: 'transactionState', type: 'short', description: 'the state the unit was in' },
  ],
};

export const INIT_CLIENT_PARAMS: PbMessage = {
  name: 'InitClientParams',
  fields: [
    { no: 1, name: 'appName', type: 'string', description: 'client application name' },
    { no: 2, name: 'dtxTime', type: 'int64', description: 'distributed transaction timeout in ms: 0 in the request, set by TxManager in the reply' },
  ],
};

export const NOTIFY_CONNECT_PARAMS: PbMessage = {
  name: 'NotifyConnectParams',
  fields: [
    { no: 1, name: 'host', type: 'string', description: 'TxManager host to connect to' },
    { no: 2, name: 'port', type: 'int32', description: 'TxManager port' },
  ],
};

export const GET_ASPECT_LOG_PARAMS: PbMessage = {
  name: 'GetAspectLogParams',
  fields: [
    { no: 1, name: 'groupId', type: 'string', description: 'transaction group id' },
    { no: 2, name: 'unitId', type: 'string', description: 'transaction unit id' },
  ],
};

/** The `rok` answer to `ats`: the state as a Java Short (inferred from the code, not observed). */
export const TRANSACTION_STATE_REPLY: PbMessage = {
  name: 'TransactionState',
  fields: [{ no: 1, name: 'value', type: 'short', description: 'transaction state: 1, 0 or -1' }],
};

/** Request payloads by action. */
export const REQUEST_TABLES: Readonly<Record<string, PbMessage>> = {
  atg: JOIN_GROUP_PARAMS,
  clg: NOTIFY_GROUP_PARAMS,
  nt: NOTIFY_UNIT_PARAMS,
  ats: ASK_TRANSACTION_STATE_PARAMS,
  wc: TX_EXCEPTION_PARAMS,
  ic: INIT_CLIENT_PARAMS,
  nc: NOTIFY_CONNECT_PARAMS,
  gal: GET_ASPECT_LOG_PARAMS,
};

/** `rok` payloads by the action of the request they answer; absent = opaque bytes (`gal`'s log, the others). */
export const REPLY_TABLES: Readonly<Record<string, PbMessage>> = {
  ic: INIT_CLIENT_PARAMS,
  ats: TRANSACTION_STATE_REPLY,
};

/**
 * A `rok` seen without its request: the table its payload's shape fits — a lone varint field 1 is the `ats`
 * answer, a string 1 and/or varint 2 the `ic` answer — or undefined (opaque).
 */
export function replyTableByShape(b: Uint8Array, start: number, end: number): PbMessage | undefined {
  let fields;
  try { fields = scanFields(b, start, end); } catch { return undefined; }
  if (fields.length === 0) return undefined;
  if (fields.length === 1 && fields[0].no === 1 && fields[0].wire === 0) return TRANSACTION_STATE_REPLY;
  if (fields.every((f) => (f.no === 1 && f.wire === 2) || (f.no === 2 && f.wire === 0))) return INIT_CLIENT_PARAMS;
  return undefined;
}

/** Every table, for the catalog (duplicates by name are removed there). */
export const ALL_TABLES: readonly PbMessage[] = [
  JOIN_GROUP_PARAMS, NOTIFY_GROUP_PARAMS, NOTIFY_UNIT_PARAMS, ASK_TRANSACTION_STATE_PARAMS, TX_EXCEPTION_PARAMS,
  INIT_CLIENT_PARAMS, NOTIFY_CONNECT_PARAMS, GET_ASPECT_LOG_PARAMS, TRANSACTION_STATE_REPLY,
];
