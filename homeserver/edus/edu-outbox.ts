import type { Edu, FederationOutbox } from "./edu-contracts.js";

/**
 * The core's handle on outgoing EDUs. The federation sender attaches itself when it starts; before that
 * (and in tests that run without a sender) EDUs for other servers are dropped, as ephemeral data may be.
 */
export class EduOutbox implements FederationOutbox {
  private target: FederationOutbox | undefined;

  attach(target: FederationOutbox | undefined): void {
    this.target = target;
  }

  sendEdu(destinations: Iterable<string>, edu: Edu, key?: string): void {
    const list = [...destinations];
    if (list.length > 0) this.target?.sendEdu(list, edu, key);
  }
}
