'use strict';
// The node's own credential. It has no `authenticate` block on purpose: n8n offers "Custom API
// Call" (its HTTP Request node, outside the connector's region handling and egress rules) for
// every node whose credential can authenticate generic requests. The keys reach only the
// component, which sends each to its own API. The Test button runs the node's
// `customerIoConnectionTest` (authenticate on each API whose keys are given).

class CustomerIoConnectorApi {
  constructor() {
    this.name = 'customerIoConnectorApi';
    this.displayName = 'Customer.io Connector API';
    this.documentationUrl = 'https://docs.customer.io/api/app/';
    this.properties = [
      {
        displayName: 'Region',
        name: 'region',
        type: 'options',
        options: [
          { name: 'US', value: 'us', description: 'You log in at fly.customer.io' },
          { name: 'EU', value: 'eu', description: 'You log in at fly-eu.customer.io' },
          { name: 'Auto-Detect', value: 'auto', description: 'Ask Customer.io (one extra request per process)' },
        ],
        default: 'us',
        description: 'The data centre your account was created in',
      },
      {
        displayName: 'Track API Site ID',
        name: 'trackingSiteId',
        type: 'string',
        default: '',
        description: 'For Track operations (people, events, devices): Settings → Workspace Settings → API and webhook credentials → Track API keys',
      },
      {
        displayName: 'Track API Key',
        name: 'trackingApiKey',
        type: 'string',
        typeOptions: { password: true },
        default: '',
        description: 'The Track API key that goes with the Site ID',
      },
      {
        displayName: 'App API Key',
        name: 'appApiKey',
        type: 'string',
        typeOptions: { password: true },
        default: '',
        description: 'For App and Beta operations (messages, campaigns, segments, exports): Settings → Workspace Settings → API and webhook credentials → App API keys',
      },
    ];
  }
}

module.exports = { CustomerIoConnectorApi };
