export {
  createSandboxClient,
  createSandboxHub,
  parseSandboxWebhook,
  type SandboxClientOptions,
  type SandboxHub,
  type SandboxHubOptions,
  type SandboxInbox,
  type SandboxOutbound,
  sandboxHub,
  verifySandboxWebhook,
} from './sandbox.ts';
