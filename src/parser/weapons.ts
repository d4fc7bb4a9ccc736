// Weapon ids of the player line's mask and tuples (shared/spec/stats-file.md §2.3).

export const WEAPON_NAMES = [
  'WS_KNIFE',
  'WS_KNIFE_KBAR',
  'WS_LUGER',
  'WS_COLT',
  'WS_MP40',
  'WS_THOMPSON',
  'WS_STEN',
  'WS_FG42',
  'WS_PANZERFAUST',
  'WS_BAZOOKA',
  'WS_FLAMETHROWER',
  'WS_GRENADE',
  'WS_MORTAR',
  'WS_MORTAR2',
  'WS_DYNAMITE',
  'WS_AIRSTRIKE',
  'WS_ARTILLERY',
  'WS_SATCHEL',
  'WS_GRENADELAUNCHER',
  'WS_LANDMINE',
  'WS_MG42',
  'WS_BROWNING',
  'WS_CARBINE',
  'WS_KAR98',
  'WS_GARAND',
  'WS_K43',
  'WS_MP34',
  'WS_SYRINGE',
] as const;

export type WeaponName = (typeof WEAPON_NAMES)[number];

export const WEAPON_COUNT = WEAPON_NAMES.length;
