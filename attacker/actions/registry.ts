/** Every action kind a scenario may use, keyed by kind. */
import { atomicAction } from './atomic.js';
import { defaceAction, encryptAction, exfiltrateAction, persistAction } from './impact.js';
import { implantAction, implantExecAction } from './implant.js';
import { openAttachmentAction, sendMailAction, shellAction } from './shell.js';
import { sshAction } from './ssh.js';
import type { ActionDef } from './types.js';

export const ACTIONS: ReadonlyMap<string, ActionDef> = new Map<string, ActionDef>(
  [
    shellAction,
    sendMailAction,
    openAttachmentAction,
    implantAction,
    implantExecAction,
    sshAction,
    persistAction,
    exfiltrateAction,
    defaceAction,
    encryptAction,
    atomicAction,
  ].map((a) => [a.kind, a as ActionDef]),
);
