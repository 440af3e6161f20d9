// The part of npm `net-snmp` (3.29) that the collector uses; the package ships no types.
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    idBitsSize?: 16 | 32;
    context?: string;
    backwardsGetNexts?: boolean;
    sourceAddress?: string;
    sourcePort?: number;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export type ResponseCallback<T> = (error: Error | null, varbinds: T) => void;

  export interface Session extends EventEmitter {
    get(oids: string[], cb: ResponseCallback<Varbind[]>): Session;
    getNext(oids: string[], cb: ResponseCallback<Varbind[]>): Session;
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      cb: ResponseCallback<(Varbind | Varbind[])[]>,
    ): Session;
    trap(typeOrOid: number | string, varbinds: Varbind[], cb: (error: Error | null) => void): Session;
    close(): Session;
  }

  export interface Notification {
    pdu: { type: number; varbinds: Varbind[]; community?: string; user?: string; enterprise?: string };
    rinfo: { address: string; port: number; family: string; size: number };
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
    listener: { sockets: Record<string, import('node:dgram').Socket> };
  }

  export interface ReceiverOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    includeAuthentication?: boolean;
    engineID?: string;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function createReceiver(
    options: ReceiverOptions,
    cb: (error: Error | null, notification?: Notification) => void,
  ): Receiver;
  export function isVarbindError(vb: Varbind): boolean;
  export function varbindError(vb: Varbind): string;

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
  export const AuthProtocols: Record<string, number>;
  export const PrivProtocols: Record<string, number>;
  export const TrapType: Record<string, number>;
  export const PduType: Record<string, number>;
  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }

  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createReceiver: typeof createReceiver;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number>;
    SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    AuthProtocols: Record<string, number>;
    PrivProtocols: Record<string, number>;
    TrapType: Record<string, number>;
    PduType: Record<string, number>;
    RequestTimedOutError: typeof RequestTimedOutError;
    RequestFailedError: typeof RequestFailedError;
    ResponseInvalidError: typeof ResponseInvalidError;
  };
  export default snmp;
}
