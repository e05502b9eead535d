// Name formats of Kubernetes objects (apimachinery validation: IsDNS1123Subdomain/Label,
// IsDNS1035Label), with Kubernetes' own messages so users see what they would see there.

export type NameRule = 'subdomain' | 'label' | 'dns1035';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Problems with a name under a rule, each a message as Kubernetes words it. */
export function nameProblems(name: string, rule: NameRule): string[] {
  const out: string[] = [];
  switch (rule) {
    case 'subdomain':
      if (name.length > 253) out.push('must be no more than 253 characters');
      if (!SUBDOMAIN.test(name)) out.push(SUBDOMAIN_MSG);
      break;
    case 'label':
      if (name.length > 63) out.push('must be no more than 63 characters');
      if (!LABEL.test(name)) out.push(LABEL_MSG);
      break;
    case 'dns1035':
      if (name.length > 63) out.push('must be no more than 63 characters');
      if (!DNS1035.test(name)) out.push(DNS1035_MSG);
      break;
  }
  return out;
}

/**
 * Path segment names can never be "." or ".." nor contain "/" or "%" (apimachinery
 * IsValidPathSegmentName: "." and ".." alone, otherwise every forbidden character found).
 */
export function pathSegmentProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((bad) => name.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/**
 * IsDNS1123Label: like the 'label' name rule, but a valid subdomain that is not a label can
 * only be wrong by its dots, and is told so.
 */
export function dns1123LabelProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL.test(v)) out.push(SUBDOMAIN.test(v) ? 'must not contain dots' : LABEL_MSG);
  return out;
}

const WILDCARD_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const WILDCARD_SUBDOMAIN_MSG =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** IsWildcardDNS1123Subdomain: `*.` and a DNS subdomain (RFC 1034 section 4.3.3), e.g. `*.example.com`. */
export function wildcardSubdomainProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (!WILDCARD_SUBDOMAIN.test(v)) out.push(WILDCARD_SUBDOMAIN_MSG);
  return out;
}

/** IsValidPortName (IANA_SVC_NAME): at most 15 characters of [-a-z0-9], a letter among them, no leading, trailing or double '-'. */
export function portNameProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(v)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(v)) out.push('must contain at least one letter (a-z)');
  if (v.includes('--')) out.push('must not contain consecutive hyphens');
  if (v.startsWith('-') || v.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName + 5 random characters from Kubernetes' alphabet (no vowels, no confusable digits). */
export function generateNameFrom(base: string): string {
  const maxBase = 63 - 5;
  const b = base.length > maxBase ? base.slice(0, maxBase) : base;
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return b + s;
}
