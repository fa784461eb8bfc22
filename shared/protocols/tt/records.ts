/** tt reusable records (PROTOCOLS.md §3.3 UserInfo, GroupInfo, IpAddr) and the common value names. */
import { list, s, u16, u32, type Enum, type FieldSpec } from './layout';

export const MODULES: Enum = { 1: 'LOGIN', 2: 'BUDDY_LIST', 3: 'MSG', 4: 'SWITCH_SERVICE', 5: 'GROUP', 6: 'FILE', 7: 'OTHER' };

export const ONLINE_STATUS: Enum = { 1: 'online', 2: 'offline', 3: 'leave' };
export const CLIENT_TYPE: Enum = { 0x01: 'Windows', 0x02: 'Mac', 0x11: 'iOS', 0x12: 'Android' };
export const MSG_TYPE: Enum = { 0x01: 'P2P text', 0x02: 'P2P audio', 0x11: 'group text', 0x12: 'group audio' };
export const SESSION_TYPE: Enum = { 1: 'single', 2: 'group', 3: 'temp group' };
export const CHANGE_TYPE: Enum = { 0: 'add', 1: 'delete' };
export const TRANS_MODE: Enum = { 1: 'online', 2: 'offline' };
export const KICK_REASON: Enum = { 1: 'duplicate login' };
export const ROLE_STATUS: Enum = { 0: 'employed', 1: 'left' };
export const SEX: Enum = { 0: 'female', 1: 'male' };
export const DEPART_STATUS: Enum = { 0: 'normal', 1: 'deleted' };
export const GROUP_TYPE: Enum = { 1: 'normal', 2: 'temporary' };
export const M_CLIENT_MODE: Enum = { 1: 'realtime sender', 2: 'realtime receiver', 3: 'offline upload', 4: 'offline download' };
export const M_STATE: Enum = { 0: 'peer ready', 1: 'cancel', 2: 'refuse', 3: 'done' };
export const M_MODE: Enum = { 1: 'online', 2: 'offline' };
export const M_RESULT: Enum = {
  0: 'OK', 4: 'invalid user for task', 5: 'pull with invalid task id', 6: 'illegal user', 7: 'mkdir error',
  8: 'open file error', 9: 'read file header error', 10: 'alloc error', 11: 'seek error', 12: 'pull finished',
};
export const OFFLINE_READY: Enum = { 0: 'false', 1: 'true' };
export const SETTING_KEY: Enum = { 2: 'online status' };
export const MSG_SERV_RESULT: Enum = { 0: 'ok', 1: 'no msg_server', 2: 'msg_server full' };
export const LOGIN_RESULT: Enum = {
  0: 'ok', 3: 'no DB server', 4: 'no login server', 5: 'no route server', 6: 'validation failed', 7: 'client too old',
};
export const OK_FAIL: Enum = { 0: 'ok', 1: 'fail' };

/** UserInfo (2/10, 2/15). */
export const USER_INFO: readonly FieldSpec[] = [
  s('user_id_url'), s('name'), s('nick_name'), s('avatar_url'), s('title'), s('position'),
  u32('role_status', ROLE_STATUS), u32('sex', SEX), s('depart_id_url'), u32('job_num'), s('telephone'), s('email'),
];

/** GroupInfo; `group_updated` only in 5/17. */
export function groupInfo(withUpdated: boolean): readonly FieldSpec[] {
  return [
    s('group_id'), s('group_name'), s('group_avatar'), s('group_creator_id_url'), u32('group_type', GROUP_TYPE),
    ...(withUpdated ? [u32('group_updated')] : []),
    list('user_cnt', [s('user_id_url')]),
  ];
}

/** IpAddr: `ip` str + `port` u16 (6/11, 6/12, 6/17). */
export const IP_ADDR: readonly FieldSpec[] = [s('ip'), u16('port')];
