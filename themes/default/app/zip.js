// A minimal ZIP writer (PKWARE APPNOTE 6.3): STORE method, CRC-32, UTF-8 names. For albums that
// parents download in one go; photos are JPEGs already, so compressing them again gains nothing.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip and gzip use it) of bytes. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time words of a Date (local time; the format has no time zone). */
function dosDateTime(d) {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

/** Makes a file name unique within the archive: "a.jpg", "a-2.jpg", ... */
function uniqueName(name, used) {
  let n = name, i = 2;
  const dot = name.lastIndexOf('.');
  while (used.has(n)) n = dot > 0 ? `${name.slice(0, dot)}-${i++}${name.slice(dot)}` : `${name}-${i++}`;
  used.add(n);
  return n;
}

/**
 * Builds a .zip of files [{name, bytes, date}] (STORE, no compression) as a Blob.
 *
 *     zip([{name: 'speelbos.jpg', bytes, date: new Date()}]) // -> Blob application/zip
 */
export function zip(files) {
  const enc = new TextEncoder();
  const parts = [], central = [], used = new Set();
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(uniqueName(f.name, used));
    const data = f.bytes;
    const crc = crc32(data);
    const { date, time } = dosDateTime(f.date || new Date());
    if (offset + 30 + name.length + data.length > 0xffffffff) throw new Error('album too large for a zip without ZIP64');
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);          // version needed: 2.0
    local.setUint16(6, 0x0800, true);      // flag bit 11: names are UTF-8
    local.setUint16(8, 0, true);           // method: STORE
    local.setUint16(10, time, true);
    local.setUint16(12, date, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);             // made by: 2.0, MS-DOS attributes
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 0x0800, true);
    cd.setUint16(10, 0, true);
    cd.setUint16(12, time, true);
    cd.setUint16(14, date, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, data.length, true);
    cd.setUint32(24, data.length, true);
    cd.setUint16(28, name.length, true);
    // extra, comment, disk number, internal and external attributes: 0
    cd.setUint32(42, offset, true);
    parts.push(local, name, data);
    central.push(cd, name);
    offset += 30 + name.length + data.length;
  }
  const cdSize = central.reduce((n, p) => n + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}
