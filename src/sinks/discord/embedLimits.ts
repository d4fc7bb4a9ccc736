// Discord's message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
// title 256, description 4096, 25 fields, field name 256, field value 1024, footer 2048, author 256,
// and 6000 characters summed over every embed of one message; 10 embeds; content 2000.
import type { APIEmbed, APIEmbedField } from 'discord.js';

export const limits = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  embeds: 10,
  content: 2000,
} as const;

/** What we send: never a mention that pings, whatever the text holds. */
export type DiscordMessage = {
  content: string;
  embeds: APIEmbed[];
  allowed_mentions: { parse: [] };
  /** Attachments (a chart), referenced from an embed as `attachment://<name>`. */
  files?: { name: string; data: Uint8Array }[];
};

export const noMentions = (): { parse: [] } => ({ parse: [] });

const len = (s: string | undefined): number => (s === undefined ? 0 : s.length);

/** The characters Discord counts against the 6000 of a message, for one embed. */
export function embedSize(e: APIEmbed): number {
  let n = len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  for (const f of e.fields ?? []) n += len(f.name) + len(f.value);
  return n;
}

/** Every limit a message breaks; empty when Discord would accept it. */
export function limitProblems(m: DiscordMessage): string[] {
  const p: string[] = [];
  if (m.content.length > limits.content) p.push(`content ${m.content.length} > ${limits.content}`);
  if (m.embeds.length > limits.embeds) p.push(`${m.embeds.length} embeds > ${limits.embeds}`);
  let total = 0;
  m.embeds.forEach((e, i) => {
    total += embedSize(e);
    if (len(e.title) > limits.title) p.push(`embed ${i} title ${len(e.title)} > ${limits.title}`);
    if (len(e.description) > limits.description) p.push(`embed ${i} description > ${limits.description}`);
    if (len(e.footer?.text) > limits.footer) p.push(`embed ${i} footer > ${limits.footer}`);
    if ((e.fields?.length ?? 0) > limits.fields) p.push(`embed ${i} has ${e.fields?.length} fields > ${limits.fields}`);
    for (const f of e.fields ?? []) {
      if (f.name.length === 0 || f.name.length > limits.fieldName)
        p.push(`embed ${i} field name length ${f.name.length}`);
      if (f.value.length === 0 || f.value.length > limits.fieldValue)
        p.push(`embed ${i} field ${JSON.stringify(f.name)} value length ${f.value.length}`);
    }
  });
  if (total > limits.embedTotal) p.push(`embeds total ${total} > ${limits.embedTotal}`);
  return p;
}

/**
 * A table as code-block fields: lines are grouped so that each field value (fences included)
 * fits 1024 characters, the header repeated in each; later fields are named `… (cont.)`.
 */
export function tableFields(name: string, header: string, lines: string[], inline = false): APIEmbedField[] {
  const wrap = (rows: string[]) => `\`\`\`\n${[header, ...rows].join('\n')}\n\`\`\``;
  const fields: APIEmbedField[] = [];
  let group: string[] = [];
  const flush = () => {
    fields.push({ name: fields.length === 0 ? name : `${name} (cont.)`, value: wrap(group), inline });
    group = [];
  };
  for (const line of lines) {
    const cut = line.slice(0, limits.fieldValue - header.length - 12);
    if (group.length > 0 && wrap([...group, cut]).length > limits.fieldValue) flush();
    group.push(cut);
  }
  if (group.length > 0 || fields.length === 0) flush();
  return fields;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Makes one embed fit on its own: every string cut to its limit, then trailing fields dropped
 * (with a note saying how many) until 25 fields and 6000 characters hold.
 */
export function fitEmbed(e: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...e };
  if (out.title !== undefined) out.title = cut(out.title, limits.title);
  if (out.description !== undefined) out.description = cut(out.description, limits.description);
  if (out.footer) out.footer = { ...out.footer, text: cut(out.footer.text, limits.footer) };
  const fields = (e.fields ?? []).map((f) => ({
    ...f,
    name: cut(f.name || '\u200b', limits.fieldName),
    value: cut(f.value || '\u200b', limits.fieldValue),
  }));
  let dropped = 0;
  const note = (): APIEmbedField => ({ name: 'Not shown', value: `${dropped} more field(s): the message limit` });
  const over = () => {
    const withNote = dropped > 0 ? [...fields, note()] : fields;
    return withNote.length > limits.fields || embedSize({ ...out, fields: withNote }) > limits.embedTotal;
  };
  while (fields.length > 0 && over()) {
    fields.pop();
    dropped++;
  }
  out.fields = dropped > 0 ? [...fields, note()] : fields;
  return out;
}
