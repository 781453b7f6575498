// The site's search opened from disk (file://). Material for MkDocs runs its search in a Web Worker, and Chromium
// starts no Worker from a file:// page; Material then hides the search box. Its offline plugin would load a shim
// for that from a CDN, but a page of this site fetches nothing from anywhere: this file is the kit's own shim, and
// its name contains "iframe-worker" so that the plugin adds no other (mkdocs.yml lists it under extra.polyfills).
//
// Under file:// only, `Worker` becomes a hidden iframe of the same page that runs the worker's script: a <script>
// tag may load a file where a Worker may not. Messages cross as events, as they would to and from a worker.
(function () {
  "use strict";
  if (location.protocol !== "file:") {
    return; // served over HTTP (`mkdocs serve`, a web server): real workers
  }

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.onmessage = null;
      this.onerror = null;
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      document.body.appendChild(this.frame);
      const scope = this.frame.contentWindow;
      // What a worker's script calls: postMessage answers the page; importScripts loads in order, and returns a
      // promise, since a <script> cannot load synchronously (Material's worker awaits it).
      scope.postMessage = (data) => setTimeout(() => this.deliver(new MessageEvent("message", { data })));
      scope.importScripts = (...urls) =>
        urls.reduce((done, each) => done.then(() => this.load(scope, each)), Promise.resolve());
      this.ready = this.load(scope, String(url)).catch((error) => {
        const event = new ErrorEvent("error", { message: `cannot load the worker script ${url}`, error });
        this.deliver(event);
      });
    }

    load(scope, url) {
      return new Promise((resolve, reject) => {
        const script = scope.document.createElement("script");
        script.src = url;
        script.onload = () => resolve();
        script.onerror = (error) => reject(error);
        scope.document.body.appendChild(script);
      });
    }

    deliver(event) {
      this.dispatchEvent(event);
      const handler = event.type === "message" ? this.onmessage : this.onerror;
      if (handler) {
        handler.call(this, event);
      }
    }

    postMessage(data) {
      const scope = this.frame.contentWindow;
      this.ready.then(() => scope && scope.dispatchEvent(new scope.MessageEvent("message", { data })));
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.Worker = FrameWorker;
})();
