// HMAC-SHA-256 test vectors of RFC 4231 §4.2–4.8 (test case 5's output is truncated to 128 bits).
const hex = (byte: number, n: number) => Buffer.alloc(n, byte).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

export type HmacVector = { name: string; keyHex: string; dataHex: string; macHex: string; truncated?: boolean };

export const rfc4231: HmacVector[] = [
  {
    name: 'test case 1',
    keyHex: hex(0x0b, 20),
    dataHex: ascii('Hi There'),
    macHex: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    name: 'test case 2 (key shorter than the output)',
    keyHex: ascii('Jefe'),
    dataHex: ascii('what do ya want for nothing?'),
    macHex: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'test case 3',
    keyHex: hex(0xaa, 20),
    dataHex: hex(0xdd, 50),
    macHex: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  },
  {
    name: 'test case 4',
    keyHex: '0102030405060708090a0b0c0d0e0f10111213141516171819',
    dataHex: hex(0xcd, 50),
    macHex: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  {
    name: 'test case 5 (truncated output)',
    keyHex: hex(0x0c, 20),
    dataHex: ascii('Test With Truncation'),
    macHex: 'a3b6167473100ee06e0c796c2955552b',
    truncated: true,
  },
  {
    name: 'test case 6 (key longer than a block)',
    keyHex: hex(0xaa, 131),
    dataHex: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    macHex: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: 'test case 7 (key and data longer than a block)',
    keyHex: hex(0xaa, 131),
    dataHex: ascii(
      'This is a test using a larger than block-size key and a larger than block-size data. ' +
        'The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    macHex: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];
