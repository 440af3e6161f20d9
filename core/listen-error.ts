// A socket that cannot be bound, said in one line with the fix: which setting or flag gave the
// address, what went wrong, what to do. `diemcau` prints it without a stack trace and exits 2.

const FIX: Record<string, string> = {
  EADDRINUSE:
    'cổng đang bị tiến trình khác dùng: dừng tiến trình đó hoặc chọn cổng khác / address already in use: stop the other process or choose another port',
  EACCES:
    'cổng dưới 1024 cần quyền root: dùng cổng ≥ 1024 hoặc cấp CAP_NET_BIND_SERVICE / permission denied: use a port ≥ 1024 or grant CAP_NET_BIND_SERVICE',
  EADDRNOTAVAIL:
    'địa chỉ không thuộc máy này: dùng 127.0.0.1, 0.0.0.0 hoặc một địa chỉ của máy / address not on this host: use 127.0.0.1, 0.0.0.0 or one of its addresses',
  ENOTFOUND: 'không phân giải được tên máy: dùng địa chỉ IP / host name does not resolve: use an IP address',
  EAI_AGAIN: 'không phân giải được tên máy: dùng địa chỉ IP / host name does not resolve: use an IP address',
};

export class ListenError extends Error {
  readonly code: string;
  constructor(
    /** where the address came from: a configuration field or a flag */
    readonly from: string,
    readonly address: string,
    cause: unknown,
  ) {
    const code = (cause as { code?: string })?.code ?? 'ERROR';
    const fix = FIX[code] ?? `${(cause as Error)?.message ?? String(cause)}`;
    super(`${from} ${address}: không mở được / cannot listen (${code}): ${fix}`);
    this.code = code;
  }
}
