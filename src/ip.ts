// placeholder: replaced by the addresses work
export function isIPv4(input: unknown): boolean { return false; }
export function isIPv6(input: unknown): boolean { return false; }
export function isIP(input: unknown): number { return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0; }
