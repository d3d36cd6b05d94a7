from sim import NegotiationModel


def test_section232_runs_and_records_every_round():
    model = NegotiationModel(scenario_name="section232_2018", rng=1).run(5)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6  # round 0 plus five rounds
    assert len(model.summary()["countries"]) >= 12
