/**
 * tt demo (PROTOCOLS.md §3): one server that plays the TeamTalk login server, msg_server, file server and DB proxy
 * on one port, and an IM client that goes through a whole working day: asks the login server for a msg_server, fails
 * a login, logs in, loads contacts, chats (with MsgDataAck both ways), handles groups (a temporary group included),
 * signals and pulls a file, queries the DB proxy like a msg_server does, and is finally kicked by its own second
 * login. The msg_server copies each request's `reserved` into its reply, so pairing works as on the real wire.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DecodedFrame } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const tt = getProtocol('tt')!;

/** tt has no registered port: the release's sample msg_server port. */
const MSG_SERVER_PORT = 8300;

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const now = (): number => Math.floor(Date.now() / 1000);

interface User {
  id: string;
  username: string;
  password: string;
  name: string;
  nick: string;
  title: string;
  status: number;
}

const USERS: readonly User[] = [
  { id: '1001', username: 'zhangsan', password: md5('123456'), name: '张三', nick: '小张', title: 'Engineer', status: 1 },
  { id: '1002', username: 'lisi', password: md5('lisi@2014'), name: '李四', nick: '小李', title: 'Designer', status: 1 },
  { id: '1003', username: 'wangwu', password: md5('ww-pass'), name: '王五', nick: '老王', title: 'Manager', status: 3 },
];
const ME = USERS[0];
const PEER = USERS[1];
const userById = (id: string): User | undefined => USERS.find((u) => u.id === id);

const userInfo = (u: User): Doc => ({
  user_id_url: u.id, name: u.name, nick_name: u.nick, avatar_url: `http://avatar.example.com/${u.id}.png`, title: u.title,
  position: 'Hangzhou', role_status: 0, sex: u.id === '1002' ? 0 : 1, depart_id_url: '10', job_num: Number(u.id),
  telephone: `1380013${u.id}`, email: `${u.username}@example.com`,
});

interface Group { id: string; name: string; creator: string; type: number; members: string[] }

/** The normal group an administrator creates while the demo user is logged in (GroupCreateNormalGroupNotify). */
const ALL_HANDS: Group = { id: '3000', name: '全体员工', creator: '1003', type: 1, members: [] };
const MAX_TMP_GROUPS = 10;

/** A file the peer offers; the file server streams it in two pulls. */
const FILE = { name: 'report.pdf', bytes: Buffer.from('%PDF-1.4\n% framescope demo file\n%%EOF\n') };

// ---------------------------------------------------------------------------------------------------------------
// The server

function createServer(): { accept(conn: DemoConnection): void } {
  const groups = new Map<string, Group>([['2001', { id: '2001', name: '项目组', creator: '1001', type: 1, members: ['1001', '1002', '1003'] }]]);
  let nextGroup = 3001;
  /** msg_server connections by logged-in user id: a second login kicks the first. */
  const online = new Map<string, DemoConnection>();
  let serverSeq = 1;

  const groupInfo = (g: Group, updated?: boolean): Doc => ({
    group_id: g.id, group_name: g.name, group_avatar: `http://avatar.example.com/g${g.id}.png`, group_creator_id_url: g.creator,
    group_type: g.type, ...(updated ? { group_updated: now() } : {}), user: g.members.map((id) => ({ user_id_url: id })),
  });

  return {
    accept(conn) {
      let user: User | undefined;
      void conn.closed.then(() => { if (user && online.get(user.id) === conn) online.delete(user.id); });
      conn.onFrame = (f) => {
        const v = f.value;
        /** A reply carries the request's reserved (the client's sequence number). */
        const reply = (message: string, doc: Doc): void => { conn.send(message, { reserved: v.reserved, ...doc }); };
        const { host, port } = localEndpoint(conn);
        switch (f.message) {
          // login server
          case 'MsgServRequest':
            reply('MsgServResponse', { result: 0, ip1: host, ip2: host, port });
            break;
          // msg_server
          case 'LoginRequest': {
            const u = USERS.find((x) => x.username === v.username);
            if (!u || u.password !== v.password) {
              reply('LoginResponse', { server_time: now(), result: 6 }); // validation failed: the tail is absent
              conn.socket.end();
              break;
            }
            user = u;
            reply('LoginResponse', { server_time: now(), result: 0, online_status: v.online_status, ...loginTail(u) });
            const previous = online.get(u.id);
            online.set(u.id, conn);
            if (previous) {
              previous.send('KickUser', { user_id: Number(u.id), reason: 1 }); // duplicate login
              previous.socket.end();
            }
            // Pushes a logged-in client receives: a friend came online, the admin added it to a new group.
            conn.send('FriendNotify', { user_id_url: '1003', status: 1 });
            const g = groups.get(ALL_HANDS.id) ?? { ...ALL_HANDS, members: USERS.map((x) => x.id) };
            groups.set(g.id, g);
            conn.send('GroupCreateNormalGroupNotify', { group_id_url: g.id, group_name: g.name, group_avatar: '', user: g.members.map((id) => ({ id_url: id })) });
            break;
          }
          case 'Heartbeat':
            conn.send('Heartbeat', {}); // the server's own heartbeat, reserved 0
            break;
          case 'TimeRequest':
            conn.send('TimeResponse', { server_time: now() });
            break;
          case 'BuddyListRequest': {
            const friends = USERS.filter((x) => x.id !== user?.id);
            reply('FriendList', { friend: friends.map((x) => ({ user_id_url: x.id, user_updated: now() - 86400 })) });
            reply('OnlineFriendList', { list_type: 1, friend: friends.map((x) => ({ user_id_url: x.id, status: x.status })) });
            break;
          }
          case 'UserInfoRequest':
            reply('UserInfoResponse', { user: idsOf(v.user, 'user_id_url').flatMap((id) => { const u = userById(id); return u ? [userInfo(u)] : []; }) });
            break;
          case 'AllUserRequest':
            reply('AllUserResponse', { user: USERS.map(userInfo) });
            break;
          case 'UserStatusRequest':
            reply('UserStatusResponse', { user_id_url: v.user_id_url, status: userById(String(v.user_id_url))?.status ?? 2 });
            break;
          case 'UsersStatusRequest':
            reply('UsersStatusResponse', { user: idsOf(v.user, 'user_id_url').map((id) => ({ user_id_url: id, status: userById(id)?.status ?? 2 })) });
            break;
          case 'DepartmentRequest':
            reply('DepartmentResponse', {
              depart: [
                { depart_id_url: '1', title: '公司', description: 'Company', parent_depart_id_url: '0', leader_id_url: '1003', status: 0 },
                { depart_id_url: '10', title: '研发部', description: 'R&D', parent_depart_id_url: '1', leader_id_url: '1001', status: 0 },
              ],
            });
            break;
          case 'RemoveSessionRequest':
            reply('RemoveSessionResponse', { result: 0, session_type: v.session_type, session_id: v.session_id });
            break;
          case 'UnreadMsgCntRequest':
            reply('UnreadMsgCntResponse', { unread_list: [{ id_url: PEER.id, unread_cnt: 2 }] });
            break;
          case 'UnreadMsgRequest':
            reply('UnreadMsgResponse', {
              to_user_id_url: user?.id ?? ME.id,
              msg: ['早上好', '下午开会吗?'].map((text, i) => ({
                from_user_id_url: PEER.id, from_name: PEER.name, from_nick_name: PEER.nick,
                from_avatar_url: `http://avatar.example.com/${PEER.id}.png`, create_time: now() - 3600 + i * 60, msg_type: 1, msg_data: hex(text),
              })),
            });
            break;
          case 'MsgData':
            reply('MsgDataAck', { seq_no: v.seq_no, from_id_url: v.to_id_url });
            // The peer answers a moment later: the server delivers it with its own create_time and reserved 0.
            conn.later(5, () => conn.send('MsgData', {
              reserved: 0, seq_no: serverSeq++, from_id_url: v.to_id_url, to_id_url: v.from_id_url, create_time: now(),
              msg_type: 1, msg_data: hex('收到 👍'), attach_data: '',
            }));
            break;
          case 'P2PCmdMsg':
            // Relayed to the peer; the peer's client answers with its own "typing" notice.
            conn.send('P2PCmdMsg', { seq_no: v.seq_no, from_id_url: v.to_id_url, to_id_url: v.from_id_url, cmd_msg_data: hex('{"cmd":"typing"}') });
            break;
          case 'GroupListRequest':
            reply('GroupListResponse', { group: [...groups.values()].filter((g) => g.type === 1).map((g) => groupInfo(g)) });
            break;
          case 'GroupDialogListRequest':
            reply('GroupDialogListResponse', { group: [...groups.values()].map((g) => groupInfo(g, true)) });
            break;
          case 'GroupUserListRequest': {
            const g = groups.get(String(v.group_id));
            if (!g) { reply('GroupUserListResponse', { group_id: v.group_id, result: 1 }); break; } // no such group: no tail
            reply('GroupUserListResponse', {
              group_id: g.id, result: 0, group_name: g.name, group_avatar: `http://avatar.example.com/g${g.id}.png`,
              group_creator_id_url: g.creator, group_type: g.type, user: g.members.map((id) => ({ id_url: id })),
            });
            break;
          }
          case 'GroupUnreadMsgCntRequest':
            reply('GroupUnreadMsgCntResponse', { group_unread: [{ group_id_url: '2001', unread_msg_cnt: 1 }] });
            break;
          case 'GroupUnreadMsgRequest':
            reply('GroupUnreadMsgResponse', {
              group_id_url: v.group_id_url,
              msg: [{ from_user_id_url: '1003', create_time: now() - 600, msg_type: 0x11, msg_content: hex('大家好, 周五发版') }],
            });
            break;
          case 'GroupCreateTmpGroupRequest': {
            const members = [user?.id ?? ME.id, ...idsOf(v.user, 'id_url')];
            const g: Group = { id: String(nextGroup++), name: String(v.group_name), creator: members[0], type: 2, members };
            groups.set(g.id, g);
            // A looping demo must not grow without end: old temporary groups go.
            for (const old of [...groups.values()].filter((x) => x.type === 2).slice(0, -MAX_TMP_GROUPS)) groups.delete(old.id);
            reply('GroupCreateTmpGroupResponse', { result: 0, group_id_url: g.id, group_name: g.name, user: members.map((id) => ({ id_url: id })) });
            break;
          }
          case 'GroupChangeMemberRequest': {
            const g = groups.get(String(v.group_id_url));
            const ids = idsOf(v.user, 'id_url');
            if (!g) { reply('GroupChangeMemberResponse', { result: 1, group_id_url: v.group_id_url, change_type: v.change_type, user: [] }); break; }
            g.members = v.change_type === 0 ? [...new Set([...g.members, ...ids])] : g.members.filter((id) => !ids.includes(id));
            reply('GroupChangeMemberResponse', { result: 0, group_id_url: g.id, change_type: v.change_type, user: ids.map((id) => ({ id_url: id })) });
            conn.send('GroupChangeMemberNotify', { group_id_url: g.id, user: g.members.map((id) => ({ id_url: id })) });
            break;
          }
          case 'FileRequest': {
            const task = randomUUID();
            reply('FileResponse', {
              result: 0, from_user_id: v.from_user_id, to_user_id: v.to_user_id, file_name: v.file_name, task_id: task,
              ip_addr: [{ ip: host, port }], trans_mode: v.trans_mode,
            });
            // Meanwhile the peer offers us a file.
            conn.send('FileNotify', {
              from_user_id: PEER.id, to_user_id: v.from_user_id, file_name: FILE.name, file_size: FILE.bytes.length, task_id: randomUUID(),
              ip_addr: [{ ip: host, port }], trans_mode: 1, offline_ready: 0,
            });
            break;
          }
          case 'FileHasOfflineRequest':
            reply('FileHasOfflineResponse', {
              file: [{ from_user_id: PEER.id, task_id: randomUUID(), file_name: 'slides.pptx', file_size: 2_457_600 }],
              ip_addr: [{ ip: host, port }],
            });
            break;
          // file server
          case 'FileLoginRequest':
            reply('FileLoginResponse', { m_result: 0, m_task_id: v.m_task_id });
            conn.send('FileState', { m_state: 0, m_task_id: v.m_task_id, m_user_id: PEER.id }); // the sender is ready
            break;
          case 'FilePullDataRequest': {
            const offset = Number(v.m_offset);
            const chunk = FILE.bytes.subarray(offset, offset + Number(v.m_datasize));
            reply('FilePullDataResponse', {
              m_result: chunk.length ? 0 : 12, m_task_id: v.m_task_id, m_user_id: v.m_user_id, m_offset: offset, m_data: chunk.toString('hex'),
            });
            break;
          }
          // DB proxy (msg_server side)
          case 'DBQueryRequest':
            reply('DBQueryResponse', { seq_no: v.seq_no, result_data: '0000000100000000' });
            break;
          default:
            break; // MsgDataAck, MsgReadAck, GroupMsgReadAck, FileAdd/DelOffline, FileState, ServiceSetting: no answer
        }
      };
    },
  };
}

function localEndpoint(conn: DemoConnection): { host: string; port: number } {
  return { host: (conn.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, ''), port: conn.socket.localPort ?? MSG_SERVER_PORT };
}

function idsOf(list: unknown, key: string): string[] {
  return Array.isArray(list) ? list.map((x) => String((x as Doc)[key])) : [];
}

function loginTail(u: User): Doc {
  const info = userInfo(u);
  return {
    user_id_url: u.id, nickname: u.nick, avatar_url: info.avatar_url, title: u.title, position: info.position, role_status: 0,
    sex: info.sex, depart_id_url: '10', job_num: info.job_num, telephone: info.telephone, email: info.email, token: md5(`${u.id}:token`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The client

/** A msg_server session: every request gets the next `reserved`, and its reply must echo it. */
class Session {
  private reserved = 0;
  constructor(readonly conn: DemoConnection) {}

  async ask(message: string, doc: Doc, reply: string, echo = true): Promise<DecodedFrame> {
    // The heartbeat is the fixed 12-byte PDU with reserved 0 (PROTOCOLS.md §3.3).
    const reserved = message === 'Heartbeat' ? 0 : ++this.reserved;
    const f = await this.conn.request(message, { ...doc, reserved }, (x) => x.message === reply && (!echo || x.value.reserved === reserved));
    return f;
  }

  tell(message: string, doc: Doc): void {
    this.conn.send(message, { ...doc, reserved: ++this.reserved });
  }
}

const LOGIN = { online_status: 1, client_type: 1, client_version: '2.0.1' };

async function runSession(ctx: DemoSessionContext): Promise<void> {
  // 1. The login server tells the client which msg_server to use.
  const login = new Session(await ctx.connect());
  const where = await login.ask('MsgServRequest', {}, 'MsgServResponse');
  if (where.value.result !== 0) throw new Error('tt: no msg_server');
  await login.conn.end();

  // 2. A mistyped password: result 6 and the msg_server hangs up.
  const failed = new Session(await ctx.connect());
  const refused = await failed.ask('LoginRequest', { username: ME.username, password: md5('12345'), ...LOGIN }, 'LoginResponse');
  if (refused.value.result !== 6) throw new Error(`tt: a wrong password gave result ${String(refused.value.result)}`);
  await failed.conn.closed;

  // 3. The real session.
  const s = new Session(await ctx.connect());
  const ok = await s.ask('LoginRequest', { username: ME.username, password: ME.password, ...LOGIN }, 'LoginResponse');
  if (ok.value.result !== 0) throw new Error('tt: login failed');
  await s.ask('Heartbeat', {}, 'Heartbeat', false);
  await s.ask('TimeRequest', {}, 'TimeResponse', false);
  const friendsDone = s.conn.next('OnlineFriendList');
  await s.ask('BuddyListRequest', { req_type: 1 }, 'FriendList');
  await friendsDone;
  await s.ask('UserInfoRequest', { user: [{ user_id_url: '1002' }, { user_id_url: '1003' }] }, 'UserInfoResponse');
  await s.ask('AllUserRequest', {}, 'AllUserResponse');
  await s.ask('UserStatusRequest', { user_id_url: PEER.id }, 'UserStatusResponse');
  await s.ask('UsersStatusRequest', { user: USERS.map((u) => ({ user_id_url: u.id })) }, 'UsersStatusResponse');
  await s.ask('DepartmentRequest', {}, 'DepartmentResponse');
  await s.ask('RemoveSessionRequest', { session_type: 1, session_id: '1003' }, 'RemoveSessionResponse');

  // Chat: unread first, then a message each way, each acknowledged by seq_no.
  await s.ask('UnreadMsgCntRequest', {}, 'UnreadMsgCntResponse');
  await s.ask('UnreadMsgRequest', { from_id_url: PEER.id }, 'UnreadMsgResponse');
  s.tell('MsgReadAck', { from_id_url: PEER.id });
  const seq = ctx.round;
  const incoming = s.conn.next((f) => f.message === 'MsgData');
  const ack = await s.ask('MsgData', { seq_no: seq, from_id_url: ME.id, to_id_url: PEER.id, create_time: now(), msg_type: 1, msg_data: hex('今天下午三点开会'), attach_data: '' }, 'MsgDataAck');
  if (ack.value.seq_no !== seq) throw new Error('tt: MsgDataAck has another seq_no');
  const received = await incoming;
  s.conn.send('MsgDataAck', { reserved: 0, seq_no: received.value.seq_no, from_id_url: received.value.from_id_url });
  const typing = s.conn.next('P2PCmdMsg');
  s.tell('P2PCmdMsg', { seq_no: seq, from_id_url: ME.id, to_id_url: PEER.id, cmd_msg_data: hex('{"cmd":"typing"}') });
  await typing;

  // Groups, with one error reply (a group that does not exist) and a temporary group.
  await s.ask('GroupListRequest', {}, 'GroupListResponse');
  await s.ask('GroupDialogListRequest', {}, 'GroupDialogListResponse');
  await s.ask('GroupUserListRequest', { group_id: '2001' }, 'GroupUserListResponse');
  const missing = await s.ask('GroupUserListRequest', { group_id: '9999' }, 'GroupUserListResponse');
  if (missing.value.result === 0) throw new Error('tt: an unknown group was listed');
  await s.ask('GroupUnreadMsgCntRequest', {}, 'GroupUnreadMsgCntResponse');
  await s.ask('GroupUnreadMsgRequest', { group_id_url: '2001' }, 'GroupUnreadMsgResponse');
  s.tell('GroupMsgReadAck', { group_id_url: '2001' });
  const tmp = await s.ask('GroupCreateTmpGroupRequest', { group_name: '发版讨论', group_avatar: '', user: [{ id_url: PEER.id }] }, 'GroupCreateTmpGroupResponse');
  const changed = s.conn.next('GroupChangeMemberNotify');
  await s.ask('GroupChangeMemberRequest', { group_id_url: tmp.value.group_id_url, change_type: 0, user: [{ id_url: '1003' }] }, 'GroupChangeMemberResponse');
  await changed;

  // File signalling on the msg_server.
  const offer = s.conn.next('FileNotify');
  await s.ask('FileRequest', { from_user_id: ME.id, to_user_id: PEER.id, file_name: 'design.sketch', file_size: 524_288, trans_mode: 1 }, 'FileResponse');
  const notify = await offer;
  const offline = randomUUID();
  s.tell('FileAddOfflineRequest', { from_user_id: ME.id, to_user_id: '1003', task_id: offline, file_name: 'notes.txt', file_size: 2048 });
  await s.ask('FileHasOfflineRequest', {}, 'FileHasOfflineResponse');
  s.tell('FileDelOfflineRequest', { from_user_id: ME.id, to_user_id: '1003', task_id: offline });
  s.tell('ServiceSetting', { key: 2, value: 3 }); // status: leave
  await s.conn.next('FriendNotify');
  await s.conn.next('GroupCreateNormalGroupNotify');

  // 4. The file server: receive the offered file in pulls until m_result 12 (pull finished).
  const file = new Session(await ctx.connect());
  const task = String(notify.value.task_id);
  const ready = file.conn.next('FileState');
  await file.ask('FileLoginRequest', { m_user_id: ME.id, m_token: md5(`${ME.id}:token`), m_task_id: task, m_client_mode: 2 }, 'FileLoginResponse');
  await ready;
  let offset = 0;
  for (;;) {
    const part = await file.ask('FilePullDataRequest', { m_task_id: task, m_user_id: ME.id, m_mode: 1, m_offset: offset, m_datasize: 32 }, 'FilePullDataResponse');
    if (part.value.m_result !== 0) break;
    offset += String(part.value.m_data).length / 2;
  }
  file.tell('FileState', { m_state: 3, m_task_id: task, m_user_id: ME.id });
  await file.conn.end();

  // 5. What a msg_server does behind the client's back: a query to the DB proxy.
  const db = new Session(await ctx.connect());
  await db.ask('DBQueryRequest', { seq_no: ctx.round, query_data: '00000001000003e9' }, 'DBQueryResponse');
  await db.conn.end();

  // 6. Logging in again elsewhere kicks the first session (reason 1, duplicate login).
  const again = new Session(await ctx.connect());
  const kicked = s.conn.next('KickUser');
  await again.ask('LoginRequest', { username: ME.username, password: ME.password, ...LOGIN, client_type: 0x12 }, 'LoginResponse');
  await kicked;
  await s.conn.closed;
  await again.conn.end();
}

export const ttDemo: DemoPeer = {
  protocol: tt.id,
  defaultPort: MSG_SERVER_PORT,
  createServer,
  runSession,
};
