// The MCU's own disconnect reason → diemcau's closed cause (core/vocabulary.ts DISCONNECT_CAUSES).
// Tables from the vendors' documents (docs/mcu-drivers.md "Call records"); a value no table lists
// falls to a few keyword rules, and failing those to "unknown" — the vendor's words are always kept.
import type { DisconnectCause } from '../../core/vocabulary.ts';

/** lower case, letters and digits only: "Remote disconnect" = "remoteDisconnect" = "remote_disconnect" */
function key(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function table(t: Record<DisconnectCause, string[]>): Map<string, DisconnectCause> {
  const m = new Map<string, DisconnectCause>();
  for (const [cause, values] of Object.entries(t) as [DisconnectCause, string[]][])
    for (const v of values) m.set(key(v), cause);
  return m;
}

/**
 * Pexip Infinity, *Disconnection reasons* (https://docs.pexip.com/admin/disconnection_reasons.htm,
 * "Normal" reasons #pex120–#pex126), and the two endpoint-side values Pexip's history shows for a
 * participant that hung up ("Call disconnected", "Remote disconnect").
 */
const PEXIP = table({
  hangup: ['Call disconnected', 'Remote disconnect'],
  operator: [
    'Conference host ended the conference with a DTMF command',
    'Conference terminated by a Host participant',
    'Conference terminated by an administrator',
    'Disconnected by an administrator',
    'Disconnected by another participant',
    'Conference terminated by another participant',
    'Timeout waiting for conference host to join or permit access to locked conference',
  ],
  network: [],
  rejected: [],
  unknown: [],
});

/**
 * Cisco TelePresence MCU / TelePresence Server: the `disconnectReason` values of the TANDBERG/Codian
 * Remote Management API reference 3.0 §12, the CDR `disconnect_reason` strings of the Call Detail
 * Records File Format Reference Guide (D14663.03), and the TelePresence Server's "Previous
 * participants" reasons (Cisco article "Disconnect reasons on a TelePresence Server").
 */
const CISCO = table({
  hangup: ['remoteTeardown', 'participant ended call', 'left conference'],
  operator: [
    'localTeardown',
    'moved',
    'disconnectAll',
    'gatekeeperEnded',
    'gatekeeper ended call',
    'gatekeeperForced',
    'requested by administrator',
    'requested via API',
    'requested via web interface',
    'end of conference',
    'deleted',
    'conference deleted',
    'group disconnect',
    'configuration change',
  ],
  network: [
    'timeout',
    'networkError',
    'protocolError',
    'protocol error',
    'dnsFailed',
    'destinationUnreachable',
    'destination unreachable',
    'participant dropped',
    'disconnect timeout',
    'messageQueueOverflow',
    'h225SocketError',
    'h225ProtocolError',
    'h225DecodeError',
    'h245SocketError',
    'h245ProtocolError',
    'h245DecodeError',
    'q931DecodeError',
    'q931ProtocolError',
    'failedToConnectToServer',
    'remoteGatekeeperUnreachable',
  ],
  rejected: [
    'noAnswer',
    'no answer',
    'rejected',
    'call rejected',
    'rejectedImmediately',
    'rejected immediately',
    'busy',
    'authenticationFailed',
    'serviceUnavailable',
    'portAllocationExceeded',
    'videoPortAllocationExceeded',
    'no free resources',
    'encryption unsupported',
    'gatekeeperError',
    'gatekeeper error',
    'gatekeeperRequiredButAbsent',
    'noGatekeeperForDN',
    'localGatekeeperRefused',
    'remoteGatekeeperRefused',
    'remoteGatewayResources',
    'capabilityNegotiationError',
    'incompatibleVncVersion',
    'incompatible destination',
    'destination out of order',
    'ip encryption required',
    'TIP failed',
  ],
  unknown: ['unspecified', 'unspecifiedError', 'unspecified error', 'unknown reason'],
});

/** Values no table lists: the words decide, else unknown. */
function byWords(s: string): DisconnectCause {
  const t = s.toLowerCase();
  if (/reject|declin|busy|no answer|not answer|refused/.test(t)) return 'rejected';
  if (/media|network|timed? ?out|lost|unreachable|fail|drop/.test(t)) return 'network';
  if (/administrator|operator|host|terminated/.test(t)) return 'operator';
  if (/remote disconnect|hung up|hang ?up/.test(t)) return 'hangup';
  return 'unknown';
}

export function pexipCause(reason: string | null | undefined): DisconnectCause {
  if (!reason) return 'unknown';
  return PEXIP.get(key(reason)) ?? byWords(reason);
}

export function ciscoCause(reason: string | null | undefined): DisconnectCause {
  if (!reason) return 'unknown';
  return CISCO.get(key(reason)) ?? byWords(reason);
}
