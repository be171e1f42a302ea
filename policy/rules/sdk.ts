/**
 * Typed handles on the @pulumi/policy internals the pack relies on. The package exports
 * `unknownCheckingProxy` and `UnknownValueError` at runtime, but its published typings strip them
 * (proxy.d.ts is empty), so they would be `any`; the sentinels are not exported at all.
 */

interface ProxyModule {
  /** Wraps resource properties so that reading a value unknown during preview throws. */
  unknownCheckingProxy<T extends object>(this: void, toProxy: T): T;
  /** Thrown by the proxy on reading an unknown value; the server turns it into an advisory. */
  UnknownValueError: new (...args: never[]) => Error;
  unknownStringValue: string;
  unknownNumberValue: string;
  unknownBooleanValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
}

// The very module the analyzer server uses, so `instanceof` matches its errors.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as ProxyModule;

export const unknownCheckingProxy = proxy.unknownCheckingProxy;
export const UnknownValueError = proxy.UnknownValueError;

/** What the engine sends in place of a value it does not know yet, by the value's type. */
export const UNKNOWN = {
  string: proxy.unknownStringValue,
  number: proxy.unknownNumberValue,
  boolean: proxy.unknownBooleanValue,
  array: proxy.unknownArrayValue,
  object: proxy.unknownObjectValue,
};
