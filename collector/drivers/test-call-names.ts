// How the readiness test calls (collector/drivers/test-calls.ts) name themselves on the MCU, so that
// the status polls (pexip.ts, cisco-telepresence.ts) do not take a test call for the site joining a
// meeting: Pexip shows the dial's remote_display_name as the participant's display_name; a Cisco
// TelePresence participant added through the API keeps the participantName it was given.
export const PEXIP_TEST_CALL_NAME = 'diemcau kiểm tra';
export const CISCO_TEST_CALL_PREFIX = 'diemcau-test-';

export const isPexipTestCall = (p: { display_name?: string | undefined }): boolean =>
  p.display_name?.startsWith(`${PEXIP_TEST_CALL_NAME} `) ?? false;

export const isCiscoTestCall = (p: { participantName: string }): boolean =>
  p.participantName.startsWith(CISCO_TEST_CALL_PREFIX);
