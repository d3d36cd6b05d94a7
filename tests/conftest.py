import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
