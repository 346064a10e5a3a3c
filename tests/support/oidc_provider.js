// A real OpenID provider for the single sign-on tests: node-oidc-provider (package.json) on a
// loopback port. Started by tests/support/oidc.py; prints "ready <issuer>" once it listens.
//
// Options (all --name value):
//   --port N                the port on 127.0.0.1; the issuer is http://127.0.0.1:N
//   --redirect-uri URI      a redirect URI of every client (repeatable)
//   --id-token-ttl S        lifetime of an id token in seconds (default 3600)
//
// Clients (client_secret_basic): "riecycle" (the app), "ander" (a second application), and
// "riecycle-aud", whose id tokens name "ander" as their audience (the wrong-audience test).
//
// Accounts: the login prompt (devInteractions: a plain HTML login form, then a consent form)
// accepts any login and no password check; the login is the account id and the `sub`. It reads
// "email[;option...]": the e-mail claim is the part before the first ";". Options:
//   email_verified=false    the claim is false
//   email_verified=absent   no email_verified claim (like Microsoft Entra ID)
//   anything else           only makes a different subject for the same e-mail address
import { Provider } from "oidc-provider";

const args = process.argv.slice(2);
const options = { redirectUris: [], port: 0, idTokenTtl: 3600 };
for (let i = 0; i < args.length; i += 2) {
  const [name, value] = [args[i], args[i + 1]];
  if (name === "--port") options.port = Number(value);
  else if (name === "--redirect-uri") options.redirectUris.push(value);
  else if (name === "--id-token-ttl") options.idTokenTtl = Number(value);
  else throw new Error(`unknown option ${name}`);
}

const issuer = `http://127.0.0.1:${options.port}`;
const client = (id) => ({
  client_id: id,
  client_secret: `${id}-geheim`,
  redirect_uris: options.redirectUris,
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
});
// client id -> the audience its id tokens carry instead of its own id
const WRONG_AUDIENCE = { "riecycle-aud": "ander" };

function account(login) {
  const [email, ...rest] = login.split(";");
  const claims = { sub: login, email, name: email.split("@")[0] };
  const verified = rest.find((o) => o.startsWith("email_verified="));
  if (verified === "email_verified=false") claims.email_verified = false;
  else if (verified !== "email_verified=absent") claims.email_verified = true;
  return claims;
}

const provider = new Provider(issuer, {
  clients: [client("riecycle"), client("ander"), client("riecycle-aud")],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // The e-mail claims in the id token itself, as Entra ID and Google send them.
  conformIdTokenClaims: false,
  ttl: { IdToken: options.idTokenTtl },
  pkce: { required: () => true },
  cookies: { keys: ["riecycle-test-provider-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return account(id); } };
  },
});
provider.proxy = false;

// The wrong-audience client: sign its id tokens for the other client (a token meant for another
// application). Everything else about the token is genuine.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = function patchedIssue(...rest) {
  const audience = WRONG_AUDIENCE[this.client?.clientId];
  if (audience) {
    const real = this.client;
    this.client = new Proxy(real, {
      get: (target, key) => (key === "clientId" ? audience : Reflect.get(target, key)),
    });
  }
  return issue.apply(this, rest);
};

const server = provider.listen(options.port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
