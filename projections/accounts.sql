-- Discord users and the GUID each says is theirs (/link, /unlink): facts from interactions.
create table account_links (
  discord_user_id text primary key,
  -- 32 hexadecimal characters (cl_guid) or the 8 the stats file shows, upper case
  guid            text not null,
  linked_at       timestamptz not null,
  position        bigint not null
);
