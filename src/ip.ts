// IP literal scanning, shared by isIP* (Node's regex grammar) and SocketAddress/BlockList (libuv's
// inet_pton grammar, which Node's C++ uses). Hand-written scanners: no regex, no allocation on the
// common path, so they are cheap enough for the accept path.

/** Value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * Dotted-quad IPv4 in `s[start, end)`: four decimal octets 0-255 without leading zeros (both
 * Node's regex and libuv's inet_pton4 accept exactly this). Returns the address as an unsigned
 * 32-bit number, or -1.
 */
export function scanIPv4(s: string, start: number, end: number): number {
  let octets = 0;
  let digits = 0;
  let octet = 0;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits !== 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      if (digits++ === 0 && ++octets > 4) return -1;
    } else if (c === 46 && digits !== 0) {
      if (octets === 4) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (octets < 4 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * IPv6 text in `s[start, end)` into eight 16-bit words (libuv's inet_pton6 grammar: hex groups of
 * 1-4 digits, one `::`, an optional trailing dotted quad). Returns false when invalid; `out` is
 * then unspecified.
 */
export function scanIPv6(s: string, start: number, end: number, out: Uint16Array): boolean {
  let i = start;
  if (i < end && s.charCodeAt(i) === 58) {
    // A leading colon is only valid as the start of `::`.
    if (++i >= end || s.charCodeAt(i) !== 58) return false;
  }
  let tp = 0;
  let gap = -1;
  let seen = 0;
  let value = 0;
  let token = i;
  while (i < end) {
    const c = s.charCodeAt(i++);
    const h = hexValue(c);
    if (h >= 0) {
      value = (value << 4) | h;
      if (++seen > 4) return false;
      continue;
    }
    if (c === 58) {
      token = i;
      if (seen === 0) {
        if (gap >= 0) return false;
        gap = tp;
        continue;
      }
      if (i >= end || tp >= 8) return false;
      out[tp++] = value;
      seen = 0;
      value = 0;
      continue;
    }
    if (c === 46 && tp <= 6) {
      const v4 = scanIPv4(s, token, end);
      if (v4 >= 0) {
        out[tp++] = v4 >>> 16;
        out[tp++] = v4 & 0xffff;
        seen = 0;
        break;
      }
    }
    return false;
  }
  if (seen !== 0) {
    if (tp >= 8) return false;
    out[tp++] = value;
  }
  if (gap >= 0) {
    // `::` stands for at least one zero group: shift the groups after it to the end.
    if (tp === 8) return false;
    const n = tp - gap;
    for (let k = 1; k <= n; k++) {
      out[8 - k] = out[gap + n - k];
      out[gap + n - k] = 0;
    }
    for (let k = gap; k < 8 - n; k++) out[k] = 0;
    tp = 8;
  }
  return tp === 8;
}

/** Characters Node's isIPv6 allows in a zone id (`fe80::1%eth0`). */
function isZoneChar(c: number): boolean {
  return (c >= 48 && c <= 58) // 0-9 and ':'
    || ((c | 0x20) >= 97 && (c | 0x20) <= 122)
    || c === 45 || c === 46;
}

/**
 * Node's isIPv6 grammar in one pass without output: scanIPv6's rules for the address, which ends
 * at the first `%`, then a non-empty zone id of [0-9a-zA-Z.:-].
 */
function isIPv6String(s: string): boolean {
  const len = s.length;
  let i = 0;
  if (len > 0 && s.charCodeAt(0) === 58) {
    if (len < 2 || s.charCodeAt(1) !== 58) return false;
    i = 1;
  }
  let words = 0;
  let gap = false;
  let seen = 0;
  let token = i;
  let end = len;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102)) {
      if (++seen > 4) return false;
      continue;
    }
    if (c === 58) {
      token = i + 1;
      if (seen === 0) {
        if (gap) return false;
        gap = true;
        continue;
      }
      // A group needs something after its colon, and there is room for eight.
      if (token >= len || s.charCodeAt(token) === 37 || words >= 8) return false;
      words++;
      seen = 0;
      continue;
    }
    if (c === 37) {
      end = i;
      break;
    }
    if (c === 46 && words <= 6) {
      // A dotted-quad tail runs to the zone id or the end.
      let e = s.indexOf('%', i);
      if (e < 0) e = len;
      if (scanIPv4(s, token, e) < 0) return false;
      words += 2;
      seen = 0;
      end = e;
      break;
    }
    return false;
  }
  if (seen !== 0) {
    if (words >= 8) return false;
    words++;
  }
  if (gap ? words === 8 : words !== 8) return false;
  if (end === len) return true;
  if (end === len - 1) return false;
  for (let j = end + 1; j < len; j++) if (!isZoneChar(s.charCodeAt(j))) return false;
  return true;
}

// Node tests its regexes on String(input), so objects with a toString() are judged by it and a
// Symbol throws; template literals convert exactly like that.
export function isIPv4(input: unknown): boolean {
  const s = typeof input === 'string' ? input : `${input as string}`;
  return scanIPv4(s, 0, s.length) >= 0;
}

export function isIPv6(input: unknown): boolean {
  const s = typeof input === 'string' ? input : `${input as string}`;
  return isIPv6String(s);
}

export function isIP(input: unknown): number {
  const s = typeof input === 'string' ? input : `${input as string}`;
  if (scanIPv4(s, 0, s.length) >= 0) return 4;
  return isIPv6String(s) ? 6 : 0;
}

// ---- libuv semantics, for SocketAddress and BlockList ----

/** Where C code stops reading a JS string (at the first NUL). */
function cEnd(s: string): number {
  const nul = s.indexOf('\0');
  return nul < 0 ? s.length : nul;
}

/** uv_ip4_addr: the address as an unsigned 32-bit number, or -1. */
export function parseIPv4(s: string): number {
  return scanIPv4(s, 0, cEnd(s));
}

/**
 * uv_ip6_addr: a zone id (`%eth0`) is dropped, and the part before it is cut to 39 characters
 * as libuv does. Writes eight words into `out`; false when invalid.
 */
export function parseIPv6(s: string, out: Uint16Array): boolean {
  const end = cEnd(s);
  const pct = s.indexOf('%');
  if (pct >= 0 && pct < end) return scanIPv6(s, 0, pct > 39 ? 39 : pct, out);
  return scanIPv6(s, 0, end, out);
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** inet_ntop for IPv6, as libuv prints it (longest zero run as `::`, embedded IPv4 forms). */
export function formatIPv6(w: ArrayLike<number>): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase >= 0) {
      if (bestBase < 0 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  if (bestBase >= 0 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${w[6] >>> 8}.${w[6] & 255}.${w[7] >>> 8}.${w[7] & 255}`;
      return out;
    }
    out += w[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
