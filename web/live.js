// Live call events: the host's Server-Sent Events stream, read with fetch so
// that the API key can travel in a header (EventSource cannot send one).
// When the stream is down the caller polls instead; the stream is retried.

export class LiveEvents {
  constructor(key, onFrame, onState) {
    this.key = key;
    this.onFrame = onFrame;
    this.onState = onState;
    this.lastId = '';
    this.stopped = false;
    this.connected = false;
    this.controller = null;
  }

  start() {
    this.stopped = false;
    this.run();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  setConnected(value) {
    if (this.connected !== value) {
      this.connected = value;
      this.onState(value);
    }
  }

  async run() {
    while (!this.stopped) {
      this.controller = new AbortController();
      try {
        const headers = { Accept: 'text/event-stream' };
        if (this.key) headers['X-API-Key'] = this.key;  // else the session cookie goes along
        if (this.lastId) headers['Last-Event-ID'] = this.lastId;
        const response = await fetch('/api/v1/events', { headers, signal: this.controller.signal });
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        this.setConnected(true);
        await this.read(response.body.getReader());
      } catch {
        // fall through: polling covers the gap until the retry
      }
      this.setConnected(false);
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }

  async read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.parse(block);
      }
    }
  }

  parse(block) {
    let id = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (id) this.lastId = id;
    if (!data) return;  // a heartbeat
    try {
      this.onFrame(JSON.parse(data));
    } catch {
      // a frame we cannot read is skipped; the next poll corrects the view
    }
  }
}
