import { DeviceListChanges, recordingDeviceChanges } from "./device-lists/device-list-changes.js";
import type { Stores } from "../storage/stores/stores.js";
import type { CoreContext } from "../core/core-context.js";
import { AccountDataService } from "./account-data.js";
import { AccountService, REGISTRATION_TOKEN_STAGE } from "./accounts.js";
import { PasswordChecker } from "./credentials.js";
import { DeviceService } from "./devices.js";
import { FilterService } from "./filters.js";
import { ProfileService, type Profile } from "./profiles.js";
import { SessionService } from "./sessions.js";
import { SharedSecretRegistration } from "./shared-secret.js";
import type { RegistrationTokenStore } from "../storage/stores/registration-token-store.js";
import { AccessTokenAuth } from "./token-auth.js";
import { UiaService } from "./uia.js";
import type { UserHooks } from "./user-hooks.js";
import { PushRulesService } from "./push-rules/push-rules-service.js";
import { OpenIdTokens } from "./openid/openid-tokens.js";
import { UserDirectoryService } from "./directory/user-directory.js";
import { IgnoredUsers } from "./ignored/ignored-users.js";
import { KeyBackupService } from "./key-backup/key-backup-service.js";
import { E2eKeysService } from "./e2e-keys/e2e-keys-service.js";
import { ToDeviceService } from "./to-device/to-device-service.js";
import { CrossSigningService } from "./e2e-keys/cross-signing/cross-signing-service.js";

export type { UserHooks } from "./user-hooks.js";

/** The users domain: accounts, logins and tokens, devices, profiles, account data, filters. */
export interface UserServices {
  /** Access tokens -> Requester (TokenAuthenticator), with revocation taking effect at once. */
  auth: AccessTokenAuth;
  uia: UiaService;
  accounts: AccountService;
  sessions: SessionService;
  devices: DeviceService;
  profiles: ProfileService;
  accountData: AccountDataService;
  /** Push rules, kept as the `m.push_rules` account data. */
  pushRules: PushRulesService;
  filters: FilterService;
  sharedSecret: SharedSecretRegistration;
  registrationTokens: RegistrationTokenStore;
  /** OpenID tokens that let a third party learn who a user is. */
  openid: OpenIdTokens;
  /** POST /user_directory/search. */
  directory: UserDirectoryService;
  /** Whom each user ignores (m.ignored_user_list), for the read paths and push evaluation. */
  ignored: IgnoredUsers;
  /** Server-side key backups (/room_keys). */
  keyBackup: KeyBackupService;
  /** End-to-end keys of our devices: identity, one-time and fallback keys (/keys/upload, /keys/query, /keys/claim). */
  e2eKeys: E2eKeysService;
  /** Send-to-device messages: PUT /sendToDevice queues them, /sync delivers and deletes them. */
  toDevice: ToDeviceService;
  /** Where device list changes are recorded; federation plugs in here (the m.device_list_update EDUs). */
  deviceListChanges: DeviceListChanges;
  /** Cross-signing keys (/keys/device_signing/upload), their signatures and the m.signing_key_update EDU. */
  crossSigning: CrossSigningService;
}

export function createUserServices(
  core: CoreContext,
  hooks: UserHooks,
  stores: Pick<Stores, "users" | "devices" | "tokens" | "accountData" | "registrationTokens" | "filters" | "openidTokens" | "userDirectory" | "keyBackup" | "e2eKeys" | "deviceLists" | "toDevice" | "crossSigning" | "uiaSessions">,
): UserServices {
  const { users, tokens, accountData: accountDataStore, registrationTokens } = stores;
  const deviceLists = new DeviceListChanges(core, stores.deviceLists);
  // Every deletion of a device changes its owner's device list: the services delete through this.
  const devices = recordingDeviceChanges(stores.devices, deviceLists);

  const auth = new AccessTokenAuth(tokens, core.clock);
  const passwords = new PasswordChecker(users, core.config.password_scrypt_log_n);
  // Late-bound: the registration-token stage asks the account service, which itself needs the UIA service.
  let accounts: AccountService | undefined;
  const uia = new UiaService(core.clock, {
    "m.login.dummy": async () => true,
    "m.login.password": (authDict, subject) => passwords.checkStage(authDict, subject, core.serverName),
    [REGISTRATION_TOKEN_STAGE]: (authDict) => accounts!.checkRegistrationTokenStage(authDict),
  }, stores.uiaSessions);
  const sessions = new SessionService(core, devices, tokens, passwords, auth);
  accounts = new AccountService(
    core,
    { users, devices, tokens, accountData: accountDataStore, registrationTokens, keyBackup: stores.keyBackup, crossSigning: stores.crossSigning },
    sessions,
    uia,
    auth,
    hooks,
  );
  const accountData = new AccountDataService(core, accountDataStore);
  return {
    auth,
    uia,
    accounts,
    sessions,
    devices: new DeviceService(core, devices, tokens, uia, auth),
    profiles: new ProfileService(core, users, hooks),
    accountData,
    pushRules: new PushRulesService(accountData),
    filters: new FilterService(stores.filters),
    sharedSecret: new SharedSecretRegistration(core, accounts),
    registrationTokens,
    openid: new OpenIdTokens(core.serverName, core.clock, stores.openidTokens),
    ignored: new IgnoredUsers(accountDataStore, core.notifier),
    directory: new UserDirectoryService(stores.userDirectory, core.config.user_directory),
    keyBackup: new KeyBackupService(stores.keyBackup),
    e2eKeys: new E2eKeysService(core, stores.e2eKeys, deviceLists, stores.crossSigning),
    toDevice: new ToDeviceService(core, stores.toDevice),
    deviceListChanges: deviceLists,
    crossSigning: new CrossSigningService(core, stores.crossSigning, stores.e2eKeys, uia, deviceLists),
  };
}
