"""The class-game server killed (SIGKILL) at random points, 25 times, in the style of SQLite's crash tests
(issue 22): after each kill a new server process on the same file, no acknowledged move lost or doubled,
no round undone, and at the end the move file of the same game never interrupted.  The driver and the
longer run (500 kills) are benchmarks/classkill.py; its figures are in benchmarks/results/classkill.md."""

from __future__ import annotations

from benchmarks.classkill import play, reference, same_moves

KILLS = 25


def test_a_class_game_killed_25_times_at_random_points_loses_and_doubles_nothing(tmp_path):
    result = play(KILLS, seed=22, db_path=str(tmp_path / "classgames.sqlite"))
    figures = result["figures"]
    assert figures["kills"] == KILLS
    # the kills landed where it matters: answers lost after the commit, and requests never committed
    assert figures["committed_unanswered"] + figures["not_committed"] >= 3, figures
    assert figures["checks"] >= KILLS - figures["during_rebuild"]  # every restart was checked (check() raises)
    assert figures["final"] == {"phase": "finished", "round": 4}
    equal, why = same_moves(result["csv"], reference(22))
    assert equal, why
