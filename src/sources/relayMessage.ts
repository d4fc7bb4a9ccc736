// Which bytes the Discord relay appends for a channel message (shared/spec/lua-report.md, legacy shape).
// The legacy script executes a webhook with `{username, content: "STATS_READY", embeds: [one]}`;
// Discord keeps that as a message whose author name, content and embeds are the body. The relay
// rebuilds the body from them — the keys the script sends, in its order; what Discord adds (embed
// `type`, icon URLs) is left out — so the report normalises exactly as the same body does from
// POST /v1/legacy/<token> or inside a gametime file, and gets the same fact id. A message whose
// content is itself a JSON report (pasted by hand, or forwarded by another bot) is taken as it is.
import { detectLuaShape, parseJsonBytes } from '../parser/luaReport.ts';

/** The embed keys a webhook body may carry (Discord's embed object, the parts a report uses). */
export type RelayEmbed = {
  title?: string;
  description?: string;
  color?: number;
  timestamp?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
};

/** A channel message as the relay sees it, whichever way it came (gateway or the history read). */
export type RelayMessage = {
  id: string;
  channelId: string;
  /** Discord's `webhook_id`: set only on messages a webhook posted. */
  webhookId: string | null;
  authorName: string;
  content: string;
  embeds: RelayEmbed[];
  /** When Discord received it (from the message's snowflake id). */
  createdAtMs: number;
};

export type RelayRejection = 'no_content' | 'not_stats_ready';

export type RelayBody =
  | { ok: true; bytes: Uint8Array; shape: 'embeds' | 'json' }
  | { ok: false; reason: RelayRejection; detail: string };

const MARKER = 'STATS_READY';

/**
 * The webhook body to append, or why the message is not a report. A STATS_READY message is always
 * taken, even with a malformed embed: identifyFact then keeps it in quarantine with the reason.
 */
export function relayBody(m: Pick<RelayMessage, 'authorName' | 'content' | 'embeds'>): RelayBody {
  if (m.content.trim() === MARKER) {
    const body = { username: m.authorName, content: MARKER, embeds: m.embeds.map(legacyEmbed) };
    return { ok: true, bytes: Buffer.from(JSON.stringify(body)), shape: 'embeds' };
  }
  if (m.content.trimStart().startsWith('{')) {
    const bytes = Buffer.from(m.content);
    const json = parseJsonBytes(bytes);
    if (json.ok && detectLuaShape(json.value) !== null) return { ok: true, bytes, shape: 'json' };
  }
  if (m.content === '' && m.embeds.length === 0)
    return {
      ok: false,
      reason: 'no_content',
      detail:
        'the message has no content and no embed: turn on the Message Content intent (developer portal → Bot → Privileged Gateway Intents)',
    };
  return {
    ok: false,
    reason: 'not_stats_ready',
    detail: `the content is neither ${MARKER} nor a JSON Lua report (${m.content.length} characters, ${m.embeds.length} embeds)`,
  };
}

function legacyEmbed(e: RelayEmbed): RelayEmbed {
  const out: RelayEmbed = {};
  if (e.title !== undefined) out.title = e.title;
  if (e.description !== undefined) out.description = e.description;
  if (e.color !== undefined) out.color = e.color;
  if (e.timestamp !== undefined) out.timestamp = e.timestamp;
  if (e.fields !== undefined)
    out.fields = e.fields.map((f) => ({
      name: f.name,
      value: f.value,
      ...(f.inline !== undefined ? { inline: f.inline } : {}),
    }));
  if (e.footer !== undefined) out.footer = { text: e.footer.text };
  return out;
}
