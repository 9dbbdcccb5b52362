/**
 * Core buttons → Telegram inline keyboards.
 *
 * A button's meaning lives in the core's store; Telegram only carries `nb:<id>` in `callback_data`,
 * which must be 1–64 bytes. An id that does not fit is a programming error and fails loudly here,
 * rather than as an opaque BUTTON_DATA_INVALID from Telegram after the video was uploaded.
 */
import type { InlineKeyboardMarkup } from 'grammy/types';
import { BUTTON_PREFIX } from '../../src/core/message.js';
import type { Button } from '../../src/core/outbox.js';

const MAX_CALLBACK_DATA_BYTES = 64;

export function encodeButtonData(id: string): string {
  const data = `${BUTTON_PREFIX}${id}`;
  if (Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES) {
    throw new Error(`button id too long for Telegram callback_data (${MAX_CALLBACK_DATA_BYTES} bytes max): ${id.length} chars`);
  }
  return data;
}

/** The inline keyboard for rows of buttons; undefined when there are none. */
export function inlineKeyboard(rows: Button[][] | undefined): InlineKeyboardMarkup | undefined {
  const clean = (rows ?? []).filter((r) => r.length > 0);
  if (clean.length === 0) return undefined;
  return { inline_keyboard: clean.map((row) => row.map((b) => ({ text: b.label, callback_data: encodeButtonData(b.id) }))) };
}
