// The browser leg, one small adapter per provider. Each turns the host's
// credential (from POST /api/v1/calls/{id}/join) into the agent's audio
// leg in the call's bridge. The SDK bundles are served by this host
// (vendored from the npm registry at build time), never from a CDN.

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/// The simulated carrier: no network, no audio. The host's sim provider
/// "joins" the agent itself once the credential is issued.
class SimLeg {
  get name() { return 'Simulated carrier'; }
  async prepare() {}
  async connect() {}
  disconnect() {}
}

/// Twilio Voice JS SDK: a Device with the Access Token, connected with the
/// sealed session the host handed out (Twilio forwards it to the TwiML App,
/// which answers with the call's conference). The token is renewed before
/// it expires.
class TwilioLeg {
  get name() { return 'Twilio'; }

  async prepare() {
    if (!window.Twilio || !window.Twilio.Device) {
      try {
        await loadScript('/ui/vendor/twilio.min.js');
      } catch {
        throw new Error('The Twilio Voice SDK is not installed on this host. An admin runs scripts/web-vendor.sh and rebuilds.');
      }
    }
  }

  async connect(credential, hooks) {
    const sdk = credential.sdk || {};
    const options = { codecPreferences: ['opus', 'pcmu'], closeProtection: true, logLevel: 'warn' };
    if (sdk.edge) options.edge = sdk.edge;
    if (sdk.token_refresh_ms) options.tokenRefreshMs = sdk.token_refresh_ms;
    this.device = new window.Twilio.Device(credential.token, options);
    this.device.on('error', (error) => hooks.onError(`Twilio: ${error.message || error} (${error.code || 'no code'})`));
    this.device.on('tokenWillExpire', async () => {
      try {
        const renewed = await hooks.refresh();
        this.device.updateToken(renewed.token);
      } catch (error) {
        hooks.onError(`Could not renew the Twilio token: ${error.message}`);
      }
    });
    this.call = await this.device.connect({ params: sdk.params || {} });
    this.call.on('disconnect', () => hooks.onLocalEnd());
    this.call.on('error', (error) => hooks.onError(`Twilio call: ${error.message || error}`));
  }

  disconnect() {
    try {
      if (this.device) {
        this.device.disconnectAll();
        this.device.destroy();
      }
    } catch {
      // the device is going away anyway
    }
    this.device = null;
    this.call = null;
  }
}

/// Telnyx (@telnyx/webrtc): log in with the short-lived login token the
/// host minted (never a SIP password), then place a call carrying the sealed
/// client_state; the credential connection parks it and the host answers it
/// into the call's conference.
class TelnyxLeg {
  get name() { return 'Telnyx'; }

  async prepare() {
    if (!window.TelnyxWebRTC || !window.TelnyxWebRTC.TelnyxRTC) {
      try {
        await loadScript('/ui/vendor/telnyx.min.js');
      } catch {
        throw new Error('The Telnyx WebRTC SDK is not installed on this host. An admin runs scripts/web-vendor.sh and rebuilds.');
      }
    }
  }

  async connect(credential, hooks) {
    const sdk = credential.sdk || {};
    this.audio = document.createElement('audio');
    this.audio.autoplay = true;
    this.audio.hidden = true;
    document.body.append(this.audio);
    this.client = new window.TelnyxWebRTC.TelnyxRTC({ login_token: credential.token });
    this.client.remoteElement = this.audio;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Telnyx did not accept the login within 15 s')), 15000);
      this.client.on('telnyx.ready', () => { clearTimeout(timer); resolve(); });
      this.client.on('telnyx.error', (error) => {
        clearTimeout(timer);
        const message = (error && error.error && error.error.message) || (error && error.message) || 'login failed';
        reject(new Error(`Telnyx: ${message}`));
      });
      this.client.connect();
    });
    this.client.on('telnyx.error', (error) => hooks.onError(`Telnyx: ${(error && error.message) || 'error'}`));
    this.client.on('telnyx.notification', (notification) => {
      const call = notification && notification.type === 'callUpdate' ? notification.call : null;
      if (call && (call.state === 'hangup' || call.state === 'destroy')) hooks.onLocalEnd();
    });
    this.call = this.client.newCall({
      destinationNumber: sdk.destination,
      callerName: credential.identity,
      clientState: sdk.client_state,
      audio: true,
      video: false,
    });
  }

  disconnect() {
    try {
      if (this.call) this.call.hangup();
      if (this.client) this.client.disconnect();
    } catch {
      // the client is going away anyway
    }
    if (this.audio) this.audio.remove();
    this.call = null;
    this.client = null;
    this.audio = null;
  }
}

export function legFor(providerId) {
  if (providerId === 'twilio') return new TwilioLeg();
  if (providerId === 'telnyx') return new TelnyxLeg();
  return new SimLeg();
}
