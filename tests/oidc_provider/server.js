// A real OpenID Connect provider for the tests: panva's oidc-provider (OpenID Certified), on
// 127.0.0.1 only, with a password log-in page of its own.
//
//   node server.js USERS.json CLIENT_ID CLIENT_SECRET REDIRECT_URI[,REDIRECT_URI...] [POST_LOGOUT_URI,...]
//
// It listens on a free port and prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"},
// once it is ready. USERS.json is read again at every log-in, so a test can move a person to
// another group (as a directory administrator would) between two log-ins:
//   {"ada": {"password": "...", "sub": "...", "email": "...", "name": "...", "groups": ["..."]}}
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const [usersFile, clientId, clientSecret, redirectUris, postLogoutUris = ''] = process.argv.slice(2);
if (!usersFile || !clientId || !clientSecret || !redirectUris) {
  console.error('usage: node server.js USERS.json CLIENT_ID CLIENT_SECRET REDIRECT_URIS [POST_LOGOUT_URIS]');
  process.exit(2);
}

const users = () => JSON.parse(readFileSync(usersFile, 'utf8'));
const userBySub = (sub) => Object.values(users()).find((user) => user.sub === sub);

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, message = '') {
  return `<!doctype html><html><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>`;
}

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris.split(','),
    post_logout_redirect_uris: postLogoutUris ? postLogoutUris.split(',') : [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // Every client must prove PKCE (S256), as the issue asks of ours.
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  // Groups in the ID token as well as from userinfo, as Entra ID and Okta can send them.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A first-party client: the person is not asked to consent to the glossary.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const user = userBySub(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        const current = userBySub(sub) || user;
        return {
          sub,
          email: current.email,
          email_verified: true,
          name: current.name,
          preferred_username: current.preferred_username,
          groups: current.groups || [],
        };
      },
    };
  },
  cookies: { keys: ['common-ground-test-provider-cookie-key'] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);

  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET' && !match[2]) {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return undefined;
    }
    if (ctx.method === 'POST' && match[2]) {
      const form = await formBody(ctx.req);
      const user = users()[form.get('login') || ''];
      if (!user || user.password !== form.get('password')) {
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, 'Wrong username or password.');
        return undefined;
      }
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(returnTo);
      return undefined;
    }
    ctx.status = 405;
    return undefined;
  });

  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

// Stop cleanly when the test fixture terminates us.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
