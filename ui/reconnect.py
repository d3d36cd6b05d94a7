"""What a page says when its server goes away, and how it comes back by itself.

Solara's front end, on a lost websocket, greys the page under a "Server disconnected." spinner
and retries the connection 7 times, after random waits of 0, up to 1, 3, 7, 15, 31 and 63 s
(JupyterLab's kernel connection); then it stops trying for good.  When a retry reaches a server
that has restarted, the page's kernel is new: Solara asks it for the app's state and, because
``tradesim app`` sets ``SOLARA_STATE_AUTO_REMOUNT=true``, re-runs the app from the page's address
(a "soft remount") instead of asking the person to refresh.  The address says everything a page
shows (a class game's code and seat or key; a game's scenario, seed and moves), and the class
games come back from disk (:mod:`ui.classstore`), so the page is where it was.

:func:`ServerWatch` adds what Solara does not: a banner that says what happened (``message``:
"the server stopped; your game is saved"), and, once the server answers again, a reconnection at
once rather than at the end of the back-off, also after the 7 tries are spent.  Should a page
still end on Solara's "Please refresh" dialog (a server run without ``tradesim app``), it reloads.
"""

from __future__ import annotations

import solara

from ui.components import template_widget

SAVED = ("The server stopped; your game is saved. This page reconnects by itself when the server is back.")
UNSAVED = ("The server stopped. This class game could not be saved on the server's disk (the teacher's page "
           "said why), so it may be lost. This page reconnects by itself when the server is back.")
WAITING = "The server stopped. This page reconnects by itself when the server is back."
IN_ADDRESS = ("The server stopped; your game is saved in this page's address. This page reconnects by itself "
              "when the server is back, at the same round.")

WATCH_TEMPLATE = """
<template><span class="tradesim-server-watch" style="display:none"></span></template>
<script>
module.exports = {
  mounted() { this.install(); this.show(); },
  watch: { message() { this.show(); } },
  methods: {
    show() { window.tradesimWatch.message = this.message || ""; },
    install() {
      if (window.tradesimWatch) { return; }  // one watcher per page load, whatever is redrawn
      const watch = window.tradesimWatch = { message: "", downSince: null, nudged: 0 };
      const banner = document.createElement("div");
      banner.className = "tradesim-server-gone";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:100010;display:none;background:#fff3cd;"
        + "color:#4a3000;border-bottom:3px solid #a05a00;padding:14px 20px;font:20px Roboto,sans-serif;"
        + "text-align:center;box-shadow:0 2px 8px rgba(0,0,0,.3)";
      document.body.appendChild(banner);
      const kernel = () => (window.solara && solara.debug && solara.debug.kernel) ? solara.debug.kernel() : null;
      setInterval(async () => {
        const dialog = document.querySelector(".v-dialog--active");
        if (dialog && /refresh/i.test(dialog.innerText || "")) { location.reload(); return; }
        const k = kernel();
        if (!k || k.connectionStatus === "connected") {
          watch.downSince = null;
          banner.style.display = "none";
          return;
        }
        if (watch.downSince === null) { watch.downSince = Date.now(); }
        if (Date.now() - watch.downSince < 1000) { return; }  // a blip: Solara reconnects at once
        banner.textContent = watch.message;
        banner.style.display = "block";
        if (Date.now() - watch.nudged < 4000) { return; }
        try {
          const answer = await fetch((solara.rootPath || "") + "/readyz", { cache: "no-store" });
          if (answer.ok && k.connectionStatus !== "connected") {
            watch.nudged = Date.now();
            k.reconnect();  // the server is back: connect now, not after Solara's back-off (or never)
          }
        } catch (e) { /* still down */ }
      }, 1000);
    }
  }
};
</script>
"""


@solara.component
def ServerWatch(message: str):
    """The page's watcher of its server (see the module's docstring); ``message`` is what the banner says."""
    template_widget("ServerWatchWidget", WATCH_TEMPLATE, "message", "text").element(message=message)
