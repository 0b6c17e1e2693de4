import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Launch } from './gatewayClient.ts';
import type { ChatTurn } from './responders.ts';

/** How long a chatbot session lasts after a launch. */
export const SESSION_TTL_MS = 8 * 3600_000;

export interface Session {
  id: string;
  csrf: string;
  launch: Launch;
  /** The course this session belongs to: platform issuer + context id (or the link, without a course). */
  courseKey: string;
}

/** The chatbot's own storage: sessions, per-course instructions and per-course, per-user conversations. */
export class ChatStore {
  private readonly db: Database.Database;

  constructor(file = ':memory:') {
    this.db = new Database(file);
    this.db.exec(`
      create table if not exists sessions (id text primary key, csrf text not null, launch text not null, course_key text not null, expires_at integer not null);
      create table if not exists instructions (course_key text primary key, text text not null, updated_by text not null, updated_at integer not null);
      create table if not exists messages (id integer primary key autoincrement, course_key text not null, user_sub text not null, role text not null, content text not null, at integer not null);
      create index if not exists messages_by_conversation on messages (course_key, user_sub, id);
      create table if not exists line_items (course_key text not null, resource_link_id text not null, url text not null, primary key (course_key, resource_link_id));
    `);
  }

  createSession(launch: Launch): Session {
    const session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(16).toString('base64url'), launch, courseKey: courseKeyOf(launch) };
    this.db.prepare('delete from sessions where expires_at < ?').run(Date.now());
    this.db.prepare('insert into sessions values (?, ?, ?, ?, ?)').run(session.id, session.csrf, JSON.stringify(launch), session.courseKey, Date.now() + SESSION_TTL_MS);
    return session;
  }

  session(id: string): Session | null {
    const row = this.db.prepare('select * from sessions where id = ? and expires_at > ?').get(id, Date.now()) as
      | { id: string; csrf: string; launch: string; course_key: string }
      | undefined;
    return row ? { id: row.id, csrf: row.csrf, launch: JSON.parse(row.launch) as Launch, courseKey: row.course_key } : null;
  }

  instructions(courseKey: string): string {
    const row = this.db.prepare('select text from instructions where course_key = ?').get(courseKey) as { text: string } | undefined;
    return row?.text ?? '';
  }

  setInstructions(courseKey: string, text: string, userSub: string): void {
    this.db
      .prepare('insert into instructions values (?, ?, ?, ?) on conflict (course_key) do update set text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at')
      .run(courseKey, text, userSub, Date.now());
  }

  conversation(courseKey: string, userSub: string): ChatTurn[] {
    return this.db
      .prepare('select role, content from messages where course_key = ? and user_sub = ? order by id')
      .all(courseKey, userSub) as ChatTurn[];
  }

  append(courseKey: string, userSub: string, turn: ChatTurn): void {
    this.db.prepare('insert into messages (course_key, user_sub, role, content, at) values (?, ?, ?, ?, ?)').run(courseKey, userSub, turn.role, turn.content, Date.now());
  }

  /** How many messages each user sent in a course (their own, not the assistant's answers). */
  messageCounts(courseKey: string): Map<string, number> {
    const rows = this.db.prepare("select user_sub, count(*) as n from messages where course_key = ? and role = 'user' group by user_sub").all(courseKey) as Array<{ user_sub: string; n: number }>;
    return new Map(rows.map((r) => [r.user_sub, r.n]));
  }

  /** The grade column the chatbot made for a link of a course, once made. */
  lineItemUrl(courseKey: string, resourceLinkId: string): string | null {
    const row = this.db.prepare('select url from line_items where course_key = ? and resource_link_id = ?').get(courseKey, resourceLinkId) as { url: string } | undefined;
    return row?.url ?? null;
  }

  setLineItemUrl(courseKey: string, resourceLinkId: string, url: string): void {
    this.db.prepare('insert into line_items values (?, ?, ?) on conflict (course_key, resource_link_id) do update set url = excluded.url').run(courseKey, resourceLinkId, url);
  }

  close(): void {
    this.db.close();
  }
}

function courseKeyOf(launch: Launch): string {
  return `${launch.platform.issuer}|${launch.context ? `course:${launch.context.id}` : `link:${launch.resource_link.id}`}`;
}
