/** The tt message table (PROTOCOLS.md §3.3): one row per (module, command), bodies in the layout vocabulary. */
import type { MessageDirection } from '../../codec/protocol';
import type { Doc } from '../../codec/schema';
import { data, ifOk, list, raw, s, u16, u32, u8, type FieldSpec } from './layout';
import {
  CHANGE_TYPE, CLIENT_TYPE, DEPART_STATUS, GROUP_TYPE, IP_ADDR, KICK_REASON, LOGIN_RESULT, MSG_SERV_RESULT, MSG_TYPE,
  M_CLIENT_MODE, M_MODE, M_RESULT, M_STATE, OFFLINE_READY, OK_FAIL, ONLINE_STATUS, ROLE_STATUS, SESSION_TYPE, SETTING_KEY,
  SEX, TRANS_MODE, USER_INFO, groupInfo,
} from './records';

export interface MessageDef {
  name: string;
  module: number;
  command: number;
  dir: MessageDirection;
  body: readonly FieldSpec[];
  /** Name of the expected reply (pairing, `replies`). */
  reply?: string;
  /** Fields shown in the one-line summary (wire order; `<name>_len` for byte arrays). */
  summary: readonly string[];
  description: string;
  /** Replies to this pair carry `reserved` 0, so pairing is always first-in-first-out (§3.4). */
  fifoOnly?: boolean;
  /** Template values that differ from the shared examples. */
  example?: Doc;
}

const ID_LIST = [s('id_url')];

function m(module: number, command: number, name: string, dir: MessageDirection, body: readonly FieldSpec[], description: string, extra: Partial<MessageDef> = {}): MessageDef {
  return { name, module, command, dir, body, summary: [], description, ...extra };
}

export const MESSAGES: readonly MessageDef[] = [
  // Module 1 — LOGIN
  m(1, 1, 'MsgServRequest', 'c2s', [], 'Ask the login server for a msg_server address', { reply: 'MsgServResponse' }),
  m(1, 2, 'MsgServResponse', 's2c', [u32('result', MSG_SERV_RESULT), ifOk([s('ip1'), s('ip2'), u16('port')])],
    'msg_server address (only when result = 0)', { summary: ['result', 'ip1', 'port'] }),
  m(1, 3, 'LoginRequest', 'c2s', [s('username'), s('password'), u32('online_status', ONLINE_STATUS), u32('client_type', CLIENT_TYPE), s('client_version')],
    'Log in to the msg_server (password is an MD5 hex digest)', { reply: 'LoginResponse', summary: ['username', 'online_status', 'client_type', 'client_version'] }),
  m(1, 4, 'LoginResponse', 's2c', [
    u32('server_time'), u32('result', LOGIN_RESULT),
    ifOk([
      u32('online_status', ONLINE_STATUS), s('user_id_url'), s('nickname'), s('avatar_url'), s('title'), s('position'),
      u32('role_status', ROLE_STATUS), u32('sex', SEX), s('depart_id_url'), u32('job_num'), s('telephone'), s('email'), s('token'),
    ]),
  ], 'Login result; the user record follows only when result = 0', { summary: ['result', 'user_id_url', 'nickname'] }),
  m(1, 7, 'KickUser', 's2c', [u32('user_id'), u32('reason', KICK_REASON)], 'The server disconnects the user (1 = duplicate login)', { summary: ['user_id', 'reason'] }),

  // Module 2 — BUDDY_LIST
  m(2, 1, 'BuddyListRequest', 'c2s', [u32('req_type')], 'Ask for the recent-contact list', { reply: 'FriendList', summary: ['req_type'] }),
  m(2, 3, 'FriendList', 's2c', [list('friend_cnt', [s('user_id_url'), u32('user_updated')])], 'Recent contacts with their last update time', { summary: ['friend_cnt'] }),
  m(2, 4, 'OnlineFriendList', 's2c', [u16('list_type'), list('friend_cnt', [s('user_id_url'), u32('status', ONLINE_STATUS)])],
    'Contacts with their online status', { summary: ['list_type', 'friend_cnt'] }),
  m(2, 5, 'FriendNotify', 's2c', [s('user_id_url'), u32('status', ONLINE_STATUS)], 'A contact changed status', { summary: ['user_id_url', 'status'] }),
  m(2, 8, 'UserStatusRequest', 'c2s', [s('user_id_url')], 'Ask for one user\'s status', { reply: 'UserStatusResponse', summary: ['user_id_url'] }),
  m(2, 9, 'UserStatusResponse', 's2c', [s('user_id_url'), u32('status', ONLINE_STATUS)], 'One user\'s status', { summary: ['user_id_url', 'status'] }),
  m(2, 10, 'UserInfoResponse', 's2c', [list('user_cnt', USER_INFO)], 'User records', { summary: ['user_cnt'] }),
  m(2, 11, 'UserInfoRequest', 'c2s', [list('user_cnt', [s('user_id_url')])], 'Ask for user records', { reply: 'UserInfoResponse', summary: ['user_cnt'] }),
  m(2, 12, 'RemoveSessionRequest', 'c2s', [u32('session_type', SESSION_TYPE), s('session_id')], 'Remove a recent session', { reply: 'RemoveSessionResponse', summary: ['session_type', 'session_id'] }),
  m(2, 13, 'RemoveSessionResponse', 's2c', [u32('result', OK_FAIL), u32('session_type', SESSION_TYPE), s('session_id')], 'Result of removing a session', { summary: ['result', 'session_type', 'session_id'] }),
  m(2, 14, 'AllUserRequest', 'c2s', [], 'Ask for the whole company directory', { reply: 'AllUserResponse' }),
  m(2, 15, 'AllUserResponse', 's2c', [list('user_cnt', USER_INFO)], 'The company directory (same layout as UserInfoResponse)', { summary: ['user_cnt'] }),
  m(2, 16, 'UsersStatusRequest', 'c2s', [list('user_cnt', [s('user_id_url')])], 'Ask for several users\' status', { reply: 'UsersStatusResponse', summary: ['user_cnt'] }),
  m(2, 17, 'UsersStatusResponse', 's2c', [list('user_cnt', [s('user_id_url'), u32('status', ONLINE_STATUS)])], 'Several users\' status', { summary: ['user_cnt'] }),
  m(2, 18, 'DepartmentRequest', 'c2s', [], 'Ask for the department list', { reply: 'DepartmentResponse' }),
  m(2, 19, 'DepartmentResponse', 's2c', [list('depart_cnt', [
    s('depart_id_url'), s('title'), s('description'), s('parent_depart_id_url'), s('leader_id_url'), u32('status', DEPART_STATUS),
  ])], 'The department list', { summary: ['depart_cnt'], example: { depart: [{ depart_id_url: '10', title: '研发部', description: 'R&D', parent_depart_id_url: '1', leader_id_url: '1001', status: 0 }] } }),

  // Module 3 — MSG
  m(3, 1, 'MsgData', 'both', [
    u32('seq_no'), s('from_id_url'), s('to_id_url'), u32('create_time'), u8('msg_type', MSG_TYPE), data('msg_data', true), s('attach_data'),
  ], 'A chat message (client → server, then server → each receiver)', { reply: 'MsgDataAck', summary: ['seq_no', 'from_id_url', 'to_id_url', 'msg_type'] }),
  m(3, 2, 'MsgDataAck', 'both', [u32('seq_no'), s('from_id_url')], 'Acknowledges a MsgData (same seq_no)', { summary: ['seq_no', 'from_id_url'] }),
  m(3, 3, 'MsgReadAck', 'c2s', [s('from_id_url')], 'The messages from a peer were read', { summary: ['from_id_url'] }),
  m(3, 5, 'TimeRequest', 'c2s', [], 'Ask for the server time', { reply: 'TimeResponse', fifoOnly: true }),
  m(3, 6, 'TimeResponse', 's2c', [u32('server_time')], 'Server time (Unix seconds)', { summary: ['server_time'], fifoOnly: true }),
  m(3, 7, 'UnreadMsgCntRequest', 'c2s', [], 'Ask for unread counts per peer', { reply: 'UnreadMsgCntResponse' }),
  m(3, 8, 'UnreadMsgCntResponse', 's2c', [list('unread_list_cnt', [s('id_url'), u32('unread_cnt')])], 'Unread counts per peer', { summary: ['unread_list_cnt'] }),
  m(3, 9, 'UnreadMsgRequest', 'c2s', [s('from_id_url')], 'Ask for the unread messages from a peer', { reply: 'UnreadMsgResponse', summary: ['from_id_url'] }),
  m(3, 14, 'UnreadMsgResponse', 's2c', [s('to_user_id_url'), list('msg_cnt', [
    s('from_user_id_url'), s('from_name'), s('from_nick_name'), s('from_avatar_url'), u32('create_time'), u8('msg_type', MSG_TYPE), data('msg_data', true),
  ])], 'Unread messages from a peer', { summary: ['to_user_id_url', 'msg_cnt'] }),

  // Module 4 — SWITCH_SERVICE (not in the document)
  m(4, 1, 'P2PCmdMsg', 'both', [u32('seq_no'), s('from_id_url'), s('to_id_url'), data('cmd_msg_data')],
    'Peer-to-peer control message relayed by the server (e.g. "typing")', { summary: ['seq_no', 'from_id_url', 'to_id_url'] }),

  // Module 5 — GROUP
  m(5, 1, 'GroupListRequest', 'c2s', [], 'Ask for the fixed groups', { reply: 'GroupListResponse' }),
  m(5, 2, 'GroupListResponse', 's2c', [list('group_cnt', groupInfo(false))], 'Fixed groups', { summary: ['group_cnt'] }),
  m(5, 3, 'GroupUserListRequest', 'c2s', [s('group_id')], 'Ask for a group\'s members', { reply: 'GroupUserListResponse', summary: ['group_id'] }),
  m(5, 4, 'GroupUserListResponse', 's2c', [s('group_id'), u32('result'), ifOk([
    s('group_name'), s('group_avatar'), s('group_creator_id_url'), u32('group_type', GROUP_TYPE), list('user_cnt', ID_LIST),
  ])], 'A group\'s members (the body ends after result when result ≠ 0)', { summary: ['group_id', 'result', 'user_cnt'] }),
  m(5, 5, 'GroupUnreadMsgCntRequest', 'c2s', [], 'Ask for unread counts per group', { reply: 'GroupUnreadMsgCntResponse' }),
  m(5, 6, 'GroupUnreadMsgCntResponse', 's2c', [list('group_unread_cnt', [s('group_id_url'), u32('unread_msg_cnt')])], 'Unread counts per group', { summary: ['group_unread_cnt'] }),
  m(5, 7, 'GroupUnreadMsgRequest', 'c2s', [s('group_id_url')], 'Ask for a group\'s unread messages', { reply: 'GroupUnreadMsgResponse', summary: ['group_id_url'] }),
  m(5, 8, 'GroupUnreadMsgResponse', 's2c', [s('group_id_url'), list('msg_cnt', [
    s('from_user_id_url'), u32('create_time'), u8('msg_type', MSG_TYPE), data('msg_content', true),
  ])], 'A group\'s unread messages', { summary: ['group_id_url', 'msg_cnt'], example: { msg: [{ from_user_id_url: '1002', create_time: 1398218400, msg_type: 0x11, msg_content: 'e5a4a7e5aeb6e5a5bd' }] } }),
  m(5, 11, 'GroupMsgReadAck', 'c2s', [s('group_id_url')], 'A group\'s messages were read', { summary: ['group_id_url'] }),
  m(5, 12, 'GroupCreateTmpGroupRequest', 'c2s', [s('group_name'), s('group_avatar'), list('user_cnt', ID_LIST)], 'Create a temporary group', { reply: 'GroupCreateTmpGroupResponse', summary: ['group_name', 'user_cnt'] }),
  m(5, 13, 'GroupCreateTmpGroupResponse', 's2c', [u32('result'), s('group_id_url'), s('group_name'), list('user_cnt', ID_LIST)], 'The temporary group created', { summary: ['result', 'group_id_url', 'group_name', 'user_cnt'] }),
  m(5, 14, 'GroupChangeMemberRequest', 'c2s', [s('group_id_url'), u32('change_type', CHANGE_TYPE), list('user_cnt', ID_LIST)], 'Add or remove group members', { reply: 'GroupChangeMemberResponse', summary: ['group_id_url', 'change_type', 'user_cnt'] }),
  m(5, 15, 'GroupChangeMemberResponse', 's2c', [u32('result'), s('group_id_url'), u32('change_type', CHANGE_TYPE), list('user_cnt', ID_LIST)], 'Result of a member change', { summary: ['result', 'group_id_url', 'change_type', 'user_cnt'] }),
  m(5, 16, 'GroupDialogListRequest', 'c2s', [], 'Ask for the recent group sessions', { reply: 'GroupDialogListResponse' }),
  m(5, 17, 'GroupDialogListResponse', 's2c', [list('group_cnt', groupInfo(true))], 'Recent group sessions (GroupInfo with group_updated)', { summary: ['group_cnt'] }),
  m(5, 18, 'GroupCreateNormalGroupNotify', 's2c', [s('group_id_url'), s('group_name'), s('group_avatar'), list('user_cnt', ID_LIST)], 'A normal group was created', { summary: ['group_id_url', 'group_name', 'user_cnt'] }),
  m(5, 19, 'GroupChangeMemberNotify', 's2c', [s('group_id_url'), list('user_cnt', ID_LIST)], 'A group\'s members changed', { summary: ['group_id_url', 'user_cnt'] }),

  // Module 6 — FILE (1–5 with the file server, 10–19 with the msg_server)
  m(6, 1, 'FileLoginRequest', 'c2s', [s('m_user_id'), s('m_token'), s('m_task_id'), u32('m_client_mode', M_CLIENT_MODE)], 'Log in to the file server for a transfer task', { reply: 'FileLoginResponse', summary: ['m_user_id', 'm_task_id', 'm_client_mode'] }),
  m(6, 2, 'FileLoginResponse', 's2c', [u32('m_result', M_RESULT), s('m_task_id')], 'File server login result', { summary: ['m_result', 'm_task_id'] }),
  m(6, 3, 'FileState', 'both', [u32('m_state', M_STATE), s('m_task_id'), s('m_user_id')], 'Transfer state notice', { summary: ['m_state', 'm_task_id', 'm_user_id'] }),
  m(6, 4, 'FilePullDataRequest', 'both', [s('m_task_id'), s('m_user_id'), u32('m_mode', M_MODE), u32('m_offset'), u32('m_datasize')], 'Ask for a block of file data', { reply: 'FilePullDataResponse', summary: ['m_task_id', 'm_offset', 'm_datasize'] }),
  m(6, 5, 'FilePullDataResponse', 'both', [u32('m_result', M_RESULT), s('m_task_id'), s('m_user_id'), u32('m_offset'), data('m_data')], 'A block of file data', { summary: ['m_result', 'm_task_id', 'm_offset', 'm_data_len'] }),
  m(6, 10, 'FileRequest', 'c2s', [s('from_user_id'), s('to_user_id'), s('file_name'), u32('file_size'), u32('trans_mode', TRANS_MODE)], 'Offer a file to a peer', { reply: 'FileResponse', summary: ['from_user_id', 'to_user_id', 'file_name', 'file_size'] }),
  m(6, 11, 'FileResponse', 's2c', [u32('result'), s('from_user_id'), s('to_user_id'), s('file_name'), s('task_id'), list('ip_addr_cnt', IP_ADDR), u32('trans_mode', TRANS_MODE)], 'Task id and file servers for an offered file', { summary: ['result', 'file_name', 'task_id'] }),
  m(6, 12, 'FileNotify', 's2c', [s('from_user_id'), s('to_user_id'), s('file_name'), u32('file_size'), s('task_id'), list('ip_addr_cnt', IP_ADDR), u32('trans_mode', TRANS_MODE), u32('offline_ready', OFFLINE_READY)], 'A peer offers a file', { summary: ['from_user_id', 'file_name', 'file_size', 'task_id'] }),
  m(6, 16, 'FileHasOfflineRequest', 'c2s', [], 'Ask for offline files waiting', { reply: 'FileHasOfflineResponse' }),
  m(6, 17, 'FileHasOfflineResponse', 's2c', [list('file_cnt', [s('from_user_id'), s('task_id'), s('file_name'), u32('file_size')]), list('ip_addr_cnt', IP_ADDR)], 'Offline files waiting, then the file servers (once)', { summary: ['file_cnt'] }),
  m(6, 18, 'FileAddOfflineRequest', 'c2s', [s('from_user_id'), s('to_user_id'), s('task_id'), s('file_name'), u32('file_size')], 'An offline file was uploaded', { summary: ['from_user_id', 'to_user_id', 'task_id', 'file_name'] }),
  m(6, 19, 'FileDelOfflineRequest', 'c2s', [s('from_user_id'), s('to_user_id'), s('task_id')], 'An offline file was fetched', { summary: ['from_user_id', 'to_user_id', 'task_id'] }),

  // Module 7 — OTHER
  m(7, 1, 'Heartbeat', 'both', [], 'Keep-alive (the server answers with its own Heartbeat)', { reply: 'Heartbeat', fifoOnly: true }),
  m(7, 53, 'DBQueryRequest', 'c2s', [u32('seq_no'), data('query_data')], 'DB proxy query (7/53 sent c2s)', { reply: 'DBQueryResponse', summary: ['seq_no', 'query_data_len'] }),
  m(7, 53, 'DBQueryResponse', 's2c', [u32('seq_no'), data('result_data')], 'DB proxy answer (7/53 sent s2c, as the real msg_server does, or 7/54)', { summary: ['seq_no', 'result_data_len'] }),
  m(7, 54, 'DBQueryResponse', 's2c', [u32('seq_no'), data('result_data')], 'DB proxy answer (7/54, the documented reply command)', { summary: ['seq_no', 'result_data_len'] }),
  m(7, 61, 'ServiceSetting', 'c2s', [u32('key', SETTING_KEY), u32('value')], 'A client setting (key 2 = online status: value 1 online / 3 leave)', { summary: ['key', 'value'] }),
];

/** 6/565, 6/566 and 7/≥100: server-to-server PDUs, header decoded, body raw. */
export const SERVER_INTERNAL: MessageDef = m(7, 100, 'ServerInternal', 'both', [raw('body')],
  'Server-to-server PDU (msg_server ↔ route/DB/login/file servers): header decoded, body raw');

/** Any other (module, command): header decoded, body raw. */
export const UNKNOWN: MessageDef = m(3, 99, 'Unknown', 'both', [raw('body')], 'Unrecognised module/command: header decoded, body raw (set module_id and command_id)');

const BY_ID = new Map<number, MessageDef>();
for (const d of MESSAGES) if (!(d.module === 7 && d.command === 53)) BY_ID.set(d.module * 0x10000 + d.command, d);
const DB_QUERY_REQUEST = MESSAGES.find((d) => d.name === 'DBQueryRequest')!;
const DB_QUERY_RESPONSE_53 = MESSAGES.find((d) => d.name === 'DBQueryResponse' && d.command === 53)!;

export function isServerInternal(module: number, command: number): boolean {
  return (module === 6 && (command === 565 || command === 566)) || (module === 7 && command >= 100);
}

/** The message a (module, command) carries; 7/53 is named by direction. Undefined: `Unknown`. */
export function lookup(module: number, command: number, direction: 'c2s' | 's2c'): MessageDef | undefined {
  if (module === 7 && command === 53) return direction === 's2c' ? DB_QUERY_RESPONSE_53 : DB_QUERY_REQUEST;
  return BY_ID.get(module * 0x10000 + command) ?? (isServerInternal(module, command) ? SERVER_INTERNAL : undefined);
}

/** Names answered by another message: they take the `response` role. */
export const REPLY_NAMES: ReadonlySet<string> = new Set(MESSAGES.map((d) => d.reply).filter((r): r is string => r !== undefined));

/** Message names as the composer lists them: one entry per name (DBQueryResponse covers 7/53 s2c and 7/54), then Unknown. */
export function uniqueByName(): MessageDef[] {
  const seen = new Set<string>();
  const out: MessageDef[] = [];
  for (const d of [...MESSAGES, SERVER_INTERNAL, UNKNOWN]) if (!seen.has(d.name)) { seen.add(d.name); out.push(d); }
  return out;
}
