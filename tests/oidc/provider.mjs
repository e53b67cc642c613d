// A real OpenID Connect provider for the sign-in tests (npm oidc-provider), on 127.0.0.1.
//
// Configured from the environment by tests/oidc_fixture.py: OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma-separated, matched exactly) and OIDC_PORT
// (0 = any free port). Prints one line "READY <issuer>" once it listens.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT || 0);
const clientId = process.env.OIDC_CLIENT_ID || "motcua";
const clientSecret = process.env.OIDC_CLIENT_SECRET || "motcua-test-secret";
const redirectUris = (process.env.OIDC_REDIRECT_URIS || "").split(",").filter(Boolean);

// The test people. Unknown logins exist too, with no claims but `sub` (an officer the app
// must not know, a citizen whose provider shares nothing).
const PEOPLE = {
  "citizen-lan": {
    name: "Nguyễn Thị Lan",
    birthdate: "1990-05-12",
    citizen_id: "001190012345",
    phone_number: "+84912345678",
    phone_number_verified: true,
  },
  "officer-sso": { name: "Trần Văn Minh", preferred_username: "sso.officer" },
};

// A fresh signing key for each run: nothing secret is committed.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-" + Date.now(), use: "sig", alg: "RS256" };

async function start() {
  const probe = (await import("node:net")).createServer();
  const chosen = port || await new Promise((resolve) => {
    probe.listen(0, "127.0.0.1", () => { const p = probe.address().port; probe.close(() => resolve(p)); });
  });
  const issuer = `http://127.0.0.1:${chosen}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: {
      openid: ["sub"],
      profile: ["name", "birthdate", "preferred_username", "citizen_id"],
      phone: ["phone_number", "phone_number_verified"],
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(24).toString("hex")] },
    async findAccount(ctx, sub) {
      const claims = PEOPLE[sub] || {};
      return { accountId: sub, async claims() { return { sub, ...claims }; } };
    },
  });
  provider.listen(chosen, "127.0.0.1", () => { console.log(`READY ${issuer}`); });
}

start().catch((err) => { console.error(err); process.exit(1); });
