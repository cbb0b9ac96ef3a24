'use strict';
// Egress policy for the component's outgoing HTTP: HTTPS to the six Customer.io hosts on port 443,
// nothing else. Pure functions, shared by the worker and the tests.

const CUSTOMERIO_HOSTS = Object.freeze([
  'track.customer.io',
  'track-eu.customer.io',
  'api.customer.io',
  'api-eu.customer.io',
  'beta-api.customer.io',
  'beta-api-eu.customer.io',
]);

/**
 * Validates a routes map (test mode): Customer.io host -> `http://127.0.0.1:PORT`. Returns a frozen map host -> { scheme, authority }.
 * Throws TypeError on anything else, so a typo cannot silently send traffic somewhere unexpected.
 */
function normalizeRoutes(routes) {
  if (routes == null) return null;
  if (typeof routes !== 'object' || Array.isArray(routes)) throw new TypeError('routes must be an object host -> URL');
  const out = {};
  for (const [host, target] of Object.entries(routes)) {
    if (!CUSTOMERIO_HOSTS.includes(host)) throw new TypeError(`routes: ${host} is not a Customer.io host`);
    let url;
    try {
      url = new URL(String(target));
    } catch {
      throw new TypeError(`routes: ${host} -> ${target} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`routes: ${target} must be http(s)`);
    // IPv4 loopback only: the shim cannot set an IPv6 authority, and `localhost` goes through the
    // resolver.
    if (url.hostname !== '127.0.0.1') {
      throw new TypeError(`routes: ${target} must be a loopback address (test mode only)`);
    }
    if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      throw new TypeError(`routes: ${target} must be scheme://host:port only`);
    }
    out[host] = Object.freeze({ scheme: url.protocol === 'http:' ? 'HTTP' : 'HTTPS', authority: url.host });
  }
  return Object.freeze(out);
}

function normalizeAllowHosts(allowHosts) {
  if (allowHosts == null) return CUSTOMERIO_HOSTS;
  if (!Array.isArray(allowHosts)) throw new TypeError('allowHosts must be an array of Customer.io hosts');
  for (const h of allowHosts) {
    if (!CUSTOMERIO_HOSTS.includes(h)) throw new TypeError(`allowHosts: ${h} is not a Customer.io host`);
  }
  return Object.freeze([...allowHosts]);
}

/**
 * Decides one outgoing request. `scheme` is the WASI scheme variant ({tag:'HTTPS'} …) or undefined,
 * `authority` the request authority or undefined. Returns
 *   { allow: true, host, rewrite: null | { scheme, authority } }  or  { allow: false, reason }.
 * Fails closed: a missing scheme or authority, another scheme, a port other than 443, userinfo,
 * an IP literal or any host outside the allow-list is denied.
 */
function decide(scheme, authority, { routes = null, allowHosts = CUSTOMERIO_HOSTS } = {}) {
  if (!scheme || scheme.tag !== 'HTTPS') {
    return { allow: false, reason: `scheme ${scheme ? (scheme.tag === 'other' ? scheme.val : scheme.tag) : '(none)'} is not HTTPS` };
  }
  if (typeof authority !== 'string' || authority.length === 0) return { allow: false, reason: 'no authority' };
  if (authority.includes('@')) return { allow: false, reason: 'userinfo in authority' };
  const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return { allow: false, reason: `authority ${authority} is not host[:port]` };
  const host = m[1].toLowerCase().replace(/\.$/, '');
  if (m[2] !== undefined && Number(m[2]) !== 443) return { allow: false, reason: `port ${m[2]} is not 443` };
  if (!allowHosts.includes(host)) return { allow: false, reason: `host ${host} is not allowed` };
  if (routes) {
    const route = routes[host];
    if (!route) return { allow: false, reason: `no test route for ${host}` };
    return { allow: true, host, rewrite: route };
  }
  return { allow: true, host, rewrite: null };
}

module.exports = { CUSTOMERIO_HOSTS, normalizeRoutes, normalizeAllowHosts, decide };
