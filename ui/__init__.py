"""The browser app's view-models: everything ``app.py`` shows, as plain data and figures.

* :mod:`ui.settings`: what the controls hold, turned into a model (readable errors);
* :mod:`ui.session`: one browser tab's game, its per-round series and figures;
* :mod:`ui.series`: the per-round series the plots draw;
* :mod:`ui.figures`: the four plots, built once per game and updated in place;
* :mod:`ui.inspector`: the country inspector, the event log and the status line;
* :mod:`ui.play`: play a country against the agents, with a debrief;
* :mod:`ui.exercises`: classroom exercises and their presets;
* :mod:`ui.texts`: the words the page shows (stances, help, About);
* :mod:`ui.components`: the Solara components ``app.py`` lays out.

Only :mod:`ui.components` imports Solara; the rest is tested without a browser.
"""
