-- Synthetic players (names and GUIDs of shared/data/lua-legacy, the spec's example).
local T = { AXIS = 1, ALLIES = 2, SPECTATOR = 3 }
return {
  sixAndSpectator = {
    { name = "^1Vek^7tor", guid = "3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071", team = T.AXIS },
    { name = "bramble", guid = "C08D3E6A1F5B47209D8E7F6A5B4C3D2E", team = T.ALLIES },
    { name = "n0va", guid = "A17C44D2E9F03B58C6D7E8F901A2B3C4", team = T.AXIS },
    { name = "^3Oskar", guid = "7B61E2F0A3C94D58E7F6A5B4C3D2E1F0", team = T.ALLIES },
    { name = "Ziggy", guid = "5E2B9D71C0A84F36B1E2D3C4A5B6C7D8", team = T.AXIS },
    { name = "quill", guid = "E4C72A9B08D16F35A2B3C4D5E6F70819", team = T.ALLIES },
    { name = "watcher", guid = "00112233445566778899AABBCCDDEEFF", team = T.SPECTATOR },
    { name = "joining", guid = "FFEEDDCCBBAA99887766554433221100", team = T.AXIS, connected = 1 },
  },
}
