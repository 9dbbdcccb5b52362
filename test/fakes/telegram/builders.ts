/**
 * Builders for the updates a real Telegram client would produce.
 *
 * Why here and not inline in tests: the shapes matter (entities with UTF-16 offsets, ascending photo
 * sizes, forum messages that "reply" to the topic's creation message, albums as N updates sharing a
 * media_group_id with the caption on the first one) and getting them wrong in one test would test a
 * Telegram that does not exist.
 */
import type { Chat, MessageEntity, User } from 'grammy/types';

export type FakeChat = Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;

/** Entities Telegram computes for a text: a leading bot command, @mentions and http(s) links. */
export function autoEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (cmd) out.push({ type: 'bot_command', offset: 0, length: cmd[0].length });
  for (const m of text.matchAll(/@[A-Za-z0-9_]{5,32}/g)) {
    const at = m.index ?? 0;
    // a mention inside the leading command (/video@nemo_bot) is part of the command entity
    if (cmd && at < cmd[0].length) continue;
    if (at > 0 && /[A-Za-z0-9_]/.test(text[at - 1] ?? '')) continue;
    out.push({ type: 'mention', offset: at, length: m[0].length });
  }
  for (const m of text.matchAll(/https?:\/\/\S+/g)) out.push({ type: 'url', offset: m.index ?? 0, length: m[0].length });
  return out.sort((a, b) => a.offset - b.offset);
}

export function privateChat(user: User): Chat.PrivateChat {
  return { id: user.id, type: 'private', first_name: user.first_name, ...(user.username ? { username: user.username } : {}) };
}

export function groupChat(id: number, opts: { title?: string; forum?: boolean; basic?: boolean } = {}): FakeChat {
  if (opts.basic) return { id, type: 'group', title: opts.title ?? `Group ${id}` };
  return { id, type: 'supergroup', title: opts.title ?? `Group ${id}`, ...(opts.forum ? { is_forum: true as const } : {}) };
}

let userSeq = 5000;
/** A human user; `language_code` drives the core's en/zh choice. */
export function makeUser(first_name: string, opts: { id?: number; username?: string; language_code?: string } = {}): User {
  return {
    id: opts.id ?? ++userSeq,
    is_bot: false,
    first_name,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.language_code ? { language_code: opts.language_code } : {}),
  };
}

/** Photo sizes as Telegram sends them: ascending, the last one the original's dimensions. */
export const DEFAULT_PHOTO_SIZES = [
  { width: 90, height: 60 },
  { width: 320, height: 213 },
  { width: 800, height: 533 },
  { width: 1280, height: 853 },
] as const;
