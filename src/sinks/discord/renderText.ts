// A message as a terminal shows it (the demo, logs of a dry run): markdown removed, tables kept.
import type { APIEmbed } from 'discord.js';
import type { DiscordMessage } from './embedLimits.ts';
import { unescapeMarkdown } from './inertText.ts';

const stripInline = (s: string): string =>
  unescapeMarkdown(s.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]*)`/g, '$1'));

/** A field value: a code block keeps its lines as they are, anything else loses its markdown. */
function valueLines(value: string): string[] {
  const fenced = /^```[a-z]*\n([\s\S]*?)\n?```$/.exec(value);
  if (fenced) return fenced[1]!.split('\n').map((l) => l.replace(/\u200b/g, ''));
  return value.split('\n').map(stripInline);
}

function embedText(e: APIEmbed, indent: string): string[] {
  const out: string[] = [];
  if (e.title) out.push(stripInline(e.title));
  if (e.description) out.push(...e.description.split('\n').map((l) => `${indent}${stripInline(l)}`));
  let inline: string[] = [];
  const flushInline = () => {
    for (let i = 0; i < inline.length; i += 4) out.push(`${indent}${inline.slice(i, i + 4).join('  ·  ')}`);
    inline = [];
  };
  for (const f of e.fields ?? []) {
    const lines = valueLines(f.value);
    if (f.inline && lines.length === 1) {
      inline.push(`${stripInline(f.name)}: ${lines[0]}`);
      continue;
    }
    flushInline();
    out.push(`${indent}${stripInline(f.name)}`);
    out.push(...lines.map((l) => `${indent}  ${l}`));
  }
  flushInline();
  if (e.footer?.text) out.push(`${indent}${stripInline(e.footer.text)}`);
  return out;
}

/** The message as plain lines, each embed headed by its title. */
export function renderText(m: DiscordMessage, indent = '  '): string {
  const out: string[] = [];
  if (m.content) out.push(stripInline(m.content));
  for (const e of m.embeds) out.push(...embedText(e, indent));
  for (const f of m.files ?? []) out.push(`${indent}[attached ${f.name}: ${Math.ceil(f.data.length / 1024)} KB PNG]`);
  return out.join('\n');
}
