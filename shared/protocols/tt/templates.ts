/** Realistic example values for tt templates (the composer's starting documents). */
import { toHex, utf8 } from '../../codec/bytes';
import type { Doc } from '../../codec/schema';
import { exampleDoc } from './layout';
import type { MessageDef } from './messages';

const hexOf = (text: string): string => toHex(utf8(text));

/** One value per body field name; a message's `example` overrides these. */
export const EXAMPLES: Readonly<Doc> = {
  result: 0,
  ip1: '192.168.1.10', ip2: '10.0.0.10', port: 8000,
  username: 'zhangsan', password: 'e10adc3949ba59abbe56e057f20f883e', online_status: 1, client_type: 1, client_version: '2.0.1',
  server_time: 1398218400,
  user_id_url: '1001', nickname: '张三', name: '张三', nick_name: '小张',
  avatar_url: 'http://avatar.example.com/1001.png', title: 'Engineer', position: 'Hangzhou',
  role_status: 0, sex: 1, depart_id_url: '10', job_num: 1001, telephone: '13800138000', email: 'zhangsan@example.com',
  token: '8b1a9953c4611296a827abf8c47804d7',
  user_id: 1001, reason: 1,
  req_type: 1, user_updated: 1398218400, list_type: 1, status: 1,
  session_type: 1, session_id: '1002',
  seq_no: 1, from_id_url: '1001', to_id_url: '1002', create_time: 1398218400, msg_type: 0x01,
  msg_data: hexOf('你好'), attach_data: '',
  id_url: '1002', unread_cnt: 3,
  to_user_id_url: '1001', from_user_id_url: '1002', from_name: '李四', from_nick_name: '小李',
  from_avatar_url: 'http://avatar.example.com/1002.png',
  cmd_msg_data: hexOf('{"cmd":"typing"}'),
  group_id: '2001', group_name: '项目组', group_avatar: 'http://avatar.example.com/g2001.png', group_creator_id_url: '1001',
  group_type: 1, group_updated: 1398218400,
  group_id_url: '2001', unread_msg_cnt: 2, msg_content: hexOf('大家好'), change_type: 0,
  m_user_id: '1001', m_token: '8b1a9953c4611296a827abf8c47804d7', m_task_id: '5f0e2c1a-7d3b-4e59-9a61-0c8d2b4e6f10',
  m_client_mode: 1, m_result: 0, m_state: 0, m_mode: 1, m_offset: 0, m_datasize: 65536, m_data: '255044462d312e340a',
  from_user_id: '1001', to_user_id: '1002', file_name: 'report.pdf', file_size: 102400, trans_mode: 1,
  task_id: '5f0e2c1a-7d3b-4e59-9a61-0c8d2b4e6f10', ip: '192.168.1.20', offline_ready: 0,
  query_data: '00000001000003e9', result_data: '0000000100000000',
  key: 2, value: 1,
  body: '0000000100000002',
};

export function templateFor(def: MessageDef): Doc {
  const header: Doc = { module_id: def.module, command_id: def.command, version: 1, reserved: 0 };
  return { ...header, ...exampleDoc(def.body, EXAMPLES, def.example) };
}
