"""The browser app's view-models: everything ``app.py`` shows, as plain data and figures.

* :mod:`ui.settings`: what the controls hold, turned into a model (readable errors);
* :mod:`ui.session`: one browser tab's game, its per-round series and figures; the server's count of games;
* :mod:`ui.actions`: one tab's page state and what its buttons do (one redraw per action);
* :mod:`ui.links`: a game as a link (the page's address), replayed on a reload;
* :mod:`ui.series`: the per-round series the plots draw;
* :mod:`ui.figures`: the four plots, as SVG text the browser draws;
* :mod:`ui.inspector`: the country inspector, the event log and the status line;
* :mod:`ui.play`: play a country against the agents, with a debrief;
* :mod:`ui.exercises`: classroom exercises and their presets;
* :mod:`ui.texts`: the words the page shows (stances, help, About);
* :mod:`ui.components`: the Solara components ``app.py`` lays out;
* :mod:`ui.classgame`, :mod:`ui.classpages`: the class game and its pages; :mod:`ui.classstore`: class games
  on disk (SQLite), rebuilt after a restart; :mod:`ui.reconnect`: what a page says and does when its
  server goes away.

Only :mod:`ui.components` and :mod:`ui.actions` import Solara; the rest is tested without a browser.
"""
